//! The `neb` profile (Signaturgruppen's broker, issuer `<base>/op`) against the shapes its
//! sources give: the recorded pre-production discovery document, ID token, access token,
//! userinfo and error envelopes (docs/research/broker-facts.md, part A; brokers.md, "NEB"),
//! and, where the fidelity ledger says the simulator differs, what the ledger says it does.

use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

use crate::support::*;

const NSIS: &str = "https://data.gov.dk/concept/core/nsis/";

/// The 36 members of the recorded pre-production document (STUBID pp/CAP-001; A.1).
const DISCOVERY_MEMBERS: [&str; 36] = [
    "issuer",
    "jwks_uri",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "end_session_endpoint",
    "backchannel_authentication_endpoint",
    "pushed_authorization_request_endpoint",
    "require_pushed_authorization_requests",
    "frontchannel_logout_supported",
    "frontchannel_logout_session_supported",
    "backchannel_logout_supported",
    "backchannel_logout_session_supported",
    "grant_types_supported",
    "response_types_supported",
    "response_modes_supported",
    "token_endpoint_auth_methods_supported",
    "token_endpoint_auth_signing_alg_values_supported",
    "revocation_endpoint_auth_methods_supported",
    "revocation_endpoint_auth_signing_alg_values_supported",
    "introspection_endpoint_auth_methods_supported",
    "introspection_endpoint_auth_signing_alg_values_supported",
    "id_token_signing_alg_values_supported",
    "userinfo_signing_alg_values_supported",
    "subject_types_supported",
    "code_challenge_methods_supported",
    "request_parameter_supported",
    "request_object_signing_alg_values_supported",
    "request_uri_parameter_supported",
    "prompt_values_supported",
    "authorization_response_iss_parameter_supported",
    "backchannel_token_delivery_modes_supported",
    "backchannel_user_code_parameter_supported",
    "backchannel_authentication_request_signing_alg_values_supported",
    "dpop_signing_alg_values_supported",
    "request_object_encryption_alg_values_supported",
];

/// The recorded ID token's 23 members (STUBID pp-session/CAP-020; A4), code flow.
const ID_TOKEN_MEMBERS: [&str; 23] = [
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
    "acr",
    "neb_sid",
    "loa",
    "aal",
    "ial",
    "identity_type",
    "transaction_id",
    "idp_transaction_id",
    "session_expiry",
    "idtoken_type",
    "subject_type",
];

/// The recorded access token's members (STUBID pp-session/CAP-020; A.4): no `aud`.
const ACCESS_TOKEN_MEMBERS: [&str; 16] = [
    "iss",
    "nbf",
    "iat",
    "exp",
    "scope",
    "amr",
    "client_id",
    "sub",
    "auth_time",
    "idp",
    "acr",
    "neb_sid",
    "idp_transaction_id",
    "transaction_id",
    "sid",
    "jti",
];

/// The recorded userinfo with scope `openid mitid` (STUBID pp-session/CAP-020; A.5).
const USERINFO_MEMBERS: [&str; 17] = [
    "session_is_active",
    "session_expiry",
    "idp",
    "subject_type",
    "idp_identity_id",
    "loa",
    "aal",
    "ial",
    "mitid.transaction_id",
    "mitid.uuid",
    "mitid.age",
    "mitid.date_of_birth",
    "mitid.has_cpr",
    "mitid.identity_name",
    "mitid.psd2",
    "mitid.geo_ip_distance_km",
    "sub",
];

fn endpoint(rp: &Rp, path: &str) -> String {
    rp.url(&format!("/op{path}"))
}

fn authorize_url(rp: &Rp, pkce: &Pkce, extra: &[(&str, &str)]) -> Url {
    authorize_url_at(&endpoint(rp, "/connect/authorize"), pkce, extra)
}

/// The Location of a redirect to the client, with its `state`.
fn at_client(response: &reqwest::Response) -> Url {
    let location = redirect_to(response);
    assert!(
        location.as_str().starts_with(REDIRECT_URI),
        "expected a redirect to the client, got {location}"
    );
    assert_eq!(query(&location, "state").as_deref(), Some("state-123"));
    location
}

/// NEB's own error page: 400 HTML at the authorize URL, never a redirect to the client.
async fn assert_error_page(response: reqwest::Response, what: &str) -> String {
    // NEB sends the browser to its own error page, never to the client (STUBID pp/CAP-008).
    assert_eq!(response.status(), StatusCode::FOUND, "{what}");
    let location = response.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(
        location.contains("/op/Error?errorId="),
        "{what}: {location}"
    );
    assert!(!location.starts_with(REDIRECT_URI), "{what}: {location}");
    let page = http_client().get(&location).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::BAD_REQUEST, "{what}");
    let content_type = page.headers()[CONTENT_TYPE].to_str().unwrap().to_string();
    assert!(
        content_type.starts_with("text/html"),
        "{what}: {content_type}"
    );
    page.text().await.unwrap()
}

/// The token response and the ID token's claims of a login (the browser's own).
struct Login {
    tokens: Value,
    id_token: Value,
}

impl Login {
    fn access_token(&self) -> &str {
        self.tokens["access_token"].as_str().unwrap()
    }
}

/// Redeems the code in `location` at NEB's token endpoint as `client_id`.
async fn redeem(rp: &Rp, client_id: &str, location: &Url, pkce: &Pkce) -> Login {
    let code = query(location, "code").unwrap_or_else(|| panic!("no code in {location}"));
    let response = redeem_at(&endpoint(rp, "/connect/token"), client_id, &code, pkce).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    Login { tokens, id_token }
}

/// A headless login in a fresh browser (auto-approve mode: anna) with `scope`.
async fn login(rp: &Rp, scope: &str) -> Login {
    login_as(rp, CLIENT_ID, REDIRECT_URI, scope).await
}

async fn login_as(rp: &Rp, client_id: &str, redirect_uri: &str, scope: &str) -> Login {
    let pkce = Pkce::new();
    let url = authorize_url(
        rp,
        &pkce,
        &[
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("scope", scope),
        ],
    );
    let response = http_client().get(url).send().await.unwrap();
    let location = redirect_to(&response);
    let code = query(&location, "code").unwrap_or_else(|| panic!("no code in {location}"));
    let redeemed = reqwest::Client::new()
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
    assert_eq!(redeemed.status(), StatusCode::OK);
    let tokens: Value = redeemed.json().await.unwrap();
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    Login { tokens, id_token }
}

