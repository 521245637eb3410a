//! The mailbox keeps everything in its data directory across a restart.

use std::sync::Arc;

use axum::http::StatusCode;

use super::{body_text, start_time, TestMailbox};
use crate::clock::ManualClock;
use crate::paths::{letter_path, SIM_EXEMPTIONS, SIM_LETTERS, WRITE};
use crate::post::StandardFolder;

#[tokio::test]
async fn a_restart_keeps_letters_folders_and_their_state() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data").join("mailbox");
    let issuer = url::Url::parse("http://127.0.0.1:9").unwrap();
    let start = || {
        TestMailbox::with_data_dir(
            issuer.clone(),
            Arc::new(ManualClock::new(start_time())),
            Some(data_dir.clone()),
        )
    };

    let first = start();
    let anna = first.citizen("anna", "Anna");
    first.post_as(&anna, "/folders", &[("name", "Gemt")]).await;
    let gemt = first
        .folders(&anna)
        .into_iter()
        .find(|f| f.is_own())
        .unwrap();
    let inbox = first.standard_folder(&anna, StandardFolder::Inbox);
    let letter = first.letters_in(&anna, &inbox).remove(0);
    let moved = first
        .post_as(
            &anna,
            &format!("{}/move", letter_path(&letter.id)),
            &[("folder_id", gemt.id.as_str())],
        )
        .await;
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);
    let wrote = first
        .post_as(
            &anna,
            WRITE,
            &[
                ("authority", "su"),
                ("subject", "Spørgsmål om SU"),
                ("body", "Hej"),
            ],
        )
        .await;
    assert_eq!(wrote.status(), StatusCode::SEE_OTHER);
    let letter_json = serde_json::json!({
        "recipient": "sub:anna", "sender": "kommune", "subject": "Dagtilbud", "body": "Plads"
    });
    assert_eq!(
        first.post_json(SIM_LETTERS, &letter_json).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        first
            .post_json(
                SIM_EXEMPTIONS,
                &serde_json::json!({ "recipient": "6101701234" })
            )
            .await
            .status(),
        StatusCode::OK
    );
    let outbox_before = first.app.store().outbox.latest(10).unwrap();
    assert_eq!(outbox_before.len(), 2);
    drop(first);
    assert!(data_dir.join("mailbox.sqlite").exists());

    // A new process: sessions are gone, the post is not. The same person opens the same mailbox.
    let second = start();
    let again = second.citizen("anna", "Anna");
    assert_eq!(again.mailbox, anna.mailbox);
    let kept = second.letters_in(&again, &gemt);
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id, letter.id);
    assert_eq!(
        second.letters_in(&again, &inbox).len(),
        5,
        "four left of the first post, one delivered, none seeded again"
    );
    let sent = second
        .find_letter(&again, StandardFolder::Sent, "Spørgsmål om SU")
        .unwrap();
    assert_eq!(
        sent.content.sent_to.as_deref(),
        Some("SU (Uddannelses- og Forskningsstyrelsen)")
    );
    assert_eq!(second.app.store().outbox.latest(10).unwrap(), outbox_before);
    let paper = second
        .post_json(
            SIM_LETTERS,
            &serde_json::json!({
                "recipient": "cpr:6101701234", "sender": "su", "subject": "S", "body": "B"
            }),
        )
        .await;
    assert_eq!(
        paper.status(),
        StatusCode::ACCEPTED,
        "the exemption was kept"
    );
    let html = body_text(second.get_as(&again, &letter_path(&letter.id)).await).await;
    assert!(html.contains(&letter.content.subject), "{html}");
}
