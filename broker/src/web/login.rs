//! The login screens (`/login/{txn}`): the simulated MitID flow of `login::flow`, one plain
//! HTML form per screen, answered with Post/Redirect/Get so a form-walker (or a person
//! pressing reload) never sends a form twice. A settled login (from here, a simulated device
//! or the control API) finishes by redirecting to the client.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use std::sync::Arc;

use crate::app::Broker;
use crate::error::OAuthError;
use crate::login::flow::{self, Input};
use crate::login::{
    self,
    finish::{finish, Finished},
    DecideError,
};
use crate::model::{
    BusinessRole, DecisionOutcome, Device, EnrolledAuthenticator, Failure, Identity, LoginTxn,
    Method, Step, TxnId, UserId,
};
use crate::oidc::Params;
use crate::paths;
use crate::paths::{SIM_APP, SIM_CHIP, SIM_CODE_READER, SIM_CODE_VIEWER, SIM_KEY_CARD};
use crate::secrets;
use crate::web::oidc::authorize_result_response;
use crate::web::pages::{
    self, AppView, Choice, FailureView, LoginIdentity, LoginPage, MethodChoice,
};
use crate::web::responses::no_store_json;
use crate::web::responses::see_other;
use crate::web::texts::{texts, Texts};
use crate::web::{device_lang, qr};

pub fn lang(txn: &LoginTxn) -> &'static str {
    match txn.flow.lang.as_deref() {
        Some("en") => "en",
        Some(_) => "da",
        None if txn.request.english() => "en",
        None => "da",
    }
}

fn not_found() -> Response {
    pages::error_page(
        StatusCode::NOT_FOUND,
        &OAuthError::invalid_request("there is no such login; start again from the application"),
        "da",
    )
}

fn load(broker: &Broker, id: &str) -> Result<LoginTxn, Box<Response>> {
    let loaded = broker.store.logins.get(&TxnId::new(id)).and_then(|t| {
        t.map(|t| flow::refresh(broker, t, broker.now()))
            .transpose()
    });
    match loaded {
        Ok(Some(txn)) => Ok(txn),
        Ok(None) => Err(Box::new(not_found())),
        Err(e) => Err(Box::new(pages::error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.into(),
            "da",
        ))),
    }
}

#[tracing::instrument(name = "login", skip_all, fields(login = %id))]
pub async fn show(
    State(broker): State<Arc<Broker>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match load(&broker, &id) {
        Ok(txn) => respond(&broker, &in_remembered_language(&broker, txn, &headers)),
        Err(r) => *r,
    }
}

/// A login the person has not switched the language of takes the language they chose before
/// (on a login page or a device page), over the client's `ui_locales`.
fn in_remembered_language(broker: &Broker, txn: LoginTxn, headers: &HeaderMap) -> LoginTxn {
    let Some(remembered) = device_lang::remembered(headers) else {
        return txn;
    };
    if txn.flow.lang.is_some() || !txn.status.is_pending() || lang(&txn) == remembered {
        return txn;
    }
    let mut flow = txn.flow.clone();
    flow.lang = Some(remembered.into());
    match broker
        .store
        .logins
        .update_flow(&txn.id, txn.flow.rev, &flow)
    {
        Ok(Some(updated)) => updated,
        // Written meanwhile, or the store failed: the page shows what stands.
        _ => txn,
    }
}

/// What the waiting screens poll: they reload when `rev` or `status` changes.
#[tracing::instrument(name = "login", skip_all, fields(login = %id))]
pub async fn status(State(broker): State<Arc<Broker>>, Path(id): Path<String>) -> Response {
    let txn = match load(&broker, &id) {
        Ok(t) => t,
        Err(_) => return no_store_json(StatusCode::NOT_FOUND, &json!({"error": "no such login"})),
    };
    let seconds_left = match &txn.flow.step {
        Step::App(request) => Some((request.expires_at - broker.now()).max(0)),
        _ => None,
    };
    no_store_json(
        StatusCode::OK,
        &json!({
            "status": txn.status.name(),
            "rev": txn.flow.rev,
            "step": txn.flow.step.name(),
            "seconds_left": seconds_left,
        }),
    )
}

