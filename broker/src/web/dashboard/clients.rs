//! Clients: the list, creating one (a generated secret is shown once, on the page that answers
//! the form), a client's page with its redirect URIs and the RP test kit's report, deleting.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};
use std::sync::Arc;

use super::{asked, checked_form, done, error_page, sim_failure, Frame, PageQuery};
use crate::app::Broker;
use crate::model::{AuthMethod, Client, FAULTS};
use crate::oidc::report;
use crate::paths::SIM_CLIENTS;
use crate::sim::{self, clients::NewClient, SimError};

type Shared = State<Arc<Broker>>;

fn failed(b: &Broker, headers: &HeaderMap, e: &SimError, back: &str) -> Response {
    let (status, message) = sim_failure(e);
    error_page(b, headers, status, message, back)
}

pub struct ClientRow {
    pub id: String,
    pub href: String,
    pub name: String,
    pub auth_method: &'static str,
    pub redirect_uris: String,
}

#[derive(Template)]
#[template(path = "dash_clients.html")]
struct ListPage {
    lang: &'static str,
    f: Frame,
    rows: Vec<ClientRow>,
    methods: Vec<&'static str>,
}

pub async fn list(State(b): Shared, Query(q): Query<PageQuery>, headers: HeaderMap) -> Response {
    let asked = asked(&q, &headers);
    let clients = match b.store.clients.list() {
        Ok(list) => list,
        Err(e) => return failed(&b, &headers, &e.into(), SIM_CLIENTS),
    };
    let rows = clients
        .iter()
        .map(|c| ClientRow {
            id: c.client_id.to_string(),
            href: format!("{SIM_CLIENTS}/{}", c.client_id),
            name: c.name.clone(),
            auth_method: c.token_endpoint_auth_method.as_str(),
            redirect_uris: c.redirect_uris.join(" "),
        })
        .collect();
    let page = ListPage {
        lang: asked.lang,
        f: asked.frame(&b, "clients"),
        rows,
        methods: AuthMethod::ALL.iter().map(|m| m.as_str()).collect(),
    };
    asked.render(&b, StatusCode::OK, &page)
}

/// One line of the report: a fault, its login, what the RP should do and what it did.
pub struct VerdictRow {
    pub fault: String,
    pub login: String,
    pub expect: String,
    pub verdict: String,
    pub why: &'static str,
}

#[derive(Template)]
#[template(path = "dash_client.html")]
struct ClientPage {
    lang: &'static str,
    f: Frame,
    c: Client,
    href: String,
    /// The secret generated for it, shown once: only on the page that answers the creation.
    secret: Option<String>,
    verdicts: Vec<VerdictRow>,
    logins_seen: usize,
    faults: Vec<String>,
}

fn name_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

fn client_page(
    b: &Broker,
    q: &PageQuery,
    headers: &HeaderMap,
    client: Client,
    secret: Option<String>,
    status: StatusCode,
) -> Response {
    let asked = asked(q, headers);
    let report = match report::report(b, &client.client_id) {
        Ok(report) => report,
        Err(e) => return failed(b, headers, &e.into(), SIM_CLIENTS),
    };
    let verdicts = report
        .faults
        .iter()
        .map(|v| VerdictRow {
            fault: v.fault.clone(),
            login: v.login_id.clone(),
            expect: name_of(&v.expect),
            verdict: name_of(&v.verdict),
            why: v.why,
        })
        .collect();
    let page = ClientPage {
        lang: asked.lang,
        f: asked.frame(b, "clients"),
        href: format!("{SIM_CLIENTS}/{}", client.client_id),
        c: client,
        secret,
        verdicts,
        logins_seen: report.logins.len(),
        faults: FAULTS.iter().map(|f| f.name.name()).collect(),
    };
    asked.render(b, status, &page)
}

pub async fn show(
    State(b): Shared,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    match sim::clients::find(&b, &id) {
        Ok(client) => client_page(&b, &q, &headers, client, None, StatusCode::OK),
        Err(e) => failed(&b, &headers, &e, SIM_CLIENTS),
    }
}

/// Lines of a text area, trimmed, empty ones left out.
fn lines(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

pub async fn create(State(b): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let form = match checked_form(&b, &headers, &body, SIM_CLIENTS) {
        Ok(form) => form,
        Err(page) => return *page,
    };
    let mut metadata = Map::new();
    metadata.insert(
        "redirect_uris".into(),
        json!(lines(form.get("redirect_uris"))),
    );
    metadata.insert(
        "post_logout_redirect_uris".into(),
        json!(lines(form.get("post_logout_redirect_uris"))),
    );
    if let Some(name) = form.get("name") {
        metadata.insert("name".into(), json!(name));
    }
    if let Some(method) = form.get("token_endpoint_auth_method") {
        metadata.insert("token_endpoint_auth_method".into(), json!(method));
    }
    let input = NewClient {
        client_id: form.get("client_id").unwrap_or_default().to_string(),
        client_secret: form.get("client_secret").map(str::to_string),
        require_pkce: form.get("require_pkce").is_some(),
        sector_identifier: None,
        private_service: form.get("private_service").is_some(),
        metadata,
    };
    match sim::clients::create(&b, input) {
        // The page answers the form itself: the secret is shown once, never put in an address.
        Ok((client, secret)) => client_page(
            &b,
            &PageQuery {
                done: Some("created".into()),
                ..PageQuery::default()
            },
            &headers,
            client,
            secret,
            StatusCode::CREATED,
        ),
        Err(e) => failed(&b, &headers, &e, SIM_CLIENTS),
    }
}

pub async fn delete(
    State(b): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let back = format!("{SIM_CLIENTS}/{id}");
    if let Err(page) = checked_form(&b, &headers, &body, &back) {
        return *page;
    }
    match sim::clients::delete(&b, &id) {
        Ok(()) => done(SIM_CLIENTS, "deleted"),
        Err(e) => failed(&b, &headers, &e, &back),
    }
}
