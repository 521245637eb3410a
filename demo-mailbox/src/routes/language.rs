//! `GET /language/{lang}`: the language switch on every page. It sets the `mailbox_lang`
//! cookie and sends the browser back to the page it came from.
//!
//! A link rather than a form: choosing a language changes how pages read, nothing in any
//! mailbox, so there is nothing for a forged request to gain. The way back is the `Referer`
//! when it is a page of this mailbox that answers GET (never another site: no open
//! redirect), else the front page.

use axum::extract::{Path, State};
use axum::http::header::REFERER;
use axum::http::HeaderMap;
use axum::response::Response;
use url::Url;

use crate::access::desk::Refusal;
use crate::app::App;
use crate::cookies::append_set_cookie;
use crate::language::{set_language_cookie, Lang};
use crate::pages::redirect;
use crate::paths::{matches_route, CALLBACK, HOME, POST_ONLY};
use crate::problem::Problem;

pub async fn choose(
    State(app): State<App>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(lang) = Lang::from_code(&code) else {
        return Problem::Refused(Refusal::NotFound).page(Lang::from_headers(&headers));
    };
    let back = headers
        .get(REFERER)
        .and_then(|value| value.to_str().ok())
        .and_then(|referer| way_back(&app.config().public_url, referer))
        .unwrap_or_else(|| HOME.to_owned());
    let mut response = redirect(&back);
    append_set_cookie(
        response.headers_mut(),
        set_language_cookie(lang, app.cookies_secure()),
    );
    response
}

/// The path (and query) of `referer` if it is a page of the mailbox at `public_url`.
fn way_back(public_url: &Url, referer: &str) -> Option<String> {
    let referer = Url::parse(referer).ok()?;
    if referer.origin() != public_url.origin() {
        return None;
    }
    let path = referer.path();
    let answers_get =
        path != CALLBACK && !POST_ONLY.iter().any(|pattern| matches_route(pattern, path));
    if !answers_get || !path.starts_with('/') || path.starts_with("//") {
        return None;
    }
    Some(match referer.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_only_to_a_page_of_this_mailbox() {
        let public = Url::parse("http://mailbox.test:8081").unwrap();
        let back = |referer: &str| way_back(&public, referer);
        assert_eq!(
            back("http://mailbox.test:8081/letters/abc").as_deref(),
            Some("/letters/abc")
        );
        assert_eq!(
            back("http://mailbox.test:8081/folders/x?y=1").as_deref(),
            Some("/folders/x?y=1")
        );
        assert_eq!(back("http://evil.test/letters/abc"), None);
        assert_eq!(back("https://mailbox.test:8081/"), None, "another origin");
        assert_eq!(back("http://mailbox.test:8081/letters/abc/delete"), None);
        assert_eq!(back("http://mailbox.test:8081/callback?code=x"), None);
        assert_eq!(back("not a url"), None);
    }
}
