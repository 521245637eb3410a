//! The decision ladder: a parked login is settled by the first of (1) an explicit decision
//! through the control API or the login page, (2) a queued decision, (3) login_hint in
//! auto-approve mode, (4) a rule on the identity, (5) the instance default.
//!
//! A login settled while it is parked (steps 2-5) redirects straight back to the client; the
//! `x-sim-login-id` header on that redirect names it, so `explain` is read over HTTP.

use crate::support::*;

use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

/// The login page URL of a parked login, and its id.
fn login_page(rp: &Rp, response: &reqwest::Response) -> (Url, String) {
    let location = redirect_to(response);
    let prefix = format!("{}/login/", rp.issuer());
    let id = location
        .as_str()
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("expected the login page, got {location}"))
        .to_string();
    assert!(!id.is_empty() && !id.contains('/'), "{location}");
    (location, id)
}

/// A redirect back to the client: checks `state` and `iss`; returns the Location.
fn back_to_client(rp: &Rp, response: &reqwest::Response) -> Url {
    at_client(rp, redirect_to(response))
}

/// `location` is the client's redirect_uri with `state` and `iss`.
fn at_client(rp: &Rp, location: Url) -> Url {
    let mut base = location.clone();
    base.set_query(None);
    assert_eq!(base.as_str(), REDIRECT_URI, "{location}");
    assert_eq!(query(&location, "state").as_deref(), Some("state-123"));
    assert_eq!(query(&location, "iss").as_deref(), Some(rp.issuer()));
    location
}

fn assert_access_denied(rp: &Rp, response: &reqwest::Response) -> Url {
    denied_at_client(rp, redirect_to(response))
}

fn denied_at_client(rp: &Rp, location: Url) -> Url {
    let location = at_client(rp, location);
    assert_eq!(
        query(&location, "error").as_deref(),
        Some("access_denied"),
        "{location}"
    );
    assert!(query(&location, "code").is_none(), "{location}");
    location
}

/// Authorize in a browser without a broker session, so the ladder runs.
async fn authorize_fresh(rp: &Rp, pkce: &Pkce, extra: &[(&str, &str)]) -> reqwest::Response {
    http_client()
        .get(rp.authorize_url(pkce, extra))
        .send()
        .await
        .unwrap()
}

