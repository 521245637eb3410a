//! What the request log's own work costs per headless login, outside the broker: the capture of
//! a login's three requests (authorize, token, userinfo) on the request path, and the making of
//! their stored entries when the log is written (redaction, the tokens' unsigned parts, JSON).
//! Then the store's writes: the entries appended to a SQLite store in a temporary directory (as
//! the broker's does: WAL, `synchronous=NORMAL`) in batches of a second's logins at 1,500 logins/s,
//! pruned to the default 10,000 entries. `bench_login` measures the whole log, but its
//! run-to-run spread is about as large as the log; this gives the parts.
//!
//! `cargo run --release -p tests --bin bench_request_log [LOGINS]`
#![allow(clippy::disallowed_methods)] // a benchmark measures wall time

use axum::body::Bytes;
use axum::http::{HeaderValue, Method};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use broker::model::{Profile, StoredRequest};
use broker::requests::{Answer, Captured, CapturedParams};
use broker::store::RequestLogStore;
use std::hint::black_box;
use std::time::Instant;

/// Entries the store keeps: the broker's default.
const KEEP: usize = 10_000;

/// A login's requests as the benchmark's client sends them, and the broker's answers (of the
/// sizes the broker gives: an RS256 ID token with the standard claims).
struct Login {
    authorize_query: String,
    token_form: String,
    redirect: HeaderValue,
    token_answer: Bytes,
    userinfo_answer: Bytes,
}

