//! Replying (only where allowed), writing to an authority, drafts, and forwarding.

use axum::http::StatusCode;

use super::{body_text, location, TestMailbox};
use crate::cookies::SESSION_COOKIE;
use crate::paths::{folder_path, forward_path, letter_path, reply_path, send_draft_path, WRITE};
use crate::post::{Channel, StandardFolder};

const ALLOWS_REPLIES: &str = "Afgørelse om boligstøtte";
const NO_REPLIES: &str = "Din forskudsopgørelse for næste år er klar";

#[tokio::test]
async fn a_reply_where_the_sender_accepts_replies_lands_in_sendt() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, ALLOWS_REPLIES)
        .unwrap();
    assert!(letter.content.accepts_replies);

    let html = body_text(mailbox.get_as(&anna, &letter_path(&letter.id)).await).await;
    assert!(html.contains(&format!("href=\"{}\"", reply_path(&letter.id))));
    let form = mailbox.get_as(&anna, &reply_path(&letter.id)).await;
    assert_eq!(form.status(), StatusCode::OK);
    let html = body_text(form).await;
    assert!(
        html.contains("value=\"Sv: Afgørelse om boligstøtte\""),
        "{html}"
    );

    let sent = mailbox.standard_folder(&anna, StandardFolder::Sent);
    let response = mailbox
        .post_as(
            &anna,
            &reply_path(&letter.id),
            &[
                ("subject", "Sv: Afgørelse om boligstøtte"),
                ("body", "Tak.\r\n\r\nHvornår udbetales den?"),
                ("intent", "send"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), folder_path(&sent.id));
    let reply = mailbox
        .find_letter(&anna, StandardFolder::Sent, "Sv: Afgørelse om boligstøtte")
        .unwrap();
    assert_eq!(reply.content.body, "Tak.\n\nHvornår udbetales den?");
    assert_eq!(reply.content.sender, letter.content.sender);
    assert_eq!(reply.content.sent_to.as_deref(), Some("Udbetaling Danmark"));
    assert!(reply.read);
    let html = body_text(mailbox.get_as(&anna, &folder_path(&sent.id)).await).await;
    assert!(html.contains("<td>Udbetaling Danmark</td>"), "{html}");
}

