use crate::support::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    RedirectUrl, Scope, TokenResponse,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

async fn identity_id(rp: &Rp, user: &str) -> String {
    let r = rp
        .host
        .control()
        .get(&format!("/identities/{user}"))
        .await
        .unwrap();
    r.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn raw_code_flow_with_every_redirect_asserted() {
    let rp = Rp::start().await;
    let pkce = Pkce::new();

    // 1. authorize parks the login and sends the browser to the login page.
    let r = rp.authorize(&pkce, &[]).await;
    let login_page = redirect_to(&r);
    assert!(
        login_page.as_str().starts_with(&rp.url("/login/")),
        "{login_page}"
    );

    // 2. the page lists the identities; a test approves through the control API.
    let page = rp.browser.get(login_page.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("anna"));
    let pending = rp.host.control().get("/logins").await.unwrap();
    let txn = pending.body[0]["id"].as_str().unwrap().to_string();
    let approved = rp
        .host
        .control()
        .post(
            &format!("/logins/{txn}/approve"),
            &json!({"user_id": "anna"}),
        )
        .await
        .unwrap();
    assert_eq!(approved.status, 200, "{:?}", approved.body);

    // 3. the page moves on: a redirect to the client with code, state and iss.
    let r = rp.browser.get(login_page).send().await.unwrap();
    let back = redirect_to(&r);
    assert!(back.as_str().starts_with(REDIRECT_URI));
    assert_eq!(query(&back, "state").as_deref(), Some("state-123"));
    assert_eq!(query(&back, "iss").as_deref(), Some(rp.issuer()));
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
    let code = query(&back, "code").unwrap();
    assert!(
        B64.decode(&code).unwrap().len() >= 16,
        "a code carries at least 128 bits"
    );

    // 4. token, then userinfo.
    let tokens: Value = rp.exchange(&code, &pkce).await.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    let claims = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["sub"], identity_id(&rp, "anna").await);
    assert_eq!(claims["nonce"], "nonce-456");
    let info: Value = reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["sub"], claims["sub"]);
    assert_eq!(info["name"], "Anna Testesen");
}

