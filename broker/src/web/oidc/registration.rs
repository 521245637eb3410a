//! Thin handlers for dynamic client registration (RFC 7591) and the client configuration
//! endpoint (RFC 7592). Errors are JSON (RFC 7591 3.2.2); a missing or wrong Bearer token is
//! 401 with `WWW-Authenticate: Bearer`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;

use crate::app::Broker;
use crate::error::{ErrorCode, OAuthError};
use crate::oidc::registration;
use crate::oidc::userinfo::BearerError;
use crate::web::responses;

type AppState = State<Arc<Broker>>;

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok())
}

fn answer(broker: &Broker, status: StatusCode, result: Result<Value, OAuthError>) -> Response {
    match result {
        Ok(body) => responses::no_store_json(status, &body),
        Err(e) => error(broker, e),
    }
}

fn error(broker: &Broker, e: OAuthError) -> Response {
    match e.code {
        ErrorCode::InvalidToken => {
            responses::bearer_error(&BearerError { error: Some(e) }, broker.issuer.as_str())
        }
        _ => responses::json_error(&e),
    }
}

pub async fn register(State(broker): AppState, headers: HeaderMap, body: Bytes) -> Response {
    let result =
        registration::register(&broker, &body, authorization(&headers), broker.now()).await;
    answer(&broker, StatusCode::CREATED, result)
}

pub async fn read(
    State(broker): AppState,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let result = registration::read(&broker, &client_id, authorization(&headers));
    answer(&broker, StatusCode::OK, result)
}

pub async fn update(
    State(broker): AppState,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = registration::update(&broker, &client_id, authorization(&headers), &body).await;
    answer(&broker, StatusCode::OK, result)
}

pub async fn delete(
    State(broker): AppState,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match registration::delete(&broker, &client_id, authorization(&headers)) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error(&broker, e),
    }
}
