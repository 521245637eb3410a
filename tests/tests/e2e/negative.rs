//! What the broker refuses, and how: a redirect_uri that is not registered byte for byte is never
//! redirected to; later request errors go back to the client with `state` and `iss`; codes are
//! single use and bound to their client, redirect_uri, PKCE challenge and lifetime; malformed
//! and oversized requests get errors, never a crash.

use crate::support::*;

use reqwest::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

const OTHER_ID: &str = "other-rp";
const OTHER_SECRET: &str = "other-secret-0123456789";
const QUERY_URI: &str = "http://localhost:9999/cb?x=1";

/// A 400 error page: HTML naming the error, and no Location, so the browser goes nowhere.
async fn assert_error_page(response: reqwest::Response, case: &str) {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{case}");
    assert!(
        response.headers().get(LOCATION).is_none(),
        "{case}: an error page must not redirect, got Location {:?}",
        response.headers().get(LOCATION)
    );
    let content_type = response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        content_type.starts_with("text/html"),
        "{case}: {content_type}"
    );
    let body = response.text().await.unwrap();
    assert!(body.contains("invalid_request"), "{case}: {body}");
}

/// An error sent back to the client's registered redirect_uri with `state` and `iss`.
fn assert_error_redirect(rp: &Rp, response: &reqwest::Response, error: &str, case: &str) -> Url {
    let location = redirect_to(response);
    let mut base = location.clone();
    base.set_query(None);
    assert_eq!(base.as_str(), REDIRECT_URI, "{case}: {location}");
    assert_eq!(
        query(&location, "error").as_deref(),
        Some(error),
        "{case}: {location}"
    );
    assert_eq!(
        query(&location, "state").as_deref(),
        Some("state-123"),
        "{case}: {location}"
    );
    assert_eq!(
        query(&location, "iss").as_deref(),
        Some(rp.issuer()),
        "{case}: {location}"
    );
    assert!(query(&location, "code").is_none(), "{case}: {location}");
    location
}

