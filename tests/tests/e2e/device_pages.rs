//! The simulated devices' pages as a person meets them: in the login's language (or the one
//! they chose, remembered), one app request at a time, and a page that says so for a person
//! without an app or whose MitID cannot be used.

use crate::support::*;
use reqwest::StatusCode;

async fn get(rp: &Rp, path: &str, accept_language: Option<&str>) -> (StatusCode, String) {
    let mut request = rp.browser.get(rp.url(path));
    if let Some(lang) = accept_language {
        request = request.header("accept-language", lang);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

fn lang_of(html: &str) -> &str {
    between(html, "<html lang=\"", "\"")
}

#[tokio::test]
async fn a_person_without_an_app_or_with_a_blocked_mitid_gets_a_page_that_says_so() {
    let rp = Rp::start().await;
    let (status, html) = get(&rp, "/_sim/app/carl", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Ingen MitID-app"), "{html}");
    assert!(
        !html.contains("id=\"sim-app\""),
        "no app is rendered: {html}"
    );
    let (status, html) = get(&rp, "/_sim/app/kim", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("spærret"), "{html}");
    let (status, html) = get(&rp, "/_sim/app/mads?lang=en", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("revoked"), "{html}");
}

#[tokio::test]
async fn device_pages_follow_the_browser_and_remember_a_chosen_language() {
    let rp = Rp::start().await;
    for path in [
        "/_sim/app/anna",
        "/_sim/codeviewer/KV-100200300",
        "/_sim/chip/CHIP-0042",
        "/_sim/keycard/lis",
    ] {
        let (status, html) = get(&rp, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {html}");
        assert_eq!(lang_of(&html), "da", "{path}: Danish by default");
        assert!(html.contains("Simuleret enhed"), "{path}: {html}");
        assert!(html.contains("id=\"lang-switch\""), "{path}: a switch");
        let (_, html) = get(&rp, path, Some("en-GB,en;q=0.9")).await;
        assert_eq!(lang_of(&html), "en", "{path}: the browser's language");
        assert!(html.contains("Simulated device"), "{path}: {html}");
    }
    // The switch is remembered: later pages (and logins) keep it, whatever the browser says.
    let (_, html) = get(&rp, "/_sim/keycard/lis?lang=en", Some("da")).await;
    assert_eq!(lang_of(&html), "en");
    let (_, html) = get(&rp, "/_sim/codeviewer/KV-100200300", Some("da")).await;
    assert_eq!(lang_of(&html), "en", "remembered in a cookie");
    let response = rp.authorize(&Pkce::new(), &[]).await;
    let page = redirect_to(&response);
    let html = rp
        .browser
        .get(page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        lang_of(&html),
        "en",
        "a new login starts in the chosen language"
    );
}

#[tokio::test]
async fn the_app_page_speaks_the_language_of_the_login_it_serves() {
    let rp = Rp::start().await;
    let response = rp.authorize(&Pkce::new(), &[("ui_locales", "en")]).await;
    let page = redirect_to(&response);
    let html = rp
        .browser
        .get(page.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    let response = rp
        .browser
        .post(page.clone())
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "user_id"),
            ("user_id", "anna"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = rp
        .browser
        .get(page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The login page's link to the app carries its language.
    assert!(html.contains("/_sim/app/anna?lang=en"), "{html}");
    // Without the link's ?lang, the app page follows the login it shows.
    let (_, app) = get(&rp, "/_sim/app/anna", Some("da")).await;
    assert_eq!(lang_of(&app), "en", "{app}");
    assert!(app.contains("Code shown in the browser"), "{app}");
}

#[tokio::test]
async fn the_login_pages_switch_is_remembered_for_the_devices() {
    let rp = Rp::start().await;
    let response = rp.authorize(&Pkce::new(), &[]).await;
    let page = redirect_to(&response);
    let html = rp
        .browser
        .get(page.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(lang_of(&html), "da");
    let switched = rp
        .browser
        .post(page)
        .form(&[("csrf", csrf_of(&html).as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    let cookie = switched.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("sim_lang=en;"), "{cookie}");
    let (_, html) = get(&rp, "/_sim/codeviewer/KV-100200300", Some("da")).await;
    assert_eq!(lang_of(&html), "en");
}

/// A Danish error page speaks Danish: the person's words for what they meet on the login
/// pages, and the protocol's English description only apart, marked for developers.
#[tokio::test]
async fn a_danish_error_page_has_no_english_sentence_in_its_text() {
    let rp = Rp::start().await;
    let (status, html) = get(&rp, "/login/no-such-login", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(lang_of(&html), "da");
    assert!(html.contains("Dette login findes ikke"), "{html}");
    assert!(!html.contains("start again"), "{html}");
    // A protocol error without Danish words: the English goes under a developers' heading.
    let response = rp
        .browser
        .get(rp.url("/authorize?client_id=nobody&response_type=code"))
        .send()
        .await
        .unwrap();
    let html = response.text().await.unwrap();
    let main = html.split("<details").next().unwrap();
    assert!(
        main.contains("Forespørgslen kunne ikke behandles"),
        "{html}"
    );
    assert!(html.contains("id=\"technical\""), "{html}");
    assert!(html.contains("<p lang=\"en\">"), "{html}");
}
