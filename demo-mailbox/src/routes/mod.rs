//! HTTP routes: thin handlers over the relying party, the Digital Post model and the store.

mod callback;
mod folder_view;
mod folders;
mod home;
mod letter_actions;
mod letter_view;
mod login;
mod logout;
mod mailbox_lookup;

use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::app::App;
use crate::post::{FolderId, LetterId};

/// The mailbox's front page, the inbox (login required).
pub const HOME: &str = "/";
/// Starts a login at the broker.
pub const LOGIN: &str = "/login";
/// The redirect URI the broker sends the browser back to.
pub const CALLBACK: &str = "/callback";
/// Ends the session (POST, with the session's CSRF token).
pub const LOGOUT: &str = "/logout";
/// Where the broker sends the browser after logout.
pub const LOGGED_OUT: &str = "/logged-out";

/// GET: manage own folders. POST: create one (`name`).
pub const FOLDERS: &str = "/folders";
/// GET: the letters in a folder.
pub const FOLDER: &str = "/folders/{folder_id}";
/// POST (`name`): rename an own folder.
pub const FOLDER_RENAME: &str = "/folders/{folder_id}/rename";
/// POST: delete an own, empty folder.
pub const FOLDER_DELETE: &str = "/folders/{folder_id}/delete";
/// GET: read a letter (marks it read).
pub const LETTER: &str = "/letters/{letter_id}";
/// POST: mark a letter unread.
pub const LETTER_UNREAD: &str = "/letters/{letter_id}/unread";
/// POST (`folder_id`): move a letter to another folder of the mailbox.
pub const LETTER_MOVE: &str = "/letters/{letter_id}/move";
/// POST: move a letter to "Slettet"; for a letter already there, ask to delete it for good.
pub const LETTER_DELETE: &str = "/letters/{letter_id}/delete";
/// GET: confirm; POST: delete a letter in "Slettet" for good.
pub const LETTER_DELETE_PERMANENTLY: &str = "/letters/{letter_id}/delete-permanently";

/// The mailbox's routes over `app`. Tests can drive it without a socket.
pub fn router(app: App) -> Router {
    Router::new()
        .route(HOME, get(home::home))
        .route(LOGIN, get(login::login))
        .route(CALLBACK, get(callback::callback))
        .route(LOGOUT, post(logout::logout))
        .route(LOGGED_OUT, get(logout::logged_out))
        .route(FOLDERS, get(folders::manage).post(folders::create))
        .route(FOLDER, get(folder_view::show))
        .route(FOLDER_RENAME, post(folders::rename))
        .route(FOLDER_DELETE, post(folders::delete))
        .route(LETTER, get(letter_view::show))
        .route(LETTER_UNREAD, post(letter_view::mark_unread))
        .route(LETTER_MOVE, post(letter_actions::move_letter))
        .route(LETTER_DELETE, post(letter_actions::delete))
        .route(
            LETTER_DELETE_PERMANENTLY,
            get(letter_actions::confirm_permanent_delete).post(letter_actions::delete_permanently),
        )
        .with_state(app)
}

/// The page of folder `id`.
pub fn folder_path(id: &FolderId) -> String {
    FOLDER.replace("{folder_id}", id.as_str())
}

/// The page of letter `id`.
pub fn letter_path(id: &LetterId) -> String {
    LETTER.replace("{letter_id}", id.as_str())
}

/// The confirmation page for deleting letter `id` for good.
pub fn permanent_delete_path(id: &LetterId) -> String {
    LETTER_DELETE_PERMANENTLY.replace("{letter_id}", id.as_str())
}

/// A `303 See Other` to `location`.
pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response(),
        // A URL from `url::Url` is always a valid header value; refuse rather than panic.
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
