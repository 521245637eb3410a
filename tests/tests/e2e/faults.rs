//! The RP test kit: each queued fault makes exactly its named defect in the next matching
//! response to its client, and nothing else (the rest of the token still verifies, so an RP
//! that refuses refuses for the right reason); it is used up, never by another client.

use crate::support::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

/// The claims that are the same in every login of the test client as anna.
const STABLE: [&str; 8] = ["iss", "sub", "aud", "azp", "nonce", "acr", "amr", "idp"];

async fn queue(rp: &Rp, fault: &str, client: &str, count: u32) -> Value {
    let queued = rp
        .host
        .control()
        .post(
            "/faults",
            &json!({"fault": fault, "client_id": client, "count": count}),
        )
        .await
        .unwrap();
    assert_eq!(queued.status, 201, "{fault}: {:?}", queued.body);
    queued.body
}

/// A login in auto-approve mode: where the browser is sent, and the token response.
struct Login {
    location: Url,
    tokens: Value,
    login_id: String,
}

async fn log_in(rp: &Rp, extra: &[(&str, &str)]) -> Login {
    let pkce = Pkce::new();
    let response = rp.authorize(&pkce, extra).await;
    let login_id = login_id_of(&response);
    let location = redirect_to(&response);
    let code = query(&location, "code").unwrap_or_else(|| panic!("no code in {location}"));
    let response = rp.exchange(&code, &pkce).await;
    assert_eq!(response.status(), StatusCode::OK);
    Login {
        location,
        tokens: response.json().await.unwrap(),
        login_id,
    }
}

fn id_token(login: &Login) -> &str {
    login.tokens["id_token"].as_str().unwrap()
}

/// The stable claims that differ between two ID tokens' claims.
fn differing(a: &Value, b: &Value) -> Vec<&'static str> {
    STABLE
        .into_iter()
        .filter(|c| a.get(*c) != b.get(*c))
        .collect()
}

