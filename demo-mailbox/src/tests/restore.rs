//! Restoring a letter from Slettet ("Gendan"): back to the folder it was deleted from, or to
//! Indbakke (received post) or Sendt (one's own) when that is not known or gone.

use axum::http::StatusCode;

use super::{body_text, location, Citizen, TestMailbox};
use crate::paths::{folder_path, letter_path, restore_path};
use crate::post::{Folder, Letter, StandardFolder};

/// `citizen` deletes `letter` to Slettet through the page's form.
async fn delete(mailbox: &TestMailbox, citizen: &Citizen, letter: &Letter) {
    let path = format!("{}/delete", letter_path(&letter.id));
    let response = mailbox.post_as(citizen, &path, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

fn holds(mailbox: &TestMailbox, citizen: &Citizen, folder: &Folder, letter: &Letter) -> bool {
    mailbox
        .letters_in(citizen, folder)
        .iter()
        .any(|held| held.id == letter.id)
}

#[tokio::test]
async fn a_deleted_letter_is_restored_to_the_folder_it_was_deleted_from_with_a_notice() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let bin = mailbox.standard_folder(&anna, StandardFolder::Deleted);
    let letter = mailbox.letters_in(&anna, &inbox).remove(0);
    delete(&mailbox, &anna, &letter).await;
    assert!(holds(&mailbox, &anna, &bin, &letter));

    // In Slettet the letter offers to go back where it came from.
    let html = body_text(mailbox.get_as(&anna, &letter_path(&letter.id)).await).await;
    assert!(
        html.contains(&format!("action=\"{}\"", restore_path(&letter.id))),
        "{html}"
    );
    assert!(html.contains("Gendan til Indbakke"), "{html}");

    let response = mailbox.post_as(&anna, &restore_path(&letter.id), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), folder_path(&bin.id));
    assert!(holds(&mailbox, &anna, &inbox, &letter));
    assert!(!holds(&mailbox, &anna, &bin, &letter));
    let page = body_text(mailbox.get_as(&anna, &folder_path(&bin.id)).await).await;
    assert!(page.contains("Brevet er gendannet til Indbakke."), "{page}");

    // Out of Slettet there is nothing to restore: refused, nothing moves.
    let again = mailbox.post_as(&anna, &restore_path(&letter.id), &[]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(holds(&mailbox, &anna, &inbox, &letter));
    let html = body_text(mailbox.get_as(&anna, &letter_path(&letter.id)).await).await;
    assert!(!html.contains("Gendan"), "{html}");
}

#[tokio::test]
async fn a_letter_deleted_from_an_own_folder_goes_back_there_and_speaks_english() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    mailbox
        .post_as(&anna, "/folders", &[("name", "Bolig")])
        .await;
    let bolig = mailbox
        .folders(&anna)
        .into_iter()
        .find(|folder| folder.display_name() == "Bolig")
        .unwrap();
    let letter = mailbox.letters_in(&anna, &inbox).remove(0);
    let moved = mailbox
        .post_as(
            &anna,
            &format!("{}/move", letter_path(&letter.id)),
            &[("folder_id", bolig.id.as_str())],
        )
        .await;
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);
    delete(&mailbox, &anna, &letter).await;

    let html = body_text(
        mailbox
            .get_in_english(&anna, &letter_path(&letter.id))
            .await,
    )
    .await;
    assert!(html.contains("Restore to Bolig"), "{html}");
    let response = mailbox
        .post_in_english(&anna, &restore_path(&letter.id), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(holds(&mailbox, &anna, &bolig, &letter));
    assert!(!holds(&mailbox, &anna, &inbox, &letter));
    let page = body_text(mailbox.get_in_english(&anna, location(&response)).await).await;
    assert!(page.contains("The letter was restored to Bolig."), "{page}");
}

