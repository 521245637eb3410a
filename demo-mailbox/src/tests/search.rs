//! Searching the post (sender, subject, text; any case, Danish letters too), sorting and
//! paging: on the folder pages and the search page, links keeping what was asked.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use super::{body_text, start_time, Citizen, TestMailbox};
use crate::clock::ManualClock;
use crate::paths::{folder_path, letter_path, SEARCH, SIM_LETTERS};
use crate::post::StandardFolder;

const ANNA: &str = "6101701234";
const BO: &str = "7101901234";

/// A mailbox whose sessions outlast the deliveries below (each a second after the last).
async fn test_mailbox() -> TestMailbox {
    let issuer = TestMailbox::without_broker()
        .await
        .app
        .config()
        .issuer
        .clone();
    let clock = Arc::new(ManualClock::new(start_time()));
    TestMailbox::with_config(issuer, clock, |config| {
        config.session_idle_secs = 3_600;
        config.session_max_secs = 7_200;
    })
}

/// Delivers a letter from `sender` to Anna, one second after the last.
async fn deliver(mailbox: &TestMailbox, sender: &str, subject: &str, body: &str) {
    mailbox.clock.advance(Duration::from_secs(1));
    let response = mailbox
        .post_json(
            SIM_LETTERS,
            &json!({"recipient": ANNA, "sender": sender, "subject": subject, "body": body}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

/// The subjects of the letters listed on `html`, in order.
fn listed(html: &str) -> Vec<String> {
    html.split("<tr class=\"")
        .skip(1)
        .filter_map(|row| {
            let start = row.find("<a href=\"/letters/")?;
            let text = &row[start..];
            let text = &text[text.find('>')? + 1..];
            Some(text[..text.find("</a>")?].to_owned())
        })
        .collect()
}

async fn search(mailbox: &TestMailbox, citizen: &Citizen, query: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let response = mailbox
        .get_as(citizen, &format!("{SEARCH}?q={encoded}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    body_text(response).await
}

#[tokio::test]
async fn search_finds_sender_subject_and_text_in_any_case_danish_letters_too() {
    let mailbox = test_mailbox().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    deliver(&mailbox, "su", "ÆNDRING AF DIN SU", "Ny beregning.").await;
    deliver(
        &mailbox,
        "hospital",
        "Svar på prøver",
        "Dine BLODPRØVER er fine.",
    )
    .await;
    deliver(&mailbox, "politiet", "Hittegods", "Vi har fundet en nøgle.").await;

    // The folder pages carry the search field.
    let inbox = body_text(mailbox.get_as(&anna, "/").await).await;
    assert!(inbox.contains("action=\"/search\""), "{inbox}");
    assert!(inbox.contains("name=\"q\""), "{inbox}");

    assert_eq!(
        listed(&search(&mailbox, &anna, "ændring").await),
        ["ÆNDRING AF DIN SU"]
    );
    assert_eq!(
        listed(&search(&mailbox, &anna, "blodprøver").await),
        ["Svar på prøver"]
    );
    assert_eq!(
        listed(&search(&mailbox, &anna, "NØGLE").await),
        ["Hittegods"]
    );
    // The sender: Politiet wrote "Hittegods" and the seeded "Dit pas er klar til afhentning".
    let by_sender = listed(&search(&mailbox, &anna, "politiet").await);
    assert!(by_sender.contains(&"Hittegods".to_owned()), "{by_sender:?}");
    assert!(
        !by_sender.contains(&"Svar på prøver".to_owned()),
        "{by_sender:?}"
    );
    let nothing = search(&mailbox, &anna, "zebra").await;
    assert!(listed(&nothing).is_empty());
    assert!(
        nothing.contains("Ingen breve passer til »zebra«"),
        "{nothing}"
    );
    // In English too.
    let english = body_text(mailbox.get_in_english(&anna, "/search?q=zebra").await).await;
    assert!(english.contains("No letters match “zebra”"), "{english}");
}

#[tokio::test]
async fn a_query_is_text_never_a_pattern_or_markup() {
    let mailbox = test_mailbox().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    deliver(&mailbox, "su", "Rabat 100% sikker", "a_b").await;
    deliver(&mailbox, "su", "Rabat 1000 kr", "ab").await;

    assert_eq!(
        listed(&search(&mailbox, &anna, "100%").await),
        ["Rabat 100% sikker"]
    );
    assert_eq!(
        listed(&search(&mailbox, &anna, "a_b").await),
        ["Rabat 100% sikker"]
    );
    assert!(listed(&search(&mailbox, &anna, "%").await).len() == 1);
    assert!(listed(&search(&mailbox, &anna, "' OR 1=1 --").await).is_empty());
    let html = search(&mailbox, &anna, "<script>\"x").await;
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&#60;script&#62;"), "{html}");
}

#[tokio::test]
async fn slettet_is_searched_only_when_asked_and_results_link_their_folder() {
    let mailbox = test_mailbox().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    deliver(&mailbox, "kommune", "Affald i haven", "Om haveaffald.").await;
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, "Affald i haven")
        .unwrap();
    let bin = mailbox.standard_folder(&anna, StandardFolder::Deleted);
    let deleted = mailbox
        .post_as(&anna, &format!("{}/delete", letter_path(&letter.id)), &[])
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);

    assert!(listed(&search(&mailbox, &anna, "haveaffald").await).is_empty());
    let html = body_text(
        mailbox
            .get_as(&anna, &format!("{SEARCH}?q=haveaffald&deleted=on"))
            .await,
    )
    .await;
    assert_eq!(listed(&html), ["Affald i haven"]);
    assert!(
        html.contains(&format!("<a href=\"{}\">Slettet</a>", folder_path(&bin.id))),
        "{html}"
    );
    assert!(
        html.contains("name=\"deleted\" value=\"on\" checked"),
        "{html}"
    );
}

#[tokio::test]
async fn sixty_five_letters_are_paged_twenty_at_a_time_and_links_keep_query_and_sort() {
    let mailbox = test_mailbox().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let seeded = mailbox.letters_in(&anna, &inbox).len();
    for n in 1..=65 {
        deliver(
            &mailbox,
            "skattestyrelsen",
            &format!("Rykker {n:02}"),
            "Betal.",
        )
        .await;
    }
    let total = 65 + seeded;

    // The folder: newest first, 20 a page.
    let first = body_text(mailbox.get_as(&anna, &folder_path(&inbox.id)).await).await;
    let rows = listed(&first);
    assert_eq!(rows.len(), 20, "{rows:?}");
    assert_eq!(rows[0], "Rykker 65");
    assert!(
        first.contains(&format!("Side 1 af 4 ({total} breve)")),
        "{first}"
    );
    let next = format!("href=\"{}?page=2\"", folder_path(&inbox.id));
    assert!(first.contains(&next), "{first}");
    let last = body_text(
        mailbox
            .get_as(&anna, &format!("{}?page=4", folder_path(&inbox.id)))
            .await,
    )
    .await;
    assert_eq!(listed(&last).len(), total - 60);
    // Past the last page: the last page. The front page pages the inbox too.
    let past = body_text(
        mailbox
            .get_as(&anna, &format!("{}?page=99", folder_path(&inbox.id)))
            .await,
    )
    .await;
    assert_eq!(listed(&past), listed(&last));
    assert_eq!(
        listed(&body_text(mailbox.get_as(&anna, "/?page=2").await).await)[0],
        "Rykker 45"
    );

    // Oldest first: the seeded letters, then Rykker 01...; the next page keeps the sort.
    let oldest = body_text(
        mailbox
            .get_as(&anna, &format!("{}?sort=oldest", folder_path(&inbox.id)))
            .await,
    )
    .await;
    assert_eq!(listed(&oldest)[seeded], "Rykker 01");
    assert!(
        oldest.contains(&format!(
            "href=\"{}?sort=oldest&#38;page=2\"",
            folder_path(&inbox.id)
        )),
        "{oldest}"
    );

    // A search's pages keep its query and sort.
    let found = body_text(
        mailbox
            .get_as(&anna, &format!("{SEARCH}?q=rykker&sort=oldest"))
            .await,
    )
    .await;
    assert_eq!(listed(&found).len(), 20);
    assert_eq!(listed(&found)[0], "Rykker 01");
    assert!(found.contains("65 breve passer til »rykker«"), "{found}");
    assert!(
        found.contains("href=\"/search?q=rykker&#38;sort=oldest&#38;page=2\""),
        "{found}"
    );
    let page_four = body_text(
        mailbox
            .get_as(&anna, "/search?q=rykker&sort=oldest&page=4")
            .await,
    )
    .await;
    assert_eq!(
        listed(&page_four),
        [
            "Rykker 61",
            "Rykker 62",
            "Rykker 63",
            "Rykker 64",
            "Rykker 65"
        ]
    );
}

#[tokio::test]
async fn sorting_by_sender_orders_by_name_then_newest() {
    let mailbox = test_mailbox().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    deliver(&mailbox, "su", "Sagnr 1", "-").await;
    deliver(&mailbox, "politiet", "Sagnr 2", "-").await;
    deliver(&mailbox, "su", "Sagnr 3", "-").await;
    let html = body_text(
        mailbox
            .get_as(&anna, &format!("{SEARCH}?q=sagnr&sort=sender"))
            .await,
    )
    .await;
    // Politiet before the SU agency's (Uddannelses- og Forskningsstyrelsen) letters, the newer first.
    assert_eq!(listed(&html), ["Sagnr 2", "Sagnr 3", "Sagnr 1"]);
    assert!(
        html.contains("<strong aria-current=\"true\">Afsender (A–Å)</strong>"),
        "{html}"
    );
}

#[tokio::test]
async fn a_helper_finds_only_what_the_grant_shows() {
    let mailbox = test_mailbox().await;
    let anna = mailbox.citizen_with_cpr(ANNA, "Anna");
    let bo = mailbox.citizen_with_cpr(BO, "Bo");
    deliver(&mailbox, "domstolene", "Hemmelig sag", "xfortrolig").await;
    deliver(&mailbox, "kommune", "Åben sag", "xfortrolig").await;
    mailbox
        .post_as(&anna, "/folders", &[("name", "Privat")])
        .await;
    let private = mailbox
        .folders(&anna)
        .into_iter()
        .find(|folder| folder.display_name() == "Privat")
        .unwrap();
    let secret = mailbox
        .find_letter(&anna, StandardFolder::Inbox, "Hemmelig sag")
        .unwrap();
    assert!(mailbox
        .app
        .store()
        .letters
        .move_to(&anna.mailbox, &secret.id, &private.id)
        .unwrap());
    let inbox = mailbox.standard_folder(&anna, StandardFolder::Inbox);
    let granted = mailbox
        .grant(&anna, BO, "read", &[&inbox.id], "hjælper-kodeord")
        .await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);
    let grant = mailbox.grant_to(&anna, BO);
    let opened = mailbox.open_grant(&bo, &grant.id, "hjælper-kodeord").await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);

    assert_eq!(
        listed(&search(&mailbox, &anna, "xfortrolig").await).len(),
        2
    );
    assert_eq!(
        listed(&search(&mailbox, &bo, "xfortrolig").await),
        ["Åben sag"]
    );
    // Anonymous: to the login, and back to the search afterwards.
    let anonymous = mailbox.get("/search?q=x", &[]).await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
}
