//! A minimal OpenID Provider on a real socket for the mailbox's own tests: discovery, JWKS,
//! token and userinfo, with RS256 ID tokens signed by test-only keys. The real broker is tested
//! against the mailbox end to end in the `tests` crate.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use openidconnect::core::{
    CoreGenderClaim, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    AccessToken, AdditionalClaims, Audience, AuthenticationContextClass, EndUserName, IdToken,
    IdTokenClaims, IssuerUrl, JsonWebKeyId, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use url::Url;

use crate::clock::{Clock, ManualClock};
use crate::config::ACR_SUBSTANTIAL;

const KEY_A: &str = include_str!("../../testdata/fake-broker-rs256.pem");
const KEY_B: &str = include_str!("../../testdata/fake-broker-rs256-next.pem");
/// base64("demo-mailbox:demo-mailbox-secret"), the default client's Basic credentials.
const BASIC_CREDENTIALS: &str = "Basic ZGVtby1tYWlsYm94OmRlbW8tbWFpbGJveC1zZWNyZXQ=";
pub const SUBJECT: &str = "fake-subject-1";
/// The broker session id the fake broker's ID tokens carry by default.
pub const SID: &str = "fake-sid-1";

/// What the fake broker puts in its answers; tests change it to provoke failures.
pub struct Behaviour {
    /// The `acr` claim.
    pub acr: Option<String>,
    /// `name` in userinfo.
    pub userinfo_name: Option<String>,
    /// `name` in the ID token.
    pub id_token_name: Option<String>,
    /// Index of the key that signs ID tokens (0 = key-a, 1 = key-b).
    pub signing_key: usize,
    /// Indexes of the keys published in the JWKS.
    pub published_keys: Vec<usize>,
    /// `sub` of the person logging in.
    pub subject: String,
    /// `dk.cpr` in userinfo.
    pub userinfo_cpr: Option<String>,
    /// `nemlogin.cvr` and `nemlogin.org_name` in userinfo.
    pub userinfo_business: Option<(String, String)>,
    /// `nemlogin.auth_to_repr` in userinfo.
    pub userinfo_auth_to_repr: Option<bool>,
    /// `idp` in the ID token.
    pub idp: Option<String>,
    /// Userinfo answers 500.
    pub userinfo_fails: bool,
    /// `sid` in the ID token (the broker session a back-channel logout names).
    pub sid: Option<String>,
    /// What `GET /_sim/v1/identities` lists (as the broker's control API: `cpr` as
    /// `DDMMYY-SSSS`, `given_name`, `family_name`, and more).
    pub identities: serde_json::Value,
    /// The control token the control API wants as a bearer token (401 without it).
    pub control_token: Option<String>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            acr: Some(ACR_SUBSTANTIAL.to_owned()),
            userinfo_name: Some("Karen Testesen".to_owned()),
            id_token_name: None,
            signing_key: 0,
            published_keys: vec![0],
            subject: SUBJECT.to_owned(),
            userinfo_cpr: None,
            userinfo_business: None,
            userinfo_auth_to_repr: None,
            idp: Some("mitid".to_owned()),
            userinfo_fails: false,
            sid: Some(SID.to_owned()),
            identities: json!([
                {"id": "0b6e", "user_id": "bo", "cpr": "901175-2131", "given_name": "Bo",
                 "family_name": "Prøvegaard", "ial": "high", "status": "active"},
                {"id": "1c7f", "user_id": "frank", "given_name": "Frank", "family_name": "Fremmed"},
            ]),
            control_token: None,
        }
    }
}

/// The ID token claims beyond the standard ones: the MitID brokers' `idp`, and `sid`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BrokerClaims {
    #[serde(skip_serializing_if = "Option::is_none")]
    idp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
}

impl AdditionalClaims for BrokerClaims {}

struct Grant {
    nonce: String,
    code_challenge: String,
    redirect_uri: String,
    /// Who logged in: what the token and userinfo say.
    subject: String,
}

struct Shared {
    issuer: String,
    clock: Arc<ManualClock>,
    keys: Vec<CoreRsaPrivateSigningKey>,
    up: AtomicBool,
    behaviour: Mutex<Behaviour>,
    grants: Mutex<HashMap<String, Grant>>,
    /// Access tokens, each with the subject it was issued for.
    access_tokens: Mutex<Vec<(String, String)>>,
    discoveries: Mutex<usize>,
    /// The `Authorization` header of each identities request (`None` without one).
    identity_requests: Mutex<Vec<Option<String>>>,
}

