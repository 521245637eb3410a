//! CORS answers for browser apps (the rules: [`crate::oidc::cors`]). Two layers: [`public`]
//! for discovery and the JWKS, [`client_based`] for the token, userinfo and revocation
//! endpoints. No other route has either, so nothing else is readable from another origin.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD,
    AUTHORIZATION, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use crate::app::Broker;
use crate::oidc::{cors, Params};
use crate::web::MAX_BODY;

/// The request headers a browser app may send.
const ALLOW_HEADERS: &str = "authorization, content-type";
/// How long a browser may keep a preflight's answer (seconds).
const MAX_AGE: &str = "600";

fn origin(headers: &HeaderMap) -> Option<String> {
    let origin = headers.get(ORIGIN)?.to_str().ok()?;
    (origin != "null").then(|| origin.to_string())
}

fn is_preflight(request: &Request) -> bool {
    request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

fn preflight(allow_origin: Option<HeaderValue>, methods: &'static str) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    h.insert(VARY, HeaderValue::from_static("origin"));
    if let Some(origin) = allow_origin {
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(methods),
        );
        h.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE));
    }
    response
}

/// Discovery and the JWKS: readable from any origin (they are public documents).
pub async fn public(request: Request, next: Next) -> Response {
    if is_preflight(&request) {
        return preflight(Some(HeaderValue::from_static("*")), "GET");
    }
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

/// The token, userinfo and revocation endpoints: readable from the origins of the redirect URIs
/// of the client the request speaks for.
pub async fn client_based(
    State(broker): State<Arc<Broker>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(origin) = origin(request.headers()) else {
        return next.run(request).await;
    };
    let value = HeaderValue::from_str(&origin).ok();
    if is_preflight(&request) {
        let allowed = value.filter(|_| cors::some_client_allows(&broker, &origin));
        return preflight(allowed, "GET, POST");
    }
    // The body names the client: read it (within the usual limit) and hand it on.
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let authorization = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let client = cors::request_client(&broker, &Params::parse(&bytes), authorization);
    let allowed = match client {
        Some(client) => cors::client_allows(&broker, &client, &origin),
        // A request that names no client (a revoked or expired access token): its refusal
        // is readable by any client's origin, so the app learns to log in again.
        None => cors::some_client_allows(&broker, &origin),
    };
    let mut response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let h = response.headers_mut();
    h.append(VARY, HeaderValue::from_static("origin"));
    if let (true, Some(value)) = (allowed, value) {
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, value);
        // A browser app reads the bearer challenge of a refused userinfo request.
        h.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("www-authenticate"),
        );
    }
    response
}