/// A token-endpoint error: status, `error`, and `Cache-Control: no-store`.
async fn assert_token_error(response: reqwest::Response, status: StatusCode, error: &str) -> Value {
    assert_eq!(response.status(), status, "expected {error}");
    assert_eq!(
        response
            .headers()
            .get(CACHE_CONTROL)
            .map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    body
}

async fn assert_still_serving(rp: &Rp) {
    let response = reqwest::get(rp.url("/.well-known/openid-configuration"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.unwrap();
    assert_eq!(doc["issuer"], rp.issuer());
}

// ---- redirect_uri and client_id: never redirect to an unverified place

#[tokio::test]
async fn altered_redirect_uris_get_an_error_page_and_are_never_redirected_to() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let variants = [
        "https://rp.example/callback/x",
        "https://rp.example/callback?a=1",
        "https://rp.example/callback#f",
        "https://rp.example/callback/",
        "http://rp.example/callback",
        "https://rp.example:8443/callback",
        "https://rp.example:443/callback",
        "https://RP.example/callback",
        "https://rp.example/Callback",
        "https://evil@rp.example/callback",
        "https://evil.example/callback",
        "https://rp.example.evil.example/callback",
        "http://localhost:9999/cb",
        "http://localhost:9999/cb?x=2",
        "http://localhost:9999/cb?x=1&y=2",
        "not a url",
    ];
    for variant in variants {
        let response = rp.authorize(&pkce, &[("redirect_uri", variant)]).await;
        assert_error_page(response, variant).await;
    }
    // None of them got a code or a session: the registered URI still runs a fresh login.
    let code = rp.code(&pkce, &[]).await;
    assert!(!code.is_empty());
}

#[tokio::test]
async fn missing_redirect_uri_gets_an_error_page() {
    let rp = Rp::start_auto().await;
    let response = rp.authorize(&Pkce::new(), &[("redirect_uri", "")]).await;
    assert_error_page(response, "missing redirect_uri").await;
}

#[tokio::test]
async fn redirect_uri_sent_twice_gets_an_error_page_even_when_both_are_registered() {
    let rp = Rp::start_auto().await;
    let mut url = rp.authorize_url(&Pkce::new(), &[]);
    url.query_pairs_mut()
        .append_pair("redirect_uri", REDIRECT_URI);
    let response = rp.browser.get(url).send().await.unwrap();
    assert_error_page(response, "redirect_uri twice").await;
}

#[tokio::test]
async fn unknown_client_id_gets_an_error_page_and_no_redirect() {
    let rp = Rp::start_auto().await;
    let response = rp
        .authorize(&Pkce::new(), &[("client_id", "no-such-client")])
        .await;
    assert_error_page(response, "unknown client_id").await;
}

#[tokio::test]
async fn missing_client_id_gets_an_error_page_and_no_redirect() {
    let rp = Rp::start_auto().await;
    let response = rp.authorize(&Pkce::new(), &[("client_id", "")]).await;
    assert_error_page(response, "missing client_id").await;
}

#[tokio::test]
async fn client_id_sent_twice_gets_an_error_page() {
    let rp = Rp::start_auto().await;
    let mut url = rp.authorize_url(&Pkce::new(), &[]);
    url.query_pairs_mut().append_pair("client_id", CLIENT_ID);
    let response = rp.browser.get(url).send().await.unwrap();
    assert_error_page(response, "client_id twice").await;
}

#[tokio::test]
async fn registered_redirect_uri_with_a_query_is_matched_exactly_and_keeps_its_query() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let response = rp.authorize(&pkce, &[("redirect_uri", QUERY_URI)]).await;
    let location = redirect_to(&response);
    assert!(
        location.as_str().starts_with(&format!("{QUERY_URI}&")),
        "{location}"
    );
    let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert_eq!(pairs[0], ("x".to_string(), "1".to_string()), "{location}");
    assert_eq!(pairs.iter().filter(|(k, _)| k == "x").count(), 1);
    assert_eq!(query(&location, "state").as_deref(), Some("state-123"));
    assert_eq!(query(&location, "iss").as_deref(), Some(rp.issuer()));
    let code = query(&location, "code").expect("code");
    let response = rp
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", QUERY_URI),
            ("code_verifier", &pkce.verifier),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

// ---- errors after verification go back to the client

#[tokio::test]
async fn missing_response_type_is_invalid_request_at_the_client() {
    let rp = Rp::start().await;
    let response = rp.authorize(&Pkce::new(), &[("response_type", "")]).await;
    assert_error_redirect(&rp, &response, "invalid_request", "no response_type");
}

#[tokio::test]
async fn response_type_token_is_unsupported_response_type_at_the_client() {
    let rp = Rp::start().await;
    let response = rp
        .authorize(&Pkce::new(), &[("response_type", "token")])
        .await;
    assert_error_redirect(&rp, &response, "unsupported_response_type", "token");
}

#[tokio::test]
async fn scope_without_openid_is_invalid_scope_at_the_client() {
    let rp = Rp::start().await;
    let response = rp
        .authorize(&Pkce::new(), &[("scope", "profile email")])
        .await;
    assert_error_redirect(&rp, &response, "invalid_scope", "no openid");
}

#[tokio::test]
async fn pkce_method_plain_is_invalid_request_at_the_client() {
    let rp = Rp::start().await;
    let response = rp
        .authorize(&Pkce::new(), &[("code_challenge_method", "plain")])
        .await;
    assert_error_redirect(&rp, &response, "invalid_request", "plain");
}

#[tokio::test]
async fn code_challenge_without_method_is_invalid_request_at_the_client() {
    let rp = Rp::start().await;
    let response = rp
        .authorize(&Pkce::new(), &[("code_challenge_method", "")])
        .await;
    assert_error_redirect(&rp, &response, "invalid_request", "challenge, no method");
}

#[tokio::test]
async fn prompt_none_combined_with_login_is_invalid_request_at_the_client() {
    let rp = Rp::start().await;
    let response = rp
        .authorize(&Pkce::new(), &[("prompt", "none login")])
        .await;
    assert_error_redirect(&rp, &response, "invalid_request", "prompt=none login");
}

#[tokio::test]
async fn negative_max_age_is_invalid_request_at_the_client() {
    let rp = Rp::start().await;
    let response = rp.authorize(&Pkce::new(), &[("max_age", "-1")]).await;
    assert_error_redirect(&rp, &response, "invalid_request", "max_age=-1");
}

#[tokio::test]
async fn scope_sent_twice_is_invalid_request_at_the_client() {
    let rp = Rp::start().await;
    let mut url = rp.authorize_url(&Pkce::new(), &[]);
    url.query_pairs_mut().append_pair("scope", "openid email");
    let response = rp.browser.get(url).send().await.unwrap();
    assert_error_redirect(&rp, &response, "invalid_request", "scope twice");
}

#[tokio::test]
async fn request_object_with_an_unsupported_alg_is_invalid_request_object_at_the_client() {
    let rp = Rp::start().await;
    // {"alg":"HS512"} . {"scope":"openid"} . "sig"
    let response = rp
        .authorize(
            &Pkce::new(),
            &[(
                "request",
                "eyJhbGciOiJIUzUxMiJ9.eyJzY29wZSI6Im9wZW5pZCJ9.c2ln",
            )],
        )
        .await;
    assert_error_redirect(&rp, &response, "invalid_request_object", "request=");
}

#[tokio::test]
async fn client_requiring_pkce_without_code_challenge_gets_invalid_request_at_the_client() {
    let rp = Rp::start_auto().await;
    register_client(
        &rp.host,
        json!({"client_id": "pkce-client", "require_pkce": true}),
    )
    .await;
    let response = rp
        .authorize(
            &Pkce::new(),
            &[
                ("client_id", "pkce-client"),
                ("code_challenge", ""),
                ("code_challenge_method", ""),
            ],
        )
        .await;
    assert_error_redirect(&rp, &response, "invalid_request", "require_pkce");
    // The same client with a challenge is fine.
    let response = rp
        .authorize(&Pkce::new(), &[("client_id", "pkce-client")])
        .await;
    assert!(query(&redirect_to(&response), "code").is_some());
}

#[tokio::test]
async fn prompt_none_without_a_broker_session_is_login_required_even_in_auto_mode() {
    for rp in [Rp::start().await, Rp::start_auto().await] {
        let response = rp.authorize(&Pkce::new(), &[("prompt", "none")]).await;
        assert_error_redirect(&rp, &response, "login_required", "prompt=none");
    }
}

// ---- PKCE at the token endpoint

#[tokio::test]
async fn wrong_pkce_verifier_is_invalid_grant() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let wrong = Pkce::new();
    let response = rp.exchange(&code, &wrong).await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn missing_pkce_verifier_is_invalid_grant() {
    let rp = Rp::start_auto().await;
    let code = rp.code(&Pkce::new(), &[]).await;
    let response = rp
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
        ])
        .await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn verifier_for_a_code_issued_without_challenge_is_invalid_grant() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let code = rp
        .code(
            &pkce,
            &[("code_challenge", ""), ("code_challenge_method", "")],
        )
        .await;
    let response = rp.exchange(&code, &pkce).await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

// ---- codes: single use, bound, short-lived

#[tokio::test]
async fn replayed_code_is_refused_and_revokes_the_tokens_it_produced() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let first = rp.exchange(&code, &pkce).await;
    assert_eq!(first.status(), StatusCode::OK);
    let tokens: Value = first.json().await.unwrap();
    let access_token = tokens["access_token"].as_str().unwrap().to_string();
    let refresh_token = tokens["refresh_token"]
        .as_str()
        .expect("offline_access gives a refresh token")
        .to_string();
    let userinfo = |token: String| {
        let url = rp.url("/userinfo");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        userinfo(access_token.clone()).await.status(),
        StatusCode::OK
    );

    let second = rp.exchange(&code, &pkce).await;
    assert_token_error(second, StatusCode::BAD_REQUEST, "invalid_grant").await;

    let response = userinfo(access_token).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()[WWW_AUTHENTICATE].to_str().unwrap();
    assert!(challenge.contains("invalid_token"), "{challenge}");

    let response = rp
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
        ])
        .await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn code_presented_by_another_client_is_invalid_grant() {
    let rp = Rp::start_auto().await;
    register_client(
        &rp.host,
        json!({"client_id": OTHER_ID, "client_secret": OTHER_SECRET}),
    )
    .await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let response = rp
        .token_as(
            OTHER_ID,
            OTHER_SECRET,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", &pkce.verifier),
            ],
        )
        .await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn code_with_another_registered_redirect_uri_is_invalid_grant() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let response = rp
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", QUERY_URI),
            ("code_verifier", &pkce.verifier),
        ])
        .await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn code_without_redirect_uri_at_the_token_endpoint_is_refused() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let response = rp
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", &pkce.verifier),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"] == "invalid_request" || body["error"] == "invalid_grant",
        "{body}"
    );
}

