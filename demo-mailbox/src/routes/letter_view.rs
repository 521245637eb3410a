//! `GET /letters/{letter_id}` (read a letter, which marks it read) and
//! `POST /letters/{letter_id}/unread`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::folder_view::chrome;
use super::mailbox_lookup::{log_activity, own_folder, own_letter, require, visible_folders};
use super::respond;
use crate::access::{ActivityAction, Capability};
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::post::LetterPage;
use crate::pages::{redirect, render};
use crate::paths::folder_path;
use crate::problem::Problem;
use crate::session::ActiveSession;

pub async fn show(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(letter_id): Path<String>,
) -> Response {
    respond(show_letter(&app, &session, &letter_id), session.lang)
}

fn show_letter(app: &App, session: &ActiveSession, letter_id: &str) -> Result<Response, Problem> {
    require(session, Capability::Read)?;
    let mut letter = own_letter(app, session, letter_id)?;
    if !letter.read {
        app.store()
            .letters
            .set_read(&session.mailbox, &letter.id, true)
            .map_err(Problem::Storage)?;
        letter.read = true;
    }
    log_activity(
        app,
        session,
        ActivityAction::ReadLetter,
        Some(letter.content.subject.clone()),
    )?;
    let folder = own_folder(app, session, letter.folder.as_str())?;
    let folders = visible_folders(app, session)?;
    let chrome = chrome(app, session, Some(&folder))?;
    Ok(render(
        StatusCode::OK,
        &LetterPage::new(chrome, &session.access, &letter, &folder, &folders),
    ))
}

/// Marks the letter unread and goes back to its folder.
pub async fn mark_unread(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let marked = || -> Result<Response, Problem> {
        require(&session, Capability::MarkUnread)?;
        let letter = own_letter(&app, &session, &letter_id)?;
        let changed = app
            .store()
            .letters
            .set_read(&session.mailbox, &letter.id, false)
            .map_err(Problem::Storage)?;
        if !changed {
            return Err(Problem::NotFound);
        }
        log_activity(
            &app,
            &session,
            ActivityAction::MarkedUnread,
            Some(letter.content.subject),
        )?;
        Ok(redirect(&folder_path(&letter.folder)))
    };
    respond(marked(), session.lang)
}