#[tokio::test]
async fn a_reply_where_the_sender_refuses_replies_is_explained_and_refused() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, NO_REPLIES)
        .unwrap();
    assert!(!letter.content.accepts_replies);

    let html = body_text(mailbox.get_as(&anna, &letter_path(&letter.id)).await).await;
    assert!(!html.contains(&reply_path(&letter.id)), "no reply link");
    let page = mailbox.get_as(&anna, &reply_path(&letter.id)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = body_text(page).await;
    assert!(
        html.contains("Afsenderen modtager ikke svar på dette brev"),
        "{html}"
    );
    assert!(!html.contains("name=\"body\""), "no form: {html}");

    let response = mailbox
        .post_as(
            &anna,
            &reply_path(&letter.id),
            &[("subject", "Sv"), ("body", "Hej")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(body_text(response)
        .await
        .contains("Skriv et nyt brev i stedet"));
    let sent = mailbox.standard_folder(&anna, StandardFolder::Sent);
    assert!(mailbox.letters_in(&anna, &sent).is_empty());
}

#[tokio::test]
async fn writing_to_an_authority_sends_to_sendt_or_saves_a_draft() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let form = body_text(mailbox.get_as(&anna, WRITE).await).await;
    assert!(form.contains("value=\"skattestyrelsen\""), "{form}");

    let sent = mailbox
        .post_as(
            &anna,
            WRITE,
            &[
                ("authority", "skattestyrelsen"),
                ("subject", "<b>Fradrag</b>"),
                ("body", "Jeg har et spørgsmål."),
                ("intent", "send"),
            ],
        )
        .await;
    let sendt = mailbox.standard_folder(&anna, StandardFolder::Sent);
    assert_eq!(location(&sent), folder_path(&sendt.id));
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Sent, "<b>Fradrag</b>")
        .unwrap();
    assert_eq!(letter.content.sent_to.as_deref(), Some("Skattestyrelsen"));
    let html = body_text(mailbox.get_as(&anna, &letter_path(&letter.id)).await).await;
    assert!(html.contains("&#60;b&#62;Fradrag&#60;/b&#62;"), "{html}");
    assert!(!html.contains("<b>Fradrag"), "{html}");

    let draft = mailbox
        .post_as(
            &anna,
            WRITE,
            &[
                ("authority", "kommune"),
                ("subject", "Pladsanvisning"),
                ("body", "Udkast"),
                ("intent", "draft"),
            ],
        )
        .await;
    let kladder = mailbox.standard_folder(&anna, StandardFolder::Drafts);
    assert_eq!(location(&draft), folder_path(&kladder.id));
    assert!(mailbox
        .find_letter(&anna, StandardFolder::Drafts, "Pladsanvisning")
        .is_some());
    assert!(mailbox
        .find_letter(&anna, StandardFolder::Sent, "Pladsanvisning")
        .is_none());

    // The draft's page offers to send it; sending moves it to Sendt. A sent letter is no draft.
    let saved = mailbox
        .find_letter(&anna, StandardFolder::Drafts, "Pladsanvisning")
        .unwrap();
    let html = body_text(mailbox.get_as(&anna, &letter_path(&saved.id)).await).await;
    assert!(html.contains(&send_draft_path(&saved.id)), "{html}");
    let response = mailbox
        .post_as(&anna, &send_draft_path(&saved.id), &[])
        .await;
    assert_eq!(location(&response), folder_path(&sendt.id));
    assert!(mailbox
        .find_letter(&anna, StandardFolder::Sent, "Pladsanvisning")
        .is_some());
    let again = mailbox
        .post_as(&anna, &send_draft_path(&saved.id), &[])
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn invalid_letters_are_refused_with_a_readable_message_and_nothing_is_stored() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let long_subject = "x".repeat(201);
    let long_body = "x".repeat(20_001);
    for (fields, message) in [
        (
            [("authority", "su"), ("subject", " "), ("body", "Tekst")],
            "Skriv et emne",
        ),
        (
            [
                ("authority", "su"),
                ("subject", &long_subject),
                ("body", "Tekst"),
            ],
            "højst 200 tegn",
        ),
        (
            [("authority", "su"), ("subject", "Emne"), ("body", "")],
            "Skriv en tekst til brevet",
        ),
        (
            [
                ("authority", "su"),
                ("subject", "Emne"),
                ("body", &long_body),
            ],
            "højst 20.000 tegn",
        ),
        (
            [("authority", "nsa"), ("subject", "Emne"), ("body", "Tekst")],
            "Vælg en myndighed fra listen",
        ),
    ] {
        let response = mailbox.post_as(&anna, WRITE, &fields).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{message}");
        let html = body_text(response).await;
        assert!(html.contains(message), "{message}: {html}");
    }
    let missing = mailbox.post_as(&anna, WRITE, &[("subject", "Emne")]).await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    for which in [StandardFolder::Sent, StandardFolder::Drafts] {
        let folder = mailbox.standard_folder(&anna, which);
        assert!(mailbox.letters_in(&anna, &folder).is_empty());
    }
}

#[tokio::test]
async fn forwarding_to_another_citizen_lands_in_their_inbox_and_my_sendt() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let bob = mailbox.citizen("bob", "Bob");
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, ALLOWS_REPLIES)
        .unwrap();
    let form = mailbox.get_as(&anna, &forward_path(&letter.id)).await;
    assert_eq!(form.status(), StatusCode::OK);

    let response = mailbox
        .post_as(
            &anna,
            &forward_path(&letter.id),
            &[("to", "sub:bob"), ("note", "Se venligst dette.")],
        )
        .await;
    let sendt = mailbox.standard_folder(&anna, StandardFolder::Sent);
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), folder_path(&sendt.id));

    let subject = "Vs: Afgørelse om boligstøtte";
    let copy = mailbox
        .find_letter(&anna, StandardFolder::Sent, subject)
        .unwrap();
    assert_eq!(
        copy.content.sent_to.as_deref(),
        Some("Digital Post: sub:bob")
    );
    let received = mailbox
        .find_letter(&bob, StandardFolder::Inbox, subject)
        .unwrap();
    assert!(!received.read);
    assert_eq!(received.content.forwarded_by.as_deref(), Some("Anna"));
    assert!(received.content.body.starts_with("Se venligst dette."));
    assert_eq!(received.content.attachments, letter.content.attachments);
    assert!(!received.content.accepts_replies);
    let html = body_text(mailbox.get_as(&bob, &letter_path(&received.id)).await).await;
    assert!(
        html.contains("Videresendt af: <strong>Anna</strong>"),
        "{html}"
    );
    // Anna's original stays where it was.
    assert!(mailbox
        .find_letter(&anna, StandardFolder::Inbox, ALLOWS_REPLIES)
        .is_some());
}

