//! The `Action<T>` extractor: every state-changing form of the mailbox goes through it.
//!
//! It checks, in this order: a live session ([`LoggedIn`]; without one, a redirect to login),
//! the session's CSRF token in the form's `csrf_token` field (without it, 403), and then
//! parses the rest of the form into `T` (malformed, 400). Only then does the handler run,
//! and it still checks every object id against `session.mailbox`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::problem::Problem;
use crate::random::secrets_equal;
use crate::session::ActiveSession;

/// A logged-in person's form submission whose CSRF token matched.
pub struct Action<T> {
    /// The session that sent it.
    pub session: ActiveSession,
    /// The form's other fields.
    pub form: T,
}

#[derive(Deserialize)]
struct CsrfField {
    csrf_token: Option<String>,
}

impl<T: DeserializeOwned> FromRequest<App> for Action<T> {
    type Rejection = Response;

    async fn from_request(request: Request, app: &App) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let LoggedIn(session) = LoggedIn::from_request_parts(&mut parts, app).await?;
        let request = Request::from_parts(parts, body);
        // Bounded by axum's default body limit (2 MB).
        let bytes = Bytes::from_request(request, app)
            .await
            .map_err(IntoResponse::into_response)?;
        let sent = serde_urlencoded::from_bytes::<CsrfField>(&bytes)
            .ok()
            .and_then(|field| field.csrf_token);
        if !sent.is_some_and(|sent| secrets_equal(&sent, &session.csrf_token)) {
            return Err(Problem::CsrfRejected.into_response());
        }
        let form =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| Problem::BadForm.into_response())?;
        Ok(Self { session, form })
    }
}

/// A form with nothing but the CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}
