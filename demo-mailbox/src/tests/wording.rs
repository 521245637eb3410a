//! Count-based texts in Danish and English (one letter, two letters) and times in
//! Copenhagen's time (CET, CEST in summer).

use std::time::{Duration, SystemTime};

use axum::http::StatusCode;

use super::{body_text, TestMailbox};
use crate::paths::{letter_path, SIM_LETTERS};
use crate::post::StandardFolder;

fn letter_to(recipient: &str, subject: &str) -> serde_json::Value {
    serde_json::json!({
        "recipient": recipient,
        "sender": "su",
        "subject": subject,
        "body": "Din SU er beregnet.",
        "accepts_replies": false,
    })
}

#[tokio::test]
async fn one_unread_letter_is_singular_and_two_are_plural() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    // A new mailbox holds two unread letters in its inbox: read one of them.
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let unread: Vec<_> = mailbox
        .letters_in(&anna, &inbox)
        .into_iter()
        .filter(|letter| !letter.read)
        .collect();
    assert_eq!(unread.len(), 2);
    let html = body_text(mailbox.get_as(&anna, "/").await).await;
    assert!(html.contains("Der er 2 ulæste breve i"), "{html}");
    assert!(html.contains("2 ulæste</strong>"), "{html}");
    let html = body_text(mailbox.get_in_english(&anna, "/").await).await;
    assert!(html.contains("there are 2 unread letters in"), "{html}");

    let read = mailbox.get_as(&anna, &letter_path(&unread[0].id)).await;
    assert_eq!(read.status(), StatusCode::OK);
    let html = body_text(mailbox.get_as(&anna, "/").await).await;
    assert!(html.contains("Der er 1 ulæst brev i"), "{html}");
    assert!(html.contains("1 ulæst</strong>"), "{html}");
    assert!(!html.contains("1 ulæste"), "{html}");
    let html = body_text(mailbox.get_in_english(&anna, "/").await).await;
    assert!(html.contains("there is 1 unread letter in"), "{html}");
    assert!(!html.contains("1 unread letters"), "{html}");
}

