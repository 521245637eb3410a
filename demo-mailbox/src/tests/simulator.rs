//! The simulated sender (page and JSON API), the new-post notice, the notification outbox
//! and exempt persons.

use axum::http::StatusCode;
use base64::Engine;
use serde_json::json;

use super::{body_json, body_text, cookie_value, fake_broker::form_encode, TestMailbox};
use crate::paths::{SIM_EXEMPTIONS, SIM_LETTERS, SIM_OUTBOX, SIM_OUTBOX_JSON, SIM_SENDER};
use crate::post::{text_pdf, Owner, StandardFolder};
use crate::routes::SENDER_CSRF_COOKIE;

fn letter_to(recipient: &str, subject: &str) -> serde_json::Value {
    json!({
        "recipient": recipient,
        "sender": "su",
        "subject": subject,
        "body": "Din SU er beregnet.",
        "accepts_replies": true,
        "attachment": { "file_name": "SU-beregning.pdf" },
    })
}

#[tokio::test]
async fn the_api_delivers_a_letter_and_the_person_sees_new_post_and_the_outbox_has_the_notice() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let before = body_text(mailbox.get_as(&anna, "/").await).await;
    assert!(before.contains("Der er 2 ulæste breve"), "{before}");

    let response = mailbox
        .post_json(SIM_LETTERS, &letter_to("sub:anna", "Ny SU-beregning"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let answer = body_json(response).await;
    assert_eq!(answer["delivered"], "digital");
    assert_eq!(answer["recipient"], "sub:anna");

    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, "Ny SU-beregning")
        .unwrap();
    assert!(!letter.read);
    assert!(letter.content.accepts_replies);
    assert_eq!(answer["letter_id"], letter.id.as_str());
    assert!(letter.content.attachments[0].bytes.starts_with(b"%PDF-"));

    let html = body_text(mailbox.get_as(&anna, "/").await).await;
    assert!(html.contains("Ny post:"), "{html}");
    assert!(html.contains("Der er 3 ulæste breve"), "{html}");
    assert!(html.contains("Ny SU-beregning"), "{html}");

    let outbox = body_json(mailbox.get(SIM_OUTBOX_JSON, &[]).await).await;
    let messages = outbox["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "{outbox}");
    let channels: Vec<&str> = messages
        .iter()
        .map(|message| message["channel"].as_str().unwrap())
        .collect();
    assert!(channels.contains(&"email") && channels.contains(&"sms"));
    assert!(messages.iter().all(|message| message["to"] == "sub:anna"));
    // A notice says there is post and from whom, never what it says.
    assert!(messages.iter().all(|message| !message["text"]
        .as_str()
        .unwrap()
        .contains("Din SU er beregnet")));
    let page = mailbox.get(SIM_OUTBOX, &[]).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = body_text(page).await;
    assert!(
        page.contains("Simulatorværktøj: notifikationsudbakke"),
        "{page}"
    );
    assert!(page.contains("sub:anna"));
}

#[tokio::test]
async fn the_api_creates_the_mailbox_of_a_person_who_has_none_and_keeps_a_given_pdf() {
    let mailbox = TestMailbox::without_broker().await;
    let pdf = text_pdf("Egen PDF", &["linje"]);
    let mut letter = letter_to("610170-1234", "Velkommen");
    letter["attachment"]["content_base64"] =
        json!(base64::engine::general_purpose::STANDARD.encode(&pdf));
    let response = mailbox.post_json(SIM_LETTERS, &letter).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created = mailbox
        .app
        .store()
        .mailboxes
        .by_owner(&Owner::PersonByCpr("6101701234".to_owned()))
        .unwrap()
        .unwrap();
    let inbox = mailbox
        .app
        .store()
        .folders
        .list(&created.id)
        .unwrap()
        .into_iter()
        .find(|folder| folder.standard_kind() == Some(StandardFolder::Inbox))
        .unwrap();
    let letters = mailbox
        .app
        .store()
        .letters
        .list(&created.id, &inbox.id)
        .unwrap();
    let delivered = letters
        .iter()
        .find(|letter| letter.content.subject == "Velkommen")
        .unwrap();
    assert_eq!(delivered.content.attachments[0].bytes, pdf);
}

#[tokio::test]
async fn the_api_refuses_bad_letters_with_json_errors_and_delivers_nothing() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let not_pdf = json!({ "file_name": "x.pdf", "content_base64": "PGh0bWw+" });
    for (letter, status) in [
        (letter_to("hvem", "Emne"), StatusCode::BAD_REQUEST),
        (letter_to("sub:anna", ""), StatusCode::BAD_REQUEST),
        (
            json!({ "recipient": "sub:anna", "sender": "nsa", "subject": "s", "body": "b" }),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({ "recipient": "sub:anna", "sender": "su", "subject": "s", "body": "b", "attachment": not_pdf }),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({ "recipient": "sub:anna" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let response = mailbox.post_json(SIM_LETTERS, &letter).await;
        assert_eq!(response.status(), status, "{letter}");
        let answer = body_json(response).await;
        assert!(answer["error"].is_string(), "{answer}");
    }
    // A form post (what a cross-site page could send) is not JSON: refused.
    let form = mailbox
        .post_form(
            SIM_LETTERS,
            &[],
            "recipient=sub%3Aanna&sender=su&subject=s&body=b",
        )
        .await;
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    assert_eq!(mailbox.letters_in(&anna, &inbox).len(), 5);
    assert!(mailbox.app.store().outbox.latest(10).unwrap().is_empty());
}

#[tokio::test]
async fn post_to_an_exempt_person_goes_on_paper_and_not_to_the_inbox() {
    let mailbox = TestMailbox::without_broker().await;
    let carl = mailbox.citizen("carl", "Carl");
    let exempted = mailbox
        .post_json(SIM_EXEMPTIONS, &json!({ "recipient": "sub:carl" }))
        .await;
    assert_eq!(exempted.status(), StatusCode::OK);
    assert_eq!(body_json(exempted).await["exempt"], true);

    let response = mailbox
        .post_json(SIM_LETTERS, &letter_to("sub:carl", "Papirbrev"))
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(body_json(response).await["delivered"], "paper");
    assert!(mailbox
        .find_letter(&carl, StandardFolder::Inbox, "Papirbrev")
        .is_none());
    let outbox = mailbox.app.store().outbox.latest(10).unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].channel, crate::post::Channel::Paper);
    assert_eq!(outbox[0].subject, "Papirbrev");
    assert_eq!(outbox[0].to, "sub:carl");

    // Forwarding to an exempt person also goes on paper.
    let anna = mailbox.citizen("anna", "Anna");
    let letter = mailbox
        .letters_in(
            &anna,
            &mailbox.standard_folder(&anna, StandardFolder::Inbox),
        )
        .remove(0);
    let forwarded = mailbox
        .post_as(
            &anna,
            &crate::paths::forward_path(&letter.id),
            &[("to", "sub:carl")],
        )
        .await;
    assert_eq!(forwarded.status(), StatusCode::SEE_OTHER);
    let outbox = mailbox.app.store().outbox.latest(10).unwrap();
    assert_eq!(outbox.len(), 2);
    assert!(outbox
        .iter()
        .all(|entry| entry.channel == crate::post::Channel::Paper));
    let bad = mailbox
        .post_json(SIM_EXEMPTIONS, &json!({ "recipient": "hvem" }))
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_sender_page_delivers_with_its_own_csrf_token_and_refuses_without_it() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let page = mailbox.get(SIM_SENDER, &[]).await;
    assert_eq!(page.status(), StatusCode::OK);
    let cookie = super::set_cookies(&page)
        .into_iter()
        .find(|cookie| cookie.starts_with(SENDER_CSRF_COOKIE))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let token = cookie_value(&page, SENDER_CSRF_COOKIE).unwrap();
    let html = body_text(page).await;
    assert!(
        html.contains("Simulatorværktøj: simuleret afsender"),
        "{html}"
    );
    assert!(html.contains(&format!("value=\"{token}\"")));

    let fields = [
        ("recipient", "sub:anna"),
        ("sender", "politiet"),
        ("subject", "Fra siden"),
        ("body", "Hej"),
        ("attach_pdf", "on"),
    ];
    let other = crate::random::random_token();
    for (cookies, sent) in [
        (vec![], Some(token.as_str())),
        (vec![(SENDER_CSRF_COOKIE, token.as_str())], None),
        (
            vec![(SENDER_CSRF_COOKIE, token.as_str())],
            Some(other.as_str()),
        ),
    ] {
        let mut pairs = fields.to_vec();
        if let Some(sent) = sent {
            pairs.push(("csrf_token", sent));
        }
        let response = mailbox
            .post_form(SIM_SENDER, &cookies, &form_encode(&pairs))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    assert!(mailbox
        .find_letter(&anna, StandardFolder::Inbox, "Fra siden")
        .is_none());

    let mut pairs = fields.to_vec();
    pairs.push(("csrf_token", token.as_str()));
    let response = mailbox
        .post_form(
            SIM_SENDER,
            &[(SENDER_CSRF_COOKIE, &token)],
            &form_encode(&pairs),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body_text(response)
        .await
        .contains("Brevet er leveret digitalt til sub:anna"));
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, "Fra siden")
        .unwrap();
    assert!(!letter.content.accepts_replies);
    assert_eq!(letter.content.attachments.len(), 1);
}

#[tokio::test]
async fn sender_supplied_html_shows_as_text_in_the_mailbox_and_the_outbox() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let subject = "<script>alert(1)</script>";
    let exempt = json!({ "recipient": "sub:carl" });
    assert_eq!(
        mailbox.post_json(SIM_EXEMPTIONS, &exempt).await.status(),
        StatusCode::OK
    );
    for recipient in ["sub:anna", "sub:carl"] {
        let response = mailbox
            .post_json(SIM_LETTERS, &letter_to(recipient, subject))
            .await;
        assert!(response.status().is_success());
    }
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, subject)
        .unwrap();
    for html in [
        body_text(mailbox.get_as(&anna, "/").await).await,
        body_text(
            mailbox
                .get_as(&anna, &crate::paths::letter_path(&letter.id))
                .await,
        )
        .await,
        body_text(mailbox.get(SIM_OUTBOX, &[]).await).await,
    ] {
        assert!(!html.contains("<script>alert"), "{html}");
    }
    let outbox = body_text(mailbox.get(SIM_OUTBOX, &[]).await).await;
    assert!(
        outbox.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{outbox}"
    );
}
