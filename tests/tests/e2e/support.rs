//! Shared helpers: a broker on port 0 with a registered test client, an HTTP client with
//! redirects off (so every 302 is asserted) and a cookie store, PKCE, and flow steps.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
pub use broker::clock::Clock;
use broker::host::TestHost;
use broker::Config;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use url::Url;

pub const CLIENT_ID: &str = "rp";
pub const CLIENT_SECRET: &str = "rp-secret-0123456789";
pub const REDIRECT_URI: &str = "https://rp.example/callback";
pub const POST_LOGOUT_URI: &str = "https://rp.example/logged-out";

pub struct Rp {
    pub host: TestHost,
    /// Browser-like: cookie store, no redirects.
    pub browser: reqwest::Client,
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

impl Rp {
    /// A broker (interactive mode) with the test client registered.
    pub async fn start() -> Rp {
        Rp::start_with(|_| {}).await
    }

    pub async fn start_auto() -> Rp {
        Rp::start_with(|c| c.auto_approve = true).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Rp {
        let host = TestHost::start_with(adjust).await.unwrap();
        Rp::with_host(host).await
    }

    pub async fn with_host(host: TestHost) -> Rp {
        register_client(&host, json!({})).await;
        Rp {
            host,
            browser: http_client(),
        }
    }

    pub fn issuer(&self) -> &str {
        self.host.issuer()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.issuer(), path)
    }

    /// GET /authorize with the usual parameters, overridden or extended by `extra`
    /// (a value of "" removes the parameter).
    pub async fn authorize(&self, pkce: &Pkce, extra: &[(&str, &str)]) -> reqwest::Response {
        let url = self.authorize_url(pkce, extra);
        self.browser.get(url).send().await.unwrap()
    }

    pub fn authorize_url(&self, pkce: &Pkce, extra: &[(&str, &str)]) -> Url {
        let mut params: Vec<(String, String)> = vec![
            ("client_id".into(), CLIENT_ID.into()),
            ("redirect_uri".into(), REDIRECT_URI.into()),
            ("response_type".into(), "code".into()),
            ("scope".into(), "openid profile email offline_access".into()),
            ("state".into(), "state-123".into()),
            ("nonce".into(), "nonce-456".into()),
            ("code_challenge".into(), pkce.challenge.clone()),
            ("code_challenge_method".into(), "S256".into()),
        ];
        for (k, v) in extra {
            params.retain(|(name, _)| name != k);
            if !v.is_empty() {
                params.push((k.to_string(), v.to_string()));
            }
        }
        let mut url = Url::parse(&self.url("/authorize")).unwrap();
        url.query_pairs_mut().extend_pairs(params);
        url
    }

    /// Authorize in auto-approve mode and return the code from the redirect.
    pub async fn code(&self, pkce: &Pkce, extra: &[(&str, &str)]) -> String {
        let response = self.authorize(pkce, extra).await;
        let location = redirect_to(&response);
        assert!(
            location.as_str().starts_with(REDIRECT_URI),
            "expected a redirect to the client, got {location}"
        );
        query(&location, "code").expect("code in redirect")
    }

    /// POST /token as the test client, with client_secret_basic.
    pub async fn token(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.token_as(CLIENT_ID, CLIENT_SECRET, form).await
    }

    /// POST /token as any client, with client_secret_basic.
    pub async fn token_as(
        &self,
        id: &str,
        secret: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url("/token"))
            .basic_auth(id, Some(secret))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn exchange(&self, code: &str, pkce: &Pkce) -> reqwest::Response {
        self.exchange_as(CLIENT_ID, CLIENT_SECRET, code, pkce).await
    }

    /// Redeems a code as any client (client_secret_basic).
    pub async fn exchange_as(
        &self,
        id: &str,
        secret: &str,
        code: &str,
        pkce: &Pkce,
    ) -> reqwest::Response {
        self.token_as(
            id,
            secret,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", &pkce.verifier),
            ],
        )
        .await
    }

