//! Refresh as OIDC Core 12.2 says: the refreshed ID token has the original's `iss`, `sub`,
//! `aud`, `azp`, `auth_time` and `acr`, a newer `iat`, and no `nonce`; another client's
//! refresh token is refused.

use crate::support::*;

use reqwest::StatusCode;
use serde_json::{json, Value};

const LOW: &str = "https://data.gov.dk/concept/core/nsis/Low";

async fn refresh_as(rp: &Rp, id: &str, token: &str) -> reqwest::Response {
    rp.token_as(
        id,
        CLIENT_SECRET,
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
    )
    .await
}

#[tokio::test]
async fn a_refreshed_id_token_keeps_the_original_authentication() {
    let rp = Rp::start_auto().await;
    // An essential acr request changes what acr says; the refresh must say the same.
    let request = json!({"id_token": {"acr": {"essential": true, "values": [LOW]}, "email": null}});
    let tokens = rp
        .login(&[("claims", &request.to_string()), ("max_age", "600")])
        .await;
    let original = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(original["acr"], LOW);
    assert_eq!(original["nonce"], "nonce-456");

    // Past the original ID token's lifetime.
    rp.host.clock().advance(3 * 3600);
    let response = refresh_as(&rp, CLIENT_ID, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let renewed: Value = response.json().await.unwrap();
    let refreshed = claims(renewed["id_token"].as_str().unwrap());
    for claim in [
        "iss",
        "sub",
        "aud",
        "azp",
        "auth_time",
        "acr",
        "amr",
        "sid",
        "email",
    ] {
        assert_eq!(refreshed[claim], original[claim], "{claim}");
    }
    assert_eq!(
        refreshed["iat"].as_i64().unwrap(),
        original["iat"].as_i64().unwrap() + 3 * 3600
    );
    assert!(refreshed["exp"].as_i64() > refreshed["iat"].as_i64());
    assert!(refreshed.get("nonce").is_none(), "{refreshed}");
    assert_eq!(
        refreshed["at_hash"],
        original_hash(renewed["access_token"].as_str().unwrap())
    );
}

fn original_hash(access_token: &str) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(&Sha256::digest(access_token.as_bytes())[..16])
}

#[tokio::test]
async fn a_refresh_token_of_another_client_is_invalid_grant_and_is_not_spent() {
    let rp = Rp::start_auto().await;
    register_client(
        &rp.host,
        json!({"client_id": "other", "token_endpoint_auth_method": "client_secret_post"}),
    )
    .await;
    let tokens = rp.login(&[]).await;
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let stolen = reqwest::Client::new()
        .post(rp.url("/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", "other"),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(stolen.status(), StatusCode::BAD_REQUEST);
    let body: Value = stolen.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert!(body.get("id_token").is_none());
    // Neither rotated nor revoked: its own client still refreshes with it.
    let own = refresh_as(&rp, CLIENT_ID, refresh_token).await;
    assert_eq!(own.status(), StatusCode::OK);
}
