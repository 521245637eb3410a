//! Server-rendered pages (askama; one struct per page).

use askama::Template;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::error::OAuthError;
use crate::web::texts::Texts;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub lang: &'a str,
    pub code: &'a str,
    /// What happened, in the page's language.
    pub description: &'a str,
    /// On a Danish page, the protocol's English description for developers, when there is no
    /// Danish one (shown apart, marked as English).
    pub technical: Option<&'a str>,
}

/// The Danish words for the errors a person meets on the login pages.
const DANISH: [(&str, &str); 6] = [
    (
        "there is no such login; start again from the application",
        "Dette login findes ikke. Start forfra fra tjenesten.",
    ),
    (
        "this login has expired; start again from the application",
        "Dette login er udløbet. Start forfra fra tjenesten.",
    ),
    (
        "the form is stale or was not sent from this page; reload it",
        "Formularen er forældet eller blev ikke sendt fra denne side. Genindlæs siden.",
    ),
    (
        "the form has no action this page knows",
        "Formularen beder om noget, siden ikke kender. Genindlæs siden.",
    ),
    (
        "this login is still waiting for a decision",
        "Dette login venter stadig på en afgørelse.",
    ),
    (
        "there is no test identity with that user ID",
        "Der findes ingen testidentitet med det bruger-ID.",
    ),
];

/// The Danish for an error description, if it has one.
fn danish(description: &str) -> Option<&'static str> {
    DANISH
        .iter()
        .find(|(en, _)| *en == description)
        .map(|(_, da)| *da)
}

pub struct LoginIdentity {
    pub user_id: String,
    pub name: String,
}

/// A choice on a screen: the value a button sends and its label.
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// Whole minutes, rounded up, from `now` until `until`.
pub fn minutes_until(until: i64, now: i64) -> i64 {
    ((until - now).max(0) + 59) / 60
}

/// What the onboarding's face pages show.
pub struct FaceView {
    /// The chip's photo as a PNG data URI (empty before the chip was read).
    pub chip_photo: String,
    pub selfies: Vec<Choice>,
    pub challenge: String,
}

pub struct AppRequestView {
    pub login: String,
    pub service: String,
    pub action_text: String,
    pub reference: String,
    pub seconds_left: i64,
    pub token: String,
    pub binding_1: String,
    pub binding_2: String,
    /// The QR code was scanned: the app waits for the swipe.
    pub scanned: bool,
}

/// What the app screen shows: the 4-digit code and the QR code's two frames (SVG data URIs).
pub struct AppView {
    pub code: String,
    pub qr_frames: [String; 2],
    pub seconds_left: i64,
}

/// A failure screen.
pub struct FailureView {
    pub title: &'static str,
    pub text: String,
    pub can_retry: bool,
    /// On a block: the other ways of logging in the person can use meanwhile.
    pub others: Vec<MethodChoice>,
}

/// A way of logging in on the choice screen; a blocked one is shown disabled, with the minutes
/// its block lasts.
pub struct MethodChoice {
    pub value: String,
    pub label: String,
    pub blocked_minutes: Option<i64>,
}

/// Every screen of the MitID login: `step` says which; the fields of other steps are empty.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage<'a> {
    pub lang: &'a str,
    pub t: &'static Texts,
    pub client_name: String,
    /// "Log på hos", "Underskriv hos"... (the request's `action_text`).
    pub header: &'static str,
    pub reference_text: Option<&'a str>,
    pub step: &'a str,
    pub action: String,
    pub status_url: String,
    pub csrf: &'a str,
    pub txn_id: &'a str,
    pub rev: u64,
    pub notice: Option<String>,
    pub user_id: String,
    pub methods: Vec<MethodChoice>,
    /// `NemID` on a NemID login (only NemID asked for, or chosen), else `MitID`.
    pub scheme: &'static str,
    pub can_switch: bool,
    pub app: Option<AppView>,
    /// Help text and link to the simulated device for the code, chip and key-card screens.
    pub device_help: &'a str,
    pub device_url: String,
    pub key_number: String,
    pub key_card_low: bool,
    pub business: Vec<Choice>,
    pub allow_private: bool,
    pub failure: Option<FailureView>,
    /// The simulator's shortcut: approve at once as one of these (user-ID screen only).
    pub identities: Vec<LoginIdentity>,
    pub poll: bool,
}

#[derive(Template)]
#[template(path = "logout_confirm.html")]
pub struct LogoutConfirmPage<'a> {
    pub lang: &'a str,
    pub action: &'a str,
    pub csrf: &'a str,
    pub params: &'a [(String, String)],
}

/// After a logout ended a session whose clients registered a `frontchannel_logout_uri`: one
/// hidden iframe per client (OIDC Front-Channel Logout 1.0), then on to `next`.
#[derive(Template)]
#[template(path = "frontchannel_logout.html")]
pub struct FrontchannelLogoutPage<'a> {
    pub lang: &'a str,
    pub frames: &'a [String],
    pub next: Option<&'a str>,
}

/// A finished login asked for again after its answer stopped holding.
#[derive(Template)]
#[template(path = "finished.html")]
pub struct FinishedPage<'a> {
    pub lang: &'a str,
    pub client: &'a str,
    /// The service's address, when it is a web page (http or https) to link to.
    pub service: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage<'a> {
    pub lang: &'a str,
    pub title: &'a str,
    pub text: &'a str,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage<'a> {
    pub lang: &'a str,
    pub issuer: &'a str,
    pub discovery: &'a str,
    pub jwks: &'a str,
    pub openapi: &'a str,
}

