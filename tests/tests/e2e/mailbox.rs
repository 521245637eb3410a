//! The demo mailbox logging in through the broker, both over real HTTP.

use crate::support::*;
use broker::host::TestHost;
use reqwest::StatusCode;
use serde_json::json;
use url::Url;

pub struct Mailbox {
    pub base: String,
    _task: tokio::task::JoinHandle<()>,
}

pub async fn start_mailbox(host: &TestHost) -> Mailbox {
    start_mailbox_with(host, |_| {}).await
}

/// [`start_mailbox`], its configuration adjusted.
pub async fn start_mailbox_with(
    host: &TestHost,
    adjust: impl FnOnce(&mut demo_mailbox::Config),
) -> Mailbox {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let created = host
        .control()
        .post(
            "/clients",
            &json!({
                "client_id": "mailbox-e2e",
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [format!("{base}/callback")],
                "post_logout_redirect_uris": [format!("{base}/logged-out")],
                "backchannel_logout_uri": format!("{base}{}", demo_mailbox::BACKCHANNEL_LOGOUT),
                "require_pkce": true,
            }),
        )
        .await
        .unwrap();
    assert_eq!(created.status, 201);
    let mut config = demo_mailbox::Config {
        public_url: Url::parse(&base).unwrap(),
        issuer: Url::parse(host.issuer()).unwrap(),
        client_id: "mailbox-e2e".into(),
        client_secret: CLIENT_SECRET.into(),
        ..demo_mailbox::Config::default()
    };
    adjust(&mut config);
    let task = tokio::spawn(async move {
        let _ = demo_mailbox::serve(listener, config).await;
    });
    Mailbox { base, _task: task }
}

/// A person's browser logged in to the mailbox, with its session's CSRF token.
pub struct MailboxSession {
    pub client: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

impl MailboxSession {
    /// The session of `client`, which is on the mailbox page `home`.
    pub fn on(client: reqwest::Client, base: &str, home: &str) -> Self {
        Self {
            client,
            base: base.to_owned(),
            csrf: between(home, "name=\"csrf_token\" value=\"", "\"").to_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// POSTs `fields` with the session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let mut form = vec![("csrf_token", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }
}

/// Follows redirects by hand, asserting each is a redirect, until a non-redirect answer.
pub async fn follow(
    browser: &reqwest::Client,
    start: &str,
    max: usize,
) -> (reqwest::Response, Vec<String>) {
    let mut url = start.to_string();
    let mut seen = Vec::new();
    for _ in 0..max {
        let r = browser.get(&url).send().await.unwrap();
        if !r.status().is_redirection() {
            return (r, seen);
        }
        let location = r.headers()["location"].to_str().unwrap();
        url = Url::parse(&url)
            .unwrap()
            .join(location)
            .unwrap()
            .to_string();
        seen.push(url.clone());
    }
    panic!("more than {max} redirects: {seen:?}");
}

#[tokio::test]
async fn mailbox_logs_in_through_the_broker_and_shows_the_name() {
    let host = TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    let mailbox = start_mailbox(&host).await;
    let browser = http_client();

    // Not logged in: the page cannot be reached, only the login.
    let r = browser
        .get(format!("{}/", mailbox.base))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with("/login"));

    let (page, hops) = follow(&browser, &format!("{}/", mailbox.base), 8).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        hops.iter()
            .any(|h| h.starts_with(&format!("{}/authorize", host.issuer()))),
        "{hops:?}"
    );
    assert!(
        hops.iter()
            .any(|h| h.contains("/callback?code=") && h.contains("iss=")),
        "{hops:?}"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("Anna Testesen"), "{html}");

    // Logout ends the mailbox session and passes through the broker's end-session endpoint.
    let csrf = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("logout form carries a CSRF token")
        .to_string();
    let r = browser
        .post(format!("{}/logout", mailbox.base))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let to_broker = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to_broker.starts_with(&format!("{}/logout", host.issuer())),
        "{to_broker}"
    );
    let (done, _) = follow(&browser, &to_broker, 4).await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.url().path().ends_with("/logged-out"));

    let r = browser
        .get(format!("{}/", mailbox.base))
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_redirection(),
        "logged out: / needs a login again"
    );
}

#[tokio::test]
async fn mailbox_refuses_a_login_below_substantial() {
    let host = TestHost::start_with(|c| {
        c.auto_approve = true;
        c.default_user_id = "carl".into(); // reaches only Low
    })
    .await
    .unwrap();
    let mailbox = start_mailbox(&host).await;
    let browser = http_client();
    let (page, _) = follow(&browser, &format!("{}/login", mailbox.base), 8).await;
    // The broker cannot meet the requested level and answers access_denied; the mailbox says so.
    assert!(page.url().path().ends_with("/callback"), "{}", page.url());
    assert!(
        page.url().as_str().contains("error=access_denied"),
        "{}",
        page.url()
    );
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("Carl Kodeordsen"),
        "a Low login must not reach the mailbox"
    );
    let r = browser
        .get(format!("{}/", mailbox.base))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
}

/// Every `href="/letters/..."` on a page, in order, without duplicates.
fn letter_links(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for part in html.split("href=\"/letters/").skip(1) {
        let id = part.split('"').next().unwrap();
        let link = format!("/letters/{id}");
        if !id.contains('/') && !links.contains(&link) {
            links.push(link);
        }
    }
    links
}

