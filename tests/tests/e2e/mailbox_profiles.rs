//! The demo mailbox is a portable relying party: it logs in through each of the broker's
//! profiles (`standard`, `neb`, `idura`, `signicat`) in that profile's grammar, reads the
//! person out of that dialect's claims, and logs out through that profile's end-session
//! endpoint; the broker's back-channel logout in each dialect ends just the session it names.
//! A MitID Erhverv login through NEB and Idura opens the business's mailbox.

use std::path::Path;

use crate::mailbox::follow;
use crate::support::*;
use broker::host::TestHost;
use demo_mailbox::BrokerProfile;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::json;
use url::Url;

/// Anna's mailbox address: her CPR number (seed: 720490-1236).
const ANNA_ADDRESS: &str = "<code>cpr:7204901236</code>";
/// Jens's signatory identity at Simulatorfirmaet ApS (seed).
const JENS_PROFESSIONAL: &str = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c09";
/// Ida's employee identity at the same company (seed).
const IDA_PROFESSIONAL: &str = "f0e1d2c3-b4a5-4968-8776-655443322108";
const BUSINESS_HOME: &str = "Postkasse: <strong>Simulatorfirmaet ApS</strong> (virksomhed)";

/// (profile, its authorization endpoint and end-session endpoint below the broker's base URL,
/// a parameter only its grammar sends)
const PROFILES: [(BrokerProfile, &str, &str, &str); 4] = [
    (
        BrokerProfile::Standard,
        "/authorize",
        "/logout",
        "acr_values=https%3A%2F%2Fdata.gov.dk%2Fconcept%2Fcore%2Fnsis%2FSubstantial",
    ),
    (
        BrokerProfile::Neb,
        "/op/connect/authorize",
        "/op/connect/endsession",
        "idp_params=",
    ),
    (
        BrokerProfile::Idura,
        "/idura/oauth2/authorize",
        "/idura/oauth2/logout",
        "acr_values=urn%3Agrn%3Aauthn%3Adk%3Amitid%3Asubstantial",
    ),
    (
        BrokerProfile::Signicat,
        "/auth/open/connect/authorize",
        "/auth/open/connect/endsession",
        "acr_values=idp%3Amitid+loa%3Asubstantial",
    ),
];

struct ProfileMailbox {
    base: String,
    _task: tokio::task::JoinHandle<()>,
}

/// A mailbox on port 0 speaking `profile`, its client `mailbox-<profile>` registered at the
/// broker (shared by every profile) with the mailbox's redirect, post-logout and back-channel
/// logout URIs, and its database in `data_dir`.
async fn start_mailbox(
    host: &TestHost,
    profile: BrokerProfile,
    data_dir: Option<&Path>,
) -> ProfileMailbox {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let client_id = format!("mailbox-{profile}");
    let created = host
        .control()
        .post(
            "/clients",
            &json!({
                "client_id": client_id,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [format!("{base}/callback")],
                "post_logout_redirect_uris": [format!("{base}/logged-out")],
                "backchannel_logout_uri": format!("{base}{}", demo_mailbox::BACKCHANNEL_LOGOUT),
                "require_pkce": true,
            }),
        )
        .await
        .unwrap();
    assert_eq!(created.status, 201, "{:?}", created.body);
    let config = demo_mailbox::Config {
        public_url: Url::parse(&base).unwrap(),
        issuer: Url::parse(host.issuer()).unwrap(),
        broker_profile: profile,
        client_id,
        client_secret: CLIENT_SECRET.into(),
        data_dir: data_dir.map(Path::to_path_buf),
        ..demo_mailbox::Config::default()
    };
    // Opened here, one after the other, so mailboxes sharing a database never make it at once.
    let app = demo_mailbox::App::new(config).unwrap();
    let task = tokio::spawn(async move {
        let _ = demo_mailbox::serve_app(listener, app).await;
    });
    ProfileMailbox { base, _task: task }
}

/// `browser` logs in to `mailbox` (auto-approve); the hops went through `authorize`, in the
/// profile's grammar. Returns the mailbox's home page.
async fn log_in(
    browser: &reqwest::Client,
    mailbox: &ProfileMailbox,
    host: &TestHost,
    (profile, authorize, _, grammar): (BrokerProfile, &str, &str, &str),
) -> String {
    let (page, hops) = follow(browser, &format!("{}/login", mailbox.base), 10).await;
    assert_eq!(page.status(), StatusCode::OK, "{profile}: {hops:?}");
    let request = hops
        .iter()
        .find(|hop| hop.starts_with(&format!("{}{authorize}?", host.issuer())))
        .unwrap_or_else(|| panic!("{profile}: no hop to {authorize}: {hops:?}"));
    assert!(request.contains(grammar), "{profile}: {request}");
    let issuer = format!("{}{}", host.issuer(), profile_path(profile));
    let callback = hops
        .iter()
        .find(|hop| hop.starts_with(&format!("{}/callback?", mailbox.base)))
        .unwrap_or_else(|| panic!("{profile}: no callback: {hops:?}"));
    let callback = Url::parse(callback).unwrap();
    assert_eq!(query(&callback, "iss"), Some(issuer), "{profile}");
    page.text().await.unwrap()
}

