//! Revoking access: a confirmation first, the revoked grant kept in a history, and the helper
//! landing in their own mailbox with a notice rather than on a refusal.

use axum::http::StatusCode;

use super::{body_text, location, Citizen, TestMailbox};
use crate::paths::{grant_revoke_path, letter_path, ACCESS, HOME};
use crate::post::StandardFolder;

const ANNA: &str = "7204901236";
const BO: &str = "9011752131";
const PASSWORD: &str = "sommer-2026";

async fn bo_helps_anna(mailbox: &TestMailbox) -> (Citizen, Citizen) {
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna Testesen");
    let bo = mailbox.citizen_with_cpr(BO, "Bo Prøvegaard");
    let granted = mailbox.grant(&anna, BO, "read", &[], PASSWORD).await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);
    let grant = mailbox.grant_to(&anna, BO);
    let opened = mailbox.open_grant(&bo, &grant.id, PASSWORD).await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    (anna, bo)
}

#[tokio::test]
async fn revoking_asks_first_and_keeps_the_grant_in_a_history() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, _bo) = bo_helps_anna(&mailbox).await;
    let grant = mailbox.grant_to(&anna, BO);
    let path = grant_revoke_path(&grant.id);

    // The access page links to a confirmation, named for the person.
    let page = body_text(mailbox.get_as(&anna, ACCESS).await).await;
    assert!(
        page.contains(&format!("<form method=\"get\" action=\"{path}\">")),
        "{page}"
    );
    assert!(
        page.contains("aria-label=\"Tilbagekald for Hjælper…\""),
        "{page}"
    );
    let confirm = mailbox.get_as(&anna, &path).await;
    assert_eq!(confirm.status(), StatusCode::OK);
    let html = body_text(confirm).await;
    assert!(html.contains("Tilbagekald adgangen for Hjælper?"), "{html}");
    assert!(
        html.contains(&format!("<form method=\"post\" action=\"{path}\">")),
        "{html}"
    );
    assert!(
        html.contains(&format!("href=\"{ACCESS}\"")),
        "a way back: {html}"
    );
    let english = body_text(mailbox.get_in_english(&anna, &path).await).await;
    assert!(
        english.contains("Revoke the access of Hjælper?"),
        "{english}"
    );
    // Asking changed nothing.
    assert!(mailbox.grant_to(&anna, BO).revoked_at.is_none());

    let revoked = mailbox.post_as(&anna, &path, &[]).await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&revoked), ACCESS);
    let page = body_text(mailbox.get_as(&anna, ACCESS).await).await;
    // Not among the access given, but in the history, with when it ended.
    let history = page
        .find("<h3 id=\"history\">")
        .map(|start| &page[start..])
        .expect("a history");
    assert!(history.contains("Hjælper"), "{history}");
    assert!(history.contains("14.11.2023 23:13"), "{history}");
    let given =
        &page[page.find("Givne adgange").unwrap()..page.find("<h3 id=\"history\">").unwrap()];
    assert!(!given.contains("Hjælper"), "{given}");
    assert!(!page.contains(&format!("action=\"{path}\"")), "{page}");
    // A revoked grant asks nothing more.
    assert_eq!(
        mailbox.get_as(&anna, &path).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn after_a_revoke_the_helpers_front_page_is_their_own_mailbox_with_a_notice() {
    let mailbox = TestMailbox::without_broker().await;
    let (anna, bo) = bo_helps_anna(&mailbox).await;
    let grant = mailbox.grant_to(&anna, BO);
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let letter = mailbox.letters_in(&anna, &inbox).remove(0);
    let revoked = mailbox
        .post_as(&anna, &grant_revoke_path(&grant.id), &[])
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);

    // Anything but the front page is still refused...
    let refused = mailbox
        .post_as(&bo, &format!("{}/delete", letter_path(&letter.id)), &[])
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // ...but the front page is Bo's own mailbox, saying why.
    let home = mailbox.get_as(&bo, HOME).await;
    assert_eq!(home.status(), StatusCode::OK);
    let html = body_text(home).await;
    assert!(html.contains("<strong>Bo Prøvegaard</strong>"), "{html}");
    assert!(html.contains("Du er nu i din egen postkasse"), "{html}");
    assert!(!html.contains("Anna Testesen"), "{html}");
    // From then on he works in his own mailbox: Anna's letter is not there.
    assert_eq!(
        mailbox.get_as(&bo, &letter_path(&letter.id)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(mailbox.letters_in(&anna, &inbox).len(), 5);
}
