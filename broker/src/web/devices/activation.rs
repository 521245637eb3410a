//! Activating a new device on its own page, and the person's self-service page where a code
//! viewer or code reader is ordered. A device waiting for activation shows the activation form
//! instead of codes (the app instead of its requests); the forms answer with
//! Post/Redirect/Get, and the core is `enrolment::activation`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use std::sync::Arc;

use crate::app::Broker;
use crate::enrolment::activation::{self, ActivationError};
use crate::error::OAuthError;
use crate::login::devices;
use crate::mitid::PendingActivation;
use crate::model::ActivationState;
use crate::model::{Device, EnrolledAuthenticator, Identity, UserId};
use crate::oidc::Params;
use crate::paths::{
    SIM_APP, SIM_CHIP, SIM_CODE_READER, SIM_CODE_VIEWER, SIM_OUTBOX, SIM_SELF_SERVICE,
};
use crate::secrets;
use crate::web::pages;
use crate::web::responses::see_other;

pub fn router() -> Router<Arc<Broker>> {
    Router::new()
        .route(
            &format!("{SIM_CODE_VIEWER}/{{serial}}/activate"),
            post(activate_code_viewer),
        )
        .route(
            &format!("{SIM_CODE_READER}/{{serial}}/activate"),
            post(activate_code_reader),
        )
        .route(&format!("{SIM_APP}/{{user}}/activate"), post(activate_app))
        .route(&format!("{SIM_SELF_SERVICE}/{{user}}"), get(self_service))
        .route(
            &format!("{SIM_SELF_SERVICE}/{{user}}/order"),
            post(self_service_order),
        )
}

type Shared = State<Arc<Broker>>;

/// A form token for a simulator page without a session: an HMAC-like hash over the instance's
/// secret, the form's purpose and what it acts on. Another site cannot read the page, so it
/// cannot learn the token, and the token changes with each new activation letter.
pub fn form_token(broker: &Broker, purpose: &str, key: &str) -> String {
    secrets::hash(&format!("{}|form|{purpose}|{key}", broker.pairwise_salt))
}

pub fn form_token_ok(broker: &Broker, form: &Params, purpose: &str, key: &str) -> bool {
    form.get("csrf")
        .is_some_and(|t| secrets::constant_time_eq(t, &form_token(broker, purpose, key)))
}

fn activation_key(subject: &str, pending: Option<&PendingActivation>) -> String {
    format!("{subject}|{}", pending.map_or(0, |p| p.issued_at))
}

fn page_error(status: StatusCode, message: impl Into<String>) -> Response {
    pages::error_page(status, &OAuthError::invalid_request(message.into()), "en")
}

fn server_error(e: impl Into<OAuthError>) -> Response {
    pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.into(), "en")
}

#[derive(Deserialize, Default)]
pub struct OrderedQuery {
    /// The serial just ordered (or `app`), to say so on the page.
    #[serde(default)]
    ordered: Option<String>,
}

/// The activation page of a device waiting for activation.
#[derive(askama::Template)]
#[template(path = "sim_activate.html")]
pub struct ActivatePage {
    pub lang: &'static str,
    pub heading: String,
    pub device_name: &'static str,
    pub owner: String,
    pub state: &'static str,
    pub blocked: bool,
    pub attempts_left: u32,
    pub said: String,
    pub action: String,
    pub csrf: String,
    pub outbox: &'static str,
    pub self_service: String,
}

fn device_name(device: Device) -> &'static str {
    match device {
        Device::CodeReader => "code reader",
        Device::App => "MitID app",
        _ => "code viewer",
    }
}

/// What an activation page is about.
struct Activating<'a> {
    identity: &'a Identity,
    device: Device,
    heading: String,
    /// Where the form posts.
    action: String,
    pending: Option<&'a PendingActivation>,
    /// The serial or user ID the form token is bound to.
    key: &'a str,
}

fn activate_page(broker: &Broker, subject: Activating<'_>, said: Option<String>) -> Response {
    let pending = subject.pending;
    let state = match pending {
        None => ActivationState::Active,
        Some(p) if p.blocked => ActivationState::Blocked,
        Some(p) => ActivationState::Pending {
            attempts_left: p.attempts_left(),
        },
    };
    pages::render(
        StatusCode::OK,
        &ActivatePage {
            lang: "en",
            heading: subject.heading,
            device_name: device_name(subject.device),
            owner: subject.identity.name(),
            state: state.as_str(),
            blocked: state == ActivationState::Blocked,
            attempts_left: pending.map_or(0, PendingActivation::attempts_left),
            said: said.unwrap_or_default(),
            action: subject.action,
            csrf: form_token(broker, "activate", &activation_key(subject.key, pending)),
            outbox: SIM_OUTBOX,
            self_service: format!("{SIM_SELF_SERVICE}/{}", subject.identity.user_id),
        },
    )
}

