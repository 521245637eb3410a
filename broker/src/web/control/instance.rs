//! The instance: its clock (read; advance when controllable), its signing keys (list,
//! rotate, remove), reset, and the fidelity ledger.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

use crate::app::Broker;
use crate::model::Profile;
use crate::oidc::profile::ledger;
use crate::sim;

use super::api::{ok, parse_body, to_value, ApiError, ApiResult, AppState};

pub(super) fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance_clock))
        .route("/keys", get(list_keys))
        .route("/keys/rotate", post(rotate_key))
        .route("/keys/{kid}", delete(remove_key))
        .route("/reset", post(reset))
        .route("/fidelity", get(fidelity))
        .route("/fidelity/{id}", get(fidelity_entry))
}

async fn clock(State(b): AppState) -> ApiResult {
    ok(json!({ "now": b.now(), "controllable": b.clock.is_controllable() }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceInput {
    seconds: i64,
}

async fn advance_clock(State(b): AppState, body: Bytes) -> ApiResult {
    let input: AdvanceInput = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("send {{\"seconds\": N}}: {e}")))?;
    let now = sim::instance::advance_clock(&b, input.seconds)?;
    ok(json!({ "now": now, "controllable": true }))
}

async fn list_keys(State(b): AppState) -> ApiResult {
    ok(to_value(&b.keys.list()?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RotateInput {
    #[serde(default)]
    kind: Option<keys::KeyKind>,
}

async fn rotate_key(State(b): AppState, body: Bytes) -> ApiResult {
    let input: RotateInput = parse_body(&body)?;
    let kind = input.kind.unwrap_or(keys::KeyKind::Rsa);
    ok(to_value(&sim::instance::rotate_key(&b, kind).await?))
}

async fn remove_key(State(b): AppState, Path(kid): Path<String>) -> ApiResult {
    sim::instance::remove_key(&b, &kid)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn reset(State(b): AppState) -> ApiResult {
    ok(json!({ "reset": sim::instance::reset(&b)? }))
}

#[derive(Deserialize)]
struct FidelityQuery {
    #[serde(default)]
    profile: Option<String>,
}

/// The fidelity ledger, all of it or one profile's.
async fn fidelity(Query(q): Query<FidelityQuery>) -> ApiResult {
    let profile = match q.profile.as_deref() {
        None => None,
        Some(name) => Some(Profile::parse(name).ok_or_else(|| {
            ApiError::bad_request(format!(
                "profile {name} is not one of standard, neb, idura, signicat"
            ))
        })?),
    };
    let entries: Vec<&ledger::Entry> = ledger::ENTRIES
        .iter()
        .filter(|e| profile.is_none_or(|p| e.profile == p))
        .collect();
    ok(json!({ "entries": entries }))
}

async fn fidelity_entry(Path(id): Path<String>) -> ApiResult {
    ledger::entry(&id)
        .map(|e| ok(to_value(e)))
        .unwrap_or_else(|| Err(ApiError::not_found(format!("no ledger entry {id}"))))
}
