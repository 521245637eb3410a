//! The login screens with the other authenticators: the code viewer (codes spent once, three
//! wrong codes block it), the password and the chip (levels, step-up to high), and the NemID
//! key card. Walked with the helpers in `screens.rs`.

use crate::screens::{
    app_login, approve_shown_code, element_text, key_code, other_code, sim_url, viewer_code, Walk,
    BLOCK_SECONDS, CODE_VIEWER, HIGH, LOW, PASSWORD, SUBSTANTIAL,
};
use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

// ---- 5-6: the code viewer

#[tokio::test]
async fn code_viewer_and_password_and_a_code_is_never_accepted_twice() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    // The code viewer is dorthe's only way to reach substantial: it starts at once.
    let screen = walk.user_id("dorthe").await.expect("code");
    assert!(
        screen.has(&format!("/_sim/codeviewer/{CODE_VIEWER}")),
        "the screen links the device:\n{}",
        screen.card()
    );
    let code = viewer_code(&rp).await;
    let device_page = rp
        .browser
        .get(sim_url(&rp, &format!("/codeviewer/{CODE_VIEWER}")))
        .send()
        .await
        .unwrap();
    assert_eq!(device_page.status(), StatusCode::OK);
    let device_page = device_page.text().await.unwrap();
    assert_eq!(
        element_text(&device_page, "code").as_deref(),
        Some(code.as_str()),
        "the device page shows the same code"
    );
    walk.next("code", &[("code", &code)])
        .await
        .expect("password");
    let location = walk.done("password", &[("password", PASSWORD)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["code_token", "password"]));
    assert_eq!(id_token["acr"], SUBSTANTIAL);

    // The same code again, in the same 30 s step: refused as spent, counting nothing (back-to-
    // back logins in tests must not block the device).
    let walk = Walk::start(&rp, &[]).await;
    walk.user_id("dorthe").await.expect("code");
    for _ in 0..3 {
        let screen = walk.next("code", &[("code", &code)]).await.expect("code");
        let notice = screen.notice().unwrap_or_default();
        assert!(
            notice.contains("allerede brugt") && !notice.contains("forsøg"),
            "a spent code is not a wrong one:\n{}",
            screen.card()
        );
    }
    // 30 s later the old code is still in the accepted window, but was used: refused; the
    // new one works.
    rp.host.clock().advance(30);
    let screen = walk.next("code", &[("code", &code)]).await.expect("code");
    assert!(
        screen
            .notice()
            .is_some_and(|n| n.contains("allerede brugt")),
        "{}",
        screen.card()
    );
    let devices = rp
        .host
        .control()
        .get("/identities/dorthe/devices")
        .await
        .unwrap();
    assert_eq!(devices.status, 200);
    assert_eq!(
        devices.body["code_viewer"]["failures"], 0,
        "{}",
        devices.body
    );
    let fresh = viewer_code(&rp).await;
    assert_ne!(fresh, code, "a new code every 30 s");
    walk.next("code", &[("code", &fresh)])
        .await
        .expect("password");
    let location = walk.done("password", &[("password", PASSWORD)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["code_token", "password"]));
}

/// Three wrong codes on a fresh code-viewer login: the failure screen.
async fn block_code_viewer(rp: &Rp) -> Walk<'_> {
    let walk = Walk::start(rp, &[]).await;
    walk.user_id("dorthe").await.expect("code");
    for left in ["2", "1"] {
        let wrong = other_code(&viewer_code(rp).await);
        let screen = walk.next("code", &[("code", &wrong)]).await.expect("code");
        let notice = screen
            .notice()
            .unwrap_or_else(|| panic!("a notice after a wrong code:\n{}", screen.card()));
        assert!(
            notice.contains(&format!("{left} forsøg")),
            "{left} attempt(s) left: {notice}"
        );
    }
    let wrong = other_code(&viewer_code(rp).await);
    let screen = walk
        .next("code", &[("code", &wrong)])
        .await
        .expect("failed");
    assert_eq!(screen.text("failure"), "Midlertidigt spærret");
    assert!(screen.has("kodeviseren"), "{}", screen.card());
    walk
}

/// A full code-viewer login of dorthe in a new walk succeeds.
async fn code_viewer_login_works(rp: &Rp) {
    let walk = Walk::start(rp, &[]).await;
    walk.user_id("dorthe").await.expect("code");
    let code = viewer_code(rp).await;
    walk.next("code", &[("code", &code)])
        .await
        .expect("password");
    let location = walk.done("password", &[("password", PASSWORD)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["code_token", "password"]));
}

#[tokio::test]
async fn three_wrong_codes_block_the_code_viewer_until_time_or_the_control_api_lifts_it() {
    let rp = Rp::start().await;
    let walk = block_code_viewer(&rp).await;
    walk.leave_with("mitid_authenticator_blocked").await;

    // The device says so.
    let page = rp
        .browser
        .get(sim_url(&rp, &format!("/codeviewer/{CODE_VIEWER}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"blocked\""),
        "the device page says blocked"
    );
    let r = rp
        .host
        .control()
        .get("/identities/dorthe/devices")
        .await
        .unwrap();
    assert!(
        r.body["code_viewer"]["blocked_until"].is_i64(),
        "{:?}",
        r.body
    );

    // A new login is blocked at once, even with the right code at hand.
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("dorthe").await.expect("failed");
    assert_eq!(screen.text("failure"), "Midlertidigt spærret");
    walk.leave_with("mitid_authenticator_blocked").await;

    // The block ends by itself.
    rp.host.clock().advance(BLOCK_SECONDS);
    code_viewer_login_works(&rp).await;

    // Blocked again; the control API lifts it.
    let walk = block_code_viewer(&rp).await;
    walk.leave_with("mitid_authenticator_blocked").await;
    let r = rp
        .host
        .control()
        .post("/identities/dorthe/devices/code_viewer/unblock", &json!({}))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The last code was used by the login before the block: wait for the next one.
    rp.host.clock().advance(30);
    code_viewer_login_works(&rp).await;
}

// ---- 7-8: levels

#[tokio::test]
async fn the_password_alone_does_not_reach_substantial_but_reaches_low() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("carl").await.expect("failed");
    assert_eq!(screen.text("failure"), "Ikke nok til denne tjeneste");
    assert!(!screen.offers("action", "retry"), "{}", screen.card());
    walk.leave_with("mitid_level_not_reachable").await;

    let walk = Walk::start(&rp, &[("acr_values", LOW)]).await;
    walk.user_id("carl").await.expect("password");
    let location = walk.done("password", &[("password", PASSWORD)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["password"]));
    assert_eq!(id_token["acr"], LOW);
}

