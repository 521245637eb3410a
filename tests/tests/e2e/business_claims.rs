//! MitID Erhverv: a business login walked through the login screens (user ID, the simulated
//! app, the choice of business identity) and the `nemlogin.*` claims it releases; a private
//! choice on the same screen releases none.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

/// Ida's employee identity at Simulatorfirmaet ApS (seed).
const IDA_PROFESSIONAL: &str = "f0e1d2c3-b4a5-4968-8776-655443322108";
/// Jens's signatory identity at the same company (seed).
const JENS_PROFESSIONAL: &str = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c09";

/// The text between `start` and the next `end` after it, or None.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    let len = html[from..].find(end)?;
    Some(&html[from..from + len])
}

/// The login page: its step, its CSRF token and the page itself.
struct Screen {
    step: String,
    csrf: String,
    html: String,
}

async fn screen(rp: &Rp, page: &Url) -> Screen {
    let response = rp.browser.get(page.clone()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "GET {page}");
    let html = response.text().await.unwrap();
    let step = between(&html, "data-step=\"", "\"")
        .unwrap_or_else(|| panic!("no data-step in {html}"))
        .to_string();
    let csrf = between(&html, "name=\"csrf\" value=\"", "\"")
        .unwrap_or_else(|| panic!("no csrf in {html}"))
        .to_string();
    Screen { step, csrf, html }
}

