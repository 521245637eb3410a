//! `GET /search?q=...&sort=...&page=...&deleted=on`: the letters of the mailbox that match a
//! query, across the folders the session sees ("Slettet" only when asked), sorted and paged.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::in_mailbox::{chrome, desk};
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::pages::listing::{ListNav, SearchBox};
use crate::pages::post::{Columns, LetterRow};
use crate::pages::post::{SearchPage, SearchRow};
use crate::pages::render;
use crate::paths::{folder_path, SEARCH};
use crate::post::listing::{self, page_of, ListRequest};
use crate::problem::{respond, Problem};

pub async fn search(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    RawQuery(query): RawQuery,
) -> Response {
    let page = || -> Result<Response, Problem> {
        let request = ListRequest::from_query(query.as_deref());
        let desk = desk(&app, &session);
        let found = listing::search(&desk, &request.query, request.include_deleted, request.sort)?;
        let lang = session.lang;
        let page = page_of(found, request.page);
        let nav = ListNav::new(SEARCH, &request, &page, Columns::Received.who(lang), lang);
        let rows = page
            .items
            .iter()
            .map(|(letter, folder)| SearchRow {
                letter: LetterRow::new(letter, lang, Columns::Received),
                folder: folder.name_in(lang),
                folder_href: folder_path(&folder.id),
            })
            .collect();
        let chrome = chrome(&desk, &session, None)?;
        Ok(render(
            StatusCode::OK,
            &SearchPage {
                lang,
                chrome,
                search: SearchBox {
                    query: request.query,
                    include_deleted: request.include_deleted,
                },
                rows,
                nav,
            },
        ))
    };
    respond(page(), session.lang)
}
