//! `GET /letters/{letter_id}/forward` and `POST`: forward a letter to another Digital Post
//! recipient (a copy lands in their inbox, or goes on paper if they are exempt) or to an
//! e-mail address (it leaves Digital Post: recorded in the simulated outbox). A copy of what
//! was sent lands in the person's own "Sendt".

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::folder_view::chrome;
use super::mailbox_lookup::{folder_or_home, log_activity, own_letter, require};
use super::respond;
use crate::access::{ActivityAction, Capability};
use crate::action::Action;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::compose::ForwardPage;
use crate::pages::{redirect, render};
use crate::post::{
    deliver, file_own_letter, parse_body, unix_time, Channel, ComposeError, ForwardTarget,
    LetterContent, OutboxEntry, StandardFolder, MAX_SUBJECT_CHARS,
};
use crate::problem::Problem;

/// The longest note added to a forwarded letter, in characters.
const MAX_NOTE_CHARS: usize = 2_000;

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
    let page = || -> Result<Response, Problem> {
        require(&session, Capability::Forward)?;
        let letter = own_letter(&app, &session, &letter_id)?;
        let chrome = chrome(&app, &session, None)?;
        Ok(render(StatusCode::OK, &ForwardPage::new(chrome, &letter)))
    };
    respond(page(), session.lang)
}

/// The note, if any: optional, but bounded like any text.
fn parse_note(note: Option<&str>) -> Result<Option<String>, ComposeError> {
    match note.map(parse_body) {
        None | Some(Err(ComposeError::BodyEmpty)) => Ok(None),
        Some(Ok(note)) if note.chars().count() > MAX_NOTE_CHARS => Err(ComposeError::BodyTooLong),
        Some(note) => note.map(Some),
    }
}

pub async fn send(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<ForwardForm>,
) -> Response {
    let Action { session, form } = action;
    let sent = || -> Result<Response, Problem> {
        require(&session, Capability::Forward)?;
        let letter = own_letter(&app, &session, &letter_id)?;
        let target = ForwardTarget::parse(&form.to).map_err(Problem::BadLetter)?;
        let note = parse_note(form.note.as_deref()).map_err(Problem::BadLetter)?;
        let now = unix_time(app.now());
        let original = letter.content;
        let subject: String = format!("Vs: {}", original.subject)
            .chars()
            .take(MAX_SUBJECT_CHARS)
            .collect();
        let body = match &note {
            Some(note) => format!(
                "{note}\n\n--- Videresendt brev / Forwarded letter ---\n\n{}",
                original.body
            ),
            None => original.body.clone(),
        };
        let forwarded = LetterContent {
            subject,
            body,
            // The authority answers its addressee, not whoever the letter was forwarded to.
            accepts_replies: false,
            sent_to: None,
            forwarded_by: Some(session.name.clone()),
            helped_by: None,
            ..original
        };
        match &target {
            ForwardTarget::DigitalPost(owner) => {
                deliver(app.store(), owner, forwarded.clone(), now).map_err(Problem::Storage)?;
            }
            ForwardTarget::Email(address) => {
                let names: Vec<&str> = forwarded
                    .attachments
                    .iter()
                    .map(|attachment| attachment.file_name.as_str())
                    .collect();
                let text = format!(
                    "{} har videresendt et brev fra {} / has forwarded a letter from {}:\n\n{}\n\nBilag / Attachments: {}",
                    session.name,
                    forwarded.sender.display_name(),
                    forwarded.sender.display_name(),
                    forwarded.body,
                    if names.is_empty() { "-".to_owned() } else { names.join(", ") }
                );
                app.store()
                    .outbox
                    .record(&OutboxEntry::new(
                        now,
                        Channel::Email,
                        address,
                        &forwarded.subject,
                        text,
                    ))
                    .map_err(Problem::Storage)?;
            }
        }
        let copy = LetterContent {
            sent_to: Some(target.describe()),
            forwarded_by: None,
            helped_by: session.access.helper().map(|_| session.name.clone()),
            ..forwarded
        };
        let logged = format!("{} → {}", copy.subject, target.describe());
        let filed = file_own_letter(
            app.store(),
            &session.mailbox,
            StandardFolder::Sent,
            copy,
            now,
        )
        .map_err(Problem::Storage)?;
        tracing::info!("a letter was forwarded");
        log_activity(
            &app,
            &session,
            ActivityAction::ForwardedLetter,
            Some(logged),
        )?;
        Ok(redirect(&folder_or_home(&session, &filed.folder)))
    };
    respond(sent(), session.lang)
}
