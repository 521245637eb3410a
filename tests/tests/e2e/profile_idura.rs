//! The `idura` profile (Idura, formerly Criipto Verify, issuer `<base>/idura`) against the
//! shapes its sources give: the members its own client library reads from discovery, the
//! `acr_values` and `login_hint` grammar, and the ID token of the published MitID samples
//! (docs/research/broker-facts.md, part B; brokers.md, "Idura"); where the fidelity ledger says
//! the simulator differs, what the ledger says it does.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use reqwest::header::WWW_AUTHENTICATE;
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

use crate::support::*;

/// Jens's signatory identity at Simulatorfirmaet ApS (seed).
const JENS_PROFESSIONAL: &str = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c09";
/// Ida's employee identity at the same company (seed).
const IDA_PROFESSIONAL: &str = "f0e1d2c3-b4a5-4968-8776-655443322108";

const SUBSTANTIAL: &str = "urn:grn:authn:dk:mitid:substantial";
const BUSINESS: &str = "urn:grn:authn:dk:mitid:business";

/// The members discovery.rs documents: those criipto-auth.js's OpenIDConfiguration reads.
const DISCOVERY_MEMBERS: [&str; 12] = [
    "issuer",
    "jwks_uri",
    "authorization_endpoint",
    "pushed_authorization_request_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "end_session_endpoint",
    "response_types_supported",
    "response_modes_supported",
    "subject_types_supported",
    "acr_values_supported",
    "id_token_signing_alg_values_supported",
];

/// The person's claims of a MitID citizen token (samples.ts MITID_CITIZEN), without the
/// `cprNumberIdentifier` of scope `ssn` and the `refTextHeader`/`refTextBody` the simulator
/// does not send (ledger: idura.ref-text).
const PERSON_CLAIMS: [&str; 17] = [
    "identityscheme",
    "authenticationtype",
    "authenticationmethod",
    "authenticationinstant",
    "nameidentifier",
    "sub",
    "sessionindex",
    "loA",
    "ial",
    "aal",
    "fal",
    "uuid",
    "birthdate",
    "dateofbirth",
    "age",
    "name",
    "country",
];

/// The token's own claims around the person's.
const TOKEN_CLAIMS: [&str; 6] = ["iss", "aud", "nonce", "iat", "nbf", "exp"];

fn endpoint(rp: &Rp, path: &str) -> String {
    rp.url(&format!("/idura{path}"))
}

fn authorize_url(rp: &Rp, pkce: &Pkce, extra: &[(&str, &str)]) -> Url {
    authorize_url_at(&endpoint(rp, "/oauth2/authorize"), pkce, extra)
}

/// The Location of a redirect to the client, with its `state` and Idura's `iss`.
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

async fn redeem(rp: &Rp, client_id: &str, location: &Url, pkce: &Pkce) -> Login {
    let code = query(location, "code").unwrap_or_else(|| panic!("no code in {location}"));
    let response = redeem_at(&endpoint(rp, "/oauth2/token"), client_id, &code, pkce).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    Login { tokens, id_token }
}

/// A headless login in a fresh browser (auto-approve mode: anna, or the `login_hint`).
async fn login(rp: &Rp, extra: &[(&str, &str)]) -> Login {
    let pkce = Pkce::new();
    let response = http_client()
        .get(authorize_url(rp, &pkce, extra))
        .send()
        .await
        .unwrap();
    let location = at_client(rp, &response);
    let client_id = extra
        .iter()
        .find(|(k, _)| *k == "client_id")
        .map_or(CLIENT_ID, |(_, v)| v);
    redeem(rp, client_id, &location, &pkce).await
}