fn profile_path(profile: BrokerProfile) -> &'static str {
    match profile {
        BrokerProfile::Standard => "",
        BrokerProfile::Neb => "/op",
        BrokerProfile::Idura => "/idura",
        BrokerProfile::Signicat => "/auth/open",
    }
}

/// Whether `browser`'s next request to the mailbox's home is served (not sent to /login).
async fn session_alive(browser: &reqwest::Client, mailbox: &ProfileMailbox) -> bool {
    let response = browser
        .get(format!("{}/", mailbox.base))
        .send()
        .await
        .unwrap();
    match response.status() {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert_eq!(response.headers()[LOCATION], "/login");
            false
        }
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test]
async fn anna_reaches_her_one_mailbox_through_every_profile_and_logs_out_through_each() {
    let host = TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    // One database behind the four mailboxes: the same CPR number must open the same mailbox.
    let data = tempfile::tempdir().unwrap();
    const FOLDER: &str = "Fra alle profiler";
    for (index, row) in PROFILES.into_iter().enumerate() {
        let (profile, _, end_session, _) = row;
        let mailbox = start_mailbox(&host, profile, Some(data.path())).await;
        let browser = http_client();
        let home = log_in(&browser, &mailbox, &host, row).await;
        assert!(home.contains("Anna Testesen"), "{profile}: {home}");
        assert!(home.contains(ANNA_ADDRESS), "{profile}: {home}");

        let csrf = csrf_token(&home);
        if index == 0 {
            let created = browser
                .post(format!("{}/folders", mailbox.base))
                .form(&[("csrf_token", csrf.as_str()), ("name", FOLDER)])
                .send()
                .await
                .unwrap();
            assert_eq!(created.status(), StatusCode::SEE_OTHER, "{profile}");
        }
        let folders = browser
            .get(format!("{}/folders", mailbox.base))
            .send()
            .await
            .unwrap();
        let folders = folders.text().await.unwrap();
        assert!(
            folders.contains(FOLDER),
            "{profile}: the folder made through {} is not here: {folders}",
            PROFILES[0].0
        );

        // Logout passes through this profile's end-session endpoint with id_token_hint (NEB
        // ignores post_logout_redirect_uri without one) and comes back to /logged-out.
        let out = browser
            .post(format!("{}/logout", mailbox.base))
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert!(out.status().is_redirection(), "{profile}");
        let to_broker = out.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(
            to_broker.starts_with(&format!("{}{end_session}?", host.issuer())),
            "{profile}: {to_broker}"
        );
        assert!(
            to_broker.contains("id_token_hint="),
            "{profile}: {to_broker}"
        );
        let (done, hops) = follow(&browser, &to_broker, 4).await;
        assert_eq!(done.status(), StatusCode::OK, "{profile}: {hops:?}");
        assert!(
            done.url()
                .as_str()
                .starts_with(&format!("{}/logged-out", mailbox.base)),
            "{profile}: {}",
            done.url()
        );
        assert!(!session_alive(&browser, &mailbox).await, "{profile}");
    }
}

