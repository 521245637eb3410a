//! The `signicat` profile (Signicat's eID hub, issuer `<base>/auth/open`) against the shapes
//! its sources give: the recorded sandbox discovery document, the `idp:`/`loa:` acr values and
//! MitID scopes, the recorded ID token and userinfo shapes and the token error envelope
//! (docs/research/broker-facts.md, part C; brokers.md, "Signicat"); where the fidelity ledger
//! says the simulator differs, what the ledger says it does.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use reqwest::header::{CACHE_CONTROL, LOCATION, WWW_AUTHENTICATE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

use crate::support::*;

const SCOPE: &str = "openid profile nin idp-id mitid-extra";
const ACR: &str = "idp:mitid loa:substantial";

/// The 42 members of the recorded sandbox document (STUBID signicat/sandbox/CAP-001; C.1).
const DISCOVERY_MEMBERS: [&str; 42] = [
    "issuer",
    "jwks_uri",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "end_session_endpoint",
    "check_session_iframe",
    "revocation_endpoint",
    "introspection_endpoint",
    "device_authorization_endpoint",
    "backchannel_authentication_endpoint",
    "pushed_authorization_request_endpoint",
    "require_pushed_authorization_requests",
    "frontchannel_logout_supported",
    "frontchannel_logout_session_supported",
    "backchannel_logout_supported",
    "backchannel_logout_session_supported",
    "scopes_supported",
    "claims_supported",
    "grant_types_supported",
    "response_types_supported",
    "response_modes_supported",
    "token_endpoint_auth_methods_supported",
    "id_token_signing_alg_values_supported",
    "id_token_encryption_alg_values_supported",
    "id_token_encryption_enc_values_supported",
    "userinfo_signing_alg_values_supported",
    "userinfo_encryption_alg_values_supported",
    "userinfo_encryption_enc_values_supported",
    "request_object_signing_alg_values_supported",
    "request_object_encryption_alg_values_supported",
    "request_object_encryption_enc_values_supported",
    "subject_types_supported",
    "code_challenge_methods_supported",
    "request_parameter_supported",
    "prompt_values_supported",
    "authorization_response_iss_parameter_supported",
    "backchannel_token_delivery_modes_supported",
    "backchannel_user_code_parameter_supported",
    "dpop_signing_alg_values_supported",
    "claims_parameter_supported",
    "backchannel_authentication_cancel_endpoint",
];

/// The recorded ID token's 20 members (signicat-observed-tokens.md; C4).
const ID_TOKEN_MEMBERS: [&str; 20] = [
    "iss",
    "nbf",
    "iat",
    "exp",
    "aud",
    "amr",
    "nonce",
    "at_hash",
    "sid",
    "sub",
    "auth_time",
    "idp",
    "name",
    "family_name",
    "given_name",
    "birthdate",
    "idp_issuer",
    "transaction_id",
    "sandbox",
    "acr",
];

/// The recorded userinfo with scope `openid profile nin idp-id` (C6).
const USERINFO_MEMBERS: [&str; 10] = [
    "idp_id",
    "name",
    "family_name",
    "given_name",
    "birthdate",
    "nin",
    "nin_type",
    "nin_issuing_country",
    "idp_issuer",
    "sub",
];

/// What `mitid-extra` adds in the simulator (the attributes reference's list without
/// `mitid_reference_text_body`, `mitid_cpr_source` and `mitid_auth_token_id`).
const MITID_EXTRA: [&str; 8] = [
    "mitid_uuid",
    "mitid_has_cpr",
    "mitid_transaction_id",
    "mitid_name_and_address_protection",
    "mitid_loa",
    "mitid_ial",
    "mitid_aal",
    "mitid_fal",
];

fn endpoint(rp: &Rp, path: &str) -> String {
    rp.url(&format!("/auth/open{path}"))
}

fn authorize_url(rp: &Rp, pkce: &Pkce, extra: &[(&str, &str)]) -> Url {
    authorize_url_at(&endpoint(rp, "/connect/authorize"), pkce, extra)
}

fn at_client(rp: &Rp, response: &reqwest::Response) -> Url {
    let location = redirect_to(response);
    assert!(
        location.as_str().starts_with(REDIRECT_URI),
        "expected a redirect to the client, got {location}"
    );
    assert_eq!(query(&location, "state").as_deref(), Some("state-123"));
    assert_eq!(
        query(&location, "iss").as_deref(),
        Some(endpoint(rp, "").as_str())
    );
    location
}

