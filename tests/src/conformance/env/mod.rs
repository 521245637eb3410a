//! What every module shares: the options, the OP's metadata and keys, the HTTP clients, the
//! runner's own receiver, the test clients, the clock, and the headless login.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use reqwest::header::{HeaderMap, LOCATION};
use serde_json::{json, Value};
use tokio::sync::OnceCell;
use url::Url;

use super::checks::authorization::Params;
use super::checks::{Answer, Violation};
use super::jose::SigningKey;
use super::receiver::Receiver;
use super::{html, Halt, Options};

/// How a client authenticates at the token endpoint (OIDC Core 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    Basic,
    Post,
    PrivateKeyJwt,
}

impl ClientAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuth::Basic => "client_secret_basic",
            ClientAuth::Post => "client_secret_post",
            ClientAuth::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

/// The clients a plan needs; each is made once per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClientKind {
    /// client_secret_basic, with a post-logout redirect URI and a back-channel logout URI.
    Basic,
    /// client_secret_post.
    Post,
    /// A second client_secret_basic client (refresh tokens of another client).
    Second,
    /// A client registered with RFC 7591 (private_key_jwt when the OP offers it): the
    /// Dynamic plan's client.
    Registered,
}

#[derive(Clone)]
pub struct TestClient {
    pub client_id: String,
    pub secret: Option<String>,
    pub redirect_uri: String,
    pub post_logout_redirect_uri: Option<String>,
    /// The path key of the client's back-channel logout URI at the runner's receiver.
    pub backchannel_key: Option<String>,
    /// Registered with `backchannel_logout_session_required` (OIDCBCL 2.2).
    pub backchannel_session_required: bool,
    pub auth: ClientAuth,
    pub id_token_alg: String,
    pub key: Option<Arc<SigningKey>>,
    /// The id of the receiver document that is the client's `jwks_uri`, when it registered
    /// its keys by reference.
    pub jwks_document: Option<String>,
    /// The RFC 7591 registration response, for dynamically registered clients.
    pub registration: Option<Value>,
}

/// How a registered client hands over its public keys (RFC 7591 2): `jwks` or `jwks_uri`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeysBy {
    Value,
    Reference,
}

