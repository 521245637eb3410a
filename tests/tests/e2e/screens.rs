//! The login screens over HTTP, walked like a browser walks them: each test starts an
//! interactive login (`prompt=login`), reads the current screen from `GET /login/{txn}`
//! (`data-step`), posts its forms with the page's CSRF token (Post/Redirect/Get: 303 back to
//! the page while the login is pending, 302 to the client once it settles), answers the
//! simulated devices through the control API, and checks the outcome where it counts: at the
//! client (a code and an ID token, or `access_denied` with the failure's code).

use crate::support::*;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

const LOW: &str = "https://data.gov.dk/concept/core/nsis/Low";
const SUBSTANTIAL: &str = "https://data.gov.dk/concept/core/nsis/Substantial";
const HIGH: &str = "https://data.gov.dk/concept/core/nsis/High";
/// Every seeded identity's password.
const PASSWORD: &str = "test1234";
/// dorthe's code viewer.
const CODE_VIEWER: &str = "KV-100200300";
const STATE: &str = "state-123";
/// The default code lockout (three wrong codes block for 15 minutes).
const BLOCK_SECONDS: i64 = 15 * 60;
/// How long an app request waits (config `login.app_approval_seconds`).
const APP_SECONDS: i64 = 180;

// ---- the walker

/// One screen of a pending login: its `data-step` and the whole page.
struct Screen {
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
    fn text(&self, id: &str) -> String {
        element_text(&self.html, id)
            .unwrap_or_else(|| panic!("no #{id} on the {} screen:\n{}", self.step, self.card()))
    }

    /// The notice (`#notice`), if the screen shows one.
    fn notice(&self) -> Option<String> {
        element_text(&self.html, "notice")
    }

    fn has(&self, fragment: &str) -> bool {
        self.html.contains(fragment)
    }

    /// Whether the form offers this button (`name="{name}" value="{value}"`).
    fn offers(&self, name: &str, value: &str) -> bool {
        self.has(&format!("name=\"{name}\" value=\"{value}\""))
    }

    /// The login card, for assertion messages.
    fn card(&self) -> &str {
        let start = self.html.find("id=\"login\"").unwrap_or(0);
        let end = self.html[start..]
            .find("<details")
            .map_or(self.html.len(), |e| start + e);
        &self.html[start..end]
    }

