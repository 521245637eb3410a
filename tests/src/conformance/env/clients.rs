//! The test clients: how they authenticate, the kinds a plan asks for, and how the `Env` makes
//! them (from the flags, through the control API, or by RFC 7591 registration) and rotates keys.

use std::sync::Arc;

use serde_json::{json, Value};

use super::{answer_of, random_id, transport, Env};
use crate::conformance::checks::Violation;
use crate::conformance::jose::SigningKey;
use crate::conformance::Halt;

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

impl Env {
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
}

fn generate_key() -> Result<SigningKey, Halt> {
    SigningKey::generate()
        .map_err(|e| Halt::Fail(Violation::new("GenerateClientKey", "-", e.to_string())))
}
