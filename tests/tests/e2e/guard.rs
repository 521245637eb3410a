//! Loopback is not a boundary: a page on another site, in the developer's browser, must not
//! drive the simulator (issue: safe on a developer's laptop). Each test is an attack that
//! worked before the guard: a cross-site "simple" request to the control API, a text/plain body,
//! a rebinding Host.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_page_on_another_site_cannot_drive_the_control_api() {
    let rp = Rp::start().await;
    let client = reqwest::Client::new();
    // What a browser sends for fetch(..., {method: "POST", mode: "no-cors", body: "..."}) from
    // https://evil.example: a simple request, no preflight.
    for (origin, fetch_site) in [
        (Some("https://evil.example"), None),
        (Some("null"), None),
        (None, Some("cross-site")),
    ] {
        let mut request = client
            .post(rp.url("/_sim/v1/decisions"))
            .header("content-type", "application/json")
            .body(json!({"outcome": "approve", "user_id": "anna"}).to_string());
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{origin:?} {fetch_site:?}"
        );
    }
    let reset = client
        .post(rp.url("/_sim/v1/reset"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::FORBIDDEN);
    // Nothing was queued.
    let queued = rp.host.control().get("/decisions").await.unwrap();
    assert_eq!(queued.body, json!([]));
    // A page of our own (the broker's, or another port on localhost) still may.
    let ours = client
        .post(rp.url("/_sim/v1/decisions"))
        .header("content-type", "application/json")
        .header("origin", "http://localhost:8081")
        .header("sec-fetch-site", "same-site")
        .body(json!({"outcome": "reject"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(ours.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_json_endpoints_take_only_json() {
    let rp = Rp::start().await;
    let client = reqwest::Client::new();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ] {
        let response = client
            .post(rp.url("/_sim/v1/decisions"))
            .header("content-type", content_type)
            .body(json!({"outcome": "approve"}).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}"
        );
        let response = client
            .post(rp.url("/register"))
            .header("content-type", content_type)
            .body(json!({"redirect_uris": [REDIRECT_URI]}).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}"
        );
    }
    assert_eq!(
        rp.host.control().get("/decisions").await.unwrap().body,
        json!([])
    );
}

#[tokio::test]
async fn a_rebinding_host_name_is_not_served() {
    let rp = Rp::start().await;
    let client = reqwest::Client::new();
    for path in [
        "/.well-known/openid-configuration",
        "/_sim/v1/identities",
        "/authorize",
        "/op/connect/authorize",
    ] {
        let response = client
            .get(rp.url(path))
            .header("host", "rebind.attacker.example")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST, "{path}");
    }
    let localhost = client
        .get(rp.url("/.well-known/openid-configuration"))
        .header("host", "localhost:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(localhost.status(), StatusCode::OK);
}

#[tokio::test]
async fn configured_host_names_are_served() {
    let rp = Rp::start_with(|c| c.allowed_hosts = vec!["broker.internal".into()]).await;
    let response = reqwest::Client::new()
        .get(rp.url("/.well-known/openid-configuration"))
        .header("host", "broker.internal:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// Every HTML page says what it allows: scripts only from the broker, never framed, no
/// sniffing, no referrer, not cached (pages show codes, PINs and key cards).
#[tokio::test]
async fn every_page_sends_its_csp_and_is_not_cached() {
    let rp = Rp::start().await;
    let pkce = Pkce::new();
    let login = redirect_to(&rp.authorize(&pkce, &[]).await);
    let pages = [
        rp.url("/"),
        login.to_string(),
        rp.url("/_sim/app/anna"),
        rp.url("/_sim/codeviewer/KV-100200300"),
        rp.url("/_sim/keycard/jens"),
        rp.url("/_sim/outbox"),
        rp.url("/_sim/app-setup"),
        rp.url("/_sim/citizen-service"),
        rp.url("/_sim/"),
        rp.url("/_sim/identities/anna"),
        rp.url("/authorize?client_id=nobody"),
    ];
    for page in pages {
        let response = rp.browser.get(&page).send().await.unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert!(header("content-type").starts_with("text/html"), "{page}");
        let csp = header("content-security-policy");
        for directive in [
            "script-src 'self'",
            "frame-ancestors 'none'",
            "default-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{page}: {csp}");
        }
        assert!(
            !csp.contains("unsafe-inline'; img") || !csp.contains("script-src 'unsafe-inline'"),
            "{page}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{page}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{page}");
        assert_eq!(header("cache-control"), "no-store", "{page}");
    }
    // The login screens' forms may end at the client they finish at, and nowhere else.
    let screen = rp.browser.get(login.as_str()).send().await.unwrap();
    let csp = screen.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("form-action 'self' https://rp.example;"),
        "{csp}"
    );
}

/// A script URI registered as a logout or redirect target would run on the broker's origin
/// when the front-channel logout page links and navigates to it: neither door takes one.
#[tokio::test]
async fn script_uris_are_registered_by_neither_door() {
    let rp = Rp::start().await;
    let registered = reqwest::Client::new()
        .post(rp.url("/register"))
        .json(&json!({
            "redirect_uris": [REDIRECT_URI],
            "post_logout_redirect_uris": ["javascript://x/%0Aalert(1)"],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::BAD_REQUEST);
    let control = rp.host.control();
    for (field, uri) in [
        ("redirect_uris", "javascript:alert(1)"),
        ("redirect_uris", "data:text/html,x"),
        ("post_logout_redirect_uris", "javascript://x/%0Aalert(1)"),
    ] {
        let mut body = json!({"client_id": "script", "redirect_uris": [REDIRECT_URI]});
        body[field] = json!([uri]);
        let refused = control.post("/clients", &body).await.unwrap();
        assert_eq!(refused.status, 400, "{field} {uri}: {}", refused.body);
    }
    assert_eq!(control.get("/clients/script").await.unwrap().status, 404);
}

/// No answer of the control API carries a password hash (a leaked Argon2 hash is an offline
/// guessing target), and a hash costlier than the defaults is refused.
#[tokio::test]
async fn the_control_api_never_shows_a_password_hash_and_refuses_costly_ones() {
    let rp = Rp::start().await;
    let control = rp.host.control();
    let dorthe = control.get("/identities/dorthe").await.unwrap().body;
    let all = control.get("/identities").await.unwrap().body;
    for text in [dorthe.to_string(), all.to_string()] {
        assert!(!text.contains("$argon2"), "{text}");
    }
    let password = dorthe["authenticators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "password")
        .unwrap();
    assert_eq!(password["password_set"], true);
    let costly = control
        .patch(
            "/identities/dorthe",
            &json!({"authenticators": [{"kind": "password", "hash":
                "$argon2id$v=19$m=1048576,t=10,p=4$c29tZXNhbHRzb21lc2FsdA$q5W5j5/yR3hlYDy9Xm3m3x2TiEW5bbd9V+WdS6fR2Zk"}]}),
        )
        .await
        .unwrap();
    assert_eq!(costly.status, 400, "{}", costly.body);
}

/// A refresh token presented twice at once: whatever the order, the grant is revoked (RFC
/// 9700 4.14.2), so the winner's new tokens die with it. Run with real concurrency.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refresh_token_presented_twice_at_once_revokes_the_grant() {
    let rp = Rp::start_auto().await;
    for _ in 0..5 {
        let tokens = rp.login(&[]).await;
        let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
        let attempts = (0..6).map(|_| {
            let rp_url = rp.url("/token");
            let refresh = refresh.clone();
            tokio::spawn(async move {
                let response = reqwest::Client::new()
                    .post(rp_url)
                    .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
                    .form(&[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", refresh.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let body: serde_json::Value = response.json().await.unwrap();
                (status, body)
            })
        });
        let results = futures_join_all(attempts).await;
        let won: Vec<_> = results
            .iter()
            .filter(|(s, _)| *s == StatusCode::OK)
            .collect();
        assert!(won.len() <= 1, "one refresh at most: {results:?}");
        for (_, body) in won {
            let info = reqwest::Client::new()
                .get(rp.url("/userinfo"))
                .bearer_auth(body["access_token"].as_str().unwrap())
                .send()
                .await
                .unwrap();
            assert_eq!(
                info.status(),
                StatusCode::UNAUTHORIZED,
                "the grant is revoked"
            );
        }
    }
}

async fn futures_join_all<T>(tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        out.push(task.await.unwrap());
    }
    out
}

/// A suspended MitID gets no new tokens and no userinfo, whatever it was granted before.
#[tokio::test]
async fn a_suspended_identity_gets_no_tokens_and_no_userinfo() {
    let rp = Rp::start_auto().await;
    let tokens = rp.login(&[]).await;
    let suspended = rp
        .host
        .control()
        .patch("/identities/anna", &json!({"status": "suspended"}))
        .await
        .unwrap();
    assert_eq!(suspended.status, 200, "{}", suspended.body);
    let info = reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), StatusCode::UNAUTHORIZED);
    let refreshed = rp
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(refreshed.status(), StatusCode::BAD_REQUEST);
}

const CONTROL_TOKEN: &str = "broker-control-token-0123";

/// A shared machine: with a control token, the control API needs it as a bearer token and the
/// simulator's pages ask for it once; the login itself is not locked.
#[tokio::test]
async fn a_control_token_locks_the_control_api_and_the_simulator_pages() {
    let rp = Rp::start_with(|c| {
        c.auto_approve = true;
        c.control_token = Some(CONTROL_TOKEN.into());
    })
    .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let anonymous = client
        .get(rp.url("/_sim/v1/identities"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(anonymous.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    // The test host's control client carries the token (register_client above used it).
    let listed = rp.host.control().get("/identities").await.unwrap();
    assert_eq!(listed.status, 200);

    // A page: the unlock form first, then the page with the cookie it sets.
    let page = client.get(rp.url("/_sim/outbox")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        page.headers()["location"],
        "/_sim/unlock?next=%2F_sim%2Foutbox"
    );
    let unlocked = client
        .post(rp.url("/_sim/unlock"))
        .form(&[("token", CONTROL_TOKEN), ("next", "/_sim/outbox")])
        .send()
        .await
        .unwrap();
    assert_eq!(unlocked.status(), StatusCode::SEE_OTHER);
    let cookie = unlocked.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let opened = client
        .get(rp.url("/_sim/outbox"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::OK);

    // The login itself, and the scripts its screens load, are not the simulator's to lock.
    let tokens = rp.login(&[]).await;
    assert!(tokens["id_token"].is_string());
    let script = client
        .get(rp.url("/_sim/static/login.js"))
        .send()
        .await
        .unwrap();
    assert_ne!(script.status(), StatusCode::SEE_OTHER);
}

/// Listening beyond loopback without a control token refuses to start, naming the flag.
#[tokio::test]
async fn listening_beyond_loopback_needs_a_control_token() {
    let open = |token: Option<&str>, unsafe_open: bool| {
        let token = token.map(str::to_string);
        broker::host::TestHost::start_with(move |c| {
            c.listen = "0.0.0.0:0".parse().unwrap();
            c.control_token = token;
            c.unsafe_open_control = unsafe_open;
        })
    };
    let refused = open(None, false).await.err().expect("refused to start");
    let message = refused.to_string();
    assert!(message.contains("--control-token"), "{message}");
    assert!(message.contains("--unsafe-open-control"), "{message}");
    assert!(open(Some(CONTROL_TOKEN), false).await.is_ok());
    assert!(open(None, true).await.is_ok());
    let short = open(Some("short"), false)
        .await
        .err()
        .expect("a short token");
    assert!(short.to_string().contains("at least 16"), "{short}");
}