fn assert_nsis(value: &Value, level: &str) {
    assert_eq!(value, &json!(format!("{NSIS}{level}")));
}

fn is_digits(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c.is_ascii_digit())
}

// ---- discovery

#[tokio::test]
async fn discovery_has_exactly_the_36_recorded_members_and_its_endpoints_answer() {
    let rp = Rp::start_auto().await;
    let doc = discovery_at(&rp, "/op").await;
    assert_eq!(member_names(&doc), sorted(&DISCOVERY_MEMBERS));
    assert_eq!(doc["issuer"], rp.url("/op"));
    for (member, path) in [
        ("jwks_uri", "/.well-known/openid-configuration/jwks"),
        ("authorization_endpoint", "/connect/authorize"),
        ("token_endpoint", "/connect/token"),
        ("userinfo_endpoint", "/connect/userinfo"),
        ("end_session_endpoint", "/connect/endsession"),
        ("backchannel_authentication_endpoint", "/connect/ciba"),
        ("pushed_authorization_request_endpoint", "/connect/par"),
    ] {
        assert_eq!(doc[member], endpoint(&rp, path), "{member}");
    }
    // The recorded values the simulator honours.
    assert_eq!(doc["subject_types_supported"], json!(["public"]));
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(
        doc["code_challenge_methods_supported"],
        json!(["plain", "S256"])
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!([
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt"
        ])
    );
    assert_eq!(
        doc["prompt_values_supported"],
        json!(["login", "none", "select_account"])
    );
    assert_eq!(doc["require_pushed_authorization_requests"], json!(false));
    assert_eq!(
        doc["authorization_response_iss_parameter_supported"],
        json!(true)
    );
    assert_eq!(
        doc["dpop_signing_alg_values_supported"]
            .as_array()
            .unwrap()
            .len(),
        9
    );
    assert_eq!(
        doc["request_object_signing_alg_values_supported"]
            .as_array()
            .unwrap()
            .len(),
        12
    );

    // Its endpoints answer: the key set, a pushed request, and a login through them.
    let jwks: Value = reqwest::get(doc["jwks_uri"].as_str().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert!(!keys.is_empty(), "{jwks}");
    // As recorded (pp/CAP-002): RSA keys named by certificate: kty use kid x5t e n x5c and no
    // alg; kid the upper-case hex SHA-1 of the certificate, x5t the same in base64url.
    for key in keys {
        assert_eq!(
            member_names(key),
            sorted(&["kty", "use", "kid", "x5t", "e", "n", "x5c"]),
            "{key}"
        );
        assert_eq!(key["kty"], "RSA");
        let kid = key["kid"].as_str().unwrap();
        assert!(
            kid.len() == 40 && kid.chars().all(|c| matches!(c, '0'..='9' | 'A'..='F')),
            "{key}"
        );
        use base64::Engine;
        let sha1 = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(key["x5t"].as_str().unwrap())
            .unwrap();
        let hex: String = sha1.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(hex, kid);
    }
    assert!(ledger_entry(&rp, "neb.token-kid").await["simulator"]
        .as_str()
        .unwrap()
        .contains("upper-case hex SHA-1 thumbprint"));
    let done = login(&rp, "openid mitid").await;
    verify_signature_at(
        doc["jwks_uri"].as_str().unwrap(),
        done.tokens["id_token"].as_str().unwrap(),
    )
    .await;
    verify_signature_at(doc["jwks_uri"].as_str().unwrap(), done.access_token()).await;
    let userinfo = userinfo_at(
        doc["userinfo_endpoint"].as_str().unwrap(),
        done.access_token(),
    )
    .await;
    assert_eq!(userinfo.status(), StatusCode::OK);
}

#[tokio::test]
async fn discovery_is_served_only_below_op() {
    let rp = Rp::start().await;
    // The standard issuer's document is not NEB's.
    let standard = rp.discovery().await;
    assert!(standard.get("scopes_supported").is_some());
    let neb = discovery_at(&rp, "/op").await;
    for absent in [
        "scopes_supported",
        "claims_supported",
        "acr_values_supported",
        "revocation_endpoint",
        "introspection_endpoint",
        "registration_endpoint",
        "check_session_iframe",
    ] {
        assert!(neb.get(absent).is_none(), "{absent}");
    }
    // NEB publishes no revocation or introspection endpoint, and no registration.
    for path in [
        "/op/connect/revocation",
        "/op/connect/introspect",
        "/op/register",
    ] {
        let response = reqwest::Client::new()
            .post(rp.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

// ---- the request grammar

#[tokio::test]
async fn idp_params_level_and_texts_reach_the_login_and_the_id_token() {
    let rp = Rp::start().await;
    let pkce = Pkce::new();
    let idp_params = json!({"mitid": {
        "loa_value": "high",
        // "Lejekontrakt"
        "reference_text": "TGVqZWtvbnRyYWt0",
        "action_text": "SIGN",
    }})
    .to_string();
    let url = authorize_url(
        &rp,
        &pkce,
        &[
            ("scope", "openid mitid ssn"),
            ("idp_params", &idp_params),
            ("language", "en"),
        ],
    );
    let response = rp.browser.get(url).send().await.unwrap();
    let id = login_id_of(&response);
    let page = redirect_to(&response);
    assert!(page.path().ends_with(&format!("/login/{id}")), "{page}");

    // The login carries NEB's parameters in the standard's terms...
    let record = login_record(&rp, &id).await;
    let request = &record["request"];
    assert_eq!(request["profile"], "neb");
    assert_eq!(request["acr"], "high", "{request}");
    assert_eq!(request["reference_text"], "Lejekontrakt");
    assert_eq!(request["action_text"], "SIGN");
    assert_eq!(request["idp_values"], json!(["mitid"]));
    assert_eq!(request["dialect_scopes"], json!(["openid", "mitid", "ssn"]));
    assert_eq!(request["ui_locales"], json!(["en"]));
    assert_eq!(login_explained(&rp, &id).await["required_level"], "high");
    // ...and the screens show them: the action's header in English and the reference text.
    let html = rp
        .browser
        .get(page.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<h1 id=\"header\">Sign at"), "{html}");
    assert!(
        html.contains("<p id=\"reference-text\">Lejekontrakt</p>"),
        "{html}"
    );

    // Bo reaches High; anna would not.
    let approved = rp
        .host
        .control()
        .post(&format!("/logins/{id}/approve"), &json!({"user_id": "bo"}))
        .await
        .unwrap();
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    let response = rp.browser.get(page).send().await.unwrap();
    let location = at_client(&response);
    let done = redeem(&rp, CLIENT_ID, &location, &pkce).await;
    for claim in ["acr", "loa", "aal", "ial"] {
        assert_nsis(&done.id_token[claim], "High");
    }
    let explained = login_explained(&rp, &id).await;
    assert_eq!(explained["authenticated"]["acr"], format!("{NSIS}High"));
    // The reference text is not repeated in userinfo (ledger: neb.userinfo-values).
    let info: Value = userinfo_at(&endpoint(&rp, "/connect/userinfo"), done.access_token())
        .await
        .json()
        .await
        .unwrap();
    assert!(info.get("mitid.reference_text").is_none(), "{info}");
    assert_eq!(
        info["dk.cpr"],
        identity(&rp, "bo").await["cpr"]
            .as_str()
            .unwrap()
            .replace('-', "")
    );
}

#[tokio::test]
async fn a_level_the_person_cannot_reach_is_access_denied_at_the_client() {
    let rp = Rp::start().await;
    let idp_params = json!({"mitid": {"loa_value": "high"}}).to_string();
    let url = authorize_url(
        &rp,
        &Pkce::new(),
        &[
            ("scope", "openid mitid"),
            ("idp_params", &idp_params),
            ("simulation", "no-ui username:anna"),
        ],
    );
    let response = http_client().get(url).send().await.unwrap();
    let location = at_client(&response);
    assert_eq!(query(&location, "error").as_deref(), Some("access_denied"));
    assert!(query(&location, "code").is_none());
}

#[tokio::test]
async fn simulation_no_ui_logs_in_headlessly_even_in_interactive_mode() {
    let rp = Rp::start().await;
    let pkce = Pkce::new();
    let url = authorize_url(
        &rp,
        &pkce,
        &[
            ("scope", "openid mitid"),
            ("simulation", "no-ui username:anna"),
        ],
    );
    let response = http_client().get(url).send().await.unwrap();
    let id = login_id_of(&response);
    let location = at_client(&response);
    assert_eq!(
        query(&location, "iss").as_deref(),
        Some(rp.url("/op").as_str())
    );

    let explained = login_explained(&rp, &id).await;
    assert_eq!(explained["status"], "approved", "{explained}");
    assert_eq!(explained["decided_by"]["source"], "simulation");
    assert_eq!(explained["decided_by"]["person"], "username:anna");
    for step in explained["ladder"].as_array().unwrap() {
        assert_eq!(step["decided"], step["step"] == 3, "{explained}");
    }
    assert_eq!(explained["authenticated"]["simulated"], true);

    let done = redeem(&rp, CLIENT_ID, &location, &pkce).await;
    let anna = identity(&rp, "anna").await;
    let userinfo: Value = userinfo_at(&endpoint(&rp, "/connect/userinfo"), done.access_token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(userinfo["mitid.uuid"], anna["id"]);
    assert_eq!(done.id_token["idp"], "mitid");
}

#[tokio::test]
async fn simulation_accepts_the_documented_mitid_erhverv_uuid_beside_the_person() {
    let rp = Rp::start().await;
    let anna = identity(&rp, "anna").await;
    let simulation = format!(
        "no-ui uuid:{} mitid_erhverv_uuid:0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c09",
        anna["id"].as_str().unwrap()
    );
    let pkce = Pkce::new();
    let url = authorize_url(
        &rp,
        &pkce,
        &[("scope", "openid mitid"), ("simulation", &simulation)],
    );
    let response = http_client().get(url).send().await.unwrap();
    let id = login_id_of(&response);
    let location = at_client(&response);
    let explained = login_explained(&rp, &id).await;
    assert_eq!(explained["decided_by"]["source"], "simulation");
    let done = redeem(&rp, CLIENT_ID, &location, &pkce).await;
    assert_eq!(done.id_token["idp"], "mitid");
    // The ledger: mitid_erhverv_uuid: is not read.
    assert!(ledger_entry(&rp, "neb.simulation").await["simulator"]
        .as_str()
        .unwrap()
        .contains("mitid_erhverv_uuid: is not read"));
}

#[tokio::test]
async fn language_kl_shows_the_danish_screens_and_en_the_english() {
    let rp = Rp::start().await;
    for (language, header) in [
        ("kl", "Log på hos"),
        ("da", "Log på hos"),
        ("en", "Log on at"),
    ] {
        let url = authorize_url(
            &rp,
            &Pkce::new(),
            &[("scope", "openid mitid"), ("language", language)],
        );
        let response = rp.browser.get(url).send().await.unwrap();
        let page = redirect_to(&response);
        let html = rp
            .browser
            .get(page)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&format!("<h1 id=\"header\">{header}")),
            "{language}: {html}"
        );
    }
    let url = authorize_url(
        &rp,
        &Pkce::new(),
        &[("scope", "openid mitid"), ("language", "de")],
    );
    let response = http_client().get(url).send().await.unwrap();
    assert_error_page(response, "language=de").await;
    assert!(ledger_entry(&rp, "neb.language").await["simulator"]
        .as_str()
        .unwrap()
        .contains("kl shows the Danish screens"));
}

#[tokio::test]
async fn a_session_below_the_asked_level_is_not_reused_even_without_step_up() {
    let rp = Rp::start().await;
    let browser = http_client();
    let ask = |idp_params: Option<&str>| {
        let mut params: Vec<(&str, &str)> = vec![
            ("scope", "openid mitid"),
            ("simulation", "no-ui username:anna"),
        ];
        params.extend(idp_params.map(|p| ("idp_params", p)));
        authorize_url(&rp, &Pkce::new(), &params)
    };
    // Anna logs in at Substantial, the most she reaches...
    let response = browser.get(ask(None)).send().await.unwrap();
    assert!(query(&at_client(&response), "code").is_some());
    let first = login_id_of(&response);
    // ...and the same browser at Substantial again: her session answers.
    let response = browser.get(ask(None)).send().await.unwrap();
    assert!(query(&at_client(&response), "code").is_some());
    let again = login_id_of(&response);
    assert_eq!(
        login_explained(&rp, &again).await["decided_by"]["source"],
        "existing_session"
    );
    // High, without prompt=login or enable_step_up: not her session, a new login, which she
    // cannot make.
    let high = json!({"mitid": {"loa_value": "high"}}).to_string();
    let response = browser.get(ask(Some(&high))).send().await.unwrap();
    let location = at_client(&response);
    assert_eq!(query(&location, "error").as_deref(), Some("access_denied"));
    let second = login_id_of(&response);
    assert_ne!(first, second);
    let explained = login_explained(&rp, &second).await;
    assert_eq!(
        explained["decided_by"]["source"], "simulation",
        "{explained}"
    );
    assert_eq!(explained["required_level"], "high");
    assert!(ledger_entry(&rp, "neb.step-up").await["simulator"]
        .as_str()
        .unwrap()
        .contains("a new login is made with or without enable_step_up and prompt=login"));
}

#[tokio::test]
async fn simulation_of_an_unknown_user_is_mitid_simulation_unknown_user() {
    let rp = Rp::start().await;
    let url = authorize_url(
        &rp,
        &Pkce::new(),
        &[
            ("scope", "openid mitid"),
            ("simulation", "no-ui username:nobody"),
        ],
    );
    let response = http_client().get(url).send().await.unwrap();
    let id = login_id_of(&response);
    let location = at_client(&response);
    assert_eq!(query(&location, "error").as_deref(), Some("access_denied"));
    assert_eq!(
        query(&location, "error_description").as_deref(),
        Some("mitid_simulation_unknown_user")
    );
    assert!(query(&location, "code").is_none());
    assert_eq!(
        login_explained(&rp, &id).await["decided_by"]["source"],
        "simulation"
    );
}

#[tokio::test]
async fn refused_requests_show_nebs_error_page_and_never_reach_the_client() {
    let rp = Rp::start_auto().await;
    let cases: [(&str, Vec<(&str, &str)>); 8] = [
        ("no scope", vec![]),
        ("scope without openid", vec![("scope", "mitid")]),
        ("scope profile", vec![("scope", "openid profile")]),
        (
            "unknown idp_values",
            vec![("scope", "openid mitid"), ("idp_values", "nosuchidp")],
        ),
        (
            "idp_params not JSON",
            vec![("scope", "openid mitid"), ("idp_params", "{mitid:")],
        ),
        (
            "idp_params not an object",
            vec![("scope", "openid mitid"), ("idp_params", "[1]")],
        ),
        (
            "unknown loa_value",
            vec![
                ("scope", "openid mitid"),
                ("idp_params", r#"{"mitid":{"loa_value":"extreme"}}"#),
            ],
        ),
        (
            "unknown client",
            vec![("scope", "openid mitid"), ("client_id", "nosuchclient")],
        ),
    ];
    for (what, extra) in cases {
        let url = authorize_url(&rp, &Pkce::new(), &extra);
        let response = http_client().get(url).send().await.unwrap();
        assert_error_page(response, what).await;
    }
}

#[tokio::test]
async fn simulation_ui_is_the_error_page_naming_its_ledger_entry() {
    let rp = Rp::start_auto().await;
    let url = authorize_url(
        &rp,
        &Pkce::new(),
        &[("scope", "openid mitid"), ("simulation", "ui")],
    );
    let response = http_client().get(url).send().await.unwrap();
    assert_error_page(response, "simulation=ui").await;
    let entry = ledger_entry(&rp, "neb.simulation-ui").await;
    assert_eq!(entry["tier"], "not_emulated");
    assert!(entry["simulator"]
        .as_str()
        .unwrap()
        .contains("NEB's error page"));
}

#[tokio::test]
async fn the_authorization_response_is_code_state_session_state_iss_with_nebs_code_format() {
    let rp = Rp::start_auto().await;
    let url = authorize_url(&rp, &Pkce::new(), &[("scope", "openid mitid")]);
    let response = http_client().get(url).send().await.unwrap();
    let location = at_client(&response);
    let names: Vec<String> = location
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    // As recorded (pp-session CAP-020; ledger neb.authorize-response): code, state,
    // session_state, iss.
    assert_eq!(names, ["code", "state", "session_state", "iss"]);
    let entry = ledger_entry(&rp, "neb.authorize-response").await;
    assert!(entry["simulator"]
        .as_str()
        .unwrap()
        .starts_with("code, state, session_state, iss"));
    // 64 upper-case hex digits and -1 (ageverification/windows-native.md).
    let code = query(&location, "code").unwrap();
    let (hex, suffix) = code.split_once('-').unwrap();
    assert_eq!(suffix, "1", "{code}");
    assert_eq!(hex.len(), 64, "{code}");
    assert!(
        hex.chars().all(|c| matches!(c, '0'..='9' | 'A'..='F')),
        "{code}"
    );
    assert_eq!(ledger_entry(&rp, "neb.code-format").await["tier"], "exact");
}

// ---- tokens

#[tokio::test]
async fn the_id_token_has_exactly_the_recorded_members_and_types() {
    let rp = Rp::start_auto().await;
    let done = login(&rp, "openid mitid ssn").await;
    let id_token = &done.id_token;
    assert_eq!(member_names(id_token), sorted(&ID_TOKEN_MEMBERS));
    let header = jwt_header(done.tokens["id_token"].as_str().unwrap());
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "JWT");

    for number in ["nbf", "iat", "exp", "auth_time"] {
        assert!(id_token[number].is_i64(), "{number}: {id_token}");
    }
    for string in ID_TOKEN_MEMBERS
        .iter()
        .filter(|m| !["nbf", "iat", "exp", "auth_time", "amr"].contains(m))
    {
        assert!(id_token[*string].is_string(), "{string}: {id_token}");
    }
    let amr = id_token["amr"].as_array().unwrap();
    assert!(
        !amr.is_empty() && amr.iter().all(Value::is_string),
        "{id_token}"
    );
    assert_eq!(
        id_token["exp"].as_i64().unwrap() - id_token["iat"].as_i64().unwrap(),
        300
    );
    assert_eq!(id_token["nbf"], id_token["iat"]);
    assert_eq!(id_token["iss"], rp.url("/op"));
    assert_eq!(id_token["aud"], CLIENT_ID);
    assert_eq!(id_token["nonce"], "nonce-456");
    assert_eq!(id_token["idp"], "mitid");
    assert_eq!(id_token["identity_type"], "private");
    assert_eq!(id_token["idtoken_type"], "strict");
    assert_eq!(id_token["subject_type"], "org_mapped");
    for claim in ["acr", "loa", "aal", "ial"] {
        assert_nsis(&id_token[claim], "Substantial");
    }
    let expiry = id_token["session_expiry"].as_str().unwrap();
    assert!(is_digits(expiry), "{expiry}");
    assert!(expiry.parse::<i64>().unwrap() > id_token["iat"].as_i64().unwrap());
    let sid = id_token["sid"].as_str().unwrap();
    assert!(is_guid(sid), "{sid}");
    assert_eq!(id_token["neb_sid"], sid);
    for guid in ["sub", "transaction_id", "idp_transaction_id"] {
        let value = id_token[guid].as_str().unwrap();
        assert!(is_guid(value), "{guid}: {value}");
    }
    assert_ne!(id_token["transaction_id"], id_token["idp_transaction_id"]);
    let anna = identity(&rp, "anna").await;
    assert_ne!(id_token["sub"], anna["id"], "sub is not the MitID UUID");
    // No documented-but-never-sent idp_environment, no jti, no MitID facts in the ID token.
    for absent in ["idp_environment", "jti", "mitid.uuid", "dk.cpr"] {
        assert!(id_token.get(absent).is_none(), "{absent}");
    }
}

#[tokio::test]
async fn sub_is_one_guid_per_organisation_and_not_the_mitid_uuid() {
    let rp = Rp::start_auto().await;
    // Another service of the same organisation (the same redirect host: the same sector)...
    register_client(
        &rp.host,
        json!({"client_id": "rp-two", "redirect_uris": ["https://rp.example/two"]}),
    )
    .await;
    // ...and a service of another organisation.
    register_client(
        &rp.host,
        json!({"client_id": "other", "redirect_uris": ["https://other.example/cb"]}),
    )
    .await;
    let first = login(&rp, "openid mitid").await.id_token;
    let same_org = login_as(&rp, "rp-two", "https://rp.example/two", "openid mitid")
        .await
        .id_token;
    let other_org = login_as(&rp, "other", "https://other.example/cb", "openid mitid")
        .await
        .id_token;
    assert_eq!(first["sub"], same_org["sub"]);
    assert_ne!(first["sub"], other_org["sub"]);
    let anna = identity(&rp, "anna").await;
    for token in [&first, &same_org, &other_org] {
        assert!(is_guid(token["sub"].as_str().unwrap()), "{token}");
        assert_ne!(token["sub"], anna["id"]);
    }
    let entry = ledger_entry(&rp, "neb.sub-organisation").await;
    assert!(entry["simulator"].as_str().unwrap().contains("sector"));
}

#[tokio::test]
async fn the_access_token_is_an_at_jwt_with_a_scope_array_and_no_aud() {
    let rp = Rp::start_auto().await;
    let done = login(&rp, "openid mitid ssn").await;
    let tokens = &done.tokens;
    assert_eq!(tokens["expires_in"], 10_800);
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "openid mitid ssn");
    // No refresh token was recorded, and none without offline_access.
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");

    let jwt = done.access_token();
    let header = jwt_header(jwt);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "RS256");
    let at = claims(jwt);
    assert_eq!(member_names(&at), sorted(&ACCESS_TOKEN_MEMBERS));
    assert!(at.get("aud").is_none());
    assert_eq!(at["scope"], json!(["openid", "mitid", "ssn"]));
    assert_eq!(
        at["exp"].as_i64().unwrap() - at["iat"].as_i64().unwrap(),
        10_800
    );
    let jti = at["jti"].as_str().unwrap();
    assert_eq!(jti.len(), 32, "{jti}");
    assert!(
        jti.chars().all(|c| matches!(c, '0'..='9' | 'A'..='F')),
        "{jti}"
    );
    assert_eq!(at["client_id"], CLIENT_ID);
    assert_eq!(at["iss"], rp.url("/op"));
    for same in [
        "sub",
        "sid",
        "neb_sid",
        "acr",
        "idp",
        "auth_time",
        "transaction_id",
        "idp_transaction_id",
        "amr",
    ] {
        assert_eq!(at[same], done.id_token[same], "{same}");
    }
}

