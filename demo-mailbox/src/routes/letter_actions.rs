//! Moving and deleting letters: `POST /letters/{letter_id}/move`, `POST .../delete` (to
//! "Slettet"), and for a letter already in "Slettet" `POST .../restore` (back where it was
//! deleted from) and `GET`/`POST .../delete-permanently`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::in_mailbox::{chrome, desk, folder_or_home, notify};
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::language::Lang;
use crate::logged_in::LoggedIn;
use crate::notice::Notice;
use crate::pages::post::ConfirmDeletePage;
use crate::pages::{redirect, render};
use crate::paths::{folder_path, permanent_delete_path};
use crate::post::handling::{self, Deletion};
use crate::problem::{respond, Problem};

#[derive(Deserialize)]
pub struct MoveForm {
    folder_id: String,
}

/// Moves the letter to another folder of the same mailbox, then shows the folder it left.
pub async fn move_letter(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<MoveForm>,
) -> Response {
    let Action { session, form } = action;
    let desk = desk(&app, &session);
    let moved = handling::move_letter(&desk, &letter_id, &form.folder_id).map(|letter| {
        // Named in both languages: the page it lands on may be shown in either.
        if let Ok(target) = desk.folder(&form.folder_id) {
            let notice = Notice::Moved {
                da: target.name_in(Lang::Da),
                en: target.name_in(Lang::En),
            };
            notify(&app, &session, notice);
        }
        redirect(&folder_path(&letter.folder))
    });
    respond(moved, session.lang)
}

/// Moves the letter to "Slettet", then shows the folder it left. A letter already there goes
/// to the confirmation page for deleting it for good.
pub async fn delete(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let deleted =
        handling::delete(&desk(&app, &session), &letter_id).map(|deletion| match deletion {
            Deletion::ToBin(letter) => {
                notify(&app, &session, Notice::Deleted);
                redirect(&folder_path(&letter.folder))
            }
            Deletion::AlreadyInBin(letter) => redirect(&permanent_delete_path(&letter.id)),
        });
    respond(deleted, session.lang)
}

/// Restores a letter in "Slettet" to the folder it was deleted from, then shows "Slettet".
pub async fn restore(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let restored = handling::restore(&desk(&app, &session), &letter_id).map(|(letter, target)| {
        let notice = Notice::Restored {
            da: target.name_in(Lang::Da),
            en: target.name_in(Lang::En),
        };
        notify(&app, &session, notice);
        redirect(&folder_or_home(&session, &letter.folder))
    });
    respond(restored, session.lang)
}

/// Asks before deleting for good.
pub async fn confirm_permanent_delete(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(letter_id): Path<String>,
) -> Response {
    let page = || -> Result<Response, Problem> {
        let desk = desk(&app, &session);
        let (letter, bin) = handling::letter_in_bin(&desk, &letter_id)?;
        let chrome = chrome(&desk, &session, Some(&bin))?;
        Ok(render(
            StatusCode::OK,
            &ConfirmDeletePage::new(chrome, &letter),
        ))
    };
    respond(page(), session.lang)
}

/// Deletes a letter in "Slettet" for good, then shows "Slettet".
pub async fn delete_permanently(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let deleted = handling::delete_for_good(&desk(&app, &session), &letter_id).map(|letter| {
        notify(&app, &session, Notice::DeletedForGood);
        redirect(&folder_path(&letter.folder))
    });
    respond(deleted, session.lang)
}
