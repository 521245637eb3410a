//! `POST /logout` and `GET /logged-out`.

use std::collections::HashMap;

use axum::http::StatusCode;
use url::Url;

use super::{body_text, cookie_value, location, set_cookies, TestMailbox};
use crate::cookies::SESSION_COOKIE;

/// The logout form's CSRF token as the home page shows it.
async fn csrf_token_on_home(mailbox: &TestMailbox, session: &str) -> String {
    let html = body_text(mailbox.get("/", &[(SESSION_COOKIE, session)]).await).await;
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn logout_without_csrf_token_is_refused_and_keeps_the_session() {
    let mailbox = TestMailbox::without_broker().await;
    let session = mailbox.log_in_directly("A");
    let cookies = [(SESSION_COOKIE, session.as_str())];

    let response = mailbox.post_form("/logout", &cookies, "").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        set_cookies(&response).is_empty(),
        "the session cookie is not cleared"
    );
    assert_eq!(mailbox.get("/", &cookies).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn logout_with_a_wrong_csrf_token_is_refused() {
    let mailbox = TestMailbox::without_broker().await;
    let session = mailbox.log_in_directly("A");
    let other = mailbox.log_in_directly("B");
    let other_token = csrf_token_on_home(&mailbox, &other).await;
    let cookies = [(SESSION_COOKIE, session.as_str())];

    let form = format!("csrf_token={other_token}");
    let response = mailbox.post_form("/logout", &cookies, &form).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(mailbox.get("/", &cookies).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn logout_without_a_session_just_says_logged_out() {
    let mailbox = TestMailbox::without_broker().await;
    let response = mailbox.post_form("/logout", &[], "csrf_token=x").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/logged-out");
}

#[tokio::test]
async fn logout_with_the_broker_down_ends_the_local_session() {
    let mailbox = TestMailbox::without_broker().await;
    let session = mailbox.log_in_directly("A");
    let token = csrf_token_on_home(&mailbox, &session).await;
    let cookies = [(SESSION_COOKIE, session.as_str())];

    let response = mailbox
        .post_form("/logout", &cookies, &format!("csrf_token={token}"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/logged-out");
    assert!(set_cookies(&response)
        .join("\n")
        .contains("mailbox_session=; Path=/"));
    assert_eq!(
        mailbox.get("/", &cookies).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn logout_sends_the_browser_to_the_brokers_end_session_endpoint() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    let callback = mailbox.log_in_through(&broker).await;
    let session = cookie_value(&callback, SESSION_COOKIE).unwrap();
    let token = csrf_token_on_home(&mailbox, &session).await;

    let response = mailbox
        .post_form(
            "/logout",
            &[(SESSION_COOKIE, &session)],
            &format!("csrf_token={token}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let url = Url::parse(location(&response)).unwrap();
    assert_eq!(
        url.as_str().split('?').next(),
        Some(format!("{}/logout", broker.issuer()).as_str())
    );
    let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(params["id_token_hint"].split('.').count(), 3);
    assert_eq!(
        params["post_logout_redirect_uri"],
        "http://mailbox.test:8081/logged-out"
    );
    assert_eq!(params["client_id"], "demo-mailbox");
    assert!(!params["state"].is_empty());
    assert_eq!(
        mailbox
            .get("/", &[(SESSION_COOKIE, &session)])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn logged_out_page_is_public() {
    let mailbox = TestMailbox::without_broker().await;
    let response = mailbox.get("/logged-out", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = body_text(response).await;
    assert!(html.contains("Du er logget ud"), "{html}");
    assert!(html.contains("Simulator — no real identity is verified"));
}
