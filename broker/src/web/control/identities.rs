//! Test identities: create, list, read, edit (JSON merge patch), delete.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::app::Broker;
use crate::model::Identity;
use crate::sim;

use super::api::{created, find_identity, ok, parse_body, to_value, ApiResult, AppState};

pub(super) fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route("/identities", get(list_identities).post(create_identity))
        .route(
            "/identities/{id}",
            get(get_identity)
                .patch(update_identity)
                .delete(delete_identity),
        )
}

/// An identity as shown: as stored, plus `reaches`, the highest level its logins can reach
/// (derived from `ial` and `authenticators`; null when it has nothing to log in with).
pub(super) fn identity_view(identity: &Identity) -> Value {
    let mut v = to_value(identity);
    if let Value::Object(map) = &mut v {
        map.insert("reaches".into(), json!(identity.reachable_level()));
        // A password is shown as set, never as its hash.
        if let Some(Value::Array(authenticators)) = map.get_mut("authenticators") {
            for a in authenticators.iter_mut().filter_map(Value::as_object_mut) {
                if a.remove("hash").is_some() {
                    a.insert("password_set".into(), json!(true));
                }
            }
        }
    }
    v
}

async fn list_identities(State(b): AppState) -> ApiResult {
    let identities = b.store.identities.list()?;
    ok(Value::Array(identities.iter().map(identity_view).collect()))
}

async fn create_identity(State(b): AppState, body: Bytes) -> ApiResult {
    let fields: Value = parse_body(&body)?;
    created(identity_view(&sim::identities::create(&b, fields)?))
}

async fn get_identity(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    ok(identity_view(&find_identity(&b, &id)?))
}

/// JSON merge patch (RFC 7386) over the stored identity; `id` cannot change.
async fn update_identity(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let patch: Value = parse_body(&body)?;
    ok(identity_view(&sim::identities::update(&b, &id, &patch)?))
}

async fn delete_identity(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    sim::identities::delete(&b, &id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