#[tokio::test]
async fn code_expired_after_61_seconds_is_invalid_grant() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    rp.host.clock().advance(61);
    let response = rp.exchange(&code, &pkce).await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn code_still_works_59_seconds_after_issue() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    rp.host.clock().advance(59);
    let response = rp.exchange(&code, &pkce).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_code_is_invalid_grant() {
    let rp = Rp::start_auto().await;
    let response = rp.exchange("not-a-code", &Pkce::new()).await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

// ---- client authentication

#[tokio::test]
async fn wrong_basic_client_secret_is_401_invalid_client_with_basic_challenge() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let response = rp
        .token_as(
            CLIENT_ID,
            "wrong-secret",
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", &pkce.verifier),
            ],
        )
        .await;
    let challenge = response.headers()[WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(challenge.starts_with("Basic"), "{challenge}");
    assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

#[tokio::test]
async fn unknown_client_at_the_token_endpoint_is_401_invalid_client() {
    let rp = Rp::start_auto().await;
    let response = rp
        .token_as(
            "no-such-client",
            CLIENT_SECRET,
            &[("grant_type", "authorization_code"), ("code", "x")],
        )
        .await;
    assert!(response.headers().contains_key(WWW_AUTHENTICATE));
    assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

#[tokio::test]
async fn wrong_client_secret_post_is_401_invalid_client_and_does_not_burn_the_code() {
    let rp = Rp::start_auto().await;
    register_client(
        &rp.host,
        json!({
            "client_id": "post-rp",
            "client_secret": "post-secret-0123456789",
            "token_endpoint_auth_method": "client_secret_post",
        }),
    )
    .await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[("client_id", "post-rp")]).await;
    let post = |secret: &'static str| {
        let url = rp.url("/token");
        let form = vec![
            ("grant_type", "authorization_code".to_string()),
            ("code", code.clone()),
            ("redirect_uri", REDIRECT_URI.to_string()),
            ("code_verifier", pkce.verifier.clone()),
            ("client_id", "post-rp".to_string()),
            ("client_secret", secret.to_string()),
        ];
        async move {
            reqwest::Client::new()
                .post(url)
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let response = post("wrong-secret").await;
    assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let response = post("post-secret-0123456789").await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn token_responses_success_and_error_carry_cache_control_no_store() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let ok = rp.exchange(&code, &pkce).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.headers()[CACHE_CONTROL], "no-store");
    let error = rp.exchange(&code, &pkce).await;
    assert_eq!(error.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error.headers()[CACHE_CONTROL], "no-store");
}

// ---- grant types

#[tokio::test]
async fn missing_grant_type_is_invalid_request() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let response = rp
        .token(&[
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &pkce.verifier),
        ])
        .await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn password_grant_is_unsupported_grant_type() {
    let rp = Rp::start_auto().await;
    let response = rp
        .token(&[
            ("grant_type", "password"),
            ("username", "anna"),
            ("password", "secret"),
        ])
        .await;
    assert_token_error(response, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
}

// ---- malformed and oversized requests

#[tokio::test]
async fn oversized_token_body_is_413_and_the_broker_keeps_serving() {
    let rp = Rp::start_auto().await;
    let mut body = b"grant_type=authorization_code&code=".to_vec();
    body.resize(100 * 1024, b'a');
    let response = reqwest::Client::new()
        .post(rp.url("/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_still_serving(&rp).await;
}

#[tokio::test]
async fn oversized_authorize_query_is_414_and_the_broker_keeps_serving() {
    let rp = Rp::start_auto().await;
    let url = format!(
        "{}?client_id={CLIENT_ID}&state={}",
        rp.url("/authorize"),
        "a".repeat(10 * 1024)
    );
    let response = rp.browser.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::URI_TOO_LONG);
    assert!(response.headers().get(LOCATION).is_none());
    assert_still_serving(&rp).await;
}

#[tokio::test]
async fn garbage_bytes_and_bad_percent_encoding_at_token_get_a_json_error() {
    let rp = Rp::start_auto().await;
    let bodies: [&[u8]; 4] = [
        b"%zz%%=%E0%A4%A&&==&\xff\xfe\x00",
        b"grant_type=%ZZauthorization_code&code=%",
        b"\x00\x01\x02\x03\xc3\x28\xa0\xa1",
        b"grant_type=authorization_code&code=%80%81&redirect_uri=%",
    ];
    for body in bodies {
        for auth in [true, false] {
            let mut request = reqwest::Client::new()
                .post(rp.url("/token"))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.to_vec());
            if auth {
                request = request.basic_auth(CLIENT_ID, Some(CLIENT_SECRET));
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            assert!(status.is_client_error(), "{body:?} (auth {auth}): {status}");
            let json: Value = response.json().await.unwrap();
            assert!(json["error"].is_string(), "{body:?}: {json}");
        }
    }
    assert_still_serving(&rp).await;
}

#[tokio::test]
async fn non_form_body_at_token_is_a_4xx_error() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let response = reqwest::Client::new()
        .post(rp.url("/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .json(&json!({
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": pkce.verifier,
        }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert!(status.is_client_error(), "{status}");
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");
    assert_still_serving(&rp).await;
}

#[tokio::test]
async fn wrongly_shaped_json_at_the_control_api_is_400_json() {
    let rp = Rp::start().await;
    let control = rp.host.control();
    let cases = [
        ("/decisions", json!({"outcome": 42})),
        ("/decisions", json!({"outcome": "maybe"})),
        ("/decisions", json!([1, 2, 3])),
        (
            "/clients",
            json!({"client_id": ["x"], "redirect_uris": "nope"}),
        ),
        ("/identities", json!({"user_id": 7})),
        ("/logins/whatever/approve", json!({"user": "bo"})),
        ("/clock/advance", json!({"seconds": "soon"})),
    ];
    for (path, body) in cases {
        let response = control.post(path, &body).await.unwrap();
        assert_eq!(response.status, 400, "{path} {body}: {:?}", response.body);
        assert!(
            response.body["error"].is_string(),
            "{path}: {:?}",
            response.body
        );
    }
    let response = control
        .patch("/identities/anna", &json!({"level": "ultra"}))
        .await
        .unwrap();
    assert_eq!(response.status, 400, "{:?}", response.body);
    assert!(response.body["error"].is_string());

    // Not JSON at all.
    let response = reqwest::Client::new()
        .post(format!("{}/decisions", control.base()))
        .header(CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");
    assert_still_serving(&rp).await;
}

#[tokio::test]
async fn malformed_basic_authorization_header_is_401() {
    let rp = Rp::start_auto().await;
    let response = reqwest::Client::new()
        .post(rp.url("/token"))
        .header(AUTHORIZATION, "Basic !!!")
        .form(&[("grant_type", "authorization_code"), ("code", "x")])
        .send()
        .await
        .unwrap();
    assert_token_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let response = reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .header(AUTHORIZATION, "Basic !!!")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_still_serving(&rp).await;
}

#[tokio::test]
async fn after_a_barrage_of_malformed_requests_the_broker_still_completes_a_login() {
    let rp = Rp::start_auto().await;
    let http = reqwest::Client::new();
    let token = rp.url("/token");
    let _ = http
        .post(&token)
        .body(vec![0u8; 100 * 1024])
        .send()
        .await
        .unwrap();
    let _ = http
        .get(format!(
            "{}?{}",
            rp.url("/authorize"),
            "%".repeat(10 * 1024)
        ))
        .send()
        .await
        .unwrap();
    for body in [&b"%%%"[..], b"\xff\xff", b"{\"a\":1}", b"=&=&=&"] {
        let response = http
            .post(&token)
            .header(AUTHORIZATION, "Basic !!!")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error());
    }
    let response = http
        .get(format!("{}?%ZZ=%&client_id=%FF", rp.url("/authorize")))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error());
    assert_still_serving(&rp).await;
    let tokens = rp.login(&[]).await;
    assert!(tokens["id_token"].is_string());
}
