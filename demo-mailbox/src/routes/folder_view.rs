//! `GET /folders/{folder_id}`: the letters in one of the mailbox's folders.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::mailbox_lookup::{own_folder, require, visible_folders};
use super::respond;
use crate::access::Capability;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::post::{folder_name, Chrome, FolderPage, LetterRow};
use crate::pages::render;
use crate::post::Folder;
use crate::problem::Problem;
use crate::session::ActiveSession;

pub async fn show(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(folder_id): Path<String>,
) -> Response {
    let page = require(&session, Capability::Read)
        .and_then(|()| own_folder(&app, &session, &folder_id))
        .and_then(|folder| show_folder(&app, &session, &folder));
    respond(page, session.lang)
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
            lang: session.lang,
            chrome,
            folder_name: folder_name(folder, session.lang),
            letters: letters
                .iter()
                .map(|letter| LetterRow::new(letter, session.lang))
                .collect(),
        },
    ))
}

/// The folder list and user bar for `session`, with `current` highlighted: only the folders
/// the session sees, and only their unread counts.
pub fn chrome<'a>(
    app: &App,
    session: &'a ActiveSession,
    current: Option<&Folder>,
) -> Result<Chrome<'a>, Problem> {
    let store = app.store();
    let folders = visible_folders(app, session)?;
    let unread: Vec<_> = store
        .letters
        .unread_counts(&session.mailbox)
        .map_err(Problem::Storage)?
        .into_iter()
        .filter(|(folder, _)| session.access.sees_folder(folder))
        .collect();
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
