//! `GET /letters/{letter_id}/forward` and `POST`: forward a letter to another Digital Post
//! recipient or to an e-mail address (see [`crate::post::writing::forward`]).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::in_mailbox::{desk, folder_or_home, letter_form};
use crate::access::Capability;
use crate::action::Action;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::compose::ForwardPage;
use crate::pages::{redirect, render};
use crate::post::writing;
use crate::problem::respond;

#[derive(Deserialize)]
pub struct ForwardForm {
    to: String,
    note: Option<String>,
}

pub async fn form(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(letter_id): Path<String>,
) -> Response {
    let page = letter_form(
        &app,
        &session,
        &letter_id,
        Capability::Forward,
        |chrome, letter| render(StatusCode::OK, &ForwardPage::new(chrome, letter)),
    );
    respond(page, session.lang)
}

/// Forwards the letter, then shows "Sendt" (or the front page, for a helper not given it).
pub async fn send(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<ForwardForm>,
) -> Response {
    let Action { session, form } = action;
    let sent = writing::forward(
        &desk(&app, &session),
        &letter_id,
        &form.to,
        form.note.as_deref(),
    )
    .map(|filed| redirect(&folder_or_home(&session, &filed.folder)));
    respond(sent, session.lang)
}
