//! Access for others to a business's mailbox, every person logging in to the mailbox through
//! the broker's MitID screens (user ID, the app, the choice of business identity): Jens,
//! signatory of Simulatorfirmaet ApS (`nemlogin.auth_to_repr` true), gives Bo read and write
//! access to the business's mailbox; Ida, an employee (`false`), works in it but gives none;
//! Bo switches with the password, writes and deletes, is refused deleting for good and giving
//! access; Jens sees it in the activity log and revokes, and Bo's next request is refused.

use crate::mailbox::{follow, start_mailbox, MailboxSession};
use crate::support::*;
use broker::host::TestHost;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::json;
use url::Url;

/// Jens's signatory identity at Simulatorfirmaet ApS (seed).
const JENS_PROFESSIONAL: &str = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c09";
/// Ida's employee identity at the same company (seed).
const IDA_PROFESSIONAL: &str = "f0e1d2c3-b4a5-4968-8776-655443322108";
const PASSWORD: &str = "firma-udleveret";

/// A screen of the broker's login page: its step, its CSRF token, the page.
struct Screen {
    step: String,
    csrf: String,
    html: String,
}

/// The login page now: a screen, or the 302 back to the mailbox once the login settled.
enum Login {
    Screen(Screen),
    Settled(Url),
}

async fn login_page(browser: &reqwest::Client, page: &Url) -> Login {
    let response = browser.get(page.clone()).send().await.unwrap();
    if response.status() == StatusCode::FOUND {
        return Login::Settled(redirect_to(&response));
    }
    assert_eq!(response.status(), StatusCode::OK, "GET {page}");
    let html = response.text().await.unwrap();
    Login::Screen(Screen {
        step: between(&html, "data-step=\"", "\"").to_owned(),
        csrf: between(&html, "name=\"csrf\" value=\"", "\"").to_owned(),
        html,
    })
}

async fn screen(browser: &reqwest::Client, page: &Url) -> Screen {
    match login_page(browser, page).await {
        Login::Screen(screen) => screen,
        Login::Settled(to) => panic!("the login settled early, to {to}"),
    }
}

/// Presses `action` on `screen` with `fields`: 303 back to the page (pending) or 302 to the
/// mailbox (settled).
async fn press(
    browser: &reqwest::Client,
    page: &Url,
    screen: &Screen,
    action: &str,
    fields: &[(&str, &str)],
) -> Login {
    let mut form = vec![("csrf", screen.csrf.as_str()), ("action", action)];
    form.extend_from_slice(fields);
    let response = browser.post(page.clone()).form(&form).send().await.unwrap();
    match response.status() {
        StatusCode::SEE_OTHER => login_page(browser, page).await,
        StatusCode::FOUND => Login::Settled(redirect_to(&response)),
        status => panic!(
            "{action} answered {status}: {}",
            response.text().await.unwrap()
        ),
    }
}

/// One person's browser in the mailbox.
struct Browser {
    session: MailboxSession,
    /// The mailbox's home page right after the login.
    home: String,
}

impl std::ops::Deref for Browser {
    type Target = MailboxSession;
    fn deref(&self) -> &MailboxSession {
        &self.session
    }
}

impl Browser {
    /// `user` logs in to the mailbox through the broker's screens with the app (approved
    /// through the control API with the code the page shows), choosing the business identity
    /// `business` when the broker offers one. Returns the browser on the mailbox's home page.
    async fn log_in(host: &TestHost, base: &str, user: &str, business: Option<&str>) -> Self {
        let client = http_client();
        let to_broker = client.get(format!("{base}/login")).send().await.unwrap();
        assert_eq!(to_broker.status(), StatusCode::SEE_OTHER);
        let authorize = to_broker.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(
            authorize.contains("idp_values=mitid+mitid_erhverv")
                || authorize.contains("idp_values=mitid%20mitid_erhverv"),
            "{authorize}"
        );
        let response = client.get(&authorize).send().await.unwrap();
        let login_id = response.headers()["x-sim-login-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let page = redirect_to(&response);

        let first = screen(&client, &page).await;
        assert_eq!(first.step, "user_id", "{}", first.html);
        let mut now = match press(&client, &page, &first, "user_id", &[("user_id", user)]).await {
            Login::Screen(screen) => screen,
            Login::Settled(to) => panic!("settled before an authenticator: {to}"),
        };
        if now.step == "choose" {
            now = match press(&client, &page, &now, "choose", &[("method", "app")]).await {
                Login::Screen(screen) => screen,
                Login::Settled(to) => panic!("settled before the app: {to}"),
            };
        }
        assert_eq!(now.step, "app", "{}", now.html);
        let code = between(&now.html, "id=\"app-code\">", "<").to_owned();
        let approved = host
            .control()
            .post(
                &format!("/identities/{user}/app/requests/{login_id}/approve"),
                &json!({ "code": code }),
            )
            .await
            .unwrap();
        assert_eq!(approved.status, 200, "{:?}", approved.body);

        // Then the CPR match (a private service asking for `ssn`) and the business identity,
        // when the broker asks for them.
        let mut login = login_page(&client, &page).await;
        let callback = loop {
            let screen = match login {
                Login::Settled(to) => break to,
                Login::Screen(screen) => screen,
            };
            login = match screen.step.as_str() {
                "cpr" => {
                    let cpr = match user {
                        "jens" => "790562-1195",
                        "ida" => "621088-3124",
                        "bo" => "901175-2131",
                        other => panic!("no CPR number for {other}"),
                    };
                    press(&client, &page, &screen, "cpr", &[("cpr", cpr)]).await
                }
                "business" => {
                    let chosen = business.unwrap_or("private");
                    assert!(
                        screen
                            .html
                            .contains(&format!("name=\"business\" value=\"{chosen}\"")),
                        "{chosen} not offered: {}",
                        screen.html
                    );
                    press(&client, &page, &screen, "business", &[("business", chosen)]).await
                }
                other => panic!("unexpected step {other}: {}", screen.html),
            };
        };
        assert!(callback.as_str().starts_with(base), "{callback}");
        let (home, _) = follow(&client, callback.as_str(), 8).await;
        assert_eq!(home.status(), StatusCode::OK);
        let home = home.text().await.unwrap();
        Self {
            session: MailboxSession::on(client, base, &home),
            home,
        }
    }
}

fn grant_form(cpr: &'static str, permission: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", "Hjælper"),
        ("cpr", cpr),
        ("permission", permission),
        ("all_folders", "on"),
        ("password", PASSWORD),
    ]
}

