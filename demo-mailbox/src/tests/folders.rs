//! Creating, renaming and deleting own folders, over the routes.

use axum::http::StatusCode;

use super::{body_text, location, TestMailbox};
use crate::paths::{folder_path, letter_path};
use crate::post::StandardFolder;

#[tokio::test]
async fn an_own_folder_is_created_renamed_and_deleted() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");

    let created = mailbox
        .post_as(&anna, "/folders", &[("name", " Skat ")])
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&created), "/folders");
    let skat = mailbox
        .folders(&anna)
        .into_iter()
        .find(|folder| folder.is_own())
        .unwrap();
    assert_eq!(skat.display_name(), "Skat");
    let html = body_text(mailbox.get_as(&anna, "/folders").await).await;
    assert!(html.contains(">Skat</a>"), "{html}");

    let path = folder_path(&skat.id);
    let renamed = mailbox
        .post_as(&anna, &format!("{path}/rename"), &[("name", "Skat 2025")])
        .await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    let html = body_text(mailbox.get_as(&anna, &path).await).await;
    assert!(html.contains("<h2>Skat 2025"), "{html}");

    let deleted = mailbox.post_as(&anna, &format!("{path}/delete"), &[]).await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(mailbox.folders(&anna).len(), 4);
    assert_eq!(
        mailbox.get_as(&anna, &path).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_folder_with_letters_is_not_deleted() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    mailbox
        .post_as(&anna, "/folders", &[("name", "Bolig")])
        .await;
    let bolig = mailbox
        .folders(&anna)
        .into_iter()
        .find(|f| f.is_own())
        .unwrap();
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let letter = mailbox.letters_in(&anna, &inbox).remove(0);
    let moved = mailbox
        .post_as(
            &anna,
            &format!("{}/move", letter_path(&letter.id)),
            &[("folder_id", bolig.id.as_str())],
        )
        .await;
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);

    let refused = mailbox
        .post_as(&anna, &format!("{}/delete", folder_path(&bolig.id)), &[])
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(body_text(refused).await.contains("Mappen er ikke tom"));
    assert_eq!(mailbox.letters_in(&anna, &bolig).len(), 1);
    assert_eq!(mailbox.folders(&anna).len(), 5);
}

#[tokio::test]
async fn standard_folders_cannot_be_renamed_or_deleted_and_names_are_checked() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let drafts = mailbox.standard_folder(&anna, StandardFolder::Drafts);
    let path = folder_path(&drafts.id);

    let rename = mailbox
        .post_as(&anna, &format!("{path}/rename"), &[("name", "Mine")])
        .await;
    assert_eq!(rename.status(), StatusCode::CONFLICT);
    let delete = mailbox.post_as(&anna, &format!("{path}/delete"), &[]).await;
    assert_eq!(delete.status(), StatusCode::CONFLICT);
    assert_eq!(mailbox.folders(&anna).len(), 4);

    for (name, status) in [
        ("", StatusCode::BAD_REQUEST),
        ("Slettet", StatusCode::BAD_REQUEST),
        ("Skat", StatusCode::SEE_OTHER),
        ("Skat", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let response = mailbox.post_as(&anna, "/folders", &[("name", name)]).await;
        assert_eq!(response.status(), status, "{name:?}");
    }
    assert_eq!(mailbox.folders(&anna).len(), 5);
}

#[tokio::test]
async fn a_folder_name_with_html_is_shown_as_text() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    mailbox
        .post_as(&anna, "/folders", &[("name", "<b>fed</b>")])
        .await;
    let html = body_text(mailbox.get_as(&anna, "/folders").await).await;
    assert!(!html.contains("<b>fed"), "{html}");
    assert!(html.contains("&#60;b&#62;fed"), "{html}");
}
