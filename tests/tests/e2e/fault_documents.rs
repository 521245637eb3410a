//! The RP test kit's faults that live in documents (a client's own discovery document and
//! JWKS at `{issuer}/rp-test-kit/{client_id}/...`) and the slow token endpoint: each makes
//! exactly its defect, for its client only, and the report sees the JWKS fetches.

use crate::support::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn queue(rp: &Rp, body: Value) -> Value {
    let queued = rp.host.control().post("/faults", &body).await.unwrap();
    assert_eq!(queued.status, 201, "{body}: {:?}", queued.body);
    queued.body
}

fn kit(rp: &Rp, client: &str, document: &str) -> String {
    rp.url(&format!("/rp-test-kit/{client}/{document}"))
}

async fn fetch(url: &str) -> (StatusCode, Value, Option<String>) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status();
    let cache = response
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, cache)
}

/// A code-flow login; its token response.
async fn log_in(rp: &Rp) -> Value {
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let response = rp.exchange(&code, &pkce).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// The keys of `jwks` under which the JWS verifies.
fn verifying_keys(jwks: &Value, jwt: &str) -> usize {
    let jwks: keys::Jwks = serde_json::from_value(jwks.clone()).unwrap();
    let alg = keys::Alg::parse(jwt_header(jwt)["alg"].as_str().unwrap()).unwrap();
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    let signature = B64.decode(signature).unwrap();
    jwks.keys
        .iter()
        .filter(|k| k.verify(alg, signed.as_bytes(), &signature).is_ok())
        .count()
}

#[tokio::test]
async fn a_clients_documents_are_the_issuers_with_its_own_jwks_uri() {
    let rp = Rp::start_auto().await;
    let (status, shared, _) = fetch(&rp.url("/.well-known/openid-configuration")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, own, cache) =
        fetch(&kit(&rp, CLIENT_ID, ".well-known/openid-configuration")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        cache.as_deref(),
        Some("no-store"),
        "the next fetch may carry a fault"
    );
    assert_eq!(own["jwks_uri"], kit(&rp, CLIENT_ID, "jwks").as_str());
    let mut same = own.clone();
    same["jwks_uri"] = shared["jwks_uri"].clone();
    assert_eq!(same, shared, "nothing else differs");
    let (status, keys, _) = fetch(&kit(&rp, CLIENT_ID, "jwks")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, shared_keys, _) = fetch(&rp.url("/jwks")).await;
    assert_eq!(keys, shared_keys);
    // Only registered clients have documents.
    let (status, _, _) = fetch(&kit(&rp, "nobody", "jwks")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = fetch(&kit(&rp, "nobody", ".well-known/openid-configuration")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn discovery_issuer_mismatch_changes_only_the_issuer_once_and_only_for_its_client() {
    let rp = Rp::start_auto().await;
    register_client(&rp.host, json!({"client_id": "other"})).await;
    let own = kit(&rp, CLIENT_ID, ".well-known/openid-configuration");
    let (_, clean, _) = fetch(&own).await;
    queue(
        &rp,
        json!({"fault": "discovery-issuer-mismatch", "client_id": CLIENT_ID}),
    )
    .await;
    // Another client's document and the shared one stay right.
    let (_, others, _) = fetch(&kit(&rp, "other", ".well-known/openid-configuration")).await;
    assert_eq!(others["issuer"], rp.issuer());
    let (_, shared, _) = fetch(&rp.url("/.well-known/openid-configuration")).await;
    assert_eq!(shared["issuer"], rp.issuer());
    let (_, spoilt, _) = fetch(&own).await;
    assert_eq!(spoilt["issuer"], format!("{}/invalid-iss", rp.issuer()));
    let mut rest = spoilt.clone();
    rest["issuer"] = clean["issuer"].clone();
    assert_eq!(rest, clean, "only the issuer differs");
    let (_, again, _) = fetch(&own).await;
    assert_eq!(again, clean, "used up");
}

#[tokio::test]
async fn kid_absent_faults_drop_the_kid_and_the_clients_jwks_shows_one_or_two_keys() {
    let rp = Rp::start_auto().await;
    let jwks = kit(&rp, CLIENT_ID, "jwks");
    let clean = log_in(&rp).await;
    let clean_claims = claims(clean["id_token"].as_str().unwrap());

    queue(
        &rp,
        json!({"fault": "kid-absent-single-jwks", "client_id": CLIENT_ID}),
    )
    .await;
    let tokens = log_in(&rp).await;
    let token = tokens["id_token"].as_str().unwrap();
    assert!(
        jwt_header(token).get("kid").is_none(),
        "{}",
        jwt_header(token)
    );
    assert_eq!(jwt_header(token)["alg"], "RS256");
    let spoilt = claims(token);
    for claim in ["iss", "sub", "aud", "nonce", "acr"] {
        assert_eq!(
            spoilt.get(claim).is_some(),
            clean_claims.get(claim).is_some(),
            "{claim}"
        );
    }
    assert_eq!(spoilt["iss"], clean_claims["iss"]);
    assert_eq!(spoilt["sub"], clean_claims["sub"]);
    let (_, single, _) = fetch(&jwks).await;
    let keys = single["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{single}");
    assert!(keys[0].get("kid").is_none());
    assert_eq!(verifying_keys(&single, token), 1);
    // A refresh in that login has no kid either (the client's JWKS names no key).
    let refreshed = rp
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let refreshed: Value = refreshed.json().await.unwrap();
    let renewed = refreshed["id_token"].as_str().unwrap();
    assert!(
        jwt_header(renewed).get("kid").is_none(),
        "{}",
        jwt_header(renewed)
    );
    assert_eq!(verifying_keys(&single, renewed), 1);
    // The shared JWKS is left alone: every key keeps its kid.
    let (_, shared, _) = fetch(&rp.url("/jwks")).await;
    assert!(shared["keys"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k.get("kid").is_some()));
    assert!(shared["keys"].as_array().unwrap().len() > 1, "{shared}");

    queue(
        &rp,
        json!({"fault": "kid-absent-multiple-jwks", "client_id": CLIENT_ID}),
    )
    .await;
    let tokens = log_in(&rp).await;
    let token = tokens["id_token"].as_str().unwrap();
    assert!(jwt_header(token).get("kid").is_none());
    let (_, multiple, _) = fetch(&jwks).await;
    let keys = multiple["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "{multiple}");
    assert!(keys
        .iter()
        .all(|k| k.get("kid").is_none() && k["kty"] == "RSA"));
    assert_eq!(
        verifying_keys(&multiple, token),
        1,
        "exactly one of them signed it"
    );

    // The client's next login has its JWKS back as it was.
    let tokens = log_in(&rp).await;
    let token = tokens["id_token"].as_str().unwrap();
    assert!(jwt_header(token).get("kid").is_some());
    let (_, back, _) = fetch(&jwks).await;
    assert_eq!(back, shared);
}

#[tokio::test]
async fn jwks_unreachable_rotates_the_key_and_the_clients_jwks_answers_503_once() {
    let rp = Rp::start_auto().await;
    let jwks = kit(&rp, CLIENT_ID, "jwks");
    let clean = log_in(&rp).await;
    let old_kid = jwt_header(clean["id_token"].as_str().unwrap())["kid"].clone();
    queue(
        &rp,
        json!({"fault": "jwks-unreachable", "client_id": CLIENT_ID}),
    )
    .await;
    let tokens = log_in(&rp).await;
    let token = tokens["id_token"].as_str().unwrap();
    assert_ne!(jwt_header(token)["kid"], old_kid, "a new key signed it");
    // The shared JWKS answers as always; the client's answers 503 once, then has the key.
    assert_eq!(fetch(&rp.url("/jwks")).await.0, StatusCode::OK);
    let (status, _, cache) = fetch(&jwks).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(cache.as_deref(), Some("no-store"));
    let (status, keys, _) = fetch(&jwks).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verifying_keys(&keys, token), 1);

    // The report: the fetches, and the RP went on (userinfo) after getting the key: no problem.
    let access_token = tokens["access_token"].as_str().unwrap();
    let info = rp
        .browser
        .get(rp.url("/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), StatusCode::OK);
    let report = client_report(&rp).await;
    let verdict = fault_verdict(&report, "jwks-unreachable");
    assert_eq!(verdict["verdict"], "accepted");
    assert_eq!(verdict["expect"], "either");
    assert_eq!(verdict["jwks_fetched_after"], true);
    assert!(verdict.get("problem").is_none(), "{verdict}");
    let login = report["logins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["login_id"] == verdict["login_id"])
        .unwrap();
    assert_eq!(login["jwks_fetches"], json!([503, 200]));

    // An RP that goes on without the key never checked the signature: the report says so.
    queue(
        &rp,
        json!({"fault": "jwks-unreachable", "client_id": CLIENT_ID}),
    )
    .await;
    let tokens = log_in(&rp).await;
    assert_eq!(fetch(&jwks).await.0, StatusCode::SERVICE_UNAVAILABLE);
    let info = rp
        .browser
        .get(rp.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), StatusCode::OK);
    let report = client_report(&rp).await;
    let verdicts: Vec<&Value> = report["faults"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fault"] == "jwks-unreachable")
        .collect();
    assert_eq!(verdicts.len(), 2);
    assert!(
        verdicts.iter().any(|v| v["problem"]
            .as_str()
            .is_some_and(|p| p.contains("signature"))),
        "{report}"
    );
}

async fn client_report(rp: &Rp) -> Value {
    let response = rp
        .host
        .control()
        .get(&format!("/clients/{CLIENT_ID}/report"))
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{:?}", response.body);
    response.body
}

fn fault_verdict<'a>(report: &'a Value, fault: &str) -> &'a Value {
    report["faults"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fault"] == fault)
        .unwrap_or_else(|| panic!("no {fault} in {report}"))
}

#[tokio::test]
async fn token_endpoint_slow_holds_the_answer_until_the_clock_moves_on() {
    let rp = Rp::start_auto().await;
    // Its delay is its own setting, for its fault only.
    let refused = rp
        .host
        .control()
        .post(
            "/faults",
            &json!({"fault": "invalid-iss", "client_id": CLIENT_ID, "delay_seconds": 5}),
        )
        .await
        .unwrap();
    assert_eq!(refused.status, 400, "{:?}", refused.body);
    let refused = rp
        .host
        .control()
        .post(
            "/faults",
            &json!({"fault": "token-endpoint-slow", "client_id": CLIENT_ID, "delay_seconds": 0}),
        )
        .await
        .unwrap();
    assert_eq!(refused.status, 400, "{:?}", refused.body);
    let queued = queue(
        &rp,
        json!({"fault": "token-endpoint-slow", "client_id": CLIENT_ID, "delay_seconds": 20}),
    )
    .await;
    assert_eq!(queued["delay_seconds"], 20);

    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let exchange = {
        let rp_url = rp.url("/token");
        let verifier = pkce.verifier.clone();
        let client = rp.browser.clone();
        tokio::spawn(async move {
            client
                .post(rp_url)
                .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", REDIRECT_URI),
                    ("code_verifier", verifier.as_str()),
                ])
                .send()
                .await
                .unwrap()
        })
    };
    // The fault is taken (the request arrived and is held) ...
    loop {
        let queued = rp.host.control().get("/faults/queued").await.unwrap().body;
        if queued.as_array().unwrap().is_empty() {
            break;
        }
        tokio::task::yield_now().await;
    }
    // ... and still held after the clock moved less than the delay.
    advance_clock(&rp, 10).await;
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    assert!(!exchange.is_finished(), "answered before its delay");
    advance_clock(&rp, 10).await;
    let answer = exchange.await.unwrap();
    assert_eq!(
        answer.status(),
        StatusCode::OK,
        "answered as usual after the delay"
    );
    let tokens: Value = answer.json().await.unwrap();
    assert!(tokens["id_token"].is_string());
}
