//! The implicit and hybrid response types (OIDC Core 3.2, 3.3; OAuth 2.0 Multiple Response
//! Type Encoding Practices): what comes back in the fragment, the hashes that bind the ID
//! token to it, the nonce rule, and the client's registered `response_types`.

use crate::support::*;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use url::Url;

const ALL_TYPES: [&str; 6] = [
    "code",
    "id_token",
    "id_token token",
    "code id_token",
    "code token",
    "code id_token token",
];

/// An auto-approving broker whose test client may use every response type.
async fn start() -> Rp {
    let host = broker::host::TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    register_client(&host, json!({ "response_types": ALL_TYPES })).await;
    Rp {
        host,
        browser: http_client(),
    }
}

/// A parameter of the response in the fragment.
pub fn fragment(url: &Url, name: &str) -> Option<String> {
    url::form_urlencoded::parse(url.fragment().unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The left half of SHA-256, base64url: `at_hash`, `c_hash`, `s_hash` (OIDC Core 3.3.2.11).
fn half_hash(value: &str) -> String {
    B64.encode(&Sha256::digest(value.as_bytes())[..16])
}

/// The redirect back to the test client, answered in the fragment, with `state` and `iss`.
fn fragment_response(rp: &Rp, response: &reqwest::Response) -> Url {
    let location = redirect_to(response);
    assert!(location.as_str().starts_with(REDIRECT_URI), "{location}");
    assert_eq!(location.query(), None, "nothing in the query: {location}");
    assert_eq!(fragment(&location, "state").as_deref(), Some("state-123"));
    assert_eq!(fragment(&location, "iss").as_deref(), Some(rp.issuer()));
    location
}

async fn userinfo(rp: &Rp, access_token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn id_token_flow_returns_a_signed_id_token_with_the_scope_claims_in_the_fragment() {
    let rp = start().await;
    let response = rp
        .authorize(&Pkce::new(), &[("response_type", "id_token")])
        .await;
    let location = fragment_response(&rp, &response);
    assert_eq!(fragment(&location, "code"), None);
    assert_eq!(fragment(&location, "access_token"), None);
    let id_token = fragment(&location, "id_token").expect("an id_token");
    verify_signature(&rp, &id_token).await;
    let claims = claims(&id_token);
    assert_eq!(claims["iss"], rp.issuer());
    assert_eq!(claims["aud"], CLIENT_ID);
    assert_eq!(claims["nonce"], "nonce-456");
    assert_eq!(claims["s_hash"], half_hash("state-123"));
    assert!(claims.get("at_hash").is_none(), "{claims}");
    assert!(claims.get("c_hash").is_none(), "{claims}");
    // No access token can fetch the profile and email claims, so they are in the ID token.
    assert_eq!(claims["given_name"], "Anna", "{claims}");
    assert!(claims["email"].is_string(), "{claims}");
}

#[tokio::test]
async fn id_token_token_binds_the_access_token_with_at_hash() {
    let rp = start().await;
    let response = rp
        .authorize(&Pkce::new(), &[("response_type", "id_token token")])
        .await;
    let location = fragment_response(&rp, &response);
    let access_token = fragment(&location, "access_token").expect("an access_token");
    assert_eq!(fragment(&location, "token_type").as_deref(), Some("Bearer"));
    assert!(
        fragment(&location, "expires_in")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    assert_eq!(fragment(&location, "refresh_token"), None);
    let claims = claims(&fragment(&location, "id_token").unwrap());
    assert_eq!(claims["at_hash"], half_hash(&access_token));
    assert!(claims.get("c_hash").is_none(), "{claims}");
    // The access token fetches the scope claims, so they stay out of the ID token.
    assert!(claims.get("given_name").is_none(), "{claims}");
    let info = userinfo(&rp, &access_token).await;
    assert_eq!(info.status(), StatusCode::OK);
    let info: Value = info.json().await.unwrap();
    assert_eq!(info["sub"], claims["sub"]);
    assert_eq!(info["given_name"], "Anna");
}

#[tokio::test]
async fn code_id_token_token_hashes_code_token_and_state_and_the_code_still_redeems() {
    let rp = start().await;
    let pkce = Pkce::new();
    let response = rp
        .authorize(&pkce, &[("response_type", "code id_token token")])
        .await;
    let location = fragment_response(&rp, &response);
    let code = fragment(&location, "code").expect("a code");
    let access_token = fragment(&location, "access_token").expect("an access_token");
    let front = claims(&fragment(&location, "id_token").expect("an id_token"));
    assert_eq!(front["c_hash"], half_hash(&code));
    assert_eq!(front["at_hash"], half_hash(&access_token));
    assert_eq!(front["s_hash"], half_hash("state-123"));
    assert_eq!(front["nonce"], "nonce-456");
    assert_eq!(userinfo(&rp, &access_token).await.status(), StatusCode::OK);

    let tokens = rp.exchange(&code, &pkce).await;
    assert_eq!(tokens.status(), StatusCode::OK);
    let tokens: Value = tokens.json().await.unwrap();
    let back = claims(tokens["id_token"].as_str().unwrap());
    // OIDC Core 3.3.3.6: the same iss and sub from both endpoints.
    assert_eq!(back["iss"], front["iss"]);
    assert_eq!(back["sub"], front["sub"]);
    assert_eq!(back["nonce"], "nonce-456");
    assert_eq!(
        back["at_hash"],
        half_hash(tokens["access_token"].as_str().unwrap())
    );
    assert!(back.get("c_hash").is_none(), "{back}");
    assert!(tokens["refresh_token"].is_string(), "offline_access kept");
}

#[tokio::test]
async fn code_token_returns_no_id_token_from_the_authorization_endpoint() {
    let rp = start().await;
    let pkce = Pkce::new();
    let response = rp
        .authorize(&pkce, &[("response_type", "code token")])
        .await;
    let location = fragment_response(&rp, &response);
    assert_eq!(fragment(&location, "id_token"), None);
    let access_token = fragment(&location, "access_token").unwrap();
    assert_eq!(userinfo(&rp, &access_token).await.status(), StatusCode::OK);
    let code = fragment(&location, "code").unwrap();
    let tokens = rp.exchange(&code, &pkce).await;
    assert_eq!(tokens.status(), StatusCode::OK);
}

#[tokio::test]
async fn code_id_token_then_a_replayed_code_revokes_the_front_channel_token_too() {
    let rp = start().await;
    let pkce = Pkce::new();
    let response = rp
        .authorize(&pkce, &[("response_type", "code id_token token")])
        .await;
    let location = fragment_response(&rp, &response);
    let code = fragment(&location, "code").unwrap();
    let access_token = fragment(&location, "access_token").unwrap();
    assert_eq!(rp.exchange(&code, &pkce).await.status(), StatusCode::OK);
    assert_eq!(
        rp.exchange(&code, &pkce).await.status(),
        StatusCode::BAD_REQUEST
    );
    // One grant: the replay revokes what the authorization endpoint issued as well.
    assert_eq!(
        userinfo(&rp, &access_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn implicit_and_hybrid_requests_without_nonce_fail_in_the_fragment() {
    let rp = start().await;
    for rt in &ALL_TYPES[1..] {
        let response = rp
            .authorize(&Pkce::new(), &[("response_type", rt), ("nonce", "")])
            .await;
        let location = fragment_response(&rp, &response);
        assert_eq!(
            fragment(&location, "error").as_deref(),
            Some("invalid_request"),
            "{rt}: {location}"
        );
        assert_eq!(fragment(&location, "id_token"), None);
    }
    // The code flow does not need one.
    let response = rp.authorize(&Pkce::new(), &[("nonce", "")]).await;
    assert!(query(&redirect_to(&response), "code").is_some());
}

#[tokio::test]
async fn a_client_registered_for_code_only_is_unauthorized_for_id_token() {
    let rp = Rp::start_auto().await;
    let response = rp
        .authorize(&Pkce::new(), &[("response_type", "id_token")])
        .await;
    let location = fragment_response(&rp, &response);
    assert_eq!(
        fragment(&location, "error").as_deref(),
        Some("unauthorized_client"),
        "{location}"
    );
}

#[tokio::test]
async fn bare_token_and_unknown_types_are_unsupported_in_the_query() {
    let rp = start().await;
    for rt in ["token", "none", "code foo"] {
        let response = rp.authorize(&Pkce::new(), &[("response_type", rt)]).await;
        let location = redirect_to(&response);
        assert_eq!(
            query(&location, "error").as_deref(),
            Some("unsupported_response_type"),
            "{rt}: {location}"
        );
        assert_eq!(location.fragment(), None);
    }
}

#[tokio::test]
async fn implicit_flow_drops_offline_access() {
    let rp = start().await;
    let response = rp
        .authorize(&Pkce::new(), &[("response_type", "id_token token")])
        .await;
    let location = fragment_response(&rp, &response);
    let access_token = fragment(&location, "access_token").unwrap();
    let introspection: Value = reqwest::Client::new()
        .post(rp.url("/token/introspect"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("token", access_token.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(introspection["active"], true, "{introspection}");
    let scope = introspection["scope"].as_str().unwrap();
    assert!(scope.contains("profile"), "{scope}");
    assert!(!scope.contains("offline_access"), "{scope}");
}

#[tokio::test]
async fn a_parked_hybrid_login_finishes_in_the_fragment() {
    let host = broker::host::TestHost::start().await.unwrap();
    register_client(&host, json!({ "response_types": ALL_TYPES })).await;
    let rp = Rp {
        host,
        browser: http_client(),
    };
    let response = rp
        .authorize(&Pkce::new(), &[("response_type", "code id_token")])
        .await;
    let login = redirect_to(&response);
    let id = login.path().rsplit('/').next().unwrap().to_string();
    let approved = rp
        .host
        .control()
        .post(
            &format!("/logins/{id}/approve"),
            &json!({"user_id": "anna"}),
        )
        .await
        .unwrap();
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    let response = rp.browser.get(login).send().await.unwrap();
    let location = fragment_response(&rp, &response);
    let code = fragment(&location, "code").unwrap();
    let claims = claims(&fragment(&location, "id_token").unwrap());
    assert_eq!(claims["c_hash"], half_hash(&code));
}

#[tokio::test]
async fn registration_refuses_unknown_response_types() {
    let host = broker::host::TestHost::start().await.unwrap();
    let response = host
        .control()
        .post(
            "/clients",
            &json!({"client_id": "x", "redirect_uris": [REDIRECT_URI], "response_types": ["token"]}),
        )
        .await
        .unwrap();
    assert_eq!(response.status, 400, "{:?}", response.body);
    let response = host
        .control()
        .post(
            "/clients",
            &json!({"client_id": "y", "redirect_uris": [REDIRECT_URI]}),
        )
        .await
        .unwrap();
    assert_eq!(response.body["response_types"], json!(["code"]));
}

#[tokio::test]
async fn discovery_lists_the_response_types_and_the_implicit_grant() {
    let rp = start().await;
    let doc = rp.discovery().await;
    assert_eq!(doc["response_types_supported"], json!(ALL_TYPES));
    let grants = doc["grant_types_supported"].as_array().unwrap();
    assert!(grants.contains(&json!("implicit")), "{grants:?}");
    let modes = doc["response_modes_supported"].as_array().unwrap();
    assert!(modes.contains(&json!("fragment")), "{modes:?}");
}

/// The hidden inputs of a form_post page, unescaped, in order.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        s.replace("&#34;", "\"")
            .replace("&#39;", "'")
            .replace("&#60;", "<")
            .replace("&#62;", ">")
            .replace("&#38;", "&")
    };
    let mut fields = Vec::new();
    for chunk in html.split("<input type=\"hidden\" name=\"").skip(1) {
        let (name, rest) = chunk.split_once("\" value=\"").unwrap();
        let value = rest.split_once('"').unwrap().0;
        fields.push((unescape(name), unescape(value)));
    }
    fields
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A form_post page: 200, never cached, a CSP that lets only its own script run and the form
/// go only to the client's origin; returns the fields it posts.
async fn form_post_page(rp: &Rp, response: reqwest::Response) -> Vec<(String, String)> {
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("form-action https://rp.example;"), "{csp}");
    let html = response.text().await.unwrap();
    let script = html
        .split_once("<script>")
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(script, _)| script)
        .expect("one script");
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
    assert!(
        csp.contains(&format!("script-src 'sha256-{hash}'")),
        "{csp}"
    );
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    assert!(
        html.contains(&format!("<form method=\"post\" action=\"{REDIRECT_URI}\">")),
        "{html}"
    );
    let fields = form_fields(&html);
    assert_eq!(field(&fields, "iss"), Some(rp.issuer()));
    fields
}

#[tokio::test]
async fn form_post_posts_the_code_and_state_to_the_redirect_uri() {
    let rp = start().await;
    let pkce = Pkce::new();
    let state = "\"><script>alert(1)</script>&x=1";
    let response = rp
        .authorize(&pkce, &[("response_mode", "form_post"), ("state", state)])
        .await;
    let fields = form_post_page(&rp, response).await;
    assert_eq!(field(&fields, "state"), Some(state), "escaped and intact");
    let code = field(&fields, "code").expect("a code");
    assert_eq!(rp.exchange(code, &pkce).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn form_post_carries_implicit_tokens_and_errors() {
    let rp = start().await;
    let response = rp
        .authorize(
            &Pkce::new(),
            &[
                ("response_type", "id_token token"),
                ("response_mode", "form_post"),
            ],
        )
        .await;
    let fields = form_post_page(&rp, response).await;
    let id_token = claims(field(&fields, "id_token").expect("an id_token"));
    assert_eq!(
        id_token["at_hash"],
        half_hash(field(&fields, "access_token").unwrap())
    );
    assert_eq!(field(&fields, "state"), Some("state-123"));

    // An error goes the same way: prompt=none in a browser without a session.
    let url = rp.authorize_url(
        &Pkce::new(),
        &[("response_mode", "form_post"), ("prompt", "none")],
    );
    let response = http_client().get(url).send().await.unwrap();
    let fields = form_post_page(&rp, response).await;
    assert_eq!(field(&fields, "error"), Some("login_required"));
    assert_eq!(field(&fields, "code"), None);
}

#[tokio::test]
async fn response_mode_query_is_refused_for_tokens_and_fragment_works_for_code() {
    let rp = start().await;
    let response = rp
        .authorize(
            &Pkce::new(),
            &[
                ("response_type", "code id_token"),
                ("response_mode", "query"),
            ],
        )
        .await;
    // Refused, and the error itself never goes in the query.
    let location = fragment_response(&rp, &response);
    assert_eq!(
        fragment(&location, "error").as_deref(),
        Some("invalid_request")
    );

    let pkce = Pkce::new();
    let response = rp.authorize(&pkce, &[("response_mode", "fragment")]).await;
    let location = fragment_response(&rp, &response);
    let code = fragment(&location, "code").unwrap();
    assert_eq!(rp.exchange(&code, &pkce).await.status(), StatusCode::OK);

    let response = rp
        .authorize(&Pkce::new(), &[("response_mode", "web_message")])
        .await;
    let location = redirect_to(&response);
    assert_eq!(
        query(&location, "error").as_deref(),
        Some("invalid_request")
    );
}

#[tokio::test]
async fn discovery_lists_the_response_modes() {
    let rp = start().await;
    let doc = rp.discovery().await;
    assert_eq!(
        doc["response_modes_supported"],
        json!(["query", "fragment", "form_post"])
    );
}
