//! `--log-format json` (and `log_format` from the environment): every line the broker logs
//! is a JSON object, and the request lines carry the login id.

use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::{start_broker, Running};

/// Starts the broker (auto-approve) with `args` and `env`, its logs into `log`.
fn start(
    dir: &std::path::Path,
    log: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Running, String) {
    let mut args = args.to_vec();
    args.push("--auto-approve");
    let mut env = env.to_vec();
    env.push(("RUST_LOG", "info,broker::request=debug"));
    start_broker(
        dir,
        &args,
        &env,
        Stdio::from(std::fs::File::create(log).unwrap()),
    )
}

/// An authorization request for the built-in demo client; the login id it made.
async fn authorize(issuer: &str) -> String {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{issuer}/authorize"))
        .query(&[
            ("client_id", "demo-mailbox"),
            ("redirect_uri", "http://localhost:8081/callback"),
            ("response_type", "code"),
            ("scope", "openid"),
            ("state", "s"),
            ("nonce", "n"),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ),
            ("code_challenge_method", "S256"),
            ("login_hint", "bo"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    response.headers()["x-sim-login-id"]
        .to_str()
        .unwrap()
        .to_string()
}

/// Every line of the log, each parsed as a JSON object (the test fails on one that is not).
fn json_lines(log: &std::path::Path) -> Vec<Value> {
    let text = std::fs::read_to_string(log).unwrap();
    assert!(!text.is_empty(), "the broker logged nothing");
    text.lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
            assert!(value.is_object(), "{line}");
            assert!(value["timestamp"].is_string(), "{line}");
            assert!(value["level"].is_string(), "{line}");
            value
        })
        .collect()
}

async fn logs_json_lines_with_the_login(args: &[&str], env: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
    let (broker, issuer) = start(&dir.path().join("data"), &log, args, env);
    let login = authorize(&issuer).await;
    drop(broker);
    let lines = json_lines(&log);
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "broker listening" && l["issuer"] == issuer.as_str()),
        "{lines:?}"
    );
    let request = lines
        .iter()
        .find(|l| l["message"] == "request answered")
        .unwrap_or_else(|| panic!("no request line: {lines:?}"));
    assert_eq!(request["login"], login.as_str());
    assert_eq!(request["endpoint"], "authorize");
    assert_eq!(request["client"], "demo-mailbox");
    assert_eq!(request["status"], 302);
}

#[tokio::test]
async fn log_format_json_writes_one_json_object_per_line_with_the_login_id() {
    logs_json_lines_with_the_login(&["--log-format", "json"], &[]).await;
}

#[tokio::test]
async fn log_format_json_comes_from_the_environment_too() {
    logs_json_lines_with_the_login(&[], &[("BROKER_LOG_FORMAT", "json")]).await;
}

#[test]
fn an_unknown_log_format_is_refused_naming_the_choices() {
    let output = Command::new(env!("CARGO_BIN_EXE_broker"))
        .args(["--log-format", "yaml", "keys", "list"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("text") && stderr.contains("json"),
        "{stderr}"
    );
}