#[tokio::test]
async fn id_token_has_every_claim_and_a_correct_at_hash() {
    let rp = Rp::start_auto().await;
    let tokens = rp
        .login(&[(
            "acr_values",
            "https://data.gov.dk/concept/core/nsis/Substantial",
        )])
        .await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let header: Value =
        serde_json::from_slice(&B64.decode(id_token.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    let jwks: keys::Jwks = reqwest::get(rp.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(jwks.find(header["kid"].as_str().unwrap()).is_some());

    let c = claims(id_token);
    let now = rp.host.clock().now();
    assert_eq!(c["iss"], rp.issuer());
    assert_eq!(c["aud"], CLIENT_ID);
    assert_eq!(c["azp"], CLIENT_ID);
    assert_eq!(c["iat"], now);
    assert_eq!(c["auth_time"], now);
    assert!(c["exp"].as_i64().unwrap() > now);
    assert_eq!(c["nonce"], "nonce-456");
    assert_eq!(
        c["acr"],
        "https://data.gov.dk/concept/core/nsis/Substantial"
    );
    assert!(c["amr"].is_array());
    assert!(c["sid"].is_string());
    let digest = Sha256::digest(tokens["access_token"].as_str().unwrap().as_bytes());
    assert_eq!(c["at_hash"], B64.encode(&digest[..16]));
}

#[tokio::test]
async fn openidconnect_verifies_the_id_token_against_the_jwks() {
    let rp = Rp::start_auto().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let metadata = CoreProviderMetadata::discover_async(
        IssuerUrl::new(rp.issuer().to_string()).unwrap(),
        &http,
    )
    .await
    .unwrap();
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(CLIENT_ID.into()),
        Some(ClientSecret::new(CLIENT_SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT_URI.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let back = redirect_to(&rp.browser.get(url).send().await.unwrap());
    assert_eq!(
        query(&back, "state").as_deref(),
        Some(csrf.secret().as_str())
    );
    let code = query(&back, "code").unwrap();
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let id_token = response.id_token().unwrap();
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .unwrap();
    assert_eq!(claims.issuer().as_str(), rp.issuer());
    assert_eq!(claims.audiences()[0].as_str(), CLIENT_ID);
    // A wrong nonce is refused by the same verifier.
    assert!(id_token
        .claims(&client.id_token_verifier(), &Nonce::new("other".into()))
        .is_err());
}

#[tokio::test]
async fn authorize_by_post_form_works_like_get() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let url = rp.authorize_url(&pkce, &[]);
    let form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let r = rp
        .browser
        .post(rp.url("/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let back = redirect_to(&r);
    let code = query(&back, "code").unwrap();
    assert_eq!(rp.exchange(&code, &pkce).await.status(), 200);
}

#[tokio::test]
async fn unknown_parameters_and_scopes_are_ignored_in_any_order() {
    let rp = Rp::start_auto().await;
    let tokens = rp
        .login(&[("scope", "email unknown openid profile"), ("foo", "bar")])
        .await;
    assert_eq!(tokens["scope"], "openid email profile");
}

#[tokio::test]
async fn session_answers_prompt_none_and_prompt_login_forces_a_new_login() {
    let rp = Rp::start_auto().await;
    let first = claims(rp.login(&[]).await["id_token"].as_str().unwrap());

    rp.host.clock().advance(30);
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[("prompt", "none")]).await;
    let second: Value = rp.exchange(&code, &pkce).await.json().await.unwrap();
    let second = claims(second["id_token"].as_str().unwrap());
    assert_eq!(
        second["auth_time"], first["auth_time"],
        "SSO keeps auth_time"
    );
    assert_eq!(second["sid"], first["sid"]);

    rp.host.clock().advance(30);
    let third = claims(
        rp.login(&[("prompt", "login")]).await["id_token"]
            .as_str()
            .unwrap(),
    );
    assert!(third["auth_time"].as_i64() > first["auth_time"].as_i64());
    assert_ne!(third["sid"], first["sid"]);
}

#[tokio::test]
async fn exceeded_max_age_forces_a_new_login() {
    let rp = Rp::start_auto().await;
    let first = claims(rp.login(&[]).await["id_token"].as_str().unwrap());
    rp.host.clock().advance(100);
    let within = claims(
        rp.login(&[("max_age", "1000")]).await["id_token"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(within["auth_time"], first["auth_time"]);
    let exceeded = claims(
        rp.login(&[("max_age", "50")]).await["id_token"]
            .as_str()
            .unwrap(),
    );
    assert!(exceeded["auth_time"].as_i64() > first["auth_time"].as_i64());
}

#[tokio::test]
async fn acr_above_the_identity_level_is_refused_and_below_is_met() {
    let rp = Rp::start_auto().await;
    let high = "https://data.gov.dk/concept/core/nsis/High";
    // carl reaches only Low.
    let r = rp
        .authorize(
            &Pkce::new(),
            &[("login_hint", "carl"), ("acr_values", high)],
        )
        .await;
    assert_eq!(
        query(&redirect_to(&r), "error").as_deref(),
        Some("access_denied")
    );
    // bo reaches High.
    let c = claims(
        rp.login(&[("login_hint", "bo"), ("acr_values", high)])
            .await["id_token"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(c["acr"], high);
}

#[tokio::test]
async fn es256_and_ps256_clients_get_tokens_signed_their_way() {
    let rp = Rp::start_auto().await;
    let jwks: keys::Jwks = reqwest::get(rp.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for alg in ["ES256", "PS256"] {
        let id = format!("client-{alg}");
        register_client(
            &rp.host,
            json!({"client_id": id, "id_token_signed_response_alg": alg}),
        )
        .await;
        let pkce = Pkce::new();
        let code = rp.code(&pkce, &[("client_id", &id)]).await;
        let r = rp.exchange_as(&id, CLIENT_SECRET, &code, &pkce).await;
        let tokens: Value = r.json().await.unwrap();
        let token = tokens["id_token"].as_str().unwrap();
        let header = keys::decode_unverified_header(token).unwrap();
        assert_eq!(header.alg, alg);
        let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        jwk.verify(
            keys::Alg::parse(alg).unwrap(),
            input.as_bytes(),
            &B64.decode(sig).unwrap(),
        )
        .unwrap();
    }
}

#[tokio::test]
async fn pairwise_subjects_differ_by_sector_and_stay_stable() {
    let rp = Rp::start_auto().await;
    register_client(
        &rp.host,
        json!({"client_id": "pairwise", "subject_type": "pairwise", "sector_identifier": "sector-a"}),
    )
    .await;
    let public = claims(rp.login(&[]).await["id_token"].as_str().unwrap())["sub"].clone();
    let mut subs = Vec::new();
    for _ in 0..2 {
        let pkce = Pkce::new();
        let code = rp.code(&pkce, &[("client_id", "pairwise")]).await;
        let r = rp
            .exchange_as("pairwise", CLIENT_SECRET, &code, &pkce)
            .await;
        let tokens: Value = r.json().await.unwrap();
        subs.push(claims(tokens["id_token"].as_str().unwrap())["sub"].clone());
    }
    assert_eq!(subs[0], subs[1], "stable");
    assert_ne!(subs[0], public, "not the public subject");
}
