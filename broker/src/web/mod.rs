//! HTTP: the router and thin handlers. Everything of substance happens in `oidc`, `login` and
//! the stores.

pub mod control;
pub mod cookies;
pub mod devices;
pub mod login;
pub mod oidc;
pub mod pages;
pub mod qr;
pub mod responses;
pub mod texts;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

use crate::app::Broker;
use crate::paths;

/// Bodies larger than this are refused with 413.
pub const MAX_BODY: usize = 64 * 1024;
/// URIs longer than this are refused with 414.
pub const MAX_URI: usize = 8 * 1024;

pub fn router(broker: Arc<Broker>) -> Router {
    let login = format!("{}/{{txn}}", paths::LOGIN);
    let protocol = Router::new()
        .route(paths::DISCOVERY, get(oidc::discovery))
        .route(
            paths::AUTHORIZE,
            get(oidc::authorize_get).post(oidc::authorize_post),
        )
        .route(paths::TOKEN, axum::routing::post(oidc::token))
        .route(
            paths::USERINFO,
            get(oidc::userinfo_get).post(oidc::userinfo_post),
        )
        .route(paths::JWKS, get(oidc::jwks))
        .route(
            paths::END_SESSION,
            get(oidc::end_session_get).post(oidc::end_session_post),
        )
        .route(paths::REVOCATION, axum::routing::post(oidc::revoke))
        .route(paths::INTROSPECTION, axum::routing::post(oidc::introspect))
        .route(paths::PAR, axum::routing::post(oidc::par))
        .route(&login, get(login::show).post(login::submit))
        .route(&format!("{login}/status"), get(login::status));
    let protocol = if broker.config.registration.enabled {
        protocol
            .route(
                paths::REGISTER,
                axum::routing::post(oidc::registration::register),
            )
            .route(
                &format!("{}/{{client_id}}", paths::REGISTER),
                get(oidc::registration::read)
                    .put(oidc::registration::update)
                    .delete(oidc::registration::delete),
            )
    } else {
        protocol
    };
    let prefix = broker.issuer.path_prefix();
    let app = if prefix.is_empty() {
        protocol.route("/", get(home))
    } else {
        Router::new().nest(&prefix, protocol).route("/", get(home))
    };
    app.nest(paths::CONTROL, control::router())
        .merge(devices::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(limit_uri))
        .with_state(broker)
}

async fn limit_uri(request: Request, next: Next) -> Response {
    let uri = request.uri();
    if uri.path().len() + uri.query().map_or(0, str::len) > MAX_URI {
        return (
            StatusCode::URI_TOO_LONG,
            format!("the request URI is longer than {MAX_URI} bytes"),
        )
            .into_response();
    }
    next.run(request).await
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such endpoint").into_response()
}

async fn home(State(broker): State<Arc<Broker>>) -> Response {
    pages::render(
        StatusCode::OK,
        &pages::HomePage {
            lang: "en",
            issuer: broker.issuer.as_str(),
            discovery: &broker.issuer.endpoint(paths::DISCOVERY),
            jwks: &broker.issuer.endpoint(paths::JWKS),
            openapi: &format!("{}/openapi.json", paths::CONTROL),
        },
    )
}