/// A running fake broker. Dropping it leaves the server running until the test's runtime ends.
pub struct FakeBroker {
    shared: Arc<Shared>,
}

impl FakeBroker {
    /// Starts a broker on 127.0.0.1:0 whose tokens use `clock`.
    pub async fn start(clock: Arc<ManualClock>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let keys = [("key-a", KEY_A), ("key-b", KEY_B)]
            .into_iter()
            .map(|(kid, pem)| {
                CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.to_owned())))
                    .unwrap()
            })
            .collect();
        let shared = Arc::new(Shared {
            issuer,
            clock,
            keys,
            up: AtomicBool::new(true),
            behaviour: Mutex::new(Behaviour::default()),
            grants: Mutex::new(HashMap::new()),
            access_tokens: Mutex::new(Vec::new()),
            discoveries: Mutex::new(0),
            identity_requests: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .route("/_sim/v1/identities", get(identities))
            .with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { shared }
    }

    /// The issuer identifier (no trailing slash).
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// The issuer as a URL, for `Config::issuer`.
    pub fn issuer_url(&self) -> Url {
        Url::parse(&self.shared.issuer).unwrap()
    }

    /// While down, discovery answers 503.
    pub fn set_up(&self, up: bool) {
        self.shared.up.store(up, Ordering::SeqCst);
    }

    /// How many times the discovery document was served.
    pub fn discoveries(&self) -> usize {
        *self.shared.discoveries.lock().unwrap()
    }

    /// The `Authorization` header of each `GET /_sim/v1/identities` so far.
    pub fn identity_requests(&self) -> Vec<Option<String>> {
        self.shared.identity_requests.lock().unwrap().clone()
    }

    /// Changes what the broker answers.
    pub fn behave(&self, change: impl FnOnce(&mut Behaviour)) {
        change(&mut self.shared.behaviour.lock().unwrap());
    }

    /// The claims of a valid logout token for the default person's broker session, issued
    /// now; tests change them to provoke refusals.
    pub fn logout_claims(&self) -> serde_json::Value {
        let now = self
            .shared
            .clock
            .now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        json!({
            "iss": self.issuer(),
            "aud": "demo-mailbox",
            "iat": now,
            "exp": now + 120,
            "jti": crate::random::random_token(),
            "sid": SID,
            "sub": SUBJECT,
            "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
        })
    }

    /// A compact JWS of `header` and `claims`, RS256-signed with key `key` (0 = key-a,
    /// 1 = key-b) whatever the header says.
    pub fn sign(
        &self,
        header: &serde_json::Value,
        claims: &serde_json::Value,
        key: usize,
    ) -> String {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.shared.keys[key]
            .sign(
                &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                signing_input.as_bytes(),
            )
            .unwrap();
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// A logout token of `claims`, signed as the broker does (RS256, `typ` `logout+jwt`,
    /// the `kid` of key `key`).
    pub fn logout_token(&self, claims: &serde_json::Value, key: usize) -> String {
        let kid = ["key-a", "key-b"][key];
        self.sign(
            &json!({"alg": "RS256", "typ": "logout+jwt", "kid": kid}),
            claims,
            key,
        )
    }

    /// Plays the broker's login UI for the authorization `url` the mailbox redirected to:
    /// checks the request and returns the callback's query (code, state, iss).
    pub fn approve(&self, url: &str) -> String {
        let url = Url::parse(url).unwrap();
        assert!(url
            .as_str()
            .starts_with(&format!("{}/authorize?", self.issuer())));
        let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(params["response_type"], "code");
        assert_eq!(params["client_id"], "demo-mailbox");
        assert_eq!(params["code_challenge_method"], "S256");
        let code = format!("code-{}", crate::random::random_token());
        self.shared.grants.lock().unwrap().insert(
            code.clone(),
            Grant {
                nonce: params["nonce"].clone(),
                code_challenge: params["code_challenge"].clone(),
                redirect_uri: params["redirect_uri"].clone(),
                subject: self.shared.behaviour.lock().unwrap().subject.clone(),
            },
        );
        form_encode(&[
            ("code", &code),
            ("state", &params["state"]),
            ("iss", self.issuer()),
        ])
    }
}

/// `a=1&b=2`, percent-encoded.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn discovery(State(shared): State<Arc<Shared>>) -> Response {
    if !shared.up.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    *shared.discoveries.lock().unwrap() += 1;
    let issuer = &shared.issuer;
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
    }))
    .into_response()
}