fn device_base(device: Device) -> &'static str {
    if device == Device::CodeReader {
        SIM_CODE_READER
    } else {
        SIM_CODE_VIEWER
    }
}

/// The code device's page while it waits for activation (called by the device page).
pub fn code_device_activation_page(
    broker: &Broker,
    serial: &str,
    device: Device,
    identity: &Identity,
    said: Option<String>,
) -> Response {
    let pending = identity
        .authenticators
        .iter()
        .find(|a| a.serial() == Some(serial))
        .and_then(EnrolledAuthenticator::pending_activation);
    let base = device_base(device);
    let subject = Activating {
        identity,
        device,
        heading: format!("{} {serial}", capitalised(device_name(device))),
        action: format!("{base}/{serial}/activate"),
        pending,
        key: serial,
    };
    activate_page(broker, subject, said)
}

/// The app's page while it waits for activation (called by the app page).
pub fn app_activation_page(
    broker: &Broker,
    identity: &Identity,
    pending: &PendingActivation,
    said: Option<String>,
) -> Response {
    let subject = Activating {
        identity,
        device: Device::App,
        heading: format!("MitID app of {}", identity.name()),
        action: format!("{SIM_APP}/{}/activate", identity.user_id),
        pending: Some(pending),
        key: identity.user_id.as_str(),
    };
    activate_page(broker, subject, said)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The word the page shows after an attempt.
fn said_for(result: Result<(), ActivationError>) -> Result<&'static str, Box<Response>> {
    match result {
        Ok(()) | Err(ActivationError::AlreadyActive) => Ok("activated"),
        Err(ActivationError::Wrong { .. }) => Ok("wrong"),
        Err(ActivationError::Blocked) => Ok("blocked"),
        Err(e @ (ActivationError::NoSuchDevice(_) | ActivationError::NoApp(_))) => {
            Err(Box::new(page_error(StatusCode::NOT_FOUND, e.to_string())))
        }
        Err(e @ ActivationError::NotACodeDevice) => {
            Err(Box::new(page_error(StatusCode::BAD_REQUEST, e.to_string())))
        }
        Err(ActivationError::Store(e)) => Err(Box::new(server_error(e))),
    }
}

async fn activate_code_viewer(
    State(b): Shared,
    Path(serial): Path<String>,
    body: Bytes,
) -> Response {
    activate_code_device(&b, &serial, Device::CodeViewer, &body)
}

async fn activate_code_reader(
    State(b): Shared,
    Path(serial): Path<String>,
    body: Bytes,
) -> Response {
    activate_code_device(&b, &serial, Device::CodeReader, &body)
}

fn activate_code_device(b: &Broker, serial: &str, wanted: Device, body: &Bytes) -> Response {
    let identity = match devices::find_code_device(b, serial) {
        Ok(Some((identity, device))) if device == wanted => identity,
        Ok(_) => {
            return page_error(
                StatusCode::NOT_FOUND,
                format!(
                    "no test identity holds a {} with serial {serial}",
                    device_name(wanted)
                ),
            )
        }
        Err(e) => return server_error(e),
    };
    let pending = identity
        .authenticators
        .iter()
        .find(|a| a.serial() == Some(serial))
        .and_then(EnrolledAuthenticator::pending_activation);
    let form = Params::parse(body);
    let back = format!("{}/{serial}", device_base(wanted));
    if !form_token_ok(b, &form, "activate", &activation_key(serial, pending)) {
        return page_error(
            StatusCode::FORBIDDEN,
            "the activation form is stale or was not sent from the device page; reload it",
        );
    }
    let typed = form.get("activation_code").unwrap_or_default();
    if typed.trim().is_empty() {
        return see_other(format!("{back}?said=empty"));
    }
    let result = activation::activate_code_device(b, serial, typed).map(|_| ());
    match said_for(result) {
        Ok(said) => see_other(format!("{back}?said={said}")),
        Err(response) => *response,
    }
}

async fn activate_app(State(b): Shared, Path(user): Path<String>, body: Bytes) -> Response {
    let identity = match b.store.identities.by_user_id(&UserId::new(&user)) {
        Ok(Some(i)) => i,
        Ok(None) => {
            return page_error(
                StatusCode::NOT_FOUND,
                format!("there is no test identity with user ID {user}"),
            )
        }
        Err(e) => return server_error(e),
    };
    let back = format!("{SIM_APP}/{}", identity.user_id);
    let pending = identity.pending_app();
    let form = Params::parse(&body);
    let key = activation_key(identity.user_id.as_str(), pending);
    if !form_token_ok(&b, &form, "activate", &key) {
        return page_error(
            StatusCode::FORBIDDEN,
            "the activation form is stale or was not sent from the app page; reload it",
        );
    }
    let typed = form.get("activation_code").unwrap_or_default();
    if typed.trim().is_empty() {
        return see_other(format!("{back}?said=empty"));
    }
    match said_for(activation::activate_app(&b, &identity, typed).map(|_| ())) {
        Ok(said) => see_other(format!("{back}?said={said}")),
        Err(response) => *response,
    }
}

