//! The runner's own small HTTP server on 127.0.0.1: the redirect URIs of the clients it
//! creates, the back-channel logout URI where the OP delivers logout tokens (OIDC
//! Back-Channel Logout 1.0 section 2.5), and the documents a client points the OP at (request
//! objects for `request_uri`, a `jwks_uri`, a `sector_identifier_uri`).

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
/// Hosted documents by id: content type and body.
type Objects = Arc<Mutex<HashMap<String, (&'static str, String)>>>;

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
            .route("/doc/{id}", get(document))
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
        self.put_document(&id, "application/oauth-authz-req+jwt", jwt.to_string())
    }

    /// Serves `body` as `content_type` at the URL it returns, under `id`; a second call with
    /// the same id replaces the document (a client rotating the keys at its `jwks_uri`).
    pub fn put_document(&self, id: &str, content_type: &'static str, body: String) -> String {
        if let Ok(mut o) = self.objects.lock() {
            o.insert(id.to_string(), (content_type, body));
        }
        self.url(&format!("/doc/{id}"))
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

async fn document(
    State(shared): State<Shared>,
    Path(id): Path<String>,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    let document = shared.objects.lock().ok().and_then(|o| o.get(&id).cloned());
    match document {
        Some((content_type, body)) => (StatusCode::OK, [("content-type", content_type)], body),
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