fn login() -> Login {
    let part = |json: &str| URL_SAFE_NO_PAD.encode(json);
    let id_token = format!(
        "{}.{}.{}",
        part(r#"{"alg":"RS256","kid":"Zk3bq1mW8sT0xYc4nP2eLh","typ":"JWT"}"#),
        part(concat!(
            r#"{"iss":"http://localhost:8080","sub":"7b1d3c0e-5f1a-4b8e-9a57-3f2d1c4e6a01","#,
            r#""aud":"demo-mailbox","exp":1765100000,"iat":1765099400,"auth_time":1765099400,"#,
            r#""nonce":"n42-seed","acr":"https://data.gov.dk/concept/core/nsis/substantial","#,
            r#""amr":["code_app"],"idp":"mitid","sid":"q0Vb3wJr8yTn2mLk5sPx1a","#,
            r#""at_hash":"8cW2d9Lx0qPz3nRb7tYk4g","name":"Anna Jensen"}"#
        )),
        "s".repeat(342)
    );
    let token_answer = format!(
        r#"{{"access_token":"{}","token_type":"Bearer","expires_in":600,"id_token":"{id_token}","refresh_token":"{}","scope":"openid profile"}}"#,
        "a".repeat(43),
        "r".repeat(43)
    );
    Login {
        authorize_query: concat!(
            "client_id=demo-mailbox&redirect_uri=http%3A%2F%2Flocalhost%3A8081%2Fcallback",
            "&response_type=code&state=s42&nonce=n42-seed",
            "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "&code_challenge_method=S256&scope=openid+profile"
        )
        .into(),
        token_form: concat!(
            "grant_type=authorization_code&code=Qm9uZDAwN2NvZGVmb3JiZW5jaG1hcmtpbmdvbmx5",
            "&redirect_uri=http%3A%2F%2Flocalhost%3A8081%2Fcallback",
            "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        )
        .into(),
        redirect: HeaderValue::from_static(
            "http://localhost:8081/callback?code=Qm9uZDAwN2NvZGVmb3JiZW5jaG1hcmtpbmdvbmx5&state=s42&iss=http%3A%2F%2Flocalhost%3A8080",
        ),
        token_answer: Bytes::from(token_answer),
        userinfo_answer: Bytes::from_static(
            br#"{"sub":"7b1d3c0e-5f1a-4b8e-9a57-3f2d1c4e6a01","name":"Anna Jensen","given_name":"Anna","family_name":"Jensen"}"#,
        ),
    }
}

/// What the middleware does for one request (`broker/src/web/request_log.rs`), without the
/// HTTP types around it.
fn capture(
    endpoint: &'static str,
    encoded: &str,
    location: Option<&HeaderValue>,
    answer: Option<Answer>,
) -> Captured {
    let mut params = CapturedParams::default();
    params.add(encoded.as_bytes());
    let (params, client_id) = params.finish(None);
    Captured {
        at: 1_765_099_400,
        method: Method::GET,
        path: format!("/{endpoint}"),
        endpoint,
        profile: Profile::Standard,
        client_id: client_id.or_else(|| Some("demo-mailbox".into())),
        login_id: Some("q0Vb3wJr8yTn2mLk5sPx1a".into()),
        params,
        authorization: None,
        status: if location.is_some() { 302 } else { 200 },
        error: None,
        error_description: None,
        location: location.cloned(),
        answer,
        duration_us: 250,
    }
}

fn capture_login(l: &Login) -> [Captured; 3] {
    [
        capture("authorize", &l.authorize_query, Some(&l.redirect), None),
        capture(
            "token",
            &l.token_form,
            None,
            Some(Answer::Json(l.token_answer.clone())),
        ),
        capture(
            "userinfo",
            "",
            None,
            Some(Answer::Json(l.userinfo_answer.clone())),
        ),
    ]
}

fn main() -> anyhow::Result<()> {
    let logins: u32 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(200_000);
    let l = login();
    let ticks_per_second = tests::cpu::clock_ticks_per_second().unwrap_or(100) as f64;
    let cpu_ms = |from: u64| -> anyhow::Result<f64> {
        let now = tests::cpu::stat_ticks("/proc/self/stat")?;
        Ok((now - from) as f64 * 1000.0 / ticks_per_second)
    };

    let (cpu, wall) = (tests::cpu::stat_ticks("/proc/self/stat")?, Instant::now());
    for _ in 0..logins {
        black_box(capture_login(black_box(&l)));
    }
    let capture_us = (cpu_ms(cpu)? * 1000.0 / f64::from(logins), wall.elapsed());

    let mut bytes = 0usize;
    let (cpu, wall) = (tests::cpu::stat_ticks("/proc/self/stat")?, Instant::now());
    for _ in 0..logins {
        for captured in capture_login(black_box(&l)) {
            bytes += captured.stored()?.data.len();
        }
    }
    let both_us = (cpu_ms(cpu)? * 1000.0 / f64::from(logins), wall.elapsed());

    // The store's writes, in the broker's batches, once the table is at its bound.
    let dir = tempfile::tempdir()?;
    let store = broker::store::SqliteStore::open(&dir.path().join("broker.sqlite"))?;
    let requests: &dyn RequestLogStore = &store;
    let batch_logins = 1_500u32;
    let batches = (logins / batch_logins).max(8);
    let batch = || -> anyhow::Result<Vec<StoredRequest>> {
        let mut rows = Vec::new();
        for _ in 0..batch_logins {
            for captured in capture_login(&l) {
                rows.push(captured.stored()?);
            }
        }
        Ok(rows)
    };
    for _ in 0..4 {
        requests.append(&batch()?, KEEP)?;
    }
    let mut write_ticks = 0;
    for _ in 0..batches {
        let rows = batch()?;
        let cpu = tests::cpu::stat_ticks("/proc/self/stat")?;
        requests.append(&rows, KEEP)?;
        write_ticks += tests::cpu::stat_ticks("/proc/self/stat")? - cpu;
    }
    let write_us = write_ticks as f64 * 1e6 / ticks_per_second / f64::from(batches * batch_logins);

    println!("| part (a login's three entries) | CPU µs per login |");
    println!("|---|---:|");
    println!("| capture, on the request path | {:.2} |", capture_us.0);
    println!(
        "| making the stored entries, when the log is written | {:.2} |",
        both_us.0 - capture_us.0
    );
    println!(
        "| the store's writes (SQLite, {batch_logins} logins a batch, {KEEP} kept) | {write_us:.2} |"
    );
    println!(
        "\n{logins} logins; {} bytes of JSON per login; wall {:.2} s and {:.2} s.",
        bytes / logins as usize,
        capture_us.1.as_secs_f64(),
        both_us.1.as_secs_f64()
    );
    Ok(())
}
