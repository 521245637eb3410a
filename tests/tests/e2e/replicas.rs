//! Two broker replicas on one PostgreSQL database (`--database`) behave as one broker: a code
//! issued by one is redeemed at the other, once; a login parked on one is approved through the
//! other's control API and continues at either. The database is the one `TEST_POSTGRES_URL`
//! names (`scripts/test` starts a throw-away server), each test in a schema of its own; without
//! it these tests are skipped with a note, except in CI, where that is a failure.

use crate::support::*;
use broker::clock::ManualClock;
use broker::host::TestHost;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

/// The issuer both replicas answer as (a load balancer's name); requests go to each replica's
/// own address.
const ISSUER: &str = "http://broker.replicas.test";

struct Replica {
    host: TestHost,
    /// `http://127.0.0.1:PORT`.
    base: String,
}

impl Replica {
    /// `url` (at the shared issuer) at this replica.
    fn at(&self, url: &str) -> String {
        url.replacen(ISSUER, &self.base, 1)
    }
}

/// The database URL with a fresh schema for one test, or `None` (outside CI) without a server.
fn database() -> Option<String> {
    let Ok(url) = std::env::var("TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("CI").is_err(),
            "TEST_POSTGRES_URL is not set: CI runs the replica tests on PostgreSQL"
        );
        eprintln!("skipped: TEST_POSTGRES_URL is not set (scripts/postgres start DIR prints one)");
        return None;
    };
    let schema = format!("replicas_{}", uuid::Uuid::new_v4().simple());
    // Made (and migrated) once here; the replicas find it through their search path.
    drop(broker::store::PgStore::connect(&url, Some(&schema)).unwrap());
    let separator = if url.contains('?') { '&' } else { '?' };
    Some(format!(
        "{url}{separator}options=-c%20search_path%3D{schema}"
    ))
}

/// Two replicas on one database, each with a data directory of its own (nothing there is
/// shared: the keys are in the database, sealed), each on a manual clock of its own that the
/// database keeps in step, interactive unless `auto`.
async fn two_replicas(auto: bool) -> Option<(Replica, Replica, Vec<tempfile::TempDir>)> {
    let database = database()?;
    let dirs = vec![tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut replicas = Vec::new();
    for dir in &dirs {
        let database = database.clone();
        let clock = Arc::new(ManualClock::starting_now());
        let host = TestHost::start_in(dir.path(), clock, |c| {
            c.key_encryption_key = Some(SEALING.into());
            c.issuer = Some(ISSUER.into());
            c.database = Some(database);
            c.auto_approve = auto;
        })
        .await
        .unwrap();
        let base = host
            .control()
            .base()
            .trim_end_matches("/_sim/v1")
            .to_string();
        replicas.push(Replica { host, base });
    }
    let b = replicas.pop().unwrap();
    let a = replicas.pop().unwrap();
    register_client(&a.host, json!({})).await;
    Some((a, b, dirs))
}

/// The replicas' key-encryption key (32 bytes, base64).
const SEALING: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn authorize_query(pkce: &Pkce) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".into()),
        ("client_id", CLIENT_ID.into()),
        ("redirect_uri", REDIRECT_URI.into()),
        ("scope", "openid".into()),
        ("state", "st".into()),
        ("nonce", "no".into()),
        ("code_challenge", pkce.challenge.clone()),
        ("code_challenge_method", "S256".into()),
    ]
}

/// An authorization request at `replica` (auto-approved) with `scope`: its response (a
/// redirect with the code) and the PKCE pair to redeem the code with.
async fn authorize_at(replica: &Replica, scope: &str) -> (reqwest::Response, Pkce) {
    let pkce = Pkce::new();
    let mut params = authorize_query(&pkce);
    params.retain(|(name, _)| *name != "scope");
    params.push(("scope", scope.into()));
    let response = http_client()
        .get(format!("{}/authorize", replica.base))
        .query(&params)
        .send()
        .await
        .unwrap();
    (response, pkce)
}

/// A code from `replica`, with its PKCE pair.
async fn code_at(replica: &Replica, scope: &str) -> (String, Pkce) {
    let (response, pkce) = authorize_at(replica, scope).await;
    (query(&redirect_to(&response), "code").unwrap(), pkce)
}

async fn redeem(replica: &Replica, code: &str, pkce: &Pkce) -> reqwest::Response {
    http_client()
        .post(format!("{}/token", replica.base))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", pkce.verifier.as_str()),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_code_issued_by_one_replica_is_redeemed_at_the_other_once() {
    let Some((a, b, _dirs)) = two_replicas(true).await else {
        return;
    };
    let (response, pkce) = authorize_at(&a, "openid").await;
    let location = redirect_to(&response);
    assert_eq!(query(&location, "iss").as_deref(), Some(ISSUER));
    let code = query(&location, "code").unwrap();
    let tokens = redeem(&b, &code, &pkce).await;
    assert_eq!(tokens.status(), StatusCode::OK);
    let tokens: Value = tokens.json().await.unwrap();
    assert_eq!(claims(tokens["id_token"].as_str().unwrap())["iss"], ISSUER);
    // Spent across replicas: the other one refuses it, and the replay revokes the tokens.
    let again = redeem(&a, &code, &pkce).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["error"], "invalid_grant");
    let info = http_client()
        .get(format!("{}/userinfo", b.base))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        info.status(),
        StatusCode::UNAUTHORIZED,
        "revoked by the replay at the other"
    );
}

