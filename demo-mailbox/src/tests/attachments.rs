//! Downloading attachments: safe headers, real PDF bytes, and only from one's own mailbox.

use axum::http::StatusCode;

use super::{body_bytes, body_text, TestMailbox};
use crate::paths::{attachment_path, letter_path};
use crate::post::StandardFolder;

#[tokio::test]
async fn an_attachment_downloads_as_a_pdf_with_safe_headers() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, "Afgørelse om boligstøtte")
        .unwrap();
    assert_eq!(letter.content.attachments.len(), 1);

    // The letter page links to it.
    let html = body_text(mailbox.get_as(&anna, &letter_path(&letter.id)).await).await;
    let href = attachment_path(&letter.id, 1);
    assert!(html.contains(&format!("href=\"{href}\"")), "{html}");

    let response = mailbox.get_as(&anna, &href).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"Afgoerelse_om_boligstoette.pdf\""
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
    let bytes = body_bytes(response).await;
    assert!(bytes.starts_with(b"%PDF-1.4"), "{bytes:?}");
    assert!(bytes.ends_with(b"%%EOF\n"));
    assert_eq!(bytes, letter.content.attachments[0].bytes);
}

#[tokio::test]
async fn a_letter_with_two_attachments_serves_each_and_no_third() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let letter = mailbox
        .find_letter(
            &anna,
            StandardFolder::Inbox,
            "Din forskudsopgørelse for næste år er klar",
        )
        .unwrap();
    let first = body_bytes(mailbox.get_as(&anna, &attachment_path(&letter.id, 1)).await).await;
    let second = body_bytes(mailbox.get_as(&anna, &attachment_path(&letter.id, 2)).await).await;
    assert!(first.starts_with(b"%PDF-") && second.starts_with(b"%PDF-"));
    assert_ne!(first, second);
    for n in ["3", "0", "x", "-1"] {
        let path = format!("/letters/{}/attachments/{n}", letter.id.as_str());
        assert_eq!(
            mailbox.get_as(&anna, &path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn another_persons_attachment_is_not_found_and_anonymous_goes_to_login() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let bob = mailbox.citizen("bob", "Bob");
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, "Afgørelse om boligstøtte")
        .unwrap();
    let path = attachment_path(&letter.id, 1);
    let nowhere = body_text(mailbox.get_as(&bob, "/letters/0000/attachments/1").await).await;
    let response = mailbox.get_as(&bob, &path).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_ne!(response.headers()["content-type"], "application/pdf");
    assert_eq!(body_text(response).await, nowhere);
    let anonymous = mailbox.get(&path, &[]).await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    // To login, and back to the download afterwards.
    let encoded: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    assert_eq!(
        super::location(&anonymous),
        format!("/login?return_to={encoded}")
    );
}
