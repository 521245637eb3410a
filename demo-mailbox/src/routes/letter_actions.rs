//! Moving and deleting letters: `POST /letters/{letter_id}/move`, `POST .../delete` (to
//! "Slettet"), and `GET`/`POST .../delete-permanently` for a letter already in "Slettet".

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::folder_view::chrome;
use super::mailbox_lookup::{log_activity, own_folder, own_letter, require, standard_folder};
use super::respond;
use crate::access::{ActivityAction, Capability};
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::post::{folder_name, ConfirmDeletePage};
use crate::pages::{redirect, render};
use crate::paths::{folder_path, permanent_delete_path};
use crate::post::{Letter, StandardFolder};
use crate::problem::Problem;
use crate::session::ActiveSession;

#[derive(Deserialize)]
pub struct MoveForm {
    folder_id: String,
}

/// Moves the letter to another folder of the same mailbox, then shows the folder it left.
/// Moving into "Slettet" is deleting, and takes the right to delete.
pub async fn move_letter(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<MoveForm>,
) -> Response {
    let Action { session, form } = action;
    let moved = || -> Result<Response, Problem> {
        require(&session, Capability::Move)?;
        let letter = own_letter(&app, &session, &letter_id)?;
        let target = own_folder(&app, &session, &form.folder_id)?;
        if target.standard_kind() == Some(StandardFolder::Deleted) {
            require(&session, Capability::Delete)?;
        }
        let moved = app
            .store()
            .letters
            .move_to(&session.mailbox, &letter.id, &target.id)
            .map_err(Problem::Storage)?;
        if !moved {
            return Err(Problem::NotFound);
        }
        log_activity(
            &app,
            &session,
            ActivityAction::MovedLetter,
            Some(format!(
                "{} → {}",
                letter.content.subject,
                folder_name(&target, session.lang)
            )),
        )?;
        Ok(redirect(&folder_path(&letter.folder)))
    };
    respond(moved(), session.lang)
}

/// Moves the letter to "Slettet". A letter already there goes to the confirmation page for
/// deleting it for good (which only the owner may do).
pub async fn delete(
    State(app): State<App>,
    Path(letter_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let deleted = || -> Result<Response, Problem> {
        require(&session, Capability::Delete)?;
        let letter = own_letter(&app, &session, &letter_id)?;
        let bin = standard_folder(&app, &session, StandardFolder::Deleted)?;
        if letter.folder == bin.id {
            require(&session, Capability::DeletePermanently)?;
            return Ok(redirect(&permanent_delete_path(&letter.id)));
        }
        let moved = app
            .store()
            .letters
            .move_to(&session.mailbox, &letter.id, &bin.id)
            .map_err(Problem::Storage)?;
        if !moved {
            return Err(Problem::NotFound);
        }
        log_activity(
            &app,
            &session,
            ActivityAction::DeletedLetter,
            Some(letter.content.subject),
        )?;
        Ok(redirect(&folder_path(&letter.folder)))
    };
    respond(deleted(), session.lang)
}

/// The letter, if it is the session's and lies in "Slettet".
fn deleted_letter(app: &App, session: &ActiveSession, letter_id: &str) -> Result<Letter, Problem> {
    let letter = own_letter(app, session, letter_id)?;
    let bin = standard_folder(app, session, StandardFolder::Deleted)?;
    if letter.folder != bin.id {
        return Err(Problem::NotInDeleted);
    }
    Ok(letter)
}

/// Asks before deleting for good.
pub async fn confirm_permanent_delete(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(letter_id): Path<String>,
) -> Response {
    let page = || -> Result<Response, Problem> {
        require(&session, Capability::DeletePermanently)?;
        let letter = deleted_letter(&app, &session, &letter_id)?;
        let bin = standard_folder(&app, &session, StandardFolder::Deleted)?;
        let chrome = chrome(&app, &session, Some(&bin))?;
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
    let deleted = || -> Result<Response, Problem> {
        require(&session, Capability::DeletePermanently)?;
        let letter = deleted_letter(&app, &session, &letter_id)?;
        let removed = app
            .store()
            .letters
            .delete(&session.mailbox, &letter.id)
            .map_err(Problem::Storage)?;
        if !removed {
            return Err(Problem::NotFound);
        }
        tracing::info!("a letter was deleted for good");
        Ok(redirect(&folder_path(&letter.folder)))
    };
    respond(deleted(), session.lang)
}
