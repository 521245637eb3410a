//! The logins: the latest, live (the rows are also what `events` sends), one login's page with
//! its timeline, and approving or rejecting a waiting login.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::sync::Arc;

use super::texts::{texts, DashTexts};
use super::timeline::{self, Timeline};
use super::{
    age, asked, checked_form, csrf, decide_failure, done, error_page, sim_failure, Frame, PageQuery,
};
use crate::app::Broker;
use crate::login;
use crate::model::{DecisionOutcome, DecisionSource, LoginStatus, LoginTxn, TxnId, UserId};
use crate::paths::{SIM_DASHBOARD, SIM_LOGINS};
use crate::sim;
use crate::store::{decided_by, StoreError};

/// How many of the latest logins the list shows.
pub const SHOWN: usize = 50;

/// One login in the list.
pub struct Row {
    pub id: String,
    pub href: String,
    pub client: String,
    pub profile: &'static str,
    pub person: String,
    /// The user ID an approval would default to (the request's `login_hint`).
    pub hint: String,
    pub level: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub decided_by: String,
    pub age: String,
    pub pending: bool,
}

/// The rows of the list, rendered alone: the list page holds them, and `events` sends them
/// again whenever they change.
#[derive(Template)]
#[template(path = "dash_login_rows.html")]
pub struct Rows {
    pub t: &'static DashTexts,
    pub csrf: String,
    pub rows: Vec<Row>,
    /// Who a waiting login can be approved as: user ID and name.
    pub identities: Vec<(String, String)>,
    pub back: &'static str,
}

#[derive(Template)]
#[template(path = "dash_logins.html")]
struct ListPage {
    lang: &'static str,
    f: Frame,
    rows: String,
}

/// A login's status in the list's words: `expired` for a pending login past its time.
pub fn status_of(txn: &LoginTxn, now: i64) -> &'static str {
    match &txn.status {
        LoginStatus::Pending if txn.expires_at <= now => "expired",
        status => status.name(),
    }
}

pub fn status_label(t: &DashTexts, status: &str) -> &'static str {
    match status {
        "pending" => t.status_pending,
        "approved" => t.status_approved,
        "rejected" => t.status_rejected,
        _ => t.status_expired,
    }
}

/// The source on the ladder that decided, in a word (`explicit (control_api)`, `queued`, ...).
pub fn source_name(source: &DecisionSource) -> String {
    match source {
        DecisionSource::Explicit { via } => format!("explicit ({via})"),
        DecisionSource::Queued { .. } => "queued".into(),
        DecisionSource::LoginHint { .. } => "login_hint".into(),
        DecisionSource::Simulation { .. } => "simulation".into(),
        DecisionSource::IdentityRule { .. } => "identity_rule".into(),
        DecisionSource::InstanceDefault => "instance_default".into(),
        DecisionSource::ExistingSession => "existing_session".into(),
    }
}

fn row(broker: &Broker, t: &DashTexts, txn: &LoginTxn, now: i64) -> Row {
    let status = status_of(txn, now);
    let hint = txn.request.login_hint.clone().unwrap_or_default();
    let person = match &txn.status {
        LoginStatus::Approved { user_id, .. } => user_id.to_string(),
        _ => txn
            .flow
            .user_id
            .as_ref()
            .map(|u| u.to_string())
            .unwrap_or_else(|| hint.clone()),
    };
    let level = match &txn.status {
        LoginStatus::Approved { acr, .. } => acr.name().to_string(),
        _ => format!("≥ {}", broker.required_level(&txn.request).name()),
    };
    Row {
        id: txn.id.to_string(),
        href: format!("{SIM_LOGINS}/{}", txn.id),
        client: txn.request.client_id.to_string(),
        profile: txn.request.profile.as_str(),
        person: if person.is_empty() {
            "—".into()
        } else {
            person
        },
        hint,
        level,
        status,
        status_label: status_label(t, status),
        decided_by: decided_by(&txn.status).map_or_else(|| "—".into(), source_name),
        age: age(now - txn.created_at),
        pending: status == "pending",
    }
}

/// Who a waiting login can be approved as.
pub fn approvable(broker: &Broker) -> Result<Vec<(String, String)>, StoreError> {
    Ok(broker
        .store
        .identities
        .list()?
        .into_iter()
        .map(|i| (i.user_id.to_string(), i.name()))
        .collect())
}

