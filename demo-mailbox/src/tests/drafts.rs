//! Drafts: saved without a text, opened again in the write form with their fields filled,
//! saved again or sent from there.

use axum::http::StatusCode;

use super::{body_text, location, TestMailbox};
use crate::paths::{edit_draft_path, folder_path, letter_path, WRITE};
use crate::post::StandardFolder;

#[tokio::test]
async fn a_draft_without_text_opens_in_the_write_form_and_can_be_saved_again_and_sent() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let kladder = mailbox.standard_folder(&anna, StandardFolder::Drafts);
    let sendt = mailbox.standard_folder(&anna, StandardFolder::Sent);

    // A draft needs no text.
    let saved = mailbox
        .post_as(
            &anna,
            WRITE,
            &[
                ("authority", "kommune"),
                ("subject", "Pladsanvisning <udkast>"),
                ("body", ""),
                ("intent", "draft"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), folder_path(&kladder.id));
    let draft = mailbox
        .find_letter(&anna, StandardFolder::Drafts, "Pladsanvisning <udkast>")
        .unwrap();
    assert_eq!(draft.content.body, "");

    // Its page offers to edit it; the form holds its fields.
    let html = body_text(mailbox.get_as(&anna, &letter_path(&draft.id)).await).await;
    assert!(
        html.contains(&format!("href=\"{}\"", edit_draft_path(&draft.id))),
        "{html}"
    );
    let form = mailbox.get_as(&anna, &edit_draft_path(&draft.id)).await;
    assert_eq!(form.status(), StatusCode::OK);
    let html = body_text(form).await;
    assert!(
        html.contains(&format!("action=\"{}\"", edit_draft_path(&draft.id))),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"kommune\" selected>"),
        "{html}"
    );
    assert!(
        html.contains("value=\"Pladsanvisning &#60;udkast&#62;\""),
        "{html}"
    );

    // Saved again with a text: still one draft, with the new fields.
    let again = mailbox
        .post_as(
            &anna,
            &edit_draft_path(&draft.id),
            &[
                ("authority", "kommune"),
                ("subject", "Pladsanvisning"),
                ("body", "Første udkast"),
                ("intent", "draft"),
            ],
        )
        .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&again), folder_path(&kladder.id));
    let drafts = mailbox.letters_in(&anna, &kladder);
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].content.subject, "Pladsanvisning");
    assert_eq!(drafts[0].content.body, "Første udkast");

    // Sent without a text: the form again, refilled, and the draft stays.
    let draft = drafts[0].clone();
    let refused = mailbox
        .post_as(
            &anna,
            &edit_draft_path(&draft.id),
            &[
                ("authority", "kommune"),
                ("subject", "Pladsanvisning"),
                ("body", " "),
                ("intent", "send"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let html = body_text(refused).await;
    assert!(html.contains("id=\"body-error\""), "{html}");
    assert!(
        html.contains(&format!("action=\"{}\"", edit_draft_path(&draft.id))),
        "{html}"
    );
    assert!(html.contains("value=\"Pladsanvisning\""), "{html}");
    assert_eq!(mailbox.letters_in(&anna, &kladder).len(), 1);
    assert!(mailbox.letters_in(&anna, &sendt).is_empty());

    // Sent with a text: in Sendt, gone from Kladder.
    let sent = mailbox
        .post_as(
            &anna,
            &edit_draft_path(&draft.id),
            &[
                ("authority", "su"),
                ("subject", "Pladsanvisning"),
                ("body", "Endelig tekst"),
                ("intent", "send"),
            ],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&sent), folder_path(&sendt.id));
    assert!(mailbox.letters_in(&anna, &kladder).is_empty());
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Sent, "Pladsanvisning")
        .unwrap();
    assert_eq!(letter.content.body, "Endelig tekst");
    assert_eq!(
        letter.content.sent_to.as_deref(),
        Some("SU (Uddannelses- og Forskningsstyrelsen)")
    );

    // A sent letter, or received post, is no draft to edit.
    for id in [
        letter.id.clone(),
        mailbox.letters_in(
            &anna,
            &mailbox.standard_folder(&anna, StandardFolder::Inbox),
        )[0]
        .id
        .clone(),
    ] {
        let response = mailbox.get_as(&anna, &edit_draft_path(&id)).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let response = mailbox
            .post_as(
                &anna,
                &edit_draft_path(&id),
                &[
                    ("authority", "su"),
                    ("subject", "X"),
                    ("body", "Y"),
                    ("intent", "send"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn a_draft_without_text_sent_from_its_page_opens_the_form_to_add_one() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    mailbox
        .post_as(
            &anna,
            WRITE,
            &[
                ("authority", "su"),
                ("subject", "Tom"),
                ("body", ""),
                ("intent", "draft"),
            ],
        )
        .await;
    let draft = mailbox
        .find_letter(&anna, StandardFolder::Drafts, "Tom")
        .unwrap();
    let response = mailbox
        .post_as(&anna, &crate::paths::send_draft_path(&draft.id), &[])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = body_text(response).await;
    assert!(html.contains("id=\"body-error\""), "{html}");
    assert!(
        html.contains(&format!("action=\"{}\"", edit_draft_path(&draft.id))),
        "{html}"
    );
    assert!(mailbox
        .find_letter(&anna, StandardFolder::Drafts, "Tom")
        .is_some());
}

#[tokio::test]
async fn an_edited_draft_sent_twice_is_sent_once_and_the_second_answer_shows_sendt() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    mailbox
        .post_as(
            &anna,
            WRITE,
            &[
                ("authority", "su"),
                ("subject", "Udkast"),
                ("body", ""),
                ("intent", "draft"),
            ],
        )
        .await;
    let draft = mailbox
        .find_letter(&anna, StandardFolder::Drafts, "Udkast")
        .unwrap();
    let form = body_text(mailbox.get_as(&anna, &edit_draft_path(&draft.id)).await).await;
    let marker = "name=\"submission\" value=\"";
    let start = form.find(marker).unwrap() + marker.len();
    let submission = form[start..].split('"').next().unwrap().to_owned();
    let sendt = mailbox.standard_folder(&anna, StandardFolder::Sent);
    for _ in 0..2 {
        let response = mailbox
            .post_as(
                &anna,
                &edit_draft_path(&draft.id),
                &[
                    ("authority", "su"),
                    ("subject", "Færdigt"),
                    ("body", "Tekst"),
                    ("intent", "send"),
                    ("submission", submission.as_str()),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), folder_path(&sendt.id));
    }
    assert_eq!(mailbox.letters_in(&anna, &sendt).len(), 1);
    let kladder = mailbox.standard_folder(&anna, StandardFolder::Drafts);
    assert!(mailbox.letters_in(&anna, &kladder).is_empty());
}
