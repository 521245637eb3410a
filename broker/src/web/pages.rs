//! Server-rendered pages (askama; one struct per page).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::error::OAuthError;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub lang: &'a str,
    pub code: &'a str,
    pub description: &'a str,
}

pub struct LoginIdentity {
    pub user_id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage<'a> {
    pub lang: &'a str,
    pub client_name: &'a str,
    pub identities: Vec<LoginIdentity>,
    pub action: &'a str,
    pub csrf: &'a str,
    pub txn_id: &'a str,
}

#[derive(Template)]
#[template(path = "logout_confirm.html")]
pub struct LogoutConfirmPage<'a> {
    pub lang: &'a str,
    pub action: &'a str,
    pub csrf: &'a str,
    pub params: &'a [(String, String)],
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage<'a> {
    pub lang: &'a str,
    pub title: &'a str,
    pub text: &'a str,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage<'a> {
    pub lang: &'a str,
    pub issuer: &'a str,
    pub discovery: &'a str,
    pub jwks: &'a str,
    pub openapi: &'a str,
}

/// Renders a page with a status; a template failure becomes a plain 500.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "page failed to render").into_response()
        }
    }
}

/// The page for a request that cannot be answered to the client. `detail` is logged only.
pub fn error_page(status: StatusCode, error: &OAuthError, lang: &str) -> Response {
    if let Some(detail) = &error.detail {
        tracing::info!(
            error = error.code.as_str(),
            detail,
            "request answered with an error page"
        );
    }
    render(
        status,
        &ErrorPage {
            lang,
            code: error.code.as_str(),
            description: &error.description,
        },
    )
}
