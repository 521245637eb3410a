//! The request log (`GET /_sim/v1/requests`): a login, its token exchange, userinfo and refresh
//! are each logged with the login they belong to, their parameters with every secret redacted,
//! the decoded ID token, and the error of a failing call.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::*;

/// The log through the control API, `query` appended (e.g. `?login=...`).
async fn logged(rp: &Rp, query: &str) -> Vec<Value> {
    let response = rp
        .host
        .control()
        .get(&format!("/requests{query}"))
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{:?}", response.body);
    response.body.as_array().unwrap().clone()
}

fn param<'a>(entry: &'a Value, name: &str) -> Option<&'a str> {
    entry["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["value"].as_str())
}

#[tokio::test]
async fn a_login_its_tokens_userinfo_and_refresh_are_logged_with_the_login_and_no_secret() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let authorized = rp.authorize(&pkce, &[("login_hint", "anna")]).await;
    let login = login_id_of(&authorized);
    let code = query(&redirect_to(&authorized), "code").unwrap();
    let exchanged = rp.exchange(&code, &pkce).await;
    assert_eq!(exchanged.status(), StatusCode::OK);
    let tokens: Value = exchanged.json().await.unwrap();
    let access_token = tokens["access_token"].as_str().unwrap();
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let id_token = tokens["id_token"].as_str().unwrap();
    let userinfo = userinfo_at(&rp.url("/userinfo"), access_token).await;
    assert_eq!(userinfo.status(), StatusCode::OK);
    let refreshed = rp
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let refreshed: Value = refreshed.json().await.unwrap();
    // The same code again: invalid_grant.
    let reused = rp.exchange(&code, &pkce).await;
    assert_eq!(reused.status(), StatusCode::BAD_REQUEST);

    // The login's requests, newest first.
    let entries = logged(&rp, &format!("?login={login}")).await;
    let endpoints: Vec<&str> = entries
        .iter()
        .map(|e| e["endpoint"].as_str().unwrap())
        .collect();
    assert_eq!(endpoints, ["token", "userinfo", "token", "authorize"]);
    for entry in &entries {
        assert_eq!(entry["login_id"], login.as_str(), "{entry}");
        assert_eq!(entry["client_id"], CLIENT_ID, "{entry}");
        assert_eq!(entry["profile"], "standard", "{entry}");
        assert!(entry["duration_us"].is_u64(), "{entry}");
        assert!(entry["at"].as_i64().unwrap() >= rp.host.clock().now() - 1);
    }
    let [refresh, info, exchange, authorize] = &entries[..] else {
        unreachable!()
    };

    assert_eq!(authorize["method"], "GET");
    assert_eq!(authorize["path"], "/authorize");
    assert_eq!(authorize["status"], 302);
    assert_eq!(param(authorize, "login_hint"), Some("anna"));
    assert_eq!(param(authorize, "nonce"), Some("nonce-456"));
    let location = authorize["location"].as_str().unwrap();
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    assert!(location.contains("code=%5Bredacted%5D"), "{location}");

    assert_eq!(exchange["method"], "POST");
    assert_eq!(exchange["status"], 200);
    assert_eq!(exchange["authorization"], "Basic");
    assert_eq!(param(exchange, "grant_type"), Some("authorization_code"));
    assert_eq!(param(exchange, "code"), Some("[redacted]"));
    assert_eq!(param(exchange, "code_verifier"), Some("[redacted]"));
    assert!(exchange.get("error").is_none(), "{exchange}");
    // The ID token, decoded: the claims the client got, and the header's key id.
    assert_eq!(exchange["id_token"]["claims"], claims(id_token));
    assert_eq!(exchange["id_token"]["claims"]["nonce"], "nonce-456");
    assert_eq!(exchange["id_token"]["header"], jwt_header(id_token));
    assert!(exchange["id_token"].get("signature").is_none());
    assert_eq!(exchange["response"]["access_token"], "[redacted]");
    assert_eq!(exchange["response"]["refresh_token"], "[redacted]");
    assert_eq!(exchange["response"]["id_token"], "[redacted]");
    assert_eq!(exchange["response"]["token_type"], "Bearer");

    assert_eq!(info["method"], "GET");
    assert_eq!(info["status"], 200);
    assert_eq!(info["authorization"], "Bearer");
    assert_eq!(info["response"]["sub"], claims(id_token)["sub"]);

    assert_eq!(param(refresh, "grant_type"), Some("refresh_token"));
    assert_eq!(param(refresh, "refresh_token"), Some("[redacted]"));
    assert_eq!(
        refresh["id_token"]["claims"],
        claims(refreshed["id_token"].as_str().unwrap())
    );

    // The reused code is the client's latest request: invalid_grant, its login unknown.
    let latest = logged(&rp, &format!("?client_id={CLIENT_ID}&limit=1")).await;
    assert_eq!(latest.len(), 1);
    let failed = &latest[0];
    assert_eq!(failed["endpoint"], "token");
    assert_eq!(failed["status"], 400);
    assert_eq!(failed["error"], "invalid_grant");
    assert!(
        failed["error_description"]
            .as_str()
            .unwrap()
            .contains("already used"),
        "{failed}"
    );
    assert!(failed.get("id_token").is_none());

    // No secret anywhere in the log.
    let everything = Value::Array(logged(&rp, "").await).to_string();
    for secret in [
        code.as_str(),
        pkce.verifier.as_str(),
        access_token,
        refresh_token,
        id_token,
        refreshed["access_token"].as_str().unwrap(),
        refreshed["refresh_token"].as_str().unwrap(),
        CLIENT_SECRET,
    ] {
        assert!(!everything.contains(secret), "a secret in the log");
    }
    // The signature of the ID token is nowhere either.
    let signature = id_token.rsplit('.').next().unwrap();
    assert!(!everything.contains(signature));
}

