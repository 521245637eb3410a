//! `GET /`: the logged-in front page, the inbox.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::folder_view::show_folder;
use super::mailbox_lookup::standard_folder;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::post::StandardFolder;

pub async fn home(State(app): State<App>, LoggedIn(session): LoggedIn) -> Response {
    standard_folder(&app, &session, StandardFolder::Inbox)
        .and_then(|inbox| show_folder(&app, &session, &inbox))
        .unwrap_or_else(IntoResponse::into_response)
}