#[tokio::test]
async fn business_access_given_by_a_signatory_used_refused_and_revoked_through_the_broker() {
    let host = TestHost::start().await.unwrap();
    let mailbox = start_mailbox(&host).await;
    let base = mailbox.base.as_str();
    const BUSINESS_HOME: &str = "Postkasse: <strong>Simulatorfirmaet ApS</strong> (virksomhed)";

    // Jens logs in for the business he may represent: he may give access to its mailbox.
    let jens = Browser::log_in(&host, base, "jens", Some(JENS_PROFESSIONAL)).await;
    assert!(jens.home.contains(BUSINESS_HOME), "{}", jens.home);
    assert!(
        jens.home.contains("<code>cvr:12345674</code>"),
        "{}",
        jens.home
    );
    assert!(jens.home.contains("href=\"/access\""), "{}", jens.home);
    let (status, body) = jens
        .post("/access", &grant_form("901175-2131", "read_write"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // Ida, an employee, works in the same mailbox but gives no access.
    let ida = Browser::log_in(&host, base, "ida", Some(IDA_PROFESSIONAL)).await;
    assert!(ida.home.contains(BUSINESS_HOME), "{}", ida.home);
    assert!(!ida.home.contains("href=\"/access\""), "{}", ida.home);
    let letter = format!("/letters/{}", between(&ida.home, "href=\"/letters/", "\""));
    assert_eq!(ida.get(&letter).await.0, StatusCode::OK);
    assert_eq!(ida.get("/access").await.0, StatusCode::FORBIDDEN);
    assert_eq!(ida.get("/activity").await.0, StatusCode::FORBIDDEN);
    let (status, _) = ida
        .post("/access", &grant_form("650379-2846", "read"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Bo logs in as himself and opens the business's mailbox with the password.
    let bo = Browser::log_in(&host, base, "bo", None).await;
    assert!(
        bo.home.contains("<code>cpr:9011752131</code>"),
        "{}",
        bo.home
    );
    let (_, list) = bo.get("/mailboxes").await;
    assert!(list.contains("Simulatorfirmaet ApS"), "{list}");
    let to = format!("grant:{}", between(&list, "value=\"grant:", "\""));
    let (status, body) = bo
        .post("/mailboxes/switch", &[("to", &to), ("password", PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, home) = bo.get("/").await;
    assert!(
        home.contains("Postkasse: <strong>Simulatorfirmaet ApS</strong> (læse- og skriveadgang)"),
        "{home}"
    );

    // Allowed with read and write access: read, write, delete to Slettet.
    assert_eq!(bo.get(&letter).await.0, StatusCode::OK);
    let (status, body) = bo
        .post(
            "/write",
            &[
                ("authority", "skattestyrelsen"),
                ("subject", "Spørgsmål om moms"),
                ("body", "Skrevet af en hjælper."),
                ("intent", "send"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, _) = bo.post(&format!("{letter}/delete"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Refused: deleting for good, giving access further.
    let (status, _) = bo.post(&format!("{letter}/delete-permanently"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(bo.get("/access").await.0, StatusCode::FORBIDDEN);
    let (status, _) = bo.post("/access", &grant_form("650379-2846", "read")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The letter lies in Slettet, not deleted for good: the employee still reads it.
    assert_eq!(ida.get(&letter).await.0, StatusCode::OK);

    // Jens sees what Bo did, and revokes: Bo's very next request is refused.
    let (status, log) = jens.get("/activity").await;
    assert_eq!(status, StatusCode::OK);
    assert!(log.contains("Bo Prøvegaard"), "{log}");
    let (_, access) = jens.get("/access").await;
    let revoke = format!("/access/{}", between(&access, "action=\"/access/", "\""));
    assert!(revoke.ends_with("/revoke"), "{revoke}");
    assert_eq!(jens.post(&revoke, &[]).await.0, StatusCode::SEE_OTHER);
    let (status, refused) = bo.get(&letter).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused.contains("Adgangen er ophørt"), "{refused}");
}