#[tokio::test]
async fn errors_at_authorize_and_userinfo_are_logged_with_their_codes() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    // An error the client gets in the redirect.
    let refused = rp
        .authorize(&pkce, &[("code_challenge_method", "plain")])
        .await;
    assert_eq!(refused.status(), StatusCode::FOUND);
    let refused = redirect_to(&refused);
    let code = query(&refused, "error").unwrap();
    let bad_token = userinfo_at(&rp.url("/userinfo"), "not-a-token").await;
    assert_eq!(bad_token.status(), StatusCode::UNAUTHORIZED);

    let entries = logged(&rp, "").await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0]["endpoint"], "userinfo");
    assert_eq!(entries[0]["error"], "invalid_token");
    assert_eq!(entries[0]["status"], 401);
    assert!(entries[0].get("client_id").is_none());
    assert!(!Value::Array(entries.clone())
        .to_string()
        .contains("not-a-token"));
    assert_eq!(entries[1]["endpoint"], "authorize");
    assert_eq!(entries[1]["error"], code.as_str());
    assert_eq!(entries[1]["client_id"], CLIENT_ID);
}

#[tokio::test]
async fn a_neb_login_is_logged_at_its_profile_with_the_jwt_access_token_decoded() {
    let rp = Rp::start_auto().await;
    let pkce = Pkce::new();
    let url = authorize_url_at(
        &rp.url("/op/connect/authorize"),
        &pkce,
        &[("scope", "openid")],
    );
    let authorized = http_client().get(url).send().await.unwrap();
    let login = login_id_of(&authorized);
    let code = query(&redirect_to(&authorized), "code").unwrap();
    let redeemed = redeem_at(&rp.url("/op/connect/token"), CLIENT_ID, &code, &pkce).await;
    assert_eq!(redeemed.status(), StatusCode::OK);
    let tokens: Value = redeemed.json().await.unwrap();
    let access_token = tokens["access_token"].as_str().unwrap();

    let entries = logged(&rp, &format!("?login={login}")).await;
    assert_eq!(entries.len(), 2);
    let exchange = &entries[0];
    assert_eq!(exchange["profile"], "neb");
    assert_eq!(exchange["path"], "/op/connect/token");
    assert_eq!(exchange["access_token"]["claims"], claims(access_token));
    assert_eq!(exchange["access_token"]["header"]["typ"], "at+jwt");
    assert_eq!(entries[1]["path"], "/op/connect/authorize");
}

#[tokio::test]
async fn the_log_is_filtered_bounded_by_limit_and_cleared_by_reset() {
    let rp = Rp::start_auto().await;
    for _ in 0..3 {
        rp.login(&[]).await;
    }
    assert_eq!(logged(&rp, "").await.len(), 6);
    assert_eq!(logged(&rp, "?limit=2").await.len(), 2);
    assert!(logged(&rp, "?login=no-such-login").await.is_empty());
    assert!(logged(&rp, "?client_id=another").await.is_empty());
    for bad in ["?limit=0", "?limit=1001", "?limit=x", "?colour=red"] {
        let response = rp
            .host
            .control()
            .get(&format!("/requests{bad}"))
            .await
            .unwrap();
        assert_eq!(response.status, 400, "{bad}: {:?}", response.body);
    }
    let reset = rp
        .host
        .control()
        .post("/reset", &serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(reset.status, 200);
    assert!(logged(&rp, "").await.is_empty());
}

#[tokio::test]
async fn the_database_keeps_only_the_configured_number_of_requests() {
    let rp = Rp::start_with(|c| {
        c.auto_approve = true;
        c.request_log.keep = 3;
    })
    .await;
    let pkce = Pkce::new();
    let mut logins = Vec::new();
    for _ in 0..3 {
        let authorized = rp.authorize(&pkce, &[]).await;
        logins.push(login_id_of(&authorized));
        // Written in its own batch: the bound holds across batches too.
        logged(&rp, "?limit=1").await;
    }
    let entries = logged(&rp, "").await;
    assert_eq!(entries.len(), 3);
    let latest: Vec<&str> = entries
        .iter()
        .map(|e| e["login_id"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = logins.iter().rev().map(String::as_str).collect();
    assert_eq!(latest, expected);
    rp.authorize(&pkce, &[]).await;
    let entries = logged(&rp, "").await;
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[2]["login_id"], logins[1].as_str());
}
