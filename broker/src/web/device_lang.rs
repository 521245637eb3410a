//! The language of the simulated devices' pages (the app, the code viewer and reader, the
//! chip, the key card), which a person opens beside the login page: `?lang=da|en` (the switch
//! on each page, remembered in a cookie), else the remembered choice, else the language of
//! the login the page serves, else the browser's `Accept-Language`, else Danish. The login
//! page's own switch is remembered in the same cookie, so a person's choice lasts beyond one
//! login.

use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::app::Broker;
use crate::web::cookies;

/// The cookie holding the person's chosen language (`da` or `en`).
pub const COOKIE: &str = "sim_lang";
/// A year: the choice is a preference, not a session.
const REMEMBER_SECONDS: i64 = 365 * 24 * 60 * 60;

/// `da` or `en` from a value that names one of them.
pub fn parse(value: &str) -> Option<&'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "da" => Some("da"),
        "en" => Some("en"),
        _ => None,
    }
}

/// The person's remembered choice.
pub fn remembered(headers: &HeaderMap) -> Option<&'static str> {
    cookies::get(headers, COOKIE).and_then(|v| parse(&v))
}

/// The first of `da` and `en` in the browser's `Accept-Language`, by preference (`q`).
pub fn accepted(headers: &HeaderMap) -> Option<&'static str> {
    let header = headers.get(ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut ranked: Vec<(f32, &'static str)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim().to_ascii_lowercase();
            let lang = match tag.split('-').next()? {
                "da" => "da",
                "en" => "en",
                _ => return None,
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (q > 0.0).then_some((q, lang))
        })
        .collect();
    // Stable: equal weights keep the header's order.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.first().map(|(_, lang)| *lang)
}

/// A device page's language, and whether the page was asked for one (to remember it).
pub fn choose(
    asked: Option<&str>,
    headers: &HeaderMap,
    login: Option<&'static str>,
) -> (&'static str, bool) {
    if let Some(lang) = asked.and_then(parse) {
        return (lang, true);
    }
    let lang = remembered(headers)
        .or(login)
        .or_else(|| accepted(headers))
        .unwrap_or("da");
    (lang, false)
}

/// Remembers `lang` in the person's browser.
pub fn remember(broker: &Broker, response: &mut Response, lang: &'static str) {
    cookies::set(
        response.headers_mut(),
        COOKIE,
        Some(lang),
        "/",
        broker.issuer.is_https(),
        REMEMBER_SECONDS,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::COOKIE as COOKIE_HEADER;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_static(value));
        }
        h
    }

    #[test]
    fn the_asked_language_wins_and_is_remembered() {
        let h = headers(&[("cookie", "sim_lang=en"), ("accept-language", "en")]);
        assert_eq!(choose(Some("da"), &h, Some("en")), ("da", true));
        // An unknown value asks for nothing.
        assert_eq!(choose(Some("fr"), &h, None), ("en", false));
    }

    #[test]
    fn then_the_remembered_choice_the_login_and_the_browser() {
        let none = HeaderMap::new();
        assert_eq!(choose(None, &none, None), ("da", false));
        assert_eq!(choose(None, &none, Some("en")), ("en", false));
        let cookie = headers(&[(COOKIE_HEADER.as_str(), "a=1; sim_lang=da")]);
        assert_eq!(choose(None, &cookie, Some("en")), ("da", false));
        let browser = headers(&[("accept-language", "de-DE, en-GB;q=0.8, da;q=0.5")]);
        assert_eq!(choose(None, &browser, None), ("en", false));
        assert_eq!(choose(None, &browser, Some("da")), ("da", false));
    }

    #[test]
    fn accept_language_follows_the_weights() {
        let ranked = |v: &'static str| accepted(&headers(&[("accept-language", v)]));
        assert_eq!(ranked("da, en"), Some("da"));
        assert_eq!(ranked("en;q=0.4, da;q=0.9"), Some("da"));
        assert_eq!(ranked("en-US;q=0"), None);
        assert_eq!(ranked("sv, nb"), None);
        assert_eq!(ranked("en;q=x"), None);
    }
}