fn csrf_token(html: &str) -> String {
    html.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a CSRF token on the page")
        .to_string()
}

#[tokio::test]
async fn citizen_reads_replies_moves_and_deletes_post_after_logging_in_through_the_broker() {
    let host = TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    let mailbox = start_mailbox(&host).await;
    let browser = http_client();
    let url = |path: &str| format!("{}{path}", mailbox.base);

    let (inbox, _) = follow(&browser, &url("/"), 8).await;
    assert_eq!(inbox.status(), StatusCode::OK);
    let html = inbox.text().await.unwrap();
    assert!(html.to_lowercase().contains("forskudsopgørelse"), "{html}");
    let links = letter_links(&html);
    assert!(
        links.len() >= 3,
        "a first mailbox with several letters: {links:?}"
    );

    // Read one letter.
    let letter = browser.get(url(&links[0])).send().await.unwrap();
    assert_eq!(letter.status(), StatusCode::OK);
    let letter_html = letter.text().await.unwrap();
    let csrf = csrf_token(&letter_html);

    // Reply to the first letter whose sender accepts replies: the reply lands in Sendt.
    let mut replied = None;
    for link in &links {
        let page = browser.get(url(link)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        if page
            .text()
            .await
            .unwrap()
            .contains(&format!("href=\"{link}/reply\""))
        {
            replied = Some(link.clone());
            break;
        }
    }
    let replied = replied.expect("a first letter that accepts replies");
    let sent = browser
        .post(url(&format!("{replied}/reply")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("subject", "Sv: spørgsmål fra e2e"),
            ("body", "Tak for brevet."),
            ("intent", "send"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let sendt = sent.headers()["location"].to_str().unwrap().to_string();
    let (sendt, _) = follow(&browser, &url(&sendt), 4).await;
    let sendt = sendt.text().await.unwrap();
    assert!(sendt.contains("Sv: spørgsmål fra e2e"), "{sendt}");

    // Move another letter to an own folder: it leaves the inbox and is found there.
    let created = browser
        .post(url("/folders"))
        .form(&[("csrf_token", csrf.as_str()), ("name", "Arkiv e2e")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let moved_letter = &links[1];
    let page = browser.get(url(moved_letter)).send().await.unwrap();
    let page = page.text().await.unwrap();
    let archive = page
        .split("<option value=\"")
        .skip(1)
        .find(|option| option.contains(">Arkiv e2e</option>"))
        .and_then(|option| option.split('"').next())
        .unwrap_or_else(|| panic!("the new folder among the move targets: {page}"))
        .to_string();
    let moved = browser
        .post(url(&format!("{moved_letter}/move")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("folder_id", archive.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);
    let folder = browser
        .get(url(&format!("/folders/{archive}")))
        .send()
        .await
        .unwrap();
    assert_eq!(folder.status(), StatusCode::OK);
    assert_eq!(
        letter_links(&folder.text().await.unwrap()),
        std::slice::from_ref(moved_letter)
    );

    // Without the CSRF token nothing happens.
    let refused = browser
        .post(url(&format!("{}/delete", links[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // Delete it: it leaves the inbox.
    let deleted = browser
        .post(url(&format!("{}/delete", links[0])))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_redirection(), "{}", deleted.status());
    let (inbox, _) = follow(&browser, &url("/"), 4).await;
    let after = letter_links(&inbox.text().await.unwrap());
    assert!(
        !after.contains(&links[0]),
        "deleted letter still in the inbox"
    );
    assert!(
        !after.contains(moved_letter),
        "moved letter still in the inbox"
    );
    assert_eq!(after.len(), links.len() - 2);

    // New post arrives: the simulated sender delivers to the person's CPR (the one the broker
    // logged in); the inbox shows it with a notice.
    let person = host
        .broker()
        .store
        .identities
        .by_user_id(&broker::model::UserId::new(
            host.broker().config.default_user_id.clone(),
        ))
        .unwrap()
        .unwrap();
    let cpr = person
        .cpr
        .expect("the default person has a CPR")
        .to_string();
    let delivered = reqwest::Client::new()
        .post(url("/_sim/v1/letters"))
        .json(&json!({
            "recipient": cpr,
            "sender": "su",
            "subject": "Ny SU-beregning fra e2e",
            "body": "Din SU er beregnet.",
            "accepts_replies": false,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(delivered.status(), StatusCode::CREATED);
    let (inbox, _) = follow(&browser, &url("/"), 4).await;
    let inbox = inbox.text().await.unwrap();
    assert!(inbox.contains("Ny post:"), "{inbox}");
    assert!(inbox.contains("Ny SU-beregning fra e2e"), "{inbox}");
    assert_eq!(letter_links(&inbox).len(), links.len() - 1);

    // Another citizen, logged in through the broker as bo, cannot open it.
    let other = http_client();
    host.control()
        .post(
            "/decisions",
            &json!({"outcome": "approve", "user_id": "bo"}),
        )
        .await
        .unwrap();
    let (bo_inbox, _) = follow(&other, &format!("{}/login", mailbox.base), 8).await;
    assert!(bo_inbox.text().await.unwrap().contains("Bo Prøvegaard"));
    let stolen = other
        .get(format!("{}{}", mailbox.base, links[1]))
        .send()
        .await
        .unwrap();
    assert_eq!(stolen.status(), StatusCode::NOT_FOUND);
}