#[tokio::test]
async fn times_are_shown_in_copenhagen_summer_and_winter_time() {
    let mailbox = TestMailbox::without_broker().await;
    // 2026-07-01T10:00:00Z is 12:00 in Copenhagen (CEST, UTC+2).
    mailbox
        .clock
        .set(SystemTime::UNIX_EPOCH + Duration::from_secs(1_782_900_000));
    let response = mailbox
        .post_json(SIM_LETTERS, &letter_to("sub:anna", "Sommerbrev"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    // 2026-12-01T10:00:00Z is 11:00 in Copenhagen (CET, UTC+1).
    mailbox
        .clock
        .set(SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_119_200));
    let response = mailbox
        .post_json(SIM_LETTERS, &letter_to("sub:anna", "Vinterbrev"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    // Logged in after the clock moved, so the session is not idle.
    let anna = mailbox.citizen("anna", "Anna");

    let summer = mailbox
        .find_letter(&anna, StandardFolder::Inbox, "Sommerbrev")
        .unwrap();
    let html = body_text(mailbox.get_as(&anna, &letter_path(&summer.id)).await).await;
    assert!(html.contains("01.07.2026 12:00"), "{html}");
    let winter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, "Vinterbrev")
        .unwrap();
    let html = body_text(mailbox.get_as(&anna, &letter_path(&winter.id)).await).await;
    assert!(html.contains("01.12.2026 11:00"), "{html}");
    assert!(!html.contains("UTC"), "{html}");
}

#[tokio::test]
async fn sendt_and_kladder_head_their_columns_with_recipient_and_when_sent_or_saved() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    for intent in ["send", "draft"] {
        let response = mailbox
            .post_as(
                &anna,
                crate::paths::WRITE,
                &[
                    ("authority", "su"),
                    ("subject", "Spørgsmål"),
                    ("body", "Hej"),
                    ("intent", intent),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let sendt = mailbox.standard_folder(&anna, StandardFolder::Sent);
    let path = crate::paths::folder_path(&sendt.id);
    let html = body_text(mailbox.get_as(&anna, &path).await).await;
    assert!(html.contains("<th>Modtager</th>"), "{html}");
    assert!(html.contains("<th>Sendt</th>"), "{html}");
    assert!(!html.contains("<th>Afsender</th>"), "{html}");
    assert!(!html.contains("<th>Modtaget</th>"), "{html}");
    // The recipient under "Modtager", without a "Til:" before it.
    assert!(
        html.contains("<td>SU (Uddannelses- og Forskningsstyrelsen)</td>"),
        "{html}"
    );
    let html = body_text(mailbox.get_in_english(&anna, &path).await).await;
    assert!(html.contains("<th>Recipient</th>"), "{html}");
    assert!(html.contains("<th>Sent</th>"), "{html}");

    let kladder = mailbox.standard_folder(&anna, StandardFolder::Drafts);
    let html = body_text(
        mailbox
            .get_as(&anna, &crate::paths::folder_path(&kladder.id))
            .await,
    )
    .await;
    assert!(html.contains("<th>Modtager</th>"), "{html}");
    assert!(html.contains("<th>Gemt</th>"), "{html}");

    // The inbox keeps "Afsender" and "Modtaget".
    let html = body_text(mailbox.get_as(&anna, "/").await).await;
    assert!(html.contains("<th>Afsender</th>"), "{html}");
    assert!(html.contains("<th>Modtaget</th>"), "{html}");
}

#[tokio::test]
async fn every_page_has_a_skip_link_and_controls_are_named_for_their_folder_or_person() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen_with_cpr("6101701234", "Anna");
    let created = mailbox
        .post_as(&anna, crate::paths::FOLDERS, &[("name", "Arbejde")])
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let granted = mailbox
        .grant(&anna, "7101901234", "read", &[], "hemmelig-kode")
        .await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);

    let html = body_text(mailbox.get_as(&anna, crate::paths::FOLDERS).await).await;
    assert!(
        html.contains("<a class=\"skip-link\" href=\"#main\">Spring til indhold</a>"),
        "{html}"
    );
    assert!(html.contains("<main id=\"main\">"), "{html}");
    assert!(html.contains("aria-label=\"Omdøb Arbejde\""), "{html}");
    assert!(html.contains("aria-label=\"Slet mappe Arbejde\""), "{html}");
    let html = body_text(mailbox.get_in_english(&anna, crate::paths::FOLDERS).await).await;
    assert!(html.contains(">Skip to content</a>"), "{html}");
    assert!(html.contains("aria-label=\"Rename Arbejde\""), "{html}");
    assert!(
        html.contains("aria-label=\"Delete folder Arbejde\""),
        "{html}"
    );

    let html = body_text(mailbox.get_as(&anna, crate::paths::ACCESS).await).await;
    assert!(
        html.contains("aria-label=\"Sæt ny adgangskode for Hjælper\""),
        "{html}"
    );
    assert!(
        html.contains("Ændr adgang<span class=\"visually-hidden\"> for Hjælper</span>"),
        "{html}"
    );
}

#[tokio::test]
async fn an_organisation_s_access_page_speaks_of_its_mailbox_not_yours() {
    let mailbox = TestMailbox::without_broker().await;
    let jens = mailbox.business_citizen(
        "7204901236",
        "Jens Direktør",
        crate::session::BusinessLogin {
            cvr: "12345674".to_owned(),
            name: "Simulatorfirmaet ApS".to_owned(),
            may_represent: true,
        },
    );
    let html = body_text(mailbox.get_as(&jens, crate::paths::ACCESS).await).await;
    assert!(!html.contains("din postkasse"), "{html}");
    assert!(
        html.contains("adgang til postkassen for Simulatorfirmaet ApS"),
        "{html}"
    );
    let html = body_text(mailbox.get_in_english(&jens, crate::paths::ACCESS).await).await;
    assert!(!html.contains("your mailbox"), "{html}");
    assert!(
        html.contains("access to the mailbox of Simulatorfirmaet ApS"),
        "{html}"
    );
    // A person's own page still says "din postkasse".
    let anna = mailbox.citizen_with_cpr("6101701234", "Anna");
    let html = body_text(mailbox.get_as(&anna, crate::paths::ACCESS).await).await;
    assert!(html.contains("adgang til din postkasse"), "{html}");
}

#[tokio::test]
async fn a_private_login_is_told_how_to_open_a_business_s_mailbox() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen_with_cpr("6101701234", "Anna");
    let html = body_text(mailbox.get_as(&anna, crate::paths::MAILBOXES).await).await;
    assert!(html.contains("kræver et MitID Erhverv-login"), "{html}");
    assert!(html.contains("href=\"/login\""), "{html}");
    let html = body_text(mailbox.get_in_english(&anna, crate::paths::MAILBOXES).await).await;
    assert!(html.contains("needs a MitID Erhverv login"), "{html}");
    // After a business login the business's mailbox is listed, and no hint is needed.
    let jens = mailbox.business_citizen(
        "7204901236",
        "Jens Direktør",
        crate::session::BusinessLogin {
            cvr: "12345674".to_owned(),
            name: "Simulatorfirmaet ApS".to_owned(),
            may_represent: true,
        },
    );
    let html = body_text(mailbox.get_as(&jens, crate::paths::MAILBOXES).await).await;
    assert!(html.contains("Simulatorfirmaet ApS"), "{html}");
    assert!(!html.contains("kræver et MitID Erhverv-login"), "{html}");
}
