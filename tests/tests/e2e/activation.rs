//! Ordering a code viewer and activating it with the code from the letter (issue 4, "Code
//! viewer"): the device counts for nothing until activated, three wrong activation codes block
//! it, and once active it logs in like any code viewer. The login screens are walked over HTTP
//! like `screens.rs` does (a small walker of its own lives here, shared with
//! `citizen_service.rs`).

use crate::support::*;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

/// Every seeded identity's password.
pub(crate) const PASSWORD: &str = "test1234";

// ---- a small walker of the login screens

pub(crate) struct Screen {
    pub step: String,
    pub html: String,
}

impl Screen {
    pub fn offers(&self, name: &str, value: &str) -> bool {
        self.html
            .contains(&format!("name=\"{name}\" value=\"{value}\""))
    }
}

pub(crate) enum After {
    Screen(Screen),
    Client(Url),
}

/// An interactive login (`prompt=login`, `openid mitid`) walked through its screens.
pub(crate) struct Walk<'a> {
    rp: &'a Rp,
    pkce: Pkce,
    page: Url,
    pub id: String,
    csrf: String,
}

impl<'a> Walk<'a> {
    pub async fn start(rp: &'a Rp) -> Walk<'a> {
        let pkce = Pkce::new();
        let response = rp
            .authorize(&pkce, &[("scope", "openid mitid"), ("prompt", "login")])
            .await;
        let page = redirect_to(&response);
        let id = response.headers()["x-sim-login-id"]
            .to_str()
            .unwrap()
            .to_string();
        let html = get_ok(rp, page.as_str()).await;
        let csrf =
            attribute_after(&html, "name=\"csrf\" value=\"").expect("csrf on the login page");
        Walk {
            rp,
            pkce,
            page,
            id,
            csrf,
        }
    }

    pub async fn screen(&self) -> Screen {
        let html = get_ok(self.rp, self.page.as_str()).await;
        let step = attribute_after(&html, "data-step=\"").expect("data-step");
        Screen { step, html }
    }

    pub async fn submit(&self, action: &str, fields: &[(&str, &str)]) -> After {
        let mut form = vec![("csrf", self.csrf.as_str()), ("action", action)];
        form.extend_from_slice(fields);
        let response = self
            .rp
            .browser
            .post(self.page.clone())
            .form(&form)
            .send()
            .await
            .unwrap();
        match response.status() {
            StatusCode::SEE_OTHER => After::Screen(self.screen().await),
            StatusCode::FOUND => After::Client(redirect_to(&response)),
            other => panic!("{action} answered {other}"),
        }
    }

    /// Presses `action`; the login stays pending on the screen `step`.
    pub async fn next(&self, action: &str, fields: &[(&str, &str)], step: &str) -> Screen {
        match self.submit(action, fields).await {
            After::Screen(screen) => {
                assert_eq!(screen.step, step, "after {action}:\n{}", screen.html);
                screen
            }
            After::Client(url) => panic!("{action} settled the login: {url}"),
        }
    }

    /// Presses `action`; the login settles and goes back to the client with a code. Returns
    /// the ID token's claims.
    pub async fn done(&self, action: &str, fields: &[(&str, &str)]) -> Value {
        match self.submit(action, fields).await {
            After::Client(url) => self.id_token(&url).await,
            After::Screen(screen) => panic!("{action} did not settle:\n{}", screen.html),
        }
    }

    /// The login settled elsewhere (a device answered): the page sends the browser back.
    pub async fn returned(&self) -> Value {
        let response = self.rp.browser.get(self.page.clone()).send().await.unwrap();
        let url = redirect_to(&response);
        self.id_token(&url).await
    }

    async fn id_token(&self, url: &Url) -> Value {
        let code = query(url, "code").unwrap_or_else(|| panic!("no code: {url}"));
        let response = self.rp.exchange(&code, &self.pkce).await;
        assert_eq!(response.status(), StatusCode::OK);
        let tokens: Value = response.json().await.unwrap();
        claims(tokens["id_token"].as_str().unwrap())
    }
}

/// GET a page in the test's browser; it must answer 200.
pub(crate) async fn get_ok(rp: &Rp, url: &str) -> String {
    let response = rp.browser.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "GET {url}");
    response.text().await.unwrap()
}

