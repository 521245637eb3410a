//! Forms refused for what was typed come back as the same form: the message next to the
//! field, every field (but a password) refilled with what was typed, escaped; nothing stored.

use axum::http::StatusCode;

use super::{body_text, TestMailbox};
use crate::paths::{folder_path, forward_path, reply_path, ACCESS, FOLDERS, WRITE};
use crate::post::StandardFolder;

const ALLOWS_REPLIES: &str = "Afgørelse om boligstøtte";

/// The one-time submission id in the form of the page `html`.
fn submission_of(html: &str) -> String {
    let marker = "name=\"submission\" value=\"";
    let start = html.find(marker).expect("a submission field in the form") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_letter_refused_for_its_subject_comes_back_as_the_form_with_what_was_typed() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let submission = submission_of(&body_text(mailbox.get_as(&anna, WRITE).await).await);
    let response = mailbox
        .post_as(
            &anna,
            WRITE,
            &[
                ("authority", "su"),
                ("subject", "   "),
                ("body", "Min <tekst> & mere\r\nlinje to"),
                ("intent", "send"),
                ("submission", submission.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = body_text(response).await;
    // The form again, the message next to the subject, the rest refilled (escaped).
    assert!(html.contains("action=\"/write\""), "{html}");
    assert!(html.contains("id=\"subject-error\""), "{html}");
    assert!(html.contains("Skriv et emne"), "{html}");
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"subject-error\""));
    assert!(html.contains("<option value=\"su\" selected>"), "{html}");
    assert!(
        html.contains("Min &#60;tekst&#62; &#38; mere\r\nlinje to</textarea>"),
        "{html}"
    );
    assert_eq!(submission_of(&html), submission, "the same form, sent once");
    for which in [StandardFolder::Sent, StandardFolder::Drafts] {
        let folder = mailbox.standard_folder(&anna, which);
        assert!(mailbox.letters_in(&anna, &folder).is_empty());
    }

    // In English, the message is English.
    let english = mailbox
        .post_in_english(
            &anna,
            WRITE,
            &[("authority", "nsa"), ("subject", "Emne"), ("body", "Tekst")],
        )
        .await;
    assert_eq!(english.status(), StatusCode::BAD_REQUEST);
    let html = body_text(english).await;
    assert!(html.contains("id=\"authority-error\""), "{html}");
    assert!(html.contains("Choose an authority from the list"), "{html}");
    assert!(html.contains("value=\"Emne\""), "{html}");
}

#[tokio::test]
async fn a_tab_in_a_subject_is_a_space_not_a_refusal() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let response = mailbox
        .post_as(
            &anna,
            WRITE,
            &[
                ("authority", "su"),
                ("subject", "Sag\t42"),
                ("body", "Hej"),
                ("intent", "send"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(mailbox
        .find_letter(&anna, StandardFolder::Sent, "Sag 42")
        .is_some());
}

#[tokio::test]
async fn a_refused_reply_and_forward_come_back_refilled() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, ALLOWS_REPLIES)
        .unwrap();

    let long = "x".repeat(201);
    let reply = mailbox
        .post_as(
            &anna,
            &reply_path(&letter.id),
            &[
                ("subject", &long),
                ("body", "Tak for <svar>"),
                ("intent", "send"),
            ],
        )
        .await;
    assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
    let html = body_text(reply).await;
    assert!(html.contains(&format!("action=\"{}\"", reply_path(&letter.id))));
    assert!(html.contains("id=\"subject-error\""), "{html}");
    assert!(html.contains("højst 200 tegn"), "{html}");
    assert!(html.contains(&format!("value=\"{long}\"")), "{html}");
    assert!(html.contains("Tak for &#60;svar&#62;</textarea>"), "{html}");

    let forward = mailbox
        .post_as(
            &anna,
            &forward_path(&letter.id),
            &[("to", "320190-1234"), ("note", "Se \"dette\"")],
        )
        .await;
    assert_eq!(forward.status(), StatusCode::BAD_REQUEST);
    let html = body_text(forward).await;
    assert!(html.contains(&format!("action=\"{}\"", forward_path(&letter.id))));
    assert!(html.contains("id=\"to-error\""), "{html}");
    assert!(html.contains("fødselsdatoen"), "{html}");
    assert!(html.contains("value=\"320190-1234\""), "{html}");
    assert!(html.contains("Se &#34;dette&#34;</textarea>"), "{html}");
    let sent = mailbox.standard_folder(&anna, StandardFolder::Sent);
    assert!(mailbox.letters_in(&anna, &sent).is_empty());
    assert!(mailbox.app.store().outbox.latest(10).unwrap().is_empty());
}

#[tokio::test]
async fn a_folder_name_refused_comes_back_in_its_form() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let created = mailbox.post_as(&anna, FOLDERS, &[("name", "Bolig")]).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let bolig = mailbox
        .folders(&anna)
        .into_iter()
        .find(|folder| folder.is_own())
        .unwrap();

    let taken = mailbox
        .post_as(&anna, FOLDERS, &[("name", " Bolig ")])
        .await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body_text(taken).await;
    assert!(html.contains("id=\"create-name-error\""), "{html}");
    assert!(
        html.contains("Der findes allerede en mappe med det navn"),
        "{html}"
    );
    assert!(html.contains("value=\" Bolig \""), "{html}");

    let rename = mailbox
        .post_as(
            &anna,
            &format!("{}/rename", folder_path(&bolig.id)),
            &[("name", "Indbakke")],
        )
        .await;
    assert_eq!(rename.status(), StatusCode::BAD_REQUEST);
    let html = body_text(rename).await;
    // The message sits in the rename form of that folder, holding the name typed.
    let form_start = html
        .find(&format!("action=\"{}/rename\"", folder_path(&bolig.id)))
        .unwrap();
    let form = &html[form_start..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(form.contains("field-error"), "{form}");
    assert!(form.contains("value=\"Indbakke\""), "{form}");
    assert!(!html.contains("id=\"create-name-error\""), "{html}");
    assert_eq!(mailbox.folders(&anna).len(), 5);
    assert_eq!(
        mailbox
            .folders(&anna)
            .into_iter()
            .find(|folder| folder.is_own())
            .unwrap()
            .display_name(),
        "Bolig"
    );
}

#[tokio::test]
async fn a_grant_refused_for_its_cpr_number_comes_back_refilled_without_the_password() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen_with_cpr("6101701234", "Anna");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let response = mailbox
        .post_as(
            &anna,
            ACCESS,
            &[
                ("name", "Bo <Prøvegaard>"),
                ("cpr", "320190-1234"),
                ("permission", "read_write"),
                ("folder", inbox.id.as_str()),
                ("password", "hemmelig-kode"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = body_text(response).await;
    assert!(html.contains("id=\"cpr-error\""), "{html}");
    assert!(html.contains("fødselsdatoen"), "{html}");
    assert!(html.contains("value=\"Bo &#60;Prøvegaard&#62;\""), "{html}");
    assert!(html.contains("value=\"320190-1234\""), "{html}");
    assert!(html.contains("value=\"read_write\" checked"), "{html}");
    assert!(
        html.contains(&format!("value=\"{}\" checked", inbox.id.as_str())),
        "{html}"
    );
    assert!(
        !html.contains("name=\"all_folders\" value=\"on\" checked"),
        "{html}"
    );
    assert!(
        !html.contains("hemmelig-kode"),
        "the password is never sent back"
    );
    assert!(mailbox
        .app
        .store()
        .grants
        .list(&anna.mailbox)
        .unwrap()
        .is_empty());

    // An empty name is told next to the name, not as a page of its own.
    let response = mailbox
        .post_as(
            &anna,
            ACCESS,
            &[
                ("name", " "),
                ("cpr", "710190-1234"),
                ("permission", "read"),
                ("all_folders", "on"),
                ("password", "hemmelig-kode"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = body_text(response).await;
    assert!(html.contains("id=\"name-error\""), "{html}");
    assert!(html.contains("value=\"710190-1234\""), "{html}");
}

#[tokio::test]
async fn a_new_password_or_change_refused_comes_back_in_that_grant_s_form() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen_with_cpr("6101701234", "Anna");
    let granted = mailbox
        .grant(&anna, "7101901234", "read", &[], "hemmelig-kode")
        .await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);
    let grant = mailbox.grant_to(&anna, "7101901234");

    let short = mailbox
        .post_as(
            &anna,
            &crate::paths::grant_password_path(&grant.id),
            &[("password", "kort")],
        )
        .await;
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    let html = body_text(short).await;
    let form_start = html
        .find(&format!(
            "action=\"{}\"",
            crate::paths::grant_password_path(&grant.id)
        ))
        .unwrap();
    let form = &html[form_start..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(form.contains("Brug mindst 8 tegn"), "{form}");
    assert!(form.contains("aria-invalid=\"true\""), "{form}");
    assert!(!html.contains("kort\""), "the password is never sent back");
    assert_eq!(mailbox.grant_to(&anna, "7101901234").version, grant.version);

    let none = mailbox
        .post_as(
            &anna,
            &crate::paths::grant_edit_path(&grant.id),
            &[("permission", "read_write")],
        )
        .await;
    assert_eq!(none.status(), StatusCode::BAD_REQUEST);
    let html = body_text(none).await;
    assert!(
        html.contains("<details class=\"edit-grant\" open>"),
        "{html}"
    );
    let form_start = html
        .find(&format!(
            "action=\"{}\"",
            crate::paths::grant_edit_path(&grant.id)
        ))
        .unwrap();
    let form = &html[form_start..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(form.contains("Vælg mindst én mappe"), "{form}");
    // What was chosen stays chosen.
    assert!(form.contains("value=\"read_write\" checked"), "{form}");
    assert!(
        !form.contains("name=\"all_folders\" value=\"on\" checked"),
        "{form}"
    );
    assert_eq!(
        mailbox.grant_to(&anna, "7101901234").permission,
        crate::access::Permission::Read
    );
}

#[tokio::test]
async fn a_note_too_long_is_told_at_the_note_with_its_own_limit() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, ALLOWS_REPLIES)
        .unwrap();
    let note = "x".repeat(2_001);
    let response = mailbox
        .post_as(
            &anna,
            &forward_path(&letter.id),
            &[("to", "sub:bob"), ("note", &note)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = body_text(response).await;
    assert!(html.contains("id=\"note-error\""), "{html}");
    assert!(html.contains("højst 2.000 tegn"), "{html}");
    assert!(!html.contains("20.000"), "{html}");
    assert!(html.contains("value=\"sub:bob\""), "{html}");
}