    /// The broker's discovery document.
    pub async fn discovery(&self) -> Value {
        let response = reqwest::get(self.url("/.well-known/openid-configuration"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// A full headless login (auto-approve mode): the token response.
    pub async fn login(&self, extra: &[(&str, &str)]) -> Value {
        let pkce = Pkce::new();
        let code = self.code(&pkce, extra).await;
        let response = self.exchange(&code, &pkce).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }
}

/// Registers a client; `overrides` replaces fields of the default test client.
pub async fn register_client(host: &TestHost, overrides: Value) -> Value {
    let mut body = json!({
        "client_id": CLIENT_ID,
        "name": "Test RP",
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [REDIRECT_URI, "http://localhost:9999/cb?x=1"],
        "post_logout_redirect_uris": [POST_LOGOUT_URI],
    });
    if let (Value::Object(b), Value::Object(o)) = (&mut body, overrides) {
        b.extend(o);
    }
    let response = host.control().post("/clients", &body).await.unwrap();
    assert_eq!(response.status, 201, "{:?}", response.body);
    response.body
}

pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Pkce {
        let verifier = broker::secrets::random_token();
        let challenge = B64.encode(Sha256::digest(verifier.as_bytes()));
        Pkce {
            verifier,
            challenge,
        }
    }
}

/// The Location of a 302, parsed; fails the test on anything else.
pub fn redirect_to(response: &reqwest::Response) -> Url {
    assert_eq!(
        response.status(),
        StatusCode::FOUND,
        "expected 302 from {}",
        response.url()
    );
    let location = response.headers()[LOCATION].to_str().unwrap();
    Url::parse(location).unwrap()
}

pub fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The claims of a JWT, unverified (tests verify signatures separately).
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&B64.decode(payload).unwrap()).unwrap()
}

/// The text between `start` and the next `end` after it.
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"))
        + start.len();
    let len = html[from..].find(end).unwrap();
    &html[from..from + len]
}

/// The value of a page's hidden `csrf` input.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a csrf hidden input") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