/// POST a form in the test's browser; returns the status and the Location (if any).
pub(crate) async fn post_form(rp: &Rp, url: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let response = rp.browser.post(url).form(form).send().await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location)
}

/// The text after `prefix`, up to the next double quote.
pub(crate) fn attribute_after(html: &str, prefix: &str) -> Option<String> {
    let start = html.find(prefix)? + prefix.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// The text content of the (leaf) element with this id.
pub(crate) fn element_text(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[at..];
    let start = rest.find('>')? + 1;
    let end = rest[start..].find('<')?;
    Some(rest[start..start + end].trim().to_string())
}

/// The simulator's pages (`/_sim/...`), beside the control API.
pub(crate) fn sim_url(rp: &Rp, path: &str) -> String {
    let control = rp.host.control().base();
    let base = control.strip_suffix("/_sim/v1").unwrap_or(control);
    format!("{base}{path}")
}

// ---- letters and devices

/// The newest letter whose body mentions `needle`.
pub(crate) async fn letter_mentioning(rp: &Rp, needle: &str) -> Value {
    let r = rp
        .host
        .control()
        .get("/outbox?channel=letter")
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["body"].as_str().unwrap().contains(needle))
        .unwrap_or_else(|| panic!("no letter mentions {needle}: {}", r.body))
        .clone()
}

/// The activation code printed in a letter (`... (activation code): ABCD-EFGH`).
pub(crate) fn activation_code(letter: &Value) -> String {
    let body = letter["body"].as_str().unwrap();
    let line = body
        .lines()
        .find(|l| l.contains("(activation code):"))
        .unwrap_or_else(|| panic!("no activation code in the letter:\n{body}"));
    let code = line.rsplit(' ').next().unwrap().to_string();
    assert_eq!(code.len(), 9, "{code}");
    code
}