    fn expect(self, step: &str) -> Screen {
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
struct Walk<'a> {
    rp: &'a Rp,
    pkce: Pkce,
    /// The login page, `/login/{txn}`.
    page: Url,
    /// The login transaction's id.
    id: String,
    csrf: String,
    /// The client the code is redeemed as: (client_id, client_secret).
    client: (&'static str, &'static str),
}

impl<'a> Walk<'a> {
    /// Starts a login for the test client: `openid mitid`, `prompt=login`, plus `extra`.
    async fn start(rp: &'a Rp, extra: &[(&str, &str)]) -> Walk<'a> {
        Walk::start_as(rp, (CLIENT_ID, CLIENT_SECRET), extra).await
    }

    /// Starts a login for another registered client (`extra` names it with `client_id`).
    async fn start_as(
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
    async fn screen(&self) -> Screen {
        Screen::parse(self.get_page().await)
    }

    /// The login page of a login that has settled (a device answered): the 302 to the client.
    async fn returned(&self) -> Url {
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
    async fn post(&self, fields: &[(&str, &str)]) -> reqwest::Response {
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
    async fn next(&self, action: &str, fields: &[(&str, &str)]) -> Screen {
        match self.submit(action, fields).await {
            After::Screen(screen) => screen,
            After::Client(location) => {
                panic!("expected {action} to keep the login pending, but it went to {location}")
            }
        }
    }

    /// Presses `action`; the login must settle. Returns the redirect to the client.
    async fn done(&self, action: &str, fields: &[(&str, &str)]) -> Url {
        match self.submit(action, fields).await {
            After::Client(location) => location,
            After::Screen(screen) => panic!(
                "expected {action} to settle the login; it is on the {} screen:\n{}",
                screen.step,
                screen.card()
            ),
        }
    }

    async fn user_id(&self, user: &str) -> Screen {
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
    async fn tokens(&self, location: &Url) -> Value {
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
    async fn id_token(&self, location: &Url) -> Value {
        let tokens = self.tokens(location).await;
        claims(tokens["id_token"].as_str().unwrap())
    }

    /// The client got `access_denied` with `description` (and the login's `state`).
    fn denied(&self, location: &Url, description: &str) {
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
    async fn leave_with(&self, description: &str) {
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
fn attribute(html: &str, name: &str) -> Option<String> {
    attribute_after(html, &format!("{name}=\""))
}

/// The text after `prefix`, up to the next double quote.
fn attribute_after(html: &str, prefix: &str) -> Option<String> {
    let start = html.find(prefix)? + prefix.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// The text content of the (leaf) element with this id.
fn element_text(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[at..];
    let start = rest.find('>')? + 1;
    let end = rest[start..].find('<')?;
    Some(rest[start..start + end].trim().to_string())
}

/// Where the simulated device pages live: beside the control API (`/_sim`).
fn sim_url(rp: &Rp, path: &str) -> String {
    let control = rp.host.control().base();
    let base = control.strip_suffix("/v1").unwrap_or(control);
    format!("{base}{path}")
}

async fn app_requests(rp: &Rp, user: &str) -> Vec<Value> {
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
async fn app_request(rp: &Rp, user: &str, login: &str) -> Option<Value> {
    app_requests(rp, user)
        .await
        .into_iter()
        .find(|r| r["login_id"] == login)
}

/// The control API's app approval, with the code from the browser or without one.
async fn approve_app(rp: &Rp, user: &str, login: &str, code: Option<&str>) -> (u16, Value) {
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
async fn approve_shown_code(walk: &Walk<'_>, user: &str, screen: &Screen) {
    let code = screen.text("app-code");
    let (status, body) = approve_app(walk.rp, user, &walk.id, Some(&code)).await;
    assert_eq!(status, 200, "{body}");
}

/// The code viewer's current code, from the control API.
async fn viewer_code(rp: &Rp) -> String {
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
fn other_code(code: &str) -> String {
    code.bytes()
        .map(|b| char::from(b'0' + (b - b'0' + 1) % 10))
        .collect()
}

/// A person's key card lines: (key, code, used).
async fn key_card(rp: &Rp, user: &str) -> Vec<(String, String, bool)> {
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

async fn key_code(rp: &Rp, user: &str, key: &str) -> (String, bool) {
    key_card(rp, user)
        .await
        .into_iter()
        .find(|(k, _, _)| k == key)
        .map(|(_, code, used)| (code, used))
        .unwrap_or_else(|| panic!("key {key} is not on {user}'s key card"))
}

async fn set_rule(rp: &Rp, user: &str, rule: Value) {
    let r = rp
        .host
        .control()
        .patch(&format!("/identities/{user}"), &json!({ "rule": rule }))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
}

async fn userinfo(rp: &Rp, tokens: &Value) -> Value {
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
async fn app_login(rp: &Rp, user: &str, extra: &[(&str, &str)]) -> Value {
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

// ---- 1-4: the app

#[tokio::test]
async fn app_login_approved_with_the_code_the_page_shows() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    walk.screen().await.expect("user_id");
    let screen = walk.user_id("anna").await.expect("app");
    let code = screen.text("app-code");
    assert!(
        code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()),
        "a 4-digit code: {code}"
    );
    let request = app_request(&rp, "anna", &walk.id)
        .await
        .expect("the app sees the login");
    assert_eq!(request["seconds_left"], APP_SECONDS);
    assert_eq!(request["client_id"], CLIENT_ID);

    let (status, body) = approve_app(&rp, "anna", &walk.id, Some(&code)).await;
    assert_eq!(status, 200, "{body}");
    let location = walk.returned().await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["code_app"]));
    assert_eq!(id_token["acr"], SUBSTANTIAL);
    assert_eq!(id_token["idp"], "mitid");
    assert_eq!(
        id_token["auth_time"].as_i64(),
        Some(rp.host.clock().now()),
        "auth_time is the approval's time: {id_token}"
    );
}

#[tokio::test]
async fn a_wrong_app_code_is_refused_and_the_login_waits() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("anna").await.expect("app");
    let code = screen.text("app-code");
    let wrong = other_code(&code);

    let (status, body) = approve_app(&rp, "anna", &walk.id, Some(&wrong)).await;
    assert_eq!(status, 422, "a wrong code is refused: {body}");
    let screen = walk.screen().await.expect("app");
    assert_eq!(
        screen.text("app-code"),
        code,
        "the same request still waits"
    );
    assert!(app_request(&rp, "anna", &walk.id).await.is_some());

    let (status, body) = approve_app(&rp, "anna", &walk.id, None).await;
    assert_eq!(
        status, 200,
        "the control API may approve without the code: {body}"
    );
    let location = walk.returned().await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["code_app"]));
}

#[tokio::test]
async fn an_app_rejection_aborts_the_login() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    walk.user_id("anna").await.expect("app");
    let r = rp
        .host
        .control()
        .post(
            &format!("/identities/anna/app/requests/{}/reject", walk.id),
            &json!({}),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    let location = walk.returned().await;
    walk.denied(&location, "mitid_user_aborted");
}

#[tokio::test]
async fn an_app_request_expires_and_retry_sends_a_new_one() {
    let rp = Rp::start().await;

    // Leaving after the expiry: the client hears why.
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("anna").await.expect("app");
    let old_code = screen.text("app-code");
    rp.host.clock().advance(APP_SECONDS + 1);
    let screen = walk.screen().await.expect("failed");
    assert_eq!(screen.text("failure"), "Anmodningen er udløbet");
    assert!(screen.offers("action", "retry"), "{}", screen.card());
    assert!(app_request(&rp, "anna", &walk.id).await.is_none());
    let (status, body) = approve_app(&rp, "anna", &walk.id, Some(&old_code)).await;
    assert!(
        status == 404 || status == 410,
        "an expired request cannot be approved: {status} {body}"
    );
    walk.leave_with("mitid_approval_expired").await;

    // Retrying instead: a fresh request, which the app approves.
    let walk = Walk::start(&rp, &[]).await;
    let first = walk.user_id("anna").await.expect("app");
    let first_expiry = app_request(&rp, "anna", &walk.id).await.unwrap()["expires_at"].clone();
    rp.host.clock().advance(APP_SECONDS + 1);
    walk.screen().await.expect("failed");
    let screen = walk.next("retry", &[]).await.expect("app");
    let request = app_request(&rp, "anna", &walk.id)
        .await
        .expect("a fresh request waits for the app");
    assert_eq!(request["seconds_left"], APP_SECONDS);
    assert!(
        request["expires_at"].as_i64() > first_expiry.as_i64(),
        "a new request: {request}, the first expired at {first_expiry}"
    );
    let code = screen.text("app-code");
    if code != first.text("app-code") {
        let (status, _) = approve_app(&rp, "anna", &walk.id, Some(&first.text("app-code"))).await;
        assert_eq!(
            status, 422,
            "the expired request's code is not the new one's"
        );
    }
    let (status, body) = approve_app(&rp, "anna", &walk.id, Some(&code)).await;
    assert_eq!(status, 200, "{body}");
    let location = walk.returned().await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["code_app"]));
    assert_eq!(id_token["acr"], SUBSTANTIAL);
}

// ---- 5-6: the code viewer

#[tokio::test]
async fn code_viewer_and_password_and_a_code_is_never_accepted_twice() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    // The code viewer is dorthe's only way to reach substantial: it starts at once.
    let screen = walk.user_id("dorthe").await.expect("code");
    assert!(
        screen.has(&format!("/_sim/codeviewer/{CODE_VIEWER}")),
        "the screen links the device:\n{}",
        screen.card()
    );
    let code = viewer_code(&rp).await;
    let device_page = rp
        .browser
        .get(sim_url(&rp, &format!("/codeviewer/{CODE_VIEWER}")))
        .send()
        .await
        .unwrap();
    assert_eq!(device_page.status(), StatusCode::OK);
    let device_page = device_page.text().await.unwrap();
    assert_eq!(
        element_text(&device_page, "code").as_deref(),
        Some(code.as_str()),
        "the device page shows the same code"
    );
    walk.next("code", &[("code", &code)])
        .await
        .expect("password");
    let location = walk.done("password", &[("password", PASSWORD)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["code_token", "password"]));
    assert_eq!(id_token["acr"], SUBSTANTIAL);

    // The same code again, in the same 30 s step: refused.
    let walk = Walk::start(&rp, &[]).await;
    walk.user_id("dorthe").await.expect("code");
    let screen = walk.next("code", &[("code", &code)]).await.expect("code");
    assert!(
        screen.notice().is_some_and(|n| n.contains('2')),
        "a replayed code counts as wrong:\n{}",
        screen.card()
    );
    // 30 s later the old code is still in the accepted window, but was used: refused; the
    // new one works.
    rp.host.clock().advance(30);
    let screen = walk.next("code", &[("code", &code)]).await.expect("code");
    assert!(
        screen.notice().is_some_and(|n| n.contains('1')),
        "{}",
        screen.card()
    );
    let fresh = viewer_code(&rp).await;
    assert_ne!(fresh, code, "a new code every 30 s");
    walk.next("code", &[("code", &fresh)])
        .await
        .expect("password");
    let location = walk.done("password", &[("password", PASSWORD)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["code_token", "password"]));
}

/// Three wrong codes on a fresh code-viewer login: the failure screen.
async fn block_code_viewer(rp: &Rp) -> Walk<'_> {
    let walk = Walk::start(rp, &[]).await;
    walk.user_id("dorthe").await.expect("code");
    for left in ["2", "1"] {
        let wrong = other_code(&viewer_code(rp).await);
        let screen = walk.next("code", &[("code", &wrong)]).await.expect("code");
        let notice = screen
            .notice()
            .unwrap_or_else(|| panic!("a notice after a wrong code:\n{}", screen.card()));
        assert!(
            notice.contains(&format!("{left} forsøg")),
            "{left} attempt(s) left: {notice}"
        );
    }
    let wrong = other_code(&viewer_code(rp).await);
    let screen = walk
        .next("code", &[("code", &wrong)])
        .await
        .expect("failed");
    assert_eq!(screen.text("failure"), "Midlertidigt spærret");
    assert!(screen.has("kodeviseren"), "{}", screen.card());
    walk
}

/// A full code-viewer login of dorthe in a new walk succeeds.
async fn code_viewer_login_works(rp: &Rp) {
    let walk = Walk::start(rp, &[]).await;
    walk.user_id("dorthe").await.expect("code");
    let code = viewer_code(rp).await;
    walk.next("code", &[("code", &code)])
        .await
        .expect("password");
    let location = walk.done("password", &[("password", PASSWORD)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["code_token", "password"]));
}

#[tokio::test]
async fn three_wrong_codes_block_the_code_viewer_until_time_or_the_control_api_lifts_it() {
    let rp = Rp::start().await;
    let walk = block_code_viewer(&rp).await;
    walk.leave_with("mitid_authenticator_blocked").await;

    // The device says so.
    let page = rp
        .browser
        .get(sim_url(&rp, &format!("/codeviewer/{CODE_VIEWER}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"blocked\""),
        "the device page says blocked"
    );
    let r = rp
        .host
        .control()
        .get("/identities/dorthe/devices")
        .await
        .unwrap();
    assert!(
        r.body["code_viewer"]["blocked_until"].is_i64(),
        "{:?}",
        r.body
    );

    // A new login is blocked at once, even with the right code at hand.
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("dorthe").await.expect("failed");
    assert_eq!(screen.text("failure"), "Midlertidigt spærret");
    walk.leave_with("mitid_authenticator_blocked").await;

    // The block ends by itself.
    rp.host.clock().advance(BLOCK_SECONDS);
    code_viewer_login_works(&rp).await;

    // Blocked again; the control API lifts it.
    let walk = block_code_viewer(&rp).await;
    walk.leave_with("mitid_authenticator_blocked").await;
    let r = rp
        .host
        .control()
        .post("/identities/dorthe/devices/code_viewer/unblock", &json!({}))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The last code was used by the login before the block: wait for the next one.
    rp.host.clock().advance(30);
    code_viewer_login_works(&rp).await;
}

// ---- 7-8: levels

#[tokio::test]
async fn the_password_alone_does_not_reach_substantial_but_reaches_low() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("carl").await.expect("failed");
    assert_eq!(screen.text("failure"), "Ikke nok til denne tjeneste");
    assert!(!screen.offers("action", "retry"), "{}", screen.card());
    walk.leave_with("mitid_level_not_reachable").await;

    let walk = Walk::start(&rp, &[("acr_values", LOW)]).await;
    walk.user_id("carl").await.expect("password");
    let location = walk.done("password", &[("password", PASSWORD)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["password"]));
    assert_eq!(id_token["acr"], LOW);
}

#[tokio::test]
async fn step_up_to_high_needs_the_chip() {
    let rp = Rp::start().await;

    // anna's app reaches substantial; nothing of hers reaches high.
    let first = app_login(&rp, "anna", &[]).await;
    assert_eq!(first["acr"], SUBSTANTIAL);
    let walk = Walk::start(&rp, &[("acr_values", HIGH)]).await;
    walk.user_id("anna").await.expect("failed");
    walk.leave_with("mitid_level_not_reachable").await;

    // jens logs in with the app, then steps up with password and chip.
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("jens").await.expect("choose");
    assert!(screen.offers("method", "app"), "{}", screen.card());
    assert!(screen.offers("method", "chip"), "{}", screen.card());
    assert!(
        !screen.offers("method", "password"),
        "the password alone does not reach substantial:\n{}",
        screen.card()
    );
    let screen = walk
        .next("choose", &[("method", "app")])
        .await
        .expect("app");
    approve_shown_code(&walk, "jens", &screen).await;
    let location = walk.returned().await;
    let first = walk.id_token(&location).await;
    assert_eq!(first["acr"], SUBSTANTIAL);
    assert_eq!(first["amr"], json!(["code_app"]));

    rp.host.clock().advance(120);
    let walk = Walk::start(&rp, &[("acr_values", HIGH)]).await;
    // Only the chip reaches high: it starts at once, password first; nothing to switch to.
    let screen = walk.user_id("jens").await.expect("password");
    assert!(!screen.offers("action", "switch"), "{}", screen.card());
    walk.next("password", &[("password", PASSWORD)])
        .await
        .expect("chip");
    let r = rp
        .host
        .control()
        .get("/identities/jens/chip/requests")
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        r.body
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["login_id"] == walk.id.as_str()),
        "the chip sees the login: {:?}",
        r.body
    );
    let r = rp
        .host
        .control()
        .post(
            &format!("/identities/jens/chip/requests/{}/touch", walk.id),
            &json!({}),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    let location = walk.returned().await;
    let second = walk.id_token(&location).await;
    assert_eq!(second["acr"], HIGH);
    assert_eq!(second["amr"], json!(["password", "u2f_token"]));
    assert_eq!(second["sub"], first["sub"]);
    assert!(
        second["auth_time"].as_i64().unwrap() > first["auth_time"].as_i64().unwrap(),
        "a new authentication: {} then {}",
        first["auth_time"],
        second["auth_time"]
    );
}

// ---- 9: CPR match

const PRIVATE: (&str, &str) = ("private-rp", CLIENT_SECRET);

async fn private_client(rp: &Rp) {
    register_client(
        &rp.host,
        json!({"client_id": PRIVATE.0, "name": "Private RP", "private_service": true}),
    )
    .await;
}

/// anna's app login for the private client asking for `ssn`, up to the CPR screen.
async fn to_cpr_screen(rp: &Rp) -> Walk<'_> {
    let walk = Walk::start_as(
        rp,
        PRIVATE,
        &[("client_id", PRIVATE.0), ("scope", "openid mitid ssn")],
    )
    .await;
    let screen = walk.user_id("anna").await.expect("app");
    approve_shown_code(&walk, "anna", &screen).await;
    walk.screen().await.expect("cpr");
    walk
}

#[tokio::test]
async fn cpr_match_for_a_private_service() {
    let rp = Rp::start().await;
    private_client(&rp).await;

    for typed in ["720490-1236", "7204901236"] {
        let walk = to_cpr_screen(&rp).await;
        let location = walk.done("cpr", &[("cpr", typed)]).await;
        let tokens = walk.tokens(&location).await;
        let id_token = claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(id_token["amr"], json!(["code_app"]));
        let info = userinfo(&rp, &tokens).await;
        assert_eq!(info["dk.cpr"], "7204901236", "typed {typed}: {info}");
    }

    let walk = to_cpr_screen(&rp).await;
    for (wrong, left) in [("901175-2131", "2"), ("0101011234", "1")] {
        let screen = walk.next("cpr", &[("cpr", wrong)]).await.expect("cpr");
        let notice = screen
            .notice()
            .unwrap_or_else(|| panic!("a notice after a wrong CPR:\n{}", screen.card()));
        assert!(notice.contains(&format!("{left} forsøg")), "{notice}");
    }
    let screen = walk
        .next("cpr", &[("cpr", "720490-1237")])
        .await
        .expect("failed");
    assert_eq!(screen.text("failure"), "CPR-nummeret passede ikke");
    walk.leave_with("mitid_cpr_match_failed").await;
}

#[tokio::test]
async fn a_public_client_asking_for_ssn_gets_no_cpr_screen() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[("scope", "openid mitid ssn")]).await;
    let screen = walk.user_id("anna").await.expect("app");
    approve_shown_code(&walk, "anna", &screen).await;
    // Settled by the app: straight back to the client.
    let location = walk.returned().await;
    let tokens = walk.tokens(&location).await;
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["amr"], json!(["code_app"]));
}

// ---- 10: business identities

const IDA_BUSINESS: &str = "f0e1d2c3-b4a5-4968-8776-655443322108";
const JENS_BUSINESS: &str = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c09";

#[tokio::test]
async fn a_business_identity_is_chosen_after_the_app() {
    let rp = Rp::start().await;

    // MitID Erhverv only: the business identities, no private choice.
    let walk = Walk::start(&rp, &[("idp_values", "mitid_erhverv")]).await;
    let screen = walk.user_id("ida").await.expect("app");
    approve_shown_code(&walk, "ida", &screen).await;
    let screen = walk.screen().await.expect("business");
    assert!(screen.offers("business", IDA_BUSINESS), "{}", screen.card());
    assert!(screen.has("Simulatorfirmaet ApS"), "{}", screen.card());
    assert!(!screen.offers("business", "private"), "{}", screen.card());
    let location = walk.done("business", &[("business", IDA_BUSINESS)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["idp"], "mitid_erhverv");

    // MitID Erhverv or MitID: continuing as private is offered, and gives MitID.
    let walk = Walk::start(&rp, &[("idp_values", "mitid_erhverv mitid")]).await;
    walk.user_id("jens").await.expect("choose");
    let screen = walk
        .next("choose", &[("method", "app")])
        .await
        .expect("app");
    approve_shown_code(&walk, "jens", &screen).await;
    let screen = walk.screen().await.expect("business");
    assert!(
        screen.offers("business", JENS_BUSINESS),
        "{}",
        screen.card()
    );
    assert!(screen.offers("business", "private"), "{}", screen.card());
    let location = walk.done("business", &[("business", "private")]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["idp"], "mitid");

    // Someone without a business identity, when only MitID Erhverv will do.
    let walk = Walk::start(&rp, &[("idp_values", "mitid_erhverv")]).await;
    let screen = walk.user_id("anna").await.expect("failed");
    assert_eq!(screen.text("failure"), "Ingen erhvervsidentitet");
    walk.leave_with("mitid_erhverv_no_identity").await;
}

// ---- 11: NemID

/// lis's NemID login up to the key card: the key number shown.
async fn to_key_card(walk: &Walk<'_>) -> String {
    walk.user_id("lis").await.expect("password");
    let screen = walk
        .next("password", &[("password", PASSWORD)])
        .await
        .expect("key_card");
    let key = screen.text("key-number");
    assert!(
        key.len() == 4 && key.bytes().all(|b| b.is_ascii_digit()),
        "{key}"
    );
    key
}

#[tokio::test]
async fn nemid_key_card_login_spends_each_key_once() {
    let rp = Rp::start().await;
    let nemid = [("idp_values", "nemid")];

    let walk = Walk::start(&rp, &nemid).await;
    let first_key = to_key_card(&walk).await;
    let (code, used) = key_code(&rp, "lis", &first_key).await;
    assert!(!used, "the key asked for is unused");
    let location = walk.done("code", &[("code", &code)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["idp"], "nemid");
    assert_eq!(id_token["amr"], json!(["password", "key_card"]));
    assert_eq!(id_token["acr"], SUBSTANTIAL);
    assert!(key_code(&rp, "lis", &first_key).await.1, "the key is spent");

    // The next login asks another key; a wrong code spends it and asks a third.
    let walk = Walk::start(&rp, &nemid).await;
    let second_key = to_key_card(&walk).await;
    assert_ne!(second_key, first_key, "a spent key is never asked again");
    let (right, _) = key_code(&rp, "lis", &second_key).await;
    let screen = walk
        .next("code", &[("code", &other_code(&right))])
        .await
        .expect("key_card");
    assert!(
        screen.notice().is_some(),
        "a wrong key-card code says so:\n{}",
        screen.card()
    );
    let third_key = screen.text("key-number");
    assert_ne!(third_key, second_key, "a wrong code spends the key");
    assert_ne!(third_key, first_key);
    assert!(key_code(&rp, "lis", &second_key).await.1);
    let (code, used) = key_code(&rp, "lis", &third_key).await;
    assert!(!used);
    let location = walk.done("code", &[("code", &code)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["idp"], "nemid");
    assert_eq!(id_token["amr"], json!(["password", "key_card"]));
}

// ---- 12: errors

#[tokio::test]
async fn an_unknown_user_id_can_be_retried_or_left() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("nobody-here").await.expect("failed");
    assert_eq!(screen.text("failure"), "Ukendt bruger-ID");
    assert!(screen.offers("action", "retry"), "{}", screen.card());
    walk.next("retry", &[]).await.expect("user_id");
    walk.user_id("nobody-here").await.expect("failed");
    walk.leave_with("mitid_unknown_user").await;
}

#[tokio::test]
async fn suspended_and_revoked_identities_fail_with_their_codes() {
    let rp = Rp::start().await;
    for (user, title, code) in [
        ("kim", "Dit MitID er spærret", "mitid_identity_locked"),
        (
            "mads",
            "Dit MitID er tilbagekaldt",
            "mitid_identity_revoked",
        ),
    ] {
        let walk = Walk::start(&rp, &[]).await;
        let screen = walk.user_id(user).await.expect("failed");
        assert_eq!(screen.text("failure"), title);
        assert!(!screen.offers("action", "retry"), "{}", screen.card());
        walk.leave_with(code).await;
    }
}

#[tokio::test]
async fn cancel_at_the_user_id_and_at_the_code_aborts() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.screen().await.expect("user_id");
    assert!(screen.offers("action", "cancel"), "{}", screen.card());
    let location = walk.done("cancel", &[]).await;
    walk.denied(&location, "mitid_user_aborted");

    let walk = Walk::start(&rp, &[]).await;
    walk.user_id("dorthe").await.expect("code");
    let location = walk.done("cancel", &[]).await;
    walk.denied(&location, "mitid_user_aborted");
}

#[tokio::test]
async fn rule_app_times_out_hides_the_request_until_it_expires() {
    let rp = Rp::start().await;
    set_rule(&rp, "anna", json!("app_times_out")).await;
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("anna").await.expect("app");
    assert!(
        app_requests(&rp, "anna").await.is_empty(),
        "the app never sees the request"
    );
    let (status, _) = approve_app(&rp, "anna", &walk.id, Some(&screen.text("app-code"))).await;
    assert_eq!(status, 404, "nothing waits for this app");
    rp.host.clock().advance(APP_SECONDS + 1);
    walk.leave_with("mitid_approval_expired").await;
}

#[tokio::test]
async fn rule_wrong_code_refuses_the_right_code() {
    let rp = Rp::start().await;
    set_rule(&rp, "dorthe", json!("wrong_code")).await;
    let walk = Walk::start(&rp, &[]).await;
    walk.user_id("dorthe").await.expect("code");
    let code = viewer_code(&rp).await;
    let screen = walk.next("code", &[("code", &code)]).await.expect("code");
    assert!(
        screen.notice().is_some_and(|n| n.contains("2 forsøg")),
        "the right code is refused as wrong:\n{}",
        screen.card()
    );
}

#[tokio::test]
async fn a_stale_or_forged_csrf_token_is_refused() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    let other = Walk::start(&rp, &[]).await;
    for csrf in ["forged", other.csrf.as_str(), ""] {
        let response = rp
            .browser
            .post(walk.page.clone())
            .form(&[("csrf", csrf), ("action", "user_id"), ("user_id", "anna")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "csrf {csrf:?}");
        walk.screen().await.expect("user_id");
    }
    // Without any csrf field, and a cancel: refused too; the login is unchanged.
    let response = rp
        .browser
        .post(walk.page.clone())
        .form(&[("action", "cancel")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    walk.user_id("anna").await.expect("app");
}

// ---- 13: language

#[tokio::test]
async fn the_screens_speak_danish_or_english() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[("ui_locales", "en")]).await;
    let screen = walk.screen().await.expect("user_id");
    assert!(screen.has("<html lang=\"en\">"), "{}", screen.card());
    assert!(screen.has("Continue"), "{}", screen.card());
    assert!(!screen.has("Fortsæt"), "{}", screen.card());

    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.screen().await.expect("user_id");
    assert!(screen.has("<html lang=\"da\">"), "{}", screen.card());
    assert!(screen.has("Fortsæt"), "{}", screen.card());

    // The language switch: a form with the csrf, answered 303 back to the page.
    let response = walk.post(&[("lang", "en")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], walk.page.as_str());
    let screen = walk.screen().await.expect("user_id");
    assert!(screen.has("Continue"), "{}", screen.card());
    assert!(!screen.has("Fortsæt"), "{}", screen.card());
    // It lasts for the rest of the login.
    let screen = walk.user_id("anna").await.expect("app");
    assert!(screen.has("Approve in your app"), "{}", screen.card());
}

// ---- 14: switching authenticator

#[tokio::test]
async fn switching_from_the_app_to_the_password() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[("acr_values", LOW)]).await;
    let screen = walk.user_id("jens").await.expect("choose");
    for method in ["app", "chip", "password"] {
        assert!(
            screen.offers("method", method),
            "{method}:\n{}",
            screen.card()
        );
    }
    let screen = walk
        .next("choose", &[("method", "app")])
        .await
        .expect("app");
    assert!(screen.offers("action", "switch"), "{}", screen.card());
    assert!(app_request(&rp, "jens", &walk.id).await.is_some());

