//! The request log's middleware on the OpenID Provider endpoints: it reads what the request
//! sent and what the handler answered, builds a [`LoggedRequest`] with every secret redacted
//! (`crate::requests::redact`) and records it. Handlers tell it the login a request belongs
//! to through a [`BelongsTo`] in the response's extensions, and the error through an
//! [`AnsweredError`].

use axum::body::{to_bytes, Body, HttpBody};
use axum::extract::{OriginalUri, Request, State};
use axum::http::header::{AsHeaderName, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;

use crate::app::Broker;
use crate::clock::Stopwatch;
use crate::model::{BelongsTo, LoggedJwt, LoggedRequest};
use crate::requests::redact;
use crate::web::oidc::LOGIN_ID_HEADER;
use crate::web::responses::AnsweredError;
use crate::web::MAX_BODY;

/// An answer larger than this is logged without its body (the broker's own answers are far
/// smaller).
const MAX_LOGGED_ANSWER: usize = 256 * 1024;

/// Which endpoint a logged route is, for the middleware's state.
#[derive(Clone)]
pub struct Endpoint {
    pub broker: Arc<Broker>,
    pub name: &'static str,
}

/// Logs one request to an OpenID Provider endpoint.
pub async fn log(State(endpoint): State<Endpoint>, request: Request, next: Next) -> Response {
    let broker = &endpoint.broker;
    if !broker.requests.is_enabled() {
        return next.run(request).await;
    }
    let watch = Stopwatch::start();
    let at = broker.now();
    let method = request.method().to_string();
    let path = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().path(), |u| u.path())
        .to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let authorization = header(request.headers(), AUTHORIZATION).map(str::to_string);
    let is_form = header(request.headers(), CONTENT_TYPE)
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));

    // A form body is read here and handed on; the same limit as the handlers' own.
    let (parts, body) = request.into_parts();
    let (body, form) = if is_form {
        match to_bytes(body, MAX_BODY).await {
            Ok(bytes) => (Body::from(bytes.clone()), Some(bytes)),
            Err(_) => {
                return (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("the request body is larger than {MAX_BODY} bytes"),
                )
                    .into_response()
            }
        }
    } else {
        (body, None)
    };
    // The parameters, secrets redacted, and in the same pass the client the request names.
    let mut sent = Vec::new();
    let (mut client_id, mut assertion) = (None, None);
    let mut seen = |name: &str, value: &str| match name {
        "client_id" if client_id.is_none() => client_id = Some(value.to_string()),
        "client_assertion" if assertion.is_none() => assertion = Some(value.to_string()),
        _ => {}
    };
    redact::params_into(query.as_bytes(), &mut sent, &mut seen);
    if let Some(form) = &form {
        redact::params_into(form, &mut sent, &mut seen);
    }
    let named_client = named_client(client_id, assertion, authorization.as_deref());

    let response = next.run(Request::from_parts(parts, body)).await;

    let status = response.status().as_u16();
    let belongs = response.extensions().get::<BelongsTo>().cloned();
    let answered = response.extensions().get::<AnsweredError>().cloned();
    let location = header(response.headers(), LOCATION).map(str::to_string);
    let login_id = belongs
        .as_ref()
        .and_then(|b| b.login.as_ref().map(|l| l.as_str().to_string()))
        .or_else(|| header(response.headers(), LOGIN_ID_HEADER).map(str::to_string));
    let client_id = named_client.or_else(|| {
        belongs
            .as_ref()
            .and_then(|b| b.client.as_ref().map(|c| c.as_str().to_string()))
    });
    let mut entry = LoggedRequest {
        id: crate::secrets::random_id(),
        at,
        method,
        path,
        endpoint: endpoint.name.to_string(),
        profile: broker.profile,
        client_id,
        login_id,
        params: sent,
        authorization: authorization.as_deref().map(redact::scheme),
        status,
        error: answered.as_ref().map(|e| e.code.clone()),
        error_description: answered.and_then(|e| e.description),
        location: None,
        response: None,
        id_token: None,
        access_token: None,
        duration_us: 0,
    };
    if let Some(url) = &location {
        let (redacted, error, description) = redact::location_and_error(url);
        entry.location = Some(redacted);
        // An error sent to the client in the redirect.
        if entry.error.is_none() {
            entry.error = error;
            entry.error_description = description;
        }
    }
    let response = if answers_with_body(endpoint.name) {
        read_answer(response, &mut entry).await
    } else {
        response
    };
    entry.duration_us = watch.elapsed_us();
    // A line per request for `RUST_LOG=broker::request=debug`, with the login id.
    tracing::debug!(
        target: "broker::request",
        endpoint = entry.endpoint,
        method = entry.method,
        path = entry.path,
        status = entry.status,
        client = entry.client_id.as_deref(),
        login = entry.login_id.as_deref(),
        error = entry.error.as_deref(),
        duration_us = entry.duration_us,
        "request answered"
    );
    broker.requests.record(entry);
    response
}

fn header(headers: &HeaderMap, name: impl AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The endpoints whose JSON (or JWT) answers are worth keeping.
fn answers_with_body(endpoint: &str) -> bool {
    matches!(endpoint, "token" | "userinfo" | "introspection" | "par")
}

/// The client a request names: `client_id`, HTTP Basic, or a client assertion's `sub`.
fn named_client(
    client_id: Option<String>,
    assertion: Option<String>,
    authorization: Option<&str>,
) -> Option<String> {
    client_id
        .or_else(|| authorization.and_then(redact::basic_client_id))
        .or_else(|| {
            let decoded = redact::decode_jwt(&assertion?)?;
            decoded.claims.get("sub")?.as_str().map(str::to_string)
        })
}

/// Reads a JSON or JWT answer into the entry (tokens redacted, the ID token and a JWT access
/// token decoded) and gives the response back whole.
async fn read_answer(response: Response, entry: &mut LoggedRequest) -> Response {
    let content_type = header(response.headers(), CONTENT_TYPE).unwrap_or_default();
    let is_json = content_type.starts_with("application/json");
    let is_jwt = content_type.starts_with("application/jwt");
    if !is_json && !is_jwt {
        return response;
    }
    // The broker's answers are whole in memory, of a known size: a larger or streamed one is
    // handed on unread.
    let known_small = response
        .body()
        .size_hint()
        .upper()
        .is_some_and(|n| n <= MAX_LOGGED_ANSWER as u64);
    if !known_small {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_LOGGED_ANSWER).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "an answer could not be read for the request log");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the answer could not be read",
            )
                .into_response();
        }
    };
    if is_jwt {
        // A signed userinfo answer: its claims.
        entry.response = std::str::from_utf8(&bytes)
            .ok()
            .and_then(redact::decode_jwt)
            .map(|jwt| redact::json(jwt.claims));
    } else if let Ok(answer) = serde_json::from_slice::<Value>(&bytes) {
        let token = |name: &str| answer.get(name).and_then(Value::as_str);
        entry.id_token = token("id_token").and_then(LoggedJwt::of);
        entry.access_token = token("access_token").and_then(LoggedJwt::of);
        if entry.error.is_none() {
            entry.error = token("error").map(str::to_string);
            entry.error_description = token("error_description").map(str::to_string);
        }
        entry.response = Some(redact::json(answer));
    }
    Response::from_parts(parts, Body::from(bytes))
}
