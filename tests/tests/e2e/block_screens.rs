//! Block screens as a person meets them: how long the block lasts, the other ways to log in
//! meanwhile, no "try again" that loops back to the same screen, and blocked ways marked on
//! the choice screen.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;
use url::Url;

async fn block(rp: &Rp, user: &str, device: &str, seconds: u64) {
    let response = rp
        .host
        .control()
        .post(
            &format!("/identities/{user}/devices/{device}/block"),
            &json!({ "seconds": seconds }),
        )
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{:?}", response.body);
}

async fn html(rp: &Rp, page: &Url) -> String {
    let response = rp.browser.get(page.clone()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

async fn post(rp: &Rp, page: &Url, form: &[(&str, &str)]) -> String {
    let csrf = csrf_of(&html(rp, page).await);
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    let response = rp
        .browser
        .post(page.clone())
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    html(rp, page).await
}

fn step(html: &str) -> &str {
    between(html, "data-step=\"", "\"")
}

async fn login_as(rp: &Rp, user: &str) -> (Url, String) {
    let response = rp.authorize(&Pkce::new(), &[("prompt", "login")]).await;
    let page = redirect_to(&response);
    let shown = post(rp, &page, &[("action", "user_id"), ("user_id", user)]).await;
    (page, shown)
}

#[tokio::test]
async fn a_block_screen_says_how_long_and_offers_no_loop() {
    let rp = Rp::start().await;
    // Dorthe logs in only with her code viewer: blocked, she has no other way.
    block(&rp, "dorthe", "code_viewer", 150).await;
    let (page, shown) = login_as(&rp, "dorthe").await;
    assert_eq!(step(&shown), "failed", "{shown}");
    assert!(shown.contains("cirka 3 minut"), "how long: {shown}");
    assert!(
        !shown.contains("value=\"retry\""),
        "no try again while blocked: {shown}"
    );
    assert!(
        !shown.contains("id=\"other-ways\""),
        "no other way: {shown}"
    );
    // Once the block is over, trying again works.
    advance_clock(&rp, 150).await;
    let shown = html(&rp, &page).await;
    assert!(shown.contains("value=\"retry\""), "{shown}");
    let shown = post(&rp, &page, &[("action", "retry")]).await;
    assert_eq!(step(&shown), "code", "{shown}");
}

#[tokio::test]
async fn a_blocked_way_is_marked_and_the_others_stay_open() {
    let rp = Rp::start().await;
    // Gitte has the app and a code reader (with her password).
    block(&rp, "gitte", "app", 900).await;
    let (page, shown) = login_as(&rp, "gitte").await;
    assert_eq!(step(&shown), "choose", "{shown}");
    assert!(
        shown.contains("value=\"app\" disabled") && shown.contains("spærret i cirka 15 min"),
        "the app is marked blocked: {shown}"
    );
    assert!(
        shown.contains("value=\"code_reader\">"),
        "the code reader is open: {shown}"
    );
    // A stale or crafted choice of the blocked app shows its block, with the other way.
    let shown = post(&rp, &page, &[("action", "choose"), ("method", "app")]).await;
    assert_eq!(step(&shown), "failed", "{shown}");
    assert!(shown.contains("id=\"other-ways\""), "{shown}");
    let shown = post(
        &rp,
        &page,
        &[("action", "choose"), ("method", "code_reader")],
    )
    .await;
    assert_eq!(step(&shown), "code", "{shown}");
}
