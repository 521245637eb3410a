//! `GET /` (`sort`, `page`): the logged-in front page, the inbox (or, for a helper not given the inbox, the
//! first folder they were given).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::folder_view::show_folder;
use super::in_mailbox::{chrome, desk};
use crate::access::Capability;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::post::NoFoldersPage;
use crate::pages::render;
use crate::post::listing::ListRequest;
use crate::post::StandardFolder;
use crate::problem::{respond, Problem};

pub async fn home(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    RawQuery(query): RawQuery,
) -> Response {
    let page = || -> Result<Response, Problem> {
        let desk = desk(&app, &session);
        desk.require(Capability::Read)?;
        let folders = desk.folders()?;
        let first = folders
            .iter()
            .find(|folder| folder.standard_kind() == Some(StandardFolder::Inbox))
            .or(folders.first());
        match first {
            Some(folder) => show_folder(
                &desk,
                &session,
                folder,
                &ListRequest::from_query(query.as_deref()),
            ),
            None => Ok(render(
                StatusCode::OK,
                &NoFoldersPage {
                    lang: session.lang,
                    chrome: chrome(&desk, &session, None)?,
                },
            )),
        }
    };
    respond(page(), session.lang)
}
