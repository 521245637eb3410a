//! `broker --tls` prints the CA file to trust, then listens on https with a certificate that
//! CA issued.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Kills the broker when the test ends, passed or failed.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the broker on port 0 in `dir` with `args`; its stdout, line by line.
fn start(
    dir: &std::path::Path,
    args: &[&str],
) -> (
    Running,
    std::io::Lines<BufReader<std::process::ChildStdout>>,
) {
    let mut child = Running(
        Command::new(env!("CARGO_BIN_EXE_broker"))
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(dir)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    (child, lines)
}

#[tokio::test]
async fn tls_prints_the_ca_line_before_listening_on_https() {
    let dir = tempfile::tempdir().unwrap();
    let (_broker, mut lines) = start(dir.path(), &["--tls", "--auto-approve"]);
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();

    let ca = first
        .strip_prefix("broker tls ca ")
        .unwrap_or_else(|| panic!("first line: {first}"));
    assert_eq!(std::path::Path::new(ca), dir.path().join("tls/ca.pem"));
    assert!(
        second.starts_with("broker listening on https://127.0.0.1:"),
        "{second}"
    );
    let issuer = second
        .split("(issuer ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap();
    assert!(issuer.starts_with("https://localhost:"), "{issuer}");

    // The printed CA is the one to trust: with it (and only it) discovery answers.
    let pem = std::fs::read(ca).unwrap();
    let http = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let discovery: serde_json::Value = http
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], issuer);
    assert!(reqwest::Client::new()
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .is_err());
}

#[test]
fn without_tls_nothing_about_tls_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let (_broker, mut lines) = start(dir.path(), &[]);
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.starts_with("broker listening on http://127.0.0.1:"),
        "{first}"
    );
    assert!(!dir.path().join("tls").exists());
}
