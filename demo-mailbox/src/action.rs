//! The `Action<T>` extractor: every state-changing form of the mailbox goes through it (and
//! `PersonAction<T>` for the forms about the person rather than a mailbox: switching).
//!
//! It checks, in this order: a live session ([`LoggedIn`]: one that may still open its
//! current mailbox; without a session, a redirect to login), the session's CSRF token in the
//! form's `csrf_token` field (without it, 403), and then parses the rest of the form into `T`
//! (malformed, 400). Only then does the handler run, and it still checks every object id
//! against `session.mailbox` and what the session's access allows.
//!
//! `UploadAction<T>` does the same for the forms that may carry files (writing, replying):
//! `multipart/form-data` as well as a plain form. The CSRF token is a field like any other
//! and is checked before anything is done with the files.

use axum::body::Bytes;
use axum::extract::multipart::{Field, Multipart};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::app::App;
use crate::language::Lang;
use crate::logged_in::{LoggedIn, LoggedInPerson};
use crate::post::upload::{Upload, MAX_UPLOADS, MAX_UPLOAD_BYTES};
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

/// A logged-in person's form that may carry files, in their current mailbox, whose CSRF
/// token matched.
pub struct UploadAction<T> {
    /// The session that sent it.
    pub session: ActiveSession,
    /// The form's other fields.
    pub form: T,
    /// The files sent (none from a plain form), not yet checked beyond their size; a file
    /// input left empty sends none.
    pub files: Vec<Upload>,
}

/// The largest body of a form with files: the files at their limits, and room for the text.
pub const UPLOAD_BODY_LIMIT: usize = MAX_UPLOADS * MAX_UPLOAD_BYTES + 1024 * 1024;

/// The body limit of the routes whose forms may carry files.
pub fn upload_body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)
}

/// A file field's content, at most [`MAX_UPLOAD_BYTES`] kept (the rest is read and dropped,
/// so the fields after it are still read).
async fn read_file(mut field: Field<'_>) -> Result<(Vec<u8>, bool), StatusCode> {
    let mut bytes = Vec::new();
    let mut too_large = false;
    while let Some(chunk) = field.chunk().await.map_err(|error| error.status())? {
        if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
            too_large = true;
        } else if !too_large {
            bytes.extend_from_slice(&chunk);
        }
    }
    if too_large {
        bytes.clear();
    }
    Ok((bytes, too_large))
}

/// The text fields and files of a `multipart/form-data` body.
async fn read_multipart(
    request: Request,
    app: &App,
) -> Result<(Vec<(String, String)>, Vec<Upload>), StatusCode> {
    let mut multipart = Multipart::from_request(request, app)
        .await
        .map_err(|rejection| rejection.status())?;
    let mut fields = Vec::new();
    let mut files = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| error.status())?
    {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let (bytes, too_large) = read_file(field).await?;
                // A file input left empty sends a part with no name and no content.
                if !(file_name.is_empty() && bytes.is_empty() && !too_large) {
                    files.push(Upload {
                        file_name,
                        bytes,
                        too_large,
                    });
                }
            }
            None => fields.push((name, field.text().await.map_err(|error| error.status())?)),
        }
    }
    Ok((fields, files))
}

impl<T: DeserializeOwned> FromRequest<App> for UploadAction<T> {
    type Rejection = Response;

    async fn from_request(request: Request, app: &App) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let LoggedIn(session) =
            <LoggedIn as FromRequestParts<App>>::from_request_parts(&mut parts, app).await?;
        let lang = session.lang;
        let is_multipart = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        if !is_multipart {
            let form = checked_form(parts, body, app, &session.csrf_token, lang).await?;
            return Ok(Self {
                session,
                form,
                files: Vec::new(),
            });
        }
        let (fields, files) = read_multipart(Request::from_parts(parts, body), app)
            .await
            .map_err(|status| match status {
                StatusCode::PAYLOAD_TOO_LARGE => Problem::FormTooLarge.page(lang),
                _ => Problem::BadForm.page(lang),
            })?;
        let sent = fields
            .iter()
            .find(|(name, _)| name == "csrf_token")
            .map(|(_, value)| value.as_str());
        if !sent.is_some_and(|sent| secrets_equal(sent, &session.csrf_token)) {
            return Err(Problem::CsrfRejected.page(lang));
        }
        // The text fields read as a plain form would be.
        let form = serde_urlencoded::to_string(&fields)
            .ok()
            .and_then(|encoded| serde_urlencoded::from_str(&encoded).ok())
            .ok_or_else(|| Problem::BadForm.page(lang))?;
        Ok(Self {
            session,
            form,
            files,
        })
    }
}

/// A form with nothing but the CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}
