//! Queued decisions and queued faults: list, add, clear (and remove one fault), through
//! `sim::decisions` and `sim::faults` like the control API.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::sync::Arc;

use super::{asked, checked_form, done, error_page, sim_failure, utc, Form, Frame, PageQuery};
use crate::app::Broker;
use crate::model::{ClientId, DecisionOutcome, UserId, FAULTS};
use crate::paths::SIM_QUEUE;
use crate::sim::decisions::{NewDecision, OutcomeName};
use crate::sim::faults::NewFault;
use crate::sim::{self, SimError};

type Shared = State<Arc<Broker>>;

fn failed(b: &Broker, headers: &HeaderMap, e: &SimError, back: &str) -> Response {
    let (status, message) = sim_failure(e);
    error_page(b, headers, status, message, back)
}

pub struct DecisionRow {
    pub outcome: &'static str,
    pub detail: String,
    pub client: String,
    pub for_user: String,
    pub queued: String,
}

pub struct FaultRow {
    pub id: String,
    pub fault: String,
    pub client: String,
    pub remaining: u32,
    pub queued: String,
}

#[derive(Template)]
#[template(path = "dash_queue.html")]
struct QueuePage {
    lang: &'static str,
    f: Frame,
    decisions: Vec<DecisionRow>,
    faults: Vec<FaultRow>,
    catalogue: Vec<(String, &'static str)>,
    clients: Vec<String>,
    identities: Vec<String>,
}

pub async fn page(State(b): Shared, Query(q): Query<PageQuery>, headers: HeaderMap) -> Response {
    let asked = asked(&q, &headers);
    let lists = (|| {
        Ok::<_, SimError>((
            sim::decisions::list(&b)?,
            sim::faults::list(&b)?,
            b.store.clients.list()?,
            b.store.identities.list()?,
        ))
    })();
    let (decisions, faults, clients, identities) = match lists {
        Ok(lists) => lists,
        Err(e) => return failed(&b, &headers, &e, SIM_QUEUE),
    };
    let decisions = decisions
        .iter()
        .map(|d| {
            let (outcome, detail) = match &d.outcome {
                DecisionOutcome::Approve { user_id, business } => (
                    "approve",
                    [
                        user_id.as_ref().map(|u| u.to_string()),
                        business.as_ref().map(|b| format!("business {b}")),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                ),
                DecisionOutcome::Reject { description } => {
                    ("reject", description.clone().unwrap_or_default())
                }
            };
            DecisionRow {
                outcome,
                detail,
                client: d
                    .client_id
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                for_user: d
                    .for_user_id
                    .as_ref()
                    .map(|u| u.to_string())
                    .unwrap_or_default(),
                queued: utc(d.created_at),
            }
        })
        .collect();
    let faults = faults
        .iter()
        .map(|f| FaultRow {
            id: f.id.clone(),
            fault: f.fault.name(),
            client: f.client_id.to_string(),
            remaining: f.remaining,
            queued: utc(f.created_at),
        })
        .collect();
    let page = QueuePage {
        lang: asked.lang,
        f: asked.frame(&b, "queue"),
        decisions,
        faults,
        catalogue: FAULTS.iter().map(|s| (s.name.name(), s.changes)).collect(),
        clients: clients.iter().map(|c| c.client_id.to_string()).collect(),
        identities: identities.iter().map(|i| i.user_id.to_string()).collect(),
    };
    asked.render(&b, StatusCode::OK, &page)
}

fn decision_from(form: &Form) -> Result<NewDecision, SimError> {
    let outcome = match form.get("outcome") {
        Some("approve") => OutcomeName::Approve,
        Some("reject") => OutcomeName::Reject,
        other => {
            return Err(SimError::BadInput(format!(
                "outcome is approve or reject, not {:?}",
                other.unwrap_or_default()
            )))
        }
    };
    Ok(NewDecision {
        outcome,
        user_id: form.get("user_id").map(UserId::new),
        business: form.get("business").map(str::to_string),
        description: form.get("description").map(str::to_string),
        client_id: form.get("client_id").map(ClientId::new),
        for_user_id: form.get("for_user_id").map(UserId::new),
    })
}

pub async fn add_decision(State(b): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let form = match checked_form(&b, &headers, &body, SIM_QUEUE) {
        Ok(form) => form,
        Err(page) => return *page,
    };
    match decision_from(&form).and_then(|d| sim::decisions::enqueue(&b, d)) {
        Ok(_) => done(SIM_QUEUE, "queued"),
        Err(e) => failed(&b, &headers, &e, SIM_QUEUE),
    }
}

pub async fn clear_decisions(State(b): Shared, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(page) = checked_form(&b, &headers, &body, SIM_QUEUE) {
        return *page;
    }
    match sim::decisions::clear(&b) {
        Ok(()) => done(SIM_QUEUE, "cleared"),
        Err(e) => failed(&b, &headers, &e, SIM_QUEUE),
    }
}

fn number(form: &Form, name: &str) -> Result<Option<u32>, SimError> {
    form.get(name)
        .map(|v| {
            v.parse::<u32>().map_err(|_| {
                SimError::BadInput(format!("{name} must be a whole number, not {v:?}"))
            })
        })
        .transpose()
}

pub async fn add_fault(State(b): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let form = match checked_form(&b, &headers, &body, SIM_QUEUE) {
        Ok(form) => form,
        Err(page) => return *page,
    };
    let queued = (|| {
        let input = NewFault {
            fault: form.get("fault").unwrap_or_default().to_string(),
            client_id: ClientId::new(form.get("client_id").unwrap_or_default()),
            count: number(&form, "count")?,
            delay_seconds: number(&form, "delay_seconds")?,
        };
        sim::faults::enqueue(&b, input)
    })();
    match queued {
        Ok(_) => done(SIM_QUEUE, "queued"),
        Err(e) => failed(&b, &headers, &e, SIM_QUEUE),
    }
}

pub async fn clear_faults(State(b): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let form = match checked_form(&b, &headers, &body, SIM_QUEUE) {
        Ok(form) => form,
        Err(page) => return *page,
    };
    let client = form.get("client_id").map(ClientId::new);
    match sim::faults::clear(&b, client.as_ref()) {
        Ok(_) => done(SIM_QUEUE, "cleared"),
        Err(e) => failed(&b, &headers, &e, SIM_QUEUE),
    }
}

pub async fn remove_fault(
    State(b): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(page) = checked_form(&b, &headers, &body, SIM_QUEUE) {
        return *page;
    }
    match sim::faults::remove(&b, &id) {
        Ok(()) => done(SIM_QUEUE, "removed"),
        Err(e) => failed(&b, &headers, &e, SIM_QUEUE),
    }
}
