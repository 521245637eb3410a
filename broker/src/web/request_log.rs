//! The request log's middleware on the OpenID Provider endpoints: it captures what the request
//! sent (its parameters redacted, `crate::requests::redact`) and what the handler answered, and
//! records it; the entry is made off the request path (`crate::requests::Captured`). Handlers tell it the login a request belongs
//! to through a [`BelongsTo`] in the response's extensions, and the error through an
//! [`AnsweredError`].

use axum::body::{to_bytes, Body, HttpBody};
use axum::extract::{OriginalUri, Request, State};
use axum::http::header::{AsHeaderName, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use crate::app::Broker;
use crate::clock::Stopwatch;
use crate::model::{BelongsTo, ClientId, TxnId};
use crate::requests::{redact, Answer, Captured, CapturedParams};
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
    let method = request.method().clone();
    let path = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().path(), |u| u.path())
        .to_string();
    let authorization = request.headers().get(AUTHORIZATION).cloned();
    let is_form = header(request.headers(), CONTENT_TYPE)
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));

    // The parameters, secrets redacted, and in the same pass the client the request names.
    let mut params = CapturedParams::default();
    params.add(request.uri().query().unwrap_or_default().as_bytes());
    // A form body is read here and handed on; the same limit as the handlers' own.
    let (parts, body) = request.into_parts();
    let body = if is_form {
        match to_bytes(body, MAX_BODY).await {
            Ok(form) => {
                params.add(&form);
                Body::from(form)
            }
            Err(_) => {
                return (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("the request body is larger than {MAX_BODY} bytes"),
                )
                    .into_response()
            }
        }
    } else {
        body
    };
    let authorization = authorization.as_ref().and_then(|v| v.to_str().ok());
    let (params, named_client) = params.finish(authorization);

    let mut response = next.run(Request::from_parts(parts, body)).await;

    // The handler's notes are taken out of the response, not copied: nothing after this
    // middleware reads them.
    let belongs = response.extensions_mut().remove::<BelongsTo>();
    let answered = response.extensions_mut().remove::<AnsweredError>();
    let (belongs_client, belongs_login) = belongs.map_or((None, None), |b| (b.client, b.login));
    let login_id = belongs_login
        .map(TxnId::into_string)
        .or_else(|| header(response.headers(), LOGIN_ID_HEADER).map(str::to_string));
    let (error, error_description) =
        answered.map_or((None, None), |e| (Some(e.code), e.description));
    let mut entry = Captured {
        at,
        method,
        path,
        endpoint: endpoint.name,
        profile: broker.profile,
        client_id: named_client.or_else(|| belongs_client.map(ClientId::into_string)),
        login_id,
        params,
        authorization: authorization.map(redact::scheme),
        status: response.status().as_u16(),
        error,
        error_description,
        location: response.headers().get(LOCATION).cloned(),
        answer: None,
        duration_us: 0,
    };
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
        method = entry.method.as_str(),
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

/// Keeps a JSON or JWT answer's body for the entry (shared with the response, not copied; it
/// is redacted when the entry is written) and gives the response back whole.
async fn read_answer(response: Response, entry: &mut Captured) -> Response {
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
    entry.answer = Some(if is_jwt {
        Answer::Jwt(bytes.clone())
    } else {
        Answer::Json(bytes.clone())
    });
    Response::from_parts(parts, Body::from(bytes))
}
