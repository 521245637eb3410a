//! Clients registered by a test: create (the secret shown once), list, read, delete.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::sync::Arc;

use crate::app::Broker;
use crate::error::OAuthError;
use crate::model::{Client, ClientId};
use crate::oidc::registration::metadata::{self, Door, Secret};

use super::api::{created, ok, parse_body, to_value, ApiError, ApiResult, AppState};

pub(super) fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route("/clients", get(list_clients).post(create_client))
        .route("/clients/{id}", get(get_client).delete(delete_client))
}

/// What only the control API sets; every other member is client metadata, checked by the
/// same rules as dynamic registration (`metadata::parse_for` with [`Door::ControlApi`]).
#[derive(Deserialize)]
struct ControlOnly {
    client_id: String,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    require_pkce: bool,
    #[serde(default)]
    sector_identifier: Option<String>,
    #[serde(default)]
    private_service: bool,
    #[serde(flatten)]
    metadata: Map<String, Value>,
}

/// The client metadata the control API takes beside [`ControlOnly`]'s members.
const METADATA: &[&str] = &[
    "name",
    "redirect_uris",
    "post_logout_redirect_uris",
    "response_types",
    "token_endpoint_auth_method",
    "id_token_signed_response_alg",
    "subject_type",
    "backchannel_logout_uri",
    "backchannel_logout_session_required",
    "frontchannel_logout_uri",
    "frontchannel_logout_session_required",
    "jwks",
    "jwks_uri",
    "token_endpoint_auth_signing_alg",
    "request_object_signing_alg",
    "userinfo_signed_response_alg",
    "default_max_age",
    "default_acr_values",
    "require_auth_time",
];

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
    let input: ControlOnly = parse_body(&body)?;
    if input.client_id.is_empty() || input.client_id.len() > 128 {
        return Err(ApiError::bad_request("client_id must be 1-128 characters"));
    }
    if let Some(unknown) = input
        .metadata
        .keys()
        .find(|k| !METADATA.contains(&k.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "unknown field `{unknown}`; a client takes client_id, client_secret, require_pkce, \
             sector_identifier, private_service and {}",
            METADATA.join(", ")
        )));
    }
    let refused = |e: OAuthError| ApiError::bad_request(e.description.to_string());
    let metadata =
        metadata::parse_for(&Value::Object(input.metadata), Door::ControlApi).map_err(refused)?;
    let secret =
        Secret::new(metadata.token_endpoint_auth_method, input.client_secret).map_err(refused)?;
    let client = Client {
        require_pkce: input.require_pkce,
        private_service: input.private_service,
        ..metadata.client(
            ClientId::new(input.client_id),
            input.sector_identifier,
            &secret,
            None,
        )
    };
    b.store.clients.create(&client)?;
    let mut view = client_view(&client);
    // A generated secret is shown once, here.
    if let (Some(secret), Value::Object(map)) = (secret.shown, &mut view) {
        map.insert("client_secret".into(), json!(secret));
    }
    created(view)
}

async fn get_client(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    let client = b
        .store
        .clients
        .get(&ClientId::new(&id))?
        .ok_or_else(|| ApiError::not_found(format!("no client {id}")))?;
    ok(client_view(&client))
}

async fn delete_client(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    if !b.store.clients.delete(&ClientId::new(&id))? {
        return Err(ApiError::not_found(format!("no client {id}")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
