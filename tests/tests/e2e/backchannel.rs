//! Back-Channel Logout 1.0: ending a broker session sends a signed logout token to every client
//! that logged in through it and registered a `backchannel_logout_uri`, before the browser
//! moves on.

use crate::support::*;
use axum::extract::{Form, State};
use axum::routing::post;
use axum::Router;
use broker::host::TestHost;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Received = Arc<Mutex<Vec<(String, String)>>>;

/// A client's back-channel endpoint: records (path, logout_token) and answers 200.
async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let app = Router::new()
        .route(
            "/{client}/backchannel",
            post(
                |State(r): State<Received>,
                 axum::extract::Path(client): axum::extract::Path<String>,
                 Form(form): Form<HashMap<String, String>>| async move {
                    let token = form.get("logout_token").cloned().unwrap_or_default();
                    r.lock().unwrap().push((client, token));
                },
            ),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, received)
}

fn part(jwt: &str, i: usize) -> Value {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jwt.split('.').nth(i).unwrap())
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn logout_sends_each_client_of_the_session_a_signed_logout_token() {
    let (base, received) = receiver().await;
    let host = TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    register_client(
        &host,
        json!({"backchannel_logout_uri": format!("{base}/rp/backchannel"),
               "backchannel_logout_session_required": true}),
    )
    .await;
    register_client(
        &host,
        json!({"client_id": "second", "backchannel_logout_uri": format!("{base}/second/backchannel")}),
    )
    .await;
    register_client(&host, json!({"client_id": "silent"})).await;
    let rp = Rp {
        host,
        browser: http_client(),
    };

    // One browser session, three clients: two with a back-channel URI.
    let tokens = rp.login(&[("login_hint", "bo")]).await;
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    for client in ["second", "silent"] {
        let pkce = Pkce::new();
        let code = rp.code(&pkce, &[("client_id", client)]).await;
        let r = rp.exchange_as(client, CLIENT_SECRET, &code, &pkce).await;
        assert_eq!(r.status(), 200, "{client}");
    }
    assert!(
        received.lock().unwrap().is_empty(),
        "nothing before the logout"
    );

    let logout = rp
        .browser
        .get(rp.url("/logout"))
        .query(&[
            ("id_token_hint", tokens["id_token"].as_str().unwrap()),
            ("post_logout_redirect_uri", POST_LOGOUT_URI),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 302);

    // Delivered before the browser was sent on.
    let mut got = received.lock().unwrap().clone();
    got.sort();
    let clients: Vec<&str> = got.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        clients,
        ["rp", "second"],
        "only the clients with a back-channel URI"
    );
    for (client, token) in &got {
        // Signed by the broker with a published key.
        rp.host.broker().keys.verify_jwt(token).unwrap();
        assert_eq!(part(token, 0)["typ"], "logout+jwt");
        let c = part(token, 1);
        assert_eq!(c["iss"], rp.issuer());
        assert_eq!(c["aud"], client.as_str());
        assert_eq!(c["sid"], id_token["sid"], "{client}: the session's sid");
        assert_eq!(c["sub"], id_token["sub"], "{client}: the person's sub");
        assert!(c["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
        assert!(c.get("nonce").is_none(), "a logout token has no nonce");
        assert!(c["jti"].as_str().is_some_and(|j| !j.is_empty()));
        assert!(c["exp"].as_i64().unwrap() > c["iat"].as_i64().unwrap());
    }

    // The session is gone: logging out again tells nobody.
    rp.browser
        .get(rp.url("/logout"))
        .query(&[("id_token_hint", tokens["id_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(received.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn discovery_says_back_channel_logout_is_supported() {
    let rp = Rp::start().await;
    let d = rp.discovery().await;
    assert_eq!(d["backchannel_logout_supported"], true);
    assert_eq!(d["backchannel_logout_session_supported"], true);
}

#[tokio::test]
async fn a_client_cannot_register_a_relative_back_channel_uri() {
    let host = TestHost::start().await.unwrap();
    let r = host
        .control()
        .post(
            "/clients",
            &json!({"client_id": "bad", "redirect_uris": ["https://bad.example/cb"],
                    "backchannel_logout_uri": "/relative"}),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 400, "{:?}", r.body);
}

/// The RP test kit's logout-token faults: each spoils exactly one thing of the next logout
/// token to its client.
#[tokio::test]
async fn each_logout_token_fault_spoils_exactly_its_part() {
    let (base, received) = receiver().await;
    let host = TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    register_client(
        &host,
        json!({"backchannel_logout_uri": format!("{base}/rp/backchannel")}),
    )
    .await;
    let rp = Rp {
        host,
        browser: http_client(),
    };
    for fault in [
        "logout-token-bad-signature",
        "logout-token-no-events",
        "logout-token-with-nonce",
        "logout-token-wrong-aud",
    ] {
        let queued = rp
            .host
            .control()
            .post("/faults", &json!({"fault": fault, "client_id": CLIENT_ID}))
            .await
            .unwrap();
        assert_eq!(queued.status, 201, "{:?}", queued.body);
        let tokens = rp.login(&[("prompt", "login")]).await;
        rp.browser
            .get(rp.url("/logout"))
            .query(&[("id_token_hint", tokens["id_token"].as_str().unwrap())])
            .send()
            .await
            .unwrap();
        let (_, token) = received.lock().unwrap().pop().unwrap();
        let claims = part(&token, 1);
        let verifies = rp.host.broker().keys.verify_jwt(&token).is_ok();
        let has_events =
            claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object();
        let (nonce, aud) = (claims.get("nonce").is_some(), claims["aud"].clone());
        match fault {
            "logout-token-bad-signature" => {
                assert!(!verifies && has_events && !nonce && aud == CLIENT_ID)
            }
            "logout-token-no-events" => {
                assert!(verifies && claims.get("events").is_none() && !nonce && aud == CLIENT_ID)
            }
            "logout-token-with-nonce" => {
                assert!(verifies && has_events && nonce && aud == CLIENT_ID)
            }
            _ => assert!(verifies && has_events && !nonce && aud != CLIENT_ID),
        }
        assert_eq!(claims["iss"], rp.issuer(), "{fault}");
        assert!(claims["sid"].is_string(), "{fault}");
    }
    // Used up: the next logout token is clean.
    let tokens = rp.login(&[("prompt", "login")]).await;
    rp.browser
        .get(rp.url("/logout"))
        .query(&[("id_token_hint", tokens["id_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    let (_, token) = received.lock().unwrap().pop().unwrap();
    rp.host.broker().keys.verify_jwt(&token).unwrap();
    assert_eq!(part(&token, 1)["aud"], CLIENT_ID);
}

/// The report judges a logout-token fault by the RP's answer (Back-Channel Logout 1.0 2.8):
/// 400 is a refusal, 200 an acceptance.
#[tokio::test]
async fn the_report_judges_a_logout_token_fault_by_the_rps_answer() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // The RP refuses its first logout token and takes the second.
    let calls = Arc::new(AtomicUsize::new(0));
    let rp_endpoint = Router::new().route(
        "/backchannel",
        post(move || {
            let calls = Arc::clone(&calls);
            async move {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 => axum::http::StatusCode::BAD_REQUEST,
                    _ => axum::http::StatusCode::OK,
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move {
        let _ = axum::serve(listener, rp_endpoint).await;
    });
    let host = TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    register_client(
        &host,
        json!({"backchannel_logout_uri": format!("{base}/backchannel")}),
    )
    .await;
    let rp = Rp {
        host,
        browser: http_client(),
    };
    let mut verdicts = Vec::new();
    for _ in 0..2 {
        let queued = rp
            .host
            .control()
            .post(
                "/faults",
                &json!({"fault": "logout-token-wrong-aud", "client_id": CLIENT_ID}),
            )
            .await
            .unwrap();
        assert_eq!(queued.status, 201, "{:?}", queued.body);
        let tokens = rp.login(&[("prompt", "login")]).await;
        rp.browser
            .get(rp.url("/logout"))
            .query(&[("id_token_hint", tokens["id_token"].as_str().unwrap())])
            .send()
            .await
            .unwrap();
        let report = rp
            .host
            .control()
            .get(&format!("/clients/{CLIENT_ID}/report"))
            .await
            .unwrap()
            .body;
        // The newest login comes first.
        let verdict = report["faults"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["fault"] == "logout-token-wrong-aud")
            .unwrap_or_else(|| panic!("no verdict in {report}"))
            .clone();
        verdicts.push(verdict["verdict"].as_str().unwrap().to_owned());
    }
    assert_eq!(verdicts, ["refused", "accepted"]);
}
