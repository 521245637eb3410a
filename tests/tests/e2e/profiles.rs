//! Profiles served side by side: each real broker's dialect at its own issuer path, with its
//! own endpoints, sharing the identities, clients and logins behind them.

use reqwest::StatusCode;
use serde_json::Value;
use url::Url;

use crate::support::*;

/// (profile, issuer path, authorization endpoint below the base URL)
const PROFILES: [(&str, &str, &str); 4] = [
    ("standard", "", "/authorize"),
    ("neb", "/op", "/op/connect/authorize"),
    ("idura", "/idura", "/idura/oauth2/authorize"),
    ("signicat", "/auth/open", "/auth/open/connect/authorize"),
];

async fn discovery_of(issuer: &str) -> Value {
    let response = reqwest::get(format!("{issuer}/.well-known/openid-configuration"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{issuer}");
    response.json().await.unwrap()
}

/// A headless login at `issuer` through the endpoints its discovery names: the code's
/// redirect and the token response.
async fn code_at(rp: &Rp, doc: &Value, pkce: &Pkce) -> Url {
    let mut url = Url::parse(doc["authorization_endpoint"].as_str().unwrap()).unwrap();
    url.query_pairs_mut().extend_pairs([
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT_URI),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", "s-1"),
        ("nonce", "n-1"),
        ("code_challenge", &pkce.challenge),
        ("code_challenge_method", "S256"),
    ]);
    let response = rp.browser.get(url).send().await.unwrap();
    redirect_to(&response)
}

async fn redeem(doc: &Value, code: &str, pkce: &Pkce) -> reqwest::Response {
    reqwest::Client::new()
        .post(doc["token_endpoint"].as_str().unwrap())
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &pkce.verifier),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_profile_serves_its_issuer_at_its_path_and_logs_in() {
    let rp = Rp::start_auto().await;
    for (profile, path, authorize) in PROFILES {
        let issuer = format!("{}{path}", rp.issuer());
        let doc = discovery_of(&issuer).await;
        assert_eq!(doc["issuer"], issuer, "{profile}");
        assert_eq!(
            doc["authorization_endpoint"],
            format!("{}{authorize}", rp.issuer()),
            "{profile}"
        );
        let pkce = Pkce::new();
        let location = code_at(&rp, &doc, &pkce).await;
        assert!(
            location.as_str().starts_with(REDIRECT_URI),
            "{profile}: {location}"
        );
        let code = query(&location, "code").expect("a code");
        let tokens: Value = redeem(&doc, &code, &pkce).await.json().await.unwrap();
        let id_token = claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(id_token["iss"], issuer, "{profile}");
        let userinfo = reqwest::Client::new()
            .get(doc["userinfo_endpoint"].as_str().unwrap())
            .bearer_auth(tokens["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(userinfo.status(), StatusCode::OK, "{profile}");
        let jwks = reqwest::get(doc["jwks_uri"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(jwks.status(), StatusCode::OK, "{profile}");
    }
}

#[tokio::test]
async fn a_code_or_token_from_one_issuer_is_refused_at_another() {
    let rp = Rp::start_auto().await;
    let neb = discovery_of(&format!("{}/op", rp.issuer())).await;
    let standard = rp.discovery().await;
    let pkce = Pkce::new();
    let code = query(&code_at(&rp, &neb, &pkce).await, "code").unwrap();
    let refused = redeem(&standard, &code, &pkce).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");

    let pkce = Pkce::new();
    let code = query(&code_at(&rp, &neb, &pkce).await, "code").unwrap();
    let tokens: Value = redeem(&neb, &code, &pkce).await.json().await.unwrap();
    let elsewhere = reqwest::Client::new()
        .get(standard["userinfo_endpoint"].as_str().unwrap())
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn each_issuer_keeps_its_own_session() {
    let rp = Rp::start_auto().await;
    // A login at the standard issuer gives this browser a session there...
    rp.code(&Pkce::new(), &[]).await;
    let again = rp.authorize(&Pkce::new(), &[("prompt", "none")]).await;
    assert!(query(&redirect_to(&again), "code").is_some());
    // ...which the NEB issuer does not share, as another broker would not.
    let neb = discovery_of(&format!("{}/op", rp.issuer())).await;
    let mut url = Url::parse(neb["authorization_endpoint"].as_str().unwrap()).unwrap();
    let pkce = Pkce::new();
    url.query_pairs_mut().extend_pairs([
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT_URI),
        ("response_type", "code"),
        ("scope", "openid"),
        ("prompt", "none"),
        ("code_challenge", &pkce.challenge),
        ("code_challenge_method", "S256"),
    ]);
    let response = rp.browser.get(url).send().await.unwrap();
    assert_eq!(
        query(&redirect_to(&response), "error").as_deref(),
        Some("login_required")
    );
}
