//! The login screens with the MitID app: its requests (approved with the code the page shows,
//! a wrong code, a rejection, expiry and retry), and switching from the app to the password.
//! Walked with the helpers in `screens.rs`.

use crate::screens::{
    app_request, approve_app, other_code, Walk, APP_SECONDS, LOW, PASSWORD, SUBSTANTIAL,
};
use crate::support::*;
use serde_json::json;

// ---- 1-4: the app

#[tokio::test]
async fn app_login_approved_with_the_code_the_page_shows() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    walk.screen().await.expect("user_id");
    let screen = walk.user_id("anna").await.expect("app");
    let code = screen.text("app-code");
    assert!(
        code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()),
        "a 4-digit code: {code}"
    );
    let request = app_request(&rp, "anna", &walk.id)
        .await
        .expect("the app sees the login");
    assert_eq!(request["seconds_left"], APP_SECONDS);
    assert_eq!(request["client_id"], CLIENT_ID);

    let (status, body) = approve_app(&rp, "anna", &walk.id, Some(&code)).await;
    assert_eq!(status, 200, "{body}");
    let location = walk.returned().await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["code_app"]));
    assert_eq!(id_token["acr"], SUBSTANTIAL);
    assert_eq!(id_token["idp"], "mitid");
    assert_eq!(
        id_token["auth_time"].as_i64(),
        Some(rp.host.clock().now()),
        "auth_time is the approval's time: {id_token}"
    );
}

#[tokio::test]
async fn a_wrong_app_code_is_refused_and_the_login_waits() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("anna").await.expect("app");
    let code = screen.text("app-code");
    let wrong = other_code(&code);

    let (status, body) = approve_app(&rp, "anna", &walk.id, Some(&wrong)).await;
    assert_eq!(status, 422, "a wrong code is refused: {body}");
    let screen = walk.screen().await.expect("app");
    assert_eq!(
        screen.text("app-code"),
        code,
        "the same request still waits"
    );
    assert!(app_request(&rp, "anna", &walk.id).await.is_some());

    let (status, body) = approve_app(&rp, "anna", &walk.id, None).await;
    assert_eq!(
        status, 200,
        "the control API may approve without the code: {body}"
    );
    let location = walk.returned().await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["code_app"]));
}

#[tokio::test]
async fn an_app_rejection_aborts_the_login() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[]).await;
    walk.user_id("anna").await.expect("app");
    let r = rp
        .host
        .control()
        .post(
            &format!("/identities/anna/app/requests/{}/reject", walk.id),
            &json!({}),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    let location = walk.returned().await;
    walk.denied(&location, "mitid_user_aborted");
}

#[tokio::test]
async fn an_app_request_expires_and_retry_sends_a_new_one() {
    let rp = Rp::start().await;

    // Leaving after the expiry: the client hears why.
    let walk = Walk::start(&rp, &[]).await;
    let screen = walk.user_id("anna").await.expect("app");
    let old_code = screen.text("app-code");
    rp.host.clock().advance(APP_SECONDS + 1);
    let screen = walk.screen().await.expect("failed");
    assert_eq!(screen.text("failure"), "Anmodningen er udløbet");
    assert!(screen.offers("action", "retry"), "{}", screen.card());
    assert!(app_request(&rp, "anna", &walk.id).await.is_none());
    let (status, body) = approve_app(&rp, "anna", &walk.id, Some(&old_code)).await;
    assert!(
        status == 404 || status == 410,
        "an expired request cannot be approved: {status} {body}"
    );
    walk.leave_with("mitid_approval_expired").await;

    // Retrying instead: a fresh request, which the app approves.
    let walk = Walk::start(&rp, &[]).await;
    let first = walk.user_id("anna").await.expect("app");
    let first_expiry = app_request(&rp, "anna", &walk.id).await.unwrap()["expires_at"].clone();
    rp.host.clock().advance(APP_SECONDS + 1);
    walk.screen().await.expect("failed");
    let screen = walk.next("retry", &[]).await.expect("app");
    let request = app_request(&rp, "anna", &walk.id)
        .await
        .expect("a fresh request waits for the app");
    assert_eq!(request["seconds_left"], APP_SECONDS);
    assert!(
        request["expires_at"].as_i64() > first_expiry.as_i64(),
        "a new request: {request}, the first expired at {first_expiry}"
    );
    let code = screen.text("app-code");
    if code != first.text("app-code") {
        let (status, _) = approve_app(&rp, "anna", &walk.id, Some(&first.text("app-code"))).await;
        assert_eq!(
            status, 422,
            "the expired request's code is not the new one's"
        );
    }
    let (status, body) = approve_app(&rp, "anna", &walk.id, Some(&code)).await;
    assert_eq!(status, 200, "{body}");
    let location = walk.returned().await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["code_app"]));
    assert_eq!(id_token["acr"], SUBSTANTIAL);
}

// ---- 14: switching authenticator

#[tokio::test]
async fn switching_from_the_app_to_the_password() {
    let rp = Rp::start().await;
    let walk = Walk::start(&rp, &[("acr_values", LOW)]).await;
    let screen = walk.user_id("jens").await.expect("choose");
    for method in ["app", "chip", "password"] {
        assert!(
            screen.offers("method", method),
            "{method}:\n{}",
            screen.card()
        );
    }
    let screen = walk
        .next("choose", &[("method", "app")])
        .await
        .expect("app");
    assert!(screen.offers("action", "switch"), "{}", screen.card());
    assert!(app_request(&rp, "jens", &walk.id).await.is_some());

    walk.next("switch", &[]).await.expect("choose");
    assert!(
        app_request(&rp, "jens", &walk.id).await.is_none(),
        "the app request is withdrawn"
    );
    walk.next("choose", &[("method", "password")])
        .await
        .expect("password");
    let location = walk.done("password", &[("password", PASSWORD)]).await;
    let id_token = walk.id_token(&location).await;
    assert_eq!(id_token["amr"], json!(["password"]));
    assert_eq!(id_token["acr"], LOW);
}
