//! The form_post response mode (OAuth 2.0 Form Post Response Mode): an HTML page that posts
//! the response parameters to the client's redirect URI. The one script that submits the form
//! is allowed by its hash in the Content-Security-Policy, nothing else may run, the form may
//! only go to the client's origin, and the page is never cached.

use askama::Template;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, PRAGMA};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::web::pages;

/// The page's only script; the CSP names its SHA-256.
const SUBMIT: &str = "document.forms[0].submit()";

#[derive(Template)]
#[template(path = "form_post.html")]
struct FormPostPage<'a> {
    action: &'a str,
    fields: &'a [(String, String)],
    script: &'a str,
}

/// The Content-Security-Policy of the page that posts to `action`.
pub fn policy(action: &str) -> String {
    let script_hash = STANDARD.encode(Sha256::digest(SUBMIT.as_bytes()));
    let origin = url::Url::parse(action)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| "'none'".into());
    format!(
        "default-src 'none'; script-src 'sha256-{script_hash}'; form-action {origin}; \
         base-uri 'none'; frame-ancestors 'none'"
    )
}

pub fn page(action: &str, fields: &[(String, String)]) -> Response {
    let mut response = pages::render(
        StatusCode::OK,
        &FormPostPage {
            action,
            fields,
            script: SUBMIT,
        },
    );
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    if let Ok(csp) = HeaderValue::from_str(&policy(action)) {
        headers.insert(CONTENT_SECURITY_POLICY, csp);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_only_the_submit_script_and_the_client_origin() {
        let csp = policy("https://rp.example:8443/cb?x=1");
        assert!(
            csp.contains("form-action https://rp.example:8443;"),
            "{csp}"
        );
        let hash = STANDARD.encode(Sha256::digest(b"document.forms[0].submit()"));
        assert!(
            csp.contains(&format!("script-src 'sha256-{hash}'")),
            "{csp}"
        );
        assert!(csp.starts_with("default-src 'none'"), "{csp}");
    }

    #[test]
    fn values_are_escaped_and_the_script_is_the_hashed_one() {
        let fields = vec![(
            "state".to_string(),
            "\"><script>alert(1)</script>".to_string(),
        )];
        let html = FormPostPage {
            action: "https://rp.example/cb?a=1&b=2",
            fields: &fields,
            script: SUBMIT,
        }
        .render()
        .unwrap();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(
            html.contains("value=\"&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;\""),
            "{html}"
        );
        assert!(
            html.contains("action=\"https://rp.example/cb?a=1&#38;b=2\""),
            "{html}"
        );
        assert!(
            html.contains(&format!("<script>{SUBMIT}</script>")),
            "{html}"
        );
    }
}