/// A code device as the control API reads it.
pub(crate) async fn code_device(rp: &Rp, serial: &str) -> Value {
    let r = rp
        .host
        .control()
        .get(&format!("/code-devices/{serial}"))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

/// The current code of an activated code device.
pub(crate) async fn current_code(rp: &Rp, serial: &str) -> String {
    let device = code_device(rp, serial).await;
    assert_eq!(device["activation"], "active", "{device}");
    device["code"].as_str().unwrap().to_string()
}

async fn order(rp: &Rp, user: &str, body: Value) -> Value {
    let r = rp
        .host
        .control()
        .post(&format!("/identities/{user}/code-viewers"), &body)
        .await
        .unwrap();
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body
}

async fn activate(rp: &Rp, serial: &str, code: &str) -> (u16, Value) {
    let r = rp
        .host
        .control()
        .post(
            &format!("/code-devices/{serial}/activate"),
            &json!({ "activation_code": code }),
        )
        .await
        .unwrap();
    (r.status, r.body)
}

/// The device page of a code device, and the token of its activation form (if it shows one).
async fn device_page(rp: &Rp, path: &str) -> (String, Option<String>) {
    let html = get_ok(rp, &sim_url(rp, path)).await;
    let csrf = attribute_after(&html, "name=\"csrf\" value=\"");
    (html, csrf)
}

// ---- the tests

#[tokio::test]
async fn an_ordered_code_viewer_logs_in_only_after_activation_with_the_letter() {
    let rp = Rp::start().await;
    let ordered = order(&rp, "anna", json!({})).await;
    assert_eq!(ordered["kind"], "code_viewer");
    assert_eq!(ordered["activation"], "pending");
    let serial = ordered["serial"].as_str().unwrap().to_string();
    assert!(
        serial.starts_with("KV-")
            && serial.len() == 12
            && serial[3..].bytes().all(|b| b.is_ascii_digit()),
        "{serial}"
    );

    // The letter goes to Anna's name and address, with the serial, the code and the page.
    let letter = letter_mentioning(&rp, &serial).await;
    assert_eq!(letter["id"], ordered["letter_id"]);
    assert!(letter["to"]
        .as_str()
        .unwrap()
        .starts_with("Anna Testesen, Simulatorvej 1"));
    assert!(letter["body"]
        .as_str()
        .unwrap()
        .contains(&format!("/_sim/codeviewer/{serial}")));
    let code = activation_code(&letter);
    let anna = rp
        .host
        .control()
        .get("/identities/anna")
        .await
        .unwrap()
        .body;
    assert!(
        !anna.to_string().contains(&code) && !anna.to_string().contains(&code.replace('-', "")),
        "only a hash of the activation code is stored"
    );

    // Waiting: no code on the control API, the activation form on the device page, and the
    // login does not offer it (the app is anna's only way: it starts at once).
    let device = code_device(&rp, &serial).await;
    assert_eq!(device["activation"], "pending");
    assert!(device["code"].is_null(), "{device}");
    let (html, csrf) = device_page(&rp, &format!("/_sim/codeviewer/{serial}")).await;
    assert!(html.contains("data-activation=\"pending\""), "{html}");
    assert!(!html.contains("id=\"code\""), "no code while waiting");
    let csrf = csrf.expect("the activation form carries a token");
    let walk = Walk::start(&rp).await;
    let screen = walk.next("user_id", &[("user_id", "anna")], "app").await;
    assert!(!screen.offers("method", "code_viewer"));

    // A wrong code over the control API, then another on the device page; both counted.
    let (status, body) = activate(&rp, &serial, "AAAA-AAAA").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "wrong_activation_code");
    assert_eq!(body["attempts_left"], 2);
    let action = sim_url(&rp, &format!("/_sim/codeviewer/{serial}/activate"));
    let (status, location) = post_form(
        &rp,
        &action,
        &[("csrf", &csrf), ("activation_code", "BBBB-BBBB")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.ends_with("?said=wrong"), "{location}");
    let (html, _) = device_page(&rp, &location).await;
    assert!(html.contains("id=\"notice\""), "{html}");
    assert!(html.contains("1 attempt(s) left"), "{html}");
    // A forged token changes nothing.
    let (status, _) = post_form(
        &rp,
        &action,
        &[("csrf", "forged"), ("activation_code", &code)],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The right code, typed in lower case on the page: activated, the page shows codes.
    let (status, location) = post_form(
        &rp,
        &action,
        &[("csrf", &csrf), ("activation_code", &code.to_lowercase())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.ends_with("?said=activated"), "{location}");
    let (html, _) = device_page(&rp, &format!("/_sim/codeviewer/{serial}")).await;
    assert!(html.contains("id=\"code\""), "{html}");
    let (status, body) = activate(&rp, &serial, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("already_active"))
    );

    // Now the login offers it beside the app, and it logs in with the password.
    let walk = Walk::start(&rp).await;
    let screen = walk.next("user_id", &[("user_id", "anna")], "choose").await;
    assert!(screen.offers("method", "code_viewer") && screen.offers("method", "app"));
    walk.next("choose", &[("method", "code_viewer")], "code")
        .await;
    let totp = current_code(&rp, &serial).await;
    walk.next("code", &[("code", &totp)], "password").await;
    let id_token = walk.done("password", &[("password", PASSWORD)]).await;
    assert_eq!(id_token["amr"], json!(["code_token", "password"]));
}

#[tokio::test]
async fn three_wrong_activation_codes_block_until_a_new_device_is_ordered() {
    let rp = Rp::start().await;
    let first = order(&rp, "anna", json!({"kind": "code_reader"})).await;
    let serial = first["serial"].as_str().unwrap().to_string();
    assert!(serial.starts_with("KO-"), "{serial}");
    let code = activation_code(&letter_mentioning(&rp, &serial).await);
    for left in [2, 1] {
        let (status, body) = activate(&rp, &serial, "AAAA-AAAA").await;
        assert_eq!(status, 422);
        assert_eq!(body["attempts_left"], left);
    }
    let (status, body) = activate(&rp, &serial, "AAAA-AAAA").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (423, Some("activation_blocked"))
    );
    // Blocked for good: even the right code is refused, and the page says so.
    let (status, _) = activate(&rp, &serial, &code).await;
    assert_eq!(status, 423);
    let (html, csrf) = device_page(&rp, &format!("/_sim/codereader/{serial}")).await;
    assert!(html.contains("id=\"activation-blocked\""), "{html}");
    assert!(csrf.is_none(), "no activation form on a blocked device");
    assert_eq!(code_device(&rp, &serial).await["activation"], "blocked");
    let walk = Walk::start(&rp).await;
    walk.next("user_id", &[("user_id", "anna")], "app").await;

    // A new order replaces the blocked device; its own letter activates it.
    let second = order(&rp, "anna", json!({"kind": "code_reader"})).await;
    let new_serial = second["serial"].as_str().unwrap().to_string();
    let r = rp
        .host
        .control()
        .get(&format!("/code-devices/{serial}"))
        .await
        .unwrap();
    assert_eq!(r.status, 404, "the blocked device is gone");
    let code = activation_code(&letter_mentioning(&rp, &new_serial).await);
    let (status, body) = activate(&rp, &new_serial, &code).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["activation"], "active");
    let walk = Walk::start(&rp).await;
    walk.next("user_id", &[("user_id", "anna")], "choose").await;
    walk.next("choose", &[("method", "code_reader")], "code")
        .await;
    let totp = current_code(&rp, &new_serial).await;
    walk.next("code", &[("code", &totp)], "password").await;
    let id_token = walk.done("password", &[("password", PASSWORD)]).await;
    assert_eq!(id_token["amr"], json!(["code_reader", "password"]));
}

