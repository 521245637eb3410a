//! Reading, marking unread, moving and deleting letters, over the routes.

use axum::http::StatusCode;

use super::{body_text, cookie_value, location, TestMailbox};
use crate::cookies::SESSION_COOKIE;
use crate::paths::{folder_path, letter_path, permanent_delete_path, send_draft_path};
use crate::post::{LetterId, StandardFolder};

#[tokio::test]
async fn first_login_through_the_broker_creates_a_mailbox_with_first_post() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    let callback = mailbox.log_in_through(&broker).await;
    let session = cookie_value(&callback, SESSION_COOKIE).unwrap();

    let inbox = mailbox.get("/", &[(SESSION_COOKIE, &session)]).await;
    assert_eq!(inbox.status(), StatusCode::OK);
    let html = body_text(inbox).await;
    assert!(html.contains("Indbakke"), "{html}");
    assert!(
        html.contains("Din forskudsopgørelse for næste år er klar"),
        "{html}"
    );
    assert!(html.contains("Afgørelse om boligstøtte"), "{html}");
    assert!(html.contains("Skattestyrelsen") && html.contains("Udbetaling Danmark"));
    assert!(html.contains("Indkaldelse til forundersøgelse"), "{html}");
    assert!(html.contains("Bekræftelse af flytning"), "{html}");
    assert_eq!(html.matches("class=\"unread-marker\"").count(), 2, "{html}");
    assert!(html.contains("Simulator — no real identity is verified"));

    // A second login opens the same mailbox; nothing is seeded twice.
    let again = mailbox.log_in_through(&broker).await;
    let again = cookie_value(&again, SESSION_COOKIE).unwrap();
    let html = body_text(mailbox.get("/", &[(SESSION_COOKIE, &again)]).await).await;
    assert_eq!(html.matches("Afgørelse om boligstøtte").count(), 1);
}

#[tokio::test]
async fn reading_a_letter_shows_it_and_marks_it_read_and_mark_unread_undoes_that() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let letter = mailbox
        .letters_in(&anna, &inbox)
        .into_iter()
        .find(|letter| !letter.read)
        .unwrap();

    let page = mailbox.get_as(&anna, &letter_path(&letter.id)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = body_text(page).await;
    assert!(html.contains(&letter.content.subject), "{html}");
    assert!(html.contains(letter.content.sender.display_name()));
    assert!(html.contains("Markér som ulæst"));
    let stored = |mailbox: &TestMailbox| {
        mailbox
            .app
            .store()
            .letters
            .get(&anna.mailbox, &letter.id)
            .unwrap()
            .unwrap()
    };
    assert!(stored(&mailbox).read, "reading marks it read");

    let path = format!("{}/unread", letter_path(&letter.id));
    let response = mailbox.post_as(&anna, &path, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), folder_path(&inbox.id));
    assert!(!stored(&mailbox).read);
}

#[tokio::test]
async fn a_letter_moves_to_another_folder_of_the_mailbox() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    mailbox
        .post_as(&anna, "/folders", &[("name", "Gemt")])
        .await;
    let sent = mailbox
        .folders(&anna)
        .into_iter()
        .find(|folder| folder.is_own())
        .unwrap();
    let letter = mailbox.letters_in(&anna, &inbox).remove(0);

    let path = format!("{}/move", letter_path(&letter.id));
    let response = mailbox
        .post_as(&anna, &path, &[("folder_id", sent.id.as_str())])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), folder_path(&inbox.id));

    let moved = mailbox.letters_in(&anna, &sent);
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].id, letter.id);
    let html = body_text(mailbox.get_as(&anna, &folder_path(&sent.id)).await).await;
    assert!(html.contains(&letter.content.subject), "{html}");
}

#[tokio::test]
async fn delete_moves_to_slettet_then_deleting_again_asks_and_removes_for_good() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let bin = mailbox.standard_folder(&anna, StandardFolder::Deleted);
    let letter = mailbox.letters_in(&anna, &inbox).remove(0);
    let delete = format!("{}/delete", letter_path(&letter.id));

    // Permanent deletion is refused while the letter is not in Slettet.
    let early = mailbox
        .post_as(&anna, &permanent_delete_path(&letter.id), &[])
        .await;
    assert_eq!(early.status(), StatusCode::CONFLICT);

    let response = mailbox.post_as(&anna, &delete, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), folder_path(&inbox.id));
    assert_eq!(mailbox.letters_in(&anna, &bin)[0].id, letter.id);
    assert!(!mailbox
        .letters_in(&anna, &inbox)
        .iter()
        .any(|kept| kept.id == letter.id));

    // Deleting from Slettet asks first.
    let again = mailbox.post_as(&anna, &delete, &[]).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&again), permanent_delete_path(&letter.id));
    let confirm = mailbox
        .get_as(&anna, &permanent_delete_path(&letter.id))
        .await;
    assert_eq!(confirm.status(), StatusCode::OK);
    let html = body_text(confirm).await;
    assert!(html.contains("Det kan ikke fortrydes"), "{html}");
    assert_eq!(
        mailbox.letters_in(&anna, &bin).len(),
        1,
        "asking deletes nothing"
    );

    let gone = mailbox
        .post_as(&anna, &permanent_delete_path(&letter.id), &[])
        .await;
    assert_eq!(gone.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&gone), folder_path(&bin.id));
    assert!(mailbox.letters_in(&anna, &bin).is_empty());
    let page = mailbox.get_as(&anna, &letter_path(&letter.id)).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn actions_without_the_csrf_token_are_forbidden_and_change_nothing() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let bob = mailbox.citizen("bob", "Bob");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let letter = mailbox.letters_in(&anna, &inbox).remove(0);
    let cookies = [(SESSION_COOKIE, anna.session.as_str())];

    for (path, form) in [
        (format!("{}/delete", letter_path(&letter.id)), String::new()),
        (
            format!("{}/delete", letter_path(&letter.id)),
            format!("csrf_token={}", bob.csrf),
        ),
        (
            format!("{}/unread", letter_path(&letter.id)),
            "csrf_token=".to_owned(),
        ),
        ("/folders".to_owned(), "name=Skat".to_owned()),
    ] {
        let response = mailbox.post_form(&path, &cookies, &form).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path} {form}");
    }
    assert_eq!(mailbox.letters_in(&anna, &inbox).len(), 5);
    assert_eq!(mailbox.folders(&anna).len(), 4);
}

