//! Own folders: `GET /folders` (manage), `POST /folders` (create), `POST
//! /folders/{folder_id}/rename` and `POST /folders/{folder_id}/delete` (only when empty).
//! The operations are [`crate::post::own_folders`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::in_mailbox::{chrome, desk, notify};
use crate::access::desk::{Desk, Refusal};
use crate::access::Capability;
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::notice::Notice;
use crate::pages::post::{FoldersPage, RefusedName};
use crate::pages::{redirect, render, FormError};
use crate::paths::FOLDERS;
use crate::post::own_folders;
use crate::post::FolderId;
use crate::problem::{respond, Problem};
use crate::session::ActiveSession;

#[derive(Deserialize)]
pub struct NameForm {
    name: String,
}

pub async fn manage(State(app): State<App>, LoggedIn(session): LoggedIn) -> Response {
    let page = || -> Result<Response, Problem> {
        let desk = desk(&app, &session);
        desk.require(Capability::CreateFolder)?;
        let folders = desk.folders()?;
        let can_manage = session.access.allows(Capability::ManageFolders);
        let chrome = chrome(&desk, &session, None)?;
        Ok(render(
            StatusCode::OK,
            &FoldersPage::new(chrome, &folders, can_manage, None),
        ))
    };
    respond(page(), session.lang)
}

/// Whether `refusal` is about the name typed (so the form is shown again with it).
fn is_about_the_name(refusal: &Refusal) -> bool {
    matches!(
        refusal,
        Refusal::BadFolderName(_) | Refusal::FolderNameTaken
    )
}

/// The folders page again, with the name typed into the form of `folder` (or the create
/// form) refused for `refusal`.
fn show_refused_name(
    desk: &Desk,
    session: &ActiveSession,
    folder: Option<FolderId>,
    typed: String,
    refusal: Refusal,
) -> Response {
    let shown = || -> Result<Response, Problem> {
        let folders = desk.folders()?;
        let can_manage = session.access.allows(Capability::ManageFolders);
        let problem = Problem::from(refusal);
        let refused = RefusedName {
            folder,
            typed,
            error: FormError::on(problem.field_error("name", session.lang)),
        };
        let chrome = chrome(desk, session, None)?;
        Ok(render(
            problem.form_status(),
            &FoldersPage::new(chrome, &folders, can_manage, Some(refused)),
        ))
    };
    respond(shown(), session.lang)
}

pub async fn create(State(app): State<App>, action: Action<NameForm>) -> Response {
    let Action { session, form } = action;
    let desk = desk(&app, &session);
    match own_folders::create(&desk, &form.name) {
        Err(refusal) if is_about_the_name(&refusal) => {
            show_refused_name(&desk, &session, None, form.name, refusal)
        }
        created => respond(
            created.map(|folder| {
                notify(
                    &app,
                    &session,
                    Notice::FolderCreated(folder.display_name().to_owned()),
                );
                redirect(FOLDERS)
            }),
            session.lang,
        ),
    }
}

pub async fn rename(
    State(app): State<App>,
    Path(folder_id): Path<String>,
    action: Action<NameForm>,
) -> Response {
    let Action { session, form } = action;
    let desk = desk(&app, &session);
    match own_folders::rename(&desk, &folder_id, &form.name) {
        Err(refusal) if is_about_the_name(&refusal) => show_refused_name(
            &desk,
            &session,
            Some(FolderId::new(folder_id)),
            form.name,
            refusal,
        ),
        renamed => respond(
            renamed.map(|name| {
                notify(
                    &app,
                    &session,
                    Notice::FolderRenamed(name.as_str().to_owned()),
                );
                redirect(FOLDERS)
            }),
            session.lang,
        ),
    }
}

pub async fn delete(
    State(app): State<App>,
    Path(folder_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let deleted = own_folders::delete(&desk(&app, &session), &folder_id);
    let deleted = deleted.map(|folder| {
        notify(
            &app,
            &session,
            Notice::FolderDeleted(folder.display_name().to_owned()),
        );
        redirect(FOLDERS)
    });
    respond(deleted, session.lang)
}
