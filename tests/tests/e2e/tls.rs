//! `--tls`: the broker serves https with a certificate from its local CA; a client that trusts
//! only that CA logs in through discovery and the code flow; a client without it is refused.

use broker::host::TestHost;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{claims, query, redirect_to, register_client, Pkce, CLIENT_ID};
use crate::support::{CLIENT_SECRET, REDIRECT_URI};

async fn tls_broker(dir: &std::path::Path) -> TestHost {
    let tls_dir = dir.join("tls");
    TestHost::start_with(|c| {
        c.auto_approve = true;
        c.tls.enabled = true;
        c.tls.dir = Some(tls_dir);
    })
    .await
    .unwrap()
}

/// A client whose only trust anchor is `ca_file` (no public roots), redirects off.
fn client_trusting_only(ca_file: &std::path::Path) -> reqwest::Client {
    let pem = std::fs::read(ca_file).unwrap();
    let mut builder = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true);
    for root in reqwest::Certificate::from_pem_bundle(&pem).unwrap() {
        builder = builder.add_root_certificate(root);
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn discovery_and_code_flow_over_https_with_only_the_local_ca_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let host = tls_broker(dir.path()).await;
    let ca = host.tls().unwrap().ca_cert.clone();
    assert_eq!(ca, dir.path().join("tls/ca.pem"));
    register_client(&host, serde_json::json!({})).await;
    let issuer = host.issuer().to_string();
    assert!(issuer.starts_with("https://localhost:"), "{issuer}");
    let http = client_trusting_only(&ca);

    let discovery: Value = http
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], issuer.as_str());
    for endpoint in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
    ] {
        let url = discovery[endpoint].as_str().unwrap();
        assert!(url.starts_with(&issuer), "{endpoint}: {url}");
    }
    let jwks = http
        .get(discovery["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(jwks.status(), StatusCode::OK);

    let pkce = Pkce::new();
    let mut authorize =
        url::Url::parse(discovery["authorization_endpoint"].as_str().unwrap()).unwrap();
    authorize.query_pairs_mut().extend_pairs([
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT_URI),
        ("response_type", "code"),
        ("scope", "openid profile"),
        ("state", "s-tls"),
        ("nonce", "n-tls"),
        ("code_challenge", pkce.challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]);
    let response = http.get(authorize).send().await.unwrap();
    let location = redirect_to(&response);
    assert!(location.as_str().starts_with(REDIRECT_URI), "{location}");
    assert_eq!(query(&location, "iss").as_deref(), Some(issuer.as_str()));
    let code = query(&location, "code").unwrap();

    let tokens: Value = http
        .post(discovery["token_endpoint"].as_str().unwrap())
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", pkce.verifier.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["iss"], issuer.as_str());
    assert_eq!(id_token["nonce"], "n-tls");
    let userinfo = http
        .get(discovery["userinfo_endpoint"].as_str().unwrap())
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), StatusCode::OK);
    let userinfo: Value = userinfo.json().await.unwrap();
    assert_eq!(userinfo["sub"], id_token["sub"]);
}

#[tokio::test]
async fn a_client_without_the_local_ca_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let host = tls_broker(dir.path()).await;
    let discovery = format!("{}/.well-known/openid-configuration", host.issuer());
    let refused = reqwest::Client::new().get(&discovery).send().await;
    let error = refused.expect_err("the local CA is not among the public roots");
    assert!(error.is_connect(), "{error:?}");
    // Plain http on the https port gets no answer either.
    let plain = discovery.replacen("https://", "http://", 1);
    assert!(reqwest::Client::new().get(&plain).send().await.is_err());
    // Another CA's certificate does not help.
    let other = tempfile::tempdir().unwrap();
    let other_host = tls_broker(other.path()).await;
    let wrong = client_trusting_only(&other_host.tls().unwrap().ca_cert);
    assert!(wrong.get(&discovery).send().await.is_err());
}

#[tokio::test]
async fn a_restart_reuses_the_ca_and_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let first = tls_broker(dir.path()).await;
    let ca_pem = std::fs::read_to_string(dir.path().join("tls/ca.pem")).unwrap();
    let server_pem = std::fs::read_to_string(dir.path().join("tls/server.pem")).unwrap();
    assert!(first.tls().unwrap().ca_created);
    first.stop().await;
    let second = tls_broker(dir.path()).await;
    let files = second.tls().unwrap();
    assert!(!files.ca_created);
    assert_eq!(files.server, localca::ServerStatus::Reused);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("tls/ca.pem")).unwrap(),
        ca_pem
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("tls/server.pem")).unwrap(),
        server_pem
    );
    // A client that trusted the CA on the first run still reaches the second.
    let http = client_trusting_only(&dir.path().join("tls/ca.pem"));
    let answer = http
        .get(format!(
            "{}/.well-known/openid-configuration",
            second.issuer()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
}

/// The launcher's `--tls` setup in-process: broker and mailbox both over https with one CA, the
/// mailbox trusting it for its calls to the broker, the browser trusting only it.
#[tokio::test]
async fn the_mailbox_logs_in_over_https_with_secure_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let host = tls_broker(dir.path()).await;
    let files = host.tls().unwrap().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!(
        "https://localhost:{}",
        listener.local_addr().unwrap().port()
    );
    let created = host
        .control()
        .post(
            "/clients",
            &serde_json::json!({
                "client_id": "mailbox-tls",
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [format!("{base}/callback")],
                "post_logout_redirect_uris": [format!("{base}/logged-out")],
                "require_pkce": true,
            }),
        )
        .await
        .unwrap();
    assert_eq!(created.status, 201);
    let config = demo_mailbox::Config {
        public_url: url::Url::parse(&base).unwrap(),
        issuer: url::Url::parse(host.issuer()).unwrap(),
        client_id: "mailbox-tls".into(),
        client_secret: CLIENT_SECRET.into(),
        broker_ca: Some(files.ca_cert.clone()),
        ..demo_mailbox::Config::default()
    };
    let app = demo_mailbox::App::new(config).unwrap();
    let tls = std::sync::Arc::new(localca::server_config(&files).unwrap());
    let _served = tokio::spawn(demo_mailbox::serve_tls(listener, app, tls));

    let browser = client_trusting_only(&files.ca_cert);
    let login = browser.get(format!("{base}/login")).send().await.unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
    let (page, hops) = crate::mailbox::follow(&browser, &format!("{base}/"), 8).await;
    assert_eq!(page.status(), StatusCode::OK, "{hops:?}");
    assert!(
        hops.iter()
            .any(|h| h.starts_with(&format!("{}/authorize", host.issuer()))),
        "{hops:?}"
    );
    assert!(page.text().await.unwrap().contains("Anna Testesen"));
}
