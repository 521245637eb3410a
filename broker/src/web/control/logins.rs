//! Logins and the decision ladder: list, read, approve, reject and explain a login; queue
//! decisions for logins to come.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::app::Broker;
use crate::login::{self, explain::explain, DecideError};
use crate::model::{ClientId, DecisionOutcome, LoginTxn, QueuedDecision, TxnId, UserId};
use crate::paths;
use crate::secrets;

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
    let mut explained = explain(&txn, b.required_level(&txn.request));
    explained.faults = b
        .store
        .faults
        .events_for_login(&txn.id)?
        .into_iter()
        .filter_map(|e| match e.act {
            crate::model::RpAct::Fault { fault } => Some(fault.name()),
            _ => None,
        })
        .collect();
    ok(to_value(&explained))
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

/// A queued decision as sent: flat, so unknown fields can be refused (serde cannot combine
/// `deny_unknown_fields` with a flattened enum).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionInput {
    outcome: OutcomeName,
    #[serde(default)]
    user_id: Option<UserId>,
    #[serde(default)]
    business: Option<String>,
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
                business: self.business.clone(),
            }),
            OutcomeName::Reject if self.user_id.is_some() || self.business.is_some() => Err(
                ApiError::bad_request("user_id and business belong to an approve decision"),
            ),
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
