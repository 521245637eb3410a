//! The demo mailbox's access for others and mailbox switching, with both people logging in
//! through the real broker: the CPR numbers come from the broker's `dk.cpr` claim (scope
//! `ssn`), which is what grants and memberships are keyed on.

use crate::mailbox::start_mailbox;
use crate::support::*;
use broker::host::TestHost;
use reqwest::StatusCode;
use serde_json::json;
use url::Url;

/// Follows redirects by hand until a page; returns it.
async fn follow(browser: &reqwest::Client, start: &str) -> reqwest::Response {
    let mut url = start.to_string();
    for _ in 0..8 {
        let response = browser.get(&url).send().await.unwrap();
        if !response.status().is_redirection() {
            return response;
        }
        let location = response.headers()["location"].to_str().unwrap();
        url = Url::parse(&url)
            .unwrap()
            .join(location)
            .unwrap()
            .to_string();
    }
    panic!("too many redirects from {start}");
}

async fn page(browser: &reqwest::Client, url: &str) -> String {
    let response = browser.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "GET {url}");
    response.text().await.unwrap()
}

#[tokio::test]
async fn mailbox_access_granted_used_logged_and_revoked_through_the_broker() {
    let host = TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    let mailbox = start_mailbox(&host).await;
    let url = |path: &str| format!("{}{path}", mailbox.base);

    // Anna (the auto-approve default) logs in: her mailbox is keyed on her CPR number.
    let anna = http_client();
    let home = follow(&anna, &url("/login")).await.text().await.unwrap();
    assert!(home.contains("Logget ind som Anna Testesen"), "{home}");
    assert!(home.contains("<code>cpr:7204901236</code>"), "{home}");
    let anna_csrf = between(&home, "name=\"csrf_token\" value=\"", "\"").to_string();
    let list = page(&anna, &url("/mailboxes")).await;
    assert!(list.contains("Grundejerforeningen Solsikken"), "{list}");

    let granted = anna
        .post(url("/access"))
        .form(&[
            ("csrf_token", anna_csrf.as_str()),
            ("name", "Bo"),
            ("cpr", "901175-2131"),
            ("permission", "read"),
            ("all_folders", "on"),
            ("password", "udleveret-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);

    // Bo logs in with his own MitID and opens Anna's mailbox with the password.
    host.control()
        .post(
            "/decisions",
            &json!({"outcome": "approve", "user_id": "bo"}),
        )
        .await
        .unwrap();
    let bo = http_client();
    let home = follow(&bo, &url("/login")).await.text().await.unwrap();
    assert!(home.contains("Logget ind som Bo Prøvegaard"), "{home}");
    let bo_csrf = between(&home, "name=\"csrf_token\" value=\"", "\"").to_string();
    let list = page(&bo, &url("/mailboxes")).await;
    let to = format!("grant:{}", between(&list, "value=\"grant:", "\""));
    let wrong = bo
        .post(url("/mailboxes/switch"))
        .form(&[
            ("csrf_token", bo_csrf.as_str()),
            ("to", &to),
            ("password", "gæt"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert!(wrong.text().await.unwrap().contains("4 forsøg tilbage"));
    let opened = bo
        .post(url("/mailboxes/switch"))
        .form(&[
            ("csrf_token", bo_csrf.as_str()),
            ("to", &to),
            ("password", "udleveret-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let annas = page(&bo, &url("/")).await;
    assert!(
        annas.contains("Postkasse: <strong>Anna Testesen</strong> (læseadgang)"),
        "{annas}"
    );
    let letter = format!("/letters/{}", between(&annas, "href=\"/letters/", "\""));
    page(&bo, &url(&letter)).await;

    // In English, Anna sees what Bo did.
    let english = anna
        .get(url("/language/en"))
        .header("referer", url("/activity"))
        .send()
        .await
        .unwrap();
    assert_eq!(english.status(), StatusCode::SEE_OTHER);
    assert_eq!(english.headers()["location"], "/activity");
    let log = page(&anna, &url("/activity")).await;
    assert!(log.contains("<html lang=\"en\">"), "{log}");
    assert!(log.contains("Bo Prøvegaard"), "{log}");
    assert!(
        log.contains("Wrong password") && log.contains("Read a letter"),
        "{log}"
    );

    // Anna revokes: Bo's very next request is refused.
    let access = page(&anna, &url("/access")).await;
    let revoke = format!("/access/{}", between(&access, "action=\"/access/", "\""));
    assert!(revoke.ends_with("/revoke"), "{revoke}");
    let revoked = anna
        .post(url(&revoke))
        .form(&[("csrf_token", anna_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    let refused = bo.get(url(&letter)).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("Adgangen er ophørt"));
}
