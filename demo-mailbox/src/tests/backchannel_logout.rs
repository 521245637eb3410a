//! `POST /backchannel-logout` (Back-Channel Logout 1.0 §2.6–2.8) against the fake broker, whose
//! test-only keys sign the logout tokens.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Response, StatusCode};
use serde_json::{json, Value};

use super::fake_broker::{form_encode, SUBJECT};
use super::{body_json, cookie_value, FakeBroker, TestMailbox};
use crate::cookies::SESSION_COOKIE;
use crate::oidc::KEY_REFETCH_INTERVAL;

/// A mailbox, its fake broker and a session logged in through it (sid `fake-sid-1`).
async fn logged_in() -> (TestMailbox, FakeBroker, String) {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    let callback = mailbox.log_in_through(&broker).await;
    let session = cookie_value(&callback, SESSION_COOKIE).unwrap();
    (mailbox, broker, session)
}

async fn deliver(mailbox: &TestMailbox, token: &str) -> Response<Body> {
    mailbox
        .post_form(
            "/backchannel-logout",
            &[],
            &form_encode(&[("logout_token", token)]),
        )
        .await
}

async fn still_logged_in(mailbox: &TestMailbox, session: &str) -> bool {
    let response = mailbox.get("/", &[(SESSION_COOKIE, session)]).await;
    response.status() == StatusCode::OK
}

/// The answer is the bare RFC 6749-style error, the same whatever was wrong.
async fn assert_refused(response: Response<Body>) {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = body_json(response).await;
    assert_eq!(
        body,
        json!({"error": "invalid_request", "error_description": "the logout token was not accepted"})
    );
}

/// Delivers `claims` signed like the broker would and asserts the token is refused and the
/// session survives.
async fn assert_claims_refused(change: impl FnOnce(&mut Value)) {
    let (mailbox, broker, session) = logged_in().await;
    let mut claims = broker.logout_claims();
    change(&mut claims);
    assert_refused(deliver(&mailbox, &broker.logout_token(&claims, 0)).await).await;
    assert!(still_logged_in(&mailbox, &session).await);
}