/// Serves fixed documents (path, content type, body) on a loopback port, as a relying party
/// serves its `jwks_uri`, `sector_identifier_uri` or `request_uri`; returns the base URL.
pub async fn serve_documents(documents: Vec<(&'static str, &'static str, String)>) -> String {
    let mut app = axum::Router::new();
    for (path, content_type, body) in documents {
        app = app.route(
            path,
            axum::routing::get(move || {
                let body = body.clone();
                async move { ([(reqwest::header::CONTENT_TYPE, content_type)], body) }
            }),
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// Verifies a JWS the broker signed (an ID token, a signed userinfo response) against its JWKS.
pub async fn verify_signature(rp: &Rp, jwt: &str) {
    let jwks: keys::Jwks = reqwest::get(rp.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = keys::decode_unverified_header(jwt).unwrap();
    let kid = header.kid.expect("a kid");
    let key = jwks.find(&kid).expect("the kid in the JWKS");
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    let alg = keys::Alg::parse(&header.alg).unwrap();
    key.verify(alg, signed.as_bytes(), &B64.decode(signature).unwrap())
        .unwrap();
}

// ---- Profiles (profile_neb.rs, profile_idura.rs, profile_signicat.rs): a login through a
// profile's own endpoints and grammar.

/// The discovery document of the issuer at `path` below the base URL (`/op`, `/idura`, ...).
pub async fn discovery_at(rp: &Rp, path: &str) -> Value {
    let response = reqwest::get(rp.url(&format!("{path}/.well-known/openid-configuration")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

/// The authorization request URL at `endpoint` (an absolute URL): `client_id`, `redirect_uri`,
/// `response_type=code`, `state=state-123`, `nonce=nonce-456` and PKCE, overridden or
/// extended by `extra` (a value of "" removes the parameter). No `scope`: each profile's test
/// names its own.
pub fn authorize_url_at(endpoint: &str, pkce: &Pkce, extra: &[(&str, &str)]) -> Url {
    let mut params: Vec<(String, String)> = vec![
        ("client_id".into(), CLIENT_ID.into()),
        ("redirect_uri".into(), REDIRECT_URI.into()),
        ("response_type".into(), "code".into()),
        ("state".into(), "state-123".into()),
        ("nonce".into(), "nonce-456".into()),
        ("code_challenge".into(), pkce.challenge.clone()),
        ("code_challenge_method".into(), "S256".into()),
    ];
    for (k, v) in extra {
        params.retain(|(name, _)| name != k);
        if !v.is_empty() {
            params.push((k.to_string(), v.to_string()));
        }
    }
    let mut url = Url::parse(endpoint).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    url
}

/// Redeems `code` at `token_endpoint` as `client_id` (client_secret_basic).
pub async fn redeem_at(
    token_endpoint: &str,
    client_id: &str,
    code: &str,
    pkce: &Pkce,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(token_endpoint)
        .basic_auth(client_id, Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &pkce.verifier),
        ])
        .send()
        .await
        .unwrap()
}

/// GET `userinfo_endpoint` with `access_token` as the bearer.
pub async fn userinfo_at(userinfo_endpoint: &str, access_token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(userinfo_endpoint)
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
}

/// An object's member names, sorted.
pub fn member_names(object: &Value) -> Vec<String> {
    let mut names: Vec<String> = object
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {object}"))
        .keys()
        .cloned()
        .collect();
    names.sort_unstable();
    names
}

/// `names`, sorted, for comparing with [`member_names`].
pub fn sorted(names: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    names.sort_unstable();
    names
}

/// A lower-case GUID with dashes (8-4-4-4-12 hex digits).
pub fn is_guid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')))
}

/// The header of a JWT, unverified.
pub fn jwt_header(jwt: &str) -> Value {
    let header = jwt.split('.').next().unwrap();
    serde_json::from_slice(&B64.decode(header).unwrap()).unwrap()
}

/// Verifies a JWS against the JWKS at `jwks_uri` (a profile's own key set URL).
pub async fn verify_signature_at(jwks_uri: &str, jwt: &str) {
    let jwks: keys::Jwks = reqwest::get(jwks_uri).await.unwrap().json().await.unwrap();
    let header = keys::decode_unverified_header(jwt).unwrap();
    let kid = header.kid.expect("a kid");
    let key = jwks.find(&kid).expect("the kid in the JWKS");
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    let alg = keys::Alg::parse(&header.alg).unwrap();
    key.verify(alg, signed.as_bytes(), &B64.decode(signature).unwrap())
        .unwrap();
}

/// A login's record from the control API (`GET /_sim/v1/logins/{id}`).
pub async fn login_record(rp: &Rp, id: &str) -> Value {
    let response = rp
        .host
        .control()
        .get(&format!("/logins/{id}"))
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{:?}", response.body);
    response.body
}

/// Why a login ended as it did (`GET /_sim/v1/logins/{id}/explain`).
pub async fn login_explained(rp: &Rp, id: &str) -> Value {
    let response = rp
        .host
        .control()
        .get(&format!("/logins/{id}/explain"))
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{:?}", response.body);
    response.body
}

/// The login id the broker names in the `x-sim-login-id` header of an authorize response.
pub fn login_id_of(response: &reqwest::Response) -> String {
    response.headers()["x-sim-login-id"]
        .to_str()
        .unwrap()
        .to_string()
}

/// A seeded identity from the control API (`id` is the MitID UUID, `cpr` its CPR number).
pub async fn identity(rp: &Rp, user_id: &str) -> Value {
    let response = rp
        .host
        .control()
        .get(&format!("/identities/{user_id}"))
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{:?}", response.body);
    response.body
}

/// The fidelity ledger's entry `id` (`GET /_sim/v1/fidelity/{id}`).
pub async fn ledger_entry(rp: &Rp, id: &str) -> Value {
    let response = rp
        .host
        .control()
        .get(&format!("/fidelity/{id}"))
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{id}: {:?}", response.body);
    response.body
}

/// The fidelity ledger of one profile (`GET /_sim/v1/fidelity?profile=`): its entries.
pub async fn ledger_of(rp: &Rp, profile: &str) -> Vec<Value> {
    let response = rp
        .host
        .control()
        .get(&format!("/fidelity?profile={profile}"))
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{:?}", response.body);
    response.body["entries"].as_array().unwrap().clone()
}

/// A GET to an endpoint the profile does not emulate: 501 naming `entry`, whose ledger entry
/// says so.
pub async fn assert_not_emulated(rp: &Rp, path: &str, entry: &str) {
    let response = reqwest::get(rp.url(path)).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_IMPLEMENTED, "{path}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "not_emulated", "{path}: {body}");
    assert_eq!(body["ledger_entry"], entry, "{path}: {body}");
    assert_eq!(body["ledger"], format!("/_sim/v1/fidelity/{entry}"));
    let described = ledger_entry(rp, entry).await;
    assert_eq!(described["tier"], "not_emulated", "{described}");
    assert_eq!(
        described["simulator"], "501 naming this entry",
        "{described}"
    );
}

/// Moves the broker's clock through the control API (`POST /_sim/v1/clock/advance`).
pub async fn advance_clock(rp: &Rp, seconds: i64) {
    let response = rp
        .host
        .control()
        .post("/clock/advance", &json!({ "seconds": seconds }))
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{:?}", response.body);
}
