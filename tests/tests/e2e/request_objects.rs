//! Request objects by value and by reference (OIDC Core 6, RFC 9101) and pushed authorization
//! requests (RFC 9126), with keys made here.

use crate::support::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use keys::{Alg, KeyKind, SigningKey};
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

fn unsigned(claims: &Value) -> String {
    format!(
        "{}.{}.",
        B64.encode(br#"{"alg":"none"}"#),
        B64.encode(claims.to_string())
    )
}

fn signed(key: &SigningKey, claims: &Value) -> String {
    keys::sign_compact(
        key,
        Alg::RS256,
        "oauth-authz-req+jwt",
        claims.to_string().as_bytes(),
    )
    .unwrap()
}

/// The error a redirect to the test client carries.
fn redirect_error(response: &reqwest::Response) -> String {
    let location = redirect_to(response);
    assert!(location.as_str().starts_with(REDIRECT_URI), "{location}");
    query(&location, "error").unwrap_or_default()
}

/// A client (control API) with an RSA key registered for signed request objects.
async fn signing_client(rp: &Rp, id: &str) -> SigningKey {
    let (key, _) = SigningKey::generate(KeyKind::Rsa).unwrap();
    register_client(
        &rp.host,
        json!({
            "client_id": id,
            "jwks": { "keys": [key.public_jwk()] },
            "request_object_signing_alg": "RS256",
        }),
    )
    .await;
    key
}

#[tokio::test]
async fn unsigned_request_object_overrides_the_query() {
    let rp = Rp::start_auto().await;
    let object = unsigned(&json!({
        "client_id": CLIENT_ID,
        "nonce": "from-the-object",
        "state": "object-state",
        "scope": "openid email",
        "max_age": 3600,
    }));
    let pkce = Pkce::new();
    let response = rp.authorize(&pkce, &[("request", &object)]).await;
    let location = redirect_to(&response);
    assert_eq!(query(&location, "state").as_deref(), Some("object-state"));
    let code = query(&location, "code").expect("a code");
    let tokens: Value = rp.exchange(&code, &pkce).await.json().await.unwrap();
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["nonce"], "from-the-object");
    assert_eq!(tokens["scope"], "openid email");
}

#[tokio::test]
async fn signed_request_object_is_verified_with_the_clients_keys() {
    let rp = Rp::start_auto().await;
    let key = signing_client(&rp, "signer").await;
    let (stranger, _) = SigningKey::generate(KeyKind::Rsa).unwrap();
    let granted = json!({
        "iss": "signer",
        "aud": rp.issuer(),
        "client_id": "signer",
        "nonce": "signed-nonce",
        "exp": rp.host.clock().now() + 300,
    });
    let pkce = Pkce::new();
    let response = rp
        .authorize(
            &pkce,
            &[
                ("client_id", "signer"),
                ("request", &signed(&key, &granted)),
            ],
        )
        .await;
    let code = query(&redirect_to(&response), "code").expect("a code");
    let tokens: Value = rp
        .exchange_as("signer", CLIENT_SECRET, &code, &pkce)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap())["nonce"],
        "signed-nonce"
    );

    let mut wrong_aud = granted.clone();
    wrong_aud["aud"] = json!("https://other-op.example");
    let mut expired = granted.clone();
    expired["exp"] = json!(rp.host.clock().now() - 1);
    let mut other_client = granted.clone();
    other_client["client_id"] = json!(CLIENT_ID);
    let cases = [
        ("another key", signed(&stranger, &granted)),
        (
            "unsigned for a client that registered RS256",
            unsigned(&granted),
        ),
        ("aud is not the issuer", signed(&key, &wrong_aud)),
        ("expired", signed(&key, &expired)),
        ("client_id mismatch", signed(&key, &other_client)),
        ("encrypted", "a.b.c.d.e".to_string()),
    ];
    for (case, object) in cases {
        let response = rp
            .authorize(
                &Pkce::new(),
                &[("client_id", "signer"), ("request", &object)],
            )
            .await;
        assert_eq!(
            redirect_error(&response),
            "invalid_request_object",
            "{case}"
        );
    }
}

