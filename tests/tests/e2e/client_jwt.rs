//! Client authentication with JWT assertions (RFC 7523, OIDC Core 9): `private_key_jwt` with
//! keys made here (registered by value or served at a `jwks_uri`), and `client_secret_jwt`.

use crate::support::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use keys::{Alg, KeyKind, SigningKey};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn claims_for(rp: &Rp, client_id: &str, aud: &str, jti: &str) -> Value {
    let now = rp.host.clock().now();
    json!({ "iss": client_id, "sub": client_id, "aud": aud, "jti": jti, "iat": now, "exp": now + 60 })
}

fn signed(key: &SigningKey, alg: Alg, claims: &Value) -> String {
    keys::sign_compact(key, alg, "JWT", claims.to_string().as_bytes()).unwrap()
}

fn hs256(secret: &str, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        B64.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        B64.encode(claims.to_string())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", B64.encode(mac.finalize().into_bytes()))
}

async fn register(rp: &Rp, metadata: Value) -> Value {
    let r = reqwest::Client::new()
        .post(rp.url("/register"))
        .json(&metadata)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

/// POSTs `form` plus the assertion to `path`.
async fn post_with_assertion(
    rp: &Rp,
    path: &str,
    assertion: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = form.to_vec();
    form.push(("client_assertion_type", ASSERTION_TYPE));
    form.push(("client_assertion", assertion));
    reqwest::Client::new()
        .post(rp.url(path))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// A code for `client_id` and the form that redeems it.
async fn code_form(rp: &Rp, client_id: &str) -> (String, Pkce) {
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[("client_id", client_id)]).await;
    (code, pkce)
}

async fn redeem(rp: &Rp, client_id: &str, assertion: &str) -> reqwest::Response {
    let (code, pkce) = code_form(rp, client_id).await;
    post_with_assertion(
        rp,
        "/token",
        assertion,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &pkce.verifier),
        ],
    )
    .await
}

