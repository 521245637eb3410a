//! Request parameters of OIDC Core 3.1.2.1 and 5.5: `claims` (individual claims in the ID token
//! or from userinfo, `essential`, `acr` values), `display`, `claims_locales`, `id_token_hint`
//! and `login_hint`.

use crate::support::*;

use reqwest::StatusCode;
use serde_json::{json, Value};

const LOW: &str = "https://data.gov.dk/concept/core/nsis/Low";
const SUBSTANTIAL: &str = "https://data.gov.dk/concept/core/nsis/Substantial";

async fn userinfo(rp: &Rp, tokens: &Value) -> Value {
    let response = reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn id_token_claims(tokens: &Value) -> Value {
    claims(tokens["id_token"].as_str().unwrap())
}

/// The error the client gets for an authorization request, from the query.
async fn error_of(rp: &Rp, extra: &[(&str, &str)]) -> String {
    let response = rp.authorize(&Pkce::new(), extra).await;
    let location = redirect_to(&response);
    assert!(location.as_str().starts_with(REDIRECT_URI), "{location}");
    assert_eq!(query(&location, "state").as_deref(), Some("state-123"));
    query(&location, "error").unwrap_or_else(|| panic!("no error: {location}"))
}

#[tokio::test]
async fn claims_for_userinfo_go_beyond_the_scopes() {
    let rp = Rp::start_auto().await;
    let request = json!({"userinfo": {"email": null, "given_name": {"essential": true}}});
    let tokens = rp
        .login(&[("scope", "openid"), ("claims", &request.to_string())])
        .await;
    let info = userinfo(&rp, &tokens).await;
    assert_eq!(info["given_name"], "Anna", "{info}");
    assert!(info["email"].is_string(), "{info}");
    assert!(info.get("family_name").is_none(), "not asked for: {info}");
    // Asked for userinfo, so not in the ID token.
    assert!(id_token_claims(&tokens).get("email").is_none());
}

#[tokio::test]
async fn claims_for_the_id_token_are_in_the_id_token_only() {
    let rp = Rp::start_auto().await;
    let request =
        json!({"id_token": {"email": null, "mitid.uuid": null, "auth_time": {"essential": true}}});
    let tokens = rp
        .login(&[("scope", "openid"), ("claims", &request.to_string())])
        .await;
    let claims = id_token_claims(&tokens);
    assert!(claims["email"].is_string(), "{claims}");
    assert!(claims["mitid.uuid"].is_string(), "{claims}");
    assert!(claims["auth_time"].is_i64(), "{claims}");
    assert!(claims.get("given_name").is_none(), "{claims}");
    let info = userinfo(&rp, &tokens).await;
    assert!(info.get("email").is_none(), "{info}");
}

#[tokio::test]
async fn an_essential_acr_is_answered_with_one_of_the_requested_values() {
    let rp = Rp::start_auto().await;
    // Anna logs in with the app (Substantial); she asked for at least Low, and gets Low back,
    // a value she asked for, which the login meets.
    let request = json!({"id_token": {"acr": {"essential": true, "values": [LOW]}}});
    let tokens = rp.login(&[("claims", &request.to_string())]).await;
    assert_eq!(id_token_claims(&tokens)["acr"], LOW);
    let request = json!({"id_token": {"acr": {"essential": true, "value": SUBSTANTIAL}}});
    let tokens = rp.login(&[("claims", &request.to_string())]).await;
    assert_eq!(id_token_claims(&tokens)["acr"], SUBSTANTIAL);
    // Voluntary: the level reached.
    let request = json!({"id_token": {"acr": {"values": [LOW]}}});
    let tokens = rp.login(&[("claims", &request.to_string())]).await;
    assert_eq!(id_token_claims(&tokens)["acr"], SUBSTANTIAL);
}

#[tokio::test]
async fn an_essential_acr_that_cannot_be_met_is_access_denied() {
    let rp = Rp::start_auto().await;
    let request = json!({"id_token": {"acr": {"essential": true, "values": ["urn:mace:incommon:iap:silver"]}}});
    assert_eq!(
        error_of(&rp, &[("claims", &request.to_string())]).await,
        "access_denied"
    );
    // Not essential: an unknown value is ignored.
    let request = json!({"id_token": {"acr": {"values": ["urn:mace:incommon:iap:silver"]}}});
    rp.login(&[("claims", &request.to_string())]).await;
}

#[tokio::test]
async fn malformed_claims_are_invalid_request() {
    let rp = Rp::start_auto().await;
    for bad in [
        "not json",
        "[1]",
        r#"{"userinfo": []}"#,
        r#"{"id_token": {"email": {"essential": "yes"}}}"#,
        r#"{"id_token": {"acr": {"values": "x"}}}"#,
    ] {
        assert_eq!(
            error_of(&rp, &[("claims", bad)]).await,
            "invalid_request",
            "{bad}"
        );
    }
    // Unknown members are ignored.
    rp.login(&[("claims", r#"{"other": 1, "userinfo": {"email": null}}"#)])
        .await;
}

#[tokio::test]
async fn display_values_are_validated() {
    let rp = Rp::start_auto().await;
    for display in ["page", "popup", "touch", "wap"] {
        rp.login(&[("display", display)]).await;
    }
    assert_eq!(error_of(&rp, &[("display", "tv")]).await, "invalid_request");
}

#[tokio::test]
async fn claims_locales_are_accepted_and_advertised() {
    let rp = Rp::start_auto().await;
    rp.login(&[("claims_locales", "en da-DK fr")]).await;
    let doc = rp.discovery().await;
    assert_eq!(doc["claims_parameter_supported"], true);
    assert_eq!(doc["claims_locales_supported"], json!(["da", "en"]));
    assert_eq!(
        doc["display_values_supported"],
        json!(["page", "popup", "touch", "wap"])
    );
}

/// Logs in through `rp.browser` (so it holds a broker session) and returns the ID token.
async fn browser_login(rp: &Rp, extra: &[(&str, &str)]) -> String {
    let tokens = rp.login(extra).await;
    tokens["id_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn id_token_hint_of_the_logged_in_person_answers_prompt_none() {
    let rp = Rp::start_auto().await;
    let hint = browser_login(&rp, &[]).await;
    // Even after the hint has expired (ID tokens live an hour), within the session (8 hours).
    rp.host.clock().advance(2 * 3600);
    let pkce = Pkce::new();
    let code = rp
        .code(&pkce, &[("prompt", "none"), ("id_token_hint", &hint)])
        .await;
    let tokens: Value = rp.exchange(&code, &pkce).await.json().await.unwrap();
    assert_eq!(id_token_claims(&tokens)["sub"], claims(&hint)["sub"]);
}

#[tokio::test]
async fn id_token_hint_of_another_person_is_login_required_with_prompt_none() {
    let rp = Rp::start_auto().await;
    // Bo logs in in another browser; Anna in this one.
    let bo_tokens = login_in_another_browser(&rp, "bo").await;
    let bo_hint = bo_tokens["id_token"].as_str().unwrap().to_string();
    browser_login(&rp, &[]).await;
    assert_eq!(
        error_of(&rp, &[("prompt", "none"), ("id_token_hint", &bo_hint)]).await,
        "login_required"
    );
}

#[tokio::test]
async fn an_id_token_hint_this_broker_did_not_issue_is_invalid_request() {
    let rp = Rp::start_auto().await;
    let hint = browser_login(&rp, &[]).await;
    let (signed, signature) = hint.rsplit_once('.').unwrap();
    let mut tampered = signature.to_string();
    let last = if tampered.ends_with('A') { "B" } else { "A" };
    tampered.replace_range(tampered.len() - 1.., last);
    let forged = format!("{signed}.{tampered}");
    for bad in ["not-a-jwt", forged.as_str()] {
        assert_eq!(
            error_of(&rp, &[("id_token_hint", bad)]).await,
            "invalid_request",
            "{bad}"
        );
    }
    // Another broker's ID token.
    let elsewhere = Rp::start_auto().await;
    let foreign = browser_login(&elsewhere, &[]).await;
    assert_eq!(
        error_of(&rp, &[("id_token_hint", &foreign)]).await,
        "invalid_request"
    );
}

#[tokio::test]
async fn login_hint_picks_the_person() {
    let rp = Rp::start_auto().await;
    let anna = id_token_claims(&rp.login(&[]).await);
    let bo = id_token_claims(&login_in_another_browser(&rp, "bo").await);
    assert_ne!(anna["sub"], bo["sub"]);
}

/// `user` logs in from a browser of their own (no session shared with `rp.browser`); the token
/// response.
async fn login_in_another_browser(rp: &Rp, user: &str) -> Value {
    let pkce = Pkce::new();
    let response = http_client()
        .get(rp.authorize_url(&pkce, &[("login_hint", user)]))
        .send()
        .await
        .unwrap();
    let code = query(&redirect_to(&response), "code").unwrap();
    rp.exchange(&code, &pkce).await.json().await.unwrap()
}