/// Exchanges the code in `location` and returns the ID token's `sub`.
async fn sub_from(rp: &Rp, location: &Url, pkce: &Pkce) -> String {
    let code = query(location, "code").unwrap_or_else(|| panic!("no code in {location}"));
    let response = rp.exchange(&code, pkce).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    claims(tokens["id_token"].as_str().unwrap())["sub"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn identity_id(rp: &Rp, user_id: &str) -> String {
    let response = rp
        .host
        .control()
        .get(&format!("/identities/{user_id}"))
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{:?}", response.body);
    response.body["id"].as_str().unwrap().to_string()
}

async fn set_rule(rp: &Rp, user_id: &str, rule: &str) {
    let response = rp
        .host
        .control()
        .patch(&format!("/identities/{user_id}"), &json!({ "rule": rule }))
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{:?}", response.body);
    assert_eq!(response.body["rule"], rule);
}

async fn enqueue(rp: &Rp, decision: Value) -> String {
    let response = rp
        .host
        .control()
        .post("/decisions", &decision)
        .await
        .unwrap();
    assert_eq!(response.status, 201, "{:?}", response.body);
    response.body["id"].as_str().unwrap().to_string()
}

async fn queued(rp: &Rp) -> Vec<Value> {
    let response = rp.host.control().get("/decisions").await.unwrap();
    assert_eq!(response.status, 200);
    response.body.as_array().unwrap().clone()
}

async fn explain(rp: &Rp, id: &str) -> Value {
    let response = rp
        .host
        .control()
        .get(&format!("/logins/{id}/explain"))
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{:?}", response.body);
    response.body
}

/// The explanation names `source` and marks exactly that ladder step decided.
fn assert_decided_by(explanation: &Value, source: &str, step: u64) {
    assert_eq!(explanation["decided_by"]["source"], source, "{explanation}");
    let ladder = explanation["ladder"].as_array().unwrap();
    assert_eq!(ladder.len(), 5, "{explanation}");
    for entry in ladder {
        let this = entry["step"].as_u64().unwrap() == step;
        assert_eq!(entry["decided"], this, "{explanation}");
        if this {
            assert_eq!(entry["source"], source, "{explanation}");
        }
    }
}

/// Sends a fresh browser (no broker session) through `/authorize`, where ladder steps 2-5
/// settle the login at once. Returns the login's explanation, read over HTTP through the
/// `x-sim-login-id` header, and the redirect to the client.
async fn park(rp: &Rp, login_hint: Option<&str>) -> (Value, Url) {
    let extra: Vec<(&str, &str)> = login_hint.map(|h| ("login_hint", h)).into_iter().collect();
    let response = http_client()
        .get(rp.authorize_url(&Pkce::new(), &extra))
        .send()
        .await
        .unwrap();
    let id = response.headers()["x-sim-login-id"]
        .to_str()
        .unwrap()
        .to_string();
    let location = redirect_to(&response);
    assert!(
        location.as_str().starts_with(REDIRECT_URI),
        "the ladder did not decide: {location}"
    );
    let explanation = explain(rp, &id).await;
    assert_eq!(explanation["login_id"], id.as_str());
    (explanation, location)
}

// ---- step 1: explicit decisions

#[tokio::test]
async fn interactive_login_waits_and_explicit_approve_as_bo_logs_in_bo() {
    let rp = Rp::start().await;
    let pkce = Pkce::new();
    let response = rp.authorize(&pkce, &[]).await;
    let (page, id) = login_page(&rp, &response);

    let pending = rp.host.control().get("/logins").await.unwrap();
    assert_eq!(pending.status, 200);
    let listed = pending
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id.as_str())
        .unwrap_or_else(|| panic!("login {id} not listed: {:?}", pending.body))
        .clone();
    assert_eq!(listed["status"]["status"], "pending", "{listed}");
    assert_eq!(listed["login_url"], page.as_str());
    assert!(
        listed.get("csrf").is_none(),
        "the control API must not leak the csrf"
    );

    let approved = rp
        .host
        .control()
        .post(&format!("/logins/{id}/approve"), &json!({"user_id": "bo"}))
        .await
        .unwrap();
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    assert_eq!(approved.body["status"]["status"], "approved");
    assert_eq!(approved.body["status"]["user_id"], "bo");

    let response = rp.browser.get(page.clone()).send().await.unwrap();
    let location = back_to_client(&rp, &response);
    assert_eq!(
        sub_from(&rp, &location, &pkce).await,
        identity_id(&rp, "bo").await
    );

    let explanation = explain(&rp, &id).await;
    assert_eq!(explanation["status"], "approved");
    assert_eq!(explanation["decided_by"]["via"], "control_api");
    assert_decided_by(&explanation, "explicit", 1);

    // Settled logins leave the pending list, and a login finishes once: its code redeemed,
    // the page says it is finished.
    let pending = rp.host.control().get("/logins").await.unwrap();
    assert!(
        pending.body.as_array().unwrap().is_empty(),
        "{:?}",
        pending.body
    );
    let again = rp.browser.get(page).send().await.unwrap();
    assert!(again.headers().get(LOCATION).is_none());
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.text().await.unwrap().contains("id=\"finished\""));
}

#[tokio::test]
async fn explicit_reject_sends_access_denied_with_state_and_iss() {
    let rp = Rp::start().await;
    let response = rp.authorize(&Pkce::new(), &[]).await;
    let (page, id) = login_page(&rp, &response);
    let rejected = rp
        .host
        .control()
        .post(
            &format!("/logins/{id}/reject"),
            &json!({"description": "changed my mind"}),
        )
        .await
        .unwrap();
    assert_eq!(rejected.status, 200, "{:?}", rejected.body);
    assert_eq!(rejected.body["status"]["status"], "rejected");

    let response = rp.browser.get(page).send().await.unwrap();
    let location = assert_access_denied(&rp, &response);
    assert_eq!(
        query(&location, "error_description").as_deref(),
        Some("changed my mind")
    );
    assert_decided_by(&explain(&rp, &id).await, "explicit", 1);
}