    walk.next("switch", &[]).await.expect("choose");
    assert!(
        app_request(&rp, "jens", &walk.id).await.is_none(),
        "the app request is withdrawn"
    );
    walk.next("choose", &[("method", "password")])
        .await
        .expect("password");
    let location = walk.done("password", &[("password", PASSWORD)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["password"]));
    assert_eq!(id_token["acr"], LOW);
}

// ---- the login's own lifetime

/// How long a parked login waits (config `tokens.login_ttl`).
const LOGIN_TTL: i64 = 15 * 60;

#[tokio::test]
async fn an_expired_login_s_forms_finish_nothing() {
    let rp = Rp::start().await;
    // The page says the login expired; its forms must not finish it either.
    let walk = Walk::start(&rp, &[("acr_values", LOW)]).await;
    walk.user_id("carl").await.expect("password");
    rp.host.clock().advance(LOGIN_TTL + 1);
    let page = rp.browser.get(walk.page.clone()).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::GONE, "the page says it expired");
    let response = walk
        .post(&[("action", "password"), ("password", PASSWORD)])
        .await;
    let location = response
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().unwrap().to_string());
    assert!(
        !location.as_deref().is_some_and(|l| l.contains("code=")),
        "an expired login's form must not send a code to the client: {} {location:?}",
        response.status()
    );
    assert_eq!(response.status(), StatusCode::GONE, "{location:?}");
}

#[tokio::test]
async fn a_chip_touch_after_the_login_expired_finishes_nothing() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[("acr_values", HIGH)]).await;
    walk.user_id("jens").await.expect("password");
    walk.next("password", &[("password", PASSWORD)])
        .await
        .expect("chip");
    rp.host.clock().advance(LOGIN_TTL + 1);
    let r = rp
        .host
        .control()
        .post(
            &format!("/identities/jens/chip/requests/{}/touch", walk.id),
            &json!({}),
        )
        .await
        .unwrap();
    assert!(
        r.status == 404 || r.status == 410,
        "a touch for an expired login is refused: {} {:?}",
        r.status,
        r.body
    );
    let page = rp.browser.get(walk.page.clone()).send().await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::GONE,
        "the expired login is not finished: {:?}",
        page.headers().get(LOCATION)
    );
}
