//! The runner's own small HTTP server on 127.0.0.1: the redirect URIs of the clients it
//! creates, and the back-channel logout URI where the OP delivers logout tokens (OIDC
//! Back-Channel Logout 1.0 section 2.5).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::Router;

/// One POST to a back-channel logout URI.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The path key the OP posted to (one per client).
    pub key: String,
    pub content_type: Option<String>,
    pub body: String,
}

type Deliveries = Arc<Mutex<Vec<Delivery>>>;
type Objects = Arc<Mutex<HashMap<String, String>>>;

#[derive(Clone)]
struct Shared {
    deliveries: Deliveries,
    objects: Objects,
}

pub struct Receiver {
    base: String,
    deliveries: Deliveries,
    objects: Objects,
    _server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> std::io::Result<Receiver> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let base = format!("http://{}", listener.local_addr()?);
        let deliveries: Deliveries = Arc::default();
        let objects: Objects = Arc::default();
        let shared = Shared {
            deliveries: Arc::clone(&deliveries),
            objects: Arc::clone(&objects),
        };
        let app = Router::new()
            .route(
                "/callback",
                get(|| async { "conformance runner: callback" }),
            )
            .route(
                "/logged-out",
                get(|| async { "conformance runner: logged out" }),
            )
            .route("/backchannel/{key}", post(backchannel))
            .route("/request/{id}", get(request_object))
            .with_state(shared);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Receiver {
            base,
            deliveries,
            objects,
            _server: server,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Serves a request object (OIDC Core 6.2) and returns its `request_uri`.
    pub fn host_request_object(&self, jwt: &str) -> String {
        let id = super::env::random_id();
        if let Ok(mut o) = self.objects.lock() {
            o.insert(id.clone(), jwt.to_string());
        }
        self.url(&format!("/request/{id}"))
    }

    /// The deliveries to the back-channel logout URI with path key `key` so far.
    pub fn deliveries(&self, key: &str) -> Vec<Delivery> {
        self.deliveries
            .lock()
            .map(|d| d.iter().filter(|x| x.key == key).cloned().collect())
            .unwrap_or_default()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self._server.abort();
    }
}

async fn request_object(
    State(shared): State<Shared>,
    Path(id): Path<String>,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    let object = shared.objects.lock().ok().and_then(|o| o.get(&id).cloned());
    match object {
        Some(jwt) => (
            StatusCode::OK,
            [("content-type", "application/oauth-authz-req+jwt")],
            jwt,
        ),
        None => (
            StatusCode::NOT_FOUND,
            [("content-type", "text/plain")],
            String::new(),
        ),
    }
}

async fn backchannel(
    State(shared): State<Shared>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Ok(mut d) = shared.deliveries.lock() {
        d.push(Delivery {
            key,
            content_type,
            body,
        });
    }
    StatusCode::OK
}
