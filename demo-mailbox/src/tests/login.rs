//! `/login` and `/callback`: the authorization request, refused callbacks, a full login.

use std::collections::HashMap;

use axum::http::StatusCode;
use url::Url;

use super::fake_broker::{form_encode, SUBJECT};
use super::{body_text, cookie_value, location, set_cookies, TestMailbox};
use crate::cookies::{LOGIN_COOKIE, SESSION_COOKIE};
use crate::oidc::PendingLogin;

#[tokio::test]
async fn login_redirects_to_the_broker_with_pkce_state_nonce_and_acr() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    let response = mailbox.get("/login", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let url = Url::parse(location(&response)).unwrap();
    assert_eq!(
        url.as_str().split('?').next(),
        Some(format!("{}/authorize", broker.issuer()).as_str())
    );
    let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["client_id"], "demo-mailbox");
    assert_eq!(params["redirect_uri"], "http://mailbox.test:8081/callback");
    assert_eq!(params["scope"], "openid profile ssn nemlogin");
    assert_eq!(params["idp_values"], "mitid mitid_erhverv");
    assert_eq!(
        params["acr_values"],
        "https://data.gov.dk/concept/core/nsis/Substantial"
    );
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["code_challenge"].len(), 43);
    assert!(params["state"].len() >= 22);
    assert!(params["nonce"].len() >= 22);

    let cookie = set_cookies(&response).join("\n");
    assert!(cookie.starts_with("mailbox_login="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains(&params["state"]),
        "state stays on the server"
    );
}

#[tokio::test]
async fn login_while_the_broker_is_down_fails_then_works_once_it_is_up() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    broker.set_up(false);
    let response = mailbox.get("/login", &[]).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(body_text(response)
        .await
        .contains("Login-tjenesten svarer ikke"));

    broker.set_up(true);
    assert_eq!(
        mailbox.get("/login", &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        mailbox.get("/login", &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        broker.discoveries(),
        1,
        "discovery is cached once it worked"
    );
}

#[tokio::test]
async fn full_login_sets_a_fresh_session_and_shows_the_name() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    let callback = mailbox.log_in_through(&broker).await;
    assert_eq!(
        callback.status(),
        StatusCode::SEE_OTHER,
        "{}",
        body_text(callback).await
    );
    assert_eq!(location(&callback), "/");
    let session = cookie_value(&callback, SESSION_COOKIE).expect("a session cookie");
    assert!(session.len() >= 32);
    let cookies = set_cookies(&callback).join("\n");
    assert!(
        cookies.contains("mailbox_login=; Path=/"),
        "the login cookie is cleared: {cookies}"
    );

    let home = mailbox.get("/", &[(SESSION_COOKIE, &session)]).await;
    assert_eq!(home.status(), StatusCode::OK);
    assert!(body_text(home)
        .await
        .contains("Logget ind som Karen Testesen"));
}

#[tokio::test]
async fn name_falls_back_to_the_id_token_then_the_subject() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    broker.behave(|b| {
        b.userinfo_name = None;
        b.id_token_name = Some("Id Token Navn".to_owned());
    });
    let callback = mailbox.log_in_through(&broker).await;
    let session = cookie_value(&callback, SESSION_COOKIE).unwrap();
    let home = mailbox.get("/", &[(SESSION_COOKIE, &session)]).await;
    assert!(body_text(home)
        .await
        .contains("Logget ind som Id Token Navn"));

    broker.behave(|b| b.id_token_name = None);
    let callback = mailbox.log_in_through(&broker).await;
    let session = cookie_value(&callback, SESSION_COOKIE).unwrap();
    let home = mailbox.get("/", &[(SESSION_COOKIE, &session)]).await;
    assert!(body_text(home)
        .await
        .contains(&format!("Logget ind som {SUBJECT}")));
}

#[tokio::test]
async fn second_login_replaces_the_session_id() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    let first = cookie_value(&mailbox.log_in_through(&broker).await, SESSION_COOKIE).unwrap();

    let login = mailbox.get("/login", &[(SESSION_COOKIE, &first)]).await;
    let login_cookie = cookie_value(&login, LOGIN_COOKIE).unwrap();
    let query = broker.approve(location(&login));
    let callback = mailbox
        .get(
            &format!("/callback?{query}"),
            &[(LOGIN_COOKIE, &login_cookie), (SESSION_COOKIE, &first)],
        )
        .await;
    let second = cookie_value(&callback, SESSION_COOKIE).unwrap();
    assert_ne!(first, second);
    let old = mailbox.get("/", &[(SESSION_COOKIE, &first)]).await;
    assert_eq!(
        old.status(),
        StatusCode::SEE_OTHER,
        "the old session id is dead"
    );
}

