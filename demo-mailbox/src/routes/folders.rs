//! Own folders: `GET /folders` (manage), `POST /folders` (create), `POST
//! /folders/{folder_id}/rename` and `POST /folders/{folder_id}/delete` (only when empty).
//! The operations are [`crate::post::own_folders`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::in_mailbox::{chrome, desk};
use crate::access::Capability;
use crate::action::{Action, NoFields};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::post::FoldersPage;
use crate::pages::{redirect, render};
use crate::paths::FOLDERS;
use crate::post::own_folders;
use crate::problem::{respond, Problem};

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
            &FoldersPage::new(chrome, &folders, can_manage),
        ))
    };
    respond(page(), session.lang)
}

pub async fn create(State(app): State<App>, action: Action<NameForm>) -> Response {
    let Action { session, form } = action;
    let created = own_folders::create(&desk(&app, &session), &form.name);
    respond(created.map(|_| redirect(FOLDERS)), session.lang)
}

pub async fn rename(
    State(app): State<App>,
    Path(folder_id): Path<String>,
    action: Action<NameForm>,
) -> Response {
    let Action { session, form } = action;
    let renamed = own_folders::rename(&desk(&app, &session), &folder_id, &form.name);
    respond(renamed.map(|()| redirect(FOLDERS)), session.lang)
}

pub async fn delete(
    State(app): State<App>,
    Path(folder_id): Path<String>,
    action: Action<NoFields>,
) -> Response {
    let session = action.session;
    let deleted = own_folders::delete(&desk(&app, &session), &folder_id);
    respond(deleted.map(|()| redirect(FOLDERS)), session.lang)
}
