//! Attempt counters under real concurrency (issue: safe on a developer's laptop): wrong
//! attempts are counted before they are checked, and what a device remembers (spent codes,
//! counts, blocks) is written only over the state it was read from, so logins at once cannot
//! pass the limit or use one code twice.

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::Value;

use crate::screens::{viewer_code, Walk, LOW};
use crate::support::*;

async fn password_lockout(rp: &Rp, user: &str) -> Value {
    let devices = rp
        .host
        .control()
        .get(&format!("/identities/{user}/devices"))
        .await
        .unwrap();
    assert_eq!(devices.status, 200, "{}", devices.body);
    devices.body["password"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_passwords_sent_at_once_block_the_password_at_the_limit() {
    let rp = Rp::start().await;
    // Eight logins of carl (password only, low), all on the password screen.
    let mut walks = Vec::new();
    for _ in 0..8 {
        let walk = Walk::start(&rp, &[("acr_values", LOW)]).await;
        walk.user_id("carl").await.expect("password");
        walks.push(walk);
    }
    let wrong = [("action", "password"), ("password", "not-his")];
    let answers = join_all(walks.iter().map(|w| w.post(&wrong))).await;
    for answer in &answers {
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    }
    // Five wrong in a row block (login.password_lockout): eight at once passed the limit, so
    // the password is blocked, and no more than five were checked.
    let lockout = password_lockout(&rp, "carl").await;
    assert!(lockout["blocked_until"].is_i64(), "{lockout}");
    let mut steps = Vec::new();
    for walk in &walks {
        steps.push(walk.screen().await.step().to_string());
    }
    let blocked = steps.iter().filter(|s| *s == "failed").count();
    assert_eq!(
        blocked,
        8 - 4,
        "four wrong attempts left notices, then blocks: {steps:?}"
    );

    // Blocked: even the right password is not checked.
    let walk = Walk::start(&rp, &[("acr_values", LOW)]).await;
    walk.user_id("carl").await.expect("failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_code_sent_to_several_logins_at_once_is_accepted_once() {
    let rp = Rp::start().await;
    let mut walks = Vec::new();
    for _ in 0..6 {
        let walk = Walk::start(&rp, &[]).await;
        walk.user_id("dorthe").await.expect("code");
        walks.push(walk);
    }
    let code = viewer_code(&rp).await;
    let form = [("action", "code"), ("code", code.as_str())];
    join_all(walks.iter().map(|w| w.post(&form))).await;
    let mut steps = Vec::new();
    for walk in &walks {
        steps.push(walk.screen().await.step().to_string());
    }
    let accepted = steps.iter().filter(|s| *s == "password").count();
    assert_eq!(accepted, 1, "the code moved one login on: {steps:?}");
}
