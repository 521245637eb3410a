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

use super::api::{created, find_identity, ok, parse_body, to_value, ApiError, ApiResult, AppState};

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

fn check_identity(identity: &Identity) -> Result<(), ApiError> {
    identity
        .check()
        .map_err(|e| ApiError::bad_request(e.to_string()))
}

/// `level` was an identity field; the level now follows from `ial` and `authenticators`, and
/// an ignored `level` would silently not do what the caller meant.
fn refuse_level(body: &Value) -> Result<(), ApiError> {
    if body.get("level").is_some() {
        return Err(ApiError::bad_request(
            "level is no longer set directly: the level an identity reaches follows from ial \
             (low|substantial|high) and authenticators (e.g. [{\"kind\": \"app\", \
             \"enrolled_at_high\": true}])",
        ));
    }
    Ok(())
}

/// An identity as shown: as stored, plus `reaches`, the highest level its logins can reach
/// (derived from `ial` and `authenticators`; null when it has nothing to log in with).
fn identity_view(identity: &Identity) -> Value {
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
    let mut value: Value = parse_body(&body)?;
    refuse_level(&value)?;
    if let Value::Object(map) = &mut value {
        map.entry("id")
            .or_insert_with(|| json!(uuid::Uuid::new_v4().to_string()));
        map.entry("given_name").or_insert_with(|| json!(""));
        map.entry("family_name").or_insert_with(|| json!(""));
    }
    let identity: Identity = serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request(format!("invalid identity: {e}")))?;
    check_identity(&identity)?;
    b.store.identities.create(&identity)?;
    created(identity_view(&identity))
}

async fn get_identity(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    ok(identity_view(&find_identity(&b, &id)?))
}

/// JSON merge patch (RFC 7386) over the stored identity; `id` cannot change.
async fn update_identity(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let current = find_identity(&b, &id)?;
    let patch: Value = parse_body(&body)?;
    refuse_level(&patch)?;
    let mut merged = to_value(&current);
    merge_patch(&mut merged, &patch);
    if let Value::Object(map) = &mut merged {
        map.insert("id".into(), json!(current.id));
    }
    let updated: Identity = serde_json::from_value(merged)
        .map_err(|e| ApiError::bad_request(format!("invalid identity: {e}")))?;
    check_identity(&updated)?;
    b.store.identities.update(&updated)?;
    ok(identity_view(&updated))
}

fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    if let Value::Object(map) = target {
        for (k, v) in patch {
            if v.is_null() {
                map.remove(k);
            } else {
                merge_patch(map.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

async fn delete_identity(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    let identity = find_identity(&b, &id)?;
    b.store.identities.delete(&identity.id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
