//! `GET /folders/{folder_id}`: the letters in one of the person's folders.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::mailbox_lookup::own_folder;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::render;
use crate::post::Folder;
use crate::post_pages::{Chrome, FolderPage, LetterRow};
use crate::problem::Problem;
use crate::session::ActiveSession;

pub async fn show(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(folder_id): Path<String>,
) -> Response {
    own_folder(&app, &session, &folder_id)
        .and_then(|folder| show_folder(&app, &session, &folder))
        .unwrap_or_else(IntoResponse::into_response)
}

/// The page of `folder`, which the caller found through the session's mailbox.
pub fn show_folder(
    app: &App,
    session: &ActiveSession,
    folder: &Folder,
) -> Result<Response, Problem> {
    let chrome = chrome(app, session, Some(folder))?;
    let letters = app
        .store()
        .letters
        .list(&session.mailbox, &folder.id)
        .map_err(Problem::Storage)?;
    Ok(render(
        StatusCode::OK,
        &FolderPage {
            chrome,
            folder_name: folder.display_name().to_owned(),
            folder_english: folder.english_name(),
            letters: letters.iter().map(LetterRow::new).collect(),
        },
    ))
}

/// The folder list and user bar for `session`, with `current` highlighted.
pub fn chrome<'a>(
    app: &App,
    session: &'a ActiveSession,
    current: Option<&Folder>,
) -> Result<Chrome<'a>, Problem> {
    let store = app.store();
    let folders = store
        .folders
        .list(&session.mailbox)
        .map_err(Problem::Storage)?;
    let unread = store
        .letters
        .unread_counts(&session.mailbox)
        .map_err(Problem::Storage)?;
    let address = store
        .mailboxes
        .get(&session.mailbox)
        .map_err(Problem::Storage)?
        .map(|mailbox| mailbox.owner.address())
        .unwrap_or_default();
    Ok(Chrome::new(
        session,
        &folders,
        &unread,
        current.map(|folder| &folder.id),
        address,
    ))
}
