//! The conformance runner's library against the in-process broker (the plans it passes) and
//! against a deliberately broken OP (an axum server here that signs with a key it does not
//! publish, leaves `iss` out and answers without `Cache-Control`), to prove the runner
//! catches what it claims to.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Json, Router};
use broker::clock::Clock;
use broker::host::TestHost;
use serde_json::{json, Value};
use tests::conformance::jose::SigningKey;
use tests::conformance::{run, Options, Outcome, Plan, Report, StaticClient};

fn options_for(host: &TestHost, plan: Plan) -> Options {
    let mut options = Options::new(host.issuer(), plan);
    options.sim_control = Some(host.control().base().to_string());
    options
}

fn assert_all_passed(report: &Report) {
    let text = report.render();
    assert_eq!(report.failed(), 0, "{text}");
    assert!(report.passed() > 0, "{text}");
    assert!(
        text.ends_with(&format!("{} passed, 0 failed", report.passed())),
        "{text}"
    );
}

#[tokio::test]
async fn basic_plan_passes_against_the_broker() {
    let host = TestHost::start().await.unwrap();
    let report = run(options_for(&host, Plan::Basic)).await;
    assert_all_passed(&report);
    assert_eq!(report.get("oidcc-server").unwrap().outcome, Outcome::Passed);
}

#[tokio::test]
async fn dynamic_plan_passes_against_the_broker_over_https_with_only_unsigned_id_tokens_skipped() {
    // The plan's discovery module requires https: the broker serves it with its local CA.
    let tls_dir = tempfile::tempdir().unwrap();
    let dir = tls_dir.path().to_path_buf();
    let host = TestHost::start_with(|c| {
        c.tls.enabled = true;
        c.tls.dir = Some(dir);
    })
    .await
    .unwrap();
    let mut options = options_for(&host, Plan::Dynamic);
    options.ca_pem = Some(std::fs::read(&host.tls().unwrap().ca_cert).unwrap());
    let kids_before = host.broker().keys.jwks().unwrap().keys.len();
    let report = run(options).await;
    assert_all_passed(&report);
    let text = report.render();
    for module in Plan::Dynamic.modules() {
        let expected = if *module == "oidcc-idtoken-unsigned" {
            Outcome::Skipped
        } else {
            Outcome::Passed
        };
        assert_eq!(
            report.get(module).unwrap().outcome,
            expected,
            "{module}\n{text}"
        );
    }
    // oidcc-server-rotate-keys rotated the broker's keys through the control API.
    assert!(host.broker().keys.jwks().unwrap().keys.len() > kids_before);
}

#[tokio::test]
async fn config_plan_over_http_fails_with_https_required() {
    let host = TestHost::start().await.unwrap();
    let report = run(options_for(&host, Plan::Config)).await;
    let module = report.get("oidcc-discovery-endpoint-verification").unwrap();
    assert_eq!(module.outcome, Outcome::Failed, "{}", report.render());
    assert!(
        module
            .failures()
            .all(|v| v.message.starts_with("https required")),
        "only https may fail: {}",
        report.render()
    );
    assert_eq!(report.render().lines().last(), Some("0 passed, 1 failed"));
}

// ---- a broken OP

struct Broken {
    issuer: String,
    signer: SigningKey,
    published: SigningKey,
}

async fn broken_op() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Broken {
        issuer: issuer.clone(),
        signer: SigningKey::generate().unwrap(),
        published: SigningKey::generate().unwrap(),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/userinfo", get(userinfo))
        .with_state(state);
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (issuer, server)
}

async fn discovery(State(op): State<Arc<Broken>>) -> Json<Value> {
    let i = &op.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "userinfo_endpoint": format!("{i}/userinfo"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        // Fault: RS256 is not offered.
        "id_token_signing_alg_values_supported": ["ES256"],
    }))
}

async fn jwks(State(op): State<Arc<Broken>>) -> Json<Value> {
    Json(json!({"keys": [op.published.public_jwk()]}))
}

async fn authorize(Query(q): Query<std::collections::HashMap<String, String>>) -> Redirect {
    let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
    let state = q.get("state").cloned().unwrap_or_default();
    let nonce = q.get("nonce").cloned().unwrap_or_default();
    // Fault: every request gets a code, even prompt=none without a session; the nonce rides
    // in the code so the token endpoint can echo it.
    Redirect::to(&format!("{redirect}?code={nonce}&state={state}"))
}

async fn token(State(op): State<Arc<Broken>>, body: String) -> impl IntoResponse {
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
    let nonce = form.get("code").cloned().unwrap_or_default();
    let now = broker::clock::SystemClock.now();
    // Faults: no iss, signed with the key the JWKS does not hold, no Cache-Control.
    let id_token = op
        .signer
        .sign(&json!({"sub": "user-1", "aud": "rp", "exp": now + 300, "iat": now, "nonce": nonce}))
        .unwrap();
    Json(
        json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 300, "id_token": id_token}),
    )
}

async fn userinfo() -> Json<Value> {
    Json(json!({"sub": "user-1", "email_verified": "yes"}))
}

fn broken_options(issuer: &str, plan: Plan) -> Options {
    let mut options = Options::new(issuer, plan);
    options.static_client = Some(StaticClient {
        client_id: "rp".into(),
        client_secret: Some("secret".into()),
        redirect_uri: "https://rp.example/callback".into(),
        post_logout_redirect_uri: None,
    });
    options
}

#[tokio::test]
async fn the_runner_catches_a_broken_op() {
    let (issuer, _server) = broken_op().await;
    let mut options = broken_options(&issuer, Plan::Basic);
    options.modules = vec![
        "oidcc-server".into(),
        "oidcc-prompt-none-not-logged-in".into(),
    ];
    let report = run(options).await;
    let text = report.render();
    let server = report.get("oidcc-server").unwrap();
    assert_eq!(server.outcome, Outcome::Failed, "{text}");
    let failed: Vec<&str> = server.failures().map(|v| v.condition).collect();
    for condition in [
        "CheckTokenEndpointCacheHeaders",
        "ValidateIdTokenSignature",
        "ValidateIdTokenIssuer",
    ] {
        assert!(
            failed.contains(&condition),
            "{condition} not caught: {text}"
        );
    }
    let prompt_none = report.get("oidcc-prompt-none-not-logged-in").unwrap();
    assert_eq!(prompt_none.outcome, Outcome::Failed, "{text}");
    assert_eq!(
        prompt_none.headline().unwrap().spec,
        "OIDCC-3.1.2.6",
        "{text}"
    );
    assert_eq!(text.lines().last(), Some("0 passed, 2 failed"));
}

#[tokio::test]
async fn the_config_plan_catches_a_missing_rs256() {
    let (issuer, _server) = broken_op().await;
    let report = run(broken_options(&issuer, Plan::Config)).await;
    let module = report.get("oidcc-discovery-endpoint-verification").unwrap();
    let failed: Vec<&str> = module.failures().map(|v| v.condition).collect();
    assert!(
        failed.contains(&"OIDCCCheckDiscEndpointIdTokenSigningAlgValuesSupported"),
        "{}",
        report.render()
    );
}