#[tokio::test]
async fn the_self_service_page_orders_a_code_viewer_with_a_csrf_protected_form() {
    let rp = Rp::start().await;
    let page = sim_url(&rp, "/_sim/self-service/dorthe");
    let html = get_ok(&rp, &page).await;
    assert!(
        html.contains("data-kind=\"code_viewer\" data-state=\"active\""),
        "{html}"
    );
    let csrf = attribute_after(&html, "name=\"csrf\" value=\"").unwrap();
    let action = format!("{page}/order");
    let (status, _) = post_form(&rp, &action, &[("csrf", "forged"), ("kind", "code_viewer")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, html) = {
        let r = rp
            .browser
            .post(&action)
            .form(&[("csrf", csrf.as_str()), ("kind", "chip")])
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    };
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"notice\""), "{html}");

    let (status, location) =
        post_form(&rp, &action, &[("csrf", &csrf), ("kind", "code_viewer")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let serial = location.rsplit('=').next().unwrap().to_string();
    assert!(serial.starts_with("KV-"), "{location}");
    let html = get_ok(&rp, &sim_url(&rp, &location)).await;
    assert!(html.contains(&format!("Ordered {serial}")), "{html}");
    assert!(html.contains("data-state=\"pending\""), "{html}");

    // dorthe's old code viewer works until the new one is activated, then it is retired.
    let walk = Walk::start(&rp).await;
    walk.next("user_id", &[("user_id", "dorthe")], "code").await;
    let code = activation_code(&letter_mentioning(&rp, &serial).await);
    assert_eq!(activate(&rp, &serial, &code).await.0, 200);
    let r = rp
        .host
        .control()
        .get("/code-devices/KV-100200300")
        .await
        .unwrap();
    assert_eq!(r.status, 404, "replaced by {serial}");
    let totp = current_code(&rp, &serial).await;
    walk.next("code", &[("code", &totp)], "password").await;
    let id_token = walk.done("password", &[("password", PASSWORD)]).await;
    assert_eq!(id_token["amr"], json!(["code_token", "password"]));
}
