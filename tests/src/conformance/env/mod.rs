//! What every module shares: the options, the OP's metadata and keys, the HTTP clients, the
//! runner's own receiver, the test clients, the clock, and the headless login.
//!
//! The `Env` itself lives here: the connection, discovery and the JWKS, the control API and the
//! clock. Its clients are in `clients`, the headless login in `login`, the token and userinfo
//! requests in `tokens`.

mod clients;
mod login;
mod tokens;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use tokio::sync::OnceCell;
use url::Url;

use super::checks::{Answer, Violation};
use super::receiver::Receiver;
use super::{Halt, Options};

pub use clients::{ClientAuth, ClientKind, KeysBy, TestClient};
pub use login::AuthResult;
pub use tokens::UserinfoCall;

pub struct Env {
    pub options: Options,
    pub issuer: String,
    pub discovery: Value,
    pub discovery_answer: Answer,
    /// The OP's JWKS, fetched again when a JWS names a `kid` it does not hold (OIDC Core
    /// 10.1.1: the OP may rotate its keys at any time).
    jwks: Mutex<Value>,
    pub receiver: Receiver,
    http: reqwest::Client,
    clients: Mutex<BTreeMap<ClientKind, Arc<OnceCell<TestClient>>>>,
}

pub fn http_client(options: &Options, cookies: bool) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(cookies)
        .timeout(std::time::Duration::from_secs(30));
    if let Some(pem) = &options.ca_pem {
        let certificate =
            reqwest::Certificate::from_pem(pem).map_err(|e| format!("--ca-file: {e}"))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().map_err(|e| e.to_string())
}

pub async fn answer_of(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = headers_of(response.headers());
    let body = response.text().await.unwrap_or_default();
    Answer {
        status,
        headers,
        body,
    }
}

fn headers_of(map: &HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect()
}

fn transport(what: &str, e: impl std::fmt::Display) -> Halt {
    Halt::Fail(Violation::new(
        "HttpRequest",
        "RFC9110",
        format!("{what}: {e}"),
    ))
}

impl Env {
    /// Fetches discovery (OIDC Discovery 4) and the JWKS; a failure here fails every module.
    pub async fn connect(options: Options) -> Result<Env, Halt> {
        let http = http_client(&options, false)
            .map_err(|e| Halt::Fail(Violation::new("HttpClient", "-", e)))?;
        let issuer = options.issuer.trim_end_matches('/').to_string();
        let issuer = if options.issuer.ends_with('/')
            && Url::parse(&options.issuer).is_ok_and(|u| u.path() == "/")
        {
            issuer
        } else {
            options.issuer.clone()
        };
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let response = http
            .get(&url)
            .send()
            .await
            .map_err(|e| transport(&url, e))?;
        let discovery_answer = answer_of(response).await;
        let discovery = discovery_answer.json().unwrap_or(Value::Null);
        if !discovery.is_object() {
            return Err(Halt::Fail(Violation::new(
                "GetDynamicServerConfiguration",
                "OIDCD-4",
                format!(
                    "{url} answered {} without a JSON object",
                    discovery_answer.status
                ),
            )));
        }
        let jwks_uri = discovery
            .get("jwks_uri")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let jwks = match http.get(&jwks_uri).send().await {
            Ok(r) => answer_of(r).await.json().unwrap_or(Value::Null),
            Err(e) => return Err(transport(&format!("jwks_uri {jwks_uri:?}"), e)),
        };
        let receiver = Receiver::start()
            .await
            .map_err(|e| transport("the runner's receiver", e))?;
        Ok(Env {
            options,
            issuer,
            discovery,
            discovery_answer,
            jwks: Mutex::new(jwks),
            receiver,
            http,
            clients: Mutex::new(BTreeMap::new()),
        })
    }

    /// The OP's JWKS as last fetched.
    pub fn jwks(&self) -> Value {
        self.jwks.lock().map(|j| j.clone()).unwrap_or(Value::Null)
    }

    /// The JWKS to verify `jws` with: the cached one when it holds the JWS's `kid` (or the JWS
    /// names none), else the OP's `jwks_uri` fetched again, as a relying party does after the
    /// OP rotated its keys (OIDC Core 10.1.1).
    pub async fn jwks_for(&self, jws: &str) -> Value {
        let cached = self.jwks();
        let kid = super::jose::Jws::parse(jws)
            .ok()
            .and_then(|j| j.kid().map(str::to_string));
        let Some(kid) = kid else { return cached };
        if has_kid(&cached, &kid) {
            return cached;
        }
        match self.fetch_jwks().await {
            Some(fresh) => {
                if let Ok(mut j) = self.jwks.lock() {
                    *j = fresh.clone();
                }
                fresh
            }
            None => cached,
        }
    }

    async fn fetch_jwks(&self) -> Option<Value> {
        let uri = self.discovery.get("jwks_uri")?.as_str()?;
        let response = self.http.get(uri).send().await.ok()?;
        answer_of(response).await.json()
    }

    pub fn endpoint(&self, member: &str) -> Result<String, Halt> {
        self.discovery
            .get(member)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                Halt::Fail(Violation::new(
                    "CheckServerConfiguration",
                    "OIDCD-3",
                    format!("no {member}"),
                ))
            })
    }

    pub fn supports(&self, member: &str, value: &str) -> bool {
        self.discovery
            .get(member)
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(value)))
    }

    pub fn flag(&self, member: &str) -> bool {
        self.discovery
            .get(member)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// A fresh browser: a cookie jar of its own, redirects followed by hand.
    pub fn browser(&self) -> Result<reqwest::Client, Halt> {
        http_client(&self.options, true)
            .map_err(|e| Halt::Fail(Violation::new("HttpClient", "-", e)))
    }

    // ---- the simulator's control API (optional)

    async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Option<Answer> {
        let base = self.options.sim_control.as_deref()?;
        let mut request = self
            .http
            .request(method, format!("{}{path}", base.trim_end_matches('/')));
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(token) = &self.options.sim_control_token {
            request = request.bearer_auth(token);
        }
        Some(answer_of(request.send().await.ok()?).await)
    }

    /// Now, on the OP's clock when the control API tells it, else the runner's.
    pub async fn now(&self) -> i64 {
        if let Some(answer) = self.control(reqwest::Method::GET, "/clock", None).await {
            if let Some(now) = answer
                .json()
                .and_then(|v| v.get("now").and_then(Value::as_i64))
            {
                return now;
            }
        }
        wall_clock()
    }

    /// Lets `seconds` pass: moves the OP's controllable clock, else waits.
    pub async fn pass_time(&self, seconds: i64) {
        let moved = self
            .control(
                reqwest::Method::POST,
                "/clock/advance",
                Some(json!({"seconds": seconds})),
            )
            .await
            .is_some_and(|a| a.status == 200);
        if !moved {
            tokio::time::sleep(std::time::Duration::from_secs(seconds.unsigned_abs())).await;
        }
    }
}

/// A JWK Set holds a key with this `kid`.
pub fn has_kid(jwks: &Value, kid: &str) -> bool {
    jwks.get("keys")
        .and_then(Value::as_array)
        .is_some_and(|keys| {
            keys.iter()
                .any(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
        })
}

/// 128 random bits, base64url: state, nonce, client ids, jti.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    super::jose::b64(&bytes)
}

/// The runner's wall clock, for OPs whose clock it cannot read: a relying party checks `exp`
/// and `iat` against real time.
#[allow(clippy::disallowed_methods)]
pub fn wall_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
