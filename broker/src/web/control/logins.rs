//! Logins and the decision ladder: list, read, approve, reject and explain a login; queue
//! decisions for logins to come.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::app::Broker;
use crate::login::{self, DecideError};
use crate::model::{DecisionOutcome, LoginTxn, TxnId, UserId};
use crate::paths;
use crate::sim::{self, decisions::NewDecision};

use super::api::{created, ok, parse_body, to_value, ApiError, ApiResult, AppState};

pub(super) fn router() -> Router<Arc<Broker>> {
    Router::new()
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
        .route("/decisions/{id}", delete(remove_decision))
}

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
    Ok(sim::logins::find(b, id)?)
}

async fn get_login(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    ok(login_view(&b, &find_login(&b, &id)?))
}

async fn explain_login(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    let txn = find_login(&b, &id)?;
    ok(to_value(&sim::logins::explain(&b, &txn)?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ApproveInput {
    #[serde(default)]
    user_id: Option<UserId>,
    #[serde(default)]
    business: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RejectInput {
    #[serde(default)]
    description: Option<String>,
}

#[tracing::instrument(name = "login", skip_all, fields(login = %id))]
async fn approve_login(State(b): AppState, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let input: ApproveInput = parse_body(&body)?;
    decide(
        &b,
        &id,
        DecisionOutcome::Approve {
            user_id: input.user_id,
            business: input.business,
        },
    )
}

#[tracing::instrument(name = "login", skip_all, fields(login = %id))]
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

async fn list_decisions(State(b): AppState) -> ApiResult {
    ok(to_value(&sim::decisions::list(&b)?))
}

async fn enqueue_decision(State(b): AppState, body: Bytes) -> ApiResult {
    let input: NewDecision = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "invalid decision: {e}; send {{\"outcome\": \"approve\"|\"reject\", ...}}"
        ))
    })?;
    created(to_value(&sim::decisions::enqueue(&b, input)?))
}

async fn remove_decision(State(b): AppState, Path(id): Path<String>) -> ApiResult {
    if !sim::decisions::remove(&b, &id)? {
        return Err(ApiError::not_found(format!(
            "no queued decision {id} (taken by a login, or never queued)"
        )));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn clear_decisions(State(b): AppState) -> ApiResult {
    sim::decisions::clear(&b)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
