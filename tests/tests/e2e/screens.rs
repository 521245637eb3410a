//! The login screens over HTTP, walked like a browser walks them: each test starts an
//! interactive login (`prompt=login`), reads the current screen from `GET /login/{txn}`
//! (`data-step`), posts its forms with the page's CSRF token (Post/Redirect/Get: 303 back to
//! the page while the login is pending, 302 to the client once it settles), answers the
//! simulated devices through the control API, and checks the outcome where it counts: at the
//! client (a code and an ID token, or `access_denied` with the failure's code).
//!
//! This module holds the walker and its helpers; the tests are in `screens_app` (the app and
//! its requests), `screens_authenticators` (code viewer, password, chip, key card, blocking and
//! levels) and `screens_outcomes` (CPR match, business identities, failures, rules, CSRF,
//! language and the login's expiry).

use crate::support::*;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

pub(crate) const LOW: &str = "https://data.gov.dk/concept/core/nsis/Low";
pub(crate) const SUBSTANTIAL: &str = "https://data.gov.dk/concept/core/nsis/Substantial";
pub(crate) const HIGH: &str = "https://data.gov.dk/concept/core/nsis/High";
/// Every seeded identity's password.
pub(crate) const PASSWORD: &str = "test1234";
/// dorthe's code viewer.
pub(crate) const CODE_VIEWER: &str = "KV-100200300";
pub(crate) const STATE: &str = "state-123";
/// The default code lockout (three wrong codes block for 15 minutes).
pub(crate) const BLOCK_SECONDS: i64 = 15 * 60;
/// How long an app request waits (config `login.app_approval_seconds`).
pub(crate) const APP_SECONDS: i64 = 180;

// ---- the walker

/// One screen of a pending login: its `data-step` and the whole page.
pub(crate) struct Screen {
    step: String,
    html: String,
}

impl Screen {
    fn parse(html: String) -> Screen {
        let step = attribute(&html, "data-step")
            .unwrap_or_else(|| panic!("no data-step on the login page:\n{html}"));
        Screen { step, html }
    }

    /// The text of the element with this id; fails the test when there is none.
    pub fn text(&self, id: &str) -> String {
        element_text(&self.html, id)
            .unwrap_or_else(|| panic!("no #{id} on the {} screen:\n{}", self.step, self.card()))
    }

    /// The screen's `data-step`.
    pub fn step(&self) -> &str {
        &self.step
    }

    /// The notice (`#notice`), if the screen shows one.
    pub fn notice(&self) -> Option<String> {
        element_text(&self.html, "notice")
    }

    pub fn has(&self, fragment: &str) -> bool {
        self.html.contains(fragment)
    }

    /// Whether the form offers this button (`name="{name}" value="{value}"`).
    pub fn offers(&self, name: &str, value: &str) -> bool {
        self.has(&format!("name=\"{name}\" value=\"{value}\""))
    }

    /// The login card, for assertion messages.
    pub fn card(&self) -> &str {
        let start = self.html.find("id=\"login\"").unwrap_or(0);
        let end = self.html[start..]
            .find("<details")
            .map_or(self.html.len(), |e| start + e);
        &self.html[start..end]
    }

    pub fn expect(self, step: &str) -> Screen {
        assert_eq!(
            self.step,
            step,
            "expected the {step} screen:\n{}",
            self.card()
        );
        self
    }
}

/// What posting a form did: the login waits on its next screen, or it settled and the
/// browser goes back to the client.
enum After {
    Screen(Screen),
    Client(Url),
}

/// An interactive login walked through its screens in the test's browser.
pub(crate) struct Walk<'a> {
    rp: &'a Rp,
    pkce: Pkce,
    /// The login page, `/login/{txn}`.
    pub page: Url,
    /// The login transaction's id.
    pub id: String,
    pub csrf: String,
    /// The client the code is redeemed as: (client_id, client_secret).
    client: (&'static str, &'static str),
}

