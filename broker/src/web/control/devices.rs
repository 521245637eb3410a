//! The control API's device routes: what a CI pipeline uses instead of a phone, a code viewer
//! or a chip. They act through `login::flow` exactly as the simulated device pages do.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use super::api::{find_identity, ok, parse_body, ApiError, ApiResult, AppState};
use super::logins::login_view;
use crate::app::Broker;
use crate::error::OAuthError;
use crate::login::devices::{self, AppAnswer, DeviceError};
use crate::model::{Channel, Device, TxnId};
use crate::sim;

pub fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route("/identities/{id}/app/requests", get(app_requests))
        .route(
            "/identities/{id}/app/requests/{login}/approve",
            post(app_approve),
        )
        .route(
            "/identities/{id}/app/requests/{login}/reject",
            post(app_reject),
        )
        .route("/identities/{id}/chip/requests", get(chip_requests))
        .route(
            "/identities/{id}/chip/requests/{login}/touch",
            post(chip_touch),
        )
        .route("/identities/{id}/devices", get(devices))
        .route(
            "/identities/{id}/devices/{device}/block",
            post(block_device),
        )
        .route(
            "/identities/{id}/devices/{device}/unblock",
            post(unblock_device),
        )
        .route("/identities/{id}/key-card", get(key_card))
        .route("/code-devices/{serial}", get(code_device))
        .route("/outbox", get(outbox))
}

fn device_error(e: DeviceError) -> ApiError {
    match e {
        DeviceError::NoRequest => ApiError::not_found(e.to_string()),
        DeviceError::WrongCode => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_code",
            e.to_string(),
        ),
        DeviceError::Expired => ApiError::new(StatusCode::GONE, "expired", e.to_string()),
        DeviceError::Login(e) => server_error(e),
    }
}

fn server_error(e: OAuthError) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        e.description,
    )
}

fn parse_device(name: &str) -> Result<Device, ApiError> {
    Ok(sim::devices::parse_device(name)?)
}

