//! The control API under `/_sim/v1`: JSON in and out, for tests and tools. It has no
//! authentication: it binds where the broker binds and must not face a network.

mod activation;
mod citizen_service;
mod devices;
mod onboarding;
pub mod openapi;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::app::Broker;
use crate::login::{self, explain::explain, DecideError};
use crate::model::{
    AuthMethod, Client, ClientId, DecisionOutcome, Identity, IdentityId, LoginTxn, QueuedDecision,
    ResponseType, SubjectType, TxnId, UserId,
};
use crate::oidc::frontchannel;
use crate::paths;
use crate::secrets;
use crate::store::StoreError;

type AppState = State<Arc<Broker>>;

pub fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(openapi::document()) }))
        .route("/identities", get(list_identities).post(create_identity))
        .route(
            "/identities/{id}",
            get(get_identity)
                .patch(update_identity)
                .delete(delete_identity),
        )
        .route("/clients", get(list_clients).post(create_client))
        .route("/clients/{id}", get(get_client).delete(delete_client))
        .route("/logins", get(list_logins))
        .route("/logins/{id}", get(get_login))
        .route("/logins/{id}/approve", post(approve_login))
        .route("/logins/{id}/reject", post(reject_login))
        .route("/logins/{id}/explain", get(explain_login))
        .route(
            "/decisions",
            get(list_decisions)
                .post(enqueue_decision)
                .delete(clear_decisions),
        )
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance_clock))
        .route("/keys", get(list_keys))
        .route("/keys/rotate", post(rotate_key))
        .route("/keys/{kid}", delete(remove_key))
        .route("/reset", post(reset))
        .merge(devices::router())
        .merge(activation::router())
        .merge(citizen_service::router())
        .merge(onboarding::router())
}

/// A control API failure: `{"error": ..., "message": ...}`.
pub struct ApiError {
    pub(super) status: StatusCode,
    pub(super) error: &'static str,
    pub(super) message: String,
    pub(super) extra: Option<Value>,
}

impl ApiError {
    pub(super) fn new(
        status: StatusCode,
        error: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            error,
            message: message.into(),
            extra: None,
        }
    }
    pub(super) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", message)
    }
    pub(super) fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", what)
    }
    /// Adds members to the error's JSON object.
    pub(super) fn with(mut self, extra: Value) -> ApiError {
        self.extra = Some(extra);
        self
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Conflict(what) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("{what} already exists"),
            ),
            e => {
                tracing::error!(error = %e, "control API store failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "store failure",
                )
            }
        }
    }
}

impl From<keys::KeyError> for ApiError {
    fn from(e: keys::KeyError) -> ApiError {
        match e {
            keys::KeyError::UnknownKid(_) => ApiError::not_found(e.to_string()),
            keys::KeyError::NotRetired(..) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string())
            }
            e => {
                tracing::error!(error = %e, "control API key failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "key failure",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.error, "message": self.message });
        if let (Some(Value::Object(extra)), Value::Object(map)) = (self.extra, &mut body) {
            map.extend(extra);
        }
        (self.status, Json(body)).into_response()
    }
}

pub(super) type ApiResult = Result<Response, ApiError>;

pub(super) fn ok(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

pub(super) fn created(value: Value) -> ApiResult {
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

pub(super) fn parse_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

// ---- identities

/// Finds an identity by its UUID or its user ID.
pub(super) fn find_identity(broker: &Broker, key: &str) -> Result<Identity, ApiError> {
    let store = &broker.store.identities;
    if let Some(identity) = store.get(&IdentityId::new(key))? {
        return Ok(identity);
    }
    store
        .by_user_id(&UserId::new(key))?
        .ok_or_else(|| ApiError::not_found(format!("no identity {key}")))
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

// ---- clients

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

// ---- logins

pub(super) fn login_view(b: &Broker, txn: &LoginTxn) -> Value {
    let mut v = to_value(txn);
    if let Value::Object(map) = &mut v {
        map.remove("csrf");
        map.insert(
            "login_url".into(),
            json!(format!("{}/{}", b.issuer.endpoint(paths::LOGIN), txn.id)),
        );
    }
    v
}

#[derive(Deserialize)]
struct LoginsQuery {
    #[serde(default)]
    status: Option<String>,
}

/// Pending logins, oldest first; `?status=all`: the latest 100 logins of any status, newest
/// first.
async fn list_logins(State(b): AppState, Query(q): Query<LoginsQuery>) -> ApiResult {
    let logins = match q.status.as_deref() {
        None | Some("pending") => b.store.logins.list_pending(b.now())?,
        Some("all") => b.store.logins.list_recent(100)?,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "status {other} is not a filter; use pending or all"
            )))
        }
    };
    ok(Value::Array(
        logins.iter().map(|t| login_view(&b, t)).collect(),
    ))
}

