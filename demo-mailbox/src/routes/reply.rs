//! `GET /letters/{letter_id}/reply` and `POST`: answer a letter, only where its sender accepts
//! replies. Otherwise the page says so and the POST is refused (409), changing nothing.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::folder_view::chrome;
use super::mailbox_lookup::{own_letter, require};
use super::respond;
use super::write::{send_or_save, Composed};
use crate::access::Capability;
use crate::action::Action;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::compose::ReplyPage;
use crate::pages::render;
use crate::problem::Problem;

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
    let page = || -> Result<Response, Problem> {
        require(&session, Capability::Compose)?;
        let letter = own_letter(&app, &session, &letter_id)?;
        let chrome = chrome(&app, &session, None)?;
        Ok(render(StatusCode::OK, &ReplyPage::new(chrome, &letter)))
    };
    respond(page(), session.lang)
}

pub async fn send(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<ReplyForm>,
) -> Response {
    let Action { session, form } = action;
    let sent = || -> Result<Response, Problem> {
        require(&session, Capability::Compose)?;
        let letter = own_letter(&app, &session, &letter_id)?;
        if !letter.content.accepts_replies {
            return Err(Problem::RepliesNotAccepted);
        }
        send_or_save(
            &app,
            &session,
            Composed::Reply,
            letter.content.sender,
            &form.subject,
            &form.body,
            form.intent.as_deref(),
        )
    };
    respond(sent(), session.lang)
}