/// An interactive login settled through the control API as `user_id`.
async fn approved_as(rp: &Rp, user_id: &str, extra: &[(&str, &str)]) -> Login {
    let pkce = Pkce::new();
    let browser = http_client();
    let response = browser
        .get(authorize_url(rp, &pkce, extra))
        .send()
        .await
        .unwrap();
    let id = login_id_of(&response);
    let page = redirect_to(&response);
    let approved = rp
        .host
        .control()
        .post(
            &format!("/logins/{id}/approve"),
            &json!({ "user_id": user_id }),
        )
        .await
        .unwrap();
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    let response = browser.get(page).send().await.unwrap();
    let location = at_client(rp, &response);
    redeem(rp, CLIENT_ID, &location, &pkce).await
}

fn is_caps_level(value: &Value) -> bool {
    ["LOW", "SUBSTANTIAL", "HIGH"].contains(&value.as_str().unwrap_or(""))
}

fn assert_pseudonym(id_token: &Value) {
    let sub = id_token["sub"].as_str().unwrap();
    let guid = sub
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or_else(|| panic!("sub is not {{guid}}: {sub}"));
    assert_eq!(guid.len(), 36, "{sub}");
    assert!(is_guid(guid), "{sub}");
    assert_eq!(id_token["nameidentifier"], guid.replace('-', ""));
}

// ---- discovery

