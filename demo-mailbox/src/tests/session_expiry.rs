//! The `LoggedIn` extractor on `/`: no session, idle timeout, absolute lifetime.

use std::time::Duration;

use axum::http::StatusCode;

use super::{body_text, location, TestMailbox};
use crate::cookies::SESSION_COOKIE;

#[tokio::test]
async fn home_without_session_redirects_to_login() {
    let mailbox = TestMailbox::without_broker().await;
    let response = mailbox.get("/", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login");
}

#[tokio::test]
async fn home_with_unknown_session_redirects_to_login() {
    let mailbox = TestMailbox::without_broker().await;
    let response = mailbox.get("/", &[(SESSION_COOKIE, "forged")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login");
}

#[tokio::test]
async fn home_with_session_shows_the_escaped_name() {
    let mailbox = TestMailbox::without_broker().await;
    let session = mailbox.log_in_directly("Ib <Ørsted>");
    let response = mailbox.get("/", &[(SESSION_COOKIE, &session)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = body_text(response).await;
    assert!(
        html.contains("Logget ind som Ib &#60;Ørsted&#62;"),
        "{html}"
    );
    assert!(html.contains("Simulator — no real identity is verified"));
}

#[tokio::test]
async fn idle_session_expires_when_the_clock_moves() {
    let mailbox = TestMailbox::without_broker().await;
    let session = mailbox.log_in_directly("A");
    let cookies = [(SESSION_COOKIE, session.as_str())];

    mailbox.clock.advance(Duration::from_secs(59));
    assert_eq!(mailbox.get("/", &cookies).await.status(), StatusCode::OK);

    // Idle limit is 60 s since the last request.
    mailbox.clock.advance(Duration::from_secs(60));
    let response = mailbox.get("/", &cookies).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login");
}

#[tokio::test]
async fn active_session_expires_at_its_absolute_lifetime() {
    let mailbox = TestMailbox::without_broker().await;
    let session = mailbox.log_in_directly("A");
    let cookies = [(SESSION_COOKIE, session.as_str())];

    // Requests every 50 s keep it from idling out, up to the 600 s lifetime.
    for _ in 0..11 {
        mailbox.clock.advance(Duration::from_secs(50));
        assert_eq!(mailbox.get("/", &cookies).await.status(), StatusCode::OK);
    }
    mailbox.clock.advance(Duration::from_secs(50));
    let response = mailbox.get("/", &cookies).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login");
}