/// The latest logins' rows, rendered in `lang`.
pub fn rows_html(broker: &Broker, lang: &str) -> Result<String, StoreError> {
    let t = texts(lang);
    let now = broker.now();
    let logins = broker.store.logins.list_recent(SHOWN)?;
    let rows = Rows {
        t,
        csrf: csrf(broker),
        rows: logins.iter().map(|txn| row(broker, t, txn, now)).collect(),
        identities: approvable(broker)?,
        back: SIM_DASHBOARD,
    };
    Ok(rows.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "the dashboard's rows failed to render");
        String::new()
    }))
}

pub async fn list(
    State(b): State<Arc<Broker>>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let asked = asked(&q, &headers);
    let rows = match rows_html(&b, asked.lang) {
        Ok(rows) => rows,
        Err(e) => return store_failure(&b, &headers, e),
    };
    let page = ListPage {
        lang: asked.lang,
        f: asked.frame(&b, "logins"),
        rows,
    };
    asked.render(&b, StatusCode::OK, &page)
}

fn store_failure(broker: &Broker, headers: &HeaderMap, e: StoreError) -> Response {
    let (status, message) = sim_failure(&sim::SimError::Store(e));
    error_page(broker, headers, status, message, SIM_DASHBOARD)
}

#[derive(Template)]
#[template(path = "dash_login.html")]
struct LoginPage {
    lang: &'static str,
    f: Frame,
    tl: Timeline,
    /// Approve-as choices while the login waits.
    identities: Vec<(String, String)>,
}

pub async fn show(
    State(b): State<Arc<Broker>>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let asked = asked(&q, &headers);
    let txn = match sim::logins::find(&b, &id) {
        Ok(txn) => txn,
        Err(e) => {
            let (status, message) = sim_failure(&e);
            return error_page(&b, &headers, status, message, SIM_DASHBOARD);
        }
    };
    let tl = match timeline::build(&b, asked.t(), &txn) {
        Ok(tl) => tl,
        Err(e) => {
            let (status, message) = sim_failure(&e);
            return error_page(&b, &headers, status, message, SIM_DASHBOARD);
        }
    };
    let identities = if tl.pending {
        match approvable(&b) {
            Ok(list) => list,
            Err(e) => return store_failure(&b, &headers, e),
        }
    } else {
        Vec::new()
    };
    let page = LoginPage {
        lang: asked.lang,
        f: asked.frame(&b, "logins"),
        tl,
        identities,
    };
    asked.render(&b, StatusCode::OK, &page)
}

/// Where a decision's form goes back to: the list, or the login's own page.
fn back_to(form_back: Option<&str>, id: &str) -> String {
    let own = format!("{SIM_LOGINS}/{id}");
    match form_back {
        Some(back) if back == own => own,
        _ => SIM_DASHBOARD.to_string(),
    }
}

#[tracing::instrument(name = "login", skip_all, fields(login = %id))]
pub async fn approve(
    State(b): State<Arc<Broker>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match checked_form(&b, &headers, &body, SIM_DASHBOARD) {
        Ok(form) => form,
        Err(page) => return *page,
    };
    let outcome = DecisionOutcome::Approve {
        user_id: form.get("user_id").map(UserId::new),
        business: form.get("business").map(str::to_string),
    };
    decide(&b, &headers, &id, &outcome, form.get("back"), "approved")
}

#[tracing::instrument(name = "login", skip_all, fields(login = %id))]
pub async fn reject(
    State(b): State<Arc<Broker>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match checked_form(&b, &headers, &body, SIM_DASHBOARD) {
        Ok(form) => form,
        Err(page) => return *page,
    };
    let outcome = DecisionOutcome::Reject {
        description: form.get("description").map(str::to_string),
    };
    decide(&b, &headers, &id, &outcome, form.get("back"), "rejected")
}

/// Ladder step 1 through the dashboard: the same core as the control API's decision.
fn decide(
    broker: &Broker,
    headers: &HeaderMap,
    id: &str,
    outcome: &DecisionOutcome,
    back: Option<&str>,
    what: &str,
) -> Response {
    let back = back_to(back, id);
    match login::decide(broker, &TxnId::new(id), outcome, "dashboard", broker.now()) {
        Ok(_) => done(&back, what),
        Err(e) => {
            let (status, message) = decide_failure(&e);
            error_page(broker, headers, status, message, &back)
        }
    }
}
