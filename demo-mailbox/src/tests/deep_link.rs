//! A page opened while logged out is where the login ends (kept server-side with the pending
//! login; only a local path, never another site), and the broker is asked in the mailbox's
//! language (`ui_locales`).

use std::collections::HashMap;

use axum::http::StatusCode;
use url::Url;

use super::{cookie_value, location, FakeBroker, TestMailbox};
use crate::cookies::{LOGIN_COOKIE, SESSION_COOKIE};
use crate::language::LANGUAGE_COOKIE;
use crate::paths::{letter_path, LOGIN};
use crate::post::StandardFolder;

/// Runs a login started at `login_path` through the fake broker; the callback's `Location`
/// and the new session cookie.
async fn log_in_from(
    mailbox: &TestMailbox,
    broker: &FakeBroker,
    login_path: &str,
) -> (String, String) {
    let login = mailbox.get(login_path, &[]).await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let login_cookie = cookie_value(&login, LOGIN_COOKIE).unwrap();
    let query = broker.approve(location(&login));
    let callback = mailbox
        .get(
            &format!("/callback?{query}"),
            &[(LOGIN_COOKIE, &login_cookie)],
        )
        .await;
    assert_eq!(callback.status(), StatusCode::SEE_OTHER);
    let session = cookie_value(&callback, SESSION_COOKIE).unwrap();
    (location(&callback).to_owned(), session)
}

#[tokio::test]
async fn a_letter_opened_logged_out_is_where_the_login_ends() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    // A first login makes the mailbox; find a letter in it.
    let (_, first) = log_in_from(&mailbox, &broker, LOGIN).await;
    let inbox_letter = {
        let session = mailbox
            .app
            .sessions()
            .touch(&first, mailbox.app.now())
            .unwrap();
        let folders = mailbox
            .app
            .store()
            .folders
            .list(&session.current.mailbox)
            .unwrap();
        let inbox = folders
            .iter()
            .find(|folder| folder.standard_kind() == Some(StandardFolder::Inbox))
            .unwrap();
        mailbox
            .app
            .store()
            .letters
            .list(&session.current.mailbox, &inbox.id)
            .unwrap()
            .remove(0)
    };
    let path = letter_path(&inbox_letter.id);

    // Logged out (another browser), the letter's link goes to login, remembering the path.
    let response = mailbox.get(&path, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to_login = location(&response).to_owned();
    assert!(to_login.starts_with("/login?"), "{to_login}");
    let (after, session) = log_in_from(&mailbox, &broker, &to_login).await;
    assert_eq!(after, path);
    let page = mailbox.get(&after, &[(SESSION_COOKIE, &session)]).await;
    assert_eq!(page.status(), StatusCode::OK);
}

#[tokio::test]
async fn only_a_local_path_is_returned_to_after_login() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    for (return_to, expected) in [
        ("%2Fletters%2Fabc%3Fx%3D1", "/letters/abc?x=1"),
        ("%2F%2Fevil.example%2Fx", "/"),
        ("https%3A%2F%2Fevil.example%2F", "/"),
        ("%2F%5Cevil.example", "/"),
        ("%2Fletters%0D%0ASet-Cookie%3Ax", "/"),
        ("letters", "/"),
        ("%2Flogin", "/"),
        ("", "/"),
    ] {
        let (after, _) =
            log_in_from(&mailbox, &broker, &format!("{LOGIN}?return_to={return_to}")).await;
        assert_eq!(after, expected, "{return_to}");
    }
}

#[tokio::test]
async fn the_broker_is_asked_in_the_mailbox_s_language() {
    let (mailbox, _broker) = TestMailbox::with_fake_broker().await;
    for (cookie, expected) in [(None, "da"), (Some("en"), "en"), (Some("da"), "da")] {
        let cookies: Vec<(&str, &str)> = cookie
            .map(|lang| (LANGUAGE_COOKIE, lang))
            .into_iter()
            .collect();
        let response = mailbox.get(LOGIN, &cookies).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let url = Url::parse(location(&response)).unwrap();
        let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(
            params.get("ui_locales").map(String::as_str),
            Some(expected),
            "{cookie:?}"
        );
    }
}
