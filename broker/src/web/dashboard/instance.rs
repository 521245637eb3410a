//! Keys (list, rotate, remove a retired one), the clock (read; advance when controllable) and
//! reset, through `sim::instance` like the control API.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::sync::Arc;

use super::{asked, checked_form, done, error_page, sim_failure, utc, Frame, PageQuery};
use crate::app::Broker;
use crate::paths::{SIM_INSTANCE, SIM_KEYS};
use crate::sim::{self, SimError};

type Shared = State<Arc<Broker>>;

fn failed(b: &Broker, headers: &HeaderMap, e: &SimError, back: &str) -> Response {
    let (status, message) = sim_failure(e);
    error_page(b, headers, status, message, back)
}

pub struct KeyRow {
    pub kid: String,
    pub kind: &'static str,
    pub state: &'static str,
    pub created: String,
    pub retired: bool,
}

#[derive(Template)]
#[template(path = "dash_keys.html")]
struct KeysPage {
    lang: &'static str,
    f: Frame,
    keys: Vec<KeyRow>,
}

pub async fn keys(State(b): Shared, Query(q): Query<PageQuery>, headers: HeaderMap) -> Response {
    let asked = asked(&q, &headers);
    let list = match b.keys.list() {
        Ok(list) => list,
        Err(e) => return failed(&b, &headers, &e.into(), SIM_KEYS),
    };
    let mut keys: Vec<KeyRow> = list
        .iter()
        .map(|k| KeyRow {
            kid: k.kid.to_string(),
            kind: k.kind.as_str(),
            state: k.state.as_str(),
            created: utc(k.created_at),
            retired: k.state == keys::KeyState::Retired,
        })
        .collect();
    keys.reverse();
    let page = KeysPage {
        lang: asked.lang,
        f: asked.frame(&b, "keys"),
        keys,
    };
    asked.render(&b, StatusCode::OK, &page)
}

pub async fn rotate(State(b): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let form = match checked_form(&b, &headers, &body, SIM_KEYS) {
        Ok(form) => form,
        Err(page) => return *page,
    };
    let kind = match form.get("kind").unwrap_or("rsa") {
        "rsa" => keys::KeyKind::Rsa,
        "ec" => keys::KeyKind::Ec,
        other => {
            let e = SimError::BadInput(format!("kind is rsa or ec, not {other:?}"));
            return failed(&b, &headers, &e, SIM_KEYS);
        }
    };
    match sim::instance::rotate_key(&b, kind).await {
        Ok(_) => done(SIM_KEYS, "rotated"),
        Err(e) => failed(&b, &headers, &e, SIM_KEYS),
    }
}

pub async fn remove_key(
    State(b): Shared,
    Path(kid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(page) = checked_form(&b, &headers, &body, SIM_KEYS) {
        return *page;
    }
    match sim::instance::remove_key(&b, &kid) {
        Ok(()) => done(SIM_KEYS, "removed"),
        Err(e) => failed(&b, &headers, &e, SIM_KEYS),
    }
}

#[derive(Template)]
#[template(path = "dash_instance.html")]
struct InstancePage {
    lang: &'static str,
    f: Frame,
    now: String,
    now_unix: i64,
    controllable: bool,
}

pub async fn page(State(b): Shared, Query(q): Query<PageQuery>, headers: HeaderMap) -> Response {
    let asked = asked(&q, &headers);
    let now = b.now();
    let page = InstancePage {
        lang: asked.lang,
        f: asked.frame(&b, "instance"),
        now: utc(now),
        now_unix: now,
        controllable: b.clock.is_controllable(),
    };
    asked.render(&b, StatusCode::OK, &page)
}

pub async fn advance(State(b): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let form = match checked_form(&b, &headers, &body, SIM_INSTANCE) {
        Ok(form) => form,
        Err(page) => return *page,
    };
    let text = form.get("seconds").unwrap_or_default();
    let advanced = text
        .parse::<i64>()
        .map_err(|_| SimError::BadInput(format!("seconds must be a whole number, not {text:?}")))
        .and_then(|seconds| sim::instance::advance_clock(&b, seconds));
    match advanced {
        Ok(_) => done(SIM_INSTANCE, "advanced"),
        Err(e) => failed(&b, &headers, &e, SIM_INSTANCE),
    }
}

pub async fn reset(State(b): Shared, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(page) = checked_form(&b, &headers, &body, SIM_INSTANCE) {
        return *page;
    }
    match sim::instance::reset(&b) {
        Ok(_) => done(SIM_INSTANCE, "reset"),
        Err(e) => failed(&b, &headers, &e, SIM_INSTANCE),
    }
}
