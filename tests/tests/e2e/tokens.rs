use crate::support::*;
use serde_json::{json, Value};

fn at(tokens: &Value) -> String {
    tokens["access_token"].as_str().unwrap().to_string()
}

async fn refresh(rp: &Rp, token: &str) -> reqwest::Response {
    rp.token(&[("grant_type", "refresh_token"), ("refresh_token", token)])
        .await
}

#[tokio::test]
async fn refresh_rotates_and_keeps_the_subject_and_auth_time() {
    let rp = Rp::start_auto().await;
    let tokens = rp.login(&[]).await;
    let first_refresh = tokens["refresh_token"].as_str().unwrap();
    let original = claims(tokens["id_token"].as_str().unwrap());

    rp.host.clock().advance(10);
    let r = refresh(&rp, first_refresh).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let renewed: Value = r.json().await.unwrap();
    let second_refresh = renewed["refresh_token"].as_str().unwrap();
    assert_ne!(second_refresh, first_refresh, "rotated");
    let c = claims(renewed["id_token"].as_str().unwrap());
    for claim in ["iss", "sub", "aud", "azp", "auth_time", "acr"] {
        assert_eq!(c[claim], original[claim], "{claim}");
    }
    assert!(c["iat"].as_i64() > original["iat"].as_i64());

    // The renewed access token works; the used refresh token does not, and using it again
    // revokes the grant, the renewed tokens included.
    let userinfo = reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .bearer_auth(at(&renewed))
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 200);
    let replay = refresh(&rp, first_refresh).await;
    assert_eq!(replay.status(), 400);
    assert_eq!(
        replay.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    assert_eq!(refresh(&rp, second_refresh).await.status(), 400);
}

