//! Clients registered by a test: create (the secret shown once), list, read, delete.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::app::Broker;
use crate::model::Client;
use crate::sim::{self, clients::NewClient};

use super::api::{created, ok, parse_body, to_value, ApiResult, AppState};

pub(super) fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route("/clients", get(list_clients).post(create_client))
        .route("/clients/{id}", get(get_client).delete(delete_client))
}

/// A client as shown: never the secret, its hash, or the registration access token's hash.
fn client_view(client: &Client) -> Value {
    let mut v = to_value(client);
    if let Value::Object(map) = &mut v {
        map.remove("secret_hash");
        map.remove("jwt_secret");
        map.remove("registration");
    }
    v
}

async fn list_clients(State(b): AppState) -> ApiResult {
    ok(Value::Array(
        b.store.clients.list()?.iter().map(client_view).collect(),
    ))
}

async fn create_client(State(b): AppState, body: Bytes) -> ApiResult {
    let input: NewClient = parse_body(&body)?;
    let (client, secret) = sim::clients::create(&b, input)?;
    let mut view = client_view(&client);
    // A generated secret is shown once, here.
    if let (Some(secret), Value::Object(map)) = (secret, &mut view) {
        map.insert("client_secret".into(), json!(secret));
    }
    created(view)
}

async fn get_client(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    ok(client_view(&sim::clients::find(&b, &id)?))
}

async fn delete_client(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    sim::clients::delete(&b, &id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