#[tokio::test]
async fn second_explicit_decision_is_409_already_settled_and_the_first_stands() {
    let rp = Rp::start().await;
    let pkce = Pkce::new();
    let response = rp.authorize(&pkce, &[]).await;
    let (page, id) = login_page(&rp, &response);
    let control = rp.host.control();
    let first = control
        .post(&format!("/logins/{id}/approve"), &json!({"user_id": "bo"}))
        .await
        .unwrap();
    assert_eq!(first.status, 200);

    let second = control
        .post(
            &format!("/logins/{id}/approve"),
            &json!({"user_id": "anna"}),
        )
        .await
        .unwrap();
    assert_eq!(second.status, 409, "{:?}", second.body);
    assert_eq!(second.body["error"], "already_settled");
    assert_eq!(second.body["login"]["status"]["status"], "approved");
    assert_eq!(second.body["login"]["status"]["user_id"], "bo");

    let reject = control
        .post(&format!("/logins/{id}/reject"), &json!({}))
        .await
        .unwrap();
    assert_eq!(reject.status, 409, "{:?}", reject.body);
    assert_eq!(reject.body["error"], "already_settled");
    assert_eq!(reject.body["login"]["status"]["status"], "approved");

    // The client gets the first outcome: a code for bo.
    let response = rp.browser.get(page).send().await.unwrap();
    let location = back_to_client(&rp, &response);
    assert_eq!(
        sub_from(&rp, &location, &pkce).await,
        identity_id(&rp, "bo").await
    );
}

#[tokio::test]
async fn expired_pending_login_cannot_be_approved_410() {
    let rp = Rp::start().await;
    let response = rp.authorize(&Pkce::new(), &[]).await;
    let (page, id) = login_page(&rp, &response);
    rp.host.clock().advance(901);
    let control = rp.host.control();
    let approve = control
        .post(
            &format!("/logins/{id}/approve"),
            &json!({"user_id": "anna"}),
        )
        .await
        .unwrap();
    assert_eq!(approve.status, 410, "{:?}", approve.body);
    let reject = control
        .post(&format!("/logins/{id}/reject"), &json!({}))
        .await
        .unwrap();
    assert_eq!(reject.status, 410, "{:?}", reject.body);
    let pending = control.get("/logins").await.unwrap();
    assert!(
        pending.body.as_array().unwrap().is_empty(),
        "{:?}",
        pending.body
    );
    let response = rp.browser.get(page).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::GONE);
    assert!(response.headers().get(LOCATION).is_none());
}

#[tokio::test]
async fn pending_login_can_still_be_approved_just_before_login_ttl() {
    let rp = Rp::start().await;
    let response = rp.authorize(&Pkce::new(), &[]).await;
    let (_, id) = login_page(&rp, &response);
    rp.host.clock().advance(899);
    let approve = rp
        .host
        .control()
        .post(
            &format!("/logins/{id}/approve"),
            &json!({"user_id": "anna"}),
        )
        .await
        .unwrap();
    assert_eq!(approve.status, 200, "{:?}", approve.body);
}

// ---- the login page

#[tokio::test]
async fn login_page_lists_identities_and_needs_its_csrf_token() {
    let rp = Rp::start().await;
    let pkce = Pkce::new();
    let response = rp.authorize(&pkce, &[]).await;
    let (page, id) = login_page(&rp, &response);

    let shown = rp.browser.get(page.clone()).send().await.unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    let html = shown.text().await.unwrap();
    for user in ["anna", "bo", "dorthe"] {
        assert!(html.contains(user), "{user} missing from the login page");
    }
    let csrf = csrf_of(&html);
    assert!(!csrf.is_empty());

    let without = rp
        .browser
        .post(page.clone())
        .form(&[("action", "approve"), ("user_id", "dorthe")])
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::FORBIDDEN);
    assert!(without.headers().get(LOCATION).is_none());
    let wrong = rp
        .browser
        .post(page.clone())
        .form(&[
            ("csrf", "forged"),
            ("action", "approve"),
            ("user_id", "dorthe"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let still = rp
        .host
        .control()
        .get(&format!("/logins/{id}"))
        .await
        .unwrap();
    assert_eq!(
        still.body["status"]["status"], "pending",
        "{:?}",
        still.body
    );

    let approved = rp
        .browser
        .post(page)
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "approve"),
            ("user_id", "dorthe"),
        ])
        .send()
        .await
        .unwrap();
    let location = back_to_client(&rp, &approved);
    assert_eq!(
        sub_from(&rp, &location, &pkce).await,
        identity_id(&rp, "dorthe").await
    );
    let explanation = explain(&rp, &id).await;
    assert_decided_by(&explanation, "explicit", 1);
    assert_eq!(explanation["decided_by"]["via"], "login_page");
}

