//! HTTP: the router and thin handlers. Everything of substance happens in `oidc`, `login` and
//! the stores.

pub mod assets;
pub mod control;
pub mod cookies;
pub mod cors;
pub mod dashboard;
pub mod device_lang;
pub mod devices;
pub mod guard;
pub mod login;
pub mod oidc;
pub mod pages;
pub mod qr;
pub mod request_log;
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
use crate::model::Profile;
use crate::paths;

/// Bodies larger than this are refused with 413.
pub const MAX_BODY: usize = 64 * 1024;
/// URIs longer than this are refused with 414.
pub const MAX_URI: usize = 8 * 1024;

/// Every profile's issuer at its own path (`standard` at the base issuer, `neb` at `/op`, ...),
/// the login screens, the simulated devices and pages, and the control API.
pub fn router(broker: Arc<Broker>) -> Router {
    let mut app = Router::new().route("/", get(home));
    for profile in Profile::ALL {
        let view = Arc::new(broker.for_profile(profile));
        let prefix = view.issuer.path_prefix();
        let protocol = protocol(&view).with_state(view);
        app = if prefix.is_empty() {
            app.merge(protocol)
        } else {
            app.nest(&prefix, protocol)
        };
    }
    let login = format!("{}/{{txn}}", paths::LOGIN);
    let screens = Router::new()
        .route(&login, get(login::show).post(login::submit))
        .route(&format!("{login}/status"), get(login::status));
    let base = broker.issuer.path_prefix();
    let screens = if base.is_empty() {
        screens
    } else {
        Router::new().nest(&base, screens)
    };
    app.merge(screens.with_state(Arc::clone(&broker)))
        .nest(
            paths::CONTROL,
            control::router().with_state(Arc::clone(&broker)),
        )
        .merge(devices::router().with_state(Arc::clone(&broker)))
        .merge(dashboard::router().with_state(Arc::clone(&broker)))
        .route(
            &format!("{}/{{name}}", paths::SIM_STATIC),
            get(assets::script),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(limit_uri))
        .layer(middleware::from_fn_with_state(
            Arc::new(guard::policy(&broker)),
            guard::guard,
        ))
        .with_state(broker)
}

/// One issuer's protocol endpoints, at the paths of its profile.
fn protocol(broker: &Arc<Broker>) -> Router<Arc<Broker>> {
    use crate::oidc::kit_documents::PATH as KIT;
    use axum::routing::{post, MethodRouter};
    let paths = broker.profile.endpoints();
    // Readable by browser apps (web::cors): the public documents from anywhere, the endpoints
    // a single-page app calls from its clients' origins.
    let public = |route: MethodRouter<Arc<Broker>>| route.layer(middleware::from_fn(cors::public));
    let client_based = |route: MethodRouter<Arc<Broker>>| {
        route.layer(middleware::from_fn_with_state(
            Arc::clone(broker),
            cors::client_based,
        ))
    };
    // The request log (crate::requests): every endpoint but the public documents.
    let logged = |name: &'static str, route: MethodRouter<Arc<Broker>>| {
        route.layer(middleware::from_fn_with_state(
            request_log::Endpoint {
                broker: Arc::clone(broker),
                name,
            },
            request_log::log,
        ))
    };
    let mut router = Router::new()
        .route(paths.discovery, public(get(oidc::discovery)))
        .route(
            paths.authorize,
            logged(
                "authorize",
                get(oidc::authorize_get).post(oidc::authorize_post),
            ),
        )
        .route(
            paths.token,
            client_based(logged("token", post(oidc::token))),
        )
        .route(
            paths.userinfo,
            client_based(logged(
                "userinfo",
                get(oidc::userinfo_get).post(oidc::userinfo_post),
            )),
        )
        .route(paths.jwks, public(get(oidc::jwks)))
        .route(
            &format!("{KIT}/{{client_id}}/.well-known/openid-configuration"),
            public(get(oidc::kit_discovery)),
        )
        .route(
            &format!("{KIT}/{{client_id}}/jwks"),
            public(get(oidc::kit_jwks)),
        )
        .route(
            paths.end_session,
            logged(
                "end_session",
                get(oidc::end_session_get).post(oidc::end_session_post),
            ),
        );
    if let Some(path) = paths.revocation {
        router = router.route(path, client_based(logged("revocation", post(oidc::revoke))));
    }
    if let Some(path) = paths.introspection {
        router = router.route(path, logged("introspection", post(oidc::introspect)));
    }
    if let Some(path) = paths.par {
        router = router.route(path, logged("par", post(oidc::par)));
    }
    if let Some(path) = paths.error_page {
        router = router.route(path, get(oidc::error_page));
    }
    for (path, entry) in paths.not_emulated {
        router = router.route(path, axum::routing::any(move || not_emulated(entry)));
    }
    match paths.register {
        Some(path) if broker.config.registration.enabled => router
            .route(
                path,
                logged("registration", post(oidc::registration::register)),
            )
            .route(
                &format!("{path}/{{client_id}}"),
                logged(
                    "registration",
                    get(oidc::registration::read)
                        .put(oidc::registration::update)
                        .delete(oidc::registration::delete),
                ),
            ),
        _ => router,
    }
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

/// 501 for what the real broker has and the simulator does not emulate, naming the ledger
/// entry that says so.
async fn not_emulated(id: &'static str) -> Response {
    let what = crate::oidc::profile::ledger::entry(id).map_or("this endpoint", |e| e.subject);
    responses::no_store_json(
        StatusCode::NOT_IMPLEMENTED,
        &serde_json::json!({
            "error": "not_emulated",
            "error_description": format!("{what} is not emulated by this simulator"),
            "ledger_entry": id,
            "ledger": format!("{}/fidelity/{id}", paths::CONTROL),
        }),
    )
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
