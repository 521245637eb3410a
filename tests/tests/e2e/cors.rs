//! CORS for browser apps (issue: safe on a developer's laptop): discovery and the JWKS are
//! readable from any origin; the token, userinfo and revocation endpoints from the origins of
//! their client's redirect URIs, preflight included; nothing else.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::*;

const RP_ORIGIN: &str = "https://rp.example";
const EVIL: &str = "https://evil.example";
const SPA_ORIGIN: &str = "http://localhost:5173";
const SPA_REDIRECT: &str = "http://localhost:5173/callback";

fn allow_origin(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string())
}

async fn preflight(rp: &Rp, path: &str, origin: &str, method: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(Method::OPTIONS, rp.url(path))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn discovery_and_jwks_are_readable_from_any_origin() {
    let rp = Rp::start().await;
    for path in [
        "/.well-known/openid-configuration",
        "/jwks",
        "/op/.well-known/openid-configuration",
        "/op/.well-known/openid-configuration/jwks",
    ] {
        let response = reqwest::Client::new()
            .get(rp.url(path))
            .header("origin", EVIL)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(allow_origin(&response).as_deref(), Some("*"), "{path}");
    }
}

#[tokio::test]
async fn a_preflight_is_answered_for_registered_origins_only() {
    let rp = Rp::start().await;
    for path in ["/token", "/userinfo", "/token/revoke"] {
        let ours = preflight(&rp, path, RP_ORIGIN, "POST").await;
        assert_eq!(ours.status(), StatusCode::NO_CONTENT, "{path}");
        assert_eq!(allow_origin(&ours).as_deref(), Some(RP_ORIGIN), "{path}");
        let methods = ours.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap();
        assert!(methods.contains("POST"), "{path}: {methods}");
        let headers = ours.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap();
        assert!(headers.contains("authorization"), "{path}: {headers}");

        let theirs = preflight(&rp, path, EVIL, "POST").await;
        assert_eq!(allow_origin(&theirs), None, "{path}");
    }
}

#[tokio::test]
async fn token_userinfo_and_revocation_answer_their_clients_origin() {
    let rp = Rp::start_auto().await;
    // Another client, at another origin, may not read the test client's answers.
    register_client(
        &rp.host,
        json!({"client_id": "other", "redirect_uris": ["https://other.example/cb"]}),
    )
    .await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let token = |origin: &'static str, code: String, verifier: String| {
        let url = rp.url("/token");
        async move {
            reqwest::Client::new()
                .post(url)
                .header("origin", origin)
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
        }
    };
    let redeemed = token(RP_ORIGIN, code, pkce.verifier.clone()).await;
    assert_eq!(redeemed.status(), StatusCode::OK);
    assert_eq!(allow_origin(&redeemed).as_deref(), Some(RP_ORIGIN));
    let tokens: Value = redeemed.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap();

    // An error answer is the client's to read as well; another site's is not.
    let refused = token(RP_ORIGIN, "spent".into(), pkce.verifier.clone()).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(allow_origin(&refused).as_deref(), Some(RP_ORIGIN));
    for origin in [EVIL, "https://other.example"] {
        let response = token(origin, "spent".into(), pkce.verifier.clone()).await;
        assert_eq!(allow_origin(&response), None, "{origin}");
    }

    let userinfo = |origin: &'static str, token: String| {
        let url = rp.url("/userinfo");
        async move {
            reqwest::Client::new()
                .get(url)
                .header("origin", origin)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    let info = userinfo(RP_ORIGIN, access.to_string()).await;
    assert_eq!(info.status(), StatusCode::OK);
    assert_eq!(allow_origin(&info).as_deref(), Some(RP_ORIGIN));
    assert_eq!(
        allow_origin(&userinfo(EVIL, access.to_string()).await),
        None
    );
    // A token that names no client (expired, revoked, made up): the refusal is readable by
    // a client's origin, so the app learns to log in again, and by no one else.
    let unknown = userinfo(RP_ORIGIN, "not-a-token".into()).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(allow_origin(&unknown).as_deref(), Some(RP_ORIGIN));
    let exposed = unknown.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(exposed.contains("www-authenticate"), "{exposed}");
    assert_eq!(
        allow_origin(&userinfo(EVIL, "not-a-token".into()).await),
        None
    );

    let revoked = reqwest::Client::new()
        .post(rp.url("/token/revoke"))
        .header("origin", RP_ORIGIN)
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(allow_origin(&revoked).as_deref(), Some(RP_ORIGIN));
}

/// A single-page app: a public client with PKCE, redeeming its code from the page's origin.
#[tokio::test]
async fn a_public_client_redeems_its_code_from_its_own_origin() {
    let rp = Rp::start_auto().await;
    register_client(
        &rp.host,
        json!({
            "client_id": "spa",
            "client_secret": null,
            "token_endpoint_auth_method": "none",
            "redirect_uris": [SPA_REDIRECT],
        }),
    )
    .await;
    let pkce = Pkce::new();
    let location = redirect_to(
        &rp.authorize(
            &pkce,
            &[("client_id", "spa"), ("redirect_uri", SPA_REDIRECT)],
        )
        .await,
    );
    let code = query(&location, "code").expect("a code");
    let response = reqwest::Client::new()
        .post(rp.url("/token"))
        .header("origin", SPA_ORIGIN)
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "spa"),
            ("code", code.as_str()),
            ("redirect_uri", SPA_REDIRECT),
            ("code_verifier", pkce.verifier.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(allow_origin(&response).as_deref(), Some(SPA_ORIGIN));
    assert!(response
        .headers()
        .get_all("vary")
        .iter()
        .any(|v| v.to_str().unwrap().contains("origin")));
}

#[tokio::test]
async fn nothing_else_answers_cors() {
    let rp = Rp::start().await;
    for (method, path) in [
        (Method::GET, "/authorize?client_id=rp"),
        (Method::POST, "/token/introspect"),
        (Method::GET, "/"),
        (Method::GET, "/_sim/outbox"),
        (Method::GET, "/_sim/v1/identities"),
    ] {
        let response = reqwest::Client::new()
            .request(method.clone(), rp.url(path))
            .header("origin", RP_ORIGIN)
            .send()
            .await
            .unwrap();
        assert_eq!(allow_origin(&response), None, "{method} {path}");
    }
    for path in [
        "/authorize",
        "/token/introspect",
        "/_sim/v1/reset",
        "/register",
    ] {
        let response = preflight(&rp, path, RP_ORIGIN, "POST").await;
        assert_eq!(allow_origin(&response), None, "preflight {path}");
    }
}
