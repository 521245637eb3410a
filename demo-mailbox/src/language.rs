//! The pages' language: Danish by default, English when the browser chose it with the switch
//! every page carries (`GET /language/{da|en}`, remembered in the `mailbox_lang` cookie).
//!
//! The language is a display preference, not part of the session: it works before login, and
//! it changes nothing in any mailbox.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};

use crate::cookies::read_cookie;

/// Remembers the chosen language.
pub const LANGUAGE_COOKIE: &str = "mailbox_lang";

/// How long the browser remembers the choice, in seconds (a year).
const LANGUAGE_COOKIE_MAX_AGE_SECS: u64 = 365 * 24 * 60 * 60;

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Danish, the default.
    #[default]
    Da,
    /// English.
    En,
}

impl Lang {
    /// The language named by its code (`da` or `en`).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "da" => Some(Self::Da),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The language the browser chose, or Danish.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        read_cookie(headers, LANGUAGE_COOKIE)
            .and_then(Self::from_code)
            .unwrap_or_default()
    }

    /// `da` or `en`, for `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Self::Da => "da",
            Self::En => "en",
        }
    }

    /// The other language: the one the switch offers.
    pub fn other(self) -> Self {
        match self {
            Self::Da => Self::En,
            Self::En => Self::Da,
        }
    }

    /// The switch's label, in the language it switches to.
    pub fn switch_label(self) -> &'static str {
        match self {
            Self::Da => "Dansk",
            Self::En => "English",
        }
    }

    /// `da` in Danish, `en` in English: how templates say every text twice.
    pub fn t<'a>(self, da: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Da => da,
            Self::En => en,
        }
    }

    /// The word for `count` things: Danish `da_one`/`da_many`, English `en_one`/`en_many`
    /// (both languages use the singular for exactly one, the plural for 0 and 2 or more).
    pub fn plural<'a>(
        self,
        count: impl std::borrow::Borrow<usize>,
        da_one: &'a str,
        da_many: &'a str,
        en_one: &'a str,
        en_many: &'a str,
    ) -> &'a str {
        match (self, *count.borrow() == 1) {
            (Self::Da, true) => da_one,
            (Self::Da, false) => da_many,
            (Self::En, true) => en_one,
            (Self::En, false) => en_many,
        }
    }

    /// Whether this is English (for longer template passages written out twice).
    pub fn is_en(self) -> bool {
        self == Self::En
    }
}

/// `Set-Cookie` remembering `lang`. Not HttpOnly-sensitive (it holds no secret), but HttpOnly
/// anyway: no script needs it.
pub fn set_language_cookie(lang: Lang, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{LANGUAGE_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={LANGUAGE_COOKIE_MAX_AGE_SECS}{secure}",
        lang.code()
    );
    HeaderValue::from_str(&cookie)
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The request's language, from its cookie (never fails).
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_headers(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::COOKIE;

    #[test]
    fn danish_unless_the_cookie_says_english() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::from_headers(&headers), Lang::Da);
        headers.insert(COOKIE, HeaderValue::from_static("mailbox_lang=en"));
        assert_eq!(Lang::from_headers(&headers), Lang::En);
        headers.insert(COOKIE, HeaderValue::from_static("mailbox_lang=fr"));
        assert_eq!(Lang::from_headers(&headers), Lang::Da);
    }

    #[test]
    fn texts_and_switch() {
        assert_eq!(Lang::Da.t("Mapper", "Folders"), "Mapper");
        assert_eq!(Lang::En.t("Mapper", "Folders"), "Folders");
        assert_eq!(Lang::Da.other(), Lang::En);
        let words = |lang: Lang, n| lang.plural(n, "brev", "breve", "letter", "letters");
        assert_eq!(words(Lang::Da, 1), "brev");
        assert_eq!(words(Lang::Da, 0), "breve");
        assert_eq!(words(Lang::Da, 2), "breve");
        assert_eq!(words(Lang::En, 1), "letter");
        assert_eq!(words(Lang::En, 3), "letters");
        assert_eq!(Lang::En.other().switch_label(), "Dansk");
        let cookie = set_language_cookie(Lang::En, true);
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.starts_with("mailbox_lang=en; Path=/"), "{cookie}");
        assert!(cookie.ends_with("; Secure"), "{cookie}");
    }
}
