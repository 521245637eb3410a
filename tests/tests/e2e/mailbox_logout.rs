//! Back-channel logout from the broker to the demo mailbox, both over real HTTP: the demo
//! client is registered from the broker's configuration (`demo_client.backchannel_logout_uri`,
//! as the launcher does it), a person logs in to the mailbox, their broker session ends
//! elsewhere, and the mailbox session is gone on its next request.

use crate::mailbox::follow;
use crate::support::*;
use broker::host::TestHost;
use reqwest::StatusCode;
use url::Url;

struct DemoMailbox {
    base: String,
    _task: tokio::task::JoinHandle<()>,
}

/// A broker whose demo client points at a mailbox on port 0 (redirect URIs and the
/// back-channel logout URI from the configuration, not the control API), and that mailbox.
/// The broker's test client `rp` is registered too.
async fn start_demo_mailbox() -> (Rp, DemoMailbox) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let host = TestHost::start_with(|c| {
        c.auto_approve = true;
        c.demo_client.redirect_uris = vec![format!("{base}/callback")];
        c.demo_client.post_logout_redirect_uris = vec![format!("{base}/logged-out")];
        c.demo_client.backchannel_logout_uri =
            Some(format!("{base}{}", demo_mailbox::BACKCHANNEL_LOGOUT));
    })
    .await
    .unwrap();
    let config = demo_mailbox::Config {
        public_url: Url::parse(&base).unwrap(),
        issuer: Url::parse(host.issuer()).unwrap(),
        ..demo_mailbox::Config::default()
    };
    let task = tokio::spawn(async move {
        let _ = demo_mailbox::serve(listener, config).await;
    });
    (Rp::with_host(host).await, DemoMailbox { base, _task: task })
}

/// Logs `browser` in to the mailbox through the broker; asserts the inbox shows.
async fn log_in(browser: &reqwest::Client, mailbox: &DemoMailbox) {
    let (inbox, _) = follow(browser, &format!("{}/login", mailbox.base), 8).await;
    assert_eq!(inbox.status(), StatusCode::OK);
    let html = inbox.text().await.unwrap();
    assert!(html.contains("Anna Testesen"), "{html}");
}

/// Whether `browser`'s next request to the mailbox's inbox is served (not sent to /login).
async fn mailbox_session_alive(browser: &reqwest::Client, mailbox: &DemoMailbox) -> bool {
    let r = browser
        .get(format!("{}/", mailbox.base))
        .send()
        .await
        .unwrap();
    match r.status() {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert_eq!(r.headers()["location"], "/login");
            false
        }
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test]
async fn ending_the_broker_session_at_its_end_session_endpoint_logs_out_of_the_mailbox() {
    let (rp, mailbox) = start_demo_mailbox().await;
    let anna = rp.browser.clone();
    log_in(&anna, &mailbox).await;
    // The same person in another browser: another broker session, which must survive.
    let elsewhere = http_client();
    log_in(&elsewhere, &mailbox).await;

    // Log out at the broker directly (no id_token_hint: the broker asks first).
    let page = anna.get(rp.url("/logout")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = csrf_of(&page.text().await.unwrap());
    let r = anna
        .post(rp.url("/logout"))
        .form(&[("confirm", "yes"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    assert!(
        !mailbox_session_alive(&anna, &mailbox).await,
        "the broker told the mailbox before answering"
    );
    assert!(mailbox_session_alive(&elsewhere, &mailbox).await);
}

#[tokio::test]
async fn logging_out_of_another_client_of_the_same_broker_session_logs_out_of_the_mailbox() {
    let (rp, mailbox) = start_demo_mailbox().await;
    log_in(&rp.browser, &mailbox).await;
    // Single sign-on: the test client `rp` logs in through the same broker session.
    let tokens = rp.login(&[]).await;
    assert!(mailbox_session_alive(&rp.browser, &mailbox).await);

    // The other client's RP-initiated logout ends the broker session.
    let r = rp
        .browser
        .get(rp.url("/logout"))
        .query(&[
            ("id_token_hint", tokens["id_token"].as_str().unwrap()),
            ("post_logout_redirect_uri", POST_LOGOUT_URI),
        ])
        .send()
        .await
        .unwrap();
    assert!(redirect_to(&r).as_str().starts_with(POST_LOGOUT_URI));

    assert!(!mailbox_session_alive(&rp.browser, &mailbox).await);
    // Logging in again works: a new broker session, a new mailbox session.
    log_in(&rp.browser, &mailbox).await;
    assert!(mailbox_session_alive(&rp.browser, &mailbox).await);
}

#[tokio::test]
async fn the_demo_client_is_registered_with_the_configured_backchannel_logout_uri() {
    let (rp, mailbox) = start_demo_mailbox().await;
    let client = rp
        .host
        .control()
        .get("/clients/demo-mailbox")
        .await
        .unwrap();
    assert_eq!(client.status, 200, "{:?}", client.body);
    assert_eq!(
        client.body["backchannel_logout_uri"],
        format!("{}/backchannel-logout", mailbox.base)
    );
}
