use crate::support::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use broker::clock::ManualClock;
use broker::host::TestHost;
use serde_json::{json, Value};
use std::sync::Arc;

async fn jwks(rp: &Rp) -> keys::Jwks {
    reqwest::get(rp.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn state_and_keys_survive_a_restart_on_the_same_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::starting_now());
    let host = TestHost::start_in(dir.path(), clock.clone(), |c| c.auto_approve = true)
        .await
        .unwrap();
    let addr = host.control().base().to_string();
    let rp = Rp::with_host(host).await;
    let created = rp
        .host
        .control()
        .post(
            "/identities",
            &json!({"user_id": "dora", "given_name": "Dora", "family_name": "Genstart"}),
        )
        .await
        .unwrap();
    assert_eq!(created.status, 201);
    let kids_before = jwks(&rp).await;
    let tokens = rp.login(&[]).await; // leaves a broker session cookie in rp.browser
    let pkce = Pkce::new();
    let code = rp.code(&pkce, &[("prompt", "login")]).await; // not redeemed before the restart
    let issuer = rp.issuer().to_string();
    let browser = rp.browser.clone();
    rp.host.stop().await;

    // Same data directory, same address, same clock.
    let listen: std::net::SocketAddr = addr
        .trim_start_matches("http://")
        .trim_end_matches("/_sim/v1")
        .parse()
        .unwrap();
    let host = TestHost::start_in(dir.path(), clock, |c| {
        c.auto_approve = true;
        c.listen = listen;
    })
    .await
    .unwrap();
    assert_eq!(host.issuer(), issuer);
    let rp = Rp { host, browser };

    assert_eq!(jwks(&rp).await, kids_before, "same keys, same kids");
    // The request log, never read before the stop, was written at it: the token exchange of
    // the login before the restart is listed.
    let logged = rp.host.control().get("/requests?limit=1000").await.unwrap();
    assert_eq!(logged.status, 200);
    let endpoints: Vec<&str> = logged
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["endpoint"].as_str())
        .collect();
    assert!(endpoints.contains(&"token"), "{endpoints:?}");
    let identity = rp.host.control().get("/identities/dora").await.unwrap();
    assert_eq!(identity.status, 200);
    let client = rp
        .host
        .control()
        .get(&format!("/clients/{CLIENT_ID}"))
        .await
        .unwrap();
    assert_eq!(client.status, 200);

    // The unexpired code is still good, once.
    let r = rp.exchange(&code, &pkce).await;
    assert_eq!(r.status(), 200);

    // The ID token from before the restart verifies against the JWKS now published.
    let id_token = tokens["id_token"].as_str().unwrap();
    let header = keys::decode_unverified_header(id_token).unwrap();
    let jwk_set = jwks(&rp).await;
    let jwk = jwk_set.find(header.kid.as_deref().unwrap()).unwrap();
    let (input, sig) = id_token.rsplit_once('.').unwrap();
    jwk.verify(
        keys::Alg::RS256,
        input.as_bytes(),
        &B64.decode(sig).unwrap(),
    )
    .unwrap();

    // The access token and the browser's broker session survived too.
    let info = reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), 200);
    let sso = rp.authorize(&Pkce::new(), &[("prompt", "none")]).await;
    let back = redirect_to(&sso);
    assert!(query(&back, "code").is_some(), "{back}");
    let _: Value = info.json().await.unwrap();
}