#[tokio::test]
async fn userinfo_sends_every_value_as_a_string() {
    let rp = Rp::start_auto().await;
    let done = login(&rp, "openid mitid ssn").await;
    let response = userinfo_at(&endpoint(&rp, "/connect/userinfo"), done.access_token()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let info: Value = response.json().await.unwrap();
    let mut expected = USERINFO_MEMBERS.to_vec();
    expected.push("dk.cpr");
    assert_eq!(member_names(&info), sorted(&expected));
    for (name, value) in info.as_object().unwrap() {
        assert!(value.is_string(), "{name}: {value}");
    }
    let anna = identity(&rp, "anna").await;
    assert_eq!(info["session_is_active"], "true");
    assert_eq!(info["session_expiry"], done.id_token["session_expiry"]);
    assert_eq!(info["idp"], "mitid");
    assert_eq!(info["subject_type"], "org_mapped");
    assert_eq!(info["idp_identity_id"], anna["id"]);
    assert_eq!(info["mitid.uuid"], anna["id"]);
    assert_eq!(info["mitid.has_cpr"], "true");
    assert_eq!(info["mitid.date_of_birth"], anna["birthdate"]);
    assert_eq!(info["mitid.identity_name"], "Anna Testesen");
    assert!(is_digits(info["mitid.age"].as_str().unwrap()), "{info}");
    assert_eq!(
        info["dk.cpr"],
        anna["cpr"].as_str().unwrap().replace('-', "")
    );
    assert_eq!(
        info["mitid.transaction_id"],
        done.id_token["idp_transaction_id"]
    );
    for level in ["loa", "aal", "ial"] {
        assert_nsis(&info[level], "Substantial");
    }
    assert_eq!(info["sub"], done.id_token["sub"]);
    // What the ledger says of the values the simulator cannot know (neb.userinfo-values).
    assert_eq!(info["mitid.psd2"], "false");
    assert_eq!(info["mitid.geo_ip_distance_km"], "0");
    let entry = ledger_entry(&rp, "neb.userinfo-values").await;
    assert!(entry["simulator"]
        .as_str()
        .unwrap()
        .starts_with("\"false\" and \"0\""));
}

#[tokio::test]
async fn userinfo_without_ssn_has_no_cpr() {
    let rp = Rp::start_auto().await;
    let done = login(&rp, "openid mitid").await;
    let info: Value = userinfo_at(&endpoint(&rp, "/connect/userinfo"), done.access_token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(member_names(&info), sorted(&USERINFO_MEMBERS));
}

#[tokio::test]
async fn scopes_the_ledger_says_are_not_emulated_are_accepted_and_answer_as_it_says() {
    let rp = Rp::start_auto().await;
    let done = login(
        &rp,
        "openid mitid ssn.details_name transaction_token userinfo_token",
    )
    .await;
    // neb.transaction-token: no transaction_token or userinfo_token in the token response.
    assert!(done.tokens.get("transaction_token").is_none());
    assert!(done.tokens.get("userinfo_token").is_none());
    assert_eq!(
        ledger_entry(&rp, "neb.transaction-token").await["simulator"],
        "accepted; no transaction_token or userinfo_token in the token response"
    );
    // neb.ssn-details: ssn.details.status is "unable_to_lookup" and no names.
    let info: Value = userinfo_at(&endpoint(&rp, "/connect/userinfo"), done.access_token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["ssn.details.status"], "unable_to_lookup");
    assert!(info.get("ssn.details.given_name").is_none(), "{info}");
    assert!(ledger_entry(&rp, "neb.ssn-details").await["simulator"]
        .as_str()
        .unwrap()
        .contains("unable_to_lookup"));
}

// ---- error envelopes

#[tokio::test]
async fn token_errors_are_bare_with_nebs_cache_control() {
    let rp = Rp::start_auto().await;
    let token = endpoint(&rp, "/connect/token");
    let response = redeem_at(&token, CLIENT_ID, "not-a-code", &Pkce::new()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.headers()[CACHE_CONTROL],
        "no-store, no-cache, max-age=0"
    );
    assert!(response.headers().get(WWW_AUTHENTICATE).is_none());
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"error":"invalid_grant"}"#
    );

    // invalid_client is 400 too, bare, with no challenge (STUBID pp/CAP-014).
    let response = reqwest::Client::new()
        .post(&token)
        .basic_auth(CLIENT_ID, Some("wrong-secret"))
        .form(&[("grant_type", "authorization_code"), ("code", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get(WWW_AUTHENTICATE).is_none());
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"error":"invalid_client"}"#
    );

    // A request without parameters is invalid_request before any client (STUBID pp/CAP-042).
    let response = reqwest::Client::new().post(&token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"error":"invalid_request"}"#
    );

    // A grant NEB does not emulate (neb.client-credentials).
    let response = reqwest::Client::new()
        .post(&token)
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"error":"unsupported_grant_type"}"#
    );
    assert!(
        ledger_entry(&rp, "neb.client-credentials").await["simulator"]
            .as_str()
            .unwrap()
            .starts_with("unsupported_grant_type")
    );
}