fn find_login(b: &Broker, id: &str) -> Result<LoginTxn, ApiError> {
    b.store
        .logins
        .get(&TxnId::new(id))?
        .ok_or_else(|| ApiError::not_found(format!("no login {id}")))
}

async fn get_login(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    ok(login_view(&b, &find_login(&b, &id)?))
}

async fn explain_login(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    let txn = find_login(&b, &id)?;
    ok(to_value(&explain(&txn, b.required_level(&txn.request))))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ApproveInput {
    #[serde(default)]
    user_id: Option<UserId>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RejectInput {
    #[serde(default)]
    description: Option<String>,
}

async fn approve_login(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: ApproveInput = parse_body(&body)?;
    decide(
        &b,
        &id,
        DecisionOutcome::Approve {
            user_id: input.user_id,
        },
    )
}

async fn reject_login(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: RejectInput = parse_body(&body)?;
    decide(
        &b,
        &id,
        DecisionOutcome::Reject {
            description: input.description,
        },
    )
}

fn decide(b: &Broker, id: &str, outcome: DecisionOutcome) -> ApiResult {
    match login::decide(b, &TxnId::new(id), &outcome, "control_api", b.now()) {
        Ok(txn) => ok(login_view(b, &txn)),
        Err(DecideError::AlreadySettled(txn)) => Err(ApiError {
            status: StatusCode::CONFLICT,
            error: "already_settled",
            message: format!("the login is already {}", txn.status.name()),
            extra: Some(json!({ "login": login_view(b, &txn) })),
        }),
        Err(DecideError::NotFound(_)) => Err(ApiError::not_found(format!("no login {id}"))),
        Err(DecideError::Expired(_)) => Err(ApiError::new(
            StatusCode::GONE,
            "expired",
            "the login expired before a decision",
        )),
        Err(DecideError::BadDecision(msg)) => Err(ApiError::bad_request(msg)),
        Err(DecideError::Store(e)) => Err(e.into()),
    }
}

// ---- queued decisions

/// A queued decision as sent: flat, so unknown fields can be refused (serde cannot combine
/// `deny_unknown_fields` with a flattened enum).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionInput {
    outcome: OutcomeName,
    #[serde(default)]
    user_id: Option<UserId>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    client_id: Option<ClientId>,
    #[serde(default)]
    for_user_id: Option<UserId>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum OutcomeName {
    Approve,
    Reject,
}

impl DecisionInput {
    fn outcome(&self) -> Result<DecisionOutcome, ApiError> {
        match self.outcome {
            OutcomeName::Approve if self.description.is_some() => Err(ApiError::bad_request(
                "description belongs to a reject decision",
            )),
            OutcomeName::Approve => Ok(DecisionOutcome::Approve {
                user_id: self.user_id.clone(),
            }),
            OutcomeName::Reject if self.user_id.is_some() => Err(ApiError::bad_request(
                "user_id belongs to an approve decision",
            )),
            OutcomeName::Reject => Ok(DecisionOutcome::Reject {
                description: self.description.clone(),
            }),
        }
    }
}

async fn list_decisions(State(b): AppState) -> ApiResult {
    ok(to_value(&b.store.decisions.list()?))
}

async fn enqueue_decision(State(b): AppState, body: Bytes) -> ApiResult {
    let input: DecisionInput = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "invalid decision: {e}; send {{\"outcome\": \"approve\"|\"reject\", ...}}"
        ))
    })?;
    let decision = QueuedDecision {
        id: secrets::random_id(),
        outcome: input.outcome()?,
        client_id: input.client_id,
        for_user_id: input.for_user_id,
        created_at: b.now(),
    };
    b.store.decisions.enqueue(&decision)?;
    created(to_value(&decision))
}

async fn clear_decisions(State(b): AppState) -> ApiResult {
    b.store.decisions.clear()?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- clock, keys, reset

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
    if !(1..=10 * 365 * 24 * 3600).contains(&input.seconds) {
        return Err(ApiError::bad_request(
            "seconds must be between 1 and ten years",
        ));
    }
    match b.clock.advance(input.seconds) {
        Some(now) => ok(json!({ "now": now, "controllable": true })),
        None => Err(ApiError::new(
            StatusCode::CONFLICT,
            "clock_not_controllable",
            "this broker runs on the real clock; start it with a controllable clock to move time",
        )),
    }
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
    let keys = Arc::clone(&b.keys);
    let now = b.now();
    // Generating an RSA key takes a moment; keep it off the async workers.
    let info = tokio::task::spawn_blocking(move || keys.rotate(kind, now))
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                e.to_string(),
            )
        })??;
    ok(to_value(&info))
}

async fn remove_key(State(b): AppState, Path(kid): Path<String>) -> ApiResult {
    b.keys.remove(&keys::Kid::new(kid))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn reset(State(b): AppState) -> ApiResult {
    b.store.reset()?;
    ok(json!({ "reset": ["logins", "codes", "tokens", "sessions", "decisions"] }))
}