/// Finishes a settled login; shows the screen of a pending one.
fn respond(broker: &Broker, txn: &LoginTxn) -> Response {
    let lang = lang(txn);
    let now = broker.now();
    if !txn.status.is_pending() {
        // The issuer the request came in by answers it (its `iss`, its session cookie).
        let issuer = broker.for_profile(txn.request.profile);
        return match finish(&issuer, txn, now) {
            Ok(Finished::Answer(result)) => authorize_result_response(&issuer, result, lang),
            Ok(Finished::Before { client, service }) => {
                let web = service.starts_with("https://") || service.starts_with("http://");
                pages::render(
                    StatusCode::OK,
                    &pages::FinishedPage {
                        lang,
                        client: &client,
                        service: web.then_some(service.as_str()),
                    },
                )
            }
            Err(e) => pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e, lang),
        };
    }
    if txn.expires_at <= now {
        return expired_page(lang);
    }
    match screen(broker, txn, texts(lang)) {
        // Its forms' answers end at the client (the login finishes with a redirect there).
        Ok(page) => pages::render_with(
            StatusCode::OK,
            &page,
            &pages::Csp::ending_at(&txn.request.redirect_uri),
        ),
        Err(e) => pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e, lang),
    }
}

/// A NemID login: the client asked for NemID only, or the person chose it.
fn is_nemid(txn: &LoginTxn) -> bool {
    let idps = &txn.request.idp_values;
    txn.flow.method == Some(Method::Nemid)
        || (!idps.is_empty() && idps.iter().all(|i| *i == crate::model::Idp::Nemid))
}

/// The ways offered on the choice screen, each marked with its block, if any.
fn method_choices(
    broker: &Broker,
    identity: Option<&crate::model::Identity>,
    offered: &[Method],
    t: &Texts,
    now: crate::clock::UnixTime,
) -> Result<Vec<MethodChoice>, OAuthError> {
    let blocked = match identity {
        Some(identity) => flow::blocked_methods(broker, identity, offered, now)?,
        None => Vec::new(),
    };
    Ok(offered
        .iter()
        .map(|m| MethodChoice {
            value: m.as_str().into(),
            label: t.method(*m).into(),
            blocked_minutes: blocked
                .iter()
                .find(|(b, _)| b == m)
                .map(|(_, until)| pages::minutes_until(*until, now)),
        })
        .collect())
}

fn expired_page(lang: &str) -> Response {
    pages::error_page(
        StatusCode::GONE,
        &OAuthError::invalid_request("this login has expired; start again from the application"),
        lang,
    )
}

/// The serial of the identity's device of this kind (or a stable stand-in when it has none).
fn serial_of(identity: &Identity, device: Device) -> String {
    identity
        .authenticators
        .iter()
        .filter(|a| a.is_active())
        .find_map(|a| match (a, device) {
            (EnrolledAuthenticator::CodeViewer { serial, .. }, Device::CodeViewer)
            | (EnrolledAuthenticator::CodeReader { serial, .. }, Device::CodeReader)
            | (EnrolledAuthenticator::Chip { serial }, Device::Chip) => serial.clone(),
            _ => None,
        })
        .unwrap_or_else(|| identity.user_id.to_string())
}

