//! `GET /`: the logged-in front page.

use axum::http::StatusCode;
use axum::response::Response;

use crate::logged_in::LoggedIn;
use crate::pages::{render, HomePage};

pub async fn home(LoggedIn(session): LoggedIn) -> Response {
    render(
        StatusCode::OK,
        &HomePage {
            name: &session.name,
            csrf_token: &session.csrf_token,
        },
    )
}