/// How the OP's answer to an authorization request ended.
#[derive(Debug, Clone)]
pub enum AuthResult {
    /// The OP sent the browser to the redirect URI.
    Callback {
        /// Query, fragment or form parameters, as the response mode put them.
        params: Params,
        /// The query alone (for checks that nothing leaked into it).
        query: Params,
        url: String,
        form_post: bool,
    },
    /// The OP stopped at a page of its own (an error page, a confirmation).
    Stopped {
        status: u16,
        url: String,
        body: String,
    },
}

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

    // ---- clients

    /// The client of `kind`, made on first use: from the flags, through the control API, or
    /// by dynamic registration (RFC 7591) when the OP offers it.
    pub async fn client(&self, kind: ClientKind) -> Result<TestClient, Halt> {
        let cell = {
            let mut map = self
                .clients
                .lock()
                .map_err(|_| Halt::Skip("client cache poisoned".into()))?;
            Arc::clone(map.entry(kind).or_default())
        };
        cell.get_or_try_init(|| self.make_client(kind))
            .await
            .cloned()
    }

    async fn make_client(&self, kind: ClientKind) -> Result<TestClient, Halt> {
        let auth = match kind {
            ClientKind::Post => ClientAuth::Post,
            _ => ClientAuth::Basic,
        };
        if kind == ClientKind::Registered {
            let auth = self.registered_auth();
            if self.discovery.get("registration_endpoint").is_none() {
                return Err(Halt::Fail(Violation::new(
                    "CheckDiscEndpointRegistrationEndpoint",
                    "OIDCD-3",
                    "the OP has no registration_endpoint: dynamic registration is not offered",
                )));
            }
            return self.register(auth, json!({})).await;
        }
        if self.options.register_clients {
            return self.register(auth, json!({})).await;
        }
        if let Some(c) = &self.options.static_client {
            if kind == ClientKind::Second {
                return Err(Halt::Skip(
                    "needs a second client: use --sim-control or an OP with registration".into(),
                ));
            }
            return Ok(TestClient {
                client_id: c.client_id.clone(),
                secret: c.client_secret.clone(),
                redirect_uri: c.redirect_uri.clone(),
                post_logout_redirect_uri: c.post_logout_redirect_uri.clone(),
                backchannel_key: None,
                backchannel_session_required: false,
                auth,
                id_token_alg: "RS256".into(),
                key: None,
                jwks_document: None,
                registration: None,
            });
        }
        if self.options.sim_control.is_some() {
            return self.create_through_control(kind, auth).await;
        }
        if self.discovery.get("registration_endpoint").is_some() {
            return self.register(auth, json!({})).await;
        }
        Err(Halt::Skip(
            "no client: give --client-id/--client-secret/--redirect-uri, --sim-control, or use an OP with a registration_endpoint".into(),
        ))
    }

    async fn create_through_control(
        &self,
        kind: ClientKind,
        auth: ClientAuth,
    ) -> Result<TestClient, Halt> {
        let client_id = format!("conformance-{}", random_id());
        let secret = format!("{}-{}", random_id(), random_id());
        let redirect_uri = self.receiver.url("/callback");
        let post_logout = self.receiver.url("/logged-out");
        let backchannel = self.receiver.url(&format!("/backchannel/{client_id}"));
        let body = json!({
            "client_id": client_id,
            "name": format!("Conformance runner {kind:?}"),
            "client_secret": secret,
            "redirect_uris": [redirect_uri],
            "post_logout_redirect_uris": [post_logout],
            "token_endpoint_auth_method": auth.as_str(),
            "backchannel_logout_uri": backchannel,
            "backchannel_logout_session_required": true,
        });
        let answer = self
            .control(reqwest::Method::POST, "/clients", Some(body))
            .await
            .ok_or_else(|| transport("--sim-control", "unreachable"))?;
        if answer.status != 201 {
            return Err(Halt::Fail(Violation::new(
                "CreateClientThroughControlApi",
                "-",
                format!("POST /clients answered {}: {}", answer.status, answer.body),
            )));
        }
        Ok(TestClient {
            client_id: client_id.clone(),
            secret: Some(secret),
            redirect_uri,
            post_logout_redirect_uri: Some(post_logout),
            backchannel_key: Some(client_id.clone()),
            backchannel_session_required: true,
            auth,
            id_token_alg: "RS256".into(),
            key: None,
            jwks_document: None,
            registration: None,
        })
    }

    /// How the Dynamic plan's clients authenticate: private_key_jwt when the OP offers it.
    pub fn registered_auth(&self) -> ClientAuth {
        if self.supports("token_endpoint_auth_methods_supported", "private_key_jwt") {
            ClientAuth::PrivateKeyJwt
        } else {
            ClientAuth::Basic
        }
    }

    /// RFC 7591 3.1: registers a client; `extra` adds or replaces metadata. A
    /// private_key_jwt client sends its keys by value (`jwks`).
    pub async fn register(&self, auth: ClientAuth, extra: Value) -> Result<TestClient, Halt> {
        self.register_keys(auth, KeysBy::Value, false, extra).await
    }

    /// RFC 7591 3.1 with the client's keys by value or by reference (`jwks_uri` at the
    /// receiver); `keyed` makes a key even for a client that authenticates with a secret (for
    /// signed request objects).
    pub async fn register_keys(
        &self,
        auth: ClientAuth,
        keys_by: KeysBy,
        keyed: bool,
        extra: Value,
    ) -> Result<TestClient, Halt> {
        let endpoint = self.endpoint("registration_endpoint")?;
        let key = if keyed || auth == ClientAuth::PrivateKeyJwt {
            Some(Arc::new(generate_key()?))
        } else {
            None
        };
        let redirect_uri = self.receiver.url("/callback");
        let backchannel_key = random_id();
        let mut body = json!({
            "client_name": "Conformance runner",
            "backchannel_logout_uri": self.receiver.url(&format!("/backchannel/{backchannel_key}")),
            "backchannel_logout_session_required": true,
            "redirect_uris": [redirect_uri],
            "post_logout_redirect_uris": [self.receiver.url("/logged-out")],
            "token_endpoint_auth_method": auth.as_str(),
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
        });
        let mut jwks_document = None;
        if let Some(key) = &key {
            let jwks = json!({"keys": [key.public_jwk()]});
            match keys_by {
                KeysBy::Value => body["jwks"] = jwks,
                KeysBy::Reference => {
                    let id = random_id();
                    body["jwks_uri"] = json!(self.receiver.put_document(
                        &id,
                        "application/jwk-set+json",
                        jwks.to_string()
                    ));
                    jwks_document = Some(id);
                }
            }
        }
        if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
            b.extend(e);
        }
        let response = self
            .http
            .post(&endpoint)
            .json(&body)
            .send()
            .await
            .map_err(|e| transport(&endpoint, e))?;
        let answer = answer_of(response).await;
        let registered = answer.json().unwrap_or(Value::Null);
        let client_id = registered.get("client_id").and_then(Value::as_str);
        if answer.status != 201 || client_id.is_none() {
            return Err(Halt::Fail(Violation::new(
                "CallDynamicRegistrationEndpoint",
                "RFC7591-3.2.1",
                format!("registration answered {}: {}", answer.status, answer.body),
            )));
        }
        let redirect_uri = registered
            .get("redirect_uris")
            .and_then(|r| r.get(0))
            .and_then(Value::as_str)
            .unwrap_or(&redirect_uri)
            .to_string();
        Ok(TestClient {
            client_id: client_id.unwrap_or_default().to_string(),
            secret: registered
                .get("client_secret")
                .and_then(Value::as_str)
                .map(str::to_string),
            redirect_uri,
            post_logout_redirect_uri: Some(self.receiver.url("/logged-out")),
            backchannel_key: Some(backchannel_key),
            backchannel_session_required: registered
                .get("backchannel_logout_session_required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            auth,
            id_token_alg: registered
                .get("id_token_signed_response_alg")
                .and_then(Value::as_str)
                .unwrap_or("RS256")
                .to_string(),
            key,
            jwks_document,
            registration: Some(registered),
        })
    }

    /// The client rotates its key: its `jwks_uri` serves only a new key from now on, and the
    /// returned client signs with it.
    pub fn rotate_client_key(&self, client: &TestClient) -> Result<TestClient, Halt> {
        let id = client
            .jwks_document
            .as_deref()
            .ok_or_else(|| Halt::Skip("the client registered no jwks_uri".into()))?;
        let key = generate_key()?;
        self.receiver.put_document(
            id,
            "application/jwk-set+json",
            json!({"keys": [key.public_jwk()]}).to_string(),
        );
        let mut rotated = client.clone();
        rotated.key = Some(Arc::new(key));
        Ok(rotated)
    }

    /// Asks a controllable OP (`--sim-control`) to rotate its signing keys; None without the
    /// control API, Some(false) when it refused.
    pub async fn rotate_op_keys(&self) -> Option<bool> {
        let answer = self
            .control(reqwest::Method::POST, "/keys/rotate", Some(json!({})))
            .await?;
        Some(answer.status == 200)
    }

    // ---- the headless login

    /// Sends a browser through the authorization endpoint (GET, or a form POST when `post`),
    /// settling the login headlessly, until it reaches the client's redirect URI or stops.
    pub async fn authorize(
        &self,
        browser: &reqwest::Client,
        client: &TestClient,
        params: &[(String, String)],
        post: bool,
    ) -> Result<AuthResult, Halt> {
        let endpoint = self.endpoint("authorization_endpoint")?;
        let mut url = Url::parse(&endpoint).map_err(|e| transport(&endpoint, e))?;
        if let Some(hook) = &self.options.login_hook {
            url.query_pairs_mut().extend_pairs(params);
            return self.run_hook(hook, client, url.as_str()).await;
        }
        let mut response = if post {
            browser.post(url.clone()).form(params).send().await
        } else {
            url.query_pairs_mut().extend_pairs(params);
            browser.get(url.clone()).send().await
        }
        .map_err(|e| transport("authorization endpoint", e))?;
        let mut current = url;
        let mut login_id: Option<String> = None;
        let mut approved = false;
        for _ in 0..30 {
            if let Some(id) = response
                .headers()
                .get("x-sim-login-id")
                .and_then(|v| v.to_str().ok())
            {
                login_id = Some(id.to_string());
            }
            if response.status().is_redirection() {
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let next = current
                    .join(location)
                    .map_err(|e| transport("Location", e))?;
                if at_redirect_uri(&next, &client.redirect_uri) {
                    return Ok(callback_of(&next));
                }
                current = next;
                response = browser
                    .get(current.clone())
                    .send()
                    .await
                    .map_err(|e| transport(current.as_str(), e))?;
                continue;
            }
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            if let Some(result) = form_post_of(&body, &current, &client.redirect_uri) {
                return Ok(result);
            }
            // A login the OP parked for a person: settle it through the control API.
            if let (Some(id), false, true) =
                (&login_id, approved, self.options.sim_control.is_some())
            {
                let user = json!({"user_id": self.options.sim_user});
                let answer = self
                    .control(
                        reqwest::Method::POST,
                        &format!("/logins/{id}/approve"),
                        Some(user),
                    )
                    .await;
                approved = true;
                match answer {
                    Some(a) if a.status == 200 => {
                        response = browser
                            .get(current.clone())
                            .send()
                            .await
                            .map_err(|e| transport(current.as_str(), e))?;
                        continue;
                    }
                    other => {
                        let said = other
                            .map(|a| format!("{} {}", a.status, a.body))
                            .unwrap_or_else(|| "no answer".into());
                        return Ok(AuthResult::Stopped {
                            status,
                            url: current.to_string(),
                            body: format!("the control API did not approve login {id}: {said}"),
                        });
                    }
                }
            }
            return Ok(AuthResult::Stopped {
                status,
                url: current.to_string(),
                body,
            });
        }
        Err(Halt::Fail(Violation::new(
            "FollowRedirects",
            "-",
            "more than 30 redirects",
        )))
    }

    /// `--login-hook CMD`: runs `CMD URL` and reads the callback URL from its last line.
    async fn run_hook(
        &self,
        hook: &str,
        client: &TestClient,
        url: &str,
    ) -> Result<AuthResult, Halt> {
        let output = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{hook} \"$1\""))
            .arg("login-hook")
            .arg(url)
            .output()
            .await
            .map_err(|e| transport("--login-hook", e))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let last = stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        match Url::parse(last) {
            Ok(callback)
                if output.status.success() && at_redirect_uri(&callback, &client.redirect_uri) =>
            {
                Ok(callback_of(&callback))
            }
            _ => Ok(AuthResult::Stopped {
                status: 0,
                url: url.to_string(),
                body: String::from_utf8_lossy(&output.stderr).into_owned(),
            }),
        }
    }

    /// POST to the token endpoint with the client's authentication added.
    pub async fn token(&self, client: &TestClient, form: &[(&str, &str)]) -> Result<Answer, Halt> {
        let endpoint = self.endpoint("token_endpoint")?;
        let mut form: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut request = self.http.post(&endpoint);
        let secret = client.secret.clone().unwrap_or_default();
        match client.auth {
            ClientAuth::Basic => {
                // RFC 6749 2.3.1: both are form-urlencoded before Basic encoding.
                let enc = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                request = request.basic_auth(enc(&client.client_id), Some(enc(&secret)));
            }
            ClientAuth::Post => {
                form.push(("client_id".into(), client.client_id.clone()));
                form.push(("client_secret".into(), secret));
            }
            ClientAuth::PrivateKeyJwt => {
                let assertion = self.client_assertion(client, &endpoint).await?;
                form.push(("client_id".into(), client.client_id.clone()));
                form.push((
                    "client_assertion_type".into(),
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
                ));
                form.push(("client_assertion".into(), assertion));
            }
        }
        let response = request
            .form(&form)
            .send()
            .await
            .map_err(|e| transport(&endpoint, e))?;
        Ok(answer_of(response).await)
    }

    /// RFC 7523 3 / OIDC Core 9: a signed client assertion for the token endpoint.
    pub async fn client_assertion(
        &self,
        client: &TestClient,
        audience: &str,
    ) -> Result<String, Halt> {
        let key = client
            .key
            .as_ref()
            .ok_or_else(|| Halt::Skip("private_key_jwt without a client key".into()))?;
        let now = self.now().await;
        key.sign(&json!({
            "iss": client.client_id, "sub": client.client_id, "aud": audience,
            "jti": random_id(), "iat": now, "exp": now + 60,
        }))
        .map_err(|e| Halt::Fail(Violation::new("SignClientAssertion", "-", e.to_string())))
    }

    /// GET or POST to the userinfo endpoint (OIDC Core 5.3.1; RFC 6750 2.1 and 2.2).
    pub async fn userinfo(&self, access_token: &str, how: UserinfoCall) -> Result<Answer, Halt> {
        let endpoint = self.endpoint("userinfo_endpoint")?;
        let request = match how {
            UserinfoCall::GetHeader => self.http.get(&endpoint).bearer_auth(access_token),
            UserinfoCall::PostHeader => self
                .http
                .post(&endpoint)
                .bearer_auth(access_token)
                .form::<[(&str, &str)]>(&[]),
            UserinfoCall::PostBody => self
                .http
                .post(&endpoint)
                .form(&[("access_token", access_token)]),
        };
        let response = request.send().await.map_err(|e| transport(&endpoint, e))?;
        Ok(answer_of(response).await)
    }
}

