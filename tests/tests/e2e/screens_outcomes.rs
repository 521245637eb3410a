//! The login screens' other outcomes: the CPR match and the business identity after the
//! authenticator, the failures and the test rules, CSRF, language, and the login's own
//! expiry. Walked with the helpers in `screens.rs`.

use crate::screens::{
    app_requests, approve_app, approve_shown_code, set_rule, userinfo, viewer_code, Walk,
    APP_SECONDS, HIGH, LOW, PASSWORD,
};
use crate::support::*;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::json;

// ---- 9: CPR match

const PRIVATE: (&str, &str) = ("private-rp", CLIENT_SECRET);

async fn private_client(rp: &Rp) {
    register_client(
        &rp.host,
        json!({"client_id": PRIVATE.0, "name": "Private RP", "private_service": true}),
    )
    .await;
}

/// anna's app login for the private client asking for `ssn`, up to the CPR screen.
async fn to_cpr_screen(rp: &Rp) -> Walk<'_> {
    let walk = Walk::start_as(
        rp,
        PRIVATE,
        &[("client_id", PRIVATE.0), ("scope", "openid mitid ssn")],
    )
    .await;
    let screen = walk.user_id("anna").await.expect("app");
    approve_shown_code(&walk, "anna", &screen).await;
    walk.screen().await.expect("cpr");
    walk
}

#[tokio::test]
async fn cpr_match_for_a_private_service() {
    let rp = Rp::start().await;
    private_client(&rp).await;

    for typed in ["720490-1236", "7204901236"] {
        let walk = to_cpr_screen(&rp).await;
        let location = walk.done("cpr", &[("cpr", typed)]).await;
        let tokens = walk.tokens(&location).await;
        let id_token = claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(id_token["amr"], json!(["code_app"]));
        let info = userinfo(&rp, &tokens).await;
        assert_eq!(info["dk.cpr"], "7204901236", "typed {typed}: {info}");
    }

    let walk = to_cpr_screen(&rp).await;
    for (wrong, left) in [("901175-2131", "2"), ("0101011234", "1")] {
        let screen = walk.next("cpr", &[("cpr", wrong)]).await.expect("cpr");
        let notice = screen
            .notice()
            .unwrap_or_else(|| panic!("a notice after a wrong CPR:\n{}", screen.card()));
        assert!(notice.contains(&format!("{left} forsøg")), "{notice}");
    }
    let screen = walk
        .next("cpr", &[("cpr", "720490-1237")])
        .await
        .expect("failed");
    assert_eq!(screen.text("failure"), "CPR-nummeret passede ikke");
    walk.leave_with("mitid_cpr_match_failed").await;
}

#[tokio::test]
async fn a_public_client_asking_for_ssn_gets_no_cpr_screen() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[("scope", "openid mitid ssn")]).await;
    let screen = walk.user_id("anna").await.expect("app");
    approve_shown_code(&walk, "anna", &screen).await;
    // Settled by the app: straight back to the client.
    let location = walk.returned().await;
    let tokens = walk.tokens(&location).await;
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["amr"], json!(["code_app"]));
}

// ---- 10: business identities

const IDA_BUSINESS: &str = "f0e1d2c3-b4a5-4968-8776-655443322108";
const JENS_BUSINESS: &str = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c09";