#[tokio::test]
async fn discovery_has_the_members_iduras_client_reads_and_its_endpoints_answer() {
    let rp = Rp::start_auto().await;
    let doc = discovery_at(&rp, "/idura").await;
    assert_eq!(member_names(&doc), sorted(&DISCOVERY_MEMBERS));
    assert_eq!(doc["issuer"], endpoint(&rp, ""));
    for (member, path) in [
        ("jwks_uri", "/.well-known/jwks"),
        ("authorization_endpoint", "/oauth2/authorize"),
        ("pushed_authorization_request_endpoint", "/oauth2/par"),
        ("token_endpoint", "/oauth2/token"),
        ("userinfo_endpoint", "/oauth2/userinfo"),
        ("end_session_endpoint", "/oauth2/logout"),
    ] {
        assert_eq!(doc[member], endpoint(&rp, path), "{member}");
    }
    // Unlike NEB and Signicat, Idura publishes its acr values.
    assert_eq!(
        doc["acr_values_supported"],
        json!([
            "urn:grn:authn:dk:mitid:low",
            "urn:grn:authn:dk:mitid:substantial",
            "urn:grn:authn:dk:mitid:high",
            "urn:grn:authn:dk:mitid:business",
        ])
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(doc["response_types_supported"], json!(["code", "id_token"]));
    let entry = ledger_entry(&rp, "idura.discovery").await;
    assert_eq!(entry["tier"], "same_shape");

    // The key set verifies the tokens; userinfo answers; logout answers.
    let jwks_uri = doc["jwks_uri"].as_str().unwrap();
    let done = login(&rp, &[("scope", "openid")]).await;
    verify_signature_at(jwks_uri, done.tokens["id_token"].as_str().unwrap()).await;
    let userinfo = userinfo_at(
        doc["userinfo_endpoint"].as_str().unwrap(),
        done.tokens["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(userinfo.status(), StatusCode::OK);
    let logout = http_client()
        .get(doc["end_session_endpoint"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::OK);
}

#[tokio::test]
async fn par_answers_201_with_a_request_uri_that_lives_120_seconds() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let response = reqwest::Client::new()
        .post(endpoint(&rp, "/oauth2/par"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("response_type", "code"),
            ("scope", "openid"),
            ("state", "state-123"),
            ("acr_values", SUBSTANTIAL),
            ("code_challenge", pkce.challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let pushed: Value = response.json().await.unwrap();
    assert_eq!(member_names(&pushed), ["expires_in", "request_uri"]);
    assert_eq!(pushed["expires_in"], 120);
    assert!(ledger_entry(&rp, "idura.par").await["simulator"]
        .as_str()
        .unwrap()
        .contains("expires_in 120"));
    let mut url = Url::parse(&endpoint(&rp, "/oauth2/authorize")).unwrap();
    url.query_pairs_mut().extend_pairs([
        ("client_id", CLIENT_ID),
        ("request_uri", pushed["request_uri"].as_str().unwrap()),
    ]);
    let response = http_client().get(url).send().await.unwrap();
    let location = at_client(&rp, &response);
    let done = redeem(&rp, CLIENT_ID, &location, &pkce).await;
    assert_eq!(done.id_token["authenticationtype"], SUBSTANTIAL);
}

// ---- the request grammar

#[tokio::test]
async fn acr_values_and_login_hint_reach_the_login_and_the_screens() {
    let rp = Rp::start().await;
    let anna = identity(&rp, "anna").await;
    let cpr = anna["cpr"].as_str().unwrap().replace('-', "");
    let message = B64.encode("Lejekontrakt");
    let hint = format!("message:{message} action:sign sub:{cpr}");
    let pkce = Pkce::new();
    let url = authorize_url(
        &rp,
        &pkce,
        &[
            ("scope", "openid"),
            ("acr_values", SUBSTANTIAL),
            ("login_hint", &hint),
        ],
    );
    let response = rp.browser.get(url).send().await.unwrap();
    let id = login_id_of(&response);
    let page = redirect_to(&response);

    let record = login_record(&rp, &id).await;
    let request = &record["request"];
    assert_eq!(request["profile"], "idura");
    assert_eq!(request["acr"], "substantial", "{request}");
    assert_eq!(request["reference_text"], "Lejekontrakt");
    assert_eq!(request["action_text"], "SIGN");
    // sub:<cpr> prefills the person.
    assert_eq!(request["login_hint"], "anna");
    assert_eq!(
        login_explained(&rp, &id).await["required_level"],
        "substantial"
    );
    let html = rp
        .browser
        .get(page.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<h1 id=\"header\">Underskriv hos"), "{html}");
    assert!(
        html.contains("<p id=\"reference-text\">Lejekontrakt</p>"),
        "{html}"
    );
    assert!(html.contains("name=\"user_id\" value=\"anna\""), "{html}");

    // Approving without naming anyone takes the prefilled person.
    let approved = rp
        .host
        .control()
        .post(&format!("/logins/{id}/approve"), &json!({}))
        .await
        .unwrap();
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    let response = rp.browser.get(page).send().await.unwrap();
    let location = at_client(&rp, &response);
    let done = redeem(&rp, CLIENT_ID, &location, &pkce).await;
    assert_eq!(done.id_token["uuid"], anna["id"]);
    assert_eq!(done.id_token["authenticationtype"], SUBSTANTIAL);
    assert_eq!(done.id_token["loA"], "SUBSTANTIAL");
    // The message is not sent back (ledger: idura.ref-text).
    assert!(done.id_token.get("refTextBody").is_none());
    assert!(done.id_token.get("refTextHeader").is_none());
    assert_eq!(
        ledger_entry(&rp, "idura.ref-text").await["simulator"],
        "not sent"
    );
}

#[tokio::test]
async fn what_idura_does_not_simulate_is_an_error_at_the_client() {
    let rp = Rp::start_auto().await;
    let long = format!("message:{}", B64.encode("x".repeat(131)));
    let cases = [
        ("another e-ID", ("acr_values", "urn:grn:authn:se:bankid")),
        ("no level", ("acr_values", "urn:grn:authn:dk:mitid:extreme")),
        ("an unknown hint", ("login_hint", "frobnicate")),
        ("an unknown action", ("login_hint", "action:dance")),
        ("a message not base64", ("login_hint", "message:!!!")),
        ("a message too long", ("login_hint", long.as_str())),
    ];
    for (what, parameter) in cases {
        let response = http_client()
            .get(authorize_url(
                &rp,
                &Pkce::new(),
                &[("scope", "openid"), parameter],
            ))
            .send()
            .await
            .unwrap();
        let location = at_client(&rp, &response);
        assert_eq!(
            query(&location, "error").as_deref(),
            Some("invalid_request"),
            "{what}: {location}"
        );
        assert!(query(&location, "code").is_none(), "{what}");
    }
    // What the ledger says of them.
    assert!(ledger_entry(&rp, "idura.acr-values").await["simulator"]
        .as_str()
        .unwrap()
        .contains("another e-ID: invalid_request to the client"));
    assert!(ledger_entry(&rp, "idura.login-hint").await["simulator"]
        .as_str()
        .unwrap()
        .contains("other words: invalid_request"));
}

#[tokio::test]
async fn vatid_is_accepted_as_the_ledger_says() {
    let rp = Rp::start_auto().await;
    let done = login(
        &rp,
        &[
            ("scope", "openid"),
            ("acr_values", SUBSTANTIAL),
            ("login_hint", "vatid:DK12345674"),
        ],
    )
    .await;
    assert_eq!(done.id_token["identityscheme"], "dkmitid");
    assert!(
        ledger_entry(&rp, "idura.login-hint-vatid").await["simulator"]
            .as_str()
            .unwrap()
            .starts_with("accepted")
    );
}

// ---- tokens

#[tokio::test]
async fn the_id_token_has_the_members_and_string_values_of_the_mitid_samples() {
    let rp = Rp::start_auto().await;
    let done = login(&rp, &[("scope", "openid ssn"), ("acr_values", SUBSTANTIAL)]).await;
    let id_token = &done.id_token;
    let mut expected: Vec<&str> = PERSON_CLAIMS.to_vec();
    expected.extend(TOKEN_CLAIMS);
    expected.push("cprNumberIdentifier");
    assert_eq!(member_names(id_token), sorted(&expected));
    let header = jwt_header(done.tokens["id_token"].as_str().unwrap());
    assert_eq!(header["alg"], "RS256");

    // Every user value a string; the times numbers.
    for (name, value) in id_token.as_object().unwrap() {
        if ["iat", "nbf", "exp"].contains(&name.as_str()) {
            assert!(value.is_i64(), "{name}: {value}");
        } else {
            assert!(value.is_string(), "{name}: {value}");
        }
    }
    let anna = identity(&rp, "anna").await;
    assert_eq!(id_token["iss"], endpoint(&rp, ""));
    assert_eq!(id_token["aud"], CLIENT_ID);
    assert_eq!(id_token["nonce"], "nonce-456");
    assert_eq!(id_token["identityscheme"], "dkmitid");
    assert_eq!(id_token["authenticationtype"], SUBSTANTIAL);
    assert_eq!(id_token["loA"], "SUBSTANTIAL");
    for level in ["ial", "aal", "fal"] {
        assert!(is_caps_level(&id_token[level]), "{level}: {id_token}");
    }
    assert_pseudonym(id_token);
    assert_ne!(
        id_token["nameidentifier"],
        anna["id"].as_str().unwrap().replace('-', "")
    );
    assert!(is_guid(id_token["sessionindex"].as_str().unwrap()));
    assert_eq!(id_token["uuid"], anna["id"]);
    assert_eq!(
        id_token["cprNumberIdentifier"],
        anna["cpr"].as_str().unwrap().replace('-', "")
    );
    assert_eq!(id_token["birthdate"], anna["birthdate"]);
    assert_eq!(id_token["dateofbirth"], anna["birthdate"]);
    assert!(id_token["age"].as_str().unwrap().parse::<u32>().is_ok());
    assert_eq!(id_token["name"], "Anna Testesen");
    assert_eq!(id_token["country"], "DK");
    // authenticationmethod: <method>:<ms>:<four levels>; authenticationinstant: ISO 8601.
    let method = id_token["authenticationmethod"].as_str().unwrap();
    let parts: Vec<&str> = method.split(':').collect();
    assert_eq!(parts.len(), 6, "{method}");
    assert!(["app", "pwd", "otp", "u2f"].contains(&parts[0]), "{method}");
    assert!(parts[1].parse::<u64>().is_ok(), "{method}");
    assert!(
        parts[2..].iter().all(|l| is_caps_level(&json!(l))),
        "{method}"
    );
    let instant = id_token["authenticationinstant"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(instant, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "{instant}"
    );
    // None of the samples has these.
    for absent in ["auth_time", "amr", "acr", "sid", "at_hash"] {
        assert!(id_token.get(absent).is_none(), "{absent}");
    }
    // The ledger's lifetime (idura.token-lifetime).
    assert_eq!(
        id_token["exp"].as_i64().unwrap() - id_token["iat"].as_i64().unwrap(),
        1200
    );
    assert_eq!(
        ledger_entry(&rp, "idura.token-lifetime").await["simulator"],
        "1200 s"
    );
}

#[tokio::test]
async fn without_ssn_there_is_no_cpr() {
    let rp = Rp::start_auto().await;
    let done = login(&rp, &[("scope", "openid"), ("acr_values", SUBSTANTIAL)]).await;
    let mut expected: Vec<&str> = PERSON_CLAIMS.to_vec();
    expected.extend(TOKEN_CLAIMS);
    assert_eq!(member_names(&done.id_token), sorted(&expected));
}

#[tokio::test]
async fn sub_is_one_pseudonym_per_tenant_across_applications() {
    let rp = Rp::start_auto().await;
    register_client(
        &rp.host,
        json!({"client_id": "other", "redirect_uris": [REDIRECT_URI]}),
    )
    .await;
    register_client(
        &rp.host,
        json!({"client_id": "elsewhere", "redirect_uris": ["https://other.example/cb"], "sector_identifier": "other.example"}),
    )
    .await;
    let first = login(&rp, &[("scope", "openid")]).await.id_token;
    let second = login(&rp, &[("scope", "openid"), ("client_id", "other")])
        .await
        .id_token;
    assert_eq!(first["sub"], second["sub"]);
    assert_eq!(first["nameidentifier"], second["nameidentifier"]);
    assert_eq!(second["aud"], "other");
    let bo = login(
        &rp,
        &[
            ("scope", "openid"),
            ("login_hint", "uuid:2c9e8a41-0d6b-4f3a-b1e2-8a7c5d4f3e02"),
        ],
    )
    .await
    .id_token;
    assert_ne!(first["sub"], bo["sub"]);
    assert_eq!(bo["uuid"], "2c9e8a41-0d6b-4f3a-b1e2-8a7c5d4f3e02");
}

#[tokio::test]
async fn userinfo_is_the_persons_claims_of_the_id_token() {
    let rp = Rp::start_auto().await;
    let done = login(&rp, &[("scope", "openid ssn"), ("acr_values", SUBSTANTIAL)]).await;
    let response = userinfo_at(
        &endpoint(&rp, "/oauth2/userinfo"),
        done.tokens["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let info: Value = response.json().await.unwrap();
    let mut expected: Vec<&str> = PERSON_CLAIMS.to_vec();
    expected.push("cprNumberIdentifier");
    assert_eq!(member_names(&info), sorted(&expected));
    for (name, value) in info.as_object().unwrap() {
        assert!(value.is_string(), "{name}: {value}");
        assert_eq!(value, &done.id_token[name], "{name}");
    }
    assert!(ledger_entry(&rp, "idura.userinfo").await["simulator"]
        .as_str()
        .unwrap()
        .contains("the person's claims of the ID token"));
}

#[tokio::test]
async fn the_access_token_is_opaque() {
    let rp = Rp::start_auto().await;
    let done = login(&rp, &[("scope", "openid")]).await;
    let access = done.tokens["access_token"].as_str().unwrap();
    assert_eq!(access.split('.').count(), 1, "{access}");
    assert_eq!(done.tokens["token_type"], "Bearer");
    assert!(done.tokens["expires_in"].is_u64());
}

// ---- MitID Erhverv

/// The login page's step and CSRF token.
async fn screen(browser: &reqwest::Client, page: &Url) -> (String, String, String) {
    let response = browser.get(page.clone()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "GET {page}");
    let html = response.text().await.unwrap();
    let step = between(&html, "data-step=\"", "\"").to_string();
    let csrf = csrf_of(&html);
    (step, csrf, html)
}

async fn submit(browser: &reqwest::Client, page: &Url, form: &[(&str, &str)]) -> reqwest::Response {
    browser.post(page.clone()).form(form).send().await.unwrap()
}

/// Jens logs in through the screens with `acr_values=...:business`: user ID, the app (its
/// code approved in his simulated app), and his business identity.
async fn jens_on_the_screens(rp: &Rp, extra: &[(&str, &str)]) -> Login {
    let browser = http_client();
    let pkce = Pkce::new();
    let mut params = vec![("scope", "openid")];
    params.extend_from_slice(extra);
    let response = browser
        .get(authorize_url(rp, &pkce, &params))
        .send()
        .await
        .unwrap();
    let txn = login_id_of(&response);
    let page = redirect_to(&response);
    let (step, csrf, _) = screen(&browser, &page).await;
    assert_eq!(step, "user_id");
    let r = submit(
        &browser,
        &page,
        &[("csrf", &csrf), ("action", "user_id"), ("user_id", "jens")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (mut step, mut csrf, mut html) = screen(&browser, &page).await;
    if step == "choose" {
        let r = submit(
            &browser,
            &page,
            &[("csrf", &csrf), ("action", "choose"), ("method", "app")],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        (step, csrf, html) = screen(&browser, &page).await;
    }
    assert_eq!(step, "app", "{html}");
    let _ = csrf;
    let code = between(&html, "id=\"app-code\">", "<").to_string();
    let approved = rp
        .host
        .control()
        .post(
            &format!("/identities/jens/app/requests/{txn}/approve"),
            &json!({ "code": code }),
        )
        .await
        .unwrap();
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    let (step, csrf, html) = screen(&browser, &page).await;
    assert_eq!(step, "business", "{html}");
    assert!(
        html.contains(&format!("name=\"business\" value=\"{JENS_PROFESSIONAL}\"")),
        "{html}"
    );
    let response = submit(
        &browser,
        &page,
        &[
            ("csrf", &csrf),
            ("action", "business"),
            ("business", JENS_PROFESSIONAL),
        ],
    )
    .await;
    let location = at_client(rp, &response);
    redeem(rp, CLIENT_ID, &location, &pkce).await
}

fn assert_jens_as_signatory(id_token: &Value) {
    assert_eq!(id_token["identityscheme"], "dkmitid");
    assert_eq!(id_token["authenticationtype"], BUSINESS);
    assert_eq!(id_token["uuid"], JENS_PROFESSIONAL);
    assert_eq!(id_token["cvrNumberIdentifier"], "12345674");
    assert_eq!(id_token["2.5.4.10"], "Simulatorfirmaet ApS");
    assert_eq!(id_token["companySignatory"], "true");
    assert!(id_token.get("employee").is_none(), "{id_token}");
    assert!(id_token.get("ridNumberIdentifier").is_none(), "{id_token}");
    assert_pseudonym(id_token);
    let mut expected: Vec<&str> = PERSON_CLAIMS.to_vec();
    expected.extend(TOKEN_CLAIMS);
    expected.extend(["cvrNumberIdentifier", "2.5.4.10", "companySignatory"]);
    assert_eq!(member_names(id_token), sorted(&expected));
    for (name, value) in id_token.as_object().unwrap() {
        if !["iat", "nbf", "exp"].contains(&name.as_str()) {
            assert!(value.is_string(), "{name}: {value}");
        }
    }
}

#[tokio::test]
async fn a_mitid_erhverv_login_on_the_screens_gives_business_claims_and_another_sub() {
    let rp = Rp::start().await;
    let business = jens_on_the_screens(&rp, &[("acr_values", BUSINESS)]).await;
    assert_jens_as_signatory(&business.id_token);

    // The same person's private login: another sub, nameidentifier and uuid
    // (danish-mitid-erhverv.mdx).
    let private = approved_as(
        &rp,
        "jens",
        &[("scope", "openid"), ("acr_values", SUBSTANTIAL)],
    )
    .await
    .id_token;
    assert_eq!(private["authenticationtype"], SUBSTANTIAL);
    assert!(private.get("cvrNumberIdentifier").is_none(), "{private}");
    for differs in ["sub", "nameidentifier", "uuid"] {
        assert_ne!(private[differs], business.id_token[differs], "{differs}");
    }
    assert_eq!(private["uuid"], identity(&rp, "jens").await["id"]);
}

#[tokio::test]
async fn a_mitid_erhverv_login_approved_through_the_control_api_is_a_business_login() {
    let rp = Rp::start().await;
    let screens = jens_on_the_screens(&rp, &[("acr_values", BUSINESS)]).await;
    let decided = approved_as(
        &rp,
        "jens",
        &[("scope", "openid"), ("acr_values", BUSINESS)],
    )
    .await
    .id_token;
    assert_jens_as_signatory(&decided);
    assert_eq!(decided["sub"], screens.id_token["sub"]);
}

#[tokio::test]
async fn an_employee_has_the_employee_claims_and_a_rid() {
    let rp = Rp::start_auto().await;
    let done = login(
        &rp,
        &[
            ("scope", "openid"),
            ("acr_values", BUSINESS),
            ("login_hint", "uuid:e5a6c7d8-4f51-4092-83b4-3e2f1a0b9c08"),
        ],
    )
    .await;
    let id_token = &done.id_token;
    assert_eq!(id_token["uuid"], IDA_PROFESSIONAL, "{id_token}");
    assert_eq!(id_token["employee"], "true");
    assert_eq!(id_token["ridNumberIdentifier"], "45371");
    assert!(id_token.get("companySignatory").is_none(), "{id_token}");
}

// ---- error envelopes, what is not emulated, the ledger

#[tokio::test]
async fn token_and_userinfo_errors_carry_error_and_description() {
    let rp = Rp::start_auto().await;
    let response = redeem_at(
        &endpoint(&rp, "/oauth2/token"),
        CLIENT_ID,
        "not-a-code",
        &Pkce::new(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].is_string(), "{body}");

    let response = userinfo_at(&endpoint(&rp, "/oauth2/userinfo"), "not-a-token").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()[WWW_AUTHENTICATE].to_str().unwrap();
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
}

#[tokio::test]
async fn ciba_and_headless_answer_501_naming_their_ledger_entries() {
    let rp = Rp::start().await;
    assert_not_emulated(&rp, "/idura/ciba/bc-authorize", "idura.ciba").await;
    assert_not_emulated(&rp, "/idura/headless/authorize", "idura.headless").await;
}

#[tokio::test]
async fn the_ledger_lists_only_iduras_entries_for_idura() {
    let rp = Rp::start().await;
    let entries = ledger_of(&rp, "idura").await;
    assert!(!entries.is_empty());
    for entry in &entries {
        assert_eq!(entry["profile"], "idura", "{entry}");
        assert!(
            entry["id"].as_str().unwrap().starts_with("idura."),
            "{entry}"
        );
        assert!(!entry["evidence"].as_str().unwrap().is_empty(), "{entry}");
    }
    let ids: Vec<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
    for id in [
        "idura.acr-values",
        "idura.id-token",
        "idura.ciba",
        "idura.par",
    ] {
        assert!(ids.contains(&id), "{id}: {ids:?}");
    }
}
