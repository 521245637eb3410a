//! Access for others: granting, opening with the password (counted, locking), revoking in
//! the middle of a session, the folders a helper sees, and the activity log.

use std::time::Duration;

use axum::http::StatusCode;

use super::{body_text, location, Citizen, TestMailbox};
use crate::access::{ActivityAction, GrantStatus, Permission};
use crate::paths::{folder_path, letter_path, reply_path, ACCESS, ACTIVITY, HOME, MAILBOXES};
use crate::post::StandardFolder;

const ANNA: &str = "7204901236";
const BO: &str = "9011752131";
const CARL: &str = "6302014157";
const PASSWORD: &str = "sommer-2026";

/// Anna, and Bo who helps her, both logged in with their CPR numbers.
fn anna_and_bo(mailbox: &TestMailbox) -> (Citizen, Citizen) {
    (
        mailbox.citizen_with_cpr(ANNA, "Anna Testesen"),
        mailbox.citizen_with_cpr(BO, "Bo Prøvegaard"),
    )
}

/// Anna grants Bo `permission` to all folders; Bo opens her mailbox.
async fn bo_helps_anna(mailbox: &TestMailbox, permission: &str) -> (Citizen, Citizen) {
    let (anna, bo) = anna_and_bo(mailbox);
    let granted = mailbox.grant(&anna, BO, permission, &[], PASSWORD).await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);
    let grant = mailbox.grant_to(&anna, BO);
    let opened = mailbox.open_grant(&bo, &grant.id, PASSWORD).await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&opened), HOME);
    (anna, bo)
}

#[tokio::test]
async fn the_owner_grants_read_access_and_the_helper_opens_the_mailbox_with_the_password() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, bo) = anna_and_bo(&mailbox);
    let response = mailbox
        .grant(&anna, "901175-2131", "read", &[], PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), ACCESS);

    let grant = mailbox.grant_to(&anna, BO);
    assert_eq!(grant.permission, Permission::Read);
    assert_eq!(grant.owner_name, "Anna Testesen");
    assert_eq!(grant.status(), GrantStatus::Active);
    let page = body_text(mailbox.get_as(&anna, ACCESS).await).await;
    assert!(
        page.contains("901175-2131") && page.contains("Læseadgang"),
        "{page}"
    );
    assert!(!page.contains(PASSWORD), "the password is never shown");

    // Bo's list of mailboxes offers Anna's, behind a password.
    let list = body_text(mailbox.get_as(&bo, MAILBOXES).await).await;
    assert!(list.contains("Anna Testesen"), "{list}");
    assert!(list.contains(&format!("value=\"grant:{}\"", grant.id.as_str())));
    assert!(list.contains("name=\"password\""), "{list}");

    let opened = mailbox.open_grant(&bo, &grant.id, PASSWORD).await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let home = body_text(mailbox.get_as(&bo, HOME).await).await;
    assert!(home.contains("Logget ind som Bo Prøvegaard"), "{home}");
    assert!(
        home.contains("Postkasse: <strong>Anna Testesen</strong> (læseadgang)"),
        "{home}"
    );
    assert!(
        home.contains("Afgørelse om boligstøtte"),
        "Anna's post: {home}"
    );
    assert!(
        !home.contains(ANNA),
        "the owner's CPR number is not shown: {home}"
    );
    assert!(
        !home.contains("href=\"/write\""),
        "read access writes nothing"
    );
    assert!(!home.contains("href=\"/access\""), "nor grants access");
    assert!(home.contains("href=\"/activity\""));
}

