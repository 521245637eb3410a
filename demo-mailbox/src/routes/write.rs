//! `GET /write` and `POST /write`: a new letter to an authority of the fixed list, sent (to
//! "Sendt") or saved as a draft (to "Kladder"); `POST /letters/{letter_id}/send-draft` sends a
//! saved draft. Also the shared "send or save" step that replies use.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::folder_view::chrome;
use super::mailbox_lookup::{own_letter, standard_folder};
use super::{folder_path, redirect};
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::compose_pages::WritePage;
use crate::logged_in::LoggedIn;
use crate::pages::render;
use crate::post::{
    file_own_letter, parse_authority, parse_body, parse_subject, unix_time, Authority,
    LetterContent, StandardFolder,
};
use crate::problem::Problem;
use crate::session::ActiveSession;

#[derive(Deserialize)]
pub struct WriteForm {
    authority: String,
    subject: String,
    body: String,
    /// `draft` saves to "Kladder"; anything else sends.
    intent: Option<String>,
}

pub async fn form(State(app): State<App>, LoggedIn(session): LoggedIn) -> Response {
    chrome(&app, &session, None)
        .map(|chrome| render(StatusCode::OK, &WritePage::new(chrome)))
        .unwrap_or_else(IntoResponse::into_response)
}

pub async fn send(State(app): State<App>, action: Action<WriteForm>) -> Response {
    let Action { session, form } = action;
    let sent = || -> Result<Response, Problem> {
        let authority = parse_authority(&form.authority).map_err(Problem::BadLetter)?;
        send_or_save(
            &app,
            &session,
            authority,
            &form.subject,
            &form.body,
            form.intent.as_deref(),
        )
    };
    sent().unwrap_or_else(IntoResponse::into_response)
}

/// Checks subject and text, then files the letter to `authority` in "Sendt", or in "Kladder"
/// when `intent` is `draft`, and shows that folder. The authority's side is not simulated:
/// the letter is only kept in the person's own mailbox.
pub fn send_or_save(
    app: &App,
    session: &ActiveSession,
    authority: Authority,
    subject: &str,
    body: &str,
    intent: Option<&str>,
) -> Result<Response, Problem> {
    let content = LetterContent {
        sender: authority,
        subject: parse_subject(subject).map_err(Problem::BadLetter)?,
        body: parse_body(body).map_err(Problem::BadLetter)?,
        accepts_replies: false,
        attachments: Vec::new(),
        sent_to: Some(authority.display_name().to_owned()),
        forwarded_by: None,
    };
    let folder = if intent == Some("draft") {
        StandardFolder::Drafts
    } else {
        StandardFolder::Sent
    };
    let letter = file_own_letter(
        app.store(),
        &session.mailbox,
        folder,
        content,
        unix_time(app.now()),
    )
    .map_err(Problem::Storage)?;
    Ok(redirect(&folder_path(&letter.folder)))
}

/// Sends a draft: a letter of the session's mailbox lying in "Kladder" moves to "Sendt".
/// Any other letter of the mailbox is refused (409); another mailbox's is not found.
pub async fn send_draft(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let sent = || -> Result<Response, Problem> {
        let letter = own_letter(&app, &session, &letter_id)?;
        let drafts = standard_folder(&app, &session, StandardFolder::Drafts)?;
        if letter.folder != drafts.id {
            return Err(Problem::NotADraft);
        }
        let sent = standard_folder(&app, &session, StandardFolder::Sent)?;
        let moved = app
            .store()
            .letters
            .move_to(&session.mailbox, &letter.id, &sent.id)
            .map_err(Problem::Storage)?;
        if !moved {
            return Err(Problem::NotFound);
        }
        Ok(redirect(&folder_path(&sent.id)))
    };
    sent().unwrap_or_else(IntoResponse::into_response)
}