#[tokio::test]
async fn a_valid_logout_token_ends_the_session_of_that_broker_session() {
    let (mailbox, broker, session) = logged_in().await;
    let bystander = mailbox.log_in_directly("B");
    assert!(still_logged_in(&mailbox, &session).await);

    let token = broker.logout_token(&broker.logout_claims(), 0);
    let response = deliver(&mailbox, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");

    let next = mailbox.get("/", &[(SESSION_COOKIE, &session)]).await;
    assert_eq!(next.status(), StatusCode::SEE_OTHER, "back to the login");
    assert_eq!(super::location(&next), "/login");
    assert!(still_logged_in(&mailbox, &bystander).await);
}

#[tokio::test]
async fn a_token_with_sub_and_no_sid_ends_every_session_of_the_person() {
    let (mailbox, broker, first) = logged_in().await;
    let second = cookie_value(&mailbox.log_in_through(&broker).await, SESSION_COOKIE).unwrap();
    let mut claims = broker.logout_claims();
    claims.as_object_mut().unwrap().remove("sid");
    let response = deliver(&mailbox, &broker.logout_token(&claims, 0)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!still_logged_in(&mailbox, &first).await);
    assert!(!still_logged_in(&mailbox, &second).await);
}

#[tokio::test]
async fn a_token_for_another_sid_ends_nothing_but_is_accepted() {
    let (mailbox, broker, session) = logged_in().await;
    let mut claims = broker.logout_claims();
    claims["sid"] = json!("some-other-broker-session");
    let response = deliver(&mailbox, &broker.logout_token(&claims, 0)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(still_logged_in(&mailbox, &session).await);
}

#[tokio::test]
async fn a_replayed_token_is_refused() {
    let (mailbox, broker, _session) = logged_in().await;
    let token = broker.logout_token(&broker.logout_claims(), 0);
    assert_eq!(deliver(&mailbox, &token).await.status(), StatusCode::OK);

    // The person logs in again; the old token must not end the new session.
    let again = cookie_value(&mailbox.log_in_through(&broker).await, SESSION_COOKIE).unwrap();
    assert_refused(deliver(&mailbox, &token).await).await;
    assert!(still_logged_in(&mailbox, &again).await);
}

#[tokio::test]
async fn a_token_signed_by_another_key_is_refused() {
    let (mailbox, broker, session) = logged_in().await;
    // The header names key-a, which the JWKS holds, but key-b signed it.
    let token = broker.sign(
        &json!({"alg": "RS256", "typ": "logout+jwt", "kid": "key-a"}),
        &broker.logout_claims(),
        1,
    );
    assert_refused(deliver(&mailbox, &token).await).await;
    assert!(still_logged_in(&mailbox, &session).await);
}

#[tokio::test]
async fn a_token_with_a_changed_payload_is_refused() {
    let (mailbox, broker, session) = logged_in().await;
    let token = broker.logout_token(&broker.logout_claims(), 0);
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let other = broker.logout_token(&broker.logout_claims(), 0);
    parts[1] = other.split('.').nth(1).unwrap().to_owned();
    assert_refused(deliver(&mailbox, &parts.join(".")).await).await;
    assert!(still_logged_in(&mailbox, &session).await);
}

#[tokio::test]
async fn unsigned_and_hmac_tokens_are_refused() {
    let (mailbox, broker, session) = logged_in().await;
    let claims = broker.logout_claims();
    let signed = broker.logout_token(&claims, 0);
    let unsigned = {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            signed.split('.').nth(1).unwrap()
        )
    };
    assert_refused(deliver(&mailbox, &unsigned).await).await;
    let hmac = broker.sign(&json!({"alg": "HS256", "kid": "key-a"}), &claims, 0);
    assert_refused(deliver(&mailbox, &hmac).await).await;
    assert!(still_logged_in(&mailbox, &session).await);
}

#[tokio::test]
async fn a_token_of_another_type_is_refused() {
    let (mailbox, broker, session) = logged_in().await;
    let token = broker.sign(
        &json!({"alg": "RS256", "typ": "JWT", "kid": "key-a"}),
        &broker.logout_claims(),
        0,
    );
    assert_refused(deliver(&mailbox, &token).await).await;
    assert!(still_logged_in(&mailbox, &session).await);
}

#[tokio::test]
async fn a_token_without_typ_is_accepted() {
    let (mailbox, broker, session) = logged_in().await;
    let token = broker.sign(
        &json!({"alg": "RS256", "kid": "key-a"}),
        &broker.logout_claims(),
        0,
    );
    assert_eq!(deliver(&mailbox, &token).await.status(), StatusCode::OK);
    assert!(!still_logged_in(&mailbox, &session).await);
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    assert_claims_refused(|claims| claims["iss"] = json!("http://elsewhere.example")).await;
}

#[tokio::test]
async fn a_token_for_another_client_is_refused() {
    assert_claims_refused(|claims| claims["aud"] = json!("another-client")).await;
    assert_claims_refused(|claims| claims["aud"] = json!(["another-client", "third"])).await;
}

#[tokio::test]
async fn an_audience_list_with_this_client_is_accepted() {
    let (mailbox, broker, session) = logged_in().await;
    let mut claims = broker.logout_claims();
    claims["aud"] = json!(["another-client", "demo-mailbox"]);
    let response = deliver(&mailbox, &broker.logout_token(&claims, 0)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!still_logged_in(&mailbox, &session).await);
}

#[tokio::test]
async fn a_token_with_a_nonce_is_refused() {
    assert_claims_refused(|claims| claims["nonce"] = json!("n-0S6_WzA2Mj")).await;
}

#[tokio::test]
async fn a_token_without_the_logout_event_is_refused() {
    assert_claims_refused(|claims| {
        claims.as_object_mut().unwrap().remove("events");
    })
    .await;
    assert_claims_refused(|claims| {
        claims["events"] = json!({"http://schemas.openid.net/event/other": {}})
    })
    .await;
    assert_claims_refused(|claims| {
        claims["events"] = json!({"http://schemas.openid.net/event/backchannel-logout": "yes"})
    })
    .await;
}

#[tokio::test]
async fn a_token_without_sid_or_sub_is_refused() {
    assert_claims_refused(|claims| {
        let claims = claims.as_object_mut().unwrap();
        claims.remove("sid");
        claims.remove("sub");
    })
    .await;
}

#[tokio::test]
async fn a_token_without_jti_or_iat_is_refused() {
    assert_claims_refused(|claims| {
        claims.as_object_mut().unwrap().remove("jti");
    })
    .await;
    assert_claims_refused(|claims| {
        claims.as_object_mut().unwrap().remove("iat");
    })
    .await;
}

#[tokio::test]
async fn an_expired_or_future_token_is_refused() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    let expired = broker.logout_token(&broker.logout_claims(), 0);
    mailbox.clock.advance(Duration::from_secs(121));
    // Logged in after the clock moved (the session's idle limit is 60 s).
    let callback = mailbox.log_in_through(&broker).await;
    let session = cookie_value(&callback, SESSION_COOKIE).unwrap();
    assert_refused(deliver(&mailbox, &expired).await).await;

    let mut future = broker.logout_claims();
    let now = future["iat"].as_u64().unwrap();
    future["iat"] = json!(now + 3600);
    future["exp"] = json!(now + 3720);
    assert_refused(deliver(&mailbox, &broker.logout_token(&future, 0)).await).await;

    // Without exp, a token older than ten minutes is too old.
    let mut old = broker.logout_claims();
    old.as_object_mut().unwrap().remove("exp");
    old["iat"] = json!(now - 601);
    assert_refused(deliver(&mailbox, &broker.logout_token(&old, 0)).await).await;
    assert!(still_logged_in(&mailbox, &session).await);
}