#[tokio::test]
async fn userinfo_with_a_bad_token_is_identityservers_empty_401() {
    let rp = Rp::start_auto().await;
    let response = userinfo_at(&endpoint(&rp, "/connect/userinfo"), "not-a-token").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[WWW_AUTHENTICATE],
        r#"Bearer realm="IdentityServer",error="invalid_token""#
    );
    assert_eq!(response.text().await.unwrap(), "");
    // A token of the standard issuer is no token here.
    let standard = rp.login(&[]).await;
    let response = userinfo_at(
        &endpoint(&rp, "/connect/userinfo"),
        standard["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_code_from_op_is_refused_at_the_standard_token_endpoint_and_back() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let url = authorize_url(&rp, &pkce, &[("scope", "openid mitid")]);
    let response = http_client().get(url).send().await.unwrap();
    let code = query(&at_client(&response), "code").unwrap();
    let refused = rp.exchange(&code, &pkce).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("neb issuer"),
        "{body}"
    );

    // A standard code at NEB's token endpoint: NEB's bare invalid_grant.
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let response = redeem_at(&endpoint(&rp, "/connect/token"), CLIENT_ID, &code, &pkce).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"error":"invalid_grant"}"#
    );
}

#[tokio::test]
async fn private_key_jwt_assertions_name_nebs_own_token_and_par_endpoints() {
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
    let doc = discovery_at(&rp, "/op").await;
    let assertion = |aud: &str, jti: &str| {
        let now = rp.host.clock().now();
        let claims = json!({
            "iss": "signed", "sub": "signed", "aud": aud, "jti": jti, "iat": now, "exp": now + 60,
        });
        keys::sign_compact(&key, Alg::RS256, "JWT", claims.to_string().as_bytes()).unwrap()
    };
    let assertion_type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    // PAR, with the PAR endpoint as the audience.
    let pkce = Pkce::new();
    let par = doc["pushed_authorization_request_endpoint"]
        .as_str()
        .unwrap();
    let response = reqwest::Client::new()
        .post(par)
        .form(&[
            ("client_id", "signed"),
            ("redirect_uri", REDIRECT_URI),
            ("response_type", "code"),
            ("scope", "openid mitid"),
            ("state", "state-123"),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
            ("client_assertion_type", assertion_type),
            ("client_assertion", &assertion(par, "jti-par")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let pushed: Value = response.json().await.unwrap();
    let mut url = Url::parse(doc["authorization_endpoint"].as_str().unwrap()).unwrap();
    url.query_pairs_mut().extend_pairs([
        ("client_id", "signed"),
        ("request_uri", pushed["request_uri"].as_str().unwrap()),
    ]);
    let response = http_client().get(url).send().await.unwrap();
    let code = query(&at_client(&response), "code").unwrap();

    // The token endpoint, with the token endpoint as the audience (RFC 7523 3).
    let token = doc["token_endpoint"].as_str().unwrap();
    let response = reqwest::Client::new()
        .post(token)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &pkce.verifier),
            ("client_assertion_type", assertion_type),
            ("client_assertion", &assertion(token, "jti-token")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap())["aud"],
        "signed"
    );
}

// ---- PAR, end session, what is not emulated

#[tokio::test]
async fn par_answers_201_with_a_request_uri_that_lives_600_seconds() {
    let rp = Rp::start_auto().await;
    let push = |pkce: &Pkce| {
        reqwest::Client::new()
            .post(endpoint(&rp, "/connect/par"))
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&[
                ("client_id", CLIENT_ID),
                ("redirect_uri", REDIRECT_URI),
                ("response_type", "code"),
                ("scope", "openid mitid"),
                ("state", "state-123"),
                ("code_challenge", pkce.challenge.as_str()),
                ("code_challenge_method", "S256"),
            ])
            .send()
    };
    let pkce = Pkce::new();
    let response = push(&pkce).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let pushed: Value = response.json().await.unwrap();
    assert_eq!(member_names(&pushed), ["expires_in", "request_uri"]);
    assert_eq!(pushed["expires_in"], 600);
    let request_uri = pushed["request_uri"].as_str().unwrap();
    assert!(
        request_uri.starts_with("urn:ietf:params:oauth:request_uri:"),
        "{request_uri}"
    );
    let entry = ledger_entry(&rp, "neb.par").await;
    assert!(
        entry["simulator"].as_str().unwrap().contains("600"),
        "{entry}"
    );

    // client_id and request_uri are all the authorization request needs; 599 s on it works.
    advance_clock(&rp, 599).await;
    let mut url = Url::parse(&endpoint(&rp, "/connect/authorize")).unwrap();
    url.query_pairs_mut()
        .extend_pairs([("client_id", CLIENT_ID), ("request_uri", request_uri)]);
    let response = http_client().get(url).send().await.unwrap();
    let location = at_client(&response);
    redeem(&rp, CLIENT_ID, &location, &pkce).await;

    // After 600 s it is gone.
    let pkce = Pkce::new();
    let pushed: Value = push(&pkce).await.unwrap().json().await.unwrap();
    advance_clock(&rp, 601).await;
    let mut url = Url::parse(&endpoint(&rp, "/connect/authorize")).unwrap();
    url.query_pairs_mut().extend_pairs([
        ("client_id", CLIENT_ID),
        ("request_uri", pushed["request_uri"].as_str().unwrap()),
    ]);
    let response = http_client().get(url).send().await.unwrap();
    if response.status() == StatusCode::FOUND {
        let location = redirect_to(&response);
        assert!(query(&location, "code").is_none(), "{location}");
    } else {
        assert!(response.status().is_client_error(), "{}", response.status());
    }
}

