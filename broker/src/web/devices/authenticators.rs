//! The simulated devices a person logs in with, each a page of its own (open it in another
//! tab, as a phone or a key fob beside the browser): the MitID app, the code viewer, the code
//! reader, the chip, and the NemID key card. They act through `login::flow`, as the real
//! devices act through MitID's back end; a test can use the same actions through the control
//! API.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::sync::Arc;

use crate::app::Broker;
use crate::error::OAuthError;
use crate::login::devices::{self, AppAnswer, DeviceError};
use crate::model::{Device, EnrolledAuthenticator, Identity, LoginTxn, TxnId, UserId};
use crate::oidc::Params;
use crate::paths::{SIM_APP, SIM_CHIP, SIM_CODE_READER, SIM_CODE_VIEWER, SIM_KEY_CARD, SIM_OUTBOX};
use crate::secrets;
use crate::web::responses::see_other;

use crate::clock::UnixTime;
use crate::login::approve::state_refusal;
use crate::login::client_name;
use crate::login::flow::active_app;
use crate::model::AppRequest;
use crate::web::texts::texts;
use crate::web::{device_lang, pages};

pub fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route(&format!("{SIM_APP}/{{user}}"), get(app_page))
        .route(
            &format!("{SIM_APP}/{{user}}/{{login}}"),
            axum::routing::post(app_submit),
        )
        .route(&format!("{SIM_CODE_VIEWER}/{{serial}}"), get(code_viewer))
        .route(&format!("{SIM_CODE_READER}/{{serial}}"), get(code_reader))
        .route(&format!("{SIM_CHIP}/{{serial}}"), get(chip_page))
        .route(
            &format!("{SIM_CHIP}/{{serial}}/{{login}}"),
            axum::routing::post(chip_submit),
        )
        .route(&format!("{SIM_KEY_CARD}/{{user}}"), get(key_card_page))
        .route(SIM_OUTBOX, get(outbox_page))
}

type Shared = State<Arc<Broker>>;

fn page_error(status: StatusCode, message: impl Into<String>) -> Response {
    pages::error_page(status, &OAuthError::invalid_request(message.into()), "en")
}

fn identity_by_user(broker: &Broker, user: &str) -> Result<Identity, Box<Response>> {
    match broker.store.identities.by_user_id(&UserId::new(user)) {
        Ok(Some(i)) => Ok(i),
        Ok(None) => Err(Box::new(page_error(
            StatusCode::NOT_FOUND,
            format!("there is no test identity with user ID {user}"),
        ))),
        Err(e) => Err(Box::new(pages::error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.into(),
            "en",
        ))),
    }
}

/// The token a device page's form carries for one login: derived from the login's own CSRF
/// token, so no other site can make a device answer.
pub fn device_token(txn: &LoginTxn) -> String {
    secrets::hash(&format!("device|{}", txn.csrf))
}

fn token_ok(form: &Params, txn: &LoginTxn) -> bool {
    form.get("token")
        .is_some_and(|t| secrets::constant_time_eq(t, &device_token(txn)))
}

#[derive(Deserialize)]
pub struct Said {
    #[serde(default)]
    said: Option<String>,
    /// The page's language switch (`da` or `en`).
    #[serde(default)]
    lang: Option<String>,
}

// ---- the app

async fn app_page(
    State(b): Shared,
    Path(user): Path<String>,
    Query(q): Query<Said>,
    headers: HeaderMap,
) -> Response {
    let identity = match identity_by_user(&b, &user) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let now = b.now();
    let request = match devices::app_request(&b, &identity, now) {
        Ok(r) => r,
        Err(e) => return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.into(), "da"),
    };
    let login_lang = request
        .as_ref()
        .map(|(txn, _)| crate::web::login::lang(txn));
    let (lang, asked) = device_lang::choose(q.lang.as_deref(), &headers, login_lang);
    let mut response = app_screen(&b, &identity, request, q.said, lang, now);
    if asked {
        device_lang::remember(&b, &mut response, lang);
    }
    response
}

