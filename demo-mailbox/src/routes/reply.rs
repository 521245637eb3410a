//! `GET /letters/{letter_id}/reply` and `POST`: answer a letter, only where its sender accepts
//! replies. Otherwise the page says so and the POST is refused (409), changing nothing.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::in_mailbox::{desk, letter_form, show_filed};
use super::write::is_draft;
use crate::access::Capability;
use crate::action::Action;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::compose::ReplyPage;
use crate::pages::render;
use crate::post::writing;

#[derive(Deserialize)]
pub struct ReplyForm {
    subject: String,
    body: String,
    /// `draft` saves to "Kladder"; anything else sends.
    intent: Option<String>,
}

pub async fn form(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(letter_id): Path<String>,
) -> Response {
    letter_form(
        &app,
        &session,
        &letter_id,
        Capability::Compose,
        |chrome, letter| render(StatusCode::OK, &ReplyPage::new(chrome, letter)),
    )
}

pub async fn send(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<ReplyForm>,
) -> Response {
    let Action { session, form } = action;
    let sent = writing::reply(
        &desk(&app, &session),
        &letter_id,
        &form.subject,
        &form.body,
        is_draft(form.intent.as_deref()),
    );
    show_filed(&session, sent)
}