#[tokio::test]
async fn callback_with_unknown_state_is_refused() {
    let mailbox = TestMailbox::without_broker().await;
    let key =
        mailbox
            .app
            .pending_logins()
            .insert(PendingLogin::new_random(), None, mailbox.app.now());
    let response = mailbox
        .get(
            "/callback?code=abc&state=not-the-state&iss=x",
            &[(LOGIN_COOKIE, &key)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(cookie_value(&response, SESSION_COOKIE), None);
    assert!(body_text(response)
        .await
        .contains("Svaret hører ikke til det login, der blev startet i denne browser"));
}

#[tokio::test]
async fn callback_from_another_browser_is_refused() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    let login = mailbox.get("/login", &[]).await;
    let query = broker.approve(location(&login));
    // The attacker's browser holds no (or another) mailbox_login cookie.
    let response = mailbox.get(&format!("/callback?{query}"), &[]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(cookie_value(&response, SESSION_COOKIE), None);
    assert!(body_text(response).await.contains("Intet login i gang"));
}

#[tokio::test]
async fn a_callback_cannot_be_replayed() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    let login = mailbox.get("/login", &[]).await;
    let login_cookie = cookie_value(&login, LOGIN_COOKIE).unwrap();
    let path = format!("/callback?{}", broker.approve(location(&login)));
    let first = mailbox.get(&path, &[(LOGIN_COOKIE, &login_cookie)]).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let again = mailbox.get(&path, &[(LOGIN_COOKIE, &login_cookie)]).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
}

/// Runs `/login`, lets the fake broker approve, then rewrites the callback query with `edit`.
async fn callback_with(
    edit: impl FnOnce(&mut Vec<(String, String)>),
) -> (axum::http::Response<axum::body::Body>, String) {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    let login = mailbox.get("/login", &[]).await;
    let login_cookie = cookie_value(&login, LOGIN_COOKIE).unwrap();
    let query = broker.approve(location(&login));
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    edit(&mut pairs);
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = mailbox
        .get(
            &format!("/callback?{}", form_encode(&pairs)),
            &[(LOGIN_COOKIE, &login_cookie)],
        )
        .await;
    let issuer = broker.issuer().to_owned();
    (response, issuer)
}

#[tokio::test]
async fn callback_without_iss_is_refused() {
    let (response, _) = callback_with(|pairs| pairs.retain(|(k, _)| k != "iss")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(cookie_value(&response, SESSION_COOKIE), None);
}

#[tokio::test]
async fn callback_with_another_iss_is_refused() {
    let (response, _) = callback_with(|pairs| {
        for (key, value) in pairs.iter_mut() {
            if key == "iss" {
                value.push('/');
            }
        }
    })
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(response)
        .await
        .contains("Svaret kom ikke fra den forventede login-tjeneste"));
}

#[tokio::test]
async fn callback_without_code_is_a_readable_bad_request() {
    let (response, _) = callback_with(|pairs| pairs.retain(|(k, _)| k != "code")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(response).await.contains("Start login forfra"));
}

#[tokio::test]
async fn callback_with_a_repeated_parameter_is_a_bad_request() {
    let (response, _) =
        callback_with(|pairs| pairs.push(("state".to_owned(), "x".to_owned()))).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn callback_with_unknown_code_fails_without_a_session() {
    let (response, _) = callback_with(|pairs| {
        for (key, value) in pairs.iter_mut() {
            if key == "code" {
                *value = "forged".to_owned();
            }
        }
    })
    .await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(cookie_value(&response, SESSION_COOKIE), None);
}

#[tokio::test]
async fn cancelled_login_shows_a_page_with_a_way_back() {
    let mailbox = TestMailbox::without_broker().await;
    let response = mailbox
        .get("/callback?error=access_denied&state=s&iss=x", &[])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = body_text(response).await;
    assert!(html.contains("Login afbrudt"), "{html}");
    assert!(html.contains("href=\"/login\""), "{html}");
}

#[tokio::test]
async fn each_login_failure_code_of_the_broker_has_its_own_message_in_both_languages() {
    let mailbox = TestMailbox::without_broker().await;
    let callback = |description: &str| {
        format!("/callback?error=access_denied&error_description={description}&state=s&iss=x")
    };
    // The broker's failure codes (README, docs/login-screens.md), each with a phrase of its
    // Danish and of its English page.
    let cases = [
        (
            "mitid_user_aborted",
            "Du afbrød login",
            "You cancelled the login",
        ),
        ("mitid_identity_locked", "spærret", "locked"),
        ("mitid_identity_revoked", "tilbagekaldt", "revoked"),
        (
            "mitid_unknown_user",
            "Der findes intet MitID",
            "There is no MitID",
        ),
        (
            "nemid_unknown_user",
            "Der findes intet NemID",
            "There is no NemID",
        ),
        (
            "mitid_approval_expired",
            "ikke godkendt i tide",
            "not approved in time",
        ),
        ("mitid_authenticator_blocked", "15 minutter", "15 minutes"),
        (
            "mitid_level_not_reachable",
            "sikringsniveau",
            "level of assurance",
        ),
        ("mitid_cpr_match_failed", "CPR-nummer", "CPR number"),
        (
            "mitid_erhverv_no_identity",
            "MitID Erhverv",
            "MitID Erhverv",
        ),
        ("nemid_key_card_used_up", "nøglekort", "key card"),
    ];
    let mut headings = std::collections::HashSet::new();
    for (code, danish, english) in cases {
        let response = mailbox.get(&callback(code), &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "{code}");
        let html = body_text(response).await;
        assert!(html.contains(danish), "{code}: {html}");
        assert!(html.contains("href=\"/login\""), "{code}: {html}");
        if code != "mitid_user_aborted" {
            assert!(!html.contains("Du afbrød login"), "{code}: {html}");
        }
        let heading = html
            .split("<h2>")
            .nth(1)
            .and_then(|rest| rest.split("</h2>").next())
            .map(str::to_owned);
        assert!(
            headings.insert(heading.clone()),
            "{code}: {heading:?} twice"
        );

        let english_page = mailbox
            .get(&callback(code), &[(crate::language::LANGUAGE_COOKIE, "en")])
            .await;
        let html = body_text(english_page).await;
        assert!(html.contains(english), "{code}: {html}");
    }

    // An unknown code gets a general message that names it (escaped).
    let html = body_text(
        mailbox
            .get(&callback("mitid_something_new%3Cb%3E"), &[])
            .await,
    )
    .await;
    assert!(html.contains("mitid_something_new&#60;b&#62;"), "{html}");
    assert!(!html.contains("Du afbrød login"), "{html}");
    let html = body_text(
        mailbox
            .get(
                "/callback?error=temporarily_unavailable&state=s&iss=x",
                &[(crate::language::LANGUAGE_COOKIE, "en")],
            )
            .await,
    )
    .await;
    assert!(html.contains("temporarily_unavailable"), "{html}");
}

#[tokio::test]
async fn low_assurance_is_refused_with_a_way_back() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    broker.behave(|b| b.acr = Some("https://data.gov.dk/concept/core/nsis/Low".to_owned()));
    let response = mailbox.log_in_through(&broker).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(cookie_value(&response, SESSION_COOKIE), None);
    let html = body_text(response).await;
    assert!(html.contains("For lavt sikringsniveau"), "{html}");
    assert!(html.contains("href=\"/login\""), "{html}");
}

#[tokio::test]
async fn missing_acr_is_refused() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    broker.behave(|b| b.acr = None);
    let response = mailbox.log_in_through(&broker).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn high_assurance_is_accepted() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    broker.behave(|b| b.acr = Some(crate::config::ACR_HIGH.to_owned()));
    let response = mailbox.log_in_through(&broker).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(cookie_value(&response, SESSION_COOKIE).is_some());
}

