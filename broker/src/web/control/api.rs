//! What every control API handler shares: the state, the error type (`{"error", "message"}`
//! with a status), JSON answers and body parsing.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::app::Broker;
use crate::model::Identity;
use crate::sim::{self, SimError};
use crate::store::StoreError;

/// The broker, as every handler gets it.
pub type AppState = State<Arc<Broker>>;

/// A control API failure: `{"error": ..., "message": ...}`.
pub struct ApiError {
    pub(super) status: StatusCode,
    pub(super) error: &'static str,
    pub(super) message: String,
    pub(super) extra: Option<Value>,
}

impl ApiError {
    pub(super) fn new(
        status: StatusCode,
        error: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            error,
            message: message.into(),
            extra: None,
        }
    }
    pub(super) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", message)
    }
    pub(super) fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", what)
    }
    /// Adds members to the error's JSON object.
    pub(super) fn with(mut self, extra: Value) -> ApiError {
        self.extra = Some(extra);
        self
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Conflict(what) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("{what} already exists"),
            ),
            e => {
                tracing::error!(error = %e, "control API store failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "store failure",
                )
            }
        }
    }
}

impl From<keys::KeyError> for ApiError {
    fn from(e: keys::KeyError) -> ApiError {
        match e {
            keys::KeyError::UnknownKid(_) => ApiError::not_found(e.to_string()),
            keys::KeyError::NotRetired(..) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string())
            }
            e => {
                tracing::error!(error = %e, "control API key failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "key failure",
                )
            }
        }
    }
}

impl From<SimError> for ApiError {
    fn from(e: SimError) -> ApiError {
        match e {
            SimError::BadInput(message) => ApiError::bad_request(message),
            SimError::NotFound(message) => ApiError::not_found(message),
            SimError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            e @ SimError::ClockNotControllable => ApiError::new(
                StatusCode::CONFLICT,
                "clock_not_controllable",
                e.to_string(),
            ),
            SimError::Store(e) => e.into(),
            SimError::Keys(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.error, "message": self.message });
        if let (Some(Value::Object(extra)), Value::Object(map)) = (self.extra, &mut body) {
            map.extend(extra);
        }
        (self.status, Json(body)).into_response()
    }
}

pub(super) type ApiResult = Result<Response, ApiError>;

pub(super) fn ok(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

pub(super) fn created(value: Value) -> ApiResult {
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

pub(super) fn parse_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

pub(super) fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Finds an identity by its UUID or its user ID.
pub(super) fn find_identity(broker: &Broker, key: &str) -> Result<Identity, ApiError> {
    Ok(sim::identities::find(broker, key)?)
}