#[tokio::test]
async fn a_business_identity_is_chosen_after_the_app() {
    let rp = Rp::start().await;

    // MitID Erhverv only: the business identities, no private choice.
    let walk = Walk::start(&rp, &[("idp_values", "mitid_erhverv")]).await;
    let screen = walk.user_id("ida").await.expect("app");
    approve_shown_code(&walk, "ida", &screen).await;
    let screen = walk.screen().await.expect("business");
    assert!(screen.offers("business", IDA_BUSINESS), "{}", screen.card());
    assert!(screen.has("Simulatorfirmaet ApS"), "{}", screen.card());
    assert!(!screen.offers("business", "private"), "{}", screen.card());
    let location = walk.done("business", &[("business", IDA_BUSINESS)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["idp"], "mitid_erhverv");

    // MitID Erhverv or MitID: continuing as private is offered, and gives MitID.
    let walk = Walk::start(&rp, &[("idp_values", "mitid_erhverv mitid")]).await;
    walk.user_id("jens").await.expect("choose");
    let screen = walk
        .next("choose", &[("method", "app")])
        .await
        .expect("app");
    approve_shown_code(&walk, "jens", &screen).await;
    let screen = walk.screen().await.expect("business");
    assert!(
        screen.offers("business", JENS_BUSINESS),
        "{}",
        screen.card()
    );
    assert!(screen.offers("business", "private"), "{}", screen.card());
    let location = walk.done("business", &[("business", "private")]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["idp"], "mitid");

    // Someone without a business identity, when only MitID Erhverv will do: told only after
    // authenticating, as in the real flow (the user ID alone reveals nothing).
    let walk = Walk::start(&rp, &[("idp_values", "mitid_erhverv")]).await;
    let screen = walk.user_id("anna").await.expect("app");
    approve_shown_code(&walk, "anna", &screen).await;
    let screen = walk.screen().await.expect("failed");
    assert_eq!(screen.text("failure"), "Ingen erhvervsidentitet");
    walk.leave_with("mitid_erhverv_no_identity").await;
}

// ---- 12: errors

#[tokio::test]
async fn an_unknown_user_id_can_be_retried_or_left() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("nobody-here").await.expect("failed");
    assert_eq!(screen.text("failure"), "Ukendt bruger-ID");
    assert!(screen.offers("action", "retry"), "{}", screen.card());
    walk.next("retry", &[]).await.expect("user_id");
    walk.user_id("nobody-here").await.expect("failed");
    walk.leave_with("mitid_unknown_user").await;
}

#[tokio::test]
async fn suspended_and_revoked_identities_fail_with_their_codes() {
    let rp = Rp::start().await;
    for (user, title, code) in [
        ("kim", "Dit MitID er spærret", "mitid_identity_locked"),
        (
            "mads",
            "Dit MitID er tilbagekaldt",
            "mitid_identity_revoked",
        ),
    ] {
        let walk = Walk::start(&rp, &[]).await;
        let screen = walk.user_id(user).await.expect("failed");
        assert_eq!(screen.text("failure"), title);
        assert!(!screen.offers("action", "retry"), "{}", screen.card());
        walk.leave_with(code).await;
    }
}

#[tokio::test]
async fn cancel_at_the_user_id_and_at_the_code_aborts() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.screen().await.expect("user_id");
    assert!(screen.offers("action", "cancel"), "{}", screen.card());
    let location = walk.done("cancel", &[]).await;
    walk.denied(&location, "mitid_user_aborted");

    let walk = Walk::start(&rp, &[]).await;
    walk.user_id("dorthe").await.expect("code");
    let location = walk.done("cancel", &[]).await;
    walk.denied(&location, "mitid_user_aborted");
}

#[tokio::test]
async fn rule_app_times_out_hides_the_request_until_it_expires() {
    let rp = Rp::start().await;
    set_rule(&rp, "anna", json!("app_times_out")).await;
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("anna").await.expect("app");
    assert!(
        app_requests(&rp, "anna").await.is_empty(),
        "the app never sees the request"
    );
    let (status, _) = approve_app(&rp, "anna", &walk.id, Some(&screen.text("app-code"))).await;
    assert_eq!(status, 404, "nothing waits for this app");
    rp.host.clock().advance(APP_SECONDS + 1);
    walk.leave_with("mitid_approval_expired").await;
}

