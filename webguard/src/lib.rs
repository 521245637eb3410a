//! Loopback is not a boundary (DESIGN.md, "Web pages"): the developer's browser runs on the
//! same machine as the broker and the demo mailbox, so any page it visits can send them
//! requests. This crate is what both servers put in front of their handlers:
//!
//! - **Host allowlist** (DNS rebinding): only `localhost` (and `*.localhost`), `127.0.0.1`,
//!   `[::1]`, the server's own public host and configured names are served; any other `Host`
//!   gets `421 Misdirected Request` ([`Hosts`]).
//! - **Requests that change state come from us**: on the simulator's paths and JSON endpoints a
//!   request from another site (`Sec-Fetch-Site: cross-site`, an `Origin` whose host is not
//!   ours, `Origin: null` without the browser saying it is our own page) gets `403`; JSON
//!   endpoints take only `application/json` bodies (`415`), so a cross-site "simple" request
//!   can never carry one.
//! - **A lock for shared machines** ([`ControlLock`]): with a control token, the control API
//!   needs it as a bearer token, and the simulator's pages a cookie got by typing it on the
//!   unlock form ([`UNLOCK_PATH`]). [`check_listen`] refuses to serve a non-loopback address
//!   without one.
//! - **Page headers** ([`html_headers`]): a CSP, `nosniff`, `no-referrer` and `DENY` framing
//!   on every HTML page that does not set its own.

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE,
    HOST, LOCATION, ORIGIN, REFERRER_POLICY, SET_COOKIE, WWW_AUTHENTICATE, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The form that trades the control token for the simulator's cookie.
pub const UNLOCK_PATH: &str = "/_sim/unlock";
/// The prefix of the cookie the unlock form sets; a digest of the token completes its name, so
/// two servers on one host (the broker and the mailbox on two ports of `localhost`, which
/// share cookies) keep their own.
pub const CONTROL_COOKIE: &str = "sim_control_";
/// The shortest control token accepted.
pub const MIN_TOKEN_LEN: usize = 16;

/// The host names a server answers to.
#[derive(Debug, Clone)]
pub struct Hosts {
    allowed: Vec<String>,
}

impl Hosts {
    /// Loopback names, the hosts of `own_urls` (the issuer, the public URL) and `extra`.
    pub fn new<'a>(own_urls: impl IntoIterator<Item = &'a str>, extra: &[String]) -> Hosts {
        let mut allowed: Vec<String> = ["localhost", "127.0.0.1", "[::1]", "::1"]
            .iter()
            .map(|h| h.to_string())
            .collect();
        allowed.extend(own_urls.into_iter().filter_map(|u| {
            url::Url::parse(u)
                .ok()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        }));
        allowed.extend(extra.iter().map(|h| h.to_ascii_lowercase()));
        Hosts { allowed }
    }

    /// Whether `host` (without its port) is one of ours.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        host.ends_with(".localhost") || self.allowed.contains(&host)
    }
}

/// Which paths the rules apply to.
#[derive(Debug, Clone, Copy)]
pub struct Paths {
    /// Only pages of our own may reach these (cross-site requests are refused).
    pub own_site_only: fn(&str) -> bool,
    /// Bodies must be JSON.
    pub json_only: fn(&str) -> bool,
    /// Locked by the control token, when one is set.
    pub locked: fn(&str) -> bool,
    /// Of the locked paths, the API's: a bearer token is asked for (pages redirect to the
    /// unlock form).
    pub api: fn(&str) -> bool,
}

/// The control token, kept as digests.
#[derive(Clone)]
pub struct ControlLock {
    token: [u8; 32],
    cookie_name: String,
    cookie: String,
    secure_cookie: bool,
}

impl std::fmt::Debug for ControlLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ControlLock(..)")
    }
}

impl ControlLock {
    /// A lock opened by `token` (see [`valid_token`]); `secure_cookie` when served over https.
    pub fn new(token: &str, secure_cookie: bool) -> ControlLock {
        let hex = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
        let cookie = hex(&Sha256::digest(format!("webguard control cookie\0{token}")));
        let name = hex(&Sha256::digest(format!("webguard control cookie name\0{token}"))[..4]);
        ControlLock {
            token: Sha256::digest(token.as_bytes()).into(),
            cookie_name: format!("{CONTROL_COOKIE}{name}"),
            cookie,
            secure_cookie,
        }
    }

    fn opens(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        bool::from(digest.ct_eq(&self.token))
    }

    fn bearer_ok(&self, headers: &HeaderMap) -> bool {
        headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            .is_some_and(|(scheme, token)| {
                scheme.eq_ignore_ascii_case("bearer") && self.opens(token.trim())
            })
    }

