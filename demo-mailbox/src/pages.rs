//! The mailbox's HTML pages: one askama template struct per page (templates/*.html), all
//! extending `base.html`, which carries the simulator mark. Askama escapes every value.
//! The Digital Post pages are in [`crate::post_pages`].

use askama::Template;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// `/logged-out`.
#[derive(Template)]
#[template(path = "logged_out.html")]
pub struct LoggedOutPage;

/// Something went wrong, or the login was cancelled.
#[derive(Template)]
#[template(path = "problem.html")]
pub struct ProblemPage<'a> {
    /// What happened, Danish / English.
    pub heading: &'a str,
    /// What to do, Danish / English.
    pub message: &'a str,
    /// Whether to show the "log in again" link.
    pub offer_login: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    const MARK: &str = "Simulator — no real identity is verified";

    #[test]
    fn every_page_carries_the_simulator_mark() {
        let pages = [
            LoggedOutPage.render().unwrap(),
            ProblemPage {
                heading: "h",
                message: "m",
                offer_login: true,
            }
            .render()
            .unwrap(),
        ];
        for page in pages {
            assert!(page.contains(MARK), "{page}");
        }
    }
}