#[derive(Debug, Clone, Copy)]
pub enum UserinfoCall {
    GetHeader,
    PostHeader,
    PostBody,
}

/// The URL is the redirect URI: same scheme, host, port and path (its query may carry the
/// response; a registered query must still be there).
fn at_redirect_uri(url: &Url, redirect_uri: &str) -> bool {
    let Ok(want) = Url::parse(redirect_uri) else {
        return false;
    };
    let same_base = url.scheme() == want.scheme()
        && url.host_str() == want.host_str()
        && url.port_or_known_default() == want.port_or_known_default()
        && url.path() == want.path();
    let registered_query_kept = want
        .query_pairs()
        .all(|(k, v)| url.query_pairs().any(|(k2, v2)| k == k2 && v == v2));
    same_base && registered_query_kept
}

fn pairs(text: &str) -> Params {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

fn callback_of(url: &Url) -> AuthResult {
    let query = pairs(url.query().unwrap_or(""));
    let mut params = query.clone();
    if let Some(fragment) = url.fragment() {
        params.extend(pairs(fragment));
    }
    AuthResult::Callback {
        params,
        query,
        url: url.to_string(),
        form_post: false,
    }
}

/// OAuth 2.0 Form Post Response Mode 2: an HTML form that POSTs to the redirect URI.
fn form_post_of(body: &str, current: &Url, redirect_uri: &str) -> Option<AuthResult> {
    html::forms(body).into_iter().find_map(|form| {
        let action = current.join(&form.action).ok()?;
        if form.method != "post" || !at_redirect_uri(&action, redirect_uri) {
            return None;
        }
        Some(AuthResult::Callback {
            params: form.inputs.into_iter().collect(),
            query: pairs(action.query().unwrap_or("")),
            url: action.to_string(),
            form_post: true,
        })
    })
}

fn generate_key() -> Result<SigningKey, Halt> {
    SigningKey::generate()
        .map_err(|e| Halt::Fail(Violation::new("GenerateClientKey", "-", e.to_string())))
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