    fn cookie_ok(&self, headers: &HeaderMap) -> bool {
        cookie(headers, &self.cookie_name)
            .is_some_and(|value| bool::from(value.as_bytes().ct_eq(self.cookie.as_bytes())))
    }

    fn set_cookie(&self) -> HeaderValue {
        let secure = if self.secure_cookie { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={}; Path=/; HttpOnly; SameSite=Strict{secure}",
            self.cookie_name, self.cookie
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

/// Whether `token` may be a control token: at least [`MIN_TOKEN_LEN`] printable characters
/// without spaces.
pub fn valid_token(token: &str) -> Result<(), String> {
    if token.len() < MIN_TOKEN_LEN {
        return Err(format!(
            "the control token must be at least {MIN_TOKEN_LEN} characters long"
        ));
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the control token must not contain spaces or control characters".into());
    }
    Ok(())
}

/// Refuses to listen where other machines can reach the control API without a lock: on a
/// non-loopback address a control token is needed, or an explicit `unsafe_open`. `how` names
/// the flags in the message (e.g. "--control-token (BROKER_CONTROL_TOKEN)").
pub fn check_listen(
    addr: SocketAddr,
    locked: bool,
    unsafe_open: bool,
    how: &str,
) -> Result<(), String> {
    if addr.ip().is_loopback() || locked || unsafe_open {
        return Ok(());
    }
    Err(format!(
        "refusing to listen on {addr}: other machines can reach that address, and the \
         simulator's control API drives every login. Set a control token with {how}, or pass \
         --unsafe-open-control if the network is yours alone"
    ))
}

/// Everything the guard needs.
#[derive(Debug)]
pub struct Policy {
    pub hosts: Hosts,
    pub paths: Paths,
    pub lock: Option<ControlLock>,
}

/// The host of a `Host` header or authority, without the port (`[::1]:8080` -> `[::1]`).
pub fn host_of(authority: &str) -> &str {
    if let Some(end) = authority.find(']') {
        return &authority[..=end];
    }
    authority.split(':').next().unwrap_or(authority)
}

fn refuse(status: StatusCode, message: &'static str) -> Response {
    (
        status,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

/// A refusal: JSON (`invalid_request`) on an API path, text elsewhere.
fn refuse_at(api: bool, status: StatusCode, message: &'static str) -> Response {
    if !api {
        return refuse(status, message);
    }
    let body = format!(
        r#"{{"error":"invalid_request","error_description":"{}"}}"#,
        message.replace('"', "'")
    );
    (status, [(CONTENT_TYPE, "application/json")], body).into_response()
}

/// Whether the request comes from a page of another site. A browser's `Sec-Fetch-Site`
/// (which no page can set) decides where it is sent; an `Origin` naming a host not ours always
/// refuses; `Origin: null` refuses unless the browser says the request is its own site's (a
/// page with `Referrer-Policy: no-referrer` makes its own form posts say `null`).
pub fn from_another_site(headers: &HeaderMap, hosts: &Hosts) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site == Some("cross-site") {
        return true;
    }
    match headers.get(ORIGIN).map(|v| v.to_str()) {
        None => false,
        Some(Ok(origin)) => match url::Url::parse(origin) {
            Ok(url) => !url.host_str().is_some_and(|h| hosts.allows(h)),
            Err(_) => !matches!(fetch_site, Some("same-origin" | "same-site" | "none")),
        },
        Some(Err(_)) => true,
    }
}

/// Whether the body, if any, is JSON: `Content-Type: application/json` (parameters allowed),
/// or no body at all.
pub fn json_or_empty(headers: &HeaderMap) -> bool {
    match headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        Some(value) => value
            .split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")),
        None => headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|n| n.trim() == "0"),
    }
}

/// A cookie's value from the request.
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// The middleware: host, site, body type and lock, in that order.
pub async fn guard(State(policy): State<Arc<Policy>>, request: Request, next: Next) -> Response {
    let authority = request
        .headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    if let Some(authority) = authority {
        if !policy.hosts.allows(host_of(&authority)) {
            return refuse(
                StatusCode::MISDIRECTED_REQUEST,
                "this server does not answer to that host name: use localhost, 127.0.0.1, \
                 its public host, or add the name to its allowed hosts",
            );
        }
    }
    let path = request.uri().path().to_string();
    let paths = policy.paths;
    let json = (paths.json_only)(&path);
    let api = (paths.api)(&path);
    if ((paths.own_site_only)(&path) || json) && from_another_site(request.headers(), &policy.hosts)
    {
        return refuse_at(
            api,
            StatusCode::FORBIDDEN,
            "requests from another site are refused here (the simulator's pages and APIs \
             answer only pages of their own)",
        );
    }
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if json && changes && !json_or_empty(request.headers()) {
        return refuse_at(
            api,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as Content-Type: application/json",
        );
    }
    if let Some(lock) = &policy.lock {
        if path == UNLOCK_PATH {
            return unlock(lock, request).await;
        }
        if (paths.locked)(&path)
            && !lock.bearer_ok(request.headers())
            && !lock.cookie_ok(request.headers())
        {
            return locked_out(&path, &request, api);
        }
    }
    next.run(request).await
}

fn locked_out(path: &str, request: &Request, api: bool) -> Response {
    if api {
        let mut response = (
            StatusCode::UNAUTHORIZED,
            [(CONTENT_TYPE, "application/json")],
            r#"{"error":"control_token_required","error_description":"this simulator is locked: send its control token as Authorization: Bearer <token>"}"#,
        )
            .into_response();
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Bearer realm="simulator control""#),
        );
        return response;
    }
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        let next = match request.uri().query() {
            Some(q) => format!("{path}?{q}"),
            None => path.to_string(),
        };
        let target: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &next)
            .finish();
        return match HeaderValue::from_str(&format!("{UNLOCK_PATH}?{target}")) {
            Ok(location) => (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response(),
            Err(_) => refuse(StatusCode::UNAUTHORIZED, "this simulator is locked"),
        };
    }
    refuse(
        StatusCode::UNAUTHORIZED,
        "this simulator is locked: open one of its pages and type its control token first",
    )
}

