//! Identities: the list with search, a page per person (claims per profile, authenticators,
//! devices, rule, business identities, device pages), forms to create and edit one, set a
//! rule, block or unblock a device. Every change goes through `sim::identities` and
//! `sim::devices`, as the control API's do.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};
use std::sync::Arc;

use super::texts::DashTexts;
use super::{asked, checked_form, done, error_page, sim_failure, utc, Form, Frame, PageQuery};
use crate::app::Broker;
use crate::mitid::PasswordHash;
use crate::model::{EnrolledAuthenticator, Identity};
use crate::paths::{
    SIM_APP, SIM_CHIP, SIM_CODE_READER, SIM_CODE_VIEWER, SIM_IDENTITIES, SIM_KEY_CARD,
    SIM_SELF_SERVICE,
};
use crate::sim::{self, SimError};

type Shared = State<Arc<Broker>>;

/// The rules an identity can carry, by name; `""`: none.
pub const RULES: [&str; 6] = [
    "",
    "always_approves",
    "always_cancels",
    "locked",
    "app_times_out",
    "wrong_code",
];
const LEVELS: [&str; 3] = ["low", "substantial", "high"];
const STATUSES: [&str; 3] = ["active", "suspended", "revoked"];

fn failed(b: &Broker, headers: &HeaderMap, e: &SimError, back: &str) -> Response {
    let (status, message) = sim_failure(e);
    error_page(b, headers, status, message, back)
}

fn name_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

pub struct ListRow {
    pub user_id: String,
    pub href: String,
    pub name: String,
    pub reaches: String,
    pub status: &'static str,
    pub rule: String,
}

#[derive(Template)]
#[template(path = "dash_identities.html")]
struct ListPage {
    lang: &'static str,
    f: Frame,
    q: String,
    rows: Vec<ListRow>,
}

fn reaches(identity: &Identity, t: &DashTexts) -> String {
    identity
        .reachable_level()
        .map_or_else(|| t.cannot_log_in.to_string(), |l| l.name().to_string())
}

/// Whether `identity` matches the search: user ID, name, CPR number or UUID, in any case.
fn matches(identity: &Identity, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return true;
    }
    let cpr = identity.cpr.map(|c| c.to_digits()).unwrap_or_default();
    identity.user_id.as_str().to_lowercase().contains(&q)
        || identity.name().to_lowercase().contains(&q)
        || identity.id.as_str().to_lowercase().contains(&q)
        || (!cpr.is_empty() && cpr.contains(&q.replace('-', "")))
}

pub async fn list(State(b): Shared, Query(q): Query<PageQuery>, headers: HeaderMap) -> Response {
    let asked = asked(&q, &headers);
    let t = asked.t();
    let search = q.q.clone().unwrap_or_default();
    let identities = match b.store.identities.list() {
        Ok(list) => list,
        Err(e) => return failed(&b, &headers, &e.into(), SIM_IDENTITIES),
    };
    let rows = identities
        .iter()
        .filter(|i| matches(i, &search))
        .map(|i| ListRow {
            user_id: i.user_id.to_string(),
            href: format!("{SIM_IDENTITIES}/{}", i.user_id),
            name: i.name(),
            reaches: reaches(i, t),
            status: i.status.as_str(),
            rule: i.rule.as_ref().map(name_of).unwrap_or_default(),
        })
        .collect();
    let page = ListPage {
        lang: asked.lang,
        f: asked.frame(&b, "identities"),
        q: search,
        rows,
    };
    asked.render(&b, StatusCode::OK, &page)
}

/// What the create and edit forms show.
pub struct FormValues {
    pub action: String,
    pub editing: bool,
    pub user_id: String,
    pub given_name: String,
    pub family_name: String,
    pub birthdate: String,
    pub cpr: String,
    pub ial: String,
    pub status: String,
    pub email: String,
    pub phone: String,
    pub protected: bool,
    pub app: bool,
    pub app_high: bool,
    pub code_viewer: bool,
    pub code_reader: bool,
    pub chip: bool,
    pub password_set: bool,
    pub rule: String,
}

impl FormValues {
    fn blank() -> FormValues {
        FormValues {
            action: SIM_IDENTITIES.to_string(),
            editing: false,
            user_id: String::new(),
            given_name: String::new(),
            family_name: String::new(),
            birthdate: String::new(),
            cpr: String::new(),
            ial: "substantial".into(),
            status: "active".into(),
            email: String::new(),
            phone: String::new(),
            protected: false,
            app: true,
            app_high: false,
            code_viewer: false,
            code_reader: false,
            chip: false,
            password_set: false,
            rule: String::new(),
        }
    }