// ---- self-service

pub struct AuthenticatorRow {
    pub kind: &'static str,
    pub serial: String,
    pub url: Option<String>,
    pub state: &'static str,
    pub state_text: String,
}

#[derive(askama::Template)]
#[template(path = "sim_self_service.html")]
pub struct SelfServicePage {
    pub lang: &'static str,
    pub user_id: String,
    pub name: String,
    pub authenticators: Vec<AuthenticatorRow>,
    pub ordered: Option<String>,
    pub error: Option<String>,
    pub action: String,
    pub csrf: String,
    pub outbox: &'static str,
}

fn rows(identity: &Identity) -> Vec<AuthenticatorRow> {
    identity
        .authenticators
        .iter()
        .map(|a| {
            let state = ActivationState::of(a);
            let serial = a.serial().unwrap_or_default().to_string();
            let url = match a {
                EnrolledAuthenticator::App { .. } => Some(format!("{SIM_APP}/{}", identity.user_id)),
                EnrolledAuthenticator::CodeViewer { serial: Some(s), .. } => {
                    Some(format!("{SIM_CODE_VIEWER}/{s}"))
                }
                EnrolledAuthenticator::CodeReader { serial: Some(s), .. } => {
                    Some(format!("{SIM_CODE_READER}/{s}"))
                }
                EnrolledAuthenticator::Chip { serial: Some(s) } => Some(format!("{SIM_CHIP}/{s}")),
                _ => None,
            };
            let state_text = match state {
                ActivationState::Active => "in use".to_string(),
                ActivationState::Pending { attempts_left } => format!(
                    "waiting for the activation code from the letter ({attempts_left} attempt(s) left)"
                ),
                ActivationState::Blocked => {
                    "activation blocked after three wrong codes: order a new one".to_string()
                }
            };
            AuthenticatorRow {
                kind: a.kind_name(),
                serial: if serial.is_empty() && url.is_some() {
                    "open".into()
                } else {
                    serial
                },
                url,
                state: state.as_str(),
                state_text,
            }
        })
        .collect()
}

fn self_service_page(
    broker: &Broker,
    identity: &Identity,
    ordered: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    pages::render(
        status,
        &SelfServicePage {
            lang: "en",
            user_id: identity.user_id.to_string(),
            name: identity.name(),
            authenticators: rows(identity),
            ordered,
            error,
            action: format!("{SIM_SELF_SERVICE}/{}/order", identity.user_id),
            csrf: form_token(broker, "self-service", identity.id.as_str()),
            outbox: SIM_OUTBOX,
        },
    )
}

fn identity_or_page(b: &Broker, user: &str) -> Result<Identity, Box<Response>> {
    match b.store.identities.by_user_id(&UserId::new(user)) {
        Ok(Some(i)) => Ok(i),
        Ok(None) => Err(Box::new(page_error(
            StatusCode::NOT_FOUND,
            format!("there is no test identity with user ID {user}"),
        ))),
        Err(e) => Err(Box::new(server_error(e))),
    }
}

async fn self_service(
    State(b): Shared,
    Path(user): Path<String>,
    Query(q): Query<OrderedQuery>,
) -> Response {
    match identity_or_page(&b, &user) {
        Ok(identity) => self_service_page(&b, &identity, q.ordered, None, StatusCode::OK),
        Err(r) => *r,
    }
}

async fn self_service_order(State(b): Shared, Path(user): Path<String>, body: Bytes) -> Response {
    let identity = match identity_or_page(&b, &user) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let form = Params::parse(&body);
    if !form_token_ok(&b, &form, "self-service", identity.id.as_str()) {
        return page_error(
            StatusCode::FORBIDDEN,
            "the order form is stale or was not sent from the self-service page; reload it",
        );
    }
    let device = match form.get("kind") {
        Some("code_viewer") => Device::CodeViewer,
        Some("code_reader") => Device::CodeReader,
        Some("app") => Device::App,
        _ => {
            return self_service_page(
                &b,
                &identity,
                None,
                Some("Choose a code viewer, a code reader or a new app.".into()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    match activation::order_device(&b, &identity, device, b.now()) {
        Ok(ordered) => see_other(format!(
            "{SIM_SELF_SERVICE}/{}?ordered={}",
            identity.user_id,
            ordered.serial.as_deref().unwrap_or("app")
        )),
        Err(ActivationError::Store(e)) => server_error(e),
        Err(e) => self_service_page(
            &b,
            &identity,
            None,
            Some(e.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}
