//! `POST /backchannel-logout`: the broker says a person's broker session ended (OpenID Connect
//! Back-Channel Logout 1.0 §2.5–2.8). Called by the broker, not a browser: the logout token's
//! signature is the authentication, so there is no cookie and no CSRF token.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::app::App;
use crate::oidc::LogoutTokenError;

#[derive(Deserialize)]
pub struct LogoutTokenForm {
    logout_token: Option<String>,
}

/// Verifies the logout token, refuses a replayed one, and ends every session it names:
/// `200` on success, else `400` `invalid_request` (§2.8), both `Cache-Control: no-store`.
/// Why a token was refused goes to the log only.
pub async fn receive(
    State(app): State<App>,
    form: Result<Form<LogoutTokenForm>, FormRejection>,
) -> Response {
    let token = form
        .ok()
        .and_then(|Form(form)| form.logout_token)
        .ok_or(LogoutTokenError::Malformed("no logout_token parameter"));
    let verified = match token {
        Ok(token) => app.relying_party().verify_logout_token(&token).await,
        Err(error) => Err(error),
    };
    let request = verified.and_then(|request| {
        if app.seen_logout_tokens().first_use(&request, app.now()) {
            Ok(request)
        } else {
            Err(LogoutTokenError::Replayed)
        }
    });
    match request {
        Ok(request) => {
            let ended = app
                .sessions()
                .end_broker_session(request.sid.as_deref(), request.sub.as_deref());
            tracing::info!(ended, "back-channel logout from the broker");
            (StatusCode::OK, [(CACHE_CONTROL, "no-store")]).into_response()
        }
        Err(error) => {
            tracing::warn!(%error, "refused a back-channel logout token");
            (
                StatusCode::BAD_REQUEST,
                [(CACHE_CONTROL, "no-store")],
                Json(json!({
                    "error": "invalid_request",
                    "error_description": "the logout token was not accepted",
                })),
            )
                .into_response()
        }
    }
}