    fn of(identity: &Identity) -> FormValues {
        let has = |f: fn(&EnrolledAuthenticator) -> bool| identity.authenticators.iter().any(f);
        FormValues {
            action: format!("{SIM_IDENTITIES}/{}", identity.user_id),
            editing: true,
            user_id: identity.user_id.to_string(),
            given_name: identity.given_name.clone(),
            family_name: identity.family_name.clone(),
            birthdate: identity.birthdate.clone().unwrap_or_default(),
            cpr: identity.cpr.map(|c| c.to_string()).unwrap_or_default(),
            ial: identity.ial.name().to_string(),
            status: identity.status.as_str().to_string(),
            email: identity.email.clone().unwrap_or_default(),
            phone: identity.phone_number.clone().unwrap_or_default(),
            protected: identity.name_address_protected,
            app: has(|a| matches!(a, EnrolledAuthenticator::App { .. })),
            app_high: has(|a| {
                matches!(
                    a,
                    EnrolledAuthenticator::App {
                        enrolled_at_high: true,
                        ..
                    }
                )
            }),
            code_viewer: has(|a| matches!(a, EnrolledAuthenticator::CodeViewer { .. })),
            code_reader: has(|a| matches!(a, EnrolledAuthenticator::CodeReader { .. })),
            chip: has(|a| matches!(a, EnrolledAuthenticator::Chip { .. })),
            password_set: has(|a| matches!(a, EnrolledAuthenticator::Password { hash: Some(_) })),
            rule: identity.rule.as_ref().map(name_of).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "dash_identity_form.html")]
struct FormPage {
    lang: &'static str,
    f: Frame,
    v: FormValues,
    levels: [&'static str; 3],
    statuses: [&'static str; 3],
    rules: [&'static str; 6],
}

fn form_page(b: &Broker, q: &PageQuery, headers: &HeaderMap, v: FormValues) -> Response {
    let asked = asked(q, headers);
    let page = FormPage {
        lang: asked.lang,
        f: asked.frame(b, "identities"),
        v,
        levels: LEVELS,
        statuses: STATUSES,
        rules: RULES,
    };
    asked.render(b, StatusCode::OK, &page)
}

pub async fn new_form(
    State(b): Shared,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    form_page(&b, &q, &headers, FormValues::blank())
}

pub async fn edit_form(
    State(b): Shared,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    match sim::identities::find(&b, &id) {
        Ok(identity) => form_page(&b, &q, &headers, FormValues::of(&identity)),
        Err(e) => failed(&b, &headers, &e, SIM_IDENTITIES),
    }
}

/// The authenticators the form's boxes name; those the person already has keep their serial,
/// activation and password, and a password typed replaces the stored one (as a hash).
fn authenticators(
    form: &Form,
    current: Option<&Identity>,
) -> Result<Vec<EnrolledAuthenticator>, SimError> {
    let existing = |pick: fn(&EnrolledAuthenticator) -> bool| {
        current.and_then(|i| i.authenticators.iter().find(|a| pick(a)).cloned())
    };
    let mut list = Vec::new();
    let high = form.get("auth_app_high").is_some();
    if form.get("auth_app").is_some() || high {
        let app = match existing(|a| matches!(a, EnrolledAuthenticator::App { .. })) {
            Some(EnrolledAuthenticator::App {
                pending_activation, ..
            }) => EnrolledAuthenticator::App {
                enrolled_at_high: high,
                pending_activation,
            },
            _ => EnrolledAuthenticator::App {
                enrolled_at_high: high,
                pending_activation: None,
            },
        };
        list.push(app);
    }
    if form.get("auth_code_viewer").is_some() {
        list.push(
            existing(|a| matches!(a, EnrolledAuthenticator::CodeViewer { .. })).unwrap_or(
                EnrolledAuthenticator::CodeViewer {
                    serial: None,
                    pending_activation: None,
                },
            ),
        );
    }
    if form.get("auth_code_reader").is_some() {
        list.push(
            existing(|a| matches!(a, EnrolledAuthenticator::CodeReader { .. })).unwrap_or(
                EnrolledAuthenticator::CodeReader {
                    serial: None,
                    pending_activation: None,
                },
            ),
        );
    }
    if form.get("auth_chip").is_some() {
        list.push(
            existing(|a| matches!(a, EnrolledAuthenticator::Chip { .. }))
                .unwrap_or(EnrolledAuthenticator::Chip { serial: None }),
        );
    }
    let typed = form.get("password");
    let kept = existing(|a| matches!(a, EnrolledAuthenticator::Password { .. }));
    match (typed, kept) {
        (Some(password), _) => {
            let hash =
                PasswordHash::new(password).map_err(|e| SimError::BadInput(e.to_string()))?;
            list.push(EnrolledAuthenticator::Password { hash: Some(hash) });
        }
        (None, Some(kept)) if form.get("auth_password").is_some() => list.push(kept),
        (None, None) if form.get("auth_password").is_some() => {
            list.push(EnrolledAuthenticator::Password { hash: None })
        }
        _ => {}
    }
    Ok(list)
}

/// The identity's fields from the form, as the control API takes them: `null` for a field
/// left empty (removed on edit, left out on create).
fn fields(form: &Form, current: Option<&Identity>) -> Result<Map<String, Value>, SimError> {
    let text = |name: &str| form.get(name).map_or(Value::Null, |v| json!(v));
    let mut map = Map::new();
    for (field, name) in [
        ("user_id", "user_id"),
        ("given_name", "given_name"),
        ("family_name", "family_name"),
        ("birthdate", "birthdate"),
        ("cpr", "cpr"),
        ("ial", "ial"),
        ("status", "status"),
        ("email", "email"),
        ("phone_number", "phone"),
        ("rule", "rule"),
    ] {
        map.insert(field.into(), text(name));
    }
    // Names are required together, not each: an empty one is "".
    for name in ["given_name", "family_name"] {
        if map.get(name) == Some(&Value::Null) {
            map.insert(name.into(), json!(""));
        }
    }
    map.insert(
        "name_address_protected".into(),
        json!(form.get("protected").is_some()),
    );
    let verified = form.get("email").is_some();
    map.insert("email_verified".into(), json!(verified));
    map.insert(
        "authenticators".into(),
        serde_json::to_value(authenticators(form, current)?)
            .map_err(|e| SimError::BadInput(e.to_string()))?,
    );
    Ok(map)
}

pub async fn create(State(b): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let back = format!("{SIM_IDENTITIES}/new");
    let form = match checked_form(&b, &headers, &body, &back) {
        Ok(form) => form,
        Err(page) => return *page,
    };
    let created = fields(&form, None).and_then(|mut map| {
        map.retain(|_, v| !v.is_null());
        sim::identities::create(&b, Value::Object(map))
    });
    match created {
        Ok(identity) => done(&format!("{SIM_IDENTITIES}/{}", identity.user_id), "created"),
        Err(e) => failed(&b, &headers, &e, &back),
    }
}

pub async fn update(
    State(b): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let back = format!("{SIM_IDENTITIES}/{id}/edit");
    let form = match checked_form(&b, &headers, &body, &back) {
        Ok(form) => form,
        Err(page) => return *page,
    };
    let updated = sim::identities::find(&b, &id).and_then(|current| {
        let patch = fields(&form, Some(&current))?;
        sim::identities::update(&b, &id, &Value::Object(patch))
    });
    match updated {
        Ok(identity) => done(&format!("{SIM_IDENTITIES}/{}", identity.user_id), "saved"),
        Err(e) => failed(&b, &headers, &e, &back),
    }
}

pub async fn set_rule(
    State(b): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let back = format!("{SIM_IDENTITIES}/{id}");
    let form = match checked_form(&b, &headers, &body, &back) {
        Ok(form) => form,
        Err(page) => return *page,
    };
    let rule = form.get("rule").map_or(Value::Null, |r| json!(r));
    match sim::identities::update(&b, &id, &json!({ "rule": rule })) {
        Ok(_) => done(&back, "rule"),
        Err(e) => failed(&b, &headers, &e, &back),
    }
}

pub async fn delete(
    State(b): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let back = format!("{SIM_IDENTITIES}/{id}");
    if let Err(page) = checked_form(&b, &headers, &body, &back) {
        return *page;
    }
    match sim::identities::delete(&b, &id) {
        Ok(_) => done(SIM_IDENTITIES, "deleted"),
        Err(e) => failed(&b, &headers, &e, &back),
    }
}

pub async fn block(
    State(b): Shared,
    Path((id, device)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let back = format!("{SIM_IDENTITIES}/{id}");
    let form = match checked_form(&b, &headers, &body, &back) {
        Ok(form) => form,
        Err(page) => return *page,
    };
    let blocked = (|| {
        let identity = sim::identities::find(&b, &id)?;
        let device = sim::devices::parse_device(&device)?;
        let seconds = match form.get("seconds") {
            None => None,
            Some(s) => Some(s.parse::<u64>().map_err(|_| {
                SimError::BadInput(format!("seconds must be a whole number, not {s:?}"))
            })?),
        };
        sim::devices::block(&b, &identity, device, seconds)
    })();
    match blocked {
        Ok(_) => done(&back, "blocked"),
        Err(e) => failed(&b, &headers, &e, &back),
    }
}

pub async fn unblock(
    State(b): Shared,
    Path((id, device)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let back = format!("{SIM_IDENTITIES}/{id}");
    if let Err(page) = checked_form(&b, &headers, &body, &back) {
        return *page;
    }
    let unblocked = sim::identities::find(&b, &id).and_then(|identity| {
        let device = sim::devices::parse_device(&device)?;
        sim::devices::unblock(&b, &identity, device)
    });
    match unblocked {
        Ok(()) => done(&back, "unblocked"),
        Err(e) => failed(&b, &headers, &e, &back),
    }
}

pub struct AuthView {
    pub kind: String,
    pub serial: String,
    pub active: bool,
}

pub struct DeviceView {
    pub device: &'static str,
    pub failures: u32,
    pub blocked_until: String,
    pub blocked: bool,
}

pub struct ClaimsView {
    pub profile: &'static str,
    pub claims: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "dash_identity.html")]
struct PersonPage {
    lang: &'static str,
    f: Frame,
    i: Identity,
    href: String,
    cpr: String,
    reaches: String,
    rule: String,
    rules: [&'static str; 6],
    authenticators: Vec<AuthView>,
    devices: Vec<DeviceView>,
    key_card_remaining: Option<usize>,
    device_pages: Vec<(String, String)>,
    claims: Vec<ClaimsView>,
    default_block: u64,
}

/// The simulated devices' pages of this person: label and address.
fn device_pages(identity: &Identity) -> Vec<(String, String)> {
    let user = identity.user_id.as_str();
    let mut pages = Vec::new();
    for a in &identity.authenticators {
        match a {
            EnrolledAuthenticator::App { .. } => {
                pages.push(("app".into(), format!("{SIM_APP}/{user}")))
            }
            EnrolledAuthenticator::CodeViewer {
                serial: Some(s), ..
            } => pages.push((format!("code viewer {s}"), format!("{SIM_CODE_VIEWER}/{s}"))),
            EnrolledAuthenticator::CodeReader {
                serial: Some(s), ..
            } => pages.push((format!("code reader {s}"), format!("{SIM_CODE_READER}/{s}"))),
            EnrolledAuthenticator::Chip { serial: Some(s) } => {
                pages.push((format!("chip {s}"), format!("{SIM_CHIP}/{s}")))
            }
            _ => {}
        }
    }
    if identity
        .nemid
        .as_ref()
        .is_some_and(|n| n.key_card_seed.is_some())
    {
        pages.push(("key card".into(), format!("{SIM_KEY_CARD}/{user}")));
    }
    pages.push(("self-service".into(), format!("{SIM_SELF_SERVICE}/{user}")));
    pages
}

pub async fn show(
    State(b): Shared,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let asked = asked(&q, &headers);
    let t = asked.t();
    let identity = match sim::identities::find(&b, &id) {
        Ok(identity) => identity,
        Err(e) => return failed(&b, &headers, &e, SIM_IDENTITIES),
    };
    let (lockouts, key_card_remaining) = match sim::devices::lockouts(&b, &identity) {
        Ok(found) => found,
        Err(e) => return failed(&b, &headers, &e, SIM_IDENTITIES),
    };
    let previews = match sim::identities::userinfo_preview(&b, &identity) {
        Ok(previews) => previews,
        Err(e) => return failed(&b, &headers, &e, SIM_IDENTITIES),
    };
    let claims = previews
        .into_iter()
        .map(|(profile, claims)| ClaimsView {
            profile: profile.as_str(),
            claims: claims
                .into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, v)
                })
                .collect(),
        })
        .collect();
    let authenticators = identity
        .authenticators
        .iter()
        .map(|a| AuthView {
            kind: match a {
                EnrolledAuthenticator::App {
                    enrolled_at_high: true,
                    ..
                } => "app (enrolled at high)".into(),
                a => super::timeline::name_of(&a.kind()),
            },
            serial: a.serial().unwrap_or_default().to_string(),
            active: a.is_active(),
        })
        .collect();
    let devices = lockouts
        .into_iter()
        .map(|l| DeviceView {
            device: l.device.as_str(),
            failures: l.failures,
            blocked_until: l.blocked_until.map(utc).unwrap_or_default(),
            blocked: l.blocked_until.is_some(),
        })
        .collect();
    let page = PersonPage {
        lang: asked.lang,
        f: asked.frame(&b, "identities"),
        href: format!("{SIM_IDENTITIES}/{}", identity.user_id),
        cpr: identity.cpr.map(|c| c.to_string()).unwrap_or_default(),
        reaches: reaches(&identity, t),
        rule: identity.rule.as_ref().map(name_of).unwrap_or_default(),
        rules: RULES,
        authenticators,
        devices,
        key_card_remaining,
        device_pages: device_pages(&identity),
        claims,
        default_block: b.config.login.code_lockout.block_seconds,
        i: identity,
    };
    asked.render(&b, StatusCode::OK, &page)
}
