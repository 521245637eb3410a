//! Dynamic client registration (RFC 7591) and the client configuration endpoint (RFC 7592).

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn register(rp: &Rp, body: &Value) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(rp.url("/register"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    if status != StatusCode::NOT_FOUND {
        assert_eq!(r.headers()["cache-control"], "no-store");
    }
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn configuration(
    method: reqwest::Method,
    uri: &str,
    token: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .request(method, uri)
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn registered_client_gets_credentials_once_and_logs_in() {
    let rp = Rp::start_auto().await;
    let (status, reg) = register(
        &rp,
        &json!({
            "redirect_uris": [REDIRECT_URI],
            "client_name": "Dynamic RP",
            "contacts": ["ops@rp.example"],
            "unknown_member": true
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    let id = reg["client_id"].as_str().unwrap();
    let secret = reg["client_secret"].as_str().unwrap();
    assert!(secret.len() >= 43, "a 256-bit secret");
    assert_eq!(reg["client_secret_expires_at"], 0);
    assert_eq!(reg["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(reg["response_types"], json!(["code"]));
    assert_eq!(reg["grant_types"], json!(["authorization_code"]));
    assert_eq!(reg["client_name"], "Dynamic RP");
    assert!(
        reg.get("unknown_member").is_none(),
        "unknown metadata is ignored"
    );
    assert!(reg["client_id_issued_at"].as_i64().unwrap() > 0);
    assert_eq!(
        reg["registration_client_uri"],
        format!("{}/register/{id}", rp.issuer())
    );
    assert!(reg["registration_access_token"].as_str().unwrap().len() >= 43);

    // The control API lists it without any secret.
    let listed = rp
        .host
        .control()
        .get(&format!("/clients/{id}"))
        .await
        .unwrap();
    assert_eq!(listed.status, 200);
    assert!(listed.body.get("secret_hash").is_none());
    assert!(listed.body.get("registration").is_none());

    // A full login with the new credentials.
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[("client_id", id)]).await;
    let token = rp.exchange_as(id, secret, &code, &pkce).await;
    assert_eq!(token.status(), StatusCode::OK);
    let body: Value = token.json().await.unwrap();
    assert_eq!(claims(body["id_token"].as_str().unwrap())["aud"], id);
    // A wrong secret is refused.
    let wrong = rp.exchange_as(id, "not-the-secret", &code, &pkce).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn configuration_endpoint_reads_updates_and_deletes_with_the_access_token() {
    let rp = Rp::start_auto().await;
    let (_, reg) = register(&rp, &json!({ "redirect_uris": [REDIRECT_URI] })).await;
    let uri = reg["registration_client_uri"].as_str().unwrap();
    let token = reg["registration_access_token"].as_str().unwrap();
    let id = reg["client_id"].as_str().unwrap();
    let secret = reg["client_secret"].as_str().unwrap();

    let read = configuration(reqwest::Method::GET, uri, token, None).await;
    assert_eq!(read.status(), StatusCode::OK);
    let body: Value = read.json().await.unwrap();
    assert_eq!(body["client_id"], id);
    assert_eq!(body["redirect_uris"], json!([REDIRECT_URI]));
    assert!(
        body.get("client_secret").is_none(),
        "the secret is shown once"
    );
    assert!(body.get("registration_access_token").is_none());

    // A wrong token, or none, is 401 with a Bearer challenge; so is another client's URI.
    let wrong = configuration(reqwest::Method::GET, uri, "wrong", None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));
    let other = configuration(
        reqwest::Method::GET,
        &rp.url(&format!("/register/{CLIENT_ID}")),
        token,
        None,
    )
    .await;
    assert_eq!(other.status(), StatusCode::UNAUTHORIZED);

    // PUT replaces the metadata; the secret stays.
    let new_uri = "https://rp.example/other-callback";
    let update = json!({
        "client_id": id,
        "redirect_uris": [new_uri],
        "client_name": "Renamed",
    });
    let put = configuration(reqwest::Method::PUT, uri, token, Some(&update)).await;
    assert_eq!(put.status(), StatusCode::OK);
    let body: Value = put.json().await.unwrap();
    assert_eq!(body["client_name"], "Renamed");
    assert_eq!(body["redirect_uris"], json!([new_uri]));
    assert!(body.get("client_secret").is_none());
    let old_redirect = rp.authorize(&Pkce::new(), &[("client_id", id)]).await;
    assert_eq!(old_redirect.status(), StatusCode::BAD_REQUEST);
    let pkce = Pkce::new();
    let response = rp
        .authorize(&pkce, &[("client_id", id), ("redirect_uri", new_uri)])
        .await;
    let code = query(&redirect_to(&response), "code").unwrap();
    let exchanged = rp
        .token_as(
            id,
            secret,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", new_uri),
                ("code_verifier", &pkce.verifier),
            ],
        )
        .await;
    assert_eq!(exchanged.status(), StatusCode::OK);

    // PUT must name the client, and a client_secret sent must be the current one.
    let mismatched = json!({ "client_id": "someone-else", "redirect_uris": [new_uri] });
    let put = configuration(reqwest::Method::PUT, uri, token, Some(&mismatched)).await;
    assert_eq!(put.status(), StatusCode::BAD_REQUEST);
    let wrong_secret =
        json!({ "client_id": id, "client_secret": "guess", "redirect_uris": [new_uri] });
    let put = configuration(reqwest::Method::PUT, uri, token, Some(&wrong_secret)).await;
    assert_eq!(put.status(), StatusCode::BAD_REQUEST);

    // DELETE removes the client and its token.
    let deleted = configuration(reqwest::Method::DELETE, uri, token, None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let again = configuration(reqwest::Method::GET, uri, token, None).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let token_after = rp
        .token_as(
            id,
            secret,
            &[("grant_type", "refresh_token"), ("refresh_token", "x")],
        )
        .await;
    assert_eq!(token_after.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn invalid_metadata_gets_the_rfc7591_error_codes() {
    let rp = Rp::start().await;
    let cases = [
        (json!({}), "invalid_redirect_uri"),
        (
            json!({ "redirect_uris": ["https://rp.example/cb#frag"] }),
            "invalid_redirect_uri",
        ),
        (
            json!({ "redirect_uris": ["http://rp.example/cb"] }),
            "invalid_redirect_uri",
        ),
        (
            json!({ "redirect_uris": [REDIRECT_URI], "token_endpoint_auth_method": "private_key_jwt" }),
            "invalid_client_metadata",
        ),
        (
            json!({ "redirect_uris": [REDIRECT_URI], "response_types": ["code id_token"] }),
            "invalid_client_metadata",
        ),
        (
            json!({ "redirect_uris": [REDIRECT_URI], "id_token_signed_response_alg": "none" }),
            "invalid_client_metadata",
        ),
        (
            json!({ "redirect_uris": [REDIRECT_URI], "jwks": {"keys": []}, "jwks_uri": "https://rp.example/jwks" }),
            "invalid_client_metadata",
        ),
    ];
    for (body, expected) in cases {
        let (status, error) = register(&rp, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error["error"], expected, "{body}: {error}");
        assert!(!error["error_description"].as_str().unwrap().is_empty());
    }
    let r = reqwest::Client::new()
        .post(rp.url("/register"))
        .header("content-type", "application/json")
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let error: Value = r.json().await.unwrap();
    assert_eq!(error["error"], "invalid_client_metadata");
    // A body that is not declared JSON never reaches the parser (a cross-site form cannot
    // register a client).
    let r = reqwest::Client::new()
        .post(rp.url("/register"))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn sector_identifier_uri_must_list_every_redirect_uri() {
    let rp = Rp::start_auto().await;
    let base = serve_documents(vec![
        (
            "/sector.json",
            "application/json",
            json!([REDIRECT_URI]).to_string(),
        ),
        (
            "/other.json",
            "application/json",
            json!(["https://x.example/cb"]).to_string(),
        ),
    ])
    .await;
    let (status, reg) = register(
        &rp,
        &json!({
            "redirect_uris": [REDIRECT_URI],
            "subject_type": "pairwise",
            "sector_identifier_uri": format!("{base}/sector.json"),
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    assert_eq!(reg["subject_type"], "pairwise");
    let (status, error) = register(
        &rp,
        &json!({
            "redirect_uris": [REDIRECT_URI],
            "sector_identifier_uri": format!("{base}/other.json"),
        }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"], "invalid_client_metadata");
    let (status, _) = register(
        &rp,
        &json!({
            "redirect_uris": [REDIRECT_URI],
            "sector_identifier_uri": format!("{base}/missing.json"),
        }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn initial_access_token_restricts_registration() {
    let rp =
        Rp::start_with(|c| c.registration.initial_access_token = Some("let-me-in".into())).await;
    let body = json!({ "redirect_uris": [REDIRECT_URI] });
    let (status, error) = register(&rp, &body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error["error"], "invalid_token");
    let with = |token: &str| {
        reqwest::Client::new()
            .post(rp.url("/register"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    assert_eq!(
        with("wrong").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        with("let-me-in").await.unwrap().status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn disabled_registration_is_not_served_nor_advertised() {
    let rp = Rp::start_with(|c| c.registration.enabled = false).await;
    let (status, _) = register(&rp, &json!({ "redirect_uris": [REDIRECT_URI] })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let doc = rp.discovery().await;
    assert!(doc.get("registration_endpoint").is_none());
}

#[tokio::test]
async fn a_client_registered_for_signed_userinfo_gets_a_jws_with_iss_and_aud() {
    let rp = Rp::start_auto().await;
    for alg in ["RS256", "ES256"] {
        let (status, reg) = register(
            &rp,
            &json!({"redirect_uris": [REDIRECT_URI], "userinfo_signed_response_alg": alg}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{reg}");
        assert_eq!(reg["userinfo_signed_response_alg"], alg);
        let id = reg["client_id"].as_str().unwrap();
        let secret = reg["client_secret"].as_str().unwrap();
        let pkce = Pkce::new();
        let code = rp
            .code(&pkce, &[("client_id", id), ("scope", "openid profile")])
            .await;
        let tokens: Value = rp
            .exchange_as(id, secret, &code, &pkce)
            .await
            .json()
            .await
            .unwrap();
        let response = reqwest::Client::new()
            .get(rp.url("/userinfo"))
            .bearer_auth(tokens["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "application/jwt");
        assert_eq!(response.headers()["cache-control"], "no-store");
        let jwt = response.text().await.unwrap();
        verify_signature(&rp, &jwt).await;
        let header = keys::decode_unverified_header(&jwt).unwrap();
        assert_eq!(header.alg, alg);
        let signed = claims(&jwt);
        assert_eq!(signed["iss"], rp.issuer());
        assert_eq!(signed["aud"], id);
        let id_token = claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(signed["sub"], id_token["sub"]);
        assert!(signed["name"].is_string(), "the profile claims: {signed}");
    }
    let discovery = rp.discovery().await;
    assert_eq!(
        discovery["userinfo_signing_alg_values_supported"],
        json!(["RS256", "PS256", "ES256"])
    );
}

#[tokio::test]
async fn registered_default_max_age_and_acr_values_apply_unless_the_request_says_otherwise() {
    let rp = Rp::start_auto().await;
    let high = "https://data.gov.dk/concept/core/nsis/High";
    let (status, reg) = register(
        &rp,
        &json!({
            "redirect_uris": [REDIRECT_URI],
            "default_max_age": 50,
            "default_acr_values": [high],
            "require_auth_time": true
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    assert_eq!(reg["default_max_age"], 50);
    assert_eq!(reg["default_acr_values"], json!([high]));
    assert_eq!(reg["require_auth_time"], true);
    let id = reg["client_id"].as_str().unwrap().to_string();
    let secret = reg["client_secret"].as_str().unwrap().to_string();
    let login = |extra: Vec<(&'static str, &'static str)>| {
        let (rp, id, secret) = (&rp, id.clone(), secret.clone());
        async move {
            let pkce = Pkce::new();
            let mut params = vec![("client_id", id.as_str())];
            params.extend(extra);
            let code = rp.code(&pkce, &params).await;
            let body: Value = rp
                .exchange_as(&id, &secret, &code, &pkce)
                .await
                .json()
                .await
                .unwrap();
            claims(body["id_token"].as_str().unwrap())
        }
    };

    // default_acr_values: bo reaches High, and the ID token says so; carl, who reaches only
    // Low, is refused.
    let pkce = Pkce::new();
    let refused = rp
        .authorize(&pkce, &[("client_id", id.as_str()), ("login_hint", "carl")])
        .await;
    assert_eq!(
        query(&redirect_to(&refused), "error").as_deref(),
        Some("access_denied")
    );
    let first = login(vec![("login_hint", "bo")]).await;
    assert_eq!(first["acr"], high);
    assert!(first["auth_time"].is_i64(), "require_auth_time");

    // default_max_age: 100 s later the 50 s default forces a new login...
    rp.host.clock().advance(100);
    let again = login(vec![("login_hint", "bo")]).await;
    assert!(again["auth_time"].as_i64() > first["auth_time"].as_i64());
    // ...unless the request's own max_age allows the session.
    rp.host.clock().advance(100);
    let within = login(vec![("login_hint", "bo"), ("max_age", "1000")]).await;
    assert_eq!(within["auth_time"], again["auth_time"]);

    // A level the broker does not have cannot be registered.
    let (status, err) = register(
        &rp,
        &json!({"redirect_uris": [REDIRECT_URI], "default_acr_values": ["urn:example:gold"]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"], "invalid_client_metadata");
    let (status, err) = register(
        &rp,
        &json!({"redirect_uris": [REDIRECT_URI], "default_max_age": -5}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"], "invalid_client_metadata");
}