async fn jwks(State(shared): State<Arc<Shared>>) -> Response {
    let published = shared.behaviour.lock().unwrap().published_keys.clone();
    let keys = published
        .iter()
        .map(|index| shared.keys[*index].as_verification_key())
        .collect();
    Json(CoreJsonWebKeySet::new(keys)).into_response()
}

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
}

async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(request): Form<TokenRequest>,
) -> Response {
    let invalid =
        |error: &str| (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response();
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(BASIC_CREDENTIALS) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    if request.grant_type != "authorization_code" {
        return invalid("unsupported_grant_type");
    }
    let Some(grant) = shared.grants.lock().unwrap().remove(&request.code) else {
        return invalid("invalid_grant");
    };
    let verifier = PkceCodeVerifier::new(request.code_verifier);
    if PkceCodeChallenge::from_code_verifier_sha256(&verifier).as_str() != grant.code_challenge
        || request.redirect_uri != grant.redirect_uri
    {
        return invalid("invalid_grant");
    }

    let access_token = AccessToken::new(format!("at-{}", crate::random::random_token()));
    shared
        .access_tokens
        .lock()
        .unwrap()
        .push((access_token.secret().clone(), grant.subject.clone()));
    let behaviour = shared.behaviour.lock().unwrap();
    let now = shared.clock.now();
    let mut standard = StandardClaims::new(SubjectIdentifier::new(grant.subject.clone()));
    if let Some(name) = &behaviour.id_token_name {
        standard = standard.set_name(Some(EndUserName::new(name.clone()).into()));
    }
    let claims = IdTokenClaims::<BrokerClaims, CoreGenderClaim>::new(
        IssuerUrl::new(shared.issuer.clone()).unwrap(),
        vec![Audience::new("demo-mailbox".to_owned())],
        (now + Duration::from_secs(300)).into(),
        now.into(),
        standard,
        BrokerClaims {
            idp: behaviour.idp.clone(),
            sid: behaviour.sid.clone(),
        },
    )
    .set_nonce(Some(Nonce::new(grant.nonce)))
    .set_auth_context_ref(behaviour.acr.clone().map(AuthenticationContextClass::new));
    let id_token = IdToken::<
        BrokerClaims,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >::new(
        claims,
        &shared.keys[behaviour.signing_key],
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        Some(&access_token),
        None,
    )
    .unwrap();
    Json(json!({
        "access_token": access_token.secret(),
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token.to_string(),
    }))
    .into_response()
}

async fn userinfo(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let subject = token.and_then(|token| {
        shared
            .access_tokens
            .lock()
            .unwrap()
            .iter()
            .find(|(known, _)| *known == token)
            .map(|(_, subject)| subject.clone())
    });
    let Some(subject) = subject else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let behaviour = shared.behaviour.lock().unwrap();
    if behaviour.userinfo_fails {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let mut body = json!({ "sub": subject });
    if let Some(name) = &behaviour.userinfo_name {
        body["name"] = json!(name);
    }
    if let Some(cpr) = &behaviour.userinfo_cpr {
        body["dk.cpr"] = json!(cpr);
    }
    if let Some(may) = behaviour.userinfo_auth_to_repr {
        body["nemlogin.auth_to_repr"] = json!(may);
    }
    if let Some((cvr, org_name)) = &behaviour.userinfo_business {
        body["nemlogin.cvr"] = json!(cvr);
        body["nemlogin.org_name"] = json!(org_name);
    }
    Json(body).into_response()
}

/// `GET /_sim/v1/identities`, as the broker's control API lists them; 401 without the control
/// token when one is set.
async fn identities(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let authorization = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    shared
        .identity_requests
        .lock()
        .unwrap()
        .push(authorization.clone());
    let behaviour = shared.behaviour.lock().unwrap();
    if let Some(token) = &behaviour.control_token {
        if authorization.as_deref() != Some(format!("Bearer {token}").as_str()) {
            return (
                StatusCode::UNAUTHORIZED,
                Json(json!({"error": "unauthorized"})),
            )
                .into_response();
        }
    }
    Json(behaviour.identities.clone()).into_response()
}