#[tokio::test]
async fn a_back_channel_logout_in_each_dialect_ends_only_the_broker_session_it_names() {
    let host = TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    for row in PROFILES {
        let (profile, _, end_session, _) = row;
        let mailbox = start_mailbox(&host, profile, None).await;
        // Anna in two browsers: two broker sessions, the same person (the same sub).
        let here = http_client();
        let elsewhere = http_client();
        log_in(&here, &mailbox, &host, row).await;
        log_in(&elsewhere, &mailbox, &host, row).await;

        // Logging out at the broker itself, without id_token_hint: the broker asks first,
        // then tells the mailbox in a logout token whose `sid` is the session as the
        // dialect's ID tokens name it (Idura's `sessionindex`).
        let logout = format!("{}{end_session}", host.issuer());
        let page = here.get(&logout).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{profile}");
        let csrf = csrf_of(&page.text().await.unwrap());
        let confirmed = here
            .post(&logout)
            .form(&[("confirm", "yes"), ("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert!(
            confirmed.status() == StatusCode::OK || confirmed.status().is_redirection(),
            "{profile}: {}",
            confirmed.status()
        );

        assert!(!session_alive(&here, &mailbox).await, "{profile}");
        assert!(
            session_alive(&elsewhere, &mailbox).await,
            "{profile}: the other broker session's mailbox session must survive"
        );
    }
}

// --- MitID Erhverv through the login screens ----------------------------------------------

/// A screen of the broker's login page: its step, its CSRF token, the page.
struct Screen {
    step: String,
    csrf: String,
    html: String,
}

/// The login page now: a screen, or the redirect back to the mailbox once settled.
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

fn screen(login: Login) -> Screen {
    match login {
        Login::Screen(screen) => screen,
        Login::Settled(to) => panic!("the login settled early, to {to}"),
    }
}

/// `user` logs in to `mailbox` through the broker's screens with the app (approved through
/// the control API with the code the page shows) and chooses the business identity
/// `business`. Returns the mailbox's home page.
async fn log_in_for_business(
    host: &TestHost,
    mailbox: &ProfileMailbox,
    (profile, cpr): (BrokerProfile, &str),
    user: &str,
    business: &str,
) -> String {
    let browser = http_client();
    let to_broker = browser
        .get(format!("{}/login", mailbox.base))
        .send()
        .await
        .unwrap();
    assert_eq!(to_broker.status(), StatusCode::SEE_OTHER, "{profile}");
    let authorize = to_broker.headers()[LOCATION].to_str().unwrap().to_owned();
    let response = browser.get(&authorize).send().await.unwrap();
    let login_id = response.headers()["x-sim-login-id"]
        .to_str()
        .unwrap_or_else(|_| panic!("{profile}: no login for {authorize}"))
        .to_owned();
    let page = redirect_to(&response);

    let first = screen(login_page(&browser, &page).await);
    assert_eq!(first.step, "user_id", "{profile}: {}", first.html);
    let mut now = screen(press(&browser, &page, &first, "user_id", &[("user_id", user)]).await);
    if now.step == "choose" {
        now = screen(press(&browser, &page, &now, "choose", &[("method", "app")]).await);
    }
    assert_eq!(now.step, "app", "{profile}: {}", now.html);
    let code = between(&now.html, "id=\"app-code\">", "<").to_owned();
    let approved = host
        .control()
        .post(
            &format!("/identities/{user}/app/requests/{login_id}/approve"),
            &json!({ "code": code }),
        )
        .await
        .unwrap();
    assert_eq!(approved.status, 200, "{profile}: {:?}", approved.body);

    let mut login = login_page(&browser, &page).await;
    let callback = loop {
        let screen = match login {
            Login::Settled(to) => break to,
            Login::Screen(screen) => screen,
        };
        login = match screen.step.as_str() {
            "cpr" => press(&browser, &page, &screen, "cpr", &[("cpr", cpr)]).await,
            "business" => {
                assert!(
                    screen
                        .html
                        .contains(&format!("name=\"business\" value=\"{business}\"")),
                    "{profile}: {business} not offered: {}",
                    screen.html
                );
                press(
                    &browser,
                    &page,
                    &screen,
                    "business",
                    &[("business", business)],
                )
                .await
            }
            other => panic!("{profile}: unexpected step {other}: {}", screen.html),
        };
    };
    assert!(
        callback.as_str().starts_with(&mailbox.base),
        "{profile}: {callback}"
    );
    let (home, _) = follow(&browser, callback.as_str(), 8).await;
    assert_eq!(home.status(), StatusCode::OK, "{profile}");
    home.text().await.unwrap()
}

#[tokio::test]
async fn a_mitid_erhverv_login_through_neb_and_idura_opens_the_business_mailbox() {
    // Not auto-approve: a login decided without a person chooses no business identity, so
    // its tokens carry no business claims. The person chooses one on the login screens.
    let host = TestHost::start().await.unwrap();
    for profile in [BrokerProfile::Neb, BrokerProfile::Idura] {
        let mailbox = start_mailbox(&host, profile, None).await;

        // Jens, a signatory: the business's mailbox, where he may give access.
        let jens = log_in_for_business(
            &host,
            &mailbox,
            (profile, "790562-1195"),
            "jens",
            JENS_PROFESSIONAL,
        )
        .await;
        assert!(jens.contains(BUSINESS_HOME), "{profile}: {jens}");
        assert!(
            jens.contains("<code>cvr:12345674</code>"),
            "{profile}: {jens}"
        );
        assert!(jens.contains("Jens Direktør"), "{profile}: {jens}");
        assert!(jens.contains("href=\"/access\""), "{profile}: {jens}");

        // Ida, an employee: the same mailbox, but she gives no access.
        let ida = log_in_for_business(
            &host,
            &mailbox,
            (profile, "621088-3124"),
            "ida",
            IDA_PROFESSIONAL,
        )
        .await;
        assert!(ida.contains(BUSINESS_HOME), "{profile}: {ida}");
        assert!(!ida.contains("href=\"/access\""), "{profile}: {ida}");
    }
}

fn csrf_token(html: &str) -> String {
    between(html, "name=\"csrf_token\" value=\"", "\"").to_owned()
}
