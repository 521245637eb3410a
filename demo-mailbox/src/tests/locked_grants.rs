//! When a helper's access locks (too many wrong passwords), whoever may give access sees on
//! every page of the mailbox that it locked and how to open it again (a new password), until
//! they do or revoke it; helpers never see it.

use axum::http::StatusCode;

use super::{body_text, TestMailbox};
use crate::paths::{grant_password_path, grant_revoke_path, ACCESS, HOME};

const ANNA: &str = "6101701234";
const BO: &str = "7101901234";
const CARL: &str = "6302014157";
const PASSWORD: &str = "hjælper-kodeord";
const LOCKED: &str = "Adgangen for Hjælper til denne postkasse er låst efter for mange forkerte adgangskoder. Åbn den igen ved at sætte en ny adgangskode";

#[tokio::test]
async fn the_owner_is_told_when_a_grant_locks_until_it_gets_a_new_password() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    let bo = mailbox.citizen_with_cpr(BO, "Bo");
    let carl = mailbox.citizen_with_cpr(CARL, "Carl");
    mailbox.grant(&anna, BO, "read", &[], PASSWORD).await;
    mailbox
        .grant(&anna, CARL, "read_write", &[], PASSWORD)
        .await;
    let grant = mailbox.grant_to(&anna, BO);
    let carls = mailbox.grant_to(&anna, CARL);
    mailbox.open_grant(&carl, &carls.id, PASSWORD).await;

    for _ in 0..4 {
        mailbox.open_grant(&bo, &grant.id, "forkert-kode").await;
    }
    let before = body_text(mailbox.get_as(&anna, HOME).await).await;
    assert!(
        !before.contains("Adgang låst"),
        "four are not five: {before}"
    );
    let fifth = mailbox.open_grant(&bo, &grant.id, "forkert-kode").await;
    assert_eq!(fifth.status(), StatusCode::LOCKED);

    for path in [HOME, ACCESS, "/folders"] {
        let page = body_text(mailbox.get_as(&anna, path).await).await;
        assert!(page.contains(LOCKED), "{path}: {page}");
        assert!(
            page.contains("<a href=\"/access\">Adgange for andre</a>"),
            "{page}"
        );
    }
    let english = body_text(mailbox.get_in_english(&anna, HOME).await).await;
    assert!(
        english.contains("the access of Hjælper to this mailbox locked after too many wrong passwords. To open it again, set a new password"),
        "{english}"
    );
    // A helper working in the mailbox is not told.
    let helper = body_text(mailbox.get_as(&carl, HOME).await).await;
    assert!(!helper.contains("Adgang låst"), "{helper}");

    let reset = mailbox
        .post_as(
            &anna,
            &grant_password_path(&grant.id),
            &[("password", "ny-kode-2026")],
        )
        .await;
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);
    let after = body_text(mailbox.get_as(&anna, HOME).await).await;
    assert!(!after.contains("Adgang låst"), "{after}");
}

#[tokio::test]
async fn a_locked_grant_revoked_is_no_longer_told() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    let bo = mailbox.citizen_with_cpr(BO, "Bo");
    mailbox.grant(&anna, BO, "read", &[], PASSWORD).await;
    let grant = mailbox.grant_to(&anna, BO);
    for _ in 0..5 {
        mailbox.open_grant(&bo, &grant.id, "forkert-kode").await;
    }
    assert!(body_text(mailbox.get_as(&anna, HOME).await)
        .await
        .contains(LOCKED));
    let revoked = mailbox
        .post_as(&anna, &grant_revoke_path(&grant.id), &[])
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    let after = body_text(mailbox.get_as(&anna, HOME).await).await;
    assert!(!after.contains("Adgang låst"), "{after}");
}