fn screen<'a>(
    broker: &Broker,
    txn: &'a LoginTxn,
    t: &'static Texts,
) -> Result<LoginPage<'a>, OAuthError> {
    let now = broker.now();
    let flow = &txn.flow;
    let identity = match &flow.identity_id {
        Some(id) => broker.store.identities.get(id)?,
        None => None,
    };
    let required = broker.required_level(&txn.request);
    let offered = identity
        .as_ref()
        .map(|i| flow::offered_methods(i, &txn.request, required))
        .unwrap_or_default();
    let user = flow.user_id.as_ref().map(UserId::to_string);
    let mut page = LoginPage {
        lang: t.lang,
        t,
        client_name: login::client_name(broker, txn),
        header: txn.request.action_text.header(t.lang == "en"),
        reference_text: txn.request.reference_text.as_deref(),
        step: flow.step.name(),
        action: format!("{}/{}", broker.base_issuer().endpoint(paths::LOGIN), txn.id),
        status_url: format!(
            "{}/{}/status",
            broker.base_issuer().endpoint(paths::LOGIN),
            txn.id
        ),
        csrf: &txn.csrf,
        txn_id: txn.id.as_str(),
        rev: flow.rev,
        notice: flow.notice.as_ref().map(|n| t.notice(n)),
        user_id: user
            .clone()
            .or_else(|| txn.request.login_hint.clone())
            .unwrap_or_default(),
        methods: Vec::new(),
        scheme: if is_nemid(txn) { "NemID" } else { "MitID" },
        can_switch: offered.len() > 1,
        app: None,
        device_help: "",
        device_url: String::new(),
        key_number: String::new(),
        key_card_low: false,
        business: Vec::new(),
        allow_private: false,
        failure: None,
        identities: Vec::new(),
        poll: false,
    };
    let user = user.unwrap_or_default();
    match &flow.step {
        Step::UserId => {
            page.can_switch = false;
            page.identities = broker
                .store
                .identities
                .list()?
                .iter()
                .map(|i| LoginIdentity {
                    user_id: i.user_id.to_string(),
                    name: i.name(),
                })
                .collect();
        }
        Step::Choose => {
            page.can_switch = false;
            page.methods = method_choices(broker, identity.as_ref(), &offered, t, now)?;
        }
        Step::App(request) => {
            let frames = qr::frame_payloads(&request.binding, flow.rev);
            page.app = Some(AppView {
                code: request.code.clone(),
                qr_frames: frames.map(|f| qr::svg_data_uri(&f)),
                seconds_left: (request.expires_at - now).max(0),
            });
            page.device_url = format!("{SIM_APP}/{user}");
            page.poll = true;
        }
        Step::Code => {
            let (help, base, device) = match flow.method {
                Some(Method::CodeReader) => {
                    (t.code_reader_help, SIM_CODE_READER, Device::CodeReader)
                }
                _ => (t.code_viewer_help, SIM_CODE_VIEWER, Device::CodeViewer),
            };
            page.device_help = help;
            if let Some(identity) = &identity {
                page.device_url = format!("{base}/{}", serial_of(identity, device));
            }
        }
        Step::Password => {}
        Step::Chip => {
            if let Some(identity) = &identity {
                page.device_url = format!("{SIM_CHIP}/{}", serial_of(identity, Device::Chip));
            }
            page.poll = true;
        }
        Step::KeyCard { key } => {
            page.key_number = key.to_string();
            page.device_url = format!("{SIM_KEY_CARD}/{user}");
            if let Some(identity) = &identity {
                let devices = broker.store.devices.get(&identity.id)?;
                page.key_card_low = devices.key_card.as_ref().is_some_and(|c| c.running_low());
            }
        }
        Step::Cpr => {}
        Step::Business => {
            page.can_switch = false;
            page.allow_private = flow::allows_private(&txn.request);
            page.business = identity
                .iter()
                .flat_map(|i| i.business.iter())
                .map(|b| Choice {
                    value: b.professional_uuid.clone(),
                    label: format!(
                        "{} (CVR {}), {}",
                        b.organisation_name,
                        b.cvr,
                        match b.role {
                            BusinessRole::Employee => t.employee,
                            BusinessRole::Signatory => t.signatory,
                        }
                    ),
                })
                .collect();
        }
        Step::Failed { failure } => {
            let (title, mut text) = t.failure(*failure);
            let mut others = Vec::new();
            if let Failure::AuthenticatorBlocked { until, .. } = failure {
                let minutes = pages::minutes_until(*until, now);
                text = if *until > now {
                    format!("{text} {}", t.blocked_for(minutes))
                } else {
                    format!("{text} {}", t.block_over())
                };
                // The ways not blocked, to log in with meanwhile.
                others = method_choices(broker, identity.as_ref(), &offered, t, now)?
                    .into_iter()
                    .filter(|m| m.blocked_minutes.is_none())
                    .collect();
            }
            page.failure = Some(FailureView {
                title,
                text,
                others,
                can_retry: match failure {
                    Failure::UnknownUser
                    | Failure::ApprovalExpired
                    | Failure::AppCodeRefused
                    | Failure::AppRequestReplaced => true,
                    // Trying the blocked way again only helps once its block is over.
                    Failure::AuthenticatorBlocked { until, .. } => *until <= now,
                    _ => false,
                },
            });
        }
    }
    if !page.device_url.is_empty() {
        // The device page opens in the login's language.
        page.device_url = format!("{}?lang={}", page.device_url, t.lang);
    }
    Ok(page)
}

