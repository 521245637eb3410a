//! A person exempt from Digital Post sees, on every page of their mailbox, that they are
//! exempt, what that means (post from public authorities comes on paper) and that the mailbox
//! shows only what was sent anyway. Hugo, one of the broker's seeded people, is exempt in a
//! new database.

use axum::http::StatusCode;
use serde_json::json;

use super::{body_json, body_text, TestMailbox};
use crate::paths::{SIM_EXEMPTIONS, SIM_LETTERS, WRITE};

const ANNA: &str = "6101701234";
const BO: &str = "7101901234";
const HUGO: &str = "7008115013";
const DANISH: &str = "Du er fritaget for Digital Post: post fra offentlige myndigheder sendes på papir med almindelig post og kommer ikke hertil. Postkassen viser kun det, der alligevel er sendt hertil";

#[tokio::test]
async fn an_exempt_person_is_told_on_every_page_in_danish_and_english() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    let before = body_text(mailbox.get_as(&anna, "/").await).await;
    assert!(!before.contains("Fritaget for Digital Post"), "{before}");

    let response = mailbox
        .post_json(SIM_EXEMPTIONS, &json!({ "recipient": ANNA }))
        .await;
    assert!(response.status().is_success());
    for path in ["/", WRITE, "/folders", "/search?q=x"] {
        let html = body_text(mailbox.get_as(&anna, path).await).await;
        assert!(html.contains("Fritaget for Digital Post"), "{path}: {html}");
        assert!(html.contains(DANISH), "{path}: {html}");
    }
    let english = body_text(mailbox.get_in_english(&anna, "/").await).await;
    assert!(
        english.contains("You are exempt from Digital Post: post from public authorities is sent to you on paper, by ordinary mail, and does not arrive here. This mailbox shows only what was sent here anyway"),
        "{english}"
    );
    // What it says is so: a letter to her goes on paper.
    let letter = json!({"recipient": ANNA, "sender": "su", "subject": "Papir", "body": "x"});
    let delivered = mailbox.post_json(SIM_LETTERS, &letter).await;
    assert_eq!(delivered.status(), StatusCode::ACCEPTED);
    assert_eq!(body_json(delivered).await["delivered"], "paper");
}

#[tokio::test]
async fn hugo_is_exempt_in_a_new_database_and_a_helper_is_told_the_owner_is() {
    let mailbox = TestMailbox::without_broker().await;
    let hugo = mailbox.citizen_with_cpr(HUGO, "Hugo Ungersen");
    let html = body_text(mailbox.get_as(&hugo, "/").await).await;
    assert!(html.contains(DANISH), "{html}");
    let letter = json!({"recipient": HUGO, "sender": "su", "subject": "SU", "body": "x"});
    let delivered = mailbox.post_json(SIM_LETTERS, &letter).await;
    assert_eq!(body_json(delivered).await["delivered"], "paper");

    let bo = mailbox.citizen_with_cpr(BO, "Bo");
    let granted = mailbox
        .grant(&hugo, BO, "read", &[], "hjælper-kodeord")
        .await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);
    let grant = mailbox.grant_to(&hugo, BO);
    mailbox.open_grant(&bo, &grant.id, "hjælper-kodeord").await;
    let helper = body_text(mailbox.get_as(&bo, "/").await).await;
    assert!(
        helper.contains("Postkassens ejer er fritaget for Digital Post"),
        "{helper}"
    );
    // Bo's own mailbox is not exempt.
    mailbox.open_own(&bo).await;
    let own = body_text(mailbox.get_as(&bo, "/").await).await;
    assert!(!own.contains("Fritaget for Digital Post"), "{own}");
}