#[tokio::test]
async fn request_uri_is_fetched_within_limits() {
    let rp = Rp::start_auto().await;
    let object = unsigned(&json!({ "client_id": CLIENT_ID, "nonce": "by-reference" }));
    let base = serve_documents(vec![
        ("/request.jwt", "application/oauth-authz-req+jwt", object),
        (
            "/huge.jwt",
            "application/oauth-authz-req+jwt",
            "x".repeat(70 * 1024),
        ),
    ])
    .await;
    let pkce = Pkce::new();
    let uri = format!("{base}/request.jwt");
    let response = rp.authorize(&pkce, &[("request_uri", &uri)]).await;
    let code = query(&redirect_to(&response), "code").expect("a code");
    let tokens: Value = rp.exchange(&code, &pkce).await.json().await.unwrap();
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap())["nonce"],
        "by-reference"
    );

    for (case, uri) in [
        ("too large", format!("{base}/huge.jwt")),
        ("not found", format!("{base}/missing.jwt")),
        (
            "plain http to another host",
            "http://rp.example/request.jwt".to_string(),
        ),
    ] {
        let response = rp.authorize(&Pkce::new(), &[("request_uri", &uri)]).await;
        assert_eq!(redirect_error(&response), "invalid_request_uri", "{case}");
    }
    let both = rp
        .authorize(
            &Pkce::new(),
            &[("request_uri", &uri), ("request", &unsigned(&json!({})))],
        )
        .await;
    assert_eq!(redirect_error(&both), "invalid_request");
}

#[tokio::test]
async fn discovery_advertises_request_objects_and_par() {
    let rp = Rp::start().await;
    let doc = rp.discovery().await;
    assert_eq!(doc["request_parameter_supported"], true);
    assert_eq!(doc["request_uri_parameter_supported"], true);
    assert_eq!(
        doc["request_object_signing_alg_values_supported"],
        json!(["none", "RS256", "PS256", "ES256"])
    );
    assert_eq!(doc["pushed_authorization_request_endpoint"], rp.url("/par"));
    assert_eq!(doc["require_pushed_authorization_requests"], false);
}

// ---- pushed authorization requests (RFC 9126)

fn pushed_form(pkce: &Pkce) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".into()),
        ("redirect_uri", REDIRECT_URI.into()),
        ("scope", "openid".into()),
        ("state", "pushed-state".into()),
        ("nonce", "pushed-nonce".into()),
        ("code_challenge", pkce.challenge.clone()),
        ("code_challenge_method", "S256".into()),
    ]
}