#[tokio::test]
async fn forwarding_to_an_email_address_goes_to_the_outbox_and_my_sendt() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, NO_REPLIES)
        .unwrap();
    let response = mailbox
        .post_as(
            &anna,
            &forward_path(&letter.id),
            &[("to", "revisor@example.test"), ("note", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let copy = mailbox
        .find_letter(
            &anna,
            StandardFolder::Sent,
            "Vs: Din forskudsopgørelse for næste år er klar",
        )
        .unwrap();
    assert_eq!(
        copy.content.sent_to.as_deref(),
        Some("e-mail: revisor@example.test")
    );
    let outbox = mailbox.app.store().outbox.latest(10).unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].channel, Channel::Email);
    assert_eq!(outbox[0].to, "revisor@example.test");
    assert!(outbox[0].text.contains("Forskudsopgørelse 2026.pdf"));

    let bad = mailbox
        .post_as(
            &anna,
            &forward_path(&letter.id),
            &[("to", "hvem som helst")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(bad).await.contains("Skriv et CPR-nummer"));
}

#[tokio::test]
async fn new_forms_refuse_a_missing_or_foreign_csrf_token() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let bob = mailbox.citizen("bob", "Bob");
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, ALLOWS_REPLIES)
        .unwrap();
    let cookies = [(SESSION_COOKIE, anna.session.as_str())];
    let fields = "subject=Emne&body=Tekst&authority=su&to=sub%3Abob";
    for path in [
        WRITE.to_owned(),
        reply_path(&letter.id),
        forward_path(&letter.id),
    ] {
        for form in [
            fields.to_owned(),
            format!("csrf_token={}&{fields}", bob.csrf),
        ] {
            let response = mailbox.post_form(&path, &cookies, &form).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path} {form}");
        }
    }
    let sendt = mailbox.standard_folder(&anna, StandardFolder::Sent);
    assert!(mailbox.letters_in(&anna, &sendt).is_empty());
    let bobs_inbox = mailbox.standard_folder(&bob, StandardFolder::Inbox);
    assert_eq!(mailbox.letters_in(&bob, &bobs_inbox).len(), 5);
    assert!(mailbox.app.store().outbox.latest(10).unwrap().is_empty());
}

/// CPR numbers whose first six digits are no date: day 32, month 13, all zeros.
const IMPOSSIBLE_CPRS: [&str; 4] = [
    "320190-1234",
    "011390-1234",
    "000000-0000",
    "cpr:3201901234",
];

