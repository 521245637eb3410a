//! A one-time notice after each action, on the page the person lands on: kept with the
//! session (not in the URL), shown once, in the page's language, escaped.

use axum::http::StatusCode;

use super::{body_text, location, Citizen, TestMailbox};
use crate::paths::{folder_path, forward_path, letter_path, reply_path, ACCESS, FOLDERS, WRITE};
use crate::post::StandardFolder;

const ALLOWS_REPLIES: &str = "Afgørelse om boligstøtte";
const BO: &str = "7101901234";

/// `citizen` POSTs `fields` to `path`, expects a redirect, and returns the page it leads to.
async fn act(
    mailbox: &TestMailbox,
    citizen: &Citizen,
    path: &str,
    fields: &[(&str, &str)],
) -> (String, String) {
    let response = mailbox.post_as(citizen, path, fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
    let to = location(&response).to_owned();
    assert!(!to.contains('?'), "nothing in the URL: {to}");
    let page = body_text(mailbox.get_as(citizen, &to).await).await;
    (to, page)
}

/// The notice on `html`, if any.
fn notice_of(html: &str) -> Option<&str> {
    let start = html.find("<p class=\"notice\" role=\"status\">")? + 32;
    Some(&html[start..start + html[start..].find("</p>")?])
}

#[tokio::test]
async fn each_action_leaves_a_notice_on_the_next_page_only() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen_with_cpr("6101701234", "Anna");
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, ALLOWS_REPLIES)
        .unwrap();

    let (to, page) = act(
        &mailbox,
        &anna,
        WRITE,
        &[
            ("authority", "su"),
            ("subject", "Spørgsmål"),
            ("body", "Hej"),
            ("intent", "send"),
        ],
    )
    .await;
    assert_eq!(notice_of(&page), Some("Brevet er sendt."), "{page}");
    // Shown once: the same page again has none.
    let again = body_text(mailbox.get_as(&anna, &to).await).await;
    assert_eq!(notice_of(&again), None, "{again}");

    let (_, page) = act(
        &mailbox,
        &anna,
        WRITE,
        &[
            ("authority", "su"),
            ("subject", "Udkast"),
            ("body", "Hej"),
            ("intent", "draft"),
        ],
    )
    .await;
    assert_eq!(notice_of(&page), Some("Brevet er gemt i Kladder."));
    let (_, page) = act(
        &mailbox,
        &anna,
        &reply_path(&letter.id),
        &[("subject", "Sv"), ("body", "Tak"), ("intent", "send")],
    )
    .await;
    assert_eq!(notice_of(&page), Some("Dit svar er sendt."));
    let (_, page) = act(
        &mailbox,
        &anna,
        &forward_path(&letter.id),
        &[("to", "sub:bob")],
    )
    .await;
    assert_eq!(notice_of(&page), Some("Brevet er videresendt."));

    let (_, page) = act(&mailbox, &anna, FOLDERS, &[("name", "<b>Bolig</b>")]).await;
    assert_eq!(
        notice_of(&page),
        Some("Mappen «&#60;b&#62;Bolig&#60;/b&#62;» er oprettet."),
        "escaped: {page}"
    );
    let bolig = mailbox
        .folders(&anna)
        .into_iter()
        .find(|folder| folder.is_own())
        .unwrap();
    let (_, page) = act(
        &mailbox,
        &anna,
        &format!("{}/move", letter_path(&letter.id)),
        &[("folder_id", bolig.id.as_str())],
    )
    .await;
    assert_eq!(
        notice_of(&page),
        Some("Brevet er flyttet til &#60;b&#62;Bolig&#60;/b&#62;.")
    );
    let (_, page) = act(
        &mailbox,
        &anna,
        &format!("{}/delete", letter_path(&letter.id)),
        &[],
    )
    .await;
    assert_eq!(notice_of(&page), Some("Brevet er flyttet til Slettet."));
    let (_, page) = act(
        &mailbox,
        &anna,
        &format!("{}/rename", folder_path(&bolig.id)),
        &[("name", "Hus")],
    )
    .await;
    assert_eq!(notice_of(&page), Some("Mappen hedder nu «Hus»."));
    let (_, page) = act(
        &mailbox,
        &anna,
        &format!("{}/delete", folder_path(&bolig.id)),
        &[],
    )
    .await;
    assert_eq!(notice_of(&page), Some("Mappen «Hus» er slettet."));

    let response = mailbox.grant(&anna, BO, "read", &[], "hemmelig-kode").await;
    assert_eq!(location(&response), ACCESS);
    let page = body_text(mailbox.get_as(&anna, ACCESS).await).await;
    assert_eq!(
        notice_of(&page),
        Some("Hjælper har fået adgang. Giv personen adgangskoden uden for systemet.")
    );
}

#[tokio::test]
async fn a_notice_is_in_the_language_of_the_page_it_shows_on() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let response = mailbox
        .post_as(
            &anna,
            WRITE,
            &[
                ("authority", "su"),
                ("subject", "Emne"),
                ("body", "Hej"),
                ("intent", "send"),
            ],
        )
        .await;
    let page = body_text(mailbox.get_in_english(&anna, location(&response)).await).await;
    assert_eq!(notice_of(&page), Some("The letter was sent."), "{page}");
    // A refused action leaves no notice.
    let refused = mailbox
        .post_as(&anna, FOLDERS, &[("name", "Indbakke")])
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let page = body_text(mailbox.get_as(&anna, FOLDERS).await).await;
    assert_eq!(notice_of(&page), None, "{page}");
}
