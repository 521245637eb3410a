//! The mailbox's two cookies: `mailbox_login` (between `/login` and `/callback`) and
//! `mailbox_session` (after login). Both are HttpOnly, SameSite=Lax and Path=/; Secure when the
//! mailbox is served over https.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};

/// Ties a browser to the login it started (state, nonce, PKCE verifier kept server-side).
pub const LOGIN_COOKIE: &str = "mailbox_login";
/// Names the browser's session after login.
pub const SESSION_COOKIE: &str = "mailbox_session";

/// How long a started login may take before its cookie lapses, in seconds.
pub const LOGIN_COOKIE_MAX_AGE_SECS: u64 = 10 * 60;

/// `Set-Cookie` for a new session. No `Max-Age`: the browser forgets it when it closes, and the
/// server enforces the idle and absolute limits.
pub fn set_session_cookie(value: &str, secure: bool) -> HeaderValue {
    cookie_header(SESSION_COOKIE, value, None, secure)
}

/// `Set-Cookie` for a login in progress.
pub fn set_login_cookie(value: &str, secure: bool) -> HeaderValue {
    cookie_header(LOGIN_COOKIE, value, Some(LOGIN_COOKIE_MAX_AGE_SECS), secure)
}

/// `Set-Cookie` that makes the browser drop the cookie `name`.
pub fn clear_cookie(name: &str, secure: bool) -> HeaderValue {
    cookie_header(name, "", Some(0), secure)
}

fn cookie_header(name: &str, value: &str, max_age: Option<u64>, secure: bool) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(max_age) = max_age {
        cookie.push_str(&format!("; Max-Age={max_age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    // Values are our own hex tokens, so the header is always valid; fall back to a cookie that
    // sets nothing rather than panic.
    HeaderValue::from_str(&cookie)
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Appends a `Set-Cookie` header (a response may set several).
pub fn append_set_cookie(headers: &mut HeaderMap, value: HeaderValue) {
    headers.append(SET_COOKIE, value);
}

/// The value of the request cookie `name`, if the browser sent it.
pub fn read_cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookie_is_httponly_lax_and_rooted() {
        let cookie = set_session_cookie("abc", false);
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.starts_with("mailbox_session=abc;"), "{cookie}");
        assert!(cookie.contains("; HttpOnly"), "{cookie}");
        assert!(cookie.contains("; SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("; Path=/"), "{cookie}");
        assert!(!cookie.contains("Secure"), "{cookie}");
    }

    #[test]
    fn session_cookie_is_secure_over_https() {
        let cookie = set_session_cookie("abc", true);
        assert!(cookie.to_str().unwrap().ends_with("; Secure"));
    }

    #[test]
    fn login_cookie_is_httponly_lax_and_short_lived() {
        let cookie = set_login_cookie("xyz", false);
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.starts_with("mailbox_login=xyz;"), "{cookie}");
        assert!(cookie.contains("; HttpOnly; SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("; Max-Age=600"), "{cookie}");
    }

    #[test]
    fn cleared_cookie_expires_at_once() {
        let cookie = clear_cookie(SESSION_COOKIE, false);
        assert!(cookie
            .to_str()
            .unwrap()
            .starts_with("mailbox_session=; Path=/"));
        assert!(cookie.to_str().unwrap().contains("Max-Age=0"));
    }

    #[test]
    fn read_cookie_finds_the_named_one_among_several() {
        let mut headers = HeaderMap::new();
        headers.append(
            COOKIE,
            HeaderValue::from_static("other=1; mailbox_session=s1"),
        );
        headers.append(COOKIE, HeaderValue::from_static("mailbox_login=l1"));
        assert_eq!(read_cookie(&headers, SESSION_COOKIE), Some("s1"));
        assert_eq!(read_cookie(&headers, LOGIN_COOKIE), Some("l1"));
        assert_eq!(read_cookie(&headers, "missing"), None);
    }
}