async fn push(rp: &Rp, id: &str, secret: &str, form: &[(&str, String)]) -> reqwest::Response {
    reqwest::Client::new()
        .post(rp.url("/par"))
        .basic_auth(id, Some(secret))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// The `request_uri` of a PAR response.
async fn request_uri_of(r: reqwest::Response) -> String {
    r.json::<Value>().await.unwrap()["request_uri"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The browser opens the authorization endpoint with a pushed request's `request_uri`.
async fn open_pushed(rp: &Rp, client_id: &str, request_uri: &str) -> reqwest::Response {
    rp.browser
        .get(authorize_url(rp, client_id, request_uri))
        .send()
        .await
        .unwrap()
}

fn authorize_url(rp: &Rp, client_id: &str, request_uri: &str) -> Url {
    let mut url = Url::parse(&rp.url("/authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("request_uri", request_uri);
    url
}

#[tokio::test]
async fn pushed_request_is_used_once_by_its_client() {
    let rp = Rp::start_auto().await;
    register_client(&rp.host, json!({ "client_id": "other" })).await;
    let pkce = Pkce::new();
    let r = push(&rp, CLIENT_ID, CLIENT_SECRET, &pushed_form(&pkce)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.unwrap();
    let request_uri = body["request_uri"].as_str().unwrap();
    assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));
    assert_eq!(body["expires_in"], 60);

    // Another client cannot use it (and it is spent: single use).
    let stolen = open_pushed(&rp, "other", request_uri).await;
    assert_eq!(stolen.status(), StatusCode::BAD_REQUEST);

    let pkce = Pkce::new();
    let r = push(&rp, CLIENT_ID, CLIENT_SECRET, &pushed_form(&pkce)).await;
    let request_uri = request_uri_of(r).await;
    let response = open_pushed(&rp, CLIENT_ID, &request_uri).await;
    let location = redirect_to(&response);
    assert_eq!(query(&location, "state").as_deref(), Some("pushed-state"));
    let code = query(&location, "code").unwrap();
    let tokens: Value = rp.exchange(&code, &pkce).await.json().await.unwrap();
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap())["nonce"],
        "pushed-nonce"
    );

    let again = open_pushed(&rp, CLIENT_ID, &request_uri).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST, "single use");
}

#[tokio::test]
async fn pushed_request_expires() {
    let rp = Rp::start_auto().await;
    let r = push(&rp, CLIENT_ID, CLIENT_SECRET, &pushed_form(&Pkce::new())).await;
    let request_uri = request_uri_of(r).await;
    rp.host.clock().advance(61);
    let late = open_pushed(&rp, CLIENT_ID, &request_uri).await;
    assert_eq!(late.status(), StatusCode::BAD_REQUEST);
    assert!(late.text().await.unwrap().contains("invalid_request_uri"));
}

#[tokio::test]
async fn par_authenticates_the_client_and_checks_the_request() {
    let rp = Rp::start_auto().await;
    let form = pushed_form(&Pkce::new());
    let r = push(&rp, CLIENT_ID, "wrong-secret", &form).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");

    let mut bad_redirect = form.clone();
    bad_redirect[1].1 = "https://attacker.example/cb".into();
    let r = push(&rp, CLIENT_ID, CLIENT_SECRET, &bad_redirect).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");

    let mut with_uri = form.clone();
    with_uri.push(("request_uri", "https://rp.example/r.jwt".into()));
    let r = push(&rp, CLIENT_ID, CLIENT_SECRET, &with_uri).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn par_accepts_a_signed_request_object() {
    let rp = Rp::start_auto().await;
    let key = signing_client(&rp, "signer").await;
    let pkce = Pkce::new();
    let object = signed(
        &key,
        &json!({
            "iss": "signer",
            "aud": rp.issuer(),
            "client_id": "signer",
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "nonce": "par-object",
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
        }),
    );
    let r = push(&rp, "signer", CLIENT_SECRET, &[("request", object)]).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let request_uri = request_uri_of(r).await;
    let response = open_pushed(&rp, "signer", &request_uri).await;
    let code = query(&redirect_to(&response), "code").unwrap();
    let tokens: Value = rp
        .exchange_as("signer", CLIENT_SECRET, &code, &pkce)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap())["nonce"],
        "par-object"
    );
}

#[tokio::test]
async fn required_par_refuses_plain_requests() {
    let rp = Rp::start_with(|c| {
        c.auto_approve = true;
        c.par.required = true;
    })
    .await;
    let response = rp.authorize(&Pkce::new(), &[]).await;
    assert_eq!(redirect_error(&response), "invalid_request");
    let doc = rp.discovery().await;
    assert_eq!(doc["require_pushed_authorization_requests"], true);
    let pkce = Pkce::new();
    let r = push(&rp, CLIENT_ID, CLIENT_SECRET, &pushed_form(&pkce)).await;
    let request_uri = request_uri_of(r).await;
    let response = open_pushed(&rp, CLIENT_ID, &request_uri).await;
    assert!(query(&redirect_to(&response), "code").is_some());
}