#[tokio::test]
async fn login_page_cancel_sends_access_denied() {
    let rp = Rp::start().await;
    let response = rp.authorize(&Pkce::new(), &[]).await;
    let (page, _) = login_page(&rp, &response);
    let html = rp.browser.get(page.clone()).send().await.unwrap();
    let csrf = csrf_of(&html.text().await.unwrap());
    let cancelled = rp
        .browser
        .post(page)
        .form(&[("csrf", csrf.as_str()), ("action", "cancel")])
        .send()
        .await
        .unwrap();
    assert_access_denied(&rp, &cancelled);
}

// ---- step 2: queued decisions

#[tokio::test]
async fn queued_reject_settles_the_next_login_directly_and_is_consumed_once() {
    let rp = Rp::start().await;
    enqueue(&rp, json!({"outcome": "reject", "client_id": CLIENT_ID})).await;
    assert_eq!(queued(&rp).await.len(), 1);

    let response = authorize_fresh(&rp, &Pkce::new(), &[]).await;
    assert_access_denied(&rp, &response);
    assert!(queued(&rp).await.is_empty());

    // Consumed: the next login waits on the login page.
    let response = authorize_fresh(&rp, &Pkce::new(), &[]).await;
    login_page(&rp, &response);
}

#[tokio::test]
async fn queued_decision_is_explained_as_queued() {
    let rp = Rp::start().await;
    let decision = enqueue(
        &rp,
        json!({"outcome": "reject", "client_id": CLIENT_ID, "description": "queued no"}),
    )
    .await;
    let (explanation, location) = park(&rp, None).await;
    assert_decided_by(&explanation, "queued", 2);
    assert_eq!(explanation["decided_by"]["decision_id"], decision.as_str());
    assert_eq!(explanation["status"], "rejected");
    let location = denied_at_client(&rp, location);
    assert_eq!(
        query(&location, "error_description").as_deref(),
        Some("queued no")
    );
    assert!(queued(&rp).await.is_empty());
    // Decided and delivered on the spot: its login page cannot finish it a second time; it
    // says the login is finished.
    let id = explanation["login_id"].as_str().unwrap();
    let page = http_client()
        .get(rp.url(&format!("/login/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers().get(LOCATION).is_none());
    assert!(page.text().await.unwrap().contains("id=\"finished\""));
}

#[tokio::test]
async fn queued_approve_without_user_logs_in_the_default_identity() {
    let rp = Rp::start().await;
    enqueue(&rp, json!({"outcome": "approve"})).await;
    let pkce = Pkce::new();
    let response = authorize_fresh(&rp, &pkce, &[]).await;
    let location = back_to_client(&rp, &response);
    assert_eq!(
        sub_from(&rp, &location, &pkce).await,
        identity_id(&rp, "anna").await
    );
}

#[tokio::test]
async fn queued_decision_for_bo_skips_a_login_hinting_anna_and_settles_one_hinting_bo() {
    let rp = Rp::start().await;
    enqueue(&rp, json!({"outcome": "approve", "for_user_id": "bo"})).await;

    let response = authorize_fresh(&rp, &Pkce::new(), &[("login_hint", "anna")]).await;
    login_page(&rp, &response);
    assert_eq!(queued(&rp).await.len(), 1, "not consumed by anna's login");

    let response = authorize_fresh(&rp, &Pkce::new(), &[]).await;
    login_page(&rp, &response);
    assert_eq!(
        queued(&rp).await.len(),
        1,
        "not consumed by a login without hint"
    );

    let pkce = Pkce::new();
    let response = authorize_fresh(&rp, &pkce, &[("login_hint", "bo")]).await;
    let location = back_to_client(&rp, &response);
    assert!(queued(&rp).await.is_empty());
    assert_eq!(
        sub_from(&rp, &location, &pkce).await,
        identity_id(&rp, "bo").await
    );
}

#[tokio::test]
async fn queued_decision_for_another_client_is_not_consumed() {
    let rp = Rp::start().await;
    register_client(&rp.host, json!({"client_id": "other-rp"})).await;
    enqueue(&rp, json!({"outcome": "reject", "client_id": "other-rp"})).await;

    let response = authorize_fresh(&rp, &Pkce::new(), &[]).await;
    login_page(&rp, &response);
    assert_eq!(queued(&rp).await.len(), 1);

    // The client it names does consume it.
    let response = authorize_fresh(&rp, &Pkce::new(), &[("client_id", "other-rp")]).await;
    assert_access_denied(&rp, &response);
    assert!(queued(&rp).await.is_empty());
}

#[tokio::test]
async fn queued_decisions_are_consumed_in_order() {
    let rp = Rp::start().await;
    enqueue(&rp, json!({"outcome": "reject", "description": "first"})).await;
    enqueue(&rp, json!({"outcome": "reject", "description": "second"})).await;
    for expected in ["first", "second"] {
        let response = authorize_fresh(&rp, &Pkce::new(), &[]).await;
        let location = assert_access_denied(&rp, &response);
        assert_eq!(
            query(&location, "error_description").as_deref(),
            Some(expected)
        );
    }
    assert!(queued(&rp).await.is_empty());
}

// ---- step 3: login_hint in auto-approve mode

#[tokio::test]
async fn login_hint_in_auto_mode_logs_in_the_hinted_identity() {
    let rp = Rp::start_auto().await;
    let tokens = rp.login(&[("login_hint", "bo")]).await;
    let sub = claims(tokens["id_token"].as_str().unwrap())["sub"].clone();
    assert_eq!(sub, identity_id(&rp, "bo").await.as_str());

    let (explanation, location) = park(&rp, Some("bo")).await;
    assert_decided_by(&explanation, "login_hint", 3);
    assert_eq!(explanation["decided_by"]["user_id"], "bo");
    assert!(query(&at_client(&rp, location), "code").is_some());
}

#[tokio::test]
async fn unknown_login_hint_in_auto_mode_is_access_denied() {
    let rp = Rp::start_auto().await;
    let response = authorize_fresh(&rp, &Pkce::new(), &[("login_hint", "nobody")]).await;
    assert_access_denied(&rp, &response);
    let (explanation, _) = park(&rp, Some("nobody")).await;
    assert_decided_by(&explanation, "login_hint", 3);
}

#[tokio::test]
async fn login_hint_in_interactive_mode_does_not_decide() {
    let rp = Rp::start().await;
    let response = authorize_fresh(&rp, &Pkce::new(), &[("login_hint", "bo")]).await;
    let (_, id) = login_page(&rp, &response);
    let explanation = explain(&rp, &id).await;
    assert_eq!(explanation["status"], "pending");
    assert!(explanation["decided_by"].is_null(), "{explanation}");
    // An explicit approve without user_id takes the hinted identity.
    let approved = rp
        .host
        .control()
        .post(&format!("/logins/{id}/approve"), &json!({}))
        .await
        .unwrap();
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    assert_eq!(approved.body["status"]["user_id"], "bo");
}

// ---- step 4: a rule on the identity

#[tokio::test]
async fn identity_rule_always_cancels_on_the_hinted_identity_denies_directly_in_interactive_mode() {
    let rp = Rp::start().await;
    set_rule(&rp, "anna", "always_cancels").await;
    let response = authorize_fresh(&rp, &Pkce::new(), &[("login_hint", "anna")]).await;
    assert_access_denied(&rp, &response);

    let (explanation, location) = park(&rp, Some("anna")).await;
    assert_decided_by(&explanation, "identity_rule", 4);
    assert_eq!(explanation["decided_by"]["user_id"], "anna");
    denied_at_client(&rp, location);
}

#[tokio::test]
async fn identity_rule_always_approves_logs_in_directly_in_interactive_mode() {
    let rp = Rp::start().await;
    set_rule(&rp, "dorthe", "always_approves").await;
    let pkce = Pkce::new();
    let response = authorize_fresh(&rp, &pkce, &[("login_hint", "dorthe")]).await;
    let location = back_to_client(&rp, &response);
    assert_eq!(
        sub_from(&rp, &location, &pkce).await,
        identity_id(&rp, "dorthe").await
    );
}

#[tokio::test]
async fn identity_rule_on_the_default_identity_applies_in_auto_mode_without_hint() {
    let rp = Rp::start_auto().await;
    set_rule(&rp, "anna", "always_cancels").await;
    let response = authorize_fresh(&rp, &Pkce::new(), &[]).await;
    assert_access_denied(&rp, &response);

    let (explanation, _) = park(&rp, None).await;
    assert_decided_by(&explanation, "identity_rule", 4);
    assert_eq!(explanation["decided_by"]["user_id"], "anna");
}

// ---- step 5: the instance default

#[tokio::test]
async fn auto_mode_without_hint_logs_in_the_default_identity_anna() {
    let rp = Rp::start_auto().await;
    let tokens = rp.login(&[]).await;
    let sub = claims(tokens["id_token"].as_str().unwrap())["sub"].clone();
    assert_eq!(sub, identity_id(&rp, "anna").await.as_str());

    let (explanation, location) = park(&rp, None).await;
    assert_decided_by(&explanation, "instance_default", 5);
    assert_eq!(explanation["status"], "approved");
    assert!(query(&at_client(&rp, location), "code").is_some());
}

#[tokio::test]
async fn interactive_mode_without_any_source_leaves_the_login_pending() {
    let rp = Rp::start().await;
    let response = authorize_fresh(&rp, &Pkce::new(), &[]).await;
    let (_, id) = login_page(&rp, &response);
    let explanation = explain(&rp, &id).await;
    assert_eq!(explanation["status"], "pending");
    for step in explanation["ladder"].as_array().unwrap() {
        assert_eq!(step["decided"], false, "{explanation}");
    }
}

// ---- precedence

#[tokio::test]
async fn queued_decision_beats_login_hint_in_auto_mode() {
    let rp = Rp::start_auto().await;
    enqueue(&rp, json!({"outcome": "reject"})).await;
    let response = authorize_fresh(&rp, &Pkce::new(), &[("login_hint", "bo")]).await;
    assert_access_denied(&rp, &response);
    assert!(queued(&rp).await.is_empty());

    enqueue(&rp, json!({"outcome": "reject"})).await;
    let (explanation, _) = park(&rp, Some("bo")).await;
    assert_decided_by(&explanation, "queued", 2);
}

#[tokio::test]
async fn login_hint_beats_the_identity_rule_in_auto_mode() {
    let rp = Rp::start_auto().await;
    set_rule(&rp, "bo", "always_cancels").await;
    let pkce = Pkce::new();
    let response = authorize_fresh(&rp, &pkce, &[("login_hint", "bo")]).await;
    let location = back_to_client(&rp, &response);
    assert_eq!(
        sub_from(&rp, &location, &pkce).await,
        identity_id(&rp, "bo").await
    );

    let (explanation, _) = park(&rp, Some("bo")).await;
    assert_decided_by(&explanation, "login_hint", 3);
    assert_eq!(explanation["status"], "approved");
}

#[tokio::test]
async fn identity_rule_beats_the_instance_default_in_auto_mode() {
    let rp = Rp::start_auto().await;
    set_rule(&rp, "anna", "locked").await;
    let response = authorize_fresh(&rp, &Pkce::new(), &[]).await;
    assert_access_denied(&rp, &response);

    let (explanation, _) = park(&rp, None).await;
    assert_decided_by(&explanation, "identity_rule", 4);
    assert_eq!(explanation["status"], "rejected");
}

#[tokio::test]
async fn queued_decision_for_another_user_does_not_stop_an_explicit_approve() {
    let rp = Rp::start().await;
    enqueue(&rp, json!({"outcome": "reject", "for_user_id": "dorthe"})).await;
    let pkce = Pkce::new();
    let response = rp.authorize(&pkce, &[]).await;
    let (page, id) = login_page(&rp, &response);
    let approved = rp
        .host
        .control()
        .post(
            &format!("/logins/{id}/approve"),
            &json!({"user_id": "dorthe"}),
        )
        .await
        .unwrap();
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    // The queued decision for carl stays: it only applies when a login is parked.
    assert_eq!(queued(&rp).await.len(), 1);
    let response = rp.browser.get(page).send().await.unwrap();
    let location = back_to_client(&rp, &response);
    assert_eq!(
        sub_from(&rp, &location, &pkce).await,
        identity_id(&rp, "dorthe").await
    );
}
