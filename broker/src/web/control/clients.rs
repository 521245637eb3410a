//! Clients registered by a test: create (the secret shown once), list, read, delete.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::app::Broker;
use crate::model::{AuthMethod, Client, ClientId, ResponseType, SubjectType};
use crate::oidc::frontchannel;
use crate::secrets;

use super::api::{created, ok, parse_body, to_value, ApiError, ApiResult, AppState};

pub(super) fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route("/clients", get(list_clients).post(create_client))
        .route("/clients/{id}", get(get_client).delete(delete_client))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientInput {
    client_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    client_secret: Option<String>,
    redirect_uris: Vec<String>,
    #[serde(default)]
    post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    token_endpoint_auth_method: AuthMethod,
    #[serde(default)]
    require_pkce: bool,
    #[serde(default)]
    id_token_signed_response_alg: Option<keys::Alg>,
    #[serde(default)]
    subject_type: SubjectType,
    #[serde(default)]
    sector_identifier: Option<String>,
    #[serde(default)]
    private_service: bool,
    #[serde(default)]
    backchannel_logout_uri: Option<String>,
    #[serde(default)]
    backchannel_logout_session_required: bool,
    /// Public keys for `private_key_jwt` and signed request objects.
    #[serde(default)]
    jwks: Option<serde_json::Value>,
    #[serde(default)]
    jwks_uri: Option<String>,
    #[serde(default)]
    token_endpoint_auth_signing_alg: Option<String>,
    #[serde(default)]
    request_object_signing_alg: Option<String>,
    #[serde(default)]
    userinfo_signed_response_alg: Option<String>,
    #[serde(default)]
    response_types: Option<Vec<String>>,
    #[serde(default)]
    frontchannel_logout_uri: Option<String>,
    #[serde(default)]
    frontchannel_logout_session_required: bool,
    #[serde(default)]
    default_max_age: Option<serde_json::Value>,
    #[serde(default)]
    default_acr_values: Option<serde_json::Value>,
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

fn check_uris(uris: &[String], what: &str) -> Result<(), ApiError> {
    for uri in uris {
        match url::Url::parse(uri) {
            Ok(u) if u.fragment().is_none() => {}
            _ => {
                return Err(ApiError::bad_request(format!(
                    "{what} {uri:?} must be an absolute URL without a fragment"
                )))
            }
        }
    }
    Ok(())
}

async fn list_clients(State(b): AppState) -> ApiResult {
    ok(Value::Array(
        b.store.clients.list()?.iter().map(client_view).collect(),
    ))
}

async fn create_client(State(b): AppState, body: Bytes) -> ApiResult {
    let input: ClientInput = parse_body(&body)?;
    if input.client_id.is_empty() || input.client_id.len() > 128 {
        return Err(ApiError::bad_request("client_id must be 1-128 characters"));
    }
    if input.redirect_uris.is_empty() {
        return Err(ApiError::bad_request(
            "redirect_uris must name at least one URI",
        ));
    }
    check_uris(&input.redirect_uris, "redirect_uri")?;
    check_uris(&input.post_logout_redirect_uris, "post_logout_redirect_uri")?;
    check_uris(
        input.backchannel_logout_uri.as_slice(),
        "backchannel_logout_uri",
    )?;
    let response_types = match &input.response_types {
        None => vec![ResponseType::CODE],
        Some(values) if values.is_empty() => {
            return Err(ApiError::bad_request(
                "response_types must name at least one response type",
            ))
        }
        Some(values) => values
            .iter()
            .map(|v| {
                ResponseType::parse(v).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "response_types: {v:?} is not one of code, id_token, id_token token, \
                         code id_token, code token, code id_token token"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    if let Some(uri) = &input.frontchannel_logout_uri {
        frontchannel::check_registration(uri, &input.redirect_uris)
            .map_err(ApiError::bad_request)?;
    }
    let method = input.token_endpoint_auth_method;
    let uses_secret = method.uses_secret();
    if !uses_secret && input.client_secret.is_some() {
        return Err(ApiError::bad_request(format!(
            "a client with token_endpoint_auth_method {} has no secret",
            method.as_str()
        )));
    }
    // The same rules as dynamic registration for keys and algorithms.
    let jose = crate::oidc::registration::metadata::jose(
        &json!({
            "jwks": input.jwks,
            "jwks_uri": input.jwks_uri,
            "token_endpoint_auth_signing_alg": input.token_endpoint_auth_signing_alg,
            "request_object_signing_alg": input.request_object_signing_alg,
            "userinfo_signed_response_alg": input.userinfo_signed_response_alg,
        }),
        method,
    )
    .map_err(|e| ApiError::bad_request(e.description.to_string()))?;
    let generated = (uses_secret && input.client_secret.is_none()).then(secrets::random_token);
    let secret = input.client_secret.clone().or(generated.clone());
    let client = Client {
        client_id: ClientId::new(input.client_id),
        name: input.name,
        secret_hash: secret.as_deref().map(secrets::hash),
        redirect_uris: input.redirect_uris,
        post_logout_redirect_uris: input.post_logout_redirect_uris,
        token_endpoint_auth_method: input.token_endpoint_auth_method,
        require_pkce: input.require_pkce,
        id_token_signed_response_alg: input
            .id_token_signed_response_alg
            .unwrap_or(keys::Alg::RS256),
        subject_type: input.subject_type,
        sector_identifier: input.sector_identifier,
        private_service: input.private_service,
        backchannel_logout_uri: input.backchannel_logout_uri,
        backchannel_logout_session_required: input.backchannel_logout_session_required,
        jose: crate::model::ClientJose {
            // Kept in clear only for this method: an HS256 MAC needs the key itself.
            jwt_secret: (method == AuthMethod::ClientSecretJwt)
                .then(|| secret.clone())
                .flatten(),
            ..jose
        },
        registration: None,
        response_types,
        frontchannel_logout_uri: input.frontchannel_logout_uri,
        frontchannel_logout_session_required: input.frontchannel_logout_session_required,
        defaults: crate::oidc::registration::metadata::defaults(&json!({
            "default_max_age": input.default_max_age,
            "default_acr_values": input.default_acr_values,
        }))
        .map_err(|e| ApiError::bad_request(e.description.to_string()))?,
    };
    b.store.clients.create(&client)?;
    let mut view = client_view(&client);
    // A generated secret is shown once, here.
    if let (Some(secret), Value::Object(map)) = (generated, &mut view) {
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