#[tokio::test]
async fn actions_without_a_session_redirect_to_login() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let letter = mailbox.letters_in(&anna, &inbox).remove(0);
    let form = format!("csrf_token={}", anna.csrf);
    let response = mailbox
        .post_form(&format!("{}/delete", letter_path(&letter.id)), &[], &form)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login");
    // A POST cannot be returned to; a page can (see `deep_link`).
    let page = mailbox.get(&letter_path(&letter.id), &[]).await;
    assert_eq!(
        location(&page),
        format!("/login?return_to=%2Fletters%2F{}", letter.id.as_str())
    );
    assert_eq!(mailbox.letters_in(&anna, &inbox).len(), 5);
}

#[tokio::test]
async fn a_subject_with_html_is_shown_as_text() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let mut letter = mailbox.letters_in(&anna, &inbox).remove(0);
    letter.id = LetterId::random();
    letter.content.subject = "<script>alert(1)</script> Vigtigt".to_owned();
    letter.content.body = "<img src=x onerror=alert(2)>".to_owned();
    mailbox.app.store().letters.put(&letter).unwrap();

    for path in ["/".to_owned(), letter_path(&letter.id)] {
        let html = body_text(mailbox.get_as(&anna, &path).await).await;
        assert!(!html.contains("<script>alert"), "{path}: {html}");
        assert!(!html.contains("<img src=x"), "{path}: {html}");
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62; Vigtigt"),
            "{path}: {html}"
        );
    }
}

#[tokio::test]
async fn received_post_is_never_moved_into_sendt_or_kladder_nor_sent_as_a_draft() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let sent = mailbox.standard_folder(&anna, StandardFolder::Sent);
    let drafts = mailbox.standard_folder(&anna, StandardFolder::Drafts);
    let police = mailbox
        .find_letter(
            &anna,
            StandardFolder::Inbox,
            "Dit pas er klar til afhentning",
        )
        .unwrap();
    assert!(police.content.sent_to.is_none(), "received post");

    // The letter's page does not offer Sendt or Kladder.
    let html = body_text(mailbox.get_as(&anna, &letter_path(&police.id)).await).await;
    assert!(html.contains("name=\"folder_id\""), "a move form: {html}");
    for folder in [&sent, &drafts] {
        assert!(
            !html.contains(&format!("value=\"{}\"", folder.id.as_str())),
            "{html}"
        );
    }

    // The server refuses those moves, whatever the form says.
    let path = format!("{}/move", letter_path(&police.id));
    for folder in [&sent, &drafts] {
        let refused = mailbox
            .post_as(&anna, &path, &[("folder_id", folder.id.as_str())])
            .await;
        assert_eq!(refused.status(), StatusCode::CONFLICT);
        let html = body_text(refused).await;
        assert!(html.contains("Modtaget post kan ikke flyttes"), "{html}");
        assert!(mailbox.letters_in(&anna, folder).is_empty());
    }
    assert!(mailbox
        .letters_in(&anna, &inbox)
        .iter()
        .any(|letter| letter.id == police.id));

    // A received letter that lies in Kladder all the same (moved there before this rule) is
    // no draft: no button, and sending it is refused.
    assert!(mailbox
        .app
        .store()
        .letters
        .move_to(&anna.mailbox, &police.id, &drafts.id)
        .unwrap());
    let html = body_text(mailbox.get_as(&anna, &letter_path(&police.id)).await).await;
    assert!(!html.contains(&send_draft_path(&police.id)), "{html}");
    assert!(!html.contains("Send kladden"), "{html}");
    let refused = mailbox
        .post_as(&anna, &send_draft_path(&police.id), &[])
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(mailbox.letters_in(&anna, &sent).is_empty());
    assert_eq!(mailbox.letters_in(&anna, &drafts)[0].id, police.id);
}

#[tokio::test]
async fn a_letters_single_line_breaks_show_as_line_breaks_and_stay_escaped() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let wrote = mailbox
        .post_as(
            &anna,
            crate::paths::WRITE,
            &[
                ("authority", "su"),
                ("subject", "Min SU"),
                (
                    "body",
                    "Hej SU\r\nJeg skriver om <min> støtte.\r\n\r\nMed venlig hilsen\r\nAnna",
                ),
            ],
        )
        .await;
    assert_eq!(wrote.status(), StatusCode::SEE_OTHER);
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Sent, "Min SU")
        .unwrap();

    let html = body_text(mailbox.get_as(&anna, &letter_path(&letter.id)).await).await;
    assert!(
        html.contains("<p>Hej SU<br>Jeg skriver om &#60;min&#62; støtte.</p>"),
        "{html}"
    );
    assert!(html.contains("<p>Med venlig hilsen<br>Anna</p>"), "{html}");
    assert!(!html.contains("<min>"), "{html}");
}
