//! The RP test kit through the control API: the catalogue of faults, and the queue of faults
//! waiting for a client's next responses.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get};
use axum::Router;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

use crate::app::Broker;
use crate::model::{ClientId, Fault, QueuedFault, FAULTS};
use crate::secrets;

use super::api::{created, ok, to_value, ApiError, ApiResult, AppState};

/// At most this many responses per queued fault.
const MAX_COUNT: u32 = 100;

pub(super) fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route("/faults", get(catalogue).post(enqueue))
        .route("/faults/queued", get(list).delete(clear))
        .route("/faults/queued/{id}", delete(remove))
        .route("/clients/{id}/report", get(report))
}

/// What the broker saw the client do, and a verdict per fault (`oidc::report`).
async fn report(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    let client = ClientId::new(id);
    if b.store.clients.get(&client)?.is_none() {
        return Err(ApiError::not_found(format!("no client {client}")));
    }
    ok(to_value(&crate::oidc::report::report(&b, &client)?))
}

async fn catalogue() -> ApiResult {
    ok(json!({ "faults": FAULTS }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultInput {
    fault: String,
    client_id: ClientId,
    #[serde(default)]
    count: Option<u32>,
    #[serde(default)]
    delay_seconds: Option<u32>,
}

/// The longest hold `token-endpoint-slow` takes.
const MAX_DELAY_SECONDS: u32 = 3600;

async fn enqueue(State(b): AppState, body: Bytes) -> ApiResult {
    let input: FaultInput = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "invalid fault: {e}; send {{\"fault\": \"invalid-iss\", \"client_id\": \"...\", \"count\": 1}}"
        ))
    })?;
    let fault: Fault = serde_json::from_value(json!(input.fault)).map_err(|_| {
        ApiError::bad_request(format!(
            "no fault {:?}; GET /_sim/v1/faults lists them",
            input.fault
        ))
    })?;
    let count = input.count.unwrap_or(1);
    if count == 0 || count > MAX_COUNT {
        return Err(ApiError::bad_request(format!(
            "count is the number of responses to carry the fault: 1 to {MAX_COUNT}"
        )));
    }
    match input.delay_seconds {
        Some(_) if fault != Fault::TokenEndpointSlow => {
            return Err(ApiError::bad_request(
                "delay_seconds belongs to token-endpoint-slow only",
            ))
        }
        Some(d) if d == 0 || d > MAX_DELAY_SECONDS => {
            return Err(ApiError::bad_request(format!(
                "delay_seconds is how long the token endpoint holds its answer: 1 to {MAX_DELAY_SECONDS}"
            )))
        }
        _ => {}
    }
    if b.store.clients.get(&input.client_id)?.is_none() {
        return Err(ApiError::not_found(format!(
            "no client {}",
            input.client_id
        )));
    }
    let queued = QueuedFault {
        id: secrets::random_id(),
        fault,
        client_id: input.client_id,
        remaining: count,
        created_at: b.now(),
        delay_seconds: input.delay_seconds,
    };
    b.store.faults.enqueue(&queued)?;
    created(to_value(&queued))
}

async fn list(State(b): AppState) -> ApiResult {
    ok(to_value(&b.store.faults.list()?))
}

#[derive(Deserialize)]
struct ClearQuery {
    #[serde(default)]
    client_id: Option<ClientId>,
}

async fn clear(State(b): AppState, Query(q): Query<ClearQuery>) -> ApiResult {
    let removed = b.store.faults.remove(None, q.client_id.as_ref())?;
    ok(json!({ "removed": removed }))
}

async fn remove(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    if b.store.faults.remove(Some(&id), None)? == 0 {
        return Err(ApiError::not_found(format!("no queued fault {id}")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
