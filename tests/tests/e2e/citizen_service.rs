//! The other route to MitID (issue 4, "Citizen Service"): a caseworker looks a fictitious person
//! up in the simulated CPR register, records a document or a witness, asks control questions,
//! and creates the identity with an authenticator waiting for activation; the activation
//! letter then brings it into use. Driven over the control API (as CI would) and over the
//! caseworker's HTML pages.

use crate::activation::{
    activation_code, attribute_after, current_code, element_text, get_ok, letter_mentioning,
    post_form, sim_url, Walk,
};
use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A replacement number (5 March 1985 + 60 on the day, a man) no seeded identity has.
const CPR: &str = "650385-1235";
const PASSWORD: &str = "hemmelig1";

async fn post(rp: &Rp, path: &str, body: Value) -> (u16, Value) {
    let r = rp.host.control().post(path, &body).await.unwrap();
    (r.status, r.body)
}

/// The register's answer to each of the case's questions.
async fn right_answers(rp: &Rp, case: &Value) -> Value {
    let r = rp
        .host
        .control()
        .get(&format!("/citizen-service/register/{CPR}"))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    let person = r.body;
    let mut answers = serde_json::Map::new();
    for question in case["questions"].as_array().unwrap() {
        let id = question["id"].as_str().unwrap();
        let answer = match id {
            "mother_given_name" => person["mother"]["given_name"].clone(),
            "father_given_name" => person["father"]["given_name"].clone(),
            "postal_code" => person["address"]["postal_code"].clone(),
            "birth_date" => person["date_of_birth"].clone(),
            "place_of_birth" => person["place_of_birth"].clone(),
            other => panic!("unknown question {other}"),
        };
        answers.insert(id.into(), answer);
    }
    Value::Object(answers)
}

/// Opens a case and records a valid passport: the case at its questions.
async fn case_at_questions(rp: &Rp) -> Value {
    let (status, case) = post(rp, "/citizen-service/cases", json!({ "cpr": CPR })).await;
    assert_eq!(status, 201, "{case}");
    assert_eq!(case["step"], "evidence");
    let id = case["id"].as_str().unwrap();
    let (status, case) = post(
        rp,
        &format!("/citizen-service/cases/{id}/document"),
        json!({"type": "passport", "number": "206123456", "expiry": "2035-06-30"}),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["step"], "questions");
    assert_eq!(case["questions"].as_array().unwrap().len(), 3);
    case
}

async fn identity_count(rp: &Rp) -> usize {
    let r = rp.host.control().get("/identities").await.unwrap();
    r.body.as_array().unwrap().len()
}