#[tokio::test]
async fn forwarding_to_an_impossible_cpr_number_is_refused_and_delivers_nothing() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, ALLOWS_REPLIES)
        .unwrap();
    for to in IMPOSSIBLE_CPRS {
        let response = mailbox
            .post_as(&anna, &forward_path(&letter.id), &[("to", to)])
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{to}");
        let html = body_text(response).await;
        assert!(html.contains("Ugyldigt CPR-nummer"), "{to}: {html}");
        assert!(html.contains("fødselsdatoen"), "{to}: {html}");
        let digits: String = to.chars().filter(char::is_ascii_digit).collect();
        let owner = crate::post::Owner::PersonByCpr(digits);
        assert!(
            mailbox
                .app
                .store()
                .mailboxes
                .by_owner(&owner)
                .unwrap()
                .is_none(),
            "{to}: no mailbox made"
        );
    }
    assert!(mailbox.app.store().outbox.latest(10).unwrap().is_empty());
    let sendt = mailbox.standard_folder(&anna, StandardFolder::Sent);
    assert!(mailbox.letters_in(&anna, &sendt).is_empty());

    // A replacement number (day + 60) is a date, and failing modulus 11 is no reason to refuse.
    let response = mailbox
        .post_as(&anna, &forward_path(&letter.id), &[("to", "710190-1234")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(mailbox.app.store().outbox.latest(10).unwrap().len(), 2);
}

/// The one-time submission id in the form of the page `html`.
fn submission_of(html: &str) -> String {
    let marker = "name=\"submission\" value=\"";
    let start = html.find(marker).expect("a submission field in the form") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_same_form_sent_twice_sends_one_letter() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let bob = mailbox.citizen("bob", "Bob");
    let sendt = mailbox.standard_folder(&anna, StandardFolder::Sent);

    // A new letter, the form sent twice (a double click, a reload of the POST).
    let write_form = body_text(mailbox.get_as(&anna, WRITE).await).await;
    let submission = submission_of(&write_form);
    let fields = [
        ("authority", "su"),
        ("subject", "Spørgsmål om SU"),
        ("body", "Hej SU"),
        ("intent", "send"),
        ("submission", submission.as_str()),
    ];
    for _ in 0..2 {
        let response = mailbox.post_as(&anna, WRITE, &fields).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), folder_path(&sendt.id));
    }
    assert_eq!(mailbox.letters_in(&anna, &sendt).len(), 1);
    // A new form is a new letter.
    let again = submission_of(&body_text(mailbox.get_as(&anna, WRITE).await).await);
    assert_ne!(again, submission);

    // A reply, twice.
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, ALLOWS_REPLIES)
        .unwrap();
    let reply_form = body_text(mailbox.get_as(&anna, &reply_path(&letter.id)).await).await;
    let submission = submission_of(&reply_form);
    for _ in 0..2 {
        let response = mailbox
            .post_as(
                &anna,
                &reply_path(&letter.id),
                &[
                    ("subject", "Sv: Afgørelse om boligstøtte"),
                    ("body", "Tak."),
                    ("intent", "send"),
                    ("submission", submission.as_str()),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(mailbox.letters_in(&anna, &sendt).len(), 2);

    // A forward, twice: Bob gets it once, and one pair of notices goes out.
    let forward_form = body_text(mailbox.get_as(&anna, &forward_path(&letter.id)).await).await;
    let submission = submission_of(&forward_form);
    for _ in 0..2 {
        let response = mailbox
            .post_as(
                &anna,
                &forward_path(&letter.id),
                &[("to", "sub:bob"), ("submission", submission.as_str())],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(mailbox.letters_in(&anna, &sendt).len(), 3);
    let bobs_inbox = mailbox.standard_folder(&bob, StandardFolder::Inbox);
    let forwarded = mailbox
        .letters_in(&bob, &bobs_inbox)
        .into_iter()
        .filter(|letter| letter.content.forwarded_by.is_some())
        .count();
    assert_eq!(forwarded, 1);
    assert_eq!(mailbox.app.store().outbox.latest(10).unwrap().len(), 2);
}

#[tokio::test]
async fn a_refused_form_can_be_corrected_and_sent_with_the_same_submission() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let submission = submission_of(&body_text(mailbox.get_as(&anna, WRITE).await).await);
    let refused = mailbox
        .post_as(
            &anna,
            WRITE,
            &[
                ("authority", "su"),
                ("subject", " "),
                ("body", "Hej"),
                ("submission", submission.as_str()),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let sent = mailbox
        .post_as(
            &anna,
            WRITE,
            &[
                ("authority", "su"),
                ("subject", "Emne"),
                ("body", "Hej"),
                ("submission", submission.as_str()),
            ],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert!(mailbox
        .find_letter(&anna, StandardFolder::Sent, "Emne")
        .is_some());

    // A submission id that is no token is a bad form, and sends nothing.
    let bad = mailbox
        .post_as(
            &anna,
            WRITE,
            &[
                ("authority", "su"),
                ("subject", "Andet"),
                ("body", "Hej"),
                ("submission", "<script>"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(mailbox
        .find_letter(&anna, StandardFolder::Sent, "Andet")
        .is_none());
}