/// Whether the JWS verifies with any of the JWKS's keys for its `alg` (whatever its `kid`).
async fn verifies_with_some_key(rp: &Rp, jwt: &str) -> bool {
    let jwks: keys::Jwks = reqwest::get(rp.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jwt_header(jwt);
    let Some(alg) = header["alg"].as_str().and_then(keys::Alg::parse) else {
        return false;
    };
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    let signature = B64.decode(signature).unwrap_or_default();
    jwks.keys
        .iter()
        .any(|key| key.verify(alg, signed.as_bytes(), &signature).is_ok())
}

#[tokio::test]
async fn the_catalogue_names_each_fault_and_bad_requests_are_refused() {
    let rp = Rp::start_auto().await;
    let catalogue = rp.host.control().get("/faults").await.unwrap();
    assert_eq!(catalogue.status, 200);
    let faults = catalogue.body["faults"].as_array().unwrap();
    let named = |name: &str| faults.iter().find(|f| f["name"] == name).cloned();
    for name in [
        "invalid-iss",
        "invalid-aud",
        "invalid-sig-rs256",
        "idtoken-sig-none",
        "missing-sub",
        "missing-iat",
        "nonce-invalid",
        "userinfo-invalid-sub",
        "refresh-token-invalid-issuer",
        "expired",
        "iat-in-future",
        "invalid-at-hash",
        "alg-confusion-hs256",
        "kid-unknown",
        "iss-param-mismatch",
        "iss-param-missing",
        "state-mismatch",
        "token-endpoint-error",
        "userinfo-500",
    ] {
        let fault = named(name).unwrap_or_else(|| panic!("{name} not in {faults:?}"));
        let expect = if ["iat-in-future", "invalid-at-hash"].contains(&name) {
            "should_refuse"
        } else {
            "refuse"
        };
        assert_eq!(fault["expect"], expect, "{fault}");
        assert!(fault["changes"].as_str().is_some_and(|c| !c.is_empty()));
        assert!(fault["stage"].is_string());
    }
    assert_eq!(
        named("invalid-iss").unwrap()["oidf_module"],
        "oidcc-client-test-invalid-iss"
    );
    for (body, status) in [
        (
            json!({"fault": "no-such-fault", "client_id": CLIENT_ID}),
            400,
        ),
        (json!({"fault": "invalid-iss", "client_id": "nobody"}), 404),
        (
            json!({"fault": "invalid-iss", "client_id": CLIENT_ID, "count": 0}),
            400,
        ),
        (json!({"fault": "invalid-iss"}), 400),
    ] {
        let refused = rp.host.control().post("/faults", &body).await.unwrap();
        assert_eq!(refused.status, status, "{body}: {:?}", refused.body);
    }
    assert_eq!(
        rp.host.control().get("/faults/queued").await.unwrap().body,
        json!([])
    );
}

#[tokio::test]
async fn each_id_token_claim_fault_changes_exactly_its_claim_and_still_verifies() {
    let rp = Rp::start_auto().await;
    let clean = log_in(&rp, &[]).await;
    let clean_claims = claims(id_token(&clean));
    verify_signature(&rp, id_token(&clean)).await;
    let now = clean_claims["iat"].as_i64().unwrap();
    for (fault, changed) in [
        ("invalid-iss", vec!["iss"]),
        ("invalid-aud", vec!["aud", "azp"]),
        ("missing-sub", vec!["sub"]),
        ("nonce-invalid", vec!["nonce"]),
        ("missing-iat", vec![]),
        ("expired", vec![]),
        ("iat-in-future", vec![]),
        ("invalid-at-hash", vec![]),
    ] {
        queue(&rp, fault, CLIENT_ID, 1).await;
        let login = log_in(&rp, &[]).await;
        let token = id_token(&login);
        // Signed as always: the defect is the claim, not the signature.
        verify_signature(&rp, token).await;
        assert_eq!(jwt_header(token), jwt_header(id_token(&clean)), "{fault}");
        let got = claims(token);
        assert_eq!(differing(&got, &clean_claims), changed, "{fault}: {got}");
        match fault {
            "invalid-iss" => assert_ne!(got["iss"], rp.issuer()),
            "missing-sub" => assert!(got.get("sub").is_none()),
            "missing-iat" => {
                assert!(got.get("iat").is_none());
                assert!(got["exp"].as_i64().unwrap() > now);
            }
            "expired" => assert!(got["exp"].as_i64().unwrap() < now, "{got}"),
            "iat-in-future" => assert!(got["iat"].as_i64().unwrap() > now + 60, "{got}"),
            "invalid-at-hash" => {
                let access_token = login.tokens["access_token"].as_str().unwrap();
                assert_ne!(
                    got["at_hash"],
                    json!(broker::secrets::left_half_sha256(access_token))
                );
            }
            _ => {}
        }
        // Used up: the next login is clean.
        let next = log_in(&rp, &[]).await;
        assert!(differing(&claims(id_token(&next)), &clean_claims).is_empty());
        // And the login's explain names it.
        let explained = login_explained(&rp, &login.login_id).await;
        assert_eq!(explained["faults"], json!([fault]), "{explained}");
    }
}

#[tokio::test]
async fn each_signature_fault_spoils_exactly_the_signature() {
    let rp = Rp::start_auto().await;
    let clean = log_in(&rp, &[]).await;
    let clean_claims = claims(id_token(&clean));
    let clean_header = jwt_header(id_token(&clean));

    queue(&rp, "invalid-sig-rs256", CLIENT_ID, 1).await;
    let token = id_token(&log_in(&rp, &[]).await).to_string();
    assert_eq!(jwt_header(&token), clean_header);
    assert!(differing(&claims(&token), &clean_claims).is_empty());
    assert!(!verifies_with_some_key(&rp, &token).await);

    queue(&rp, "idtoken-sig-none", CLIENT_ID, 1).await;
    let token = id_token(&log_in(&rp, &[]).await).to_string();
    assert_eq!(jwt_header(&token), json!({"alg": "none", "typ": "JWT"}));
    assert!(token.ends_with('.'), "an empty signature: {token}");
    assert!(differing(&claims(&token), &clean_claims).is_empty());

    queue(&rp, "kid-unknown", CLIENT_ID, 1).await;
    let token = id_token(&log_in(&rp, &[]).await).to_string();
    let header = jwt_header(&token);
    assert_eq!(header["alg"], clean_header["alg"]);
    assert_ne!(header["kid"], clean_header["kid"]);
    let jwks: keys::Jwks = reqwest::get(rp.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(jwks.find(header["kid"].as_str().unwrap()).is_none());
    assert!(
        verifies_with_some_key(&rp, &token).await,
        "signed by the active key"
    );
    assert!(differing(&claims(&token), &clean_claims).is_empty());

    queue(&rp, "alg-confusion-hs256", CLIENT_ID, 1).await;
    let token = id_token(&log_in(&rp, &[]).await).to_string();
    assert_eq!(jwt_header(&token), json!({"alg": "HS256", "typ": "JWT"}));
    assert!(differing(&claims(&token), &clean_claims).is_empty());
    // HMAC-SHA-256 keyed with the RSA key's public modulus, from the JWKS.
    let rsa = jwks
        .keys
        .iter()
        .find(|k| k.kid.as_ref().map(|kid| kid.as_str()) == clean_header["kid"].as_str())
        .unwrap();
    let modulus = B64.decode(rsa.n.as_deref().unwrap()).unwrap();
    let (signed, signature) = token.rsplit_once('.').unwrap();
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&modulus).unwrap();
    mac.update(signed.as_bytes());
    mac.verify_slice(&B64.decode(signature).unwrap())
        .expect("HS256 with the public modulus as the secret");
}

#[tokio::test]
async fn authorization_response_faults_change_only_iss_or_state() {
    let rp = Rp::start_auto().await;
    let clean = log_in(&rp, &[]).await;
    assert_eq!(query(&clean.location, "iss").as_deref(), Some(rp.issuer()));
    for fault in ["iss-param-mismatch", "iss-param-missing", "state-mismatch"] {
        queue(&rp, fault, CLIENT_ID, 1).await;
        let login = log_in(&rp, &[]).await;
        let (iss, state) = (
            query(&login.location, "iss"),
            query(&login.location, "state"),
        );
        match fault {
            "iss-param-mismatch" => {
                assert!(iss.is_some_and(|i| i != rp.issuer()));
                assert_eq!(state.as_deref(), Some("state-123"));
            }
            "iss-param-missing" => {
                assert_eq!(iss, None);
                assert_eq!(state.as_deref(), Some("state-123"));
            }
            _ => {
                assert_eq!(iss.as_deref(), Some(rp.issuer()));
                assert!(state.is_some_and(|s| s != "state-123"));
            }
        }
        // The code in it is good, and the ID token clean.
        verify_signature(&rp, id_token(&login)).await;
        assert!(differing(&claims(id_token(&login)), &claims(id_token(&clean))).is_empty());
    }
}

async fn userinfo(rp: &Rp, access_token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn userinfo_and_token_endpoint_faults_answer_their_error_once() {
    let rp = Rp::start_auto().await;
    let login = log_in(&rp, &[]).await;
    let access_token = login.tokens["access_token"].as_str().unwrap();
    let sub = claims(id_token(&login))["sub"].clone();

    queue(&rp, "userinfo-invalid-sub", CLIENT_ID, 1).await;
    let info: Value = userinfo(&rp, access_token).await.json().await.unwrap();
    assert_ne!(info["sub"], sub);
    assert!(info["sub"].is_string());
    let info: Value = userinfo(&rp, access_token).await.json().await.unwrap();
    assert_eq!(info["sub"], sub, "used up");

    queue(&rp, "userinfo-500", CLIENT_ID, 1).await;
    let failed = userinfo(&rp, access_token).await;
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(userinfo(&rp, access_token).await.status(), StatusCode::OK);

    // The token endpoint's error leaves the code unspent: the next try redeems it.
    queue(&rp, "token-endpoint-error", CLIENT_ID, 1).await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let failed = rp.exchange(&code, &pkce).await;
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = failed.json().await.unwrap();
    assert_eq!(body["error"], "server_error");
    assert_eq!(rp.exchange(&code, &pkce).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_refresh_fault_spoils_only_the_refreshed_id_token() {
    let rp = Rp::start_auto().await;
    queue(&rp, "refresh-token-invalid-issuer", CLIENT_ID, 1).await;
    let login = log_in(&rp, &[]).await;
    assert_eq!(
        claims(id_token(&login))["iss"],
        rp.issuer(),
        "the login's is clean"
    );
    let refresh_token = login.tokens["refresh_token"].as_str().unwrap();
    let refreshed = rp
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let refreshed: Value = refreshed.json().await.unwrap();
    let token = refreshed["id_token"].as_str().unwrap();
    verify_signature(&rp, token).await;
    assert_ne!(claims(token)["iss"], rp.issuer());
    assert_eq!(claims(token)["sub"], claims(id_token(&login))["sub"]);
}

#[tokio::test]
async fn a_fault_serves_its_count_and_never_another_client() {
    let rp = Rp::start_auto().await;
    let other = register_client(
        &rp.host,
        json!({"client_id": "other-rp", "redirect_uris": ["https://other.example/cb"]}),
    )
    .await;
    let other_id = other["client_id"].as_str().unwrap().to_string();
    // The other client's fault never reaches this client's logins.
    queue(&rp, "invalid-iss", &other_id, 1).await;
    let login = log_in(&rp, &[]).await;
    assert_eq!(claims(id_token(&login))["iss"], rp.issuer());
    let queued = rp.host.control().get("/faults/queued").await.unwrap();
    assert_eq!(
        queued.body.as_array().unwrap().len(),
        1,
        "{:?}",
        queued.body
    );
    assert_eq!(queued.body[0]["client_id"], other_id.as_str());

    // Two uses, then clean.
    queue(&rp, "nonce-invalid", CLIENT_ID, 2).await;
    for _ in 0..2 {
        let login = log_in(&rp, &[]).await;
        assert_ne!(claims(id_token(&login))["nonce"], "nonce-456");
    }
    let login = log_in(&rp, &[]).await;
    assert_eq!(claims(id_token(&login))["nonce"], "nonce-456");

    // Cleared by client, and one by id.
    let queued = queue(&rp, "missing-sub", CLIENT_ID, 1).await;
    let id = queued["id"].as_str().unwrap();
    let removed = rp
        .host
        .control()
        .delete(&format!("/faults/queued/{id}"))
        .await
        .unwrap();
    assert_eq!(removed.status, 204);
    let cleared = rp
        .host
        .control()
        .delete(&format!("/faults/queued?client_id={other_id}"))
        .await
        .unwrap();
    assert_eq!(cleared.body["removed"], 1);
    assert_eq!(
        rp.host.control().get("/faults/queued").await.unwrap().body,
        json!([])
    );
    let login = log_in(&rp, &[]).await;
    assert!(claims(id_token(&login))["sub"].is_string());
}

#[tokio::test]
async fn the_c_hash_fault_waits_for_a_hybrid_response() {
    let host = broker::host::TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    register_client(
        &host,
        json!({ "response_types": ["code", "code id_token"] }),
    )
    .await;
    let rp = Rp {
        host,
        browser: http_client(),
    };
    queue(&rp, "invalid-c-hash", CLIENT_ID, 1).await;
    // A code-flow login's ID token has no c_hash: it does not take the fault.
    let login = log_in(&rp, &[]).await;
    assert!(claims(id_token(&login)).get("c_hash").is_none());
    assert_eq!(
        rp.host.control().get("/faults/queued").await.unwrap().body[0]["fault"],
        "invalid-c-hash"
    );
    let response = rp
        .authorize(&Pkce::new(), &[("response_type", "code id_token")])
        .await;
    let location = redirect_to(&response);
    let fragment = |name: &str| {
        url::form_urlencoded::parse(location.fragment().unwrap_or("").as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    let (code, token) = (fragment("code"), fragment("id_token"));
    verify_signature(&rp, &token).await;
    assert_ne!(
        claims(&token)["c_hash"],
        json!(broker::secrets::left_half_sha256(&code))
    );
    assert_eq!(claims(&token)["nonce"], "nonce-456");
}

#[tokio::test]
async fn a_key_rotation_signs_with_a_new_published_key_and_must_be_accepted() {
    let rp = Rp::start_auto().await;
    let clean = log_in(&rp, &[]).await;
    let old_kid = jwt_header(id_token(&clean))["kid"].clone();
    for fault in [
        "signing-key-rotation",
        "signing-key-rotation-just-before-signing",
    ] {
        let catalogue = rp.host.control().get("/faults").await.unwrap().body;
        let spec = catalogue["faults"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == fault)
            .unwrap()
            .clone();
        assert_eq!(spec["expect"], "accept", "{spec}");
        queue(&rp, fault, CLIENT_ID, 1).await;
        let login = log_in(&rp, &[]).await;
        let token = id_token(&login);
        let kid = jwt_header(token)["kid"].clone();
        assert_ne!(kid, old_kid, "{fault}: a new key");
        // A correct RP fetches the JWKS again, finds the key, and the token verifies.
        verify_signature(&rp, token).await;
        assert!(differing(&claims(token), &claims(id_token(&clean))).is_empty());
    }
}

async fn report(rp: &Rp) -> Value {
    let response = rp
        .host
        .control()
        .get(&format!("/clients/{CLIENT_ID}/report"))
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{:?}", response.body);
    response.body
}

fn verdict_for<'a>(report: &'a Value, login: &Login) -> &'a Value {
    report["faults"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["login_id"] == login.login_id.as_str())
        .unwrap_or_else(|| panic!("no verdict for {} in {report}", login.login_id))
}

#[tokio::test]
async fn the_report_says_what_the_rp_did_and_judges_each_fault() {
    let rp = Rp::start_auto().await;
    // Before the RP has shown what it usually does, silence says nothing.
    queue(&rp, "invalid-iss", CLIENT_ID, 1).await;
    let early = log_in(&rp, &[]).await;
    let r = report(&rp).await;
    assert_eq!(verdict_for(&r, &early)["verdict"], "unknown", "{r}");

    // A clean login whose RP calls userinfo, as this one usually does.
    let clean = log_in(&rp, &[]).await;
    let access_token = clean.tokens["access_token"].as_str().unwrap();
    assert_eq!(userinfo(&rp, access_token).await.status(), StatusCode::OK);

    // It refuses a wrong iss (no userinfo after), but accepts a wrong nonce (userinfo after).
    queue(&rp, "invalid-iss", CLIENT_ID, 1).await;
    let refused = log_in(&rp, &[]).await;
    queue(&rp, "nonce-invalid", CLIENT_ID, 1).await;
    let accepted = log_in(&rp, &[]).await;
    let token = accepted.tokens["access_token"].as_str().unwrap();
    assert_eq!(userinfo(&rp, token).await.status(), StatusCode::OK);
    // It redeems a code from a response whose state was not its own: accepted.
    queue(&rp, "state-mismatch", CLIENT_ID, 1).await;
    let redeemed = log_in(&rp, &[]).await;
    // The broker cannot see what it does with a userinfo error.
    queue(&rp, "userinfo-500", CLIENT_ID, 1).await;
    let watched = log_in(&rp, &[]).await;
    let token = watched.tokens["access_token"].as_str().unwrap();
    assert_eq!(
        userinfo(&rp, token).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );

    let r = report(&rp).await;
    assert_eq!(r["client_id"], CLIENT_ID);
    for (login, fault, expected) in [
        (&refused, "invalid-iss", "refused"),
        (&accepted, "nonce-invalid", "accepted"),
        (&redeemed, "state-mismatch", "accepted"),
        (&watched, "userinfo-500", "unknown"),
    ] {
        let v = verdict_for(&r, login);
        assert_eq!(v["fault"], fault, "{v}");
        assert_eq!(v["expect"], "refuse", "{v}");
        assert_eq!(v["verdict"], expected, "{fault}: {v}");
        assert!(v["why"].as_str().is_some_and(|w| !w.is_empty()));
    }
    // Per login: PKCE, state, nonce, and the calls seen.
    let seen = r["logins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["login_id"] == clean.login_id.as_str())
        .unwrap();
    assert_eq!(seen["pkce"], "S256");
    assert_eq!(seen["state"], true);
    assert_eq!(seen["nonce"], true);
    assert_eq!(seen["token_exchange"], true);
    assert_eq!(seen["userinfo"], true);
    assert_eq!(seen["faults"], json!([]));
    let without_nonce = log_in(&rp, &[("nonce", "")]).await;
    let r = report(&rp).await;
    let seen = r["logins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["login_id"] == without_nonce.login_id.as_str())
        .unwrap();
    assert_eq!(seen["nonce"], false);
    assert_eq!(seen["userinfo"], false);
    // An unknown client has no report.
    let missing = rp
        .host
        .control()
        .get("/clients/nobody/report")
        .await
        .unwrap();
    assert_eq!(missing.status, 404);
}

/// The demo mailbox, the first relying party to face the kit: every fault a login exercises,
/// through `rp-check`'s run with the `mailbox-login` hook.
#[tokio::test]
async fn the_demo_mailbox_passes_the_rp_check() {
    let host = broker::host::TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    // The mailbox reads the kit's documents of its client, and gives up on the broker after
    // 2 s (the slow token endpoint's answer waits for the clock, which nobody moves).
    let documents = format!(
        "{}/rp-test-kit/mailbox-e2e/.well-known/openid-configuration",
        host.issuer()
    );
    let mailbox = crate::mailbox::start_mailbox_with(&host, |c| {
        c.discovery_url = Some(Url::parse(&documents).unwrap());
        c.broker_timeout = std::time::Duration::from_secs(2);
    })
    .await;
    let hook = format!(
        "'{}' --mailbox '{}'",
        env!("CARGO_BIN_EXE_mailbox-login"),
        mailbox.base
    );
    let mut options = tests::rp_check::Options::new(
        format!("{}/_sim/v1", host.issuer()),
        "mailbox-e2e".into(),
        hook.clone(),
    );
    options.logout_hook = Some(format!("{hook} --logout"));
    let lines = tests::rp_check::run(&options).await.unwrap();
    let table = tests::rp_check::table(&lines);
    println!("{table}");
    assert!(lines.len() >= 20, "{table}");
    // The logout tokens too: the mailbox answers each faulty one with 400.
    for fault in [
        "logout-token-bad-signature",
        "logout-token-no-events",
        "logout-token-with-nonce",
        "logout-token-wrong-aud",
    ] {
        let line = lines.iter().find(|l| l.fault == fault).unwrap();
        assert_eq!((line.seen, line.passed), ("refused", Some(true)), "{table}");
    }
    assert!(!lines.iter().any(|l| l.failed()), "{table}");
    // The mailbox uses the code flow without refreshing: only those two go unreached.
    let unreached: Vec<&str> = lines
        .iter()
        .filter(|l| l.passed.is_none())
        .map(|l| l.fault.as_str())
        .collect();
    assert_eq!(
        unreached,
        ["invalid-c-hash", "refresh-token-invalid-issuer"],
        "{table}"
    );
    assert!(
        table.ends_with("0 failed, 0 warnings, 2 not reached by the login\n"),
        "{table}"
    );
}

/// `rp-check` catches a careless RP: one that takes whatever comes back fails every must-refuse
/// fault of the ID token and the authorization response.
#[tokio::test]
async fn the_rp_check_catches_a_relying_party_that_checks_nothing() {
    let host = broker::host::TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    register_client(&host, json!({"require_pkce": false})).await;
    let mut options = tests::rp_check::Options::new(
        format!("{}/_sim/v1", host.issuer()),
        CLIENT_ID.into(),
        format!(
            "'{}' --issuer '{}' --client-id {CLIENT_ID} --client-secret {CLIENT_SECRET} --redirect-uri '{REDIRECT_URI}'",
            env!("CARGO_BIN_EXE_careless-login"),
            host.issuer()
        ),
    );
    options.faults = [
        "invalid-iss",
        "invalid-sig-rs256",
        "idtoken-sig-none",
        "state-mismatch",
        "token-endpoint-error",
        "signing-key-rotation",
        "kid-absent-single-jwks",
    ]
    .map(String::from)
    .to_vec();
    let lines = tests::rp_check::run(&options).await.unwrap();
    let table = tests::rp_check::table(&lines);
    let line = |name: &str| lines.iter().find(|l| l.fault == name).unwrap();
    for fault in [
        "invalid-iss",
        "invalid-sig-rs256",
        "idtoken-sig-none",
        "state-mismatch",
    ] {
        assert_eq!(line(fault).seen, "accepted", "{table}");
        assert!(line(fault).failed(), "{table}");
    }
    // It does fail to log in when the token endpoint errs, and it accepts a rotation.
    assert_eq!(line("token-endpoint-error").passed, Some(true), "{table}");
    assert_eq!(line("signing-key-rotation").passed, Some(true), "{table}");
    // It reads the shared documents, not its own: a fault there does not reach it.
    assert_eq!(line("kid-absent-single-jwks").seen, "unknown", "{table}");
}