#[tokio::test]
async fn end_session_without_id_token_hint_does_not_redirect_to_post_logout_redirect_uri() {
    let rp = Rp::start_auto().await;
    let end_session = endpoint(&rp, "/connect/endsession");
    // Without a session.
    let response = http_client()
        .get(format!(
            "{end_session}?post_logout_redirect_uri={POST_LOGOUT_URI}&client_id={CLIENT_ID}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(LOCATION).is_none());

    // With one: the person is asked, and confirming logs out without going to the client.
    let url = authorize_url(&rp, &Pkce::new(), &[("scope", "openid mitid")]);
    at_client(&rp.browser.get(url).send().await.unwrap());
    let response = rp
        .browser
        .get(format!(
            "{end_session}?post_logout_redirect_uri={POST_LOGOUT_URI}&client_id={CLIENT_ID}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(LOCATION).is_none());
    let html = response.text().await.unwrap();
    // The confirmation posts back to NEB's own end-session endpoint.
    assert!(
        html.contains(&format!("action=\"{end_session}\"")),
        "{html}"
    );
    let csrf = csrf_of(&html);
    let confirmed = rp
        .browser
        .post(&end_session)
        .form(&[
            ("confirm", "yes"),
            ("csrf", csrf.as_str()),
            ("client_id", CLIENT_ID),
            ("post_logout_redirect_uri", POST_LOGOUT_URI),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::OK);
    assert!(confirmed.headers().get(LOCATION).is_none());
    // The session has ended.
    let url = authorize_url(
        &rp,
        &Pkce::new(),
        &[("scope", "openid mitid"), ("prompt", "none")],
    );
    let response = rp.browser.get(url).send().await.unwrap();
    assert_eq!(
        query(&at_client(&response), "error").as_deref(),
        Some("login_required")
    );
    let entry = ledger_entry(&rp, "neb.end-session").await;
    assert!(
        entry["simulator"].as_str().unwrap().contains("ignored"),
        "{entry}"
    );
}

#[tokio::test]
async fn end_session_with_a_valid_id_token_hint_ends_the_session_and_redirects() {
    let rp = Rp::start_auto().await;
    let end_session = endpoint(&rp, "/connect/endsession");
    let pkce = Pkce::new();
    let url = authorize_url(&rp, &pkce, &[("scope", "openid mitid")]);
    let location = at_client(&rp.browser.get(url).send().await.unwrap());
    let done = redeem(&rp, CLIENT_ID, &location, &pkce).await;
    let mut url = Url::parse(&end_session).unwrap();
    url.query_pairs_mut().extend_pairs([
        ("id_token_hint", done.tokens["id_token"].as_str().unwrap()),
        ("post_logout_redirect_uri", POST_LOGOUT_URI),
        ("state", "bye"),
    ]);
    let response = rp.browser.get(url).send().await.unwrap();
    let location = redirect_to(&response);
    assert_eq!(location.as_str(), format!("{POST_LOGOUT_URI}?state=bye"));
    let url = authorize_url(
        &rp,
        &Pkce::new(),
        &[("scope", "openid mitid"), ("prompt", "none")],
    );
    let response = rp.browser.get(url).send().await.unwrap();
    assert_eq!(
        query(&at_client(&response), "error").as_deref(),
        Some("login_required")
    );
}

#[tokio::test]
async fn ciba_and_the_extra_apis_answer_501_naming_their_ledger_entries() {
    let rp = Rp::start().await;
    assert_not_emulated(&rp, "/op/connect/ciba", "neb.ciba").await;
    assert_not_emulated(&rp, "/op/api/v1/mitid/matchCpr", "neb.match-cpr-api").await;
    assert_not_emulated(&rp, "/op/api/v1/session/logout", "neb.session-logout-api").await;
}

// ---- the fidelity ledger

#[tokio::test]
async fn the_ledger_lists_only_nebs_entries_for_neb_each_with_evidence() {
    let rp = Rp::start().await;
    let entries = ledger_of(&rp, "neb").await;
    assert!(entries.len() > 20, "{}", entries.len());
    for entry in &entries {
        assert_eq!(entry["profile"], "neb", "{entry}");
        assert!(entry["id"].as_str().unwrap().starts_with("neb."), "{entry}");
    }
    let entry = ledger_entry(&rp, "neb.ciba").await;
    assert_eq!(entry["id"], "neb.ciba");
    assert_eq!(entry["profile"], "neb");
    assert_eq!(entry["tier"], "not_emulated");
    for member in ["subject", "simulator", "real", "evidence"] {
        assert!(
            !entry[member].as_str().unwrap().is_empty(),
            "{member}: {entry}"
        );
    }
    // Every entry of every profile names its evidence.
    let all = rp.host.control().get("/fidelity").await.unwrap();
    assert_eq!(all.status, 200);
    let all = all.body["entries"].as_array().unwrap();
    assert!(all.len() > entries.len());
    for entry in all {
        let evidence = entry["evidence"].as_str().unwrap_or("");
        assert!(!evidence.trim().is_empty(), "{entry}");
    }
    // An unknown entry or profile is refused.
    let missing = rp
        .host
        .control()
        .get("/fidelity/neb.nothing")
        .await
        .unwrap();
    assert_eq!(missing.status, 404);
    let bad = rp
        .host
        .control()
        .get("/fidelity?profile=nets")
        .await
        .unwrap();
    assert_eq!(bad.status, 400);
}

/// An HS256 request object under the client secret, as NEB's own example signs it
/// (openid-intro.md), with `exp` required (STUBID docs/research/signed-requests.md).
fn neb_request_object(secret: &str, claims: &Value) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let input = format!(
        "{}.{}",
        B64.encode(br#"{"alg":"HS256","kid":null,"typ":"JWT"}"#),
        B64.encode(claims.to_string())
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", B64.encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn an_hs256_request_object_under_the_client_secret_is_honoured_and_needs_exp() {
    let rp = Rp::start_auto().await;
    let secret = "neb-hs256-secret-0123456789abcdef";
    register_client(
        &rp.host,
        json!({"client_id": "neb-signed", "client_secret": secret,
               "token_endpoint_auth_method": "client_secret_jwt"}),
    )
    .await;
    let now = rp.host.control().get("/clock").await.unwrap().body["now"]
        .as_i64()
        .unwrap();
    let object = |extra: Value| {
        let mut claims = json!({
            "client_id": "neb-signed", "iss": "neb-signed", "aud": rp.url("/op"),
            "redirect_uri": REDIRECT_URI, "response_type": "code", "scope": "openid mitid",
            "state": "signed-state", "nonce": "signed-nonce",
            "idp_params": r#"{"mitid":{"loa_value":"substantial"}}"#,
        });
        claims
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        neb_request_object(secret, &claims)
    };
    let authorize = |request: String| {
        let mut url = Url::parse(&endpoint(&rp, "/connect/authorize")).unwrap();
        url.query_pairs_mut().extend_pairs([
            ("client_id", "neb-signed"),
            ("response_type", "code"),
            ("request", request.as_str()),
        ]);
        url
    };
    // NEB's example sends exp as a string of digits; a number works as well.
    for exp in [json!((now + 60).to_string()), json!(now + 60)] {
        let response = http_client()
            .get(authorize(object(json!({ "exp": exp }))))
            .send()
            .await
            .unwrap();
        let location = redirect_to(&response);
        assert!(location.as_str().starts_with(REDIRECT_URI), "{location}");
        assert_eq!(query(&location, "state").as_deref(), Some("signed-state"));
        assert!(query(&location, "code").is_some(), "{location}");
    }
    // Without exp, or signed under another secret: NEB's error page (the object's own
    // redirect URI cannot be trusted before it verifies).
    for (request, says) in [
        (object(json!({})), "exp"),
        (
            neb_request_object("another-secret-000000000000", &json!({"exp": now + 60})),
            "request object",
        ),
    ] {
        let response = http_client().get(authorize(request)).send().await.unwrap();
        let page = assert_error_page(response, says).await;
        assert!(page.contains(says), "{says}: {page}");
    }
}

#[tokio::test]
async fn nebs_error_page_shows_only_errors_the_broker_sealed() {
    let rp = Rp::start().await;
    let url = authorize_url(&rp, &Pkce::new(), &[("scope", "openid profile")]);
    let response = http_client().get(url).send().await.unwrap();
    let page = assert_error_page(response, "scope profile").await;
    assert!(page.contains("profile"), "{page}");
    // An errorId of anyone else's making shows nothing of theirs.
    use base64::Engine;
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(br#"{"error":"invalid_request","error_description":"Call +45 12345678 now"}"#);
    let page = http_client()
        .get(rp.url(&format!("/op/Error?errorId={forged}.AAAA")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("12345678"), "{page}");
}
