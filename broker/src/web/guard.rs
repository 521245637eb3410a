//! Loopback is not a boundary (DESIGN.md, "Web pages"): the developer's browser runs on the
//! same machine, so any page it visits can send requests to the broker. This layer keeps those
//! out before a handler runs:
//!
//! - **Host allowlist** (DNS rebinding): only `localhost` (and `*.localhost`), `127.0.0.1`,
//!   `[::1]`, the issuer's host and the configured `allowed_hosts` are served; any other
//!   `Host` gets `421 Misdirected Request`.
//! - **Requests that change state come from us**: under `/_sim` and at dynamic registration, a
//!   request from another site (`Sec-Fetch-Site: cross-site`, or an `Origin` whose host is not
//!   one of ours, or `Origin: null`) gets `403`; the JSON endpoints (`/_sim/v1`, `/register`)
//!   take only `application/json` bodies (`415`), so a cross-site "simple" request (text/plain,
//!   a form) can never carry one. The OAuth endpoints are left alone: real clients call them
//!   from servers and browsers.

use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use crate::app::Broker;
use crate::paths;

/// The hosts this broker answers to.
#[derive(Debug, Clone)]
pub struct Hosts {
    allowed: Vec<String>,
}

impl Hosts {
    pub fn for_broker(broker: &Broker) -> Hosts {
        let mut allowed: Vec<String> = ["localhost", "127.0.0.1", "[::1]", "::1"]
            .iter()
            .map(|h| h.to_string())
            .collect();
        if let Some(host) = url::Url::parse(broker.base_issuer().as_str())
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        {
            allowed.push(host);
        }
        allowed.extend(
            broker
                .config
                .allowed_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase()),
        );
        Hosts { allowed }
    }

    /// Whether `host` (without its port) is one of ours.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        host.ends_with(".localhost") || self.allowed.contains(&host)
    }
}

/// The host of a `Host` header or authority, without the port (`[::1]:8080` -> `[::1]`).
fn host_of(authority: &str) -> &str {
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

/// Whether the request comes from a page of another site. A browser's `Sec-Fetch-Site`
/// (which no page can set) decides where it is sent; an `Origin` naming a host not ours always
/// refuses; `Origin: null` refuses unless the browser says the request is its own site's (our
/// pages' `Referrer-Policy: no-referrer` makes their own form posts say `null`).
fn from_another_site(headers: &HeaderMap, hosts: &Hosts) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site == Some("cross-site") {
        return true;
    }
    match headers.get(ORIGIN).map(|v| v.to_str()) {
        None => false,
        Some(Ok(origin)) => match url::Url::parse(origin) {
            Ok(url) => !url.host_str().is_some_and(|h| hosts.allows(h)),
            // `null` (a sandboxed frame, a file, a no-referrer page) or garbage.
            Err(_) => !matches!(fetch_site, Some("same-origin" | "same-site" | "none")),
        },
        Some(Err(_)) => true,
    }
}

/// Whether the body, if any, is JSON: `Content-Type: application/json` (parameters allowed),
/// or no body at all.
fn json_or_empty(headers: &HeaderMap) -> bool {
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

pub async fn guard(State(hosts): State<Arc<Hosts>>, request: Request, next: Next) -> Response {
    let authority = request
        .headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    if let Some(authority) = authority {
        if !hosts.allows(host_of(&authority)) {
            return refuse(
                StatusCode::MISDIRECTED_REQUEST,
                "this broker does not answer to that host name: use localhost, 127.0.0.1, \
                 the issuer's host, or add the name to allowed_hosts",
            );
        }
    }
    let path = request.uri().path();
    let simulator = path == "/_sim" || path.starts_with("/_sim/");
    let json_api = path.starts_with(paths::CONTROL) || is_registration(path);
    if (simulator || json_api) && from_another_site(request.headers(), &hosts) {
        return refuse(
            StatusCode::FORBIDDEN,
            "requests from another site are refused here (the simulator's pages and APIs \
             answer only pages of their own)",
        );
    }
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if json_api && changes && !json_or_empty(request.headers()) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as Content-Type: application/json",
        );
    }
    next.run(request).await
}

/// Dynamic registration and the client configuration endpoint, below any issuer's path.
fn is_registration(path: &str) -> bool {
    let name = paths::REGISTER.trim_start_matches('/');
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    segments.any(|s| s == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn hosts() -> Hosts {
        Hosts {
            allowed: vec![
                "localhost".into(),
                "127.0.0.1".into(),
                "[::1]".into(),
                "::1".into(),
                "id.example".into(),
            ],
        }
    }

    #[test]
    fn only_our_host_names_are_served() {
        let hosts = hosts();
        for ok in [
            "localhost:8080",
            "127.0.0.1:1234",
            "[::1]:8080",
            "id.example",
            "rp.localhost:3000",
            "LOCALHOST",
        ] {
            assert!(hosts.allows(host_of(ok)), "{ok}");
        }
        for bad in [
            "rebind.attacker.example",
            "evil.example:8080",
            "127.0.0.2",
            "localhost.evil.example",
        ] {
            assert!(!hosts.allows(host_of(bad)), "{bad}");
        }
    }

    #[test]
    fn another_sites_origin_or_fetch_metadata_is_refused() {
        let hosts = hosts();
        let with = |name: &'static str, value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(name, HeaderValue::from_static(value));
            h
        };
        assert!(!from_another_site(&HeaderMap::new(), &hosts));
        assert!(!from_another_site(
            &with("origin", "http://localhost:8081"),
            &hosts
        ));
        assert!(!from_another_site(
            &with("origin", "http://[::1]:8081"),
            &hosts
        ));
        assert!(from_another_site(
            &with("origin", "https://evil.example"),
            &hosts
        ));
        assert!(from_another_site(&with("origin", "null"), &hosts));
        let mut own_form = with("origin", "null");
        own_form.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(
            !from_another_site(&own_form, &hosts),
            "a no-referrer page's own form post"
        );
        let mut framed = with("origin", "null");
        framed.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(from_another_site(&framed, &hosts));
        assert!(from_another_site(
            &with("sec-fetch-site", "cross-site"),
            &hosts
        ));
        assert!(!from_another_site(
            &with("sec-fetch-site", "same-site"),
            &hosts
        ));
    }

    #[test]
    fn json_endpoints_take_json_or_nothing() {
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            h
        };
        assert!(json_or_empty(&with(&[(
            "content-type",
            "application/json"
        )])));
        assert!(json_or_empty(&with(&[(
            "content-type",
            "application/json; charset=utf-8"
        )])));
        assert!(json_or_empty(&with(&[])));
        assert!(json_or_empty(&with(&[("content-length", "0")])));
        assert!(!json_or_empty(&with(&[("content-type", "text/plain")])));
        assert!(!json_or_empty(&with(&[(
            "content-type",
            "application/x-www-form-urlencoded"
        )])));
        assert!(!json_or_empty(&with(&[("content-length", "12")])));
    }

    #[test]
    fn registration_is_recognised_below_any_issuer_path() {
        assert!(is_registration("/register"));
        assert!(is_registration("/register/abc"));
        assert!(is_registration("/broker/register"));
        assert!(!is_registration("/registered"));
        assert!(!is_registration("/authorize"));
    }
}