#[tokio::test]
async fn refresh_token_only_with_offline_access_and_only_for_its_client() {
    let rp = Rp::start_auto().await;
    let without = rp.login(&[("scope", "openid profile")]).await;
    assert!(without.get("refresh_token").is_none());

    let tokens = rp.login(&[]).await;
    register_client(&rp.host, json!({"client_id": "other"})).await;
    let r = reqwest::Client::new()
        .post(rp.url("/token"))
        .basic_auth("other", Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
    // Still usable by its own client.
    assert_eq!(
        refresh(&rp, tokens["refresh_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn userinfo_by_get_post_header_and_post_body() {
    let rp = Rp::start_auto().await;
    let tokens = rp
        .login(&[("scope", "openid profile email address phone")])
        .await;
    let token = at(&tokens);
    let sub = claims(tokens["id_token"].as_str().unwrap())["sub"].clone();
    let http = reqwest::Client::new();
    let by_get: Value = http
        .get(rp.url("/userinfo"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let by_post_header: Value = http
        .post(rp.url("/userinfo"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let by_post_body: Value = http
        .post(rp.url("/userinfo"))
        .form(&[("access_token", token.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_get, by_post_header);
    assert_eq!(by_get, by_post_body);
    assert_eq!(by_get["sub"], sub);
    // OIDC Core JSON types.
    assert_eq!(by_get["email_verified"], true);
    assert_eq!(by_get["phone_number_verified"], true);
    assert!(by_get["address"].is_object());
    assert_eq!(by_get["address"]["postal_code"], "2100");
    assert_eq!(by_get["given_name"], "Anna");
}

#[tokio::test]
async fn userinfo_releases_only_granted_scopes() {
    let rp = Rp::start_auto().await;
    let tokens = rp.login(&[("scope", "openid email")]).await;
    let info: Value = reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .bearer_auth(at(&tokens))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(info.get("email").is_some());
    assert!(info.get("name").is_none());
    assert!(info.get("address").is_none());
}

#[tokio::test]
async fn userinfo_refuses_missing_bad_expired_and_doubled_tokens() {
    let rp = Rp::start_auto().await;
    let tokens = rp.login(&[]).await;
    let http = reqwest::Client::new();

    let missing = http.get(rp.url("/userinfo")).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    assert!(missing.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));

    let bad = http
        .get(rp.url("/userinfo"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let challenge = bad.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");

    let doubled = http
        .post(rp.url("/userinfo"))
        .bearer_auth(at(&tokens))
        .form(&[("access_token", at(&tokens))])
        .send()
        .await
        .unwrap();
    assert_eq!(doubled.status(), 400);

    rp.host.clock().advance(3601);
    let expired = http
        .get(rp.url("/userinfo"))
        .bearer_auth(at(&tokens))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 401);
    assert!(expired.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));
}

async fn introspect(rp: &Rp, client: &str, token: &str) -> Value {
    reqwest::Client::new()
        .post(rp.url("/token/introspect"))
        .basic_auth(client, Some(CLIENT_SECRET))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn introspection_and_revocation_are_bound_to_the_client() {
    let rp = Rp::start_auto().await;
    register_client(&rp.host, json!({"client_id": "other"})).await;
    let tokens = rp.login(&[]).await;
    let token = at(&tokens);

    let active = introspect(&rp, CLIENT_ID, &token).await;
    assert_eq!(active["active"], true);
    assert_eq!(active["client_id"], CLIENT_ID);
    assert_eq!(active["iss"], rp.issuer());
    assert_eq!(
        active["sub"],
        claims(tokens["id_token"].as_str().unwrap())["sub"]
    );
    assert_eq!(introspect(&rp, "other", &token).await["active"], false);
    assert_eq!(introspect(&rp, CLIENT_ID, "unknown").await["active"], false);

    // Another client cannot revoke it (200, but nothing happens).
    let http = reqwest::Client::new();
    let r = http
        .post(rp.url("/token/revoke"))
        .basic_auth("other", Some(CLIENT_SECRET))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(introspect(&rp, CLIENT_ID, &token).await["active"], true);

    let r = http
        .post(rp.url("/token/revoke"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("token", token.as_str()),
            ("token_type_hint", "access_token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(introspect(&rp, CLIENT_ID, &token).await["active"], false);
    let userinfo = http
        .get(rp.url("/userinfo"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 401);

    // Revoking the refresh token ends the grant.
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let r = http
        .post(rp.url("/token/revoke"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("token", refresh_token),
            ("token_type_hint", "refresh_token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(refresh(&rp, refresh_token).await.status(), 400);

    // Revocation needs client authentication.
    let r = http
        .post(rp.url("/token/revoke"))
        .form(&[("token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn client_secret_post_and_public_clients_authenticate_their_way() {
    let rp = Rp::start_auto().await;
    register_client(
        &rp.host,
        json!({"client_id": "post", "token_endpoint_auth_method": "client_secret_post"}),
    )
    .await;
    let public = rp
        .host
        .control()
        .post(
            "/clients",
            &json!({"client_id": "spa", "redirect_uris": [REDIRECT_URI], "token_endpoint_auth_method": "none"}),
        )
        .await
        .unwrap();
    assert_eq!(public.status, 201);

    let http = reqwest::Client::new();
    for (client, secret) in [("post", Some(CLIENT_SECRET)), ("spa", None)] {
        let pkce = Pkce::new();
        let code = rp.code(&pkce, &[("client_id", client)]).await;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", pkce.verifier.as_str()),
            ("client_id", client),
        ];
        if let Some(secret) = secret {
            form.push(("client_secret", secret));
        }
        let r = http
            .post(rp.url("/token"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{client}");
    }
    // A public client must use PKCE.
    let r = rp
        .authorize(
            &Pkce::new(),
            &[
                ("client_id", "spa"),
                ("code_challenge", ""),
                ("code_challenge_method", ""),
            ],
        )
        .await;
    assert_eq!(
        query(&redirect_to(&r), "error").as_deref(),
        Some("invalid_request")
    );
    // A confidential client may not skip its secret.
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[]).await;
    let r = http
        .post(rp.url("/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", pkce.verifier.as_str()),
            ("client_id", CLIENT_ID),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