#[tokio::test]
async fn a_login_parked_on_one_replica_is_approved_through_the_other_and_continues_at_either() {
    let Some((a, b, _dirs)) = two_replicas(false).await else {
        return;
    };
    for continue_at in [&a, &b] {
        let pkce = Pkce::new();
        let browser = http_client();
        let response = browser
            .get(format!("{}/authorize", a.base))
            .query(&authorize_query(&pkce))
            .send()
            .await
            .unwrap();
        let page = redirect_to(&response);
        let id = login_id_of(&response);
        // Pending, as both replicas see it.
        let pending = b.host.control().get("/logins").await.unwrap();
        assert!(
            pending
                .body
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["id"] == id.as_str()),
            "{:?}",
            pending.body
        );
        let approved = b
            .host
            .control()
            .post(&format!("/logins/{id}/approve"), &json!({"user_id": "bo"}))
            .await
            .unwrap();
        assert_eq!(approved.status, 200, "{:?}", approved.body);
        // The browser goes on at either replica: the page sends it back to the client.
        let back = browser
            .get(continue_at.at(page.as_str()))
            .send()
            .await
            .unwrap();
        let location = redirect_to(&back);
        assert!(location.as_str().starts_with(REDIRECT_URI), "{location}");
        let code = query(&location, "code").unwrap();
        let tokens = redeem(continue_at, &code, &pkce).await;
        assert_eq!(tokens.status(), StatusCode::OK);
        // Settled once: the other replica sees the same terminal status.
        let explained = a
            .host
            .control()
            .get(&format!("/logins/{id}/explain"))
            .await
            .unwrap();
        assert_eq!(explained.body["status"], "approved", "{:?}", explained.body);
    }
}