#[tokio::test]
async fn a_token_by_a_rotated_key_is_checked_after_fetching_the_keys_once_more() {
    let (mailbox, broker, session) = logged_in().await;
    let discoveries = broker.discoveries();
    // The broker rotates to key-b a while after the mailbox fetched its keys.
    broker.behave(|b| b.published_keys = vec![1, 0]);
    mailbox.clock.advance(KEY_REFETCH_INTERVAL);
    let token = broker.logout_token(&broker.logout_claims(), 1);
    assert_eq!(deliver(&mailbox, &token).await.status(), StatusCode::OK);
    assert_eq!(broker.discoveries(), discoveries + 1);
    assert!(!still_logged_in(&mailbox, &session).await);
}

#[tokio::test]
async fn a_token_by_a_key_the_broker_never_published_is_refused_after_one_refetch() {
    let (mailbox, broker, session) = logged_in().await;
    let discoveries = broker.discoveries();
    mailbox.clock.advance(KEY_REFETCH_INTERVAL);
    let token = broker.logout_token(&broker.logout_claims(), 1);
    assert_refused(deliver(&mailbox, &token).await).await;
    assert_eq!(
        broker.discoveries(),
        discoveries + 1,
        "one refetch, no more"
    );
    assert!(still_logged_in(&mailbox, &session).await);
}

#[tokio::test]
async fn forged_tokens_with_unknown_keys_refetch_the_keys_at_most_once_per_interval() {
    let (mailbox, broker, session) = logged_in().await;
    let discoveries = broker.discoveries();
    // Keys fetched moments ago: an unknown kid is refused without asking the broker.
    let token = broker.logout_token(&broker.logout_claims(), 1);
    assert_refused(deliver(&mailbox, &token).await).await;
    assert_eq!(broker.discoveries(), discoveries);
    // Once the interval has passed, one refetch; a burst right after it, none.
    mailbox.clock.advance(KEY_REFETCH_INTERVAL);
    for _ in 0..5 {
        let token = broker.logout_token(&broker.logout_claims(), 1);
        assert_refused(deliver(&mailbox, &token).await).await;
    }
    assert_eq!(broker.discoveries(), discoveries + 1);
    // A genuine token is still accepted.
    let token = broker.logout_token(&broker.logout_claims(), 0);
    assert_eq!(deliver(&mailbox, &token).await.status(), StatusCode::OK);
    assert!(!still_logged_in(&mailbox, &session).await);
}

#[tokio::test]
async fn a_request_without_a_token_or_with_garbage_is_refused() {
    let (mailbox, _broker, session) = logged_in().await;
    assert_refused(mailbox.post_form("/backchannel-logout", &[], "").await).await;
    assert_refused(deliver(&mailbox, "not.a.jwt").await).await;
    assert_refused(deliver(&mailbox, "only-one-part").await).await;
    assert!(still_logged_in(&mailbox, &session).await);
}

#[tokio::test]
async fn the_subject_named_must_be_the_sessions_person() {
    let (mailbox, broker, session) = logged_in().await;
    let mut claims = broker.logout_claims();
    claims["sub"] = json!(format!("not-{SUBJECT}"));
    let response = deliver(&mailbox, &broker.logout_token(&claims, 0)).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "valid, but names no session"
    );
    assert!(still_logged_in(&mailbox, &session).await);
}
