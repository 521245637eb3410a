//! `broker token`: a headless login against a running broker that prints the tokens, and the
//! errors that say what to do.

use std::process::{Output, Stdio};

use serde_json::Value;

use crate::support::{failed, run_broker, start_broker, succeeded, Running};

/// A broker in interactive mode (the login waits unless something decides it).
fn broker(dir: &std::path::Path, args: &[&str]) -> (Running, String) {
    start_broker(dir, args, &[("RUST_LOG", "warn")], Stdio::null())
}

/// Runs `broker token` with `args` against `issuer`.
fn token(issuer: &str, args: &[&str]) -> Output {
    let mut all = vec!["token", "--issuer", issuer];
    all.extend_from_slice(args);
    run_broker(&all)
}

async fn control(issuer: &str, path: &str) -> Value {
    reqwest::get(format!("{issuer}/_sim/v1{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn claims_prints_the_decoded_id_token_and_userinfo_of_the_person() {
    let dir = tempfile::tempdir().unwrap();
    let (_broker, issuer) = broker(dir.path(), &[]);
    let printed: Value = serde_json::from_str(&succeeded(&token(
        &issuer,
        &["--user", "anna", "--format", "claims"],
    )))
    .unwrap();
    let anna = control(&issuer, "/identities/anna").await;
    let claims = &printed["id_token"]["claims"];
    assert_eq!(claims["sub"], anna["id"], "{printed}");
    assert_eq!(claims["iss"], issuer.as_str());
    assert_eq!(claims["aud"], "broker-cli");
    assert_eq!(
        claims["acr"],
        "https://data.gov.dk/concept/core/nsis/Substantial"
    );
    assert_eq!(printed["id_token"]["header"]["alg"], "RS256");
    assert!(printed["id_token"]["header"]["kid"].is_string());
    assert_eq!(printed["userinfo"]["sub"], anna["id"]);
    assert_eq!(printed["userinfo"]["given_name"], "Anna");

    // Again: the CLI's client is reused, not registered twice; the queue is empty.
    let again: Value = serde_json::from_str(&succeeded(&token(
        &issuer,
        &["--user", "bo", "--format", "claims"],
    )))
    .unwrap();
    assert_eq!(again["userinfo"]["given_name"], "Bo");
    let clients = control(&issuer, "/clients").await;
    let cli: Vec<&Value> = clients
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["client_id"] == "broker-cli")
        .collect();
    assert_eq!(cli.len(), 1);
    assert_eq!(cli[0]["token_endpoint_auth_method"], "none");
    assert_eq!(control(&issuer, "/decisions").await, serde_json::json!([]));
}

#[tokio::test]
async fn env_and_json_print_tokens_that_work_at_userinfo() {
    let dir = tempfile::tempdir().unwrap();
    let (_broker, issuer) = broker(dir.path(), &[]);
    let env = succeeded(&token(&issuer, &["--user", "anna", "--format", "env"]));
    let value = |name: &str| {
        env.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}='")))
            .and_then(|v| v.strip_suffix('\''))
            .unwrap_or_else(|| panic!("no {name} in {env}"))
            .to_string()
    };
    assert_eq!(value("TOKEN_TYPE"), "Bearer");
    assert_eq!(value("ID_TOKEN").split('.').count(), 3);
    let userinfo = reqwest::Client::new()
        .get(format!("{issuer}/userinfo"))
        .bearer_auth(value("ACCESS_TOKEN"))
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 200);

    let json: Value = serde_json::from_str(&succeeded(&token(
        &issuer,
        &["--user", "anna", "--format", "json"],
    )))
    .unwrap();
    assert_eq!(json["token_type"], "Bearer");
    assert!(json["access_token"].is_string());
    assert!(json["id_token"].is_string());
    assert_eq!(json["scope"], "openid profile");
}

#[tokio::test]
async fn a_profile_and_a_level_are_asked_for_in_the_profiles_words() {
    let dir = tempfile::tempdir().unwrap();
    let (_broker, issuer) = broker(dir.path(), &[]);
    let printed: Value = serde_json::from_str(&succeeded(&token(
        &issuer,
        &[
            "--user",
            "bo",
            "--profile",
            "neb",
            "--level",
            "high",
            "--format",
            "claims",
        ],
    )))
    .unwrap();
    let claims = &printed["id_token"]["claims"];
    assert_eq!(claims["iss"], format!("{issuer}/op"));
    assert_eq!(claims["acr"], "https://data.gov.dk/concept/core/nsis/High");
    assert!(printed["userinfo"]["sub"].is_string());
}

#[test]
fn no_broker_running_says_how_to_start_one() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let issuer = format!("http://localhost:{port}");
    let stderr = failed(&token(&issuer, &["--user", "anna"]));
    assert!(
        stderr.contains(&format!("no broker at {issuer}")),
        "{stderr}"
    );
    assert!(stderr.contains("cargo run"), "{stderr}");
}

#[tokio::test]
async fn an_unknown_user_says_how_to_list_the_identities() {
    let dir = tempfile::tempdir().unwrap();
    let (_broker, issuer) = broker(dir.path(), &[]);
    let stderr = failed(&token(&issuer, &["--user", "nobody"]));
    assert!(stderr.contains("unknown user nobody"), "{stderr}");
    assert!(stderr.contains("/_sim/v1/identities"), "{stderr}");
    // Nothing was queued for a login that never came.
    assert_eq!(control(&issuer, "/decisions").await, serde_json::json!([]));
}

#[tokio::test]
async fn a_level_the_person_cannot_reach_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (_broker, issuer) = broker(dir.path(), &[]);
    let stderr = failed(&token(&issuer, &["--user", "anna", "--level", "high"]));
    assert!(stderr.contains("level not reachable"), "{stderr}");
    assert!(stderr.contains("anna cannot log in at high"), "{stderr}");
    assert!(stderr.contains("--level"), "{stderr}");
}

#[tokio::test]
async fn a_locked_control_api_needs_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "a-control-token-of-enough-length";
    let (_broker, issuer) = broker(dir.path(), &["--control-token", secret]);
    let stderr = failed(&token(&issuer, &["--user", "anna"]));
    assert!(stderr.contains("--control-token"), "{stderr}");
    let printed: Value = serde_json::from_str(&succeeded(&token(
        &issuer,
        &[
            "--user",
            "anna",
            "--format",
            "claims",
            "--control-token",
            secret,
        ],
    )))
    .unwrap();
    assert_eq!(printed["userinfo"]["given_name"], "Anna");
}

#[tokio::test]
async fn a_request_refused_before_a_login_leaves_no_queued_decision_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (_broker, issuer) = broker(dir.path(), &[]);
    // No `openid` scope: the authorization request is refused before any login is parked, so
    // nothing takes the decision `broker token` queued.
    let stderr = failed(&token(&issuer, &["--user", "anna", "--scope", "profile"]));
    assert!(stderr.contains("scope"), "{stderr}");
    assert_eq!(control(&issuer, "/decisions").await, serde_json::json!([]));
    // The next login is decided by its own decision, and works.
    succeeded(&token(&issuer, &["--user", "bo"]));
    assert_eq!(control(&issuer, "/decisions").await, serde_json::json!([]));
    // Removing one that is not there says so.
    let gone = reqwest::Client::new()
        .delete(format!("{issuer}/_sim/v1/decisions/no-such-decision"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
}
