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