/// A local path to go back to after unlocking; anything else goes to `/`.
fn local_path(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if local {
        next
    } else {
        "/"
    }
}

/// `GET` shows the unlock form, `POST` checks the token and sets the cookie.
async fn unlock(lock: &ControlLock, request: Request) -> Response {
    let query_next = request
        .uri()
        .query()
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "next")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_else(|| "/".into());
    match *request.method() {
        Method::GET | Method::HEAD => unlock_page(StatusCode::OK, local_path(&query_next), false),
        Method::POST => {
            let Ok(body) = to_bytes(request.into_body(), 4096).await else {
                return refuse(StatusCode::PAYLOAD_TOO_LARGE, "the form is too large");
            };
            let field = |name: &str| {
                url::form_urlencoded::parse(&body)
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            };
            let next = field("next").unwrap_or_else(|| "/".into());
            let next = local_path(&next);
            if !field("token").is_some_and(|t| lock.opens(&t)) {
                return unlock_page(StatusCode::UNAUTHORIZED, next, true);
            }
            let mut response =
                (StatusCode::SEE_OTHER, [(CACHE_CONTROL, "no-store")]).into_response();
            if let Ok(location) = HeaderValue::from_str(next) {
                response.headers_mut().insert(LOCATION, location);
            }
            response.headers_mut().insert(SET_COOKIE, lock.set_cookie());
            response
        }
        _ => refuse(StatusCode::METHOD_NOT_ALLOWED, "GET or POST"),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn unlock_page(status: StatusCode, next: &str, wrong: bool) -> Response {
    let notice = if wrong {
        r#"<p id="notice" role="alert">That is not the control token.</p>"#
    } else {
        ""
    };
    let html = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Simulator locked</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}
input{{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}}button{{font:inherit;margin-top:.8rem;padding:.4rem 1rem}}
#notice{{color:#a00}}</style></head>
<body><h1>This simulator is locked</h1>
<p>Its pages and control API need the control token it was started with
(<code>--control-token</code>). Type it to open them in this browser.</p>{notice}
<form method="post" action="{UNLOCK_PATH}">
<input type="hidden" name="next" value="{next}">
<label for="token">Control token</label>
<input id="token" name="token" type="password" autocomplete="off" required autofocus>
<button type="submit">Open</button>
</form></body></html>"#,
        next = escape(next)
    );
    let mut response = (status, [(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    set_page_headers(
        response.headers_mut(),
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    );
    response
}

fn set_page_headers(headers: &mut HeaderMap, csp: &str) {
    if let Ok(csp) = HeaderValue::from_str(csp) {
        headers.insert(CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
}

/// Sets the CSP in `State` (and `nosniff`, `no-referrer`, `X-Frame-Options: DENY`,
/// `Cache-Control: no-store` unless set) on every HTML response that has no CSP of its own.
pub async fn html_headers(
    State(csp): State<Arc<String>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if html && !response.headers().contains_key(CONTENT_SECURITY_POLICY) {
        set_page_headers(response.headers_mut(), &csp);
    }
    response
}

#[cfg(test)]
mod tests;