/// The simulated app: the requests waiting for it.
#[derive(Template)]
#[template(path = "sim_app.html")]
pub struct SimAppPage {
    pub lang: &'static str,
    pub user_id: String,
    pub name: String,
    /// The request the app shows: the newest waiting for it.
    pub request: Option<AppRequestView>,
    pub said: String,
    pub base: String,
}

/// The simulated code viewer or code reader.
#[derive(Template)]
#[template(path = "sim_code.html")]
pub struct SimCodePage {
    pub lang: &'static str,
    pub reader: bool,
    pub serial: String,
    pub owner: String,
    pub code: String,
    pub seconds_left: u64,
    pub blocked_minutes: Option<i64>,
}

pub struct ChipRequestView {
    pub login: String,
    pub service: String,
    pub token: String,
}

/// The simulated MitID chip.
#[derive(Template)]
#[template(path = "sim_chip.html")]
pub struct SimChipPage {
    pub lang: &'static str,
    pub serial: String,
    pub owner: String,
    pub waiting: Vec<ChipRequestView>,
    pub said: String,
    pub base: String,
}

/// The first onboarding page: choose the document you hold.
#[derive(Template)]
#[template(path = "app_setup_start.html")]
pub struct OnboardingStartPage {
    pub lang: &'static str,
    pub action: &'static str,
    pub documents: Vec<Choice>,
}

/// An onboarding step; `step` says which.
#[derive(Template)]
#[template(path = "app_setup.html")]
pub struct OnboardingPage {
    pub lang: &'static str,
    pub action: String,
    pub csrf: String,
    pub step: &'static str,
    pub problem: Option<String>,
    pub failure: String,
    pub holder: String,
    pub document_number: String,
    pub date_of_birth: String,
    pub date_of_expiry: String,
    pub printed_mrz: String,
    pub scanned_mrz: String,
    pub suggested_cpr: String,
    pub user_id_rules: &'static str,
    pub user_id: String,
    pub face: FaceView,
}

/// The simulated SMS and letters, newest first.
#[derive(Template)]
#[template(path = "sim_outbox.html")]
pub struct SimOutboxPage {
    pub lang: &'static str,
    pub messages: Vec<crate::model::OutboxMessage>,
}

pub struct KeyLine {
    pub key: String,
    pub code: String,
    pub used: bool,
}

/// The simulated NemID key card.
#[derive(Template)]
#[template(path = "sim_keycard.html")]
pub struct SimKeyCardPage {
    pub lang: &'static str,
    pub owner: String,
    pub serial: String,
    pub remaining: usize,
    pub running_low: bool,
    pub replacement: u64,
    pub lines: Vec<KeyLine>,
}

/// Renders a page with a status; a template failure becomes a plain 500.
/// A page with a title and a sentence.
pub fn message_page(status: StatusCode, lang: &str, title: &str, text: &str) -> Response {
    render(status, &MessagePage { lang, title, text })
}

pub fn render(status: StatusCode, page: &impl Template) -> Response {
    render_with(status, page, &Csp::default())
}

/// What a page may do beyond its own origin.
#[derive(Debug, Default)]
pub struct Csp {
    /// Origins its forms may post to or be redirected to after posting (a client's, where a
    /// form's answer sends the browser back to it).
    pub form_action: Vec<String>,
    /// Origins it may frame (front-channel logout).
    pub frame_src: Vec<String>,
}

impl Csp {
    /// The page ends at the client behind `uri` (its form's answer redirects there).
    pub fn ending_at(uri: &str) -> Csp {
        Csp {
            form_action: origin_of(uri).into_iter().collect(),
            frame_src: Vec::new(),
        }
    }

    /// The `Content-Security-Policy` value: scripts only from the broker (no inline script),
    /// style sheets from the broker (the dashboard's) beside the layout's own, no framing of
    /// the page, forms only to the broker and the given origins.
    pub fn header(&self) -> String {
        let list = |extra: &[String]| {
            std::iter::once("'self'".to_string())
                .chain(extra.iter().cloned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let frames = if self.frame_src.is_empty() {
            "'none'".to_string()
        } else {
            self.frame_src.join(" ")
        };
        format!(
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; form-action {}; frame-src {frames}; \
             frame-ancestors 'none'; base-uri 'none'",
            list(&self.form_action)
        )
    }
}

/// The origin of an http(s) URI, as CSP names it; `None` for anything else.
pub fn origin_of(uri: &str) -> Option<String> {
    let url = url::Url::parse(uri).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.origin().ascii_serialization())
}

/// Renders `page` with the headers every HTML page of the broker sends: the CSP, no
/// sniffing, no referrer, not framed, and not cached (pages show codes, PINs, key cards).
pub fn render_with(status: StatusCode, page: &impl Template, csp: &Csp) -> Response {
    let mut response = match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "page failed to render");
            return (StatusCode::INTERNAL_SERVER_ERROR, "page failed to render").into_response();
        }
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&csp.header()) {
        headers.insert(CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The page for a request that cannot be answered to the client. `detail` is logged only.
pub fn error_page(status: StatusCode, error: &OAuthError, lang: &str) -> Response {
    if let Some(detail) = &error.detail {
        tracing::info!(
            error = error.code.as_str(),
            detail,
            "request answered with an error page"
        );
    }
    let (description, technical) = match (lang, danish(&error.description)) {
        ("en", _) => (&error.description[..], None),
        (_, Some(da)) => (da, None),
        (_, None) => (
            "Forespørgslen kunne ikke behandles.",
            Some(&error.description[..]),
        ),
    };
    let mut response = render(
        status,
        &ErrorPage {
            lang,
            code: error.code.as_str(),
            description,
            technical,
        },
    );
    crate::web::responses::mark(&mut response, error);
    response
}
