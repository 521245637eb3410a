//! Finishing a login is idempotent: a repeated POST or GET for a finished login (a double
//! click on the last step, the back button) sends the browser on to the same answer while its
//! code is unspent and alive, and after that to a page that links back to the service. Never a
//! dead end, and never a second code.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::Value;
use url::Url;

/// A login parked on its page, with the page's CSRF token.
async fn parked(rp: &Rp, pkce: &Pkce) -> (Url, String) {
    let response = rp.authorize(pkce, &[]).await;
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
    (page, csrf_of(&html))
}

/// The login page's simulator shortcut: the last step of a login, approving as anna.
async fn approve_as_anna(rp: &Rp, page: &Url, csrf: &str) -> reqwest::Response {
    rp.browser
        .post(page.clone())
        .form(&[("csrf", csrf), ("action", "approve"), ("user_id", "anna")])
        .send()
        .await
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    assert!(
        response.status().is_redirection(),
        "expected a redirect, got {}",
        response.status()
    );
    response.headers()["location"].to_str().unwrap().to_string()
}

async fn finished_page(rp: &Rp, page: &Url) -> String {
    let again = rp.browser.get(page.clone()).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.headers().get("location").is_none());
    again.text().await.unwrap()
}

#[tokio::test]
async fn a_double_click_on_the_last_step_sends_both_to_the_same_code() {
    let rp = Rp::start().await;
    let pkce = Pkce::new();
    let (page, csrf) = parked(&rp, &pkce).await;
    // Two clicks at once: one finishes the login, both reach the client with its one code.
    let (first, second) = tokio::join!(
        approve_as_anna(&rp, &page, &csrf),
        approve_as_anna(&rp, &page, &csrf)
    );
    let (first, second) = (location(&first), location(&second));
    assert!(first.starts_with(REDIRECT_URI), "{first}");
    assert_eq!(first, second);
    // A third, later, and the back button's GET: the same.
    assert_eq!(location(&approve_as_anna(&rp, &page, &csrf).await), first);
    let back = rp.browser.get(page.clone()).send().await.unwrap();
    assert_eq!(location(&back), first);

    // Once the client redeemed the code, the answer no longer holds (sending the spent code
    // again would make the client replay it): a page that links back to the service.
    let code = query(&Url::parse(&first).unwrap(), "code").unwrap();
    let tokens = rp.exchange(&code, &pkce).await;
    assert_eq!(tokens.status(), StatusCode::OK);
    let html = finished_page(&rp, &page).await;
    assert!(html.contains("id=\"finished\""), "{html}");
    assert!(
        html.contains("href=\"https://rp.example\""),
        "no link back to the service: {html}"
    );
    // And the POST of the stale form likewise.
    let again = approve_as_anna(&rp, &page, &csrf).await;
    assert_eq!(again.status(), StatusCode::OK);
    // The code was sent once and redeemed once: the tokens still work.
    let tokens: Value = tokens.json().await.unwrap();
    let userinfo = reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_answer_stops_holding_when_its_code_expires() {
    let rp = Rp::start().await;
    let pkce = Pkce::new();
    let (page, csrf) = parked(&rp, &pkce).await;
    let first = location(&approve_as_anna(&rp, &page, &csrf).await);
    assert_eq!(
        location(&rp.browser.get(page.clone()).send().await.unwrap()),
        first
    );
    advance_clock(&rp, 61).await;
    let html = finished_page(&rp, &page).await;
    assert!(html.contains("id=\"back-to-service\""), "{html}");
}

#[tokio::test]
async fn a_refused_login_sends_the_same_refusal_again() {
    let rp = Rp::start().await;
    let pkce = Pkce::new();
    let (page, csrf) = parked(&rp, &pkce).await;
    let cancel = || {
        rp.browser
            .post(page.clone())
            .form(&[("csrf", csrf.as_str()), ("action", "cancel")])
            .send()
    };
    let first = location(&cancel().await.unwrap());
    assert!(
        first.contains("error=access_denied") && first.contains("mitid_user_aborted"),
        "{first}"
    );
    assert_eq!(location(&cancel().await.unwrap()), first);
    assert_eq!(
        location(&rp.browser.get(page.clone()).send().await.unwrap()),
        first
    );
}