async fn app_requests(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    let identity = find_identity(&b, &id)?;
    let now = b.now();
    let list: Vec<Value> = devices::app_request(&b, &identity, now)?
        .iter()
        .map(|(txn, request)| {
            json!({
                "login_id": txn.id,
                "client_id": txn.request.client_id,
                "action_text": txn.request.action_text.as_str(),
                "reference_text": txn.request.reference_text,
                "started_at": request.started_at,
                "expires_at": request.expires_at,
                "seconds_left": (request.expires_at - now).max(0),
            })
        })
        .collect();
    ok(Value::Array(list))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AppApproveInput {
    /// The 4-digit code the login page shows; without it the approval skips the check.
    #[serde(default)]
    code: Option<String>,
}

#[tracing::instrument(name = "login", skip_all, fields(login = %login))]
async fn app_approve(
    State(b): AppState,
    Path((id, login)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let identity = find_identity(&b, &id)?;
    let input: AppApproveInput = if body.is_empty() {
        AppApproveInput::default()
    } else {
        parse_body(&body)?
    };
    let answer = AppAnswer::Approve { code: input.code };
    let txn = devices::app_answer(&b, &identity, &TxnId::new(login), answer, b.now())
        .map_err(device_error)?;
    ok(login_view(&b, &txn))
}

#[tracing::instrument(name = "login", skip_all, fields(login = %login))]
async fn app_reject(State(b): AppState, Path((id, login)): Path<(String, String)>) -> ApiResult {
    let identity = find_identity(&b, &id)?;
    let txn = devices::app_answer(
        &b,
        &identity,
        &TxnId::new(login),
        AppAnswer::Reject,
        b.now(),
    )
    .map_err(device_error)?;
    ok(login_view(&b, &txn))
}

async fn chip_requests(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    let identity = find_identity(&b, &id)?;
    let list: Vec<Value> = devices::chip_requests(&b, &identity, b.now())?
        .iter()
        .map(|txn| json!({"login_id": txn.id, "client_id": txn.request.client_id}))
        .collect();
    ok(Value::Array(list))
}

#[tracing::instrument(name = "login", skip_all, fields(login = %login))]
async fn chip_touch(State(b): AppState, Path((id, login)): Path<(String, String)>) -> ApiResult {
    let identity = find_identity(&b, &id)?;
    let txn =
        devices::chip_touch(&b, &identity, &TxnId::new(login), b.now()).map_err(device_error)?;
    ok(login_view(&b, &txn))
}

/// Every device's wrong attempts and block, and the key card's codes left.
async fn devices(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    let identity = find_identity(&b, &id)?;
    let (lockouts, key_card) = sim::devices::lockouts(&b, &identity)?;
    let mut out = serde_json::Map::new();
    for lockout in lockouts {
        out.insert(
            lockout.device.as_str().into(),
            json!({
                "failures": lockout.failures,
                "blocked_until": lockout.blocked_until,
            }),
        );
    }
    if let Some(remaining) = key_card {
        out.insert("key_card_remaining".into(), json!(remaining));
    }
    ok(Value::Object(out))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct BlockInput {
    /// How long the block lasts; the configured lockout length by default.
    #[serde(default)]
    seconds: Option<u64>,
}

async fn block_device(
    State(b): AppState,
    Path((id, device)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let identity = find_identity(&b, &id)?;
    let device = parse_device(&device)?;
    let input: BlockInput = if body.is_empty() {
        BlockInput::default()
    } else {
        parse_body(&body)?
    };
    let until = sim::devices::block(&b, &identity, device, input.seconds)?;
    ok(json!({"device": device.as_str(), "blocked_until": until}))
}

async fn unblock_device(
    State(b): AppState,
    Path((id, device)): Path<(String, String)>,
) -> ApiResult {
    let identity = find_identity(&b, &id)?;
    let device = parse_device(&device)?;
    sim::devices::unblock(&b, &identity, device)?;
    ok(json!({"device": device.as_str(), "blocked_until": null}))
}

/// The person's NemID key card, every line with whether it is spent: what a test needs to
/// answer a key-card challenge.
async fn key_card(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    let identity = find_identity(&b, &id)?;
    let (card, replaced) = devices::key_card_of(&b, &identity)
        .map_err(server_error)?
        .ok_or_else(|| {
            ApiError::not_found(format!("{} has no NemID key card", identity.user_id))
        })?;
    let lines: Vec<Value> = card
        .lines()
        .map(|(key, code)| json!({"key": key.to_string(), "code": code, "used": card.is_used(key)}))
        .collect();
    ok(json!({
        "serial": card.serial(),
        "remaining": card.remaining(),
        "running_low": card.running_low(),
        "replacements": replaced,
        "lines": lines,
    }))
}

/// A code viewer's or code reader's current code, as its display shows it.
async fn code_device(State(b): AppState, Path(serial): Path<String>) -> ApiResult {
    let now = b.now();
    let reading = devices::read_code_device(&b, &serial, now)
        .map_err(server_error)?
        .ok_or_else(|| ApiError::not_found(format!("no code device with serial {serial}")))?;
    // A device waiting for activation shows no code.
    let active = reading.activation == crate::model::ActivationState::Active;
    ok(json!({
        "serial": serial,
        "kind": reading.device.as_str(),
        "user_id": reading.identity.user_id,
        "activation": reading.activation.as_str(),
        "code": active.then_some(&reading.code),
        "seconds_left": active.then_some(reading.seconds_left),
        "blocked_until": reading.blocked_until,
    }))
}

#[derive(Deserialize)]
struct OutboxQuery {
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

/// The simulated SMS and letters, newest first, filtered by channel and addressee.
async fn outbox(State(b): AppState, Query(q): Query<OutboxQuery>) -> ApiResult {
    let channel = match q.channel.as_deref() {
        None => None,
        Some(name) => Some(Channel::parse(name).ok_or_else(|| {
            ApiError::bad_request(format!("unknown channel {name:?}; sms or letter"))
        })?),
    };
    let messages: Vec<Value> = b
        .store
        .outbox
        .list(500)?
        .into_iter()
        .filter(|m| channel.is_none_or(|c| m.channel == c))
        .filter(|m| q.to.as_ref().is_none_or(|to| &m.to == to))
        .map(|m| json!(m))
        .collect();
    ok(Value::Array(messages))
}