#[tokio::test]
async fn a_full_case_creates_an_identity_whose_code_viewer_logs_in_after_activation() {
    let rp = Rp::start().await;
    let case = case_at_questions(&rp).await;
    let id = case["id"].as_str().unwrap().to_string();
    let answers = right_answers(&rp, &case).await;
    let (status, case) = post(
        &rp,
        &format!("/citizen-service/cases/{id}/answers"),
        json!({ "answers": answers }),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["step"], "choose");

    // A user ID against the rules is refused and the case waits.
    let path = format!("/citizen-service/cases/{id}/complete");
    let (status, body) = post(
        &rp,
        &path,
        json!({"user_id": "ny", "authenticator": "code_viewer", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, done) = post(
        &rp,
        &path,
        json!({"user_id": "nyborger1", "authenticator": "code_viewer", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["case"]["step"], "completed");
    let serial = done["serial"].as_str().unwrap().to_string();
    // The case completes once.
    let (status, body) = post(
        &rp,
        &path,
        json!({"user_id": "nyborger2", "authenticator": "app", "password": PASSWORD}),
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (409, Some("case_closed")));

    // The identity: the register's person, substantial, the code viewer waiting.
    let identity = rp
        .host
        .control()
        .get("/identities/nyborger1")
        .await
        .unwrap();
    assert_eq!(identity.status, 200);
    let identity = identity.body;
    assert_eq!(identity["cpr"], CPR);
    assert_eq!(identity["birthdate"], "1985-03-05");
    assert_eq!(identity["ial"], "substantial");
    assert_eq!(identity["reaches"], "low", "only the password counts yet");
    assert!(!identity.to_string().contains(PASSWORD));
    let name = format!(
        "{} {}",
        identity["given_name"].as_str().unwrap(),
        identity["family_name"].as_str().unwrap()
    );

    // The letter goes to the person; its code activates the code viewer.
    let letter = letter_mentioning(&rp, &serial).await;
    assert!(
        letter["to"].as_str().unwrap().starts_with(&name),
        "{letter}"
    );
    let code = activation_code(&letter);
    let (status, body) = post(
        &rp,
        &format!("/code-devices/{serial}/activate"),
        json!({ "activation_code": code }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let identity = rp
        .host
        .control()
        .get("/identities/nyborger1")
        .await
        .unwrap()
        .body;
    assert_eq!(identity["reaches"], "substantial");

    // The code viewer is the new person's only way to substantial: it starts at once.
    let walk = Walk::start(&rp).await;
    walk.next("user_id", &[("user_id", "nyborger1")], "code")
        .await;
    let totp = current_code(&rp, &serial).await;
    walk.next("code", &[("code", &totp)], "password").await;
    let id_token = walk.done("password", &[("password", PASSWORD)]).await;
    assert_eq!(id_token["amr"], json!(["code_token", "password"]));
    assert_eq!(
        id_token["ial"],
        "https://data.gov.dk/concept/core/nsis/Substantial"
    );
}

#[tokio::test]
async fn two_wrong_answers_end_the_case_and_create_nothing() {
    let rp = Rp::start().await;
    let before = identity_count(&rp).await;
    let case = case_at_questions(&rp).await;
    let id = case["id"].as_str().unwrap().to_string();
    let mut answers = right_answers(&rp, &case).await;
    let ids: Vec<String> = answers.as_object().unwrap().keys().cloned().collect();
    answers[&ids[0]] = json!("Forkert");
    let path = format!("/citizen-service/cases/{id}/answers");
    // One wrong answer is counted; the other two are right.
    let (status, body) = post(&rp, &path, json!({ "answers": answers })).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("wrong_answer")),
        "{body}"
    );
    assert_eq!(body["wrong"], json!([ids[0]]));
    assert_eq!(body["case"]["wrong_answers_left"], 1);
    // The second ends the attempt.
    let (status, body) = post(
        &rp,
        &path,
        json!({ "answers": { ids[0].clone(): "Også forkert" } }),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("case_failed")),
        "{body}"
    );
    assert_eq!(body["case"]["step"], "failed");
    let (status, body) = post(
        &rp,
        &format!("/citizen-service/cases/{id}/complete"),
        json!({"user_id": "nyborger1", "authenticator": "app", "password": PASSWORD}),
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (409, Some("case_closed")));
    assert_eq!(identity_count(&rp).await, before, "nothing was created");
    let letters = rp
        .host
        .control()
        .get("/outbox?channel=letter")
        .await
        .unwrap();
    assert_eq!(letters.body, json!([]), "no letter went out");
    // The person may try again in a new case.
    let (status, _) = post(&rp, "/citizen-service/cases", json!({ "cpr": CPR })).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn an_expired_document_is_refused_and_a_witness_may_vouch_instead() {
    let rp = Rp::start().await;
    let (_, case) = post(&rp, "/citizen-service/cases", json!({ "cpr": CPR })).await;
    let id = case["id"].as_str().unwrap().to_string();
    let path = format!("/citizen-service/cases/{id}/document");
    // One day before the broker's clock.
    let now = rp.host.control().get("/clock").await.unwrap().body["now"]
        .as_i64()
        .unwrap();
    let yesterday = time::OffsetDateTime::from_unix_timestamp(now - 86_400)
        .unwrap()
        .date();
    let (status, body) = post(
        &rp,
        &path,
        json!({"type": "driving_licence", "number": "12345678", "expiry": yesterday.to_string()}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("document_expired")),
        "{body}"
    );
    let case = rp
        .host
        .control()
        .get(&format!("/citizen-service/cases/{id}"))
        .await
        .unwrap()
        .body;
    assert_eq!(case["step"], "evidence", "still waiting for evidence");
    // A suspended person cannot witness; an active one can.
    let (status, body) = post(&rp, &path, json!({"type": "witness", "user_id": "kim"})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("witness_refused"))
    );
    let (status, case) = post(&rp, &path, json!({"type": "witness", "user_id": "anna"})).await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(
        case["evidence"],
        json!({"type": "witness", "user_id": "anna"})
    );
    assert_eq!(case["step"], "questions");
}

#[tokio::test]
async fn lookups_outside_the_register_or_of_people_with_mitid_are_refused() {
    let rp = Rp::start().await;
    // An ordinary (not replacement) number is not in the simulated register.
    let (status, body) = post(&rp, "/citizen-service/cases", json!({"cpr": "050385-1235"})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("not_in_register")),
        "{body}"
    );
    let r = rp
        .host
        .control()
        .get("/citizen-service/register/0503851235")
        .await
        .unwrap();
    assert_eq!(r.status, 422);
    // anna has MitID.
    let anna = rp
        .host
        .control()
        .get("/identities/anna")
        .await
        .unwrap()
        .body;
    let (status, body) = post(&rp, "/citizen-service/cases", json!({"cpr": anna["cpr"]})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("has_identity")),
        "{body}"
    );
    let (status, _) = post(&rp, "/citizen-service/cases", json!({"cpr": "12"})).await;
    assert_eq!(status, 400);
}

/// One form of the caseworker's pages: its token, posted with `fields`; returns the status and
/// where it sends the browser.
async fn submit_case_form(
    rp: &Rp,
    case_page: &str,
    form: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let html = get_ok(rp, case_page).await;
    let csrf = attribute_after(&html, "name=\"csrf\" value=\"").expect("a token on the case page");
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    post_form(rp, &format!("{case_page}/{form}"), &all).await
}

#[tokio::test]
async fn the_caseworker_pages_create_an_app_that_logs_in_after_activation_on_the_app_page() {
    let rp = Rp::start().await;
    let start = sim_url(&rp, "/_sim/citizen-service");
    let html = get_ok(&rp, &start).await;
    let csrf = attribute_after(&html, "name=\"csrf\" value=\"").unwrap();
    let cases = format!("{start}/cases");
    // Without the page's token, nothing happens.
    let (status, _) = post_form(&rp, &cases, &[("csrf", "forged"), ("cpr", CPR)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A bad number is shown again with its message.
    let r = rp
        .browser
        .post(&cases)
        .form(&[("csrf", csrf.as_str()), ("cpr", "050385-1235")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("not in the simulated CPR register"), "{html}");
    assert!(
        html.contains("value=\"050385-1235\""),
        "the typed number is kept"
    );

    let (status, location) = post_form(&rp, &cases, &[("csrf", &csrf), ("cpr", CPR)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let case_page = sim_url(&rp, &location);
    let case_id = location.rsplit('/').next().unwrap().to_string();
    assert!(get_ok(&rp, &case_page)
        .await
        .contains("data-step=\"evidence\""));

    let fields = [
        ("evidence", "document"),
        ("type", "national_id"),
        ("number", "DK1234567"),
        ("expiry", "2031-01-01"),
    ];
    let (status, _) = submit_case_form(&rp, &case_page, "document", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let html = get_ok(&rp, &case_page).await;
    assert!(html.contains("data-step=\"questions\""), "{html}");

    // The answers, typed by the caseworker, one wrong first.
    let case = rp
        .host
        .control()
        .get(&format!("/citizen-service/cases/{case_id}"))
        .await
        .unwrap()
        .body;
    let answers = right_answers(&rp, &case).await;
    let answers: Vec<(String, String)> = answers
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (format!("answer_{k}"), v.as_str().unwrap().to_uppercase()))
        .collect();
    let mut typed: Vec<(&str, &str)> = answers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    typed[0].1 = "Forkert";
    let html = get_ok(&rp, &case_page).await;
    let csrf = attribute_after(&html, "name=\"csrf\" value=\"").unwrap();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(&typed);
    let r = rp
        .browser
        .post(format!("{case_page}/answers"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Wrong answer"), "{html}");
    assert_eq!(
        html.matches("✓ answered").count(),
        2,
        "the right answers count:\n{html}"
    );
    let (status, _) = submit_case_form(
        &rp,
        &case_page,
        "answers",
        &[(typed[0].0, answers[0].1.as_str())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(get_ok(&rp, &case_page)
        .await
        .contains("data-step=\"choose\""));

    let fields = [
        ("user_id", "Caseapp7"),
        ("authenticator", "app"),
        ("password", PASSWORD),
    ];
    let (status, _) = submit_case_form(&rp, &case_page, "complete", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let html = get_ok(&rp, &case_page).await;
    assert!(html.contains("data-step=\"completed\""), "{html}");
    assert!(html.contains("/_sim/app/Caseapp7"), "{html}");

    // The app page asks for the activation code before anything else.
    let letter = letter_mentioning(&rp, "/_sim/app/Caseapp7").await;
    let code = activation_code(&letter);
    let app_page = sim_url(&rp, "/_sim/app/Caseapp7");
    let html = get_ok(&rp, &app_page).await;
    assert!(html.contains("data-activation=\"pending\""), "{html}");
    assert!(
        html.contains("type the activation code from the letter"),
        "{html}"
    );
    let walk = Walk::start(&rp).await;
    let screen = walk
        .next("user_id", &[("user_id", "Caseapp7")], "failed")
        .await;
    assert!(
        screen.html.contains("id=\"failure\""),
        "the password alone does not reach substantial"
    );
    let csrf = attribute_after(&html, "name=\"csrf\" value=\"").unwrap();
    let (status, location) = post_form(
        &rp,
        &format!("{app_page}/activate"),
        &[("csrf", &csrf), ("activation_code", &code)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.ends_with("?said=activated"), "{location}");
    let html = get_ok(&rp, &app_page).await;
    assert!(
        html.contains("id=\"sim-app\""),
        "the app now shows its requests:\n{html}"
    );

    // An app login, approved in the app with the code the login page shows.
    let walk = Walk::start(&rp).await;
    let screen = walk
        .next("user_id", &[("user_id", "caseapp7")], "app")
        .await;
    let shown = element_text(&screen.html, "app-code");
    let shown = shown.expect("the app screen shows a code");
    let r = rp
        .host
        .control()
        .post(
            &format!("/identities/Caseapp7/app/requests/{}/approve", walk.id),
            &json!({ "code": shown }),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{:?}", r.body);
    let id_token = walk.returned().await;
    assert_eq!(id_token["amr"], json!(["code_app"]));
}
