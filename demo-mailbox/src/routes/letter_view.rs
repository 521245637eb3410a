//! `GET /letters/{letter_id}` (read a letter, which marks it read) and
//! `POST /letters/{letter_id}/unread`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::in_mailbox::{chrome, desk, notify};
use crate::access::Capability;
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::notice::Notice;
use crate::pages::post::{LetterPage, Restore};
use crate::pages::{redirect, render};
use crate::paths::{folder_path, restore_path};
use crate::post::{handling, StandardFolder};
use crate::problem::{respond, Problem};
use crate::session::ActiveSession;

pub async fn show(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(letter_id): Path<String>,
) -> Response {
    respond(show_letter(&app, &session, &letter_id), session.lang)
}

fn show_letter(app: &App, session: &ActiveSession, letter_id: &str) -> Result<Response, Problem> {
    let desk = desk(app, session);
    let letter = handling::read(&desk, letter_id)?;
    let folder = desk.folder(letter.folder.as_str())?;
    let folders = desk.folders()?;
    let chrome = chrome(&desk, session, Some(&folder))?;
    // In "Slettet", where "Gendan" would put it back (none when the access may not).
    let restore_to = (folder.standard_kind() == Some(StandardFolder::Deleted)
        && session.access.allows(Capability::Move))
    .then(|| handling::restore_target(&desk, &letter).ok())
    .flatten();
    let mut page = LetterPage::new(chrome, &session.access, &letter, &folder, &folders);
    page.restore = restore_to.map(|target| Restore {
        action: restore_path(&letter.id),
        to: target.name_in(session.lang),
    });
    Ok(render(StatusCode::OK, &page))
}

/// Marks the letter unread and goes back to its folder.
pub async fn mark_unread(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let marked = handling::mark_unread(&desk(&app, &session), &letter_id).map(|letter| {
        notify(&app, &session, Notice::MarkedUnread);
        redirect(&folder_path(&letter.folder))
    });
    respond(marked, session.lang)
}
