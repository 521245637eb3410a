//! `GET /folders/{folder_id}`: the letters in one of the mailbox's folders.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::in_mailbox::{chrome, desk};
use crate::access::desk::Desk;
use crate::access::Capability;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::post::{Columns, FolderPage, LetterRow};
use crate::pages::render;
use crate::post::Folder;
use crate::problem::{respond, Problem};
use crate::session::ActiveSession;

pub async fn show(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(folder_id): Path<String>,
) -> Response {
    let page = || -> Result<Response, Problem> {
        let desk = desk(&app, &session);
        desk.require(Capability::Read)?;
        let folder = desk.folder(&folder_id)?;
        show_folder(&desk, &session, &folder)
    };
    respond(page(), session.lang)
}

/// The page of `folder`, which the caller found through the session's desk.
pub fn show_folder(
    desk: &Desk,
    session: &ActiveSession,
    folder: &Folder,
) -> Result<Response, Problem> {
    let chrome = chrome(desk, session, Some(folder))?;
    let letters = desk.letters_in(folder)?;
    let columns = Columns::of(folder);
    Ok(render(
        StatusCode::OK,
        &FolderPage {
            lang: session.lang,
            chrome,
            folder_name: folder.name_in(session.lang),
            who_heading: columns.who(session.lang),
            when_heading: columns.when(session.lang),
            letters: letters
                .iter()
                .map(|letter| LetterRow::new(letter, session.lang, columns))
                .collect(),
        },
    ))
}