struct Login {
    tokens: Value,
    id_token: Value,
}

impl Login {
    fn access_token(&self) -> &str {
        self.tokens["access_token"].as_str().unwrap()
    }
}

/// A headless login in a fresh browser (auto-approve mode: anna).
async fn login(rp: &Rp, client_id: &str, redirect_uri: &str, scope: &str) -> Login {
    let pkce = Pkce::new();
    let url = authorize_url(
        rp,
        &pkce,
        &[
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("scope", scope),
            ("acr_values", ACR),
        ],
    );
    let response = http_client().get(url).send().await.unwrap();
    let location = redirect_to(&response);
    let code = query(&location, "code").unwrap_or_else(|| panic!("no code in {location}"));
    let response = reqwest::Client::new()
        .post(endpoint(rp, "/connect/token"))
        .basic_auth(client_id, Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", &pkce.verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    Login { tokens, id_token }
}

async fn login_anna(rp: &Rp, scope: &str) -> Login {
    login(rp, CLIENT_ID, REDIRECT_URI, scope).await
}

async fn userinfo(rp: &Rp, done: &Login) -> Value {
    let response = userinfo_at(&endpoint(rp, "/connect/userinfo"), done.access_token()).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn is_upper_hex(value: &str, len: usize) -> bool {
    value.len() == len && value.chars().all(|c| matches!(c, '0'..='9' | 'A'..='F'))
}

// ---- discovery

#[tokio::test]
async fn discovery_has_exactly_the_42_recorded_members_and_its_endpoints_answer() {
    let rp = Rp::start_auto().await;
    let doc = discovery_at(&rp, "/auth/open").await;
    assert_eq!(member_names(&doc), sorted(&DISCOVERY_MEMBERS));
    assert_eq!(doc["issuer"], endpoint(&rp, ""));
    for (member, path) in [
        ("jwks_uri", "/.well-known/openid-configuration/jwks"),
        ("authorization_endpoint", "/connect/authorize"),
        ("token_endpoint", "/connect/token"),
        ("userinfo_endpoint", "/connect/userinfo"),
        ("end_session_endpoint", "/connect/endsession"),
        ("check_session_iframe", "/connect/checksession"),
        ("revocation_endpoint", "/connect/revocation"),
        ("introspection_endpoint", "/connect/introspect"),
        (
            "device_authorization_endpoint",
            "/connect/deviceauthorization",
        ),
        ("backchannel_authentication_endpoint", "/connect/ciba"),
        ("pushed_authorization_request_endpoint", "/connect/par"),
        (
            "backchannel_authentication_cancel_endpoint",
            "/connect/ciba/cancel",
        ),
    ] {
        assert_eq!(doc[member], endpoint(&rp, path), "{member}");
    }
    // acr values select MitID, yet the document lists none (C1).
    for absent in [
        "acr_values_supported",
        "registration_endpoint",
        "request_uri_parameter_supported",
        "token_endpoint_auth_signing_alg_values_supported",
    ] {
        assert!(doc.get(absent).is_none(), "{absent}");
    }
    assert_eq!(
        doc["response_types_supported"],
        json!(["code", "code id_token"])
    );
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(doc["subject_types_supported"], json!(["public"]));
    assert_eq!(doc["claims_parameter_supported"], json!(false));
    let algs = doc["request_object_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    assert_eq!(algs.len(), 9);
    assert!(!algs.contains(&json!("HS256")));
    // The lists hold the MitID scopes and claims (ledger: signicat.discovery-lists).
    let scopes = doc["scopes_supported"].as_array().unwrap();
    for scope in SCOPE.split(' ') {
        assert!(scopes.contains(&json!(scope)), "{scope}");
    }
    let claims_supported = doc["claims_supported"].as_array().unwrap();
    for claim in ["nin", "nin_type", "idp_id", "mitid_uuid", "mitid_has_cpr"] {
        assert!(claims_supported.contains(&json!(claim)), "{claim}");
    }
    assert_eq!(
        ledger_entry(&rp, "signicat.discovery-lists").await["simulator"],
        "the MitID scopes and claims only"
    );

    // The endpoints answer: a login, its key set, userinfo, introspection, revocation.
    let done = login_anna(&rp, SCOPE).await;
    let jwks_uri = doc["jwks_uri"].as_str().unwrap();
    verify_signature_at(jwks_uri, done.tokens["id_token"].as_str().unwrap()).await;
    // The key set as the ledger describes it (signicat.jwks): no alg member.
    let jwks: Value = reqwest::get(jwks_uri).await.unwrap().json().await.unwrap();
    for key in jwks["keys"].as_array().unwrap() {
        assert_eq!(key["use"], "sig", "{key}");
        assert!(key.get("alg").is_none(), "{key}");
    }
    assert!(ledger_entry(&rp, "signicat.jwks").await["simulator"]
        .as_str()
        .unwrap()
        .contains("no alg member"));
    let introspect = |token: String| {
        reqwest::Client::new()
            .post(doc["introspection_endpoint"].as_str().unwrap())
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&[("token", token)])
            .send()
    };
    let active: Value = introspect(done.access_token().to_string())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(active["active"], true, "{active}");
    let revoked = reqwest::Client::new()
        .post(doc["revocation_endpoint"].as_str().unwrap())
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("token", done.access_token())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    let inactive: Value = introspect(done.access_token().to_string())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(inactive["active"], false, "{inactive}");
    let refused = userinfo_at(
        doc["userinfo_endpoint"].as_str().unwrap(),
        done.access_token(),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn par_answers_201_with_the_brokers_par_lifetime() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let response = reqwest::Client::new()
        .post(endpoint(&rp, "/connect/par"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("response_type", "code"),
            ("scope", SCOPE),
            ("acr_values", ACR),
            ("state", "state-123"),
            ("code_challenge", pkce.challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let pushed: Value = response.json().await.unwrap();
    // The [par] setting, 60 s by default (ledger: signicat.par).
    assert_eq!(pushed["expires_in"], 60);
    assert!(ledger_entry(&rp, "signicat.par").await["simulator"]
        .as_str()
        .unwrap()
        .contains("60 s by default"));
    let mut url = Url::parse(&endpoint(&rp, "/connect/authorize")).unwrap();
    url.query_pairs_mut().extend_pairs([
        ("client_id", CLIENT_ID),
        ("request_uri", pushed["request_uri"].as_str().unwrap()),
    ]);
    let response = http_client().get(url).send().await.unwrap();
    assert!(query(&at_client(&rp, &response), "code").is_some());
}

// ---- the request grammar

#[tokio::test]
async fn acr_values_name_the_eid_and_the_level() {
    let rp = Rp::start().await;
    let pkce = Pkce::new();
    let url = authorize_url(
        &rp,
        &pkce,
        &[("scope", SCOPE), ("acr_values", "idp:mitid loa:high")],
    );
    let response = rp.browser.get(url).send().await.unwrap();
    let id = login_id_of(&response);
    let request = &login_record(&rp, &id).await["request"];
    assert_eq!(request["profile"], "signicat");
    assert_eq!(request["acr"], "high", "{request}");
    // Signicat's scopes, and what they are in the standard's terms.
    assert_eq!(
        request["dialect_scopes"],
        json!(["openid", "profile", "nin", "idp-id", "mitid-extra"])
    );
    assert_eq!(
        request["scopes"],
        json!(["openid", "profile", "ssn", "mitid"])
    );
    assert_eq!(login_explained(&rp, &id).await["required_level"], "high");

    // Without loa: the broker's default level.
    let url = authorize_url(
        &rp,
        &Pkce::new(),
        &[("scope", SCOPE), ("acr_values", "idp:mitid")],
    );
    let response = rp.browser.get(url).send().await.unwrap();
    let id = login_id_of(&response);
    assert_eq!(
        login_explained(&rp, &id).await["required_level"],
        "substantial"
    );
}

#[tokio::test]
async fn what_signicat_does_not_simulate_is_an_error_at_the_client() {
    let rp = Rp::start_auto().await;
    for (what, extra, error) in [
        (
            "another idp",
            ("acr_values", "idp:nosuchidp"),
            "invalid_request",
        ),
        (
            "an unknown level",
            ("acr_values", "idp:mitid loa:extreme"),
            "invalid_request",
        ),
        (
            "an unknown key",
            ("acr_values", "idp:mitid nosuchkey:abc"),
            "invalid_request",
        ),
        ("another scope", ("scope", "openid email"), "invalid_scope"),
    ] {
        let mut params = vec![("scope", SCOPE), ("acr_values", ACR)];
        params.retain(|(k, _)| *k != extra.0);
        params.push(extra);
        let response = http_client()
            .get(authorize_url(&rp, &Pkce::new(), &params))
            .send()
            .await
            .unwrap();
        let location = at_client(&rp, &response);
        assert_eq!(query(&location, "error").as_deref(), Some(error), "{what}");
        assert!(query(&location, "code").is_none(), "{what}");
    }
    assert!(ledger_entry(&rp, "signicat.acr-values").await["simulator"]
        .as_str()
        .unwrap()
        .contains("another idp or key: invalid_request"));
}

// ---- tokens

#[tokio::test]
async fn the_id_token_has_exactly_the_recorded_members_and_types() {
    let rp = Rp::start_auto().await;
    let done = login_anna(&rp, SCOPE).await;
    let id_token = &done.id_token;
    assert_eq!(member_names(id_token), sorted(&ID_TOKEN_MEMBERS));
    assert_eq!(
        jwt_header(done.tokens["id_token"].as_str().unwrap())["alg"],
        "RS256"
    );
    for number in ["nbf", "iat", "exp", "auth_time"] {
        assert!(id_token[number].is_i64(), "{number}: {id_token}");
    }
    assert_eq!(id_token["sandbox"], json!(true));
    assert_eq!(id_token["amr"], json!(["external"]));
    for (name, value) in id_token.as_object().unwrap() {
        if !["nbf", "iat", "exp", "auth_time", "sandbox", "amr"].contains(&name.as_str()) {
            assert!(value.is_string(), "{name}: {value}");
        }
    }
    assert_eq!(
        id_token["exp"].as_i64().unwrap() - id_token["iat"].as_i64().unwrap(),
        600
    );
    assert_eq!(id_token["iss"], endpoint(&rp, ""));
    assert_eq!(id_token["aud"], CLIENT_ID);
    assert_eq!(id_token["nonce"], "nonce-456");
    assert_eq!(id_token["at_hash"].as_str().unwrap().len(), 22);
    let sid = id_token["sid"].as_str().unwrap();
    assert!(is_upper_hex(sid, 32), "{sid}");
    let sub = id_token["sub"].as_str().unwrap();
    assert_eq!(sub.len(), 44, "{sub}");
    assert_eq!(B64.decode(sub).unwrap().len(), 32, "{sub}");
    assert_eq!(id_token["idp"], "mitid");
    assert_eq!(id_token["idp_issuer"], "mitid");
    assert_eq!(id_token["acr"], "substantial");
    assert!(is_guid(id_token["transaction_id"].as_str().unwrap()));
    assert_eq!(id_token["name"], "Anna Testesen");
    assert_eq!(id_token["given_name"], "Anna");
    assert_eq!(id_token["family_name"], "Testesen");
    assert_eq!(id_token["birthdate"], "1990-04-12");
    // StandardScopes: no nin and no mitid_* in the ID token, even when asked for.
    for absent in ["nin", "idp_id", "mitid_uuid", "mitid_loa"] {
        assert!(id_token.get(absent).is_none(), "{absent}");
    }
    let entry = ledger_entry(&rp, "signicat.claims").await;
    assert!(entry["simulator"]
        .as_str()
        .unwrap()
        .contains("sandbox (true)"));

    // The token response: 600 s (ledger: signicat.token-lifetime), an opaque access token.
    let tokens = &done.tokens;
    assert_eq!(tokens["expires_in"], 600);
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    assert_eq!(done.access_token().split('.').count(), 1);
}

#[tokio::test]
async fn sub_is_a_hash_per_organisation_and_not_the_mitid_uuid() {
    let rp = Rp::start_auto().await;
    register_client(
        &rp.host,
        json!({"client_id": "rp-two", "redirect_uris": ["https://rp.example/two"]}),
    )
    .await;
    register_client(
        &rp.host,
        json!({"client_id": "other", "redirect_uris": ["https://other.example/cb"]}),
    )
    .await;
    let first = login_anna(&rp, "openid").await.id_token;
    let same_org = login(&rp, "rp-two", "https://rp.example/two", "openid")
        .await
        .id_token;
    let other_org = login(&rp, "other", "https://other.example/cb", "openid")
        .await
        .id_token;
    assert_eq!(first["sub"], same_org["sub"]);
    assert_ne!(first["sub"], other_org["sub"]);
    let anna = identity(&rp, "anna").await;
    assert_ne!(first["sub"], anna["id"]);
    // Only openid: no profile claims.
    assert!(first.get("name").is_none(), "{first}");
}

#[tokio::test]
async fn userinfo_sends_the_scopes_claims_as_strings() {
    let rp = Rp::start_auto().await;
    let done = login_anna(&rp, SCOPE).await;
    let info = userinfo(&rp, &done).await;
    let mut expected = USERINFO_MEMBERS.to_vec();
    expected.extend(MITID_EXTRA);
    assert_eq!(member_names(&info), sorted(&expected));
    for (name, value) in info.as_object().unwrap() {
        assert!(value.is_string(), "{name}: {value}");
    }
    let anna = identity(&rp, "anna").await;
    assert_eq!(info["sub"], done.id_token["sub"]);
    assert_eq!(info["idp_id"], anna["id"]);
    assert_eq!(info["mitid_uuid"], anna["id"]);
    assert_eq!(info["nin"], anna["cpr"].as_str().unwrap().replace('-', ""));
    assert_eq!(info["nin_type"], "PERSON");
    assert_eq!(info["nin_issuing_country"], "DK");
    assert_eq!(info["idp_issuer"], "mitid");
    assert_eq!(info["name"], "Anna Testesen");
    assert_eq!(info["birthdate"], "1990-04-12");
    assert_eq!(info["mitid_has_cpr"], "true");
    assert_eq!(info["mitid_name_and_address_protection"], "false");
    for level in ["mitid_loa", "mitid_ial", "mitid_aal"] {
        assert_eq!(info[level], "SUBSTANTIAL", "{level}");
    }
    assert_eq!(info["mitid_fal"], "HIGH");
    let transaction = info["mitid_transaction_id"].as_str().unwrap();
    assert!(is_guid(transaction), "{transaction}");
    assert!(info.get("sandbox").is_none(), "{info}");
}

#[tokio::test]
async fn userinfo_without_mitid_extra_is_the_recorded_ten_members() {
    let rp = Rp::start_auto().await;
    let done = login_anna(&rp, "openid profile nin idp-id").await;
    let info = userinfo(&rp, &done).await;
    assert_eq!(member_names(&info), sorted(&USERINFO_MEMBERS));
}

#[tokio::test]
async fn private_key_jwt_assertions_name_signicats_own_endpoints() {
    use keys::{Alg, KeyKind, SigningKey};
    let rp = Rp::start_auto().await;
    let (key, _) = SigningKey::generate(KeyKind::Rsa).unwrap();
    register_client(
        &rp.host,
        json!({
            "client_id": "signed",
            "client_secret": null,
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": { "keys": [key.public_jwk()] },
        }),
    )
    .await;
    let doc = discovery_at(&rp, "/auth/open").await;
    let post = |member: &str, jti: &str, form: Vec<(&str, &str)>| {
        let url = doc[member].as_str().unwrap().to_string();
        let now = rp.host.clock().now();
        let claims = json!({
            "iss": "signed", "sub": "signed", "aud": url, "jti": jti, "iat": now, "exp": now + 60,
        });
        let assertion =
            keys::sign_compact(&key, Alg::RS256, "JWT", claims.to_string().as_bytes()).unwrap();
        let mut form: Vec<(String, String)> = form
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        form.push((
            "client_assertion_type".into(),
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
        ));
        form.push(("client_assertion".into(), assertion));
        reqwest::Client::new().post(url).form(&form).send()
    };
    let pkce = Pkce::new();
    let url = authorize_url(
        &rp,
        &pkce,
        &[
            ("client_id", "signed"),
            ("scope", "openid"),
            ("acr_values", ACR),
        ],
    );
    let response = http_client().get(url).send().await.unwrap();
    let code = query(&at_client(&rp, &response), "code").unwrap();
    let response = post(
        "token_endpoint",
        "jti-token",
        vec![
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &pkce.verifier),
        ],
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let response = post(
        "introspection_endpoint",
        "jti-introspect",
        vec![("token", access)],
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["active"], true);
    let response = post("revocation_endpoint", "jti-revoke", vec![("token", access)])
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

// ---- error envelopes, end session, what is not emulated

#[tokio::test]
async fn token_errors_carry_error_error_uri_and_error_description() {
    let rp = Rp::start_auto().await;
    let token = endpoint(&rp, "/connect/token");
    let check = |response: reqwest::Response, error: &'static str| async move {
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(
            response.headers()[CACHE_CONTROL],
            "no-store, no-cache, max-age=0"
        );
        assert!(response.headers().get(WWW_AUTHENTICATE).is_none());
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            member_names(&body),
            ["error", "error_description", "error_uri"]
        );
        assert_eq!(body["error"], error);
        assert!(!body["error_description"].as_str().unwrap().is_empty());
        body
    };
    let body = check(
        redeem_at(&token, CLIENT_ID, "not-a-code", &Pkce::new()).await,
        "invalid_grant",
    )
    .await;
    assert_eq!(
        body["error_uri"],
        format!("{}/config/errors/invalid_grant", endpoint(&rp, ""))
    );
    let wrong_secret = reqwest::Client::new()
        .post(&token)
        .basic_auth(CLIENT_ID, Some("wrong-secret"))
        .form(&[("grant_type", "authorization_code"), ("code", "x")])
        .send()
        .await
        .unwrap();
    check(wrong_secret, "invalid_client").await;
    let missing = reqwest::Client::new()
        .post(&token)
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("grant_type", "authorization_code")])
        .send()
        .await
        .unwrap();
    check(missing, "invalid_request").await;
    assert!(
        ledger_entry(&rp, "signicat.token-errors").await["simulator"]
            .as_str()
            .unwrap()
            .contains("<issuer>/config/errors/<error>")
    );
}

#[tokio::test]
async fn userinfo_with_a_bad_token_is_identityservers_empty_401() {
    let rp = Rp::start().await;
    let response = userinfo_at(&endpoint(&rp, "/connect/userinfo"), "not-a-token").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[WWW_AUTHENTICATE],
        r#"Bearer realm="IdentityServer",error="invalid_token""#
    );
    assert_eq!(response.text().await.unwrap(), "");
    assert_eq!(
        ledger_entry(&rp, "signicat.userinfo-401").await["tier"],
        "exact"
    );
}

#[tokio::test]
async fn end_session_with_an_id_token_hint_redirects_to_the_registered_uri() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let browser = http_client();
    let url = authorize_url(&rp, &pkce, &[("scope", "openid"), ("acr_values", ACR)]);
    let location = at_client(&rp, &browser.get(url).send().await.unwrap());
    let code = query(&location, "code").unwrap();
    let tokens: Value = redeem_at(&endpoint(&rp, "/connect/token"), CLIENT_ID, &code, &pkce)
        .await
        .json()
        .await
        .unwrap();
    let mut url = Url::parse(&endpoint(&rp, "/connect/endsession")).unwrap();
    url.query_pairs_mut().extend_pairs([
        ("id_token_hint", tokens["id_token"].as_str().unwrap()),
        ("post_logout_redirect_uri", POST_LOGOUT_URI),
        ("state", "bye"),
    ]);
    let response = browser.get(url).send().await.unwrap();
    assert_eq!(
        redirect_to(&response).as_str(),
        format!("{POST_LOGOUT_URI}?state=bye")
    );
    // The session has ended.
    let url = authorize_url(
        &rp,
        &Pkce::new(),
        &[("scope", "openid"), ("acr_values", ACR), ("prompt", "none")],
    );
    let response = browser.get(url).send().await.unwrap();
    assert_eq!(
        query(&at_client(&rp, &response), "error").as_deref(),
        Some("login_required")
    );
    // Without parameters: the broker's logged-out page.
    let response = http_client()
        .get(endpoint(&rp, "/connect/endsession"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(LOCATION).is_none());
    assert!(ledger_entry(&rp, "signicat.end-session").await["simulator"]
        .as_str()
        .unwrap()
        .contains("without parameters: the broker's logged-out page (200)"));
}

#[tokio::test]
async fn checksession_device_flow_and_ciba_answer_501_naming_their_ledger_entries() {
    let rp = Rp::start().await;
    assert_not_emulated(
        &rp,
        "/auth/open/connect/checksession",
        "signicat.check-session",
    )
    .await;
    assert_not_emulated(
        &rp,
        "/auth/open/connect/deviceauthorization",
        "signicat.device-authorization",
    )
    .await;
    assert_not_emulated(&rp, "/auth/open/connect/ciba", "signicat.ciba").await;
    assert_not_emulated(&rp, "/auth/open/connect/ciba/cancel", "signicat.ciba").await;
}

#[tokio::test]
async fn the_ledger_lists_only_signicats_entries_for_signicat() {
    let rp = Rp::start().await;
    let entries = ledger_of(&rp, "signicat").await;
    assert!(!entries.is_empty());
    for entry in &entries {
        assert_eq!(entry["profile"], "signicat", "{entry}");
        assert!(
            entry["id"].as_str().unwrap().starts_with("signicat."),
            "{entry}"
        );
        assert!(!entry["evidence"].as_str().unwrap().is_empty(), "{entry}");
    }
    let standard = ledger_of(&rp, "standard").await;
    assert!(standard.is_empty(), "{standard:?}");
}
