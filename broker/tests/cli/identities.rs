//! `broker identities`: on the data directory when no broker runs there, and through the
//! running broker's control API when one holds the directory's SQLite file.

use std::process::{Output, Stdio};

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{failed, run_broker, start_broker, succeeded};

/// Runs `broker` on the data directory `dir` with `args`.
fn broker_cli(dir: &std::path::Path, args: &[&str]) -> Output {
    let dir = dir.to_str().unwrap();
    let mut all = vec!["--data-dir", dir];
    all.extend_from_slice(args);
    run_broker(&all)
}

async fn identity(issuer: &str, user: &str) -> (StatusCode, Value) {
    let r = reqwest::get(format!("{issuer}/_sim/v1/identities/{user}"))
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

const ZED: [&str; 8] = [
    "add",
    "--user-id",
    "zed",
    "--given-name",
    "Zed",
    "--family-name",
    "Test",
    "--password=a-long-password",
];

#[tokio::test]
async fn identities_work_on_the_file_or_through_the_broker_that_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let identities = |args: &[&str]| {
        let mut all = vec!["identities"];
        all.extend_from_slice(args);
        broker_cli(dir.path(), &all)
    };

    // No broker: the command opens the database itself.
    let added = succeeded(&identities(&[
        "add",
        "--user-id",
        "yan",
        "--given-name",
        "Yan",
        "--family-name",
        "Test",
    ]));
    assert!(added.starts_with("added yan"), "{added}");
    assert!(!added.contains("running broker"), "{added}");

    // A broker holds the file now: the command asks it, and the change shows there at once.
    let (running, issuer) = start_broker(dir.path(), &[], &[("RUST_LOG", "warn")], Stdio::null());
    let on_broker = |args: &[&str]| {
        let mut all = vec!["--issuer", issuer.as_str(), "identities"];
        all.extend_from_slice(args);
        broker_cli(dir.path(), &all)
    };
    assert_eq!(identity(&issuer, "yan").await.0, StatusCode::OK);

    let added = succeeded(&on_broker(&ZED));
    assert!(added.starts_with("added zed"), "{added}");
    assert!(
        added.contains(&format!("on the running broker at {issuer}")),
        "{added}"
    );
    let (status, zed) = identity(&issuer, "zed").await;
    assert_eq!(status, StatusCode::OK, "{zed}");
    assert_eq!(zed["given_name"], "Zed");
    assert!(
        zed["authenticators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "password" && a["password_set"] == true),
        "the password's hash reached the broker: {zed}"
    );

    let listed = succeeded(&on_broker(&["list"]));
    assert!(listed.lines().any(|l| l.starts_with("zed ")), "{listed}");
    assert!(listed.lines().any(|l| l.starts_with("yan ")), "{listed}");
    let shown: Value = serde_json::from_str(&succeeded(&on_broker(&["show", "zed"]))).unwrap();
    assert_eq!(shown["id"], zed["id"]);
    assert!(
        !shown.to_string().contains("argon2"),
        "no hash shown: {shown}"
    );

    // The same checks as the control API's, and a clear answer for what is not there.
    let bad = failed(&on_broker(&[
        "add",
        "--user-id",
        "zed",
        "--given-name",
        "Z",
        "--family-name",
        "T",
    ]));
    assert!(bad.contains("409") || bad.contains("exists"), "{bad}");
    let removed = succeeded(&on_broker(&["rm", "zed"]));
    assert!(removed.starts_with("removed zed"), "{removed}");
    assert_eq!(identity(&issuer, "zed").await.0, StatusCode::NOT_FOUND);
    let gone = failed(&on_broker(&["rm", "zed"]));
    assert!(gone.contains("no such identity"), "{gone}");

    // Without the broker's address, the command says whose file it is and what to give.
    let elsewhere = failed(&broker_cli(
        dir.path(),
        &["--listen", "127.0.0.1:9", "identities", "list"],
    ));
    assert!(
        elsewhere.contains("in use by another process"),
        "{elsewhere}"
    );
    assert!(elsewhere.contains("--listen or --issuer"), "{elsewhere}");

    // A second broker on the same data directory is refused at start, not slowed.
    let second = failed(&broker_cli(dir.path(), &["--listen", "127.0.0.1:0"]));
    assert!(second.contains("in use by another process"), "{second}");
    // Nor can other programs (`sqlite3`) read the database meanwhile.
    let other = rusqlite::Connection::open(dir.path().join("broker.sqlite")).unwrap();
    let read = other.query_row("SELECT count(*) FROM identities", [], |r| {
        r.get::<_, i64>(0)
    });
    assert!(
        matches!(&read, Err(e) if e.to_string().contains("locked")),
        "{read:?}"
    );
    drop(other);

    // Stopped, the file is free again, with everything the broker wrote.
    drop(running);
    let listed = succeeded(&identities(&["list"]));
    assert!(listed.lines().any(|l| l.starts_with("yan ")), "{listed}");
    assert!(!listed.lines().any(|l| l.starts_with("zed ")), "{listed}");
}
