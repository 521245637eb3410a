//! `GET /write` and `POST /write`: a new letter to an authority of the fixed list, sent (to
//! "Sendt") or saved as a draft (to "Kladder"); `POST /letters/{letter_id}/send-draft` sends a
//! saved draft. Also the shared "send or save" step that replies use. A helper with read and
//! write access writes on the owner's behalf: the letter shows who helped.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::folder_view::chrome;
use super::mailbox_lookup::{folder_or_home, log_activity, own_letter, require, standard_folder};
use super::respond;
use crate::access::{ActivityAction, Capability};
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::compose::WritePage;
use crate::pages::{redirect, render};
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
    let page = require(&session, Capability::Compose)
        .and_then(|()| chrome(&app, &session, None))
        .map(|chrome| render(StatusCode::OK, &WritePage::new(chrome)));
    respond(page, session.lang)
}

pub async fn send(State(app): State<App>, action: Action<WriteForm>) -> Response {
    let Action { session, form } = action;
    let sent = || -> Result<Response, Problem> {
        require(&session, Capability::Compose)?;
        let authority = parse_authority(&form.authority).map_err(Problem::BadLetter)?;
        send_or_save(
            &app,
            &session,
            Composed::New,
            authority,
            &form.subject,
            &form.body,
            form.intent.as_deref(),
        )
    };
    respond(sent(), session.lang)
}

/// What kind of letter is being sent or saved (for the activity log).
pub enum Composed {
    /// A new letter.
    New,
    /// A reply.
    Reply,
}

/// Checks subject and text, then files the letter to `authority` in "Sendt", or in "Kladder"
/// when `intent` is `draft`, and shows that folder (or the front page, for a helper not
/// given it). The authority's side is not simulated: the letter is only kept in the
/// mailbox.
pub fn send_or_save(
    app: &App,
    session: &ActiveSession,
    composed: Composed,
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
        helped_by: session.access.helper().map(|_| session.name.clone()),
    };
    let draft = intent == Some("draft");
    let folder = if draft {
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
    let action = match (draft, composed) {
        (true, _) => ActivityAction::SavedDraft,
        (false, Composed::New) => ActivityAction::WroteLetter,
        (false, Composed::Reply) => ActivityAction::Replied,
    };
    log_activity(app, session, action, Some(letter.content.subject.clone()))?;
    Ok(redirect(&folder_or_home(session, &letter.folder)))
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
        require(&session, Capability::Compose)?;
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
        log_activity(
            &app,
            &session,
            ActivityAction::SentDraft,
            Some(letter.content.subject),
        )?;
        Ok(redirect(&folder_or_home(&session, &sent.id)))
    };
    respond(sent(), session.lang)
}
