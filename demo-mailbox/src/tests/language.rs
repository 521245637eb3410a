//! Danish by default, English after the switch that every page carries.

use axum::body::Body;
use axum::http::header::REFERER;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use super::{body_text, cookie_value, location, set_cookies, TestMailbox};
use crate::cookies::SESSION_COOKIE;
use crate::language::LANGUAGE_COOKIE;
use crate::paths::{folder_path, letter_path, HOME};
use crate::post::StandardFolder;

async fn switch(
    mailbox: &TestMailbox,
    to: &str,
    referer: Option<&str>,
) -> axum::response::Response {
    let mut request = Request::get(format!("/language/{to}"));
    if let Some(referer) = referer {
        request = request.header(REFERER, referer);
    }
    crate::routes::router(mailbox.app.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn pages_are_danish_until_the_switch_makes_them_english() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let letter = mailbox.letters_in(&anna, &inbox).remove(0);

    let danish = body_text(mailbox.get_as(&anna, HOME).await).await;
    assert!(danish.contains("<html lang=\"da\">"), "{danish}");
    assert!(danish.contains("Logget ind som Anna"), "{danish}");
    assert!(danish.contains(">Indbakke</a>"), "{danish}");
    assert!(danish.contains("href=\"/language/en\""), "{danish}");
    assert!(!danish.contains("Logged in as"), "one language at a time");

    let here = format!("http://mailbox.test:8081{}", letter_path(&letter.id));
    let switched = switch(&mailbox, "en", Some(&here)).await;
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&switched),
        letter_path(&letter.id),
        "back where it was"
    );
    assert_eq!(
        cookie_value(&switched, LANGUAGE_COOKIE).as_deref(),
        Some("en")
    );
    assert!(set_cookies(&switched)[0].contains("SameSite=Lax"));

    for path in [
        HOME.to_owned(),
        letter_path(&letter.id),
        folder_path(&inbox.id),
    ] {
        let english = body_text(mailbox.get_in_english(&anna, &path).await).await;
        assert!(english.contains("<html lang=\"en\">"), "{path}");
        assert!(english.contains("Logged in as Anna"), "{path}: {english}");
        assert!(
            english.contains("href=\"/language/da\"") && english.contains(">Dansk</a>"),
            "{path}"
        );
        assert!(!english.contains("Logget ind som"), "{path}: {english}");
    }
    let english = body_text(mailbox.get_in_english(&anna, HOME).await).await;
    assert!(english.contains(">Inbox</a>") && !english.contains(">Indbakke</a>"));
    assert!(english.contains("Manage folders"), "{english}");
}

#[tokio::test]
async fn problem_and_public_pages_follow_the_language_too() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let missing = mailbox.get_in_english(&anna, "/letters/0000").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let html = body_text(missing).await;
    assert!(
        html.contains("Not found") && !html.contains("Ikke fundet"),
        "{html}"
    );
    let danish = body_text(mailbox.get_as(&anna, "/letters/0000").await).await;
    assert!(danish.contains("Ikke fundet"), "{danish}");

    let cookies = [(LANGUAGE_COOKIE, "en")];
    for (path, english, danish) in [
        ("/logged-out", "You are logged out", "Du er logget ud"),
        (
            "/sender",
            "Simulator tool: simulated sender",
            "Simulatorværktøj",
        ),
        (
            "/_sim/outbox",
            "Simulator tool: notification outbox",
            "Simulatorværktøj",
        ),
    ] {
        let html = body_text(mailbox.get(path, &cookies).await).await;
        assert!(
            html.contains(english) && !html.contains(danish),
            "{path}: {html}"
        );
        let html = body_text(mailbox.get(path, &[]).await).await;
        assert!(html.contains(danish), "{path}: {html}");
    }
    let csrf = mailbox
        .post_form(
            "/logout",
            &[(SESSION_COOKIE, &anna.session), (LANGUAGE_COOKIE, "en")],
            "",
        )
        .await;
    assert!(body_text(csrf).await.contains("Action refused"));
}

#[tokio::test]
async fn the_switch_goes_back_only_to_pages_of_this_mailbox() {
    let mailbox = TestMailbox::without_broker().await;
    for referer in [
        Some("http://evil.test/phish"),
        Some("http://mailbox.test:8081/letters/abc/delete"),
        None,
    ] {
        let switched = switch(&mailbox, "en", referer).await;
        assert_eq!(switched.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&switched), HOME, "{referer:?}");
    }
    let unknown = switch(&mailbox, "fr", None).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert!(cookie_value(&unknown, LANGUAGE_COOKIE).is_none());
}
