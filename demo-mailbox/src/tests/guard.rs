//! Loopback is not a boundary (the `webguard` crate): the mailbox serves only its own host
//! names, its simulator answers only pages of its own and, with a control token, only the
//! developer who has it; every page says what it allows.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use serde_json::json;
use url::Url;

use super::{body_json, location, start_time, TestMailbox};
use crate::clock::ManualClock;
use crate::paths::{HOME, LOGGED_OUT, SIM_LETTERS, SIM_SENDER};

const TOKEN: &str = "mailbox-control-token-0123";

fn locked() -> TestMailbox {
    TestMailbox::with_config(
        Url::parse("http://127.0.0.1:9").unwrap(),
        Arc::new(ManualClock::new(start_time())),
        |config| config.control_token = Some(TOKEN.into()),
    )
}

fn letter() -> serde_json::Value {
    json!({"recipient": "7204901236", "sender": "su", "subject": "SU", "body": "Din SU."})
}

async fn post_letter(mailbox: &TestMailbox, headers: &[(&str, &str)]) -> Response<Body> {
    let mut request = Request::post(SIM_LETTERS).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    mailbox
        .send(request.body(Body::from(letter().to_string())).unwrap())
        .await
}

#[tokio::test]
async fn a_locked_simulator_api_needs_the_token_as_a_bearer() {
    let mailbox = locked();
    let refused = post_letter(&mailbox, &[]).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body_json(refused).await["error"], "control_token_required");
    let wrong = post_letter(
        &mailbox,
        &[("authorization", "Bearer guess-guess-guess-guess")],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let bearer = format!("Bearer {TOKEN}");
    let delivered = post_letter(&mailbox, &[("authorization", &bearer)]).await;
    assert_eq!(delivered.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_locked_simulator_page_asks_for_the_token() {
    let mailbox = locked();
    let sender = mailbox.get(SIM_SENDER, &[]).await;
    assert_eq!(sender.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&sender), "/_sim/unlock?next=%2Fsender");
    // The citizen's own pages are not the simulator's: they stay as they were.
    assert_ne!(
        mailbox.get(HOME, &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_page_on_another_site_cannot_drive_the_simulator() {
    let mailbox = TestMailbox::without_broker().await;
    for headers in [
        [("origin", "https://evil.example")],
        [("sec-fetch-site", "cross-site")],
        [("origin", "null")],
    ] {
        let response = post_letter(&mailbox, &headers).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{headers:?}");
    }
    // The mailbox's own page may.
    let own = post_letter(&mailbox, &[("origin", "http://mailbox.test:8081")]).await;
    assert_eq!(own.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_rebinding_host_name_is_not_served() {
    let mailbox = TestMailbox::without_broker().await;
    let request = |host: &str| {
        Request::get(HOME)
            .header("host", host)
            .body(Body::empty())
            .unwrap()
    };
    let rebound = mailbox.send(request("rebind.attacker.example")).await;
    assert_eq!(rebound.status(), StatusCode::MISDIRECTED_REQUEST);
    for ours in ["localhost:8081", "127.0.0.1:8081", "mailbox.test:8081"] {
        let response = mailbox.send(request(ours)).await;
        assert_ne!(response.status(), StatusCode::MISDIRECTED_REQUEST, "{ours}");
    }
}

#[tokio::test]
async fn every_page_says_what_it_allows() {
    let mailbox = TestMailbox::without_broker().await;
    for path in [LOGGED_OUT, SIM_SENDER, "/_sim/outbox"] {
        let page = mailbox.get(path, &[]).await;
        let headers = page.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(
            !csp.contains("script-src"),
            "{path}: no page runs a script: {csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
    }
}
