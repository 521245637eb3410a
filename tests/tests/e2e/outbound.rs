//! Outbound fetches (issue: safe on a developer's laptop): the broker fetches what a client
//! points it at (a `request_uri`, a `jwks_uri`) only for a verified client and redirect URI,
//! never from link-local, unspecified, multicast or (by default) private addresses, and says
//! "could not fetch" without echoing what the network answered.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;

/// A loopback server that counts the requests it gets and serves an unsigned request object.
async fn counting_server() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let object = format!(
        "{}.{}.",
        B64.encode(br#"{"alg":"none"}"#),
        B64.encode(json!({"client_id": CLIENT_ID}).to_string())
    );
    let app = axum::Router::new().route(
        "/request.jwt",
        axum::routing::get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let object = object.clone();
            async move { object }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("{base}/request.jwt"), hits)
}

#[tokio::test]
async fn a_request_uri_is_fetched_only_for_a_verified_client_and_redirect_uri() {
    let rp = Rp::start_auto().await;
    let (uri, hits) = counting_server().await;
    for (case, extra) in [
        (
            "an unknown client",
            vec![("client_id", "nobody"), ("request_uri", uri.as_str())],
        ),
        (
            "a redirect_uri the client did not register",
            vec![
                ("redirect_uri", "https://evil.example/cb"),
                ("request_uri", uri.as_str()),
            ],
        ),
    ] {
        let response = rp.authorize(&Pkce::new(), &extra).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{case}");
        assert_eq!(hits.load(Ordering::SeqCst), 0, "{case}: nothing fetched");
    }
    // The same request_uri for the registered client and redirect_uri is fetched.
    let response = rp.authorize(&Pkce::new(), &[("request_uri", &uri)]).await;
    assert!(query(&redirect_to(&response), "code").is_some());
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn no_fetch_reaches_link_local_unspecified_or_private_addresses() {
    let rp = Rp::start_auto().await;
    for uri in [
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:169.254.169.254]/latest/meta-data/",
        "https://[fe80::1]/request.jwt",
        "https://0.0.0.0/request.jwt",
        "https://10.0.0.1/request.jwt",
        "https://192.168.1.1/request.jwt",
    ] {
        let response = rp.authorize(&Pkce::new(), &[("request_uri", uri)]).await;
        let location = redirect_to(&response);
        assert_eq!(
            query(&location, "error").as_deref(),
            Some("invalid_request_uri"),
            "{uri}"
        );
        // Nothing of what the network said (or would have said) is echoed.
        assert_eq!(
            query(&location, "error_description"),
            Some(format!("could not fetch {uri}")),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn a_failed_fetch_names_no_network_detail() {
    let rp = Rp::start_auto().await;
    // A closed port on loopback: the client sees "could not fetch", not "connection refused".
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let uri = format!("http://127.0.0.1:{closed}/request.jwt");
    let response = rp.authorize(&Pkce::new(), &[("request_uri", &uri)]).await;
    let description = query(&redirect_to(&response), "error_description").unwrap();
    assert_eq!(description, format!("could not fetch {uri}"));
}

#[tokio::test]
async fn a_jwks_uri_at_a_link_local_address_is_not_fetched() {
    let rp = Rp::start_auto().await;
    register_client(
        &rp.host,
        json!({
            "client_id": "keyed",
            "client_secret": null,
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks_uri": "https://169.254.169.254/jwks",
        }),
    )
    .await;
    let (key, _) = keys::SigningKey::generate(keys::KeyKind::Rsa).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let assertion = keys::sign_compact(
        &key,
        keys::Alg::RS256,
        "JWT",
        json!({"iss": "keyed", "sub": "keyed", "aud": rp.url("/token"), "jti": "j-1",
               "iat": now, "exp": now + 60})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let response = reqwest::Client::new()
        .post(rp.url("/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "whatever"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.contains("could not fetch https://169.254.169.254/jwks"),
        "{description}"
    );
}