/// The app page: a page that says so for a person without an app or whose MitID cannot be
/// used; the activation screen for an app waiting for its code; else the newest request.
fn app_screen(
    b: &Broker,
    identity: &Identity,
    request: Option<(LoginTxn, AppRequest)>,
    said: Option<String>,
    lang: &'static str,
    now: UnixTime,
) -> Response {
    let en = lang == "en";
    let user = &identity.user_id;
    if let Some(refusal) = state_refusal(identity) {
        let (title, text) = texts(lang).failure(refusal.failure);
        return pages::message_page(StatusCode::FORBIDDEN, lang, title, &text);
    }
    // An app waiting for activation asks for the code from the letter first.
    if let Some(pending) = identity.pending_app() {
        return crate::web::devices::activation::app_activation_page(b, identity, pending, said);
    }
    if active_app(identity).is_none() {
        let (title, text) = if en {
            (
                "No MitID app",
                format!("{user} has no MitID app: they log in another way."),
            )
        } else {
            (
                "Ingen MitID-app",
                format!("{user} har ingen MitID-app og logger på på en anden måde."),
            )
        };
        return pages::message_page(StatusCode::NOT_FOUND, lang, title, &text);
    }
    let view = request.map(|(txn, request)| {
        let binding = &request.binding;
        let (binding_1, binding_2) = binding.split_at(binding.len() / 2);
        pages::AppRequestView {
            login: txn.id.to_string(),
            service: client_name(b, &txn),
            action_text: txn.request.action_text.header(en).into(),
            reference: txn
                .request
                .reference_text
                .clone()
                .unwrap_or_else(|| format!("Login {}", txn.id)),
            seconds_left: (request.expires_at - now).max(0),
            token: device_token(&txn),
            binding_1: binding_1.into(),
            binding_2: binding_2.into(),
            scanned: request.scanned,
        }
    });
    pages::render(
        StatusCode::OK,
        &pages::SimAppPage {
            lang,
            user_id: identity.user_id.to_string(),
            name: identity.name(),
            request: view,
            said: said.unwrap_or_default(),
            base: format!("{SIM_APP}/{}", identity.user_id),
        },
    )
}

async fn app_submit(
    State(b): Shared,
    Path((user, login)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let identity = match identity_by_user(&b, &user) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let back = format!("{SIM_APP}/{}", identity.user_id);
    let form = Params::parse(&body);
    let id = TxnId::new(login);
    let txn = match b.store.logins.get(&id) {
        Ok(Some(t)) => t,
        Ok(None) => return see_other(format!("{back}?said=no_request")),
        Err(e) => return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.into(), "da"),
    };
    if !token_ok(&form, &txn) {
        return page_error(
            StatusCode::FORBIDDEN,
            "the app's form is stale or was not sent from the app page; reload it",
        );
    }
    let answer = match form.get("action") {
        Some("approve") => AppAnswer::Approve {
            code: Some(form.get("code").unwrap_or_default().to_string()),
        },
        Some("scan") => AppAnswer::Scan {
            binding: format!(
                "{}{}",
                form.get("binding_1").unwrap_or_default(),
                form.get("binding_2").unwrap_or_default()
            ),
        },
        Some("swipe") => AppAnswer::Swipe,
        Some("reject") => AppAnswer::Reject,
        _ => {
            return page_error(
                StatusCode::BAD_REQUEST,
                "choose approve, scan, swipe or reject",
            )
        }
    };
    let said_for_ok = match answer {
        AppAnswer::Reject => "rejected",
        AppAnswer::Scan { .. } => "scanned",
        _ => "approved",
    };
    let said = match devices::app_answer(&b, &identity, &id, answer, b.now()) {
        Ok(_) => said_for_ok,
        Err(DeviceError::WrongCode) => "wrong_code",
        Err(DeviceError::Expired) => "expired",
        Err(DeviceError::NoRequest) => "no_request",
        Err(DeviceError::Login(e)) => {
            return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e, "da")
        }
    };
    see_other(format!("{back}?said={said}"))
}

// ---- the code viewer and the code reader

async fn code_viewer(
    State(b): Shared,
    Path(serial): Path<String>,
    Query(q): Query<Said>,
    headers: HeaderMap,
) -> Response {
    in_language(&b, &q, &headers, None, |lang| {
        code_device_page(&b, &serial, Device::CodeViewer, q.said.clone(), lang)
    })
}

async fn code_reader(
    State(b): Shared,
    Path(serial): Path<String>,
    Query(q): Query<Said>,
    headers: HeaderMap,
) -> Response {
    in_language(&b, &q, &headers, None, |lang| {
        code_device_page(&b, &serial, Device::CodeReader, q.said.clone(), lang)
    })
}

/// A device page in its language ([`device_lang::choose`]), remembering one asked for.
fn in_language(
    b: &Broker,
    q: &Said,
    headers: &HeaderMap,
    login: Option<&'static str>,
    page: impl FnOnce(&'static str) -> Response,
) -> Response {
    let (lang, asked) = device_lang::choose(q.lang.as_deref(), headers, login);
    let mut response = page(lang);
    if asked {
        device_lang::remember(b, &mut response, lang);
    }
    response
}

fn code_device_page(
    b: &Broker,
    serial: &str,
    wanted: Device,
    said: Option<String>,
    lang: &'static str,
) -> Response {
    let now = b.now();
    let reading = match devices::read_code_device(b, serial, now) {
        Ok(Some(r)) if r.device == wanted => r,
        Ok(_) => {
            return page_error(
                StatusCode::NOT_FOUND,
                format!(
                    "no test identity holds a {} with serial {serial}",
                    wanted.as_str()
                ),
            )
        }
        Err(e) => return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e, "en"),
    };
    if reading.activation != crate::model::ActivationState::Active {
        return crate::web::devices::activation::code_device_activation_page(
            b,
            serial,
            wanted,
            &reading.identity,
            said,
        );
    }
    pages::render(
        StatusCode::OK,
        &pages::SimCodePage {
            lang,
            reader: wanted == Device::CodeReader,
            serial: serial.to_string(),
            owner: reading.identity.name(),
            code: reading.code,
            seconds_left: reading.seconds_left,
            blocked_minutes: reading
                .blocked_until
                .map(|until| ((until - now).max(0) + 59) / 60),
        },
    )
}