#[tokio::test]
async fn id_token_signed_with_an_unpublished_key_is_refused() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    broker.behave(|b| b.signing_key = 1);
    let response = mailbox.log_in_through(&broker).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(cookie_value(&response, SESSION_COOKIE), None);
    assert_eq!(
        broker.discoveries(),
        2,
        "keys were fetched again once before refusing"
    );
}

#[tokio::test]
async fn a_rotated_signing_key_is_picked_up() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    assert_eq!(
        mailbox.log_in_through(&broker).await.status(),
        StatusCode::SEE_OTHER
    );
    broker.behave(|b| {
        b.signing_key = 1;
        b.published_keys = vec![1, 0];
    });
    let response = mailbox.log_in_through(&broker).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(cookie_value(&response, SESSION_COOKIE).is_some());
}

/// A full login where the mailbox's clock is `mailbox_ahead_secs` ahead of the broker's.
async fn login_with_clock_skew(mailbox_ahead_secs: i64) -> axum::http::Response<axum::body::Body> {
    use std::sync::Arc;
    use std::time::Duration;

    use crate::clock::ManualClock;

    let shift = |secs: i64| {
        let base = super::start_time();
        if secs >= 0 {
            base + Duration::from_secs(secs.unsigned_abs())
        } else {
            base - Duration::from_secs(secs.unsigned_abs())
        }
    };
    let broker = super::FakeBroker::start(Arc::new(ManualClock::new(shift(0)))).await;
    let mailbox_clock = Arc::new(ManualClock::new(shift(mailbox_ahead_secs)));
    let mailbox = TestMailbox::new(broker.issuer_url(), mailbox_clock);
    mailbox.log_in_through(&broker).await
}

#[tokio::test]
async fn expired_id_token_is_refused() {
    // The fake broker's ID tokens live 300 s.
    let response = login_with_clock_skew(300).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(cookie_value(&response, SESSION_COOKIE), None);
    assert_eq!(
        login_with_clock_skew(299).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn id_token_issued_in_the_future_is_refused() {
    let response = login_with_clock_skew(-301).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(cookie_value(&response, SESSION_COOKIE), None);
    assert_eq!(
        login_with_clock_skew(-299).await.status(),
        StatusCode::SEE_OTHER
    );
}
