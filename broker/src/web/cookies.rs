//! Reading and setting cookies: HttpOnly, SameSite=Lax, Secure on https issuers.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};

pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `Set-Cookie` for a session cookie; `value: None` deletes it.
pub fn set(
    headers: &mut HeaderMap,
    name: &str,
    value: Option<&str>,
    path: &str,
    secure: bool,
    max_age: i64,
) {
    let mut cookie = match value {
        Some(v) => format!("{name}={v}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}"),
        None => format!("{name}=; Path={path}; HttpOnly; SameSite=Lax; Max-Age=0"),
    };
    if secure {
        cookie.push_str("; Secure");
    }
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        headers.append(SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cookie_among_several_and_sets_flags() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("a=1; broker_session=xyz; b=2"),
        );
        assert_eq!(get(&h, "broker_session").as_deref(), Some("xyz"));
        assert_eq!(get(&h, "missing"), None);

        let mut out = HeaderMap::new();
        set(&mut out, "s", Some("v"), "/", true, 60);
        let v = out.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert!(v.contains("HttpOnly") && v.contains("SameSite=Lax") && v.contains("Secure"));
    }
}