/// POSTs a login form; a step that continues answers 303 back to the page.
async fn submit(rp: &Rp, page: &Url, form: &[(&str, &str)]) -> reqwest::Response {
    rp.browser
        .post(page.clone())
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn submit_and_continue(rp: &Rp, page: &Url, form: &[(&str, &str)]) {
    let response = submit(rp, page, form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "POST {form:?}");
}

/// Approves the login on `user`'s simulated app with the 4-digit code the login page shows.
async fn approve_in_app(rp: &Rp, page: &Url, user: &str, txn: &str, code: &str) {
    let app = page.join(&format!("/_sim/app/{user}")).unwrap();
    let html = rp
        .browser
        .get(app.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let card = &html[html
        .find(&format!("data-login=\"{txn}\""))
        .unwrap_or_else(|| panic!("no request for {txn} in the app: {html}"))..];
    let token = between(card, "name=\"token\" value=\"", "\"").unwrap();
    let response = rp
        .browser
        .post(app.join(&format!("/_sim/app/{user}/{txn}")).unwrap())
        .form(&[("token", token), ("action", "approve"), ("code", code)])
        .send()
        .await
        .unwrap();
    let back = redirect_location(&response, &app);
    assert_eq!(query(&back, "said").as_deref(), Some("approved"), "{back}");
}

/// The Location of a 302/303, resolved against `base`.
fn redirect_location(response: &reqwest::Response, base: &Url) -> Url {
    assert!(
        response.status().is_redirection(),
        "expected a redirect from {}, got {}",
        response.url(),
        response.status()
    );
    let location = response.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap();
    base.join(location).unwrap()
}

/// What a business login ended with: the ID token's claims and the userinfo response.
struct LoggedIn {
    id_token: Value,
    userinfo: Value,
}

/// A login as `user` through the screens, with `idp_values`, choosing `business` (a
/// professional UUID, or `private`) on the business screen. `offered` are the values the
/// business screen must offer.
async fn walk(rp: &Rp, user: &str, idp_values: &str, offered: &[&str], business: &str) -> LoggedIn {
    let pkce = Pkce::new();
    let response = rp
        .authorize(
            &pkce,
            &[
                ("scope", "openid nemlogin"),
                ("idp_values", idp_values),
                ("prompt", "login"),
            ],
        )
        .await;
    let txn = response.headers()["x-sim-login-id"]
        .to_str()
        .unwrap()
        .to_string();
    let page = redirect_to(&response);
    assert!(page.path().ends_with(&format!("/login/{txn}")), "{page}");

    let s = screen(rp, &page).await;
    assert_eq!(s.step, "user_id");
    submit_and_continue(
        rp,
        &page,
        &[("csrf", &s.csrf), ("action", "user_id"), ("user_id", user)],
    )
    .await;

    let mut s = screen(rp, &page).await;
    if s.step == "choose" {
        submit_and_continue(
            rp,
            &page,
            &[("csrf", &s.csrf), ("action", "choose"), ("method", "app")],
        )
        .await;
        s = screen(rp, &page).await;
    }
    assert_eq!(s.step, "app", "{}", s.html);
    let code = between(&s.html, "id=\"app-code\">", "<")
        .unwrap()
        .to_string();
    assert_eq!(code.len(), 4, "{code}");
    approve_in_app(rp, &page, user, &txn, &code).await;

    let s = screen(rp, &page).await;
    assert_eq!(s.step, "business", "{}", s.html);
    for value in offered {
        assert!(
            s.html
                .contains(&format!("name=\"business\" value=\"{value}\"")),
            "{value} not offered: {}",
            s.html
        );
    }
    let response = submit(
        rp,
        &page,
        &[
            ("csrf", &s.csrf),
            ("action", "business"),
            ("business", business),
        ],
    )
    .await;
    let back = redirect_to(&response);
    assert!(back.as_str().starts_with(REDIRECT_URI), "{back}");
    assert_eq!(query(&back, "state").as_deref(), Some("state-123"));
    let code = query(&back, "code").unwrap_or_else(|| panic!("expected a code, got {back}"));

    let response = rp.exchange(&code, &pkce).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    let userinfo: Value = reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    LoggedIn { id_token, userinfo }
}

fn nemlogin_claims(userinfo: &Value) -> Vec<&String> {
    userinfo
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("nemlogin."))
        .collect()
}

#[tokio::test]
async fn an_employee_chosen_on_the_business_screen_gets_the_nemlogin_claims() {
    let rp = Rp::start().await;
    let done = walk(
        &rp,
        "ida",
        "mitid_erhverv",
        &[IDA_PROFESSIONAL],
        IDA_PROFESSIONAL,
    )
    .await;
    assert_eq!(done.id_token["idp"], "mitid_erhverv");
    assert_eq!(done.id_token["identity_type"], "professional");
    let info = &done.userinfo;
    assert_eq!(info["nemlogin.cvr"], "12345674", "{info}");
    assert_eq!(info["nemlogin.org_name"], "Simulatorfirmaet ApS");
    assert_eq!(
        info["nemlogin.persistent_professional_id"],
        IDA_PROFESSIONAL
    );
    assert_eq!(info["nemlogin.nemid.rid"], "45371");
    assert_eq!(info["nemlogin.given_name"], "Ida");
    assert_eq!(info["nemlogin.family_name"], "Ansat");
    assert_eq!(info["nemlogin.name"], "Ida Ansat");
    assert_eq!(info["nemlogin.email"], "ida@simulatorfirmaet.example");
    assert_eq!(info["nemlogin.date_of_birth"], "1988-10-02");
    assert_eq!(info["nemlogin.auth_to_repr"], json!(false));
    assert!(info.get("nemlogin.alias").is_none(), "{info}");
    // A private service gets the CPR's UUID, never the CPR.
    let cpr_uuid = info["nemlogin.cpr_uuid"].as_str().unwrap();
    assert_eq!(cpr_uuid, broker::oidc::claims::cpr_uuid("6210883124"));
    let text = info.to_string();
    assert!(
        !text.contains("6210883124") && !text.contains("621088-3124"),
        "{text}"
    );
    assert_eq!(info["sub"], done.id_token["sub"]);
    // Only the scope asked for: no mitid.* claims.
    assert!(info.get("mitid.uuid").is_none(), "{info}");
}

#[tokio::test]
async fn a_signatory_is_authorised_to_represent_and_has_no_rid() {
    let rp = Rp::start().await;
    // Jens has the app and a chip: he chooses the app first.
    let done = walk(
        &rp,
        "jens",
        "mitid_erhverv",
        &[JENS_PROFESSIONAL],
        JENS_PROFESSIONAL,
    )
    .await;
    assert_eq!(done.id_token["idp"], "mitid_erhverv");
    assert_eq!(done.id_token["identity_type"], "professional");
    let info = &done.userinfo;
    assert_eq!(
        info["nemlogin.persistent_professional_id"],
        JENS_PROFESSIONAL
    );
    assert_eq!(info["nemlogin.auth_to_repr"], json!(true), "{info}");
    assert!(info.get("nemlogin.nemid.rid").is_none(), "{info}");
    assert!(
        info.get("nemlogin.email").is_none(),
        "jens has no e-mail: {info}"
    );
    assert_eq!(info["nemlogin.name"], "Jens Direktør");
}

#[tokio::test]
async fn choosing_the_private_mitid_gives_idp_mitid_and_no_nemlogin_claims() {
    let rp = Rp::start().await;
    let done = walk(
        &rp,
        "ida",
        "mitid_erhverv mitid",
        &[IDA_PROFESSIONAL, "private"],
        "private",
    )
    .await;
    assert_eq!(done.id_token["idp"], "mitid");
    assert_eq!(done.id_token["identity_type"], "private");
    assert!(
        nemlogin_claims(&done.userinfo).is_empty(),
        "{}",
        done.userinfo
    );
    assert!(done.userinfo["sub"].is_string());
}

#[tokio::test]
async fn discovery_lists_the_nemlogin_scope_and_claims() {
    let rp = Rp::start().await;
    let doc = rp.discovery().await;
    assert!(doc["scopes_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("nemlogin")));
    let claims = doc["claims_supported"].as_array().unwrap();
    for claim in [
        "nemlogin.cvr",
        "nemlogin.persistent_professional_id",
        "nemlogin.auth_to_repr",
        "nemlogin.cpr_uuid",
    ] {
        assert!(claims.contains(&json!(claim)), "{claim}");
    }
}
