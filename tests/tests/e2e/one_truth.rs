//! One truth for every path: a login decided without the screens (the control API, the login
//! page's shortcut, a queued decision, auto-approve) ends with exactly the claims and the
//! error code of the same choice made on the screens.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

/// Jens's signatory identity at Simulatorfirmaet ApS (seed).
const JENS_PROFESSIONAL: &str = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c09";

/// How a login is decided.
#[derive(Debug, Clone, Copy)]
enum Path {
    /// The screens: user ID, then whatever they ask (the app for these persons).
    Screens,
    /// `POST /_sim/v1/logins/{id}/approve`.
    ControlApi,
    /// The login page's simulator shortcut (`action=approve`).
    Shortcut,
    /// A queued decision for the client.
    Queued,
}

const HEADLESS: [Path; 3] = [Path::ControlApi, Path::Shortcut, Path::Queued];

/// What a login ended with at the client.
#[derive(Debug)]
enum Ended {
    LoggedIn { id_token: Value, userinfo: Value },
    Refused { error: String, description: String },
}

fn login_id(rp: &Rp, page: &Url) -> String {
    let prefix = format!("{}/login/", rp.issuer());
    page.as_str()
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("expected the login page, got {page}"))
        .to_string()
}

/// Logs `user` in by `path` with the authorize parameters `extra`, and follows it to the end.
async fn log_in(rp: &Rp, path: Path, user: &str, extra: &[(&str, &str)]) -> Ended {
    let pkce = Pkce::new();
    if let Path::Queued = path {
        let queued = rp
            .host
            .control()
            .post(
                "/decisions",
                &json!({"client_id": CLIENT_ID, "outcome": "approve", "user_id": user}),
            )
            .await
            .unwrap();
        assert_eq!(queued.status, 201, "{:?}", queued.body);
    }
    // A fresh login every time: no broker session decides it.
    let mut params = vec![("prompt", "login")];
    params.extend_from_slice(extra);
    let response = rp.authorize(&pkce, &params).await;
    let id = login_id_of(&response);
    let mut location = redirect_to(&response);
    if !location.as_str().starts_with(REDIRECT_URI) {
        let page = location.clone();
        let response = match path {
            Path::Screens => screens(rp, &page, &id, user).await,
            Path::ControlApi => {
                let decided = rp
                    .host
                    .control()
                    .post(&format!("/logins/{id}/approve"), &json!({"user_id": user}))
                    .await
                    .unwrap();
                assert_eq!(decided.status, 200, "{:?}", decided.body);
                rp.browser.get(page.clone()).send().await.unwrap()
            }
            Path::Shortcut => {
                let html = page_html(rp, &page).await;
                rp.browser
                    .post(page.clone())
                    .form(&[
                        ("csrf", csrf_of(&html).as_str()),
                        ("action", "approve"),
                        ("user_id", user),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
            Path::Queued => panic!("a queued decision did not decide the login: {page}"),
        };
        location = sent_to(&response);
    }
    assert!(
        location.as_str().starts_with(REDIRECT_URI),
        "{path:?}: expected the client, got {location}"
    );
    let explained = login_explained(rp, &id).await;
    let source = explained["decided_by"]["source"]
        .as_str()
        .unwrap_or_default();
    let expected = match path {
        Path::Screens | Path::ControlApi | Path::Shortcut => "explicit",
        Path::Queued => "queued",
    };
    assert_eq!(source, expected, "{path:?}: {explained}");
    if let Some(error) = query(&location, "error") {
        return Ended::Refused {
            error,
            description: query(&location, "error_description").unwrap_or_default(),
        };
    }
    let code = query(&location, "code").unwrap_or_else(|| panic!("no code in {location}"));
    let response = rp.exchange(&code, &pkce).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    let userinfo: Value = reqwest::Client::new()
        .get(rp.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Ended::LoggedIn {
        id_token: claims(tokens["id_token"].as_str().unwrap()),
        userinfo,
    }
}

/// Where a 302 or 303 sends the browser.
fn sent_to(response: &reqwest::Response) -> Url {
    assert!(
        matches!(response.status().as_u16(), 302 | 303),
        "expected a redirect from {}, got {}",
        response.url(),
        response.status()
    );
    let location = response.headers()["location"].to_str().unwrap();
    response.url().join(location).unwrap()
}

async fn page_html(rp: &Rp, page: &Url) -> String {
    let response = rp.browser.get(page.clone()).send().await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "GET {page}: {:?}",
        response.headers().get("location")
    );
    response.text().await.unwrap()
}

fn step_of(html: &str) -> String {
    between(html, "data-step=\"", "\"").to_string()
}

async fn post_form(rp: &Rp, page: &Url, form: &[(&str, &str)]) -> reqwest::Response {
    let html = page_html(rp, page).await;
    let csrf = csrf_of(&html);
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    rp.browser
        .post(page.clone())
        .form(&fields)
        .send()
        .await
        .unwrap()
}

/// Through the screens: the user ID, then the app (approved on the simulated app with the
/// code the page shows), then the first business identity when asked. Answers the response
/// that leaves the login page.
async fn screens(rp: &Rp, page: &Url, id: &str, user: &str) -> reqwest::Response {
    let response = post_form(rp, page, &[("action", "user_id"), ("user_id", user)]).await;
    if response.status() != StatusCode::SEE_OTHER || sent_to(&response) != *page {
        return response;
    }
    for _ in 0..6 {
        let shown = rp.browser.get(page.clone()).send().await.unwrap();
        if shown.status() != StatusCode::OK {
            // Finished (the app's approval settled it): on to the client.
            return shown;
        }
        let html = shown.text().await.unwrap();
        let response = match step_of(&html).as_str() {
            "choose" => post_form(rp, page, &[("action", "choose"), ("method", "app")]).await,
            "app" => {
                let code = between(&html, "id=\"app-code\">", "<").to_string();
                let app = page.join(&format!("/_sim/app/{user}")).unwrap();
                let app_html = page_html(rp, &app).await;
                let card = &app_html[app_html
                    .find(&format!("data-login=\"{id}\""))
                    .unwrap_or_else(|| panic!("no request for {id} in the app: {app_html}"))..];
                let token = between(card, "name=\"token\" value=\"", "\"");
                let answered = rp
                    .browser
                    .post(page.join(&format!("/_sim/app/{user}/{id}")).unwrap())
                    .form(&[
                        ("token", token),
                        ("action", "approve"),
                        ("code", code.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(answered.status(), StatusCode::SEE_OTHER);
                continue;
            }
            "business" => {
                let first = between(&html, "name=\"business\" value=\"", "\"").to_string();
                post_form(rp, page, &[("action", "business"), ("business", &first)]).await
            }
            // NemID: the password, then the key card would follow.
            "password" => {
                post_form(
                    rp,
                    page,
                    &[("action", "password"), ("password", "test1234")],
                )
                .await
            }
            "failed" => {
                return post_form(rp, page, &[("action", "leave")]).await;
            }
            other => panic!("{user}: the screens stopped at {other}: {html}"),
        };
        if response.status() != StatusCode::SEE_OTHER || sent_to(&response) != *page {
            return response;
        }
    }
    panic!("{user}: the screens did not finish")
}

#[tokio::test]
async fn a_headless_business_login_has_the_business_claims_of_the_screens() {
    let rp = Rp::start().await;
    let extra = [
        ("scope", "openid nemlogin"),
        ("idp_values", "mitid_erhverv"),
    ];
    let Ended::LoggedIn {
        id_token: screens_token,
        userinfo: screens_info,
    } = log_in(&rp, Path::Screens, "jens", &extra).await
    else {
        panic!("jens could not log in through the screens")
    };
    assert_eq!(screens_info["nemlogin.cvr"], "12345674", "{screens_info}");
    assert_eq!(
        screens_info["nemlogin.persistent_professional_id"],
        JENS_PROFESSIONAL
    );
    for path in HEADLESS {
        let Ended::LoggedIn { id_token, userinfo } = log_in(&rp, path, "jens", &extra).await else {
            panic!("{path:?}: jens was refused")
        };
        assert_eq!(userinfo, screens_info, "{path:?}");
        // Who logged in is the same; how (acr, amr) is the strongest way the person has when
        // nobody chose one on the screens (`explain` says `simulated`).
        for claim in ["sub", "idp", "identity_type"] {
            assert_eq!(id_token[claim], screens_token[claim], "{path:?}: {claim}");
        }
    }
}

/// A person, the authorize parameters, and the code their login must be refused with.
type Refusal = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// Each refusal the failure catalogue names for a person's state or means, walked through the
/// screens and decided headlessly: the same `error_description` every way, and no English
/// sentence in it.
#[tokio::test]
async fn a_refusal_has_the_same_code_on_every_path() {
    let rp = Rp::start().await;
    let cases: [Refusal; 6] = [
        // Carl has only a password: Low, and the default is Substantial.
        ("carl", &[], "mitid_level_not_reachable"),
        // Anna reaches Substantial, not High.
        (
            "anna",
            &[("acr_values", "https://data.gov.dk/concept/core/nsis/High")],
            "mitid_level_not_reachable",
        ),
        ("kim", &[], "mitid_identity_locked"),
        ("mads", &[], "mitid_identity_revoked"),
        (
            "anna",
            &[
                ("idp_values", "mitid_erhverv"),
                ("scope", "openid nemlogin"),
            ],
            "mitid_erhverv_no_identity",
        ),
        ("anna", &[("idp_values", "nemid")], "nemid_unknown_user"),
    ];
    for (user, extra, code) in cases {
        for path in [
            Path::Screens,
            Path::ControlApi,
            Path::Shortcut,
            Path::Queued,
        ] {
            match log_in(&rp, path, user, extra).await {
                Ended::Refused { error, description } => {
                    assert_eq!(error, "access_denied", "{user} {extra:?} {path:?}");
                    assert_eq!(description, code, "{user} {extra:?} {path:?}");
                }
                ended => panic!("{user} {extra:?} {path:?}: {ended:?}"),
            }
        }
    }
}

/// The words behind a headless refusal are in `explain`, beside the code the client got.
#[tokio::test]
async fn explain_says_why_a_headless_login_was_refused() {
    let rp = Rp::start().await;
    let response = rp.authorize(&Pkce::new(), &[]).await;
    let id = login_id(&rp, &redirect_to(&response));
    let decided = rp
        .host
        .control()
        .post(&format!("/logins/{id}/approve"), &json!({"user_id": "kim"}))
        .await
        .unwrap();
    assert_eq!(decided.status, 200, "{:?}", decided.body);
    assert_eq!(
        decided.body["status"]["description"],
        "mitid_identity_locked"
    );
    let explained = login_explained(&rp, &id).await;
    assert_eq!(
        explained["refused"]["error_description"],
        "mitid_identity_locked"
    );
    let detail = explained["refused"]["detail"].as_str().unwrap();
    assert!(detail.contains("kim is suspended"), "{detail}");
    let summary = explained["summary"].as_str().unwrap();
    assert!(summary.contains("mitid_identity_locked"), "{summary}");
}

/// A headless MitID Erhverv login can choose as the business screen does: an identity by CVR
/// number or professional UUID, or `private` where the client allows it.
#[tokio::test]
async fn a_decision_chooses_the_business_identity_as_the_screen_does() {
    let rp = Rp::start().await;
    let approve = |business: Value, idp_values: &'static str| {
        let rp = &rp;
        async move {
            let pkce = Pkce::new();
            let response = rp
                .authorize(
                    &pkce,
                    &[
                        ("scope", "openid nemlogin"),
                        ("idp_values", idp_values),
                        ("prompt", "login"),
                    ],
                )
                .await;
            let page = redirect_to(&response);
            let id = login_id(rp, &page);
            let decided = rp
                .host
                .control()
                .post(
                    &format!("/logins/{id}/approve"),
                    &json!({"user_id": "jens", "business": business}),
                )
                .await
                .unwrap();
            (decided, page, pkce)
        }
    };
    for chosen in ["12345674", JENS_PROFESSIONAL] {
        let (decided, _, _) = approve(json!(chosen), "mitid_erhverv").await;
        assert_eq!(decided.status, 200, "{:?}", decided.body);
        assert_eq!(decided.body["status"]["business"], JENS_PROFESSIONAL);
        assert_eq!(decided.body["status"]["assurance"]["idp"], "mitid_erhverv");
    }
    // Private, where the client allows it: a private MitID login.
    let (decided, page, pkce) = approve(json!("private"), "mitid_erhverv mitid").await;
    assert_eq!(decided.status, 200, "{:?}", decided.body);
    let location = sent_to(&rp.browser.get(page).send().await.unwrap());
    let code = query(&location, "code").unwrap();
    let tokens: Value = rp.exchange(&code, &pkce).await.json().await.unwrap();
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["idp"], "mitid");
    assert_eq!(id_token["identity_type"], "private");
    // Choices the screens could not make are refused, and the login waits on.
    for (business, idp_values) in [
        (json!("99999999"), "mitid_erhverv"),
        (json!("private"), "mitid_erhverv"),
        (json!("12345674"), "mitid"),
    ] {
        let (decided, page, _) = approve(business.clone(), idp_values).await;
        if business == "private" {
            // MitID Erhverv only: private is the screens' "no business identity".
            assert_eq!(decided.status, 200, "{:?}", decided.body);
            assert_eq!(
                decided.body["status"]["description"],
                "mitid_erhverv_no_identity"
            );
            continue;
        }
        assert_eq!(
            decided.status, 400,
            "{business} {idp_values}: {:?}",
            decided.body
        );
        let record = login_record(&rp, &login_id(&rp, &page)).await;
        assert_eq!(record["status"]["status"], "pending", "{record}");
    }
}

/// A queued decision chooses too.
#[tokio::test]
async fn a_queued_decision_chooses_private_mitid() {
    let rp = Rp::start().await;
    let queued = rp
        .host
        .control()
        .post(
            "/decisions",
            &json!({"outcome": "approve", "user_id": "jens", "business": "private"}),
        )
        .await
        .unwrap();
    assert_eq!(queued.status, 201, "{:?}", queued.body);
    let pkce = Pkce::new();
    let response = rp
        .authorize(
            &pkce,
            &[
                ("scope", "openid nemlogin"),
                ("idp_values", "mitid_erhverv mitid"),
            ],
        )
        .await;
    let code = query(&redirect_to(&response), "code").unwrap();
    let tokens: Value = rp.exchange(&code, &pkce).await.json().await.unwrap();
    assert_eq!(claims(tokens["id_token"].as_str().unwrap())["idp"], "mitid");
    // A reject decision takes no business.
    let refused = rp
        .host
        .control()
        .post(
            "/decisions",
            &json!({"outcome": "reject", "business": "private"}),
        )
        .await
        .unwrap();
    assert_eq!(refused.status, 400, "{:?}", refused.body);
}

/// NemID is NemID: its own wording on the screens, and its own unknown-user code, told after
/// the user ID for a user ID nobody has.
#[tokio::test]
async fn a_nemid_login_is_worded_as_nemid() {
    let rp = Rp::start().await;
    let response = rp.authorize(&Pkce::new(), &[("idp_values", "nemid")]).await;
    let page = redirect_to(&response);
    let html = page_html(&rp, &page).await;
    assert!(html.contains("Simuleret NemID"), "{html}");
    assert!(html.contains("simulerede NemID"), "{html}");
    assert!(!html.contains("MitID"), "no MitID on a NemID login: {html}");
    let response = post_form(
        &rp,
        &page,
        &[("action", "user_id"), ("user_id", "nobody-here")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = post_form(&rp, &page, &[("action", "leave")]).await;
    let location = sent_to(&response);
    assert_eq!(
        query(&location, "error_description").as_deref(),
        Some("nemid_unknown_user")
    );
    // A MitID login keeps MitID's words.
    let response = rp.authorize(&Pkce::new(), &[]).await;
    let html = page_html(&rp, &redirect_to(&response)).await;
    assert!(html.contains("Simuleret MitID"), "{html}");
}
