//! Own folders: `GET /folders` (manage), `POST /folders` (create), `POST
//! /folders/{folder_id}/rename` and `POST /folders/{folder_id}/delete` (only when empty).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::folder_view::chrome;
use super::mailbox_lookup::own_folder;
use super::{redirect, FOLDERS};
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::render;
use crate::post::{Folder, FolderName};
use crate::post_pages::FoldersPage;
use crate::problem::Problem;
use crate::store::{FolderDeletion, StoreError};

#[derive(Deserialize)]
pub struct NameForm {
    name: String,
}

pub async fn manage(State(app): State<App>, LoggedIn(session): LoggedIn) -> Response {
    let page = || -> Result<Response, Problem> {
        let folders = app
            .store()
            .folders
            .list(&session.mailbox)
            .map_err(Problem::Storage)?;
        let chrome = chrome(&app, &session, None)?;
        Ok(render(StatusCode::OK, &FoldersPage::new(chrome, &folders)))
    };
    page().unwrap_or_else(IntoResponse::into_response)
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
        let name = FolderName::parse(&form.name).map_err(Problem::BadFolderName)?;
        let folder = Folder::own(&session.mailbox, name);
        app.store().folders.create(&folder).map_err(name_taken)?;
        Ok(redirect(FOLDERS))
    };
    created().unwrap_or_else(IntoResponse::into_response)
}

pub async fn rename(
    State(app): State<App>,
    Path(folder_id): Path<String>,
    action: Action<NameForm>,
) -> Response {
    let Action { session, form } = action;
    let renamed = || -> Result<Response, Problem> {
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
        Ok(redirect(FOLDERS))
    };
    renamed().unwrap_or_else(IntoResponse::into_response)
}

pub async fn delete(
    State(app): State<App>,
    Path(folder_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let deleted = || -> Result<Response, Problem> {
        let folder = own_folder(&app, &session, &folder_id)?;
        match app
            .store()
            .folders
            .delete_if_empty(&session.mailbox, &folder.id)
            .map_err(Problem::Storage)?
        {
            FolderDeletion::Deleted => Ok(redirect(FOLDERS)),
            FolderDeletion::NotEmpty => Err(Problem::FolderNotEmpty),
            FolderDeletion::Standard => Err(Problem::StandardFolder),
            FolderDeletion::NotFound => Err(Problem::NotFound),
        }
    };
    deleted().unwrap_or_else(IntoResponse::into_response)
}
