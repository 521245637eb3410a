//! The dashboard at `/_sim/` (docs/dashboard.md): every action posts a form with the
//! dashboard's token and goes through the same core as the control API, which these tests use
//! to check what an action did. A stale or missing token gets 403, bad input a readable page
//! with 400, an unknown id 404; the live list and a login's page follow the store over
//! server-sent events; the control token locks the dashboard like every simulator page.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const CONTROL_TOKEN: &str = "dashboard-control-token-0123";

/// A page of the dashboard, in English.
async fn page(rp: &Rp, path: &str) -> (StatusCode, String) {
    let response = rp
        .browser
        .get(rp.url(path))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The dashboard's form token, as its pages carry it.
async fn token(rp: &Rp) -> String {
    let (status, html) = page(rp, "/_sim/instance").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    csrf_of(&html)
}

/// Posts a dashboard form with the token; answers the status, the Location (303) and the body.
async fn post(rp: &Rp, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
    let csrf = token(rp).await;
    let mut fields: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    fields.extend_from_slice(form);
    send(rp, path, &fields).await
}

async fn send(rp: &Rp, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
    let response = rp
        .browser
        .post(rp.url(path))
        .header("accept-language", "en")
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

/// The message of a dashboard error page.
fn error_message(html: &str) -> &str {
    between(html, "id=\"error-message\">", "<")
}

/// A login parked at the screens (interactive mode): its id.
async fn pending_login(rp: &Rp, extra: &[(&str, &str)]) -> String {
    let response = rp.authorize(&Pkce::new(), extra).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    response.headers()["x-sim-login-id"]
        .to_str()
        .unwrap()
        .to_string()
}

async fn explain(rp: &Rp, id: &str) -> Value {
    let explained = rp
        .host
        .control()
        .get(&format!("/logins/{id}/explain"))
        .await
        .unwrap();
    assert_eq!(explained.status, 200);
    explained.body
}

#[tokio::test]
async fn a_waiting_login_is_listed_and_approved_as_a_chosen_identity() {
    let rp = Rp::start().await;
    let id = pending_login(&rp, &[("login_hint", "anna")]).await;
    let (_, html) = page(&rp, "/_sim").await;
    assert!(
        html.contains(&format!("data-login=\"{id}\" data-status=\"pending\"")),
        "{html}"
    );
    assert!(html.contains("Approve as"), "{html}");

    let (status, location, _) = post(
        &rp,
        &format!("/_sim/logins/{id}/approve"),
        &[("user_id", "bo"), ("back", "/_sim/")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/_sim/?done=approved");
    let explained = explain(&rp, &id).await;
    assert_eq!(explained["status"], "approved");
    assert_eq!(
        explained["decided_by"],
        json!({"source": "explicit", "via": "dashboard"})
    );
    let login = rp
        .host
        .control()
        .get(&format!("/logins/{id}"))
        .await
        .unwrap();
    assert_eq!(login.body["status"]["user_id"], "bo", "approved as chosen");
    let (_, html) = page(&rp, "/_sim/?done=approved").await;
    assert!(html.contains("id=\"done\""), "{html}");
    assert!(
        html.contains(&format!("data-login=\"{id}\" data-status=\"approved\"")),
        "{html}"
    );

    // Written once: a second decision gets 409 and a page that says what stands.
    let (status, _, html) = post(&rp, &format!("/_sim/logins/{id}/reject"), &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error_message(&html).contains("already approved"), "{html}");
}

#[tokio::test]
async fn a_waiting_login_is_rejected_and_bad_decisions_get_readable_pages() {
    let rp = Rp::start().await;
    let id = pending_login(&rp, &[]).await;
    // No token, or another one: 403, and the login still waits.
    let (status, _, html) = send(&rp, &format!("/_sim/logins/{id}/reject"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error_message(&html).contains("stale"), "{html}");
    let (status, _, _) = send(
        &rp,
        &format!("/_sim/logins/{id}/reject"),
        &[("csrf", "forged")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(explain(&rp, &id).await["status"], "pending");
    // Nobody to approve as (no login_hint, no choice): 400, and it still waits.
    let (status, _, html) = post(&rp, &format!("/_sim/logins/{id}/approve"), &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_message(&html).contains("needs a user_id"), "{html}");
    let (status, _, html) = post(
        &rp,
        &format!("/_sim/logins/{id}/approve"),
        &[("user_id", "nobody")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_message(&html).contains("nobody"), "{html}");
    // An unknown login: 404 for its page and its forms.
    let (status, html) = page(&rp, "/_sim/logins/no-such-login").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        error_message(&html).contains("no login no-such-login"),
        "{html}"
    );
    let (status, _, _) = post(&rp, "/_sim/logins/no-such-login/reject", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Rejecting from the login's own page goes back to it.
    let own = format!("/_sim/logins/{id}");
    let (status, location, _) = post(
        &rp,
        &format!("{own}/reject"),
        &[("description", "mitid_user_aborted"), ("back", &own)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("{own}?done=rejected"));
    let explained = explain(&rp, &id).await;
    assert_eq!(explained["status"], "rejected");
    assert_eq!(
        explained["refused"]["error_description"],
        "mitid_user_aborted"
    );
    // An expired login cannot be decided: 410.
    let late = pending_login(&rp, &[]).await;
    rp.host.clock().advance(3600);
    let (status, _, _) = post(
        &rp,
        &format!("/_sim/logins/{late}/approve"),
        &[("user_id", "anna")],
    )
    .await;
    assert_eq!(status, StatusCode::GONE);
}

#[tokio::test]
async fn a_login_page_shows_its_timeline_and_never_a_secret() {
    let rp = Rp::start().await;
    let pkce = Pkce::new();
    let response = rp.authorize(&pkce, &[("login_hint", "dorthe")]).await;
    let id = response.headers()["x-sim-login-id"]
        .to_str()
        .unwrap()
        .to_string();
    let screen = redirect_to(&response);
    // The person types the user ID on the first screen.
    let first = rp.browser.get(screen.as_str()).send().await.unwrap();
    let csrf = csrf_of(&first.text().await.unwrap());
    let typed = rp
        .browser
        .post(screen.as_str())
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "user_id"),
            ("user_id", "dorthe"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(typed.status(), StatusCode::SEE_OTHER);
    let (_, before) = page(&rp, &format!("/_sim/logins/{id}")).await;
    assert!(before.contains("id=\"no-answer\""), "{before}");
    assert!(before.contains("id=\"no-calls\""), "{before}");
    assert!(
        before.contains("class=\"inline approve\""),
        "a waiting login: {before}"
    );
    post(
        &rp,
        &format!("/_sim/logins/{id}/approve"),
        &[("user_id", "dorthe")],
    )
    .await;
    // The browser comes back to the login page and is sent on to the client with a code.
    let finished = rp.browser.get(screen.as_str()).send().await.unwrap();
    let code = query(&redirect_to(&finished), "code").unwrap();
    let tokens: Value = rp.exchange(&code, &pkce).await.json().await.unwrap();

    let (status, html) = page(&rp, &format!("/_sim/logins/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    // The request as the broker took it, the ladder with its deciding step, the answer.
    assert!(html.contains("<code>nonce</code>"), "{html}");
    assert!(html.contains("nonce-456"), "{html}");
    assert!(
        html.contains("<li value=\"1\" class=\"decided\" data-decided=\"1\"><code>explicit</code>"),
        "{html}"
    );
    assert!(html.contains("explicit (dashboard)"), "{html}");
    // What the login kept of the screens: the user ID typed.
    let screens = between(&html, "id=\"tl-screens\"", "</div>");
    assert!(screens.contains("<td>dorthe</td>"), "{screens}");
    // Each screen the person moved to, in order: the user ID screen, then the next one.
    let list = between(screens, "id=\"screen-list\"", "</ol>");
    let visited: Vec<&str> = list
        .split("<code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next())
        .collect();
    assert_eq!(visited.first(), Some(&"user_id"), "{list}");
    assert!(visited.len() >= 2, "{list}");
    assert!(html.contains("id=\"code-issued\""), "{html}");
    assert!(html.contains("[redacted]"), "{html}");
    assert!(html.contains("state-123"), "{html}");
    assert!(html.contains("token exchange"), "{html}");
    assert!(
        !html.contains("class=\"inline approve\""),
        "decided: {html}"
    );
    // No secret: not the code, not a token, not the client's secret, not the PKCE verifier.
    for secret in [
        code.as_str(),
        tokens["access_token"].as_str().unwrap(),
        tokens["id_token"].as_str().unwrap(),
        CLIENT_SECRET,
        pkce.verifier.as_str(),
    ] {
        assert!(!html.contains(secret), "the page shows a secret: {secret}");
    }
}

#[tokio::test]
async fn a_login_decided_as_it_came_in_says_so_and_names_its_source() {
    let rp = Rp::start_auto().await;
    let response = rp.authorize(&Pkce::new(), &[("login_hint", "bo")]).await;
    let id = response.headers()["x-sim-login-id"]
        .to_str()
        .unwrap()
        .to_string();
    let (_, html) = page(&rp, &format!("/_sim/logins/{id}")).await;
    assert!(html.contains("id=\"answered-at-once\""), "{html}");
    assert!(
        html.contains(
            "<li value=\"3\" class=\"decided\" data-decided=\"1\"><code>login_hint</code>"
        ),
        "{html}"
    );
    let (_, list) = page(&rp, "/_sim/").await;
    assert!(
        list.contains("<td class=\"decided-by\">login_hint</td>"),
        "{list}"
    );
}

/// Reads the next server-sent event of `response` (its `event:` name and its data).
async fn next_event(response: &mut reqwest::Response, buffer: &mut String) -> (String, String) {
    loop {
        if let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut name = String::new();
            let mut data = Vec::new();
            for line in block.lines() {
                if let Some(n) = line.strip_prefix("event: ") {
                    name = n.to_string();
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data.push(d);
                } else if line == "data:" {
                    data.push("");
                }
            }
            if name.is_empty() {
                continue; // a keep-alive comment
            }
            return (name, data.join("\n"));
        }
        let chunk = tokio::time::timeout(Duration::from_secs(20), response.chunk())
            .await
            .expect("an event within 20 s")
            .unwrap()
            .expect("the stream goes on");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn the_event_stream_sends_the_rows_then_each_change_and_ends_when_the_server_stops() {
    let rp = Rp::start().await;
    let mut stream = rp
        .browser
        .get(rp.url("/_sim/events"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut buffer = String::new();
    let (name, rows) = next_event(&mut stream, &mut buffer).await;
    assert_eq!(name, "logins");
    assert!(rows.contains("id=\"no-logins\""), "{rows}");

    let id = pending_login(&rp, &[("login_hint", "anna")]).await;
    let (name, rows) = next_event(&mut stream, &mut buffer).await;
    assert_eq!(name, "logins");
    assert!(
        rows.contains(&format!("data-login=\"{id}\" data-status=\"pending\"")),
        "{rows}"
    );
    assert!(
        rows.contains("name=\"csrf\""),
        "the rows carry their forms: {rows}"
    );

    // One login's stream: its fingerprint, and a new one when it is decided.
    let mut one = rp
        .browser
        .get(rp.url(&format!("/_sim/events?login={id}")))
        .send()
        .await
        .unwrap();
    let mut one_buffer = String::new();
    let (name, first) = next_event(&mut one, &mut one_buffer).await;
    assert_eq!(name, "changed");
    assert!(first.starts_with("pending|"), "{first}");
    rp.host
        .control()
        .post(&format!("/logins/{id}/approve"), &json!({}))
        .await
        .unwrap();
    let (_, second) = next_event(&mut one, &mut one_buffer).await;
    assert!(second.starts_with("approved|"), "{second}");
    let (_, rows) = next_event(&mut stream, &mut buffer).await;
    assert!(
        rows.contains(&format!("data-login=\"{id}\" data-status=\"approved\"")),
        "{rows}"
    );

    // Stopping the server ends the streams instead of waiting for them.
    tokio::time::timeout(Duration::from_secs(20), rp.host.stop())
        .await
        .expect("the server stops with streams open");
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream ended");
}

#[tokio::test]
async fn an_identity_made_through_the_form_logs_in_and_is_edited_ruled_blocked_and_deleted() {
    let rp = Rp::start_auto().await;
    let (status, location, _) = post(
        &rp,
        "/_sim/identities",
        &[
            ("user_id", "eva"),
            ("given_name", "Eva"),
            ("family_name", "Formular"),
            ("cpr", "010190-1234"),
            ("ial", "substantial"),
            ("status", "active"),
            ("email", "eva@example.test"),
            ("auth_app", "on"),
            ("auth_code_viewer", "on"),
            ("password", "hemmelig-123"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert_eq!(location, "/_sim/identities/eva?done=created");
    let eva = rp.host.control().get("/identities/eva").await.unwrap();
    assert_eq!(eva.status, 200);
    assert_eq!(eva.body["family_name"], "Formular");
    assert_eq!(eva.body["reaches"], "substantial");
    let kinds: Vec<&str> = eva.body["authenticators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["app", "code_viewer", "password"]);
    assert_eq!(eva.body["authenticators"][2]["password_set"], true);

    // Eva logs in, and her page shows who she is to each profile.
    let tokens = rp.login(&[("login_hint", "eva")]).await;
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["sub"], eva.body["id"]);
    let (status, html) = page(&rp, "/_sim/identities/eva").await;
    assert_eq!(status, StatusCode::OK);
    for profile in ["standard", "neb", "idura", "signicat"] {
        assert!(
            html.contains(&format!("data-profile=\"{profile}\"")),
            "{profile}: {html}"
        );
    }
    assert!(html.contains("0101901234"), "dk.cpr in the claims: {html}");
    assert!(html.contains("/_sim/app/eva"), "the app's page: {html}");

    // The list finds her by name; a search for nobody finds nobody.
    let (_, html) = page(&rp, "/_sim/identities?q=formular").await;
    assert!(html.contains("data-user=\"eva\""), "{html}");
    assert!(!html.contains("data-user=\"anna\""), "{html}");
    let (_, html) = page(&rp, "/_sim/identities?q=zzz").await;
    assert!(html.contains("id=\"no-identities\""), "{html}");

    // Edit: a new family name and the chip; the password stays as it was.
    let (status, location, _) = post(
        &rp,
        "/_sim/identities/eva",
        &[
            ("user_id", "eva"),
            ("given_name", "Eva"),
            ("family_name", "Rettet"),
            ("ial", "high"),
            ("status", "active"),
            ("auth_app", "on"),
            ("auth_chip", "on"),
            ("auth_password", "on"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/_sim/identities/eva?done=saved");
    let edited = rp.host.control().get("/identities/eva").await.unwrap();
    assert_eq!(edited.body["family_name"], "Rettet");
    assert_eq!(edited.body["reaches"], "high");
    assert!(
        edited.body.get("cpr").is_none(),
        "a field left empty is removed"
    );
    let broker = rp.host.broker();
    let stored = broker
        .store
        .identities
        .by_user_id(&broker::model::UserId::new("eva"))
        .unwrap()
        .unwrap();
    assert!(
        stored.verify_password("hemmelig-123"),
        "the password is kept"
    );

    // A rule, then none.
    let (status, _, _) = post(
        &rp,
        "/_sim/identities/eva/rule",
        &[("rule", "always_cancels")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let ruled = rp.host.control().get("/identities/eva").await.unwrap();
    assert_eq!(ruled.body["rule"], "always_cancels");
    let (_, html) = page(&rp, "/_sim/identities").await;
    assert!(html.contains("always_cancels"), "{html}");
    post(&rp, "/_sim/identities/eva/rule", &[("rule", "")]).await;
    let ruled = rp.host.control().get("/identities/eva").await.unwrap();
    assert!(ruled.body.get("rule").is_none(), "{}", ruled.body);

    // Block the app for a minute, then unblock it.
    let (status, location, _) = post(
        &rp,
        "/_sim/identities/eva/devices/app/block",
        &[("seconds", "60")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/_sim/identities/eva?done=blocked");
    let devices = rp
        .host
        .control()
        .get("/identities/eva/devices")
        .await
        .unwrap();
    let until = devices.body["app"]["blocked_until"].as_i64().unwrap();
    assert_eq!(until, rp.host.clock().now() + 60);
    let (_, html) = page(&rp, "/_sim/identities/eva").await;
    assert!(
        html.contains("data-device=\"app\" data-blocked=\"1\""),
        "{html}"
    );
    let (status, _, _) = post(&rp, "/_sim/identities/eva/devices/app/unblock", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let devices = rp
        .host
        .control()
        .get("/identities/eva/devices")
        .await
        .unwrap();
    assert!(devices.body["app"]["blocked_until"].is_null());

    // Delete.
    let (status, location, _) = post(&rp, "/_sim/identities/eva/delete", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/_sim/identities?done=deleted");
    assert_eq!(
        rp.host
            .control()
            .get("/identities/eva")
            .await
            .unwrap()
            .status,
        404
    );
}

#[tokio::test]
async fn identity_forms_refuse_bad_input_unknown_people_and_missing_tokens() {
    let rp = Rp::start().await;
    // A birth date that is not one, a CPR number that disagrees with it, a user ID taken.
    let (status, _, html) = post(
        &rp,
        "/_sim/identities",
        &[
            ("user_id", "x1"),
            ("given_name", "X"),
            ("birthdate", "1990-13-40"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_message(&html).contains("birthdate"), "{html}");
    assert!(
        html.contains("href=\"/_sim/identities/new\""),
        "a way back: {html}"
    );
    let (status, _, html) = post(
        &rp,
        "/_sim/identities",
        &[("user_id", "anna"), ("given_name", "Anden")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error_message(&html).contains("already exists"), "{html}");
    let (status, _, html) = post(
        &rp,
        "/_sim/identities",
        &[
            ("user_id", "x2"),
            ("given_name", "X"),
            ("cpr", "010190-1234"),
            ("birthdate", "1991-01-01"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error_message(&html).contains("encodes the birth date"),
        "{html}"
    );
    let (status, _, _) = post(&rp, "/_sim/identities", &[("given_name", "Nameless")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no user ID");
    let (status, _, _) = post(&rp, "/_sim/identities/anna/devices/teleporter/block", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, html) = post(
        &rp,
        "/_sim/identities/anna/devices/app/block",
        &[("seconds", "soon")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_message(&html).contains("whole number"), "{html}");
    let (status, _, _) = post(&rp, "/_sim/identities/anna/rule", &[("rule", "sometimes")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Unknown people: 404, pages and forms alike.
    for path in ["/_sim/identities/nobody", "/_sim/identities/nobody/edit"] {
        assert_eq!(page(&rp, path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    for path in [
        "/_sim/identities/nobody",
        "/_sim/identities/nobody/rule",
        "/_sim/identities/nobody/delete",
        "/_sim/identities/nobody/devices/app/block",
        "/_sim/identities/nobody/devices/app/unblock",
    ] {
        let (status, _, _) = post(&rp, path, &[("given_name", "N")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // Without the token nothing changes.
    let (status, _, _) = send(&rp, "/_sim/identities/anna/delete", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(
        &rp,
        "/_sim/identities",
        &[("user_id", "x3"), ("given_name", "X")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        rp.host
            .control()
            .get("/identities/anna")
            .await
            .unwrap()
            .status,
        200
    );
    assert_eq!(
        rp.host
            .control()
            .get("/identities/x3")
            .await
            .unwrap()
            .status,
        404
    );
}

#[tokio::test]
async fn a_client_is_created_with_its_secret_shown_once_reported_and_deleted() {
    let rp = Rp::start_auto().await;
    let (status, _, html) = post(
        &rp,
        "/_sim/clients",
        &[
            ("client_id", "web-rp"),
            ("name", "Web RP"),
            (
                "redirect_uris",
                "https://web.example/cb\n  https://web.example/cb2 \n",
            ),
            ("token_endpoint_auth_method", "client_secret_basic"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{html}");
    let secret = between(&html, "id=\"client-secret\">", "<").to_string();
    assert!(secret.len() >= 20, "a generated secret: {secret}");
    let client = rp.host.control().get("/clients/web-rp").await.unwrap();
    assert_eq!(
        client.body["redirect_uris"],
        json!(["https://web.example/cb", "https://web.example/cb2"])
    );
    // Shown once: the client's page never shows it again.
    let (status, html) = page(&rp, "/_sim/clients/web-rp").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains(&secret));
    assert!(html.contains("id=\"no-report\""), "{html}");
    // The secret works at the token endpoint.
    let pkce = Pkce::new();
    let code = {
        let mut url = rp.authorize_url(&pkce, &[("login_hint", "anna")]);
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| match k.as_ref() {
                "client_id" => (k.to_string(), "web-rp".to_string()),
                "redirect_uri" => (k.to_string(), "https://web.example/cb".to_string()),
                _ => (k.to_string(), v.to_string()),
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        let response = rp.browser.get(url).send().await.unwrap();
        query(&redirect_to(&response), "code").unwrap()
    };
    let tokens = rp
        .token_as(
            "web-rp",
            &secret,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "https://web.example/cb"),
                ("code_verifier", &pkce.verifier),
            ],
        )
        .await;
    assert_eq!(tokens.status(), StatusCode::OK);

    // The RP report: a fault queued from the client's page, then a login that carries it.
    let (status, _, _) = post(
        &rp,
        "/_sim/queue/faults",
        &[
            ("fault", "invalid-iss"),
            ("client_id", "rp"),
            ("count", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let carried = rp.login(&[]).await;
    assert!(carried["id_token"].is_string());
    let (_, html) = page(&rp, "/_sim/clients/rp").await;
    assert!(
        html.contains("class=\"verdict\" data-fault=\"invalid-iss\""),
        "{html}"
    );

    // Bad input, a taken ID, an unknown client.
    let (status, _, html) = post(
        &rp,
        "/_sim/clients",
        &[
            ("client_id", "bad-rp"),
            ("redirect_uris", "javascript:alert(1)"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!error_message(&html).is_empty());
    let (status, _, _) = post(
        &rp,
        "/_sim/clients",
        &[
            ("client_id", "web-rp"),
            ("redirect_uris", "https://x.example/cb"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        page(&rp, "/_sim/clients/nobody").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(&rp, "/_sim/clients/nobody/delete", &[]).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _, _) = send(&rp, "/_sim/clients/web-rp/delete", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, location, _) = post(&rp, "/_sim/clients/web-rp/delete", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/_sim/clients?done=deleted");
    assert_eq!(
        rp.host
            .control()
            .get("/clients/web-rp")
            .await
            .unwrap()
            .status,
        404
    );
}

#[tokio::test]
async fn keys_are_rotated_and_a_retired_one_removed() {
    let rp = Rp::start().await;
    let before = rp.host.control().get("/keys").await.unwrap().body;
    let active = before
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["state"] == "active" && k["kind"] == "rsa")
        .unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_string();
    // The active key cannot be removed: 409.
    let (status, _, html) = post(&rp, &format!("/_sim/keys/{active}/remove"), &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        error_message(&html).contains("only a retired key"),
        "{html}"
    );
    let (status, location, _) = post(&rp, "/_sim/keys/rotate", &[("kind", "rsa")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/_sim/keys?done=rotated");
    let after = rp.host.control().get("/keys").await.unwrap().body;
    let retired = after
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == active.as_str())
        .unwrap();
    assert_eq!(retired["state"], "retired");
    let (_, html) = page(&rp, "/_sim/keys").await;
    assert!(
        html.contains(&format!("data-kid=\"{active}\" data-state=\"retired\"")),
        "{html}"
    );
    let (status, _, _) = post(&rp, &format!("/_sim/keys/{active}/remove"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let left = rp.host.control().get("/keys").await.unwrap().body;
    assert!(!left.to_string().contains(&active));
    // Unknown kinds and keys.
    assert_eq!(
        post(&rp, "/_sim/keys/rotate", &[("kind", "dsa")]).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post(&rp, "/_sim/keys/no-such-kid/remove", &[]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&rp, "/_sim/keys/rotate", &[]).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn decisions_and_faults_are_queued_listed_removed_and_cleared() {
    let rp = Rp::start().await;
    let (status, location, _) = post(
        &rp,
        "/_sim/queue/decisions",
        &[
            ("outcome", "approve"),
            ("user_id", "bo"),
            ("client_id", "rp"),
            ("description", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/_sim/queue?done=queued");
    let queued = rp.host.control().get("/decisions").await.unwrap().body;
    assert_eq!(queued[0]["outcome"], "approve");
    assert_eq!(queued[0]["user_id"], "bo");
    assert_eq!(queued[0]["client_id"], "rp");
    let (_, html) = page(&rp, "/_sim/queue").await;
    assert!(
        html.contains("class=\"decision-row\" data-outcome=\"approve\""),
        "{html}"
    );
    // The queued decision decides the next login, as the control API's would.
    let id = {
        let response = rp.authorize(&Pkce::new(), &[]).await;
        response.headers()["x-sim-login-id"]
            .to_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(explain(&rp, &id).await["decided_by"]["source"], "queued");

    let (status, _, html) = post(
        &rp,
        "/_sim/queue/decisions",
        &[("outcome", "reject"), ("user_id", "bo")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error_message(&html).contains("belong to an approve"),
        "{html}"
    );
    assert_eq!(
        post(&rp, "/_sim/queue/decisions", &[("outcome", "maybe")])
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    post(&rp, "/_sim/queue/decisions", &[("outcome", "reject")]).await;
    let (status, _, _) = post(&rp, "/_sim/queue/decisions/clear", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let queued = rp.host.control().get("/decisions").await.unwrap().body;
    assert_eq!(queued, json!([]));

    // Faults.
    let (status, _, _) = post(
        &rp,
        "/_sim/queue/faults",
        &[
            ("fault", "invalid-aud"),
            ("client_id", "rp"),
            ("count", "2"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let faults = rp.host.control().get("/faults/queued").await.unwrap().body;
    assert_eq!(faults[0]["fault"], "invalid-aud");
    assert_eq!(faults[0]["remaining"], 2);
    let fault_id = faults[0]["id"].as_str().unwrap().to_string();
    let (_, html) = page(&rp, "/_sim/queue").await;
    assert!(
        html.contains("data-fault=\"invalid-aud\" data-client=\"rp\""),
        "{html}"
    );
    for (form, expected) in [
        (
            vec![("fault", "no-such-fault"), ("client_id", "rp")],
            StatusCode::BAD_REQUEST,
        ),
        (
            vec![("fault", "invalid-aud"), ("client_id", "nobody")],
            StatusCode::NOT_FOUND,
        ),
        (
            vec![
                ("fault", "invalid-aud"),
                ("client_id", "rp"),
                ("count", "0"),
            ],
            StatusCode::BAD_REQUEST,
        ),
        (
            vec![
                ("fault", "invalid-aud"),
                ("client_id", "rp"),
                ("delay_seconds", "5"),
            ],
            StatusCode::BAD_REQUEST,
        ),
    ] {
        assert_eq!(
            post(&rp, "/_sim/queue/faults", &form).await.0,
            expected,
            "{form:?}"
        );
    }
    let (status, _, _) = post(&rp, &format!("/_sim/queue/faults/{fault_id}/remove"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        post(&rp, &format!("/_sim/queue/faults/{fault_id}/remove"), &[])
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    post(
        &rp,
        "/_sim/queue/faults",
        &[("fault", "invalid-iss"), ("client_id", "rp")],
    )
    .await;
    let (status, _, _) = post(&rp, "/_sim/queue/faults/clear", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let faults = rp.host.control().get("/faults/queued").await.unwrap().body;
    assert_eq!(faults, json!([]));
    assert_eq!(
        send(&rp, "/_sim/queue/faults/clear", &[]).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_clock_is_moved_and_the_instance_reset() {
    let rp = Rp::start().await;
    let before = rp.host.clock().now();
    let (_, html) = page(&rp, "/_sim/instance").await;
    assert!(html.contains("data-controllable=\"1\""), "{html}");
    assert!(html.contains(&format!("data-now=\"{before}\"")), "{html}");
    let (status, location, _) = post(&rp, "/_sim/instance/advance", &[("seconds", "90")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/_sim/instance?done=advanced");
    assert_eq!(rp.host.clock().now(), before + 90);
    for seconds in ["0", "-5", "soon", ""] {
        let (status, _, _) = post(&rp, "/_sim/instance/advance", &[("seconds", seconds)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{seconds:?}");
    }
    assert_eq!(rp.host.clock().now(), before + 90);

    let id = pending_login(&rp, &[]).await;
    let (status, location, _) = post(&rp, "/_sim/instance/reset", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/_sim/instance?done=reset");
    let login = rp
        .host
        .control()
        .get(&format!("/logins/{id}"))
        .await
        .unwrap();
    assert_eq!(login.status, 404, "reset cleared the logins");
    assert_eq!(
        send(&rp, "/_sim/instance/reset", &[]).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn on_the_real_clock_the_dashboard_says_so_and_refuses_to_move_it() {
    let config = broker::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..broker::Config::default()
    };
    let running = broker::server::start(
        config,
        std::sync::Arc::new(broker::clock::SystemClock),
        broker::Storage::Memory,
    )
    .await
    .unwrap();
    let base = format!("http://{}", running.local_addr);
    let client = http_client();
    let html = client
        .get(format!("{base}/_sim/instance"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"clock-real\""), "{html}");
    let csrf = csrf_of(&html);
    let response = client
        .post(format!("{base}/_sim/instance/advance"))
        .form(&[("csrf", csrf.as_str()), ("seconds", "60")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("real clock"));
    running.stop().await;
}

#[tokio::test]
async fn the_dashboard_speaks_danish_or_english_and_remembers_the_switch() {
    let rp = Rp::start().await;
    // A browser set to Danish.
    let danish = |path: &'static str| {
        let request = rp.browser.get(rp.url(path)).header("accept-language", "da");
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let html = danish("/_sim/").await;
    assert!(html.contains("<html lang=\"da\""), "{html}");
    assert!(html.contains("Seneste logins"), "{html}");
    let html = danish("/_sim/keys?lang=en").await;
    assert!(html.contains("<html lang=\"en\""), "{html}");
    // Remembered: the next page is English whatever the browser says.
    let html = danish("/_sim/queue").await;
    assert!(html.contains("Queued decisions"), "{html}");
}

#[tokio::test]
async fn the_control_token_locks_the_dashboard_and_its_stream() {
    let rp = Rp::start_with(|c| c.control_token = Some(CONTROL_TOKEN.into())).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["/_sim/", "/_sim", "/_sim/identities", "/_sim/events"] {
        let locked = client.get(rp.url(path)).send().await.unwrap();
        assert_eq!(locked.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(locked.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/_sim/unlock?next="));
    }
    let locked = client
        .post(rp.url("/_sim/instance/reset"))
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(locked.status(), StatusCode::UNAUTHORIZED);

    let unlocked = client
        .post(rp.url("/_sim/unlock"))
        .form(&[("token", CONTROL_TOKEN), ("next", "/_sim/")])
        .send()
        .await
        .unwrap();
    let cookie = unlocked.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let html = client
        .get(rp.url("/_sim/instance"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    let id = pending_login(&rp, &[]).await;
    let decided = client
        .post(rp.url(&format!("/_sim/logins/{id}/approve")))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("user_id", "anna")])
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), StatusCode::SEE_OTHER);
    assert_eq!(explain(&rp, &id).await["status"], "approved");
}

#[tokio::test]
async fn a_page_of_another_site_cannot_post_a_dashboard_form() {
    let rp = Rp::start().await;
    let csrf = token(&rp).await;
    let response = rp
        .browser
        .post(rp.url("/_sim/instance/reset"))
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