impl<'a> Walk<'a> {
    /// Starts a login for the test client: `openid mitid`, `prompt=login`, plus `extra`.
    pub async fn start(rp: &'a Rp, extra: &[(&str, &str)]) -> Walk<'a> {
        Walk::start_as(rp, (CLIENT_ID, CLIENT_SECRET), extra).await
    }

    /// Starts a login for another registered client (`extra` names it with `client_id`).
    pub async fn start_as(
        rp: &'a Rp,
        client: (&'static str, &'static str),
        extra: &[(&str, &str)],
    ) -> Walk<'a> {
        let pkce = Pkce::new();
        let mut params = vec![
            ("client_id", client.0),
            ("scope", "openid mitid"),
            ("prompt", "login"),
        ];
        params.extend_from_slice(extra);
        let response = rp.authorize(&pkce, &params).await;
        let page = redirect_to(&response);
        let prefix = rp.url("/login/");
        let id = page
            .as_str()
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("expected a redirect to the login page, got {page}"))
            .to_string();
        assert!(!id.is_empty() && !id.contains('/'), "{page}");
        let header = response.headers()["x-sim-login-id"].to_str().unwrap();
        assert_eq!(header, id, "x-sim-login-id names the login of the page");
        let mut walk = Walk {
            rp,
            pkce,
            page,
            id,
            csrf: String::new(),
            client,
        };
        let html = walk.get_page().await;
        walk.csrf = attribute_after(&html, "name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no csrf field on the login page:\n{html}"));
        walk
    }

    async fn get_page(&self) -> String {
        let response = self.rp.browser.get(self.page.clone()).send().await.unwrap();
        if response.status() == StatusCode::FOUND {
            panic!(
                "the login page redirected (the login settled): {:?}",
                response.headers().get(LOCATION)
            );
        }
        assert_eq!(response.status(), StatusCode::OK, "GET {}", self.page);
        response.text().await.unwrap()
    }

    /// The current screen.
    pub async fn screen(&self) -> Screen {
        Screen::parse(self.get_page().await)
    }

    /// The login page of a login that has settled (a device answered): the 302 to the client.
    pub async fn returned(&self) -> Url {
        let response = self.rp.browser.get(self.page.clone()).send().await.unwrap();
        if response.status() == StatusCode::OK {
            let screen = Screen::parse(response.text().await.unwrap());
            panic!(
                "expected the settled login to go back to the client; it is still on the {} \
                 screen:\n{}",
                screen.step,
                screen.card()
            );
        }
        redirect_to(&response)
    }

    /// POSTs a form of the page with `fields` (the CSRF token is added).
    pub async fn post(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.rp
            .browser
            .post(self.page.clone())
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Presses the button `action` with `fields`: follows the 303 back to the page (the login
    /// waits on its next screen) or returns the 302 to the client (it settled).
    async fn submit(&self, action: &str, fields: &[(&str, &str)]) -> After {
        let mut form = vec![("action", action)];
        form.extend_from_slice(fields);
        let response = self.post(&form).await;
        match response.status() {
            StatusCode::SEE_OTHER => {
                let location = response.headers()[LOCATION].to_str().unwrap();
                assert_eq!(
                    location,
                    self.page.as_str(),
                    "a pending login's form answers 303 to its own page"
                );
                After::Screen(self.screen().await)
            }
            StatusCode::FOUND => After::Client(redirect_to(&response)),
            status => panic!(
                "posting {action} answered {status}: {}",
                response.text().await.unwrap_or_default()
            ),
        }
    }

    /// Presses `action`; the login must still be pending. Returns its next screen.
    pub async fn next(&self, action: &str, fields: &[(&str, &str)]) -> Screen {
        match self.submit(action, fields).await {
            After::Screen(screen) => screen,
            After::Client(location) => {
                panic!("expected {action} to keep the login pending, but it went to {location}")
            }
        }
    }

    /// Presses `action`; the login must settle. Returns the redirect to the client.
    pub async fn done(&self, action: &str, fields: &[(&str, &str)]) -> Url {
        match self.submit(action, fields).await {
            After::Client(location) => location,
            After::Screen(screen) => panic!(
                "expected {action} to settle the login; it is on the {} screen:\n{}",
                screen.step,
                screen.card()
            ),
        }
    }

    pub async fn user_id(&self, user: &str) -> Screen {
        self.next("user_id", &[("user_id", user)]).await
    }

    /// `location` is the client's redirect URI with this login's `state` and `iss`.
    fn at_client(&self, location: &Url) {
        let mut base = location.clone();
        base.set_query(None);
        assert_eq!(base.as_str(), REDIRECT_URI, "{location}");
        assert_eq!(
            query(location, "state").as_deref(),
            Some(STATE),
            "{location}"
        );
        assert_eq!(
            query(location, "iss").as_deref(),
            Some(self.rp.issuer()),
            "{location}"
        );
    }

    /// The client got a code: redeem it; returns the token response.
    pub async fn tokens(&self, location: &Url) -> Value {
        self.at_client(location);
        assert!(query(location, "error").is_none(), "{location}");
        let code =
            query(location, "code").unwrap_or_else(|| panic!("expected a code, got {location}"));
        let response = self
            .rp
            .exchange_as(self.client.0, self.client.1, &code, &self.pkce)
            .await;
        assert_eq!(response.status(), StatusCode::OK, "the code is redeemed");
        response.json().await.unwrap()
    }

    /// The client got a code: the claims of the ID token it redeems for.
    pub async fn id_token(&self, location: &Url) -> Value {
        let tokens = self.tokens(location).await;
        claims(tokens["id_token"].as_str().unwrap())
    }

    /// The client got `access_denied` with `description` (and the login's `state`).
    pub fn denied(&self, location: &Url, description: &str) {
        self.at_client(location);
        assert_eq!(
            query(location, "error").as_deref(),
            Some("access_denied"),
            "{location}"
        );
        assert_eq!(
            query(location, "error_description").as_deref(),
            Some(description),
            "{location}"
        );
        assert!(query(location, "code").is_none(), "{location}");
    }

    /// On the failure screen: leave it; the client gets `access_denied` with `description`.
    pub async fn leave_with(&self, description: &str) {
        let screen = self.screen().await.expect("failed");
        assert!(
            screen.has("id=\"failure\""),
            "the failure screen has its title:\n{}",
            screen.card()
        );
        let location = self.done("leave", &[]).await;
        self.denied(&location, description);
    }
}

// ---- HTML and devices

/// The value of the first `name="..."` attribute in `html`.
pub(crate) fn attribute(html: &str, name: &str) -> Option<String> {
    attribute_after(html, &format!("{name}=\""))
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

/// Where the simulated device pages live: beside the control API (`/_sim`).
pub(crate) fn sim_url(rp: &Rp, path: &str) -> String {
    let control = rp.host.control().base();
    let base = control.strip_suffix("/v1").unwrap_or(control);
    format!("{base}{path}")
}

pub(crate) async fn app_requests(rp: &Rp, user: &str) -> Vec<Value> {
    let r = rp
        .host
        .control()
        .get(&format!("/identities/{user}/app/requests"))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body.as_array().unwrap().clone()
}

/// The app's waiting request for `login`, if there is one.
pub(crate) async fn app_request(rp: &Rp, user: &str, login: &str) -> Option<Value> {
    app_requests(rp, user)
        .await
        .into_iter()
        .find(|r| r["login_id"] == login)
}

/// The control API's app approval, with the code from the browser or without one.
pub(crate) async fn approve_app(
    rp: &Rp,
    user: &str,
    login: &str,
    code: Option<&str>,
) -> (u16, Value) {
    let body = match code {
        Some(code) => json!({ "code": code }),
        None => json!({}),
    };
    let r = rp
        .host
        .control()
        .post(
            &format!("/identities/{user}/app/requests/{login}/approve"),
            &body,
        )
        .await
        .unwrap();
    (r.status, r.body)
}

/// Walks to the app screen and approves with the code it shows; the login goes on.
pub(crate) async fn approve_shown_code(walk: &Walk<'_>, user: &str, screen: &Screen) {
    let code = screen.text("app-code");
    let (status, body) = approve_app(walk.rp, user, &walk.id, Some(&code)).await;
    assert_eq!(status, 200, "{body}");
}

/// The code viewer's current code, from the control API.
pub(crate) async fn viewer_code(rp: &Rp) -> String {
    let r = rp
        .host
        .control()
        .get(&format!("/code-devices/{CODE_VIEWER}"))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["user_id"], "dorthe");
    let code = r.body["code"].as_str().unwrap().to_string();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    code
}

/// A 6-digit code that is not `code` (each digit moved by one).
pub(crate) fn other_code(code: &str) -> String {
    code.bytes()
        .map(|b| char::from(b'0' + (b - b'0' + 1) % 10))
        .collect()
}

/// A person's key card lines: (key, code, used).
pub(crate) async fn key_card(rp: &Rp, user: &str) -> Vec<(String, String, bool)> {
    let r = rp
        .host
        .control()
        .get(&format!("/identities/{user}/key-card"))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["key"].as_str().unwrap().to_string(),
                l["code"].as_str().unwrap().to_string(),
                l["used"].as_bool().unwrap(),
            )
        })
        .collect()
}

pub(crate) async fn key_code(rp: &Rp, user: &str, key: &str) -> (String, bool) {
    key_card(rp, user)
        .await
        .into_iter()
        .find(|(k, _, _)| k == key)
        .map(|(_, code, used)| (code, used))
        .unwrap_or_else(|| panic!("key {key} is not on {user}'s key card"))
}

pub(crate) async fn set_rule(rp: &Rp, user: &str, rule: Value) {
    let r = rp
        .host
        .control()
        .patch(&format!("/identities/{user}"), &json!({ "rule": rule }))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
}

pub(crate) async fn userinfo(rp: &Rp, tokens: &Value) -> Value {
    let response = reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// A full app login of `user` in a new walk: the ID token's claims.
pub(crate) async fn app_login(rp: &Rp, user: &str, extra: &[(&str, &str)]) -> Value {
    let walk = Walk::start(rp, extra).await;
    let mut screen = walk.user_id(user).await;
    if screen.step == "choose" {
        screen = walk.next("choose", &[("method", "app")]).await;
    }
    let screen = screen.expect("app");
    approve_shown_code(&walk, user, &screen).await;
    let location = walk.returned().await;
    walk.id_token(&location).await
}