#[tokio::test]
async fn wrong_passwords_are_counted_and_the_fifth_locks_until_the_owner_sets_a_new_one() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, bo) = anna_and_bo(&mailbox);
    mailbox.grant(&anna, BO, "read", &[], PASSWORD).await;
    let grant = mailbox.grant_to(&anna, BO);

    // A right password in between starts the count again.
    for _ in 0..3 {
        let wrong = mailbox.open_grant(&bo, &grant.id, "vinter-2026").await;
        assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(mailbox.grant_to(&anna, BO).failed_attempts, 3);
    assert_eq!(
        mailbox.open_grant(&bo, &grant.id, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(mailbox.grant_to(&anna, BO).failed_attempts, 0);
    mailbox.open_own(&bo).await;

    for left in (1..=4).rev() {
        let wrong = mailbox.open_grant(&bo, &grant.id, "vinter-2026").await;
        assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
        let html = body_text(wrong).await;
        assert!(
            html.contains(&format!("Du har {left} forsøg tilbage")),
            "{left}: {html}"
        );
    }
    let fifth = mailbox.open_grant(&bo, &grant.id, "vinter-2026").await;
    assert_eq!(fifth.status(), StatusCode::LOCKED);
    assert!(body_text(fifth).await.contains("Adgangen er låst"));
    // Locked: even the right password opens nothing, and Bo stays in his own mailbox.
    let right = mailbox.open_grant(&bo, &grant.id, PASSWORD).await;
    assert_eq!(right.status(), StatusCode::LOCKED);
    let home = body_text(mailbox.get_as(&bo, HOME).await).await;
    assert!(
        home.contains("Postkasse: <strong>Bo Prøvegaard</strong>"),
        "{home}"
    );
    assert!(body_text(mailbox.get_as(&bo, MAILBOXES).await)
        .await
        .contains("Låst: bed ejeren om en ny adgangskode."));
    let page = body_text(mailbox.get_as(&anna, ACCESS).await).await;
    assert!(
        page.contains("låst (for mange forkerte adgangskoder)"),
        "{page}"
    );

    // The owner sets a new password: the grant opens with it, and only with it.
    let reset = mailbox
        .post_as(
            &anna,
            &crate::paths::grant_password_path(&grant.id),
            &[("password", "efterår-2026")],
        )
        .await;
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);
    assert_eq!(mailbox.grant_to(&anna, BO).status(), GrantStatus::Active);
    assert_eq!(
        mailbox.open_grant(&bo, &grant.id, PASSWORD).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        mailbox
            .open_grant(&bo, &grant.id, "efterår-2026")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    let log = mailbox
        .app
        .store()
        .activity
        .for_mailbox(&anna.mailbox, 50)
        .unwrap();
    let count = |action| log.iter().filter(|entry| entry.action == action).count();
    assert_eq!(count(ActivityAction::WrongPassword), 3 + 4 + 1);
    assert_eq!(count(ActivityAction::Locked), 1);
    assert_eq!(count(ActivityAction::OpenedMailbox), 2);
}

/// Guesses sent in parallel: each is counted before its password is checked, so no more than
/// five are ever checked, and the grant locks once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_cannot_pass_the_limit() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, bo) = anna_and_bo(&mailbox);
    mailbox.grant(&anna, BO, "read", &[], PASSWORD).await;
    let grant = mailbox.grant_to(&anna, BO);
    let guesses = (0..12).map(|i| {
        let (mailbox, bo, id) = (&mailbox, &bo, grant.id.clone());
        async move {
            mailbox
                .open_grant(bo, &id, &format!("gæt-{i}"))
                .await
                .status()
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let wrong = statuses
        .iter()
        .filter(|s| **s == StatusCode::FORBIDDEN)
        .count();
    let locked = statuses
        .iter()
        .filter(|s| **s == StatusCode::LOCKED)
        .count();
    assert_eq!((wrong, locked), (4, 8), "{statuses:?}");
    assert_eq!(mailbox.grant_to(&anna, BO).failed_attempts, 5);
    let log = mailbox
        .app
        .store()
        .activity
        .for_mailbox(&anna.mailbox, 50)
        .unwrap();
    let count = |action| log.iter().filter(|entry| entry.action == action).count();
    assert_eq!(count(ActivityAction::WrongPassword), 4);
    assert_eq!(count(ActivityAction::Locked), 1, "the grant locks once");
}

#[tokio::test]
async fn revoking_refuses_the_helpers_very_next_request() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, bo) = bo_helps_anna(&mailbox, "read_write").await;
    let grant = mailbox.grant_to(&anna, BO);
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let letter = mailbox.letters_in(&anna, &inbox).remove(0);
    assert_eq!(
        mailbox.get_as(&bo, &letter_path(&letter.id)).await.status(),
        StatusCode::OK
    );

    let revoked = mailbox
        .post_as(&anna, &crate::paths::grant_revoke_path(&grant.id), &[])
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);

    // Mid-session, whatever Bo asks for next is refused, and changes nothing.
    let before = mailbox.letters_in(&anna, &inbox);
    // (The front page takes him to his own mailbox instead: see `revoking`.)
    for response in [
        mailbox.get_as(&bo, crate::paths::FOLDERS).await,
        mailbox.get_as(&bo, &letter_path(&letter.id)).await,
        mailbox
            .post_as(&bo, &format!("{}/delete", letter_path(&letter.id)), &[])
            .await,
    ] {
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(body_text(response).await.contains("Adgangen er ophørt"));
    }
    assert_eq!(mailbox.letters_in(&anna, &inbox), before);

    // He can still choose another mailbox; Anna's is no longer offered.
    let list = body_text(mailbox.get_as(&bo, MAILBOXES).await).await;
    assert!(!list.contains("Anna Testesen"), "{list}");
    assert_eq!(
        mailbox.open_grant(&bo, &grant.id, PASSWORD).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(mailbox.open_own(&bo).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(mailbox.get_as(&bo, HOME).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_new_password_ends_sessions_opened_with_the_old_one() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, bo) = bo_helps_anna(&mailbox, "read").await;
    let grant = mailbox.grant_to(&anna, BO);
    assert_eq!(mailbox.get_as(&bo, HOME).await.status(), StatusCode::OK);
    mailbox
        .post_as(
            &anna,
            &crate::paths::grant_password_path(&grant.id),
            &[("password", "et-nyt-kodeord")],
        )
        .await;
    // Any page of Anna's mailbox is refused (the front page takes him to his own: `revoking`).
    assert_eq!(
        mailbox.get_as(&bo, crate::paths::FOLDERS).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        mailbox
            .open_grant(&bo, &grant.id, "et-nyt-kodeord")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(mailbox.get_as(&bo, HOME).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_activity_log_says_who_did_what_to_which_letter_and_when() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, bo) = bo_helps_anna(&mailbox, "read_write").await;
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, "Afgørelse om boligstøtte")
        .unwrap();

    // Sessions here end after 60 s idle: nobody waits that long.
    mailbox.clock.advance(Duration::from_secs(20));
    mailbox.get_as(&bo, &letter_path(&letter.id)).await;
    mailbox.clock.advance(Duration::from_secs(20));
    let replied = mailbox
        .post_as(
            &bo,
            &reply_path(&letter.id),
            &[("subject", "Sv: Boligstøtte"), ("body", "Tak for svaret.")],
        )
        .await;
    assert_eq!(replied.status(), StatusCode::SEE_OTHER);
    // What Anna does herself is not in the log.
    assert_eq!(
        mailbox
            .get_as(&anna, &letter_path(&letter.id))
            .await
            .status(),
        StatusCode::OK
    );
    mailbox.clock.advance(Duration::from_secs(20));
    mailbox.post_as(&bo, "/folders", &[("name", "Bolig")]).await;

    let log = mailbox
        .app
        .store()
        .activity
        .for_mailbox(&anna.mailbox, 50)
        .unwrap();
    let summary: Vec<(ActivityAction, Option<&str>, i64)> = log
        .iter()
        .map(|entry| {
            (
                entry.action,
                entry.object.as_deref(),
                entry.at - 1_700_000_000,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (ActivityAction::CreatedFolder, Some("Bolig"), 60),
            (ActivityAction::Replied, Some("Sv: Boligstøtte"), 40),
            (
                ActivityAction::ReadLetter,
                Some("Afgørelse om boligstøtte"),
                20
            ),
            (ActivityAction::OpenedMailbox, None, 0),
        ]
    );
    assert!(log.iter().all(|entry| entry.actor == "Bo Prøvegaard"));

    let page = body_text(mailbox.get_as(&anna, ACTIVITY).await).await;
    let rows: Vec<&str> = page.split("<tr><td>").skip(1).collect();
    assert_eq!(rows.len(), 4, "{page}");
    assert!(
        rows[0].starts_with(
            "14.11.2023 23:14</td><td>Bo Prøvegaard</td><td>Oprettede mappe</td><td>Bolig"
        ),
        "{}",
        rows[0]
    );
    assert!(
        rows[2].contains("Læste brev</td><td>Afgørelse om boligstøtte"),
        "{}",
        rows[2]
    );
    let english = body_text(mailbox.get_in_english(&anna, ACTIVITY).await).await;
    assert!(
        english.contains("<td>Replied to a letter</td>"),
        "{english}"
    );
    // The helper sees the log too (Digital Post: read access includes it).
    assert_eq!(mailbox.get_as(&bo, ACTIVITY).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_helper_sees_only_the_granted_folders_and_keeps_the_ones_they_create() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, bo) = anna_and_bo(&mailbox);
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let sent = mailbox.standard_folder(&anna, StandardFolder::Sent);
    mailbox
        .post_as(
            &anna,
            crate::paths::WRITE,
            &[
                ("authority", "su"),
                ("subject", "Privat"),
                ("body", "Kun mit"),
            ],
        )
        .await;
    let private = mailbox
        .find_letter(&anna, StandardFolder::Sent, "Privat")
        .unwrap();
    mailbox
        .grant(&anna, BO, "read", &[&inbox.id], PASSWORD)
        .await;
    let grant = mailbox.grant_to(&anna, BO);
    mailbox.open_grant(&bo, &grant.id, PASSWORD).await;

    let home = body_text(mailbox.get_as(&bo, HOME).await).await;
    assert!(home.contains(&folder_path(&inbox.id)), "{home}");
    assert!(!home.contains(&folder_path(&sent.id)), "{home}");
    let nowhere = body_text(mailbox.get_as(&bo, "/letters/0000").await).await;
    for path in [folder_path(&sent.id), letter_path(&private.id)] {
        let response = mailbox.get_as(&bo, &path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body_text(response).await, nowhere, "{path}");
    }
    // Nor can a letter be moved into a folder he was not given.
    let letter = mailbox.letters_in(&anna, &inbox).remove(0);
    let moved = mailbox
        .post_as(
            &bo,
            &format!("{}/move", letter_path(&letter.id)),
            &[("folder_id", sent.id.as_str())],
        )
        .await;
    assert_eq!(moved.status(), StatusCode::NOT_FOUND);

    // A folder he creates is his to see, and he can move post into it.
    mailbox
        .post_as(&bo, "/folders", &[("name", "Til Bo")])
        .await;
    let created = mailbox
        .folders(&anna)
        .into_iter()
        .find(|folder| folder.display_name() == "Til Bo")
        .unwrap();
    assert!(mailbox.grant_to(&anna, BO).folders.includes(&created.id));
    let moved = mailbox
        .post_as(
            &bo,
            &format!("{}/move", letter_path(&letter.id)),
            &[("folder_id", created.id.as_str())],
        )
        .await;
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        mailbox
            .get_as(&bo, &folder_path(&created.id))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_letter_a_helper_writes_shows_who_helped() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, bo) = bo_helps_anna(&mailbox, "read_write").await;
    let written = mailbox
        .post_as(
            &bo,
            crate::paths::WRITE,
            &[
                ("authority", "kommune"),
                ("subject", "Flytning"),
                ("body", "Anna flytter."),
            ],
        )
        .await;
    assert_eq!(written.status(), StatusCode::SEE_OTHER);
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Sent, "Flytning")
        .unwrap();
    assert_eq!(letter.content.helped_by.as_deref(), Some("Bo Prøvegaard"));
    let html = body_text(mailbox.get_as(&anna, &letter_path(&letter.id)).await).await;
    assert!(
        html.contains("Skrevet på postkasseejerens vegne af: <strong>Bo Prøvegaard</strong>"),
        "{html}"
    );
}

#[tokio::test]
async fn granting_checks_the_cpr_number_the_password_and_the_folders() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, _) = anna_and_bo(&mailbox);
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let other = mailbox.citizen_with_cpr(CARL, "Carl");
    let carls_inbox = mailbox.standard_folder(&other, StandardFolder::Inbox);
    for (cpr, password, folders, status, says) in [
        (
            "12345",
            PASSWORD,
            vec![],
            StatusCode::BAD_REQUEST,
            "Ugyldigt CPR-nummer",
        ),
        (
            BO,
            "kort",
            vec![],
            StatusCode::BAD_REQUEST,
            "Adgangskoden er for kort",
        ),
        (
            ANNA,
            PASSWORD,
            vec![],
            StatusCode::BAD_REQUEST,
            "Det er dit eget CPR-nummer",
        ),
        (
            BO,
            PASSWORD,
            vec![&carls_inbox.id],
            StatusCode::BAD_REQUEST,
            "Ingen mapper valgt",
        ),
    ] {
        let response = mailbox.grant(&anna, cpr, "read", &folders, password).await;
        assert_eq!(response.status(), status, "{cpr} {password}");
        assert!(body_text(response).await.contains(says), "{says}");
    }
    assert!(mailbox
        .app
        .store()
        .grants
        .list(&anna.mailbox)
        .unwrap()
        .is_empty());

    let response = mailbox.grant(&anna, BO, "admin", &[], PASSWORD).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = mailbox
        .grant(&anna, BO, "read", &[&inbox.id], PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let again = mailbox.grant(&anna, BO, "read_write", &[], PASSWORD).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body_text(again)
        .await
        .contains("Personen har allerede adgang"));

    // Stored only as an Argon2 hash.
    let grant = mailbox.grant_to(&anna, BO);
    assert!(grant.password.as_phc().starts_with("$argon2id$"));
    assert!(!grant.password.as_phc().contains(PASSWORD));
    assert!(grant.password.verify(PASSWORD));
}

