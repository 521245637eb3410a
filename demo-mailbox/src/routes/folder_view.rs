//! `GET /folders/{folder_id}?sort=...&page=...`: the letters in one of the mailbox's folders,
//! sorted, a page at a time.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::in_mailbox::{chrome, desk};
use crate::access::desk::Desk;
use crate::access::Capability;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::listing::{ListNav, SearchBox};
use crate::pages::post::{Columns, FolderPage, LetterRow};
use crate::pages::render;
use crate::paths::folder_path;
use crate::post::listing::{order, page_of, ListRequest};
use crate::post::Folder;
use crate::problem::{respond, Problem};
use crate::session::ActiveSession;

pub async fn show(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path(folder_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let page = || -> Result<Response, Problem> {
        let desk = desk(&app, &session);
        desk.require(Capability::Read)?;
        let folder = desk.folder(&folder_id)?;
        let request = ListRequest::from_query(query.as_deref());
        show_folder(&desk, &session, &folder, &request)
    };
    respond(page(), session.lang)
}

/// The page of `folder`, which the caller found through the session's desk, sorted and paged
/// as `request` asks (a folder's page searches nothing: its search field goes to `/search`).
pub fn show_folder(
    desk: &Desk,
    session: &ActiveSession,
    folder: &Folder,
    request: &ListRequest,
) -> Result<Response, Problem> {
    let chrome = chrome(desk, session, Some(folder))?;
    let mut letters = desk.letters_in(folder)?;
    letters.sort_by(|a, b| order(a, b, request.sort));
    let columns = Columns::of(folder);
    let lang = session.lang;
    let request = ListRequest {
        query: String::new(),
        include_deleted: false,
        ..request.clone()
    };
    let page = page_of(letters, request.page);
    let nav = ListNav::new(
        &folder_path(&folder.id),
        &request,
        &page,
        columns.who(lang),
        lang,
    );
    Ok(render(
        StatusCode::OK,
        &FolderPage {
            lang: session.lang,
            chrome,
            folder_name: folder.name_in(session.lang),
            who_heading: columns.who(session.lang),
            when_heading: columns.when(session.lang),
            letters: page
                .items
                .iter()
                .map(|letter| LetterRow::new(letter, session.lang, columns))
                .collect(),
            search: SearchBox::default(),
            nav,
        },
    ))
}
