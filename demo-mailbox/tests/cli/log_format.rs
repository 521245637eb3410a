//! `--log-format json`: every line the mailbox logs is a JSON object.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

fn parse(line: &str) -> Value {
    let value: Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
    assert!(value["timestamp"].is_string(), "{line}");
    assert!(value["level"].is_string(), "{line}");
    value
}

#[tokio::test]
async fn log_format_json_writes_one_json_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_demo-mailbox"))
        .args(["--log-format", "json", "--listen", "127.0.0.1:0"])
        // No broker there: the login fails, and says so in the log.
        .args(["--issuer", "http://127.0.0.1:9"])
        .arg("--data-dir")
        .arg(dir.path())
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    // Seeding logs first; then the line that names the address.
    let address = loop {
        let line = parse(&lines.next().unwrap().unwrap());
        if line["message"] == "demo mailbox listening" {
            break line["address"].as_str().unwrap().to_string();
        }
    };

    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("http://{address}/login"))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_server_error() || response.status().is_redirection());
    child.kill().unwrap();
    child.wait().unwrap();
    let rest: Vec<Value> = lines.map(|l| parse(&l.unwrap())).collect();
    assert!(
        rest.iter()
            .any(|l| l["level"] == "WARN" || l["level"] == "ERROR"),
        "the failed login is logged: {rest:?}"
    );
}
