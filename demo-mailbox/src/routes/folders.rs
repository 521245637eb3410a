//! Own folders: `GET /folders` (manage), `POST /folders` (create), `POST
//! /folders/{folder_id}/rename` and `POST /folders/{folder_id}/delete` (only when empty).
//! A folder a helper creates joins the folders their grant shows them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::folder_view::chrome;
use super::mailbox_lookup::{log_activity, own_folder, require, visible_folders};
use super::respond;
use crate::access::{ActivityAction, Capability};
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::post::FoldersPage;
use crate::pages::{redirect, render};
use crate::paths::FOLDERS;
use crate::post::{Folder, FolderName};
use crate::problem::Problem;
use crate::store::{FolderDeletion, StoreError};

#[derive(Deserialize)]
pub struct NameForm {
    name: String,
}

pub async fn manage(State(app): State<App>, LoggedIn(session): LoggedIn) -> Response {
    let page = || -> Result<Response, Problem> {
        require(&session, Capability::CreateFolder)?;
        let folders = visible_folders(&app, &session)?;
        let can_manage = session.access.allows(Capability::ManageFolders);
        let chrome = chrome(&app, &session, None)?;
        Ok(render(
            StatusCode::OK,
            &FoldersPage::new(chrome, &folders, can_manage),
        ))
    };
    respond(page(), session.lang)
}

fn name_taken(error: StoreError) -> Problem {
    match error {
        StoreError::Conflict(_) => Problem::FolderNameTaken,
        other => Problem::Storage(other),
    }
}

pub async fn create(State(app): State<App>, action: Action<NameForm>) -> Response {
    let Action { session, form } = action;
    let created = || -> Result<Response, Problem> {
        require(&session, Capability::CreateFolder)?;
        let name = FolderName::parse(&form.name).map_err(Problem::BadFolderName)?;
        let folder = Folder::own(&session.mailbox, name);
        app.store().folders.create(&folder).map_err(name_taken)?;
        if let Some(helper) = session.access.helper() {
            app.store()
                .grants
                .add_folder(&session.mailbox, &helper.grant, &folder.id)
                .map_err(Problem::Storage)?;
        }
        log_activity(
            &app,
            &session,
            ActivityAction::CreatedFolder,
            Some(folder.display_name().to_owned()),
        )?;
        Ok(redirect(FOLDERS))
    };
    respond(created(), session.lang)
}

pub async fn rename(
    State(app): State<App>,
    Path(folder_id): Path<String>,
    action: Action<NameForm>,
) -> Response {
    let Action { session, form } = action;
    let renamed = || -> Result<Response, Problem> {
        require(&session, Capability::ManageFolders)?;
        let folder = own_folder(&app, &session, &folder_id)?;
        if !folder.is_own() {
            return Err(Problem::StandardFolder);
        }
        let name = FolderName::parse(&form.name).map_err(Problem::BadFolderName)?;
        let renamed = app
            .store()
            .folders
            .rename(&session.mailbox, &folder.id, &name)
            .map_err(name_taken)?;
        if !renamed {
            return Err(Problem::NotFound);
        }
        log_activity(
            &app,
            &session,
            ActivityAction::RenamedFolder,
            Some(format!("{} → {}", folder.display_name(), name.as_str())),
        )?;
        Ok(redirect(FOLDERS))
    };
    respond(renamed(), session.lang)
}

pub async fn delete(
    State(app): State<App>,
    Path(folder_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let deleted = || -> Result<Response, Problem> {
        require(&session, Capability::ManageFolders)?;
        let folder = own_folder(&app, &session, &folder_id)?;
        match app
            .store()
            .folders
            .delete_if_empty(&session.mailbox, &folder.id)
            .map_err(Problem::Storage)?
        {
            FolderDeletion::Deleted => {
                log_activity(
                    &app,
                    &session,
                    ActivityAction::DeletedFolder,
                    Some(folder.display_name().to_owned()),
                )?;
                Ok(redirect(FOLDERS))
            }
            FolderDeletion::NotEmpty => Err(Problem::FolderNotEmpty),
            FolderDeletion::Standard => Err(Problem::StandardFolder),
            FolderDeletion::NotFound => Err(Problem::NotFound),
        }
    };
    respond(deleted(), session.lang)
}