// ---- the chip

fn chip_owner(broker: &Broker, serial: &str) -> Result<Option<Identity>, OAuthError> {
    Ok(broker.store.identities.list()?.into_iter().find(|i| {
        i.authenticators
            .iter()
            .any(|a| matches!(a, EnrolledAuthenticator::Chip { serial: Some(s) } if s == serial))
            || (i.user_id.as_str() == serial
                && i.authenticators
                    .iter()
                    .any(|a| matches!(a, EnrolledAuthenticator::Chip { .. })))
    }))
}

async fn chip_page(
    State(b): Shared,
    Path(serial): Path<String>,
    Query(q): Query<Said>,
    headers: HeaderMap,
) -> Response {
    let identity = match chip_owner(&b, &serial) {
        Ok(Some(i)) => i,
        Ok(None) => {
            return page_error(
                StatusCode::NOT_FOUND,
                format!("no test identity holds a chip with serial {serial}"),
            )
        }
        Err(e) => return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e, "en"),
    };
    let waiting = match devices::chip_requests(&b, &identity, b.now()) {
        Ok(w) => w,
        Err(e) => return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.into(), "da"),
    };
    let login = waiting.first().map(crate::web::login::lang);
    in_language(&b, &q, &headers, login, |lang| {
        pages::render(
            StatusCode::OK,
            &pages::SimChipPage {
                lang,
                serial: serial.clone(),
                owner: identity.name(),
                waiting: waiting
                    .iter()
                    .map(|t| pages::ChipRequestView {
                        login: t.id.to_string(),
                        service: client_name(&b, t),
                        token: device_token(t),
                    })
                    .collect(),
                said: q.said.clone().unwrap_or_default(),
                base: format!("{SIM_CHIP}/{serial}"),
            },
        )
    })
}

async fn chip_submit(
    State(b): Shared,
    Path((serial, login)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let identity = match chip_owner(&b, &serial) {
        Ok(Some(i)) => i,
        Ok(None) => return page_error(StatusCode::NOT_FOUND, "no such chip"),
        Err(e) => return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e, "en"),
    };
    let back = format!("{SIM_CHIP}/{serial}");
    let form = Params::parse(&body);
    let id = TxnId::new(login);
    match b.store.logins.get(&id) {
        Ok(Some(txn)) if token_ok(&form, &txn) => {}
        Ok(Some(_)) => {
            return page_error(StatusCode::FORBIDDEN, "the chip's form is stale; reload it")
        }
        Ok(None) => return see_other(format!("{back}?said=no_request")),
        Err(e) => return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.into(), "en"),
    }
    let said = match devices::chip_touch(&b, &identity, &id, b.now()) {
        Ok(_) => "touched",
        Err(DeviceError::Login(e)) => {
            return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e, "en")
        }
        Err(_) => "no_request",
    };
    see_other(format!("{back}?said={said}"))
}

// ---- the NemID key card

async fn key_card_page(
    State(b): Shared,
    Path(user): Path<String>,
    Query(q): Query<Said>,
    headers: HeaderMap,
) -> Response {
    let identity = match identity_by_user(&b, &user) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let card = match devices::key_card_of(&b, &identity) {
        Ok(Some(card)) => card,
        Ok(None) => {
            return page_error(
                StatusCode::NOT_FOUND,
                format!("{} has no NemID key card", identity.user_id),
            )
        }
        Err(e) => return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e, "en"),
    };
    let (card, issued) = card;
    in_language(&b, &q, &headers, None, |lang| {
        pages::render(
            StatusCode::OK,
            &pages::SimKeyCardPage {
                lang,
                owner: identity.name(),
                serial: card.serial().to_string(),
                remaining: card.remaining(),
                running_low: card.running_low(),
                replacement: issued,
                lines: card
                    .lines()
                    .map(|(key, code)| pages::KeyLine {
                        key: key.to_string(),
                        code: code.to_string(),
                        used: card.is_used(key),
                    })
                    .collect(),
            },
        )
    })
}

// ---- the outbox: the SMS and letters the simulator "sent"

async fn outbox_page(State(b): Shared) -> Response {
    match b.store.outbox.list(100) {
        Ok(messages) => pages::render(
            StatusCode::OK,
            &pages::SimOutboxPage {
                lang: "en",
                messages,
            },
        ),
        Err(e) => pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.into(), "en"),
    }
}
