//! The `LoggedIn` extractor: a handler that takes it only runs for a live session.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::response::Response;

use crate::app::App;
use crate::cookies::{read_cookie, SESSION_COOKIE};
use crate::routes::{redirect, LOGIN};
use crate::session::ActiveSession;

/// The person behind this request. Checked on every request: the session exists, has been used
/// within `session_idle_secs` and is younger than `session_max_secs` (by the injected clock).
/// Without one, the request is redirected to `/login`.
#[derive(Clone)]
pub struct LoggedIn(pub ActiveSession);

impl LoggedIn {
    fn from_parts(parts: &Parts, app: &App) -> Option<Self> {
        let id = read_cookie(&parts.headers, SESSION_COOKIE)?;
        app.sessions().touch(id, app.now()).map(LoggedIn)
    }
}

impl FromRequestParts<App> for LoggedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Self::from_parts(parts, app).ok_or_else(|| redirect(LOGIN))
    }
}

/// `Option<LoggedIn>`: for handlers that also serve people without a session.
impl OptionalFromRequestParts<App> for LoggedIn {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &App,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(Self::from_parts(parts, app))
    }
}
