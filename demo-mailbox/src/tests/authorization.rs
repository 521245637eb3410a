//! Another citizen gets 404 for every route that takes an object id of my mailbox, sees the
//! same page as for an id that exists nowhere, and changes nothing.

use axum::http::StatusCode;

use super::{body_text, Citizen, TestMailbox};
use crate::post::{Folder, Letter, StandardFolder};
use crate::routes::{
    FOLDER, FOLDER_DELETE, FOLDER_RENAME, LETTER, LETTER_ATTACHMENT, LETTER_DELETE,
    LETTER_DELETE_PERMANENTLY, LETTER_FORWARD, LETTER_MOVE, LETTER_REPLY, LETTER_SEND_DRAFT,
    LETTER_UNREAD, WRITE,
};

/// Everything in a mailbox, to compare before and after.
fn snapshot(mailbox: &TestMailbox, citizen: &Citizen) -> (Vec<Folder>, Vec<Letter>) {
    let folders = mailbox.folders(citizen);
    let letters = folders
        .iter()
        .flat_map(|folder| mailbox.letters_in(citizen, folder))
        .collect();
    (folders, letters)
}

enum Method {
    Get,
    Post(&'static [(&'static str, &'static str)]),
}

#[tokio::test]
async fn another_citizen_gets_not_found_for_every_route_with_my_ids() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let bob = mailbox.citizen("bob", "Bob");

    // Anna has a letter in her inbox, one in Slettet, and an empty folder of her own. The
    // first two letters of the first post both accept replies and carry an attachment, so a
    // refusal below is about whose letter it is, not about the letter.
    mailbox
        .post_as(&anna, "/folders", &[("name", "Privat")])
        .await;
    let annas_folder = mailbox
        .folders(&anna)
        .into_iter()
        .find(|f| f.is_own())
        .unwrap();
    let annas_inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let mut annas_letters: Vec<Letter> = mailbox
        .letters_in(&anna, &annas_inbox)
        .into_iter()
        .filter(|letter| letter.content.accepts_replies && !letter.content.attachments.is_empty())
        .collect();
    assert_eq!(annas_letters.len(), 2);
    let annas_letter = annas_letters.remove(0);
    let annas_deleted = annas_letters.remove(0);
    let to_bin = format!("/letters/{}/delete", annas_deleted.id.as_str());
    assert_eq!(
        mailbox.post_as(&anna, &to_bin, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    // And a draft in Kladder (no replies, no attachment: still 404 for Bob, not 409).
    let draft = [
        ("authority", "su"),
        ("subject", "Kladde"),
        ("body", "Udkast"),
        ("intent", "draft"),
    ];
    assert_eq!(
        mailbox.post_as(&anna, WRITE, &draft).await.status(),
        StatusCode::SEE_OTHER
    );
    let annas_draft = mailbox
        .find_letter(&anna, StandardFolder::Drafts, "Kladde")
        .unwrap();
    let bobs_inbox = mailbox.standard_folder(&bob, StandardFolder::Inbox);
    let bobs_letter = mailbox.letters_in(&bob, &bobs_inbox).remove(0);
    let before = snapshot(&mailbox, &anna);

    let letter_routes = [
        (LETTER, Method::Get),
        (LETTER_UNREAD, Method::Post(&[])),
        (LETTER_MOVE, Method::Post(&[("folder_id", "BOBS_SENT")])),
        (LETTER_DELETE, Method::Post(&[])),
        (LETTER_DELETE_PERMANENTLY, Method::Get),
        (LETTER_DELETE_PERMANENTLY, Method::Post(&[])),
        (LETTER_ATTACHMENT, Method::Get),
        (LETTER_REPLY, Method::Get),
        (
            LETTER_REPLY,
            Method::Post(&[("subject", "Sv"), ("body", "Stjålet svar")]),
        ),
        (LETTER_FORWARD, Method::Get),
        (LETTER_FORWARD, Method::Post(&[("to", "sub:bob")])),
        (LETTER_FORWARD, Method::Post(&[("to", "bob@example.test")])),
        (LETTER_SEND_DRAFT, Method::Post(&[])),
    ];
    let folder_routes = [
        (FOLDER, Method::Get),
        (FOLDER_RENAME, Method::Post(&[("name", "Stjålet")])),
        (FOLDER_DELETE, Method::Post(&[])),
    ];
    let bobs_sent = mailbox.standard_folder(&bob, StandardFolder::Sent);
    let mut cases = Vec::new();
    for letter in [&annas_letter, &annas_deleted, &annas_draft] {
        for (route, method) in &letter_routes {
            let path = route
                .replace("{letter_id}", letter.id.as_str())
                .replace("{n}", "1");
            cases.push((path, method));
        }
    }
    for folder in [&annas_folder, &annas_inbox] {
        for (route, method) in &folder_routes {
            cases.push((route.replace("{folder_id}", folder.id.as_str()), method));
        }
    }
    // Bob's own letter into Anna's folder.
    let move_own = Method::Post(&[("folder_id", "ANNAS_FOLDER")]);
    cases.push((
        LETTER_MOVE.replace("{letter_id}", bobs_letter.id.as_str()),
        &move_own,
    ));

    let nowhere = body_text(mailbox.get_as(&bob, "/letters/0000").await).await;
    for (path, method) in cases {
        let response = match method {
            Method::Get => mailbox.get_as(&bob, &path).await,
            Method::Post(fields) => {
                let fields: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(name, value)| {
                        let value = match *value {
                            "BOBS_SENT" => bobs_sent.id.as_str(),
                            "ANNAS_FOLDER" => annas_folder.id.as_str(),
                            other => other,
                        };
                        (*name, value)
                    })
                    .collect();
                mailbox.post_as(&bob, &path, &fields).await
            }
        };
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body_text(response).await, nowhere, "{path} reveals nothing");
    }

    assert_eq!(
        snapshot(&mailbox, &anna),
        before,
        "Anna's mailbox is untouched"
    );
    assert!(
        mailbox.app.store().outbox.latest(10).unwrap().is_empty(),
        "nothing was forwarded"
    );
    let bobs_sent = mailbox.standard_folder(&bob, StandardFolder::Sent);
    assert!(
        mailbox.letters_in(&bob, &bobs_sent).is_empty(),
        "nothing was sent"
    );
    let bobs_kept = mailbox.letters_in(&bob, &bobs_inbox);
    assert_eq!(bobs_kept.len(), 5, "nothing was forwarded to Bob");
    assert!(bobs_kept.iter().any(|letter| letter.id == bobs_letter.id));
    // And Anna herself can still use all of it.
    for route in [LETTER, LETTER_ATTACHMENT, LETTER_REPLY, LETTER_FORWARD] {
        let path = route
            .replace("{letter_id}", annas_letter.id.as_str())
            .replace("{n}", "1");
        assert_eq!(
            mailbox.get_as(&anna, &path).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
}