#[tokio::test]
async fn step_up_to_high_needs_the_chip() {
    let rp = Rp::start().await;

    // anna's app reaches substantial; nothing of hers reaches high.
    let first = app_login(&rp, "anna", &[]).await;
    assert_eq!(first["acr"], SUBSTANTIAL);
    let walk = Walk::start(&rp, &[("acr_values", HIGH)]).await;
    walk.user_id("anna").await.expect("failed");
    walk.leave_with("mitid_level_not_reachable").await;

    // jens logs in with the app, then steps up with password and chip.
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("jens").await.expect("choose");
    assert!(screen.offers("method", "app"), "{}", screen.card());
    assert!(screen.offers("method", "chip"), "{}", screen.card());
    assert!(
        !screen.offers("method", "password"),
        "the password alone does not reach substantial:\n{}",
        screen.card()
    );
    let screen = walk
        .next("choose", &[("method", "app")])
        .await
        .expect("app");
    approve_shown_code(&walk, "jens", &screen).await;
    let location = walk.returned().await;
    let first = walk.id_token(&location).await;
    assert_eq!(first["acr"], SUBSTANTIAL);
    assert_eq!(first["amr"], json!(["code_app"]));

    rp.host.clock().advance(120);
    let walk = Walk::start(&rp, &[("acr_values", HIGH)]).await;
    // Only the chip reaches high: it starts at once, password first; nothing to switch to.
    let screen = walk.user_id("jens").await.expect("password");
    assert!(!screen.offers("action", "switch"), "{}", screen.card());
    walk.next("password", &[("password", PASSWORD)])
        .await
        .expect("chip");
    let r = rp
        .host
        .control()
        .get("/identities/jens/chip/requests")
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        r.body
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["login_id"] == walk.id.as_str()),
        "the chip sees the login: {:?}",
        r.body
    );
    let r = rp
        .host
        .control()
        .post(
            &format!("/identities/jens/chip/requests/{}/touch", walk.id),
            &json!({}),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    let location = walk.returned().await;
    let second = walk.id_token(&location).await;
    assert_eq!(second["acr"], HIGH);
    assert_eq!(second["amr"], json!(["password", "u2f_token"]));
    assert_eq!(second["sub"], first["sub"]);
    assert!(
        second["auth_time"].as_i64().unwrap() > first["auth_time"].as_i64().unwrap(),
        "a new authentication: {} then {}",
        first["auth_time"],
        second["auth_time"]
    );
}

// ---- 11: NemID

/// lis's NemID login up to the key card: the key number shown.
async fn to_key_card(walk: &Walk<'_>) -> String {
    walk.user_id("lis").await.expect("password");
    let screen = walk
        .next("password", &[("password", PASSWORD)])
        .await
        .expect("key_card");
    let key = screen.text("key-number");
    assert!(
        key.len() == 4 && key.bytes().all(|b| b.is_ascii_digit()),
        "{key}"
    );
    key
}

#[tokio::test]
async fn nemid_key_card_login_spends_each_key_once() {
    let rp = Rp::start().await;
    let nemid = [("idp_values", "nemid")];

    let walk = Walk::start(&rp, &nemid).await;
    let first_key = to_key_card(&walk).await;
    let (code, used) = key_code(&rp, "lis", &first_key).await;
    assert!(!used, "the key asked for is unused");
    let location = walk.done("code", &[("code", &code)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["idp"], "nemid");
    assert_eq!(id_token["amr"], json!(["password", "key_card"]));
    assert_eq!(id_token["acr"], SUBSTANTIAL);
    assert!(key_code(&rp, "lis", &first_key).await.1, "the key is spent");

    // The next login asks another key; a wrong code spends it and asks a third.
    let walk = Walk::start(&rp, &nemid).await;
    let second_key = to_key_card(&walk).await;
    assert_ne!(second_key, first_key, "a spent key is never asked again");
    let (right, _) = key_code(&rp, "lis", &second_key).await;
    let screen = walk
        .next("code", &[("code", &other_code(&right))])
        .await
        .expect("key_card");
    assert!(
        screen.notice().is_some(),
        "a wrong key-card code says so:\n{}",
        screen.card()
    );
    let third_key = screen.text("key-number");
    assert_ne!(third_key, second_key, "a wrong code spends the key");
    assert_ne!(third_key, first_key);
    assert!(key_code(&rp, "lis", &second_key).await.1);
    let (code, used) = key_code(&rp, "lis", &third_key).await;
    assert!(!used);
    let location = walk.done("code", &[("code", &code)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["idp"], "nemid");
    assert_eq!(id_token["amr"], json!(["password", "key_card"]));
}
