//! `GET /letters/{letter_id}` (read a letter, which marks it read) and
//! `POST /letters/{letter_id}/unread`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::folder_view::chrome;
use super::mailbox_lookup::{own_folder, own_letter};
use super::{folder_path, redirect};
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::render;
use crate::post::LetterId;
use crate::post_pages::LetterPage;
use crate::problem::Problem;
use crate::session::ActiveSession;

pub async fn show(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(letter_id): Path<String>,
) -> Response {
    show_letter(&app, &session, &letter_id).unwrap_or_else(IntoResponse::into_response)
}

fn show_letter(app: &App, session: &ActiveSession, letter_id: &str) -> Result<Response, Problem> {
    let mut letter = own_letter(app, session, letter_id)?;
    if !letter.read {
        app.store()
            .letters
            .set_read(&session.mailbox, &letter.id, true)
            .map_err(Problem::Storage)?;
        letter.read = true;
    }
    let folder = own_folder(app, session, letter.folder.as_str())?;
    let folders = app
        .store()
        .folders
        .list(&session.mailbox)
        .map_err(Problem::Storage)?;
    let chrome = chrome(app, session, Some(&folder))?;
    Ok(render(
        StatusCode::OK,
        &LetterPage::new(chrome, &letter, &folder, &folders),
    ))
}

/// Marks the letter unread and goes back to its folder.
pub async fn mark_unread(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let result = app
        .store()
        .letters
        .set_read(&session.mailbox, &LetterId::new(letter_id.as_str()), false)
        .map_err(Problem::Storage)
        .and_then(|changed| {
            if changed {
                own_letter(&app, &session, &letter_id)
            } else {
                Err(Problem::NotFound)
            }
        });
    match result {
        Ok(letter) => redirect(&folder_path(&letter.folder)),
        Err(problem) => problem.into_response(),
    }
}
