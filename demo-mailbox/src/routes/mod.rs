//! HTTP routes: thin handlers over the relying party and the stores.

mod callback;
mod home;
mod login;
mod logout;

use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::app::App;

/// The mailbox's front page (login required).
pub const HOME: &str = "/";
/// Starts a login at the broker.
pub const LOGIN: &str = "/login";
/// The redirect URI the broker sends the browser back to.
pub const CALLBACK: &str = "/callback";
/// Ends the session (POST, with the session's CSRF token).
pub const LOGOUT: &str = "/logout";
/// Where the broker sends the browser after logout.
pub const LOGGED_OUT: &str = "/logged-out";

/// The mailbox's routes over `app`. Tests can drive it without a socket.
pub fn router(app: App) -> Router {
    Router::new()
        .route(HOME, get(home::home))
        .route(LOGIN, get(login::login))
        .route(CALLBACK, get(callback::callback))
        .route(LOGOUT, post(logout::logout))
        .route(LOGGED_OUT, get(logout::logged_out))
        .with_state(app)
}

/// A `303 See Other` to `location`.
pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response(),
        // A URL from `url::Url` is always a valid header value; refuse rather than panic.
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
