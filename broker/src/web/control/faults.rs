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
use crate::model::{ClientId, FAULTS};
use crate::sim::{self, faults::NewFault};

use super::api::{created, ok, to_value, ApiError, ApiResult, AppState};

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

async fn enqueue(State(b): AppState, body: Bytes) -> ApiResult {
    let input: NewFault = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "invalid fault: {e}; send {{\"fault\": \"invalid-iss\", \"client_id\": \"...\", \"count\": 1}}"
        ))
    })?;
    created(to_value(&sim::faults::enqueue(&b, input)?))
}

async fn list(State(b): AppState) -> ApiResult {
    ok(to_value(&sim::faults::list(&b)?))
}

#[derive(Deserialize)]
struct ClearQuery {
    #[serde(default)]
    client_id: Option<ClientId>,
}

async fn clear(State(b): AppState, Query(q): Query<ClearQuery>) -> ApiResult {
    let removed = sim::faults::clear(&b, q.client_id.as_ref())?;
    ok(json!({ "removed": removed }))
}

async fn remove(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    sim::faults::remove(&b, &id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
