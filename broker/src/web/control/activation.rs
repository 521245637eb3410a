//! The control API's routes for new devices: order a code viewer or code reader (or a new
//! app), and activate it with the code from the letter, as the device pages do. They act
//! through `enrolment::activation`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

use super::api::{created, find_identity, ok, parse_body, ApiError, ApiResult, AppState};
use crate::app::Broker;
use crate::enrolment::activation::{self, ActivationError};
use crate::model::ActivationState;
use crate::model::{Device, Identity};

pub fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route("/identities/{id}/code-viewers", post(order_code_device))
        .route("/identities/{id}/app/order", post(order_app))
        .route("/identities/{id}/app/activate", post(activate_app))
        .route(
            "/code-devices/{serial}/activate",
            post(activate_code_device),
        )
}

fn activation_error(e: ActivationError) -> ApiError {
    match e {
        ActivationError::NoSuchDevice(_) | ActivationError::NoApp(_) => {
            ApiError::not_found(e.to_string())
        }
        ActivationError::AlreadyActive => {
            ApiError::new(StatusCode::CONFLICT, "already_active", e.to_string())
        }
        ActivationError::Wrong { attempts_left } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_activation_code",
            e.to_string(),
        )
        .with(json!({ "attempts_left": attempts_left })),
        ActivationError::Blocked => {
            ApiError::new(StatusCode::LOCKED, "activation_blocked", e.to_string())
        }
        ActivationError::NotACodeDevice => ApiError::bad_request(e.to_string()),
        ActivationError::Store(e) => e.into(),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OrderInput {
    /// `code_viewer` (the default) or `code_reader`.
    #[serde(default)]
    kind: Option<String>,
}

async fn order_code_device(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: OrderInput = parse_body(&body)?;
    let identity = find_identity(&b, &id)?;
    let device = match input.kind.as_deref() {
        None | Some("code_viewer") => Device::CodeViewer,
        Some("code_reader") => Device::CodeReader,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "kind {other:?} cannot be ordered here; code_viewer or code_reader"
            )))
        }
    };
    order(&b, &identity, device)
}

/// A new app: a new activation letter (the old app, if any, works until it is activated).
async fn order_app(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    let identity = find_identity(&b, &id)?;
    order(&b, &identity, Device::App)
}

fn order(b: &Broker, identity: &Identity, device: Device) -> ApiResult {
    let ordered =
        activation::order_device(b, identity, device, b.now()).map_err(activation_error)?;
    created(json!({
        "user_id": ordered.identity.user_id,
        "kind": ordered.device.as_str(),
        "serial": ordered.serial,
        "activation": "pending",
        "letter_id": ordered.letter.id,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivateInput {
    activation_code: String,
}

fn activate_input(body: &Bytes) -> Result<ActivateInput, ApiError> {
    parse_body(body).map_err(|_| {
        ApiError::bad_request("send {\"activation_code\": \"ABCD-EFGH\"}, the code from the letter")
    })
}

async fn activate_code_device(
    State(b): AppState,
    Path(serial): Path<String>,
    body: Bytes,
) -> ApiResult {
    let input = activate_input(&body)?;
    let (identity, device) = activation::activate_code_device(&b, &serial, &input.activation_code)
        .map_err(activation_error)?;
    ok(json!({
        "serial": serial,
        "kind": device.as_str(),
        "user_id": identity.user_id,
        "activation": ActivationState::Active.as_str(),
    }))
}

async fn activate_app(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input = activate_input(&body)?;
    let identity = find_identity(&b, &id)?;
    let identity = activation::activate_app(&b, &identity, &input.activation_code)
        .map_err(activation_error)?;
    ok(json!({
        "kind": "app",
        "user_id": identity.user_id,
        "activation": ActivationState::Active.as_str(),
    }))
}
