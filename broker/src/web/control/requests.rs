//! The request log: the latest requests to the OpenID Provider endpoints (`crate::requests`).

use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::sync::Arc;

use crate::app::Broker;
use crate::model::RequestFilter;
use crate::requests::{self, MAX_LIMIT};

use super::api::{ok, to_value, ApiError, ApiResult, AppState};

pub(super) fn router() -> Router<Arc<Broker>> {
    Router::new().route("/requests", get(list_requests))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestsQuery {
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    login: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// The latest logged requests, newest first: `?client_id=`, `?login=` (a login id),
/// `?limit=` (1 to 1000, 100 by default).
async fn list_requests(
    State(b): AppState,
    query: Result<Query<RequestsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request(format!(
            "{}: the filters are client_id, login and limit",
            e.body_text()
        ))
    })?;
    let limit = match q.limit.as_deref() {
        None => 100,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "limit must be a number from 1 to {MAX_LIMIT}"
                )))
            }
        },
    };
    let filter = RequestFilter {
        client_id: q.client_id.filter(|c| !c.is_empty()),
        login_id: q.login.filter(|l| !l.is_empty()),
        limit,
    };
    let logged = requests::latest(&b, &filter)?;
    ok(to_value(&logged))
}
