//! Switching mailboxes: the login's CPR number and business identity (from the broker's
//! claims), the mailbox list, associations, and what may not be opened.

use axum::http::StatusCode;

use super::{body_text, cookie_value, location, FakeBroker, TestMailbox};
use crate::cookies::SESSION_COOKIE;
use crate::paths::{HOME, MAILBOXES, MAILBOXES_SWITCH, SIM_LETTERS};

const IDA: &str = "6210883124";
const ANNA: &str = "7204901236";
const BO: &str = "9011752131";

/// Logs in through the fake broker and returns the session cookie.
async fn log_in(mailbox: &TestMailbox, broker: &FakeBroker) -> String {
    let callback = mailbox.log_in_through(broker).await;
    assert_eq!(
        callback.status(),
        StatusCode::SEE_OTHER,
        "{}",
        body_text(callback).await
    );
    cookie_value(&callback, SESSION_COOKIE).unwrap()
}

fn as_business(broker: &FakeBroker) {
    broker.behave(|b| {
        b.userinfo_name = Some("Ida Ansat".to_owned());
        b.userinfo_cpr = Some(IDA.to_owned());
        b.userinfo_business = Some(("12345674".to_owned(), "Simulatorfirmaet ApS".to_owned()));
        b.idp = Some("mitid_erhverv".to_owned());
    });
}

#[tokio::test]
async fn a_business_login_opens_the_business_mailbox_and_lists_the_own_one_too() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    as_business(&broker);
    let session = log_in(&mailbox, &broker).await;
    let cookies = [(SESSION_COOKIE, session.as_str())];

    let home = body_text(mailbox.get(HOME, &cookies).await).await;
    assert!(
        home.contains("Postkasse: <strong>Simulatorfirmaet ApS</strong> (virksomhed)"),
        "{home}"
    );
    assert!(home.contains("<code>cvr:12345674</code>"), "{home}");
    assert!(
        home.contains("Påmindelse: momsangivelse"),
        "business post: {home}"
    );
    assert!(
        !home.contains("href=\"/access\""),
        "no grants of a business mailbox"
    );

    let list = body_text(mailbox.get(MAILBOXES, &cookies).await).await;
    assert!(list.contains("value=\"own\""), "{list}");
    assert!(list.contains("Ida Ansat"), "{list}");
    assert!(
        list.contains("Simulatorfirmaet ApS (CVR 12345674)"),
        "{list}"
    );
    assert!(
        !list.contains("value=\"business\""),
        "the open one has no button"
    );

    let csrf = list
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let form = super::fake_broker::form_encode(&[("csrf_token", &csrf), ("to", "own")]);
    let switched = mailbox.post_form(MAILBOXES_SWITCH, &cookies, &form).await;
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&switched), HOME);
    let home = body_text(mailbox.get(HOME, &cookies).await).await;
    assert!(home.contains(&format!("<code>cpr:{IDA}</code>")), "{home}");
    assert!(
        home.contains("Din forskudsopgørelse"),
        "personal post: {home}"
    );
    let list = body_text(mailbox.get(MAILBOXES, &cookies).await).await;
    assert!(list.contains("value=\"business\""), "{list}");
}