#[tokio::test]
async fn rule_wrong_code_refuses_the_right_code() {
    let rp = Rp::start().await;
    set_rule(&rp, "dorthe", json!("wrong_code")).await;
    let walk = Walk::start(&rp, &[]).await;
    walk.user_id("dorthe").await.expect("code");
    let code = viewer_code(&rp).await;
    let screen = walk.next("code", &[("code", &code)]).await.expect("code");
    assert!(
        screen.notice().is_some_and(|n| n.contains("2 forsøg")),
        "the right code is refused as wrong:\n{}",
        screen.card()
    );
}

#[tokio::test]
async fn a_stale_or_forged_csrf_token_is_refused() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    let other = Walk::start(&rp, &[]).await;
    for csrf in ["forged", other.csrf.as_str(), ""] {
        let response = rp
            .browser
            .post(walk.page.clone())
            .form(&[("csrf", csrf), ("action", "user_id"), ("user_id", "anna")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "csrf {csrf:?}");
        walk.screen().await.expect("user_id");
    }
    // Without any csrf field, and a cancel: refused too; the login is unchanged.
    let response = rp
        .browser
        .post(walk.page.clone())
        .form(&[("action", "cancel")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    walk.user_id("anna").await.expect("app");
}

// ---- 13: language

#[tokio::test]
async fn the_screens_speak_danish_or_english() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[("ui_locales", "en")]).await;
    let screen = walk.screen().await.expect("user_id");
    assert!(screen.has("<html lang=\"en\">"), "{}", screen.card());
    assert!(screen.has("Continue"), "{}", screen.card());
    assert!(!screen.has("Fortsæt"), "{}", screen.card());

    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.screen().await.expect("user_id");
    assert!(screen.has("<html lang=\"da\">"), "{}", screen.card());
    assert!(screen.has("Fortsæt"), "{}", screen.card());

    // The language switch: a form with the csrf, answered 303 back to the page.
    let response = walk.post(&[("lang", "en")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], walk.page.as_str());
    let screen = walk.screen().await.expect("user_id");
    assert!(screen.has("Continue"), "{}", screen.card());
    assert!(!screen.has("Fortsæt"), "{}", screen.card());
    // It lasts for the rest of the login.
    let screen = walk.user_id("anna").await.expect("app");
    assert!(screen.has("Approve in your app"), "{}", screen.card());
}

// ---- the login's own lifetime

/// How long a parked login waits (config `tokens.login_ttl`).
const LOGIN_TTL: i64 = 15 * 60;

#[tokio::test]
async fn an_expired_login_s_forms_finish_nothing() {
    let rp = Rp::start().await;
    // The page says the login expired; its forms must not finish it either.
    let walk = Walk::start(&rp, &[("acr_values", LOW)]).await;
    walk.user_id("carl").await.expect("password");
    rp.host.clock().advance(LOGIN_TTL + 1);
    let page = rp.browser.get(walk.page.clone()).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::GONE, "the page says it expired");
    let response = walk
        .post(&[("action", "password"), ("password", PASSWORD)])
        .await;
    let location = response
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().unwrap().to_string());
    assert!(
        !location.as_deref().is_some_and(|l| l.contains("code=")),
        "an expired login's form must not send a code to the client: {} {location:?}",
        response.status()
    );
    assert_eq!(response.status(), StatusCode::GONE, "{location:?}");
}

#[tokio::test]
async fn a_chip_touch_after_the_login_expired_finishes_nothing() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[("acr_values", HIGH)]).await;
    walk.user_id("jens").await.expect("password");
    walk.next("password", &[("password", PASSWORD)])
        .await
        .expect("chip");
    rp.host.clock().advance(LOGIN_TTL + 1);
    let r = rp
        .host
        .control()
        .post(
            &format!("/identities/jens/chip/requests/{}/touch", walk.id),
            &json!({}),
        )
        .await
        .unwrap();
    assert!(
        r.status == 404 || r.status == 410,
        "a touch for an expired login is refused: {} {:?}",
        r.status,
        r.body
    );
    let page = rp.browser.get(walk.page.clone()).send().await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::GONE,
        "the expired login is not finished: {:?}",
        page.headers().get(LOCATION)
    );
}
