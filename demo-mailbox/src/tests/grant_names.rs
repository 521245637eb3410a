//! The name of a person given access: the broker's for that CPR number, where the broker's
//! control API knows it (the typed name is then not used), else the typed one, shown as not
//! checked.

use std::sync::Arc;

use axum::http::StatusCode;

use super::{body_text, location, start_time, TestMailbox};
use crate::clock::ManualClock;
use crate::paths::ACCESS;
use crate::tests::FakeBroker;

const ANNA: &str = "6101701234";
/// Bo Prøvegaard, whom the fake broker knows.
const BO: &str = "9011752131";
/// Nobody the broker knows.
const CARL: &str = "6302014157";
const PASSWORD: &str = "hjælper-kodeord";
const UNCHECKED: &str = "(navnet er ikke kontrolleret)";

/// `owner` gives `cpr` read access to all folders, typing `name`.
async fn grant_named(
    mailbox: &TestMailbox,
    owner: &super::Citizen,
    cpr: &str,
    name: &str,
) -> axum::http::Response<axum::body::Body> {
    mailbox
        .post_as(
            owner,
            ACCESS,
            &[
                ("name", name),
                ("cpr", cpr),
                ("permission", "read"),
                ("all_folders", "on"),
                ("password", PASSWORD),
            ],
        )
        .await
}

#[tokio::test]
async fn a_cpr_number_the_broker_knows_gets_the_brokers_name_not_the_typed_one() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    let form = body_text(mailbox.get_as(&anna, ACCESS).await).await;
    assert!(
        form.contains("kender login-tjenesten CPR-nummeret, vises navnet derfra"),
        "{form}"
    );

    let response = grant_named(&mailbox, &anna, "901175-2131", "Min nabo").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), ACCESS);
    let grant = mailbox.grant_to(&anna, BO);
    assert_eq!(grant.grantee_name, "Bo Prøvegaard");
    assert!(grant.name_checked);
    let page = body_text(mailbox.get_as(&anna, ACCESS).await).await;
    assert!(page.contains("Bo Prøvegaard har fået adgang"), "{page}");
    assert!(!page.contains("Min nabo"), "{page}");
    assert!(!page.contains(UNCHECKED), "{page}");
    // No token is set, so none is sent.
    assert_eq!(broker.identity_requests(), [None]);
}

#[tokio::test]
async fn a_cpr_number_the_broker_does_not_know_keeps_the_typed_name_marked_unchecked() {
    let (mailbox, _broker) = TestMailbox::with_fake_broker().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    // Without a name there is nothing to show: refused at the name, the rest kept.
    let refused = grant_named(&mailbox, &anna, CARL, " ").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let page = body_text(refused).await;
    assert!(page.contains("Navnet mangler"), "{page}");
    assert!(page.contains("value=\"6302014157\""), "{page}");

    let response = grant_named(&mailbox, &anna, CARL, "Carl fra nr. 7").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let grant = mailbox.grant_to(&anna, CARL);
    assert_eq!(grant.grantee_name, "Carl fra nr. 7");
    assert!(!grant.name_checked);
    let page = body_text(mailbox.get_as(&anna, ACCESS).await).await;
    assert!(
        page.contains(&format!(
            "Carl fra nr. 7 <span class=\"muted\">{UNCHECKED}</span>"
        )),
        "{page}"
    );
    let english = body_text(mailbox.get_in_english(&anna, ACCESS).await).await;
    assert!(english.contains("(name not checked)"), "{english}");
}

#[tokio::test]
async fn a_known_person_may_be_given_access_without_typing_a_name() {
    let (mailbox, _broker) = TestMailbox::with_fake_broker().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    let response = grant_named(&mailbox, &anna, BO, "").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(mailbox.grant_to(&anna, BO).grantee_name, "Bo Prøvegaard");
}

#[tokio::test]
async fn a_locked_broker_is_asked_with_the_control_token_and_a_refusal_leaves_the_name_unchecked() {
    let clock = Arc::new(ManualClock::new(start_time()));
    let broker = FakeBroker::start(clock.clone()).await;
    broker.behave(|behaviour| behaviour.control_token = Some("broker-token-0123456789".to_owned()));
    let mailbox = TestMailbox::with_config(broker.issuer_url(), clock.clone(), |config| {
        config.broker_control_token = Some("broker-token-0123456789".to_owned());
    });
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    let response = grant_named(&mailbox, &anna, BO, "Bo").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(mailbox.grant_to(&anna, BO).grantee_name, "Bo Prøvegaard");
    assert_eq!(
        broker.identity_requests(),
        [Some("Bearer broker-token-0123456789".to_owned())]
    );

    // A mailbox with the wrong token is refused: the typed name, unchecked.
    let wrong = TestMailbox::with_config(broker.issuer_url(), clock, |config| {
        config.control_token = Some("the-mailbox-own-token-42".to_owned());
    });
    let anna = wrong.citizen_with_cpr(ANNA, "Anna");
    let response = grant_named(&wrong, &anna, BO, "Bo").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let grant = wrong.grant_to(&anna, BO);
    assert_eq!(
        (grant.grantee_name.as_str(), grant.name_checked),
        ("Bo", false)
    );
    assert_eq!(
        broker
            .identity_requests()
            .last()
            .cloned()
            .flatten()
            .as_deref(),
        Some("Bearer the-mailbox-own-token-42")
    );
}

#[tokio::test]
async fn without_a_broker_the_grant_is_given_with_the_typed_name() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    let response = grant_named(&mailbox, &anna, BO, "Bo").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let grant = mailbox.grant_to(&anna, BO);
    assert_eq!(
        (grant.grantee_name.as_str(), grant.name_checked),
        ("Bo", false)
    );
}

#[tokio::test]
async fn a_helper_cannot_make_the_mailbox_ask_the_broker() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    let carl = mailbox.citizen_with_cpr(CARL, "Carl");
    grant_named(&mailbox, &anna, CARL, "Carl").await;
    let grant = mailbox.grant_to(&anna, CARL);
    mailbox.open_grant(&carl, &grant.id, PASSWORD).await;
    let before = broker.identity_requests().len();
    let refused = grant_named(&mailbox, &carl, BO, "Bo").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(broker.identity_requests().len(), before);
}