/// The form's input, from its `action` (and the field that goes with it).
fn input_of(form: &Params) -> Option<Input> {
    let field = |name| form.get(name).unwrap_or_default().to_string();
    Some(match form.get("action")? {
        "user_id" => Input::UserId(field("user_id")),
        "choose" => Input::Choose(Method::parse(form.get("method")?)?),
        "code" => Input::Code(field("code")),
        "password" => Input::Password(field("password")),
        "cpr" => Input::Cpr(field("cpr")),
        "business" => Input::Business(match form.get("business")? {
            "private" => None,
            uuid => Some(uuid.to_string()),
        }),
        "switch" => Input::Switch,
        "retry" => Input::Retry,
        "cancel" => Input::Cancel,
        "leave" => Input::Leave,
        _ => return None,
    })
}

#[tracing::instrument(name = "login", skip_all, fields(login = %id))]
pub async fn submit(
    State(broker): State<Arc<Broker>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let txn = match load(&broker, &id) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let form = Params::parse(&body);
    let lang = lang(&txn);
    let csrf_ok = form
        .get("csrf")
        .is_some_and(|c| !txn.csrf.is_empty() && secrets::constant_time_eq(c, &txn.csrf));
    if !csrf_ok {
        return pages::error_page(
            StatusCode::FORBIDDEN,
            &OAuthError::invalid_request(
                "the form is stale or was not sent from this page; reload it",
            ),
            lang,
        );
    }
    let page = format!("{}/{}", broker.base_issuer().endpoint(paths::LOGIN), txn.id);
    let now = broker.now();
    if txn.status.is_pending() && txn.expires_at <= now {
        return expired_page(lang);
    }
    if let Some(chosen) = form.get("lang") {
        let chosen = if chosen == "en" { "en" } else { "da" };
        if txn.status.is_pending() {
            let mut flow = txn.flow.clone();
            flow.lang = Some(chosen.into());
            if let Err(e) = broker
                .store
                .logins
                .update_flow(&txn.id, txn.flow.rev, &flow)
            {
                return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.into(), lang);
            }
        }
        // Remembered for the device pages and the next login.
        let mut response = see_other(&page);
        device_lang::remember(&broker, &mut response, chosen);
        return response;
    }
    if form.get("action") == Some("approve") {
        return shortcut(&broker, &txn, &form, lang);
    }
    let Some(input) = input_of(&form) else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            &OAuthError::invalid_request("the form has no action this page knows"),
            lang,
        );
    };
    // A password check (Argon2) takes milliseconds of CPU: off the async workers.
    let worker = Arc::clone(&broker);
    let submitted =
        tokio::task::spawn_blocking(move || flow::submit(&worker, &txn, input, now)).await;
    let submitted = submitted.unwrap_or_else(|e| {
        Err(OAuthError::server_error(format!(
            "the login step failed: {e}"
        )))
    });
    match submitted {
        Ok(t) if !t.status.is_pending() => respond(&broker, &t),
        Ok(_) => see_other(&page),
        Err(e) => pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, &e, lang),
    }
}

/// The simulator's shortcut: approve at once as a test identity (an explicit decision, like
/// the control API's).
fn shortcut(broker: &Broker, txn: &LoginTxn, form: &Params, lang: &str) -> Response {
    let outcome = DecisionOutcome::Approve {
        user_id: form.get("user_id").map(UserId::new),
        business: None,
    };
    let settled = match login::decide(broker, &txn.id, &outcome, "login_page", broker.now()) {
        Ok(t) => t,
        // Someone else decided first: finish with the outcome that stands.
        Err(DecideError::AlreadySettled(t)) => *t,
        Err(e) => {
            return pages::error_page(
                StatusCode::BAD_REQUEST,
                &OAuthError::invalid_request(e.to_string()),
                lang,
            )
        }
    };
    respond(broker, &settled)
}
