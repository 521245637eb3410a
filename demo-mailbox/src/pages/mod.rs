//! The mailbox's HTML pages: one askama template struct per page (templates/*.html), all
//! extending `base.html`, which carries the simulator mark. Askama escapes every value.
//!
//! Here: [`render`] and [`redirect`], the two ways a handler answers a browser, and the pages
//! outside a mailbox (logged out, a problem). The Digital Post pages are in [`post`] (the
//! search results and the sort and page links of every list in [`listing`]), the writing
//! forms in [`compose`], access for others and the activity log in [`access`], the
//! simulator's own pages in [`sim`]. Pages take domain values and link with [`crate::paths`];
//! they use no handler.

pub mod access;
pub mod compose;
pub mod listing;
pub mod post;
pub mod sim;

use askama::Template;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::language::Lang;

/// `/logged-out`.
#[derive(Template)]
#[template(path = "logged_out.html")]
pub struct LoggedOutPage {
    /// The page's language.
    pub lang: Lang,
}

/// Something went wrong, or the login was cancelled.
#[derive(Template)]
#[template(path = "problem.html")]
pub struct ProblemPage<'a> {
    /// The page's language.
    pub lang: Lang,
    /// What happened.
    pub heading: &'a str,
    /// What to do.
    pub message: &'a str,
    /// Whether to show the "log in again" link.
    pub offer_login: bool,
    /// Whether to show the link to choosing a mailbox (access to this one ended).
    pub offer_mailboxes: bool,
}

/// A field of a form refused for what was typed: the form is shown again, refilled, with this
/// next to the field (see [`crate::problem::Problem::field_error`]).
#[derive(Debug, Clone)]
pub struct FieldError {
    /// The form field it is about (its `name`).
    pub field: &'static str,
    /// What is wrong, in the page's language.
    pub heading: String,
    /// What to do, in the page's language.
    pub message: String,
}

/// The error a refilled form shows next to one of its fields, if any.
#[derive(Debug, Clone, Default)]
pub struct FormError(Option<FieldError>);

impl FormError {
    /// A form with nothing wrong (a new, empty one).
    pub fn none() -> Self {
        Self(None)
    }

    /// A form refused for `error`.
    pub fn on(error: FieldError) -> Self {
        Self(Some(error))
    }

    /// The error next to field `name`, if it is the one refused.
    pub fn about(&self, name: &str) -> Option<&FieldError> {
        self.0.as_ref().filter(|error| error.field == name)
    }

    /// Whether field `name` is the one refused (`aria-invalid`).
    pub fn is_on(&self, name: &str) -> bool {
        self.about(name).is_some()
    }

    /// Whether the form was refused at all.
    pub fn is_some(&self) -> bool {
        self.0.is_some()
    }
}

/// `page` as an HTML response with `status`, never cached (pages may show personal data).
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (
            status,
            [
                (
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            html,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "a page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The page could not be shown.",
            )
                .into_response()
        }
    }
}

/// A `303 See Other` to `location`.
pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response(),
        // A URL from `url::Url` is always a valid header value; refuse rather than panic.
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARK: &str = "Simulator — no real identity is verified";

    #[test]
    fn every_page_carries_the_simulator_mark_and_the_language_switch() {
        for lang in [Lang::Da, Lang::En] {
            let pages = [
                LoggedOutPage { lang }.render().unwrap(),
                ProblemPage {
                    lang,
                    heading: "h",
                    message: "m",
                    offer_login: true,
                    offer_mailboxes: true,
                }
                .render()
                .unwrap(),
            ];
            for page in pages {
                assert!(page.contains(MARK), "{page}");
                let switch = format!("href=\"/language/{}\"", lang.other().code());
                assert!(page.contains(&switch), "{page}");
                assert!(page.contains(&format!("<html lang=\"{}\">", lang.code())));
            }
        }
    }
}