async fn jwks_of(replica: &Replica) -> keys::Jwks {
    reqwest::get(format!("{}/jwks", replica.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn both_replicas_publish_the_same_keys_and_a_rotation_on_one_within_a_second() {
    let Some((a, b, _dirs)) = two_replicas(true).await else {
        return;
    };
    // One set of keys, made once: both publish it.
    assert_eq!(jwks_of(&a).await, jwks_of(&b).await);
    let rotated = a
        .host
        .control()
        .post("/keys/rotate", &json!({"kind": "rsa"}))
        .await
        .unwrap();
    assert_eq!(rotated.status, 200, "{:?}", rotated.body);
    let kid = rotated.body["kid"].as_str().unwrap().to_owned();
    assert!(jwks_of(&a).await.find(&kid).is_some());
    // The other replica looks for key changes every quarter second (server::KEY_REFRESH): it
    // publishes the new key within a second. This waits for that event, with the second as
    // its deadline.
    let published = tokio::time::timeout(std::time::Duration::from_secs(1), async {
        while jwks_of(&b).await.find(&kid).is_none() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        published.is_ok(),
        "the other replica did not publish {kid} within a second"
    );
    // And signs with it: a login's ID token from b names the new key.
    let (code, pkce) = code_at(&b, "openid").await;
    let tokens: Value = redeem(&b, &code, &pkce).await.json().await.unwrap();
    assert_eq!(
        jwt_header(tokens["id_token"].as_str().unwrap())["kid"],
        kid.as_str()
    );
}

async fn clock_of(replica: &Replica) -> i64 {
    let clock = replica.host.control().get("/clock").await.unwrap();
    assert_eq!(clock.body["controllable"], true, "{:?}", clock.body);
    clock.body["now"].as_i64().unwrap()
}

#[tokio::test]
async fn a_clock_moved_on_one_replica_moves_on_the_other_within_a_second() {
    let Some((a, b, _dirs)) = two_replicas(true).await else {
        return;
    };
    let moved = a
        .host
        .control()
        .post("/clock/advance", &json!({"seconds": 3600}))
        .await
        .unwrap();
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    let now = moved.body["now"].as_i64().unwrap();
    // The other replica reads the shared clock every quarter second (server::KEY_REFRESH).
    // This waits for that event, with the second as its deadline.
    let followed = tokio::time::timeout(std::time::Duration::from_secs(1), async {
        while clock_of(&b).await < now {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        followed.is_ok(),
        "the other replica's clock stayed behind {now}"
    );
    assert_eq!(clock_of(&b).await, now);
    // Moving it on the other replica adds to the shared time: nothing is lost or counted twice.
    let again = b
        .host
        .control()
        .post("/clock/advance", &json!({"seconds": 60}))
        .await
        .unwrap();
    assert_eq!(
        again.body["now"].as_i64(),
        Some(now + 60),
        "{:?}",
        again.body
    );
    // And a code issued at one replica expires by the other's clock once that one moved past
    // the code's life: the replicas judge it on the time they share.
    let (code, pkce) = code_at(&a, "openid").await;
    b.host
        .control()
        .post("/clock/advance", &json!({"seconds": 600}))
        .await
        .unwrap();
    let refused = redeem(&b, &code, &pkce).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant", "{body:?}");
}

async fn refresh_at(replica: &Replica, token: &str) -> reqwest::Response {
    http_client()
        .post(format!("{}/token", replica.base))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", token)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn two_replicas_racing_on_one_code_or_refresh_token_have_one_winner() {
    let Some((a, b, _dirs)) = two_replicas(true).await else {
        return;
    };
    for round in 0..8 {
        // The same code at both replicas at once: one answers tokens, the other invalid_grant.
        let (code, pkce) = code_at(&a, "openid").await;
        let (at_a, at_b) = tokio::join!(redeem(&a, &code, &pkce), redeem(&b, &code, &pkce));
        let loser = match (at_a.status(), at_b.status()) {
            (StatusCode::OK, StatusCode::BAD_REQUEST) => at_b,
            (StatusCode::BAD_REQUEST, StatusCode::OK) => at_a,
            other => panic!("round {round}: one code redeemed as {other:?}"),
        };
        let loser: Value = loser.json().await.unwrap();
        assert_eq!(loser["error"], "invalid_grant", "{loser:?}");

        // The same refresh token at both at once: exactly one new pair. (Another login: the
        // code replay above revoked the first one's tokens, as it should.)
        let (code, pkce) = code_at(&a, "openid offline_access").await;
        let tokens: Value = redeem(&a, &code, &pkce).await.json().await.unwrap();
        let refresh = tokens["refresh_token"].as_str().expect("a refresh token");
        let (at_a, at_b) = tokio::join!(refresh_at(&a, refresh), refresh_at(&b, refresh));
        let won = [at_a.status(), at_b.status()]
            .iter()
            .filter(|s| **s == StatusCode::OK)
            .count();
        assert_eq!(
            won,
            1,
            "round {round}: one refresh token used as {:?} / {:?}",
            at_a.status(),
            at_b.status()
        );
    }
}

#[tokio::test]
async fn a_login_approved_at_one_replica_and_rejected_at_the_other_at_once_settles_once() {
    let Some((a, b, _dirs)) = two_replicas(false).await else {
        return;
    };
    for round in 0..8 {
        let (response, _) = authorize_at(&a, "openid").await;
        let id = login_id_of(&response);
        let approve = format!("/logins/{id}/approve");
        let reject = format!("/logins/{id}/reject");
        let (as_bo, nothing) = (json!({"user_id": "bo"}), json!({}));
        let (approved, rejected) = tokio::join!(
            a.host.control().post(&approve, &as_bo),
            b.host.control().post(&reject, &nothing),
        );
        let (approved, rejected) = (approved.unwrap(), rejected.unwrap());
        // One decision was written; the other was told the login was already decided.
        let statuses = [approved.status, rejected.status];
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "round {round}: {:?} / {:?}",
            approved.body,
            rejected.body
        );
        // Both replicas see the one terminal status, and it is the winner's.
        let winner = if approved.status == 200 {
            "approved"
        } else {
            "rejected"
        };
        for replica in [&a, &b] {
            let explained = replica
                .host
                .control()
                .get(&format!("/logins/{id}/explain"))
                .await
                .unwrap();
            assert_eq!(explained.body["status"], winner, "{:?}", explained.body);
        }
    }
}

#[tokio::test]
async fn the_request_log_of_one_replica_is_read_at_the_other() {
    let Some((a, b, _dirs)) = two_replicas(true).await else {
        return;
    };
    let (response, pkce) = authorize_at(&a, "openid").await;
    let login = login_id_of(&response);
    let code = query(&redirect_to(&response), "code").unwrap();
    assert_eq!(redeem(&b, &code, &pkce).await.status(), StatusCode::OK);
    // A replica's list first writes its own waiting entries; the other's it reads from the
    // database. So listing at b writes the token exchange, listing at a then writes the
    // authorize request and finds both, and b finds both after that: no waiting for the
    // once-a-second writes.
    let path = format!("/requests?login={login}");
    b.host.control().get(&path).await.unwrap();
    for replica in [&a, &b] {
        let entries = replica.host.control().get(&path).await.unwrap().body;
        let entries = entries.as_array().unwrap();
        let endpoint = |name: &str| entries.iter().find(|e| e["endpoint"] == name);
        assert!(endpoint("authorize").is_some(), "{entries:?}");
        // The token exchange carries the decoded ID token, never the token itself.
        let token = endpoint("token").unwrap_or_else(|| panic!("no token exchange: {entries:?}"));
        assert_eq!(token["id_token"]["claims"]["iss"], ISSUER, "{token:?}");
        assert!(!token.to_string().contains(&code), "{token:?}");
    }
}
