//! Getting MitID in the app, over the control API: every step, every document fault, the
//! face and liveness failures, and the new identity logging in to the demo mailbox.

use crate::mailbox::{follow, start_mailbox};
use crate::support::*;
use broker::host::{ControlResponse, TestHost};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn start(host: &TestHost, document: &str) -> (String, Value) {
    let r = host
        .control()
        .post("/onboardings", &json!({ "document": document }))
        .await
        .unwrap();
    assert_eq!(r.status, 201, "{:?}", r.body);
    (r.body["id"].as_str().unwrap().to_string(), r.body.clone())
}

async fn step(host: &TestHost, id: &str, name: &str, body: Value) -> ControlResponse {
    host.control()
        .post(&format!("/onboardings/{id}/{name}"), &body)
        .await
        .unwrap()
}

fn step_of(r: &ControlResponse) -> String {
    let onboarding = if r.body["onboarding"].is_object() {
        &r.body["onboarding"]
    } else {
        &r.body
    };
    onboarding["step"]["step"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The temporary PIN in the latest SMS to `phone`.
async fn temporary_pin(host: &TestHost, phone: &str) -> String {
    let r = host
        .control()
        .get(&format!("/outbox?channel=sms&to=%2B45{phone}"))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    let body = r.body[0]["body"].as_str().unwrap();
    body.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no 6-digit PIN in {body}"))
        .to_string()
}

/// Runs an onboarding from the document to the activated app; returns the new user ID.
async fn onboard(host: &TestHost, document: &str, user_id: &str, phone: &str) -> Value {
    let (id, started) = start(host, document).await;
    assert_eq!(step_of_value(&started), "mrz");
    let printed = started["document_data"]["printed_mrz"].as_str().unwrap();
    let cpr = started["document_data"]["suggested_cpr"]
        .as_str()
        .unwrap()
        .to_string();
    for (name, body, next) in [
        ("mrz", json!({ "mrz": printed }), "chip"),
        ("chip", json!({}), "face"),
        ("face", json!({ "selfie": "same-1" }), "liveness"),
        ("liveness", json!({ "behaviour": "follows" }), "personal"),
        ("personal", json!({ "cpr": cpr }), "user_id"),
        (
            "user-id",
            json!({ "user_id": user_id, "phone": phone }),
            "temporary_pin",
        ),
    ] {
        let r = step(host, &id, name, body).await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        assert_eq!(step_of(&r), next, "{name}");
    }
    let pin = temporary_pin(host, phone).await;
    let r = step(host, &id, "temporary-pin", json!({ "pin": pin })).await;
    assert_eq!(step_of(&r), "pin", "{:?}", r.body);
    let r = step(
        host,
        &id,
        "pin",
        json!({ "pin": "2580", "confirm": "2580" }),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(step_of(&r), "done", "{:?}", r.body);
    let identity = host
        .control()
        .get(&format!("/identities/{user_id}"))
        .await
        .unwrap();
    assert_eq!(identity.status, 200);
    assert_eq!(identity.body["cpr"], cpr.as_str());
    identity.body
}

fn step_of_value(v: &Value) -> String {
    v["step"]["step"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_new_person_gets_mitid_in_the_app_and_logs_in_to_the_mailbox_at_high() {
    let host = TestHost::start().await.unwrap();
    let identity = onboard(&host, "passport-1", "ny.borger", "20304050").await;
    assert_eq!(identity["ial"], "high");
    assert_eq!(identity["authenticators"][0]["kind"], "app");
    assert_eq!(identity["authenticators"][0]["enrolled_at_high"], true);
    assert_eq!(identity["phone_number"], "+4520304050");
    assert_eq!(identity["reaches"], "high");

    // The new identity logs in to the demo mailbox with its app.
    let mailbox = start_mailbox(&host).await;
    let browser = http_client();
    let r = browser
        .get(format!("{}/login", mailbox.base))
        .send()
        .await
        .unwrap();
    let (page, hops) = follow(&browser, r.headers()["location"].to_str().unwrap(), 4).await;
    assert_eq!(page.status(), StatusCode::OK, "{hops:?}");
    let login = page.url().to_string();
    assert!(login.contains("/login/"), "{login}");
    let html = page.text().await.unwrap();
    let csrf = csrf_of(&html);
    let r = browser
        .post(&login)
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "user_id"),
            ("user_id", "ny.borger"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let txn = login.rsplit('/').next().unwrap().to_string();
    let approved = host
        .control()
        .post(
            &format!("/identities/ny.borger/app/requests/{txn}/approve"),
            &json!({}),
        )
        .await
        .unwrap();
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    let (home, hops) = follow(&browser, &login, 6).await;
    assert_eq!(home.status(), StatusCode::OK, "{hops:?}");
    let html = home.text().await.unwrap();
    let name = format!(
        "{} {}",
        identity["given_name"].as_str().unwrap(),
        identity["family_name"].as_str().unwrap()
    );
    assert!(html.contains(&name), "{name} not in {html}");
    let explained = host
        .control()
        .get(&format!("/logins/{txn}/explain"))
        .await
        .unwrap();
    assert_eq!(
        explained.body["authenticated"]["acr"],
        "https://data.gov.dk/concept/core/nsis/High"
    );
    assert_eq!(explained.body["authenticated"]["amr"], json!(["code_app"]));
}

#[tokio::test]
async fn an_identity_card_works_too_and_a_foreign_resident_has_no_cpr() {
    let host = TestHost::start().await.unwrap();
    let (id, started) = start(&host, "id-card-4").await;
    let printed = started["document_data"]["printed_mrz"].as_str().unwrap();
    assert_eq!(printed.lines().count(), 3, "TD1: three lines");
    for (name, body) in [
        ("mrz", json!({ "mrz": printed })),
        ("chip", json!({})),
        ("face", json!({ "selfie": "same-2" })),
        ("liveness", json!({ "behaviour": "follows" })),
        ("personal", json!({ "cpr": null })),
        (
            "user-id",
            json!({ "user_id": "udlaending1", "phone": "+46701234567" }),
        ),
    ] {
        let r = step(&host, &id, name, body).await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
    }
    let r = host
        .control()
        .get("/outbox?channel=sms&to=%2B46701234567")
        .await
        .unwrap();
    let body = r.body[0]["body"].as_str().unwrap().to_string();
    let pin = body
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_string();
    step(&host, &id, "temporary-pin", json!({ "pin": pin })).await;
    let done = step(&host, &id, "pin", json!({ "pin": "97531" })).await;
    assert_eq!(step_of(&done), "done", "{:?}", done.body);
    let identity = host.control().get("/identities/udlaending1").await.unwrap();
    assert!(identity.body["cpr"].is_null(), "{:?}", identity.body);
}

#[tokio::test]
async fn each_faulty_document_ends_at_its_step_and_names_why() {
    let host = TestHost::start().await.unwrap();
    // (document, the step that refuses it, words of the reason)
    let cases = [
        ("expired", "mrz", "expired"),
        ("tampered", "chip", "data group 2"),
        ("untrusted-signer", "chip", "trusted country signing CA"),
        ("unreadable-chip", "chip", "cannot be read"),
        ("no-chip", "chip", "no chip"),
    ];
    for (document, at, words) in cases {
        let (id, started) = start(&host, document).await;
        let printed = started["document_data"]["printed_mrz"].as_str().unwrap();
        let r = step(&host, &id, "mrz", json!({ "mrz": printed })).await;
        let r = if at == "chip" {
            assert_eq!(step_of(&r), "chip", "{document}: {:?}", r.body);
            step(&host, &id, "chip", json!({})).await
        } else {
            r
        };
        assert_eq!(r.status, 200, "{document}: {:?}", r.body);
        assert_eq!(step_of(&r), "failed", "{document}: {:?}", r.body);
        let reason = r.body["step"]["reason"].as_str().unwrap();
        assert!(reason.contains(words), "{document}: {reason}");
        // Ended: no further step is taken.
        let again = step(&host, &id, "chip", json!({})).await;
        assert_eq!(again.status, 410, "{document}");
    }
}

#[tokio::test]
async fn a_wrong_check_digit_names_the_field_and_the_step_stays() {
    let host = TestHost::start().await.unwrap();
    let (id, started) = start(&host, "wrong-check-digit").await;
    let printed = started["document_data"]["printed_mrz"].as_str().unwrap();
    let r = step(&host, &id, "mrz", json!({ "mrz": printed })).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("document number"),
        "{:?}",
        r.body
    );
    assert_eq!(step_of(&r), "mrz");
    // Another document's MRZ passes its check digits but the chip refuses it.
    let (_, other) = start(&host, "passport-2").await;
    let foreign = other["document_data"]["printed_mrz"].as_str().unwrap();
    let r = step(&host, &id, "mrz", json!({ "mrz": foreign })).await;
    assert_eq!(step_of(&r), "chip", "{:?}", r.body);
    let r = step(&host, &id, "chip", json!({})).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("refused access"));
    assert_eq!(step_of(&r), "mrz");
}

#[tokio::test]
async fn face_and_liveness_failures_count_and_the_third_ends_it() {
    let host = TestHost::start().await.unwrap();
    let (id, started) = start(&host, "passport-3").await;
    let printed = started["document_data"]["printed_mrz"].as_str().unwrap();
    step(&host, &id, "mrz", json!({ "mrz": printed })).await;
    step(&host, &id, "chip", json!({})).await;
    let r = step(&host, &id, "face", json!({ "selfie": "poor-quality" })).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body["message"].as_str().unwrap().contains("too poor"),
        "{:?}",
        r.body
    );
    let r = step(&host, &id, "face", json!({ "selfie": "same-3" })).await;
    assert_eq!(step_of(&r), "liveness", "{:?}", r.body);
    let r = step(
        &host,
        &id,
        "liveness",
        json!({ "behaviour": "still_photo" }),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body["message"].as_str().unwrap().contains("liveness"),
        "{:?}",
        r.body
    );
    let r = step(
        &host,
        &id,
        "liveness",
        json!({ "behaviour": "wrong_direction" }),
    )
    .await;
    assert_eq!(r.status, 200, "the third failure ends it: {:?}", r.body);
    assert_eq!(step_of(&r), "failed");

    // Another person's face never matches.
    let (id, started) = start(&host, "passport-2").await;
    let printed = started["document_data"]["printed_mrz"].as_str().unwrap();
    step(&host, &id, "mrz", json!({ "mrz": printed })).await;
    step(&host, &id, "chip", json!({})).await;
    let r = step(&host, &id, "face", json!({ "selfie": "other-person" })).await;
    assert_eq!(r.status, 422);
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("does not match"));
}

#[tokio::test]
async fn a_failed_or_abandoned_onboarding_creates_nothing() {
    let host = TestHost::start().await.unwrap();
    let before = host.control().get("/identities").await.unwrap().body;
    let (id, started) = start(&host, "passport-1").await;
    let printed = started["document_data"]["printed_mrz"].as_str().unwrap();
    let cpr = started["document_data"]["suggested_cpr"].clone();
    for (name, body) in [
        ("mrz", json!({ "mrz": printed })),
        ("chip", json!({})),
        ("face", json!({ "selfie": "same-1" })),
        ("liveness", json!({ "behaviour": "follows" })),
        ("personal", json!({ "cpr": cpr })),
        (
            "user-id",
            json!({ "user_id": "glemsom1", "phone": "11223344" }),
        ),
    ] {
        assert_eq!(step(&host, &id, name, body).await.status, 200, "{name}");
    }
    for attempt in 1..=3 {
        let r = step(&host, &id, "temporary-pin", json!({ "pin": "000000x" })).await;
        if attempt < 3 {
            assert_eq!(r.status, 422);
        } else {
            assert_eq!(step_of(&r), "failed", "{:?}", r.body);
        }
    }
    let missing = host.control().get("/identities/glemsom1").await.unwrap();
    assert_eq!(missing.status, 404);

    let (id, _) = start(&host, "passport-2").await;
    let abandoned = host
        .control()
        .delete(&format!("/onboardings/{id}"))
        .await
        .unwrap();
    assert_eq!(step_of(&abandoned), "failed");
    let after = host.control().get("/identities").await.unwrap().body;
    assert_eq!(before, after);
}

#[tokio::test]
async fn the_cpr_must_agree_with_the_document_and_the_user_id_follow_the_rules() {
    let host = TestHost::start().await.unwrap();
    let (id, started) = start(&host, "passport-1").await;
    let printed = started["document_data"]["printed_mrz"].as_str().unwrap();
    for (name, body) in [
        ("mrz", json!({ "mrz": printed })),
        ("chip", json!({})),
        ("face", json!({ "selfie": "same-1" })),
        ("liveness", json!({ "behaviour": "follows" })),
    ] {
        assert_eq!(step(&host, &id, name, body).await.status, 200, "{name}");
    }
    // anna's CPR: a replacement number, but another date of birth.
    let r = step(&host, &id, "personal", json!({ "cpr": "720490-1236" })).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("date of birth"));
    let cpr = started["document_data"]["suggested_cpr"].clone();
    assert_eq!(
        step(&host, &id, "personal", json!({ "cpr": cpr }))
            .await
            .status,
        200
    );
    for bad in ["anna", "short", "1234567"] {
        let r = step(
            &host,
            &id,
            "user-id",
            json!({ "user_id": bad, "phone": "12345678" }),
        )
        .await;
        assert_eq!(r.status, 422, "{bad}: {:?}", r.body);
    }
}