#[tokio::test]
async fn business_claims_without_a_business_login_open_no_business_mailbox() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    as_business(&broker);
    broker.behave(|b| b.idp = Some("mitid".to_owned()));
    let session = log_in(&mailbox, &broker).await;
    let cookies = [(SESSION_COOKIE, session.as_str())];
    let home = body_text(mailbox.get(HOME, &cookies).await).await;
    assert!(home.contains(&format!("<code>cpr:{IDA}</code>")), "{home}");
    let list = body_text(mailbox.get(MAILBOXES, &cookies).await).await;
    assert!(!list.contains("12345674"), "{list}");
    let csrf = list
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let form = super::fake_broker::form_encode(&[("csrf_token", &csrf), ("to", "business")]);
    let refused = mailbox.post_form(MAILBOXES_SWITCH, &cookies, &form).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_cpr_claim_from_userinfo_keys_the_mailbox_so_post_to_the_cpr_arrives() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    broker.behave(|b| b.userinfo_cpr = Some(ANNA.to_owned()));
    let session = log_in(&mailbox, &broker).await;
    let delivered = mailbox
        .post_json(
            SIM_LETTERS,
            &serde_json::json!({
                "recipient": ANNA,
                "sender": "kommune",
                "subject": "Til din CPR",
                "body": "Hej",
                "accepts_replies": false,
            }),
        )
        .await;
    assert_eq!(delivered.status(), StatusCode::CREATED);
    let home = body_text(mailbox.get(HOME, &[(SESSION_COOKIE, &session)]).await).await;
    assert!(home.contains("Til din CPR"), "{home}");
    assert!(home.contains(&format!("<code>cpr:{ANNA}</code>")), "{home}");
}

#[tokio::test]
async fn a_malformed_cpr_claim_is_ignored_and_the_mailbox_is_keyed_by_sub() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    broker.behave(|b| b.userinfo_cpr = Some("12-34".to_owned()));
    let session = log_in(&mailbox, &broker).await;
    let home = body_text(mailbox.get(HOME, &[(SESSION_COOKIE, &session)]).await).await;
    assert!(home.contains("<code>sub:fake-subject-1</code>"), "{home}");
}

#[tokio::test]
async fn a_failed_userinfo_request_fails_the_login() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    broker.behave(|b| b.userinfo_fails = true);
    let callback = mailbox.log_in_through(&broker).await;
    assert_eq!(callback.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(cookie_value(&callback, SESSION_COOKIE), None);
}

#[tokio::test]
async fn a_member_opens_the_association_mailbox_and_nobody_else_does() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna Testesen");
    let bo = mailbox.citizen_with_cpr(BO, "Bo Prøvegaard");

    let list = body_text(mailbox.get_as(&anna, MAILBOXES).await).await;
    assert!(list.contains("Grundejerforeningen Solsikken"), "{list}");
    assert!(list.contains("value=\"association:31415926\""), "{list}");
    let switched = mailbox
        .post_as(&anna, MAILBOXES_SWITCH, &[("to", "association:31415926")])
        .await;
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    let home = body_text(mailbox.get_as(&anna, HOME).await).await;
    assert!(
        home.contains("Postkasse: <strong>Grundejerforeningen Solsikken</strong> (forening)"),
        "{home}"
    );
    assert!(home.contains("<code>association:31415926</code>"), "{home}");
    assert!(
        home.contains("Tilskud til foreningens aktiviteter"),
        "{home}"
    );

    // Bo is a member of another association, not this one.
    let list = body_text(mailbox.get_as(&bo, MAILBOXES).await).await;
    assert!(
        list.contains("Roklubben Bølgen") && !list.contains("Solsikken"),
        "{list}"
    );
    for to in [
        "association:31415926",
        "association:",
        "grant:0000",
        "nonsense",
    ] {
        let refused = mailbox.post_as(&bo, MAILBOXES_SWITCH, &[("to", to)]).await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{to}");
    }
    let home = body_text(mailbox.get_as(&bo, HOME).await).await;
    assert!(
        home.contains(&format!("<code>cpr:{BO}</code>")),
        "still his own: {home}"
    );
}

#[tokio::test]
async fn a_login_without_cpr_has_only_its_own_mailbox() {
    let mailbox = TestMailbox::without_broker().await;
    let frank = mailbox.citizen("frank", "Frank Fremmed");
    let list = body_text(mailbox.get_as(&frank, MAILBOXES).await).await;
    assert_eq!(
        list.matches("name=\"to\"").count(),
        0,
        "nothing to switch to: {list}"
    );
    assert!(list.contains("Frank Fremmed"), "{list}");
    assert!(list.contains("Dit login har intet CPR-nummer"), "{list}");
}