async fn error_of(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn private_key_jwt_with_registered_jwks_logs_in_and_refuses_a_replayed_jti() {
    let rp = Rp::start_auto().await;
    let (key, _) = SigningKey::generate(KeyKind::Rsa).unwrap();
    let reg = register(
        &rp,
        json!({
            "redirect_uris": [REDIRECT_URI],
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": { "keys": [key.public_jwk()] },
        }),
    )
    .await;
    assert!(
        reg.get("client_secret").is_none(),
        "no secret for private_key_jwt"
    );
    let id = reg["client_id"].as_str().unwrap();
    let token_endpoint = rp.url("/token");
    let assertion = signed(
        &key,
        Alg::RS256,
        &claims_for(&rp, id, &token_endpoint, "jti-1"),
    );
    let response = redeem(&rp, id, &assertion).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(claims(tokens["id_token"].as_str().unwrap())["aud"], id);

    // The same assertion again: its jti is spent.
    let (status, error) = error_of(redeem(&rp, id, &assertion).await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );

    // PS256 with the same RSA key, audience the issuer: accepted.
    let ps = signed(&key, Alg::PS256, &claims_for(&rp, id, rp.issuer(), "jti-2"));
    assert_eq!(redeem(&rp, id, &ps).await.status(), StatusCode::OK);

    // Introspection and revocation authenticate the same way (aud: their own URL).
    let access = tokens["access_token"].as_str().unwrap();
    let introspection = rp.url("/token/introspect");
    let a = signed(
        &key,
        Alg::RS256,
        &claims_for(&rp, id, &introspection, "jti-3"),
    );
    let r = post_with_assertion(&rp, "/token/introspect", &a, &[("token", access)]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["active"], true);
    let revocation = rp.url("/token/revoke");
    let a = signed(&key, Alg::RS256, &claims_for(&rp, id, &revocation, "jti-4"));
    let r = post_with_assertion(&rp, "/token/revoke", &a, &[("token", access)]).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn private_key_jwt_refuses_bad_assertions_with_invalid_client() {
    let rp = Rp::start_auto().await;
    let (key, _) = SigningKey::generate(KeyKind::Rsa).unwrap();
    let (stranger, _) = SigningKey::generate(KeyKind::Rsa).unwrap();
    let reg = register(
        &rp,
        json!({
            "redirect_uris": [REDIRECT_URI],
            "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "RS256",
            "jwks": { "keys": [key.public_jwk()] },
        }),
    )
    .await;
    let id = reg["client_id"].as_str().unwrap();
    let token_endpoint = rp.url("/token");
    let good = |jti: &str| claims_for(&rp, id, &token_endpoint, jti);
    let mut wrong_aud = good("a");
    wrong_aud["aud"] = json!("https://elsewhere.example/token");
    let mut wrong_iss = good("b");
    wrong_iss["iss"] = json!("someone-else");
    let mut far = good("c");
    far["exp"] = json!(rp.host.clock().now() + 7200);
    let mut no_jti = good("d");
    no_jti.as_object_mut().unwrap().remove("jti");
    let cases = [
        ("wrong aud", signed(&key, Alg::RS256, &wrong_aud)),
        (
            "iss is not the client",
            signed(&key, Alg::RS256, &wrong_iss),
        ),
        ("exp too far ahead", signed(&key, Alg::RS256, &far)),
        ("no jti", signed(&key, Alg::RS256, &no_jti)),
        ("another key", signed(&stranger, Alg::RS256, &good("e"))),
        (
            "not the registered alg",
            signed(&key, Alg::PS256, &good("f")),
        ),
        (
            "HS256 for a private_key_jwt client",
            hs256("guess", &good("g")),
        ),
    ];
    for (case, assertion) in cases {
        let (status, error) = error_of(redeem(&rp, id, &assertion).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(error, "invalid_client", "{case}");
    }
    // An assertion that has expired by the time it arrives.
    let late = signed(&key, Alg::RS256, &good("h"));
    rp.host.clock().advance(61);
    let (status, _) = error_of(redeem(&rp, id, &late).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A secret instead of the assertion is refused: the client registered private_key_jwt.
    let (code, pkce) = code_form(&rp, id).await;
    let r = rp.exchange_as(id, "x", &code, &pkce).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn private_key_jwt_with_es256_keys_at_a_jwks_uri() {
    let rp = Rp::start_auto().await;
    let (key, _) = SigningKey::generate(KeyKind::Ec).unwrap();
    let base = serve_documents(vec![(
        "/jwks.json",
        "application/json",
        json!({ "keys": [key.public_jwk()] }).to_string(),
    )])
    .await;
    let reg = register(
        &rp,
        json!({
            "redirect_uris": [REDIRECT_URI],
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks_uri": format!("{base}/jwks.json"),
        }),
    )
    .await;
    let id = reg["client_id"].as_str().unwrap();
    let assertion = signed(
        &key,
        Alg::ES256,
        &claims_for(&rp, id, &rp.url("/token"), "e1"),
    );
    assert_eq!(redeem(&rp, id, &assertion).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn client_secret_jwt_signs_with_the_issued_secret() {
    let rp = Rp::start_auto().await;
    let reg = register(
        &rp,
        json!({
            "redirect_uris": [REDIRECT_URI],
            "token_endpoint_auth_method": "client_secret_jwt",
        }),
    )
    .await;
    let id = reg["client_id"].as_str().unwrap();
    let secret = reg["client_secret"].as_str().unwrap();
    let token_endpoint = rp.url("/token");
    let assertion = hs256(secret, &claims_for(&rp, id, &token_endpoint, "s1"));
    assert_eq!(redeem(&rp, id, &assertion).await.status(), StatusCode::OK);
    let (status, _) = error_of(redeem(&rp, id, &assertion).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "replayed jti");
    let forged = hs256(
        "not-the-secret",
        &claims_for(&rp, id, &token_endpoint, "s2"),
    );
    let (status, error) = error_of(redeem(&rp, id, &forged).await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    // The jti of a forged assertion was not spent.
    let honest = hs256(secret, &claims_for(&rp, id, &token_endpoint, "s2"));
    assert_eq!(redeem(&rp, id, &honest).await.status(), StatusCode::OK);
    // Basic with the same secret is refused: the client registered client_secret_jwt.
    let (code, pkce) = code_form(&rp, id).await;
    let r = rp.exchange_as(id, secret, &code, &pkce).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn discovery_lists_the_jwt_methods_and_algorithms() {
    let rp = Rp::start().await;
    let doc = rp.discovery().await;
    for key in [
        "token_endpoint_auth_methods_supported",
        "introspection_endpoint_auth_methods_supported",
        "revocation_endpoint_auth_methods_supported",
    ] {
        let methods = doc[key].as_array().unwrap();
        for m in ["client_secret_jwt", "private_key_jwt"] {
            assert!(methods.contains(&json!(m)), "{key} lacks {m}");
        }
    }
    assert_eq!(
        doc["token_endpoint_auth_signing_alg_values_supported"],
        json!(["HS256", "RS256", "PS256", "ES256"])
    );
}