#[tokio::test]
async fn without_a_folder_to_go_back_to_received_post_goes_to_indbakke_and_own_to_sendt() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let sent = mailbox.standard_folder(&anna, StandardFolder::Sent);
    let bin = mailbox.standard_folder(&anna, StandardFolder::Deleted);

    // Deleted from an own folder that was deleted meanwhile (it was empty then).
    mailbox
        .post_as(&anna, "/folders", &[("name", "Midlertidig")])
        .await;
    let temporary = mailbox
        .folders(&anna)
        .into_iter()
        .find(|folder| folder.display_name() == "Midlertidig")
        .unwrap();
    let received = mailbox.letters_in(&anna, &inbox).remove(0);
    let store = mailbox.app.store();
    assert!(store
        .letters
        .move_to(&anna.mailbox, &received.id, &temporary.id)
        .unwrap());
    delete(&mailbox, &anna, &received).await;
    let gone = mailbox
        .post_as(
            &anna,
            &format!("{}/delete", folder_path(&temporary.id)),
            &[],
        )
        .await;
    assert_eq!(gone.status(), StatusCode::SEE_OTHER);

    // A letter of her own lying in Slettet with no folder remembered (put there directly,
    // as by a mailbox from before restoring).
    let written = mailbox
        .post_as(
            &anna,
            crate::paths::WRITE,
            &[
                ("authority", "su"),
                ("subject", "Mit brev"),
                ("body", "Hej"),
            ],
        )
        .await;
    assert_eq!(written.status(), StatusCode::SEE_OTHER);
    let own = mailbox
        .find_letter(&anna, StandardFolder::Sent, "Mit brev")
        .unwrap();
    let mut direct = own.clone();
    direct.id = crate::post::LetterId::random();
    direct.folder = bin.id.clone();
    store.letters.put(&direct).unwrap();

    for (letter, home, name) in [(&received, &inbox, "Indbakke"), (&direct, &sent, "Sendt")] {
        let html = body_text(mailbox.get_as(&anna, &letter_path(&letter.id)).await).await;
        assert!(html.contains(&format!("Gendan til {name}")), "{html}");
        let response = mailbox.post_as(&anna, &restore_path(&letter.id), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        assert!(holds(&mailbox, &anna, home, letter), "{name}");
    }
}

#[tokio::test]
async fn restoring_needs_the_csrf_token_and_anothers_letter_is_not_found() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let bob = mailbox.citizen("bob", "Bob");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let bin = mailbox.standard_folder(&anna, StandardFolder::Deleted);
    let letter = mailbox.letters_in(&anna, &inbox).remove(0);
    delete(&mailbox, &anna, &letter).await;

    let forged = mailbox
        .post_form(
            &restore_path(&letter.id),
            &[(crate::cookies::SESSION_COOKIE, &anna.session)],
            "",
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let foreign = mailbox.post_as(&bob, &restore_path(&letter.id), &[]).await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    assert!(holds(&mailbox, &anna, &bin, &letter));
}

#[tokio::test]
async fn a_helper_restores_only_into_a_folder_the_grant_shows() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen_with_cpr("6101701234", "Anna");
    let bo = mailbox.citizen_with_cpr("7101901234", "Bo");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let bin = mailbox.standard_folder(&anna, StandardFolder::Deleted);
    mailbox
        .post_as(&anna, "/folders", &[("name", "Privat")])
        .await;
    let private = mailbox
        .folders(&anna)
        .into_iter()
        .find(|folder| folder.display_name() == "Privat")
        .unwrap();
    let letters = mailbox.letters_in(&anna, &inbox);
    let (from_inbox, from_private) = (&letters[0], &letters[1]);
    let store = mailbox.app.store();
    assert!(store
        .letters
        .move_to(&anna.mailbox, &from_private.id, &private.id)
        .unwrap());
    delete(&mailbox, &anna, from_inbox).await;
    delete(&mailbox, &anna, from_private).await;

    // Bo may read Indbakke and Slettet, not Privat.
    let granted = mailbox
        .grant(
            &anna,
            "7101901234",
            "read",
            &[&inbox.id, &bin.id],
            "hjælper-kodeord",
        )
        .await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);
    let grant = mailbox.grant_to(&anna, "7101901234");
    mailbox.open_grant(&bo, &grant.id, "hjælper-kodeord").await;

    let html = body_text(mailbox.get_as(&bo, &letter_path(&from_private.id)).await).await;
    assert!(!html.contains("Gendan"), "{html}");
    let refused = mailbox
        .post_as(&bo, &restore_path(&from_private.id), &[])
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(
        holds(&mailbox, &anna, &bin, from_private),
        "not put elsewhere"
    );

    let restored = mailbox
        .post_as(&bo, &restore_path(&from_inbox.id), &[])
        .await;
    assert_eq!(restored.status(), StatusCode::SEE_OTHER);
    assert!(holds(&mailbox, &anna, &inbox, from_inbox));
    let log = store.activity.for_mailbox(&anna.mailbox, 10).unwrap();
    assert_eq!(log[0].action, crate::access::ActivityAction::RestoredLetter);
}
