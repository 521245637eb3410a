//! The `Action<T>` extractor: every state-changing form of the mailbox goes through it (and
//! `PersonAction<T>` for the forms about the person rather than a mailbox: switching).
//!
//! It checks, in this order: a live session ([`LoggedIn`]: one that may still open its
//! current mailbox; without a session, a redirect to login), the session's CSRF token in the
//! form's `csrf_token` field (without it, 403), and then parses the rest of the form into `T`
//! (malformed, 400). Only then does the handler run, and it still checks every object id
//! against `session.mailbox` and what the session's access allows.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::app::App;
use crate::language::Lang;
use crate::logged_in::{LoggedIn, LoggedInPerson};
use crate::problem::Problem;
use crate::random::secrets_equal;
use crate::session::{ActiveSession, LiveSession};

/// A logged-in person's form submission in their current mailbox whose CSRF token matched.
pub struct Action<T> {
    /// The session that sent it.
    pub session: ActiveSession,
    /// The form's other fields.
    pub form: T,
}

/// A logged-in person's form submission, whatever mailbox they work in, whose CSRF token
/// matched.
pub struct PersonAction<T> {
    /// The session that sent it.
    pub session: LiveSession,
    /// The language of the pages.
    pub lang: Lang,
    /// The form's other fields.
    pub form: T,
}

#[derive(Deserialize)]
struct CsrfField {
    csrf_token: Option<String>,
}

/// The form of `request` once its `csrf_token` matched `expected`.
async fn checked_form<T: DeserializeOwned>(
    parts: Parts,
    body: axum::body::Body,
    app: &App,
    expected: &str,
    lang: Lang,
) -> Result<T, Response> {
    let request = Request::from_parts(parts, body);
    // Bounded by axum's default body limit (2 MB).
    let bytes = Bytes::from_request(request, app)
        .await
        .map_err(IntoResponse::into_response)?;
    let sent = serde_urlencoded::from_bytes::<CsrfField>(&bytes)
        .ok()
        .and_then(|field| field.csrf_token);
    if !sent.is_some_and(|sent| secrets_equal(&sent, expected)) {
        return Err(Problem::CsrfRejected.page(lang));
    }
    serde_urlencoded::from_bytes(&bytes).map_err(|_| Problem::BadForm.page(lang))
}

impl<T: DeserializeOwned> FromRequest<App> for Action<T> {
    type Rejection = Response;

    async fn from_request(request: Request, app: &App) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let LoggedIn(session) =
            <LoggedIn as FromRequestParts<App>>::from_request_parts(&mut parts, app).await?;
        let form = checked_form(parts, body, app, &session.csrf_token, session.lang).await?;
        Ok(Self { session, form })
    }
}

impl<T: DeserializeOwned> FromRequest<App> for PersonAction<T> {
    type Rejection = Response;

    async fn from_request(request: Request, app: &App) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let LoggedInPerson { session, lang } =
            <LoggedInPerson as FromRequestParts<App>>::from_request_parts(&mut parts, app).await?;
        let form = checked_form(parts, body, app, &session.csrf_token, lang).await?;
        Ok(Self {
            session,
            lang,
            form,
        })
    }
}

/// A form with nothing but the CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}