#[tokio::test]
async fn the_owner_changes_a_grant_and_the_helpers_next_request_follows_it() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, bo) = bo_helps_anna(&mailbox, "read").await;
    let grant = mailbox.grant_to(&anna, BO);
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let sent = mailbox.standard_folder(&anna, StandardFolder::Sent);
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, "Afgørelse om boligstøtte")
        .unwrap();
    let edit = crate::paths::grant_edit_path(&grant.id);

    // The access page offers the change, with the grant's current choices ticked.
    let page = body_text(mailbox.get_as(&anna, ACCESS).await).await;
    assert!(page.contains(&format!("action=\"{edit}\"")), "{page}");
    assert_eq!(
        mailbox.get_as(&bo, &reply_path(&letter.id)).await.status(),
        StatusCode::FORBIDDEN,
        "read access does not reply"
    );

    // Read and write, Indbakke only.
    let changed = mailbox
        .post_as(
            &anna,
            &edit,
            &[("permission", "read_write"), ("folder", inbox.id.as_str())],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&changed), ACCESS);
    let stored = mailbox.grant_to(&anna, BO);
    assert_eq!(stored.permission, Permission::ReadWrite);
    assert!(stored.folders.includes(&inbox.id));
    assert!(!stored.folders.includes(&sent.id));

    // Bo's session goes on, with the new access from his very next request.
    assert_eq!(
        mailbox.get_as(&bo, &reply_path(&letter.id)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        mailbox.get_as(&bo, &folder_path(&sent.id)).await.status(),
        StatusCode::NOT_FOUND
    );

    // The activity log says who changed what.
    let log = body_text(mailbox.get_as(&anna, ACTIVITY).await).await;
    assert!(log.contains("Ændrede en adgang"), "{log}");
    assert!(log.contains("Anna Testesen"), "{log}");
    assert!(
        log.contains("Hjælper: Læseadgang → Læse- og skriveadgang (Indbakke)"),
        "{log}"
    );
    let entries = mailbox
        .app
        .store()
        .activity
        .for_mailbox(&anna.mailbox, 10)
        .unwrap();
    assert_eq!(entries[0].action, ActivityAction::ChangedAccess);
    assert_eq!(entries[0].grant, grant.id);

    // A form that chooses no folder, or no valid permission, changes nothing.
    for fields in [
        vec![("permission", "read")],
        vec![("permission", "admin"), ("all_folders", "on")],
    ] {
        let refused = mailbox.post_as(&anna, &edit, &fields).await;
        assert!(refused.status().is_client_error(), "{fields:?}");
        assert_eq!(mailbox.grant_to(&anna, BO), stored);
    }

    // A revoked grant cannot be changed.
    mailbox
        .post_as(&anna, &crate::paths::grant_revoke_path(&grant.id), &[])
        .await;
    let late = mailbox
        .post_as(
            &anna,
            &edit,
            &[("permission", "read"), ("all_folders", "on")],
        )
        .await;
    assert_eq!(late.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_helper_reading_a_letter_leaves_the_owners_unread_mark_and_new_post_notice() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, bo) = bo_helps_anna(&mailbox, "read").await;
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let unread: Vec<_> = mailbox
        .letters_in(&anna, &inbox)
        .into_iter()
        .filter(|letter| !letter.read)
        .collect();
    assert!(!unread.is_empty());

    for letter in &unread {
        let page = mailbox.get_as(&bo, &letter_path(&letter.id)).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(body_text(page).await.contains(&letter.content.subject));
    }

    // Still unread for Anna: in the store, and the notice of new post still shows.
    for letter in &unread {
        let stored = mailbox
            .app
            .store()
            .letters
            .get(&anna.mailbox, &letter.id)
            .unwrap()
            .unwrap();
        assert!(!stored.read, "{}", letter.content.subject);
    }
    let home = body_text(mailbox.get_as(&anna, HOME).await).await;
    assert!(
        home.contains(&format!("Der er {} ulæste breve", unread.len())),
        "{home}"
    );
    // The reading is logged all the same.
    let log = body_text(mailbox.get_as(&anna, ACTIVITY).await).await;
    assert!(log.contains(&unread[0].content.subject), "{log}");
}

#[tokio::test]
async fn a_grant_to_an_impossible_cpr_number_is_refused_with_a_readable_message() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna Testesen");
    for cpr in ["320190-1234", "011390-1234", "000000-0000", "3201901234"] {
        let response = mailbox.grant(&anna, cpr, "read", &[], PASSWORD).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{cpr}");
        let html = body_text(response).await;
        assert!(html.contains("Ugyldigt CPR-nummer"), "{cpr}: {html}");
        assert!(html.contains("fødselsdatoen"), "{cpr}: {html}");
    }
    assert!(mailbox
        .app
        .store()
        .grants
        .list(&anna.mailbox)
        .unwrap()
        .is_empty());
    // A replacement number is fine.
    let response = mailbox
        .grant(&anna, "710190-1234", "read", &[], PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

/// A mistyped password leads back to the password form (the mailbox list), as a locked or
/// ended access does, not to the mailbox the person is in, where they would have to look for
/// *Skift postkasse* again (found by the browser tests, step k).
#[tokio::test]
async fn a_wrong_password_page_leads_back_to_the_mailbox_list() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, bo) = anna_and_bo(&mailbox);
    mailbox.grant(&anna, BO, "read", &[], PASSWORD).await;
    let grant = mailbox.grant_to(&anna, BO);
    let wrong = mailbox.open_grant(&bo, &grant.id, "forkert-kode").await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let page = body_text(wrong).await;
    assert!(page.contains("4 forsøg tilbage"), "{page}");
    assert!(
        page.contains(r#"<a class="button" href="/mailboxes">Vælg postkasse</a>"#),
        "{page}"
    );
}
