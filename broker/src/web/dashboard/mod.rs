//! The simulator's dashboard at `/_sim/` (docs/dashboard.md): pages for a developer to follow
//! and steer the broker in a browser. The logins (live, over server-sent events), a login's
//! timeline, identities, clients, keys, queued decisions and faults, the clock and reset.
//!
//! Every action is a form post with the dashboard's form token and calls the same core
//! function as the control API (`crate::sim`, `crate::login::decide`); the handlers only parse
//! the form, call it and render. Danish and English, switched like the device pages
//! (`web::device_lang`). The webguard locks these pages with the control token when one is
//! set, as it locks every page under `/_sim`.

mod clients;
mod events;
mod identities;
mod instance;
mod logins;
mod queue;
mod requests;
pub mod texts;
mod timeline;
mod tokens;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use std::sync::Arc;

use crate::app::Broker;
use crate::login::DecideError;
use crate::oidc::Params;
use crate::paths::{
    SIM_CLIENTS, SIM_DASHBOARD, SIM_EVENTS, SIM_IDENTITIES, SIM_INSTANCE, SIM_KEYS, SIM_LOGINS,
    SIM_QUEUE, SIM_REQUESTS,
};
use crate::sim::SimError;
use crate::web::devices::activation::{form_token, form_token_ok};
use crate::web::responses::see_other;
use crate::web::{device_lang, pages};

use texts::{texts, DashTexts};

pub fn router() -> Router<Arc<Broker>> {
    let root = SIM_DASHBOARD.trim_end_matches('/');
    Router::new()
        .route(root, get(logins::list))
        .route(SIM_DASHBOARD, get(logins::list))
        .route(SIM_EVENTS, get(events::stream))
        .route(SIM_REQUESTS, get(requests::page))
        .route(&format!("{SIM_LOGINS}/{{id}}"), get(logins::show))
        .route(
            &format!("{SIM_LOGINS}/{{id}}/approve"),
            post(logins::approve),
        )
        .route(&format!("{SIM_LOGINS}/{{id}}/reject"), post(logins::reject))
        .route(
            SIM_IDENTITIES,
            get(identities::list).post(identities::create),
        )
        .route(&format!("{SIM_IDENTITIES}/new"), get(identities::new_form))
        .route(
            &format!("{SIM_IDENTITIES}/{{id}}"),
            get(identities::show).post(identities::update),
        )
        .route(
            &format!("{SIM_IDENTITIES}/{{id}}/edit"),
            get(identities::edit_form),
        )
        .route(
            &format!("{SIM_IDENTITIES}/{{id}}/rule"),
            post(identities::set_rule),
        )
        .route(
            &format!("{SIM_IDENTITIES}/{{id}}/delete"),
            post(identities::delete),
        )
        .route(
            &format!("{SIM_IDENTITIES}/{{id}}/devices/{{device}}/block"),
            post(identities::block),
        )
        .route(
            &format!("{SIM_IDENTITIES}/{{id}}/devices/{{device}}/unblock"),
            post(identities::unblock),
        )
        .route(SIM_CLIENTS, get(clients::list).post(clients::create))
        .route(&format!("{SIM_CLIENTS}/{{id}}"), get(clients::show))
        .route(
            &format!("{SIM_CLIENTS}/{{id}}/delete"),
            post(clients::delete),
        )
        .route(SIM_KEYS, get(instance::keys))
        .route(&format!("{SIM_KEYS}/rotate"), post(instance::rotate))
        .route(
            &format!("{SIM_KEYS}/{{kid}}/remove"),
            post(instance::remove_key),
        )
        .route(SIM_QUEUE, get(queue::page))
        .route(&format!("{SIM_QUEUE}/decisions"), post(queue::add_decision))
        .route(
            &format!("{SIM_QUEUE}/decisions/clear"),
            post(queue::clear_decisions),
        )
        .route(&format!("{SIM_QUEUE}/faults"), post(queue::add_fault))
        .route(
            &format!("{SIM_QUEUE}/faults/clear"),
            post(queue::clear_faults),
        )
        .route(
            &format!("{SIM_QUEUE}/faults/{{id}}/remove"),
            post(queue::remove_fault),
        )
        .route(SIM_INSTANCE, get(instance::page))
        .route(&format!("{SIM_INSTANCE}/advance"), post(instance::advance))
        .route(&format!("{SIM_INSTANCE}/reset"), post(instance::reset))
}

/// What every dashboard page shows around its content: the language, the words, the form
/// token, the section of the menu, and what the last action did.
pub struct Frame {
    pub lang: &'static str,
    pub t: &'static DashTexts,
    pub csrf: String,
    pub section: &'static str,
    pub done: Option<&'static str>,
    pub paths: Paths,
}

/// The dashboard's paths, for the templates.
pub struct Paths {
    pub home: &'static str,
    pub logins: &'static str,
    pub requests: &'static str,
    pub identities: &'static str,
    pub clients: &'static str,
    pub keys: &'static str,
    pub queue: &'static str,
    pub instance: &'static str,
    pub outbox: &'static str,
    pub events: &'static str,
}

const PATHS: Paths = Paths {
    home: SIM_DASHBOARD,
    logins: SIM_LOGINS,
    requests: SIM_REQUESTS,
    identities: SIM_IDENTITIES,
    clients: SIM_CLIENTS,
    keys: SIM_KEYS,
    queue: SIM_QUEUE,
    instance: SIM_INSTANCE,
    outbox: crate::paths::SIM_OUTBOX,
    events: SIM_EVENTS,
};

/// What a page is asked for: its language (`?lang=`, the switch), and what the last action did
/// (`?done=`, after a form's redirect).
#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
    #[serde(default)]
    pub q: Option<String>,
}

/// The one form token of the dashboard: another site cannot read a page to learn it.
fn csrf(broker: &Broker) -> String {
    form_token(broker, "dashboard", "")
}

impl Frame {
    fn new(broker: &Broker, lang: &'static str, section: &'static str) -> Frame {
        Frame {
            lang,
            t: texts(lang),
            csrf: csrf(broker),
            section,
            done: None,
            paths: PATHS,
        }
    }
}

/// What a page's request asks for: the language (remembered when the switch asked for one),
/// and what the last action did.
pub struct Asked {
    pub lang: &'static str,
    pub done: Option<&'static str>,
    remember: bool,
}

fn asked(q: &PageQuery, headers: &HeaderMap) -> Asked {
    let (lang, remember) = device_lang::choose(q.lang.as_deref(), headers, None);
    Asked {
        lang,
        done: q.done.as_deref().and_then(|d| done_text(texts(lang), d)),
        remember,
    }
}

impl Asked {
    fn t(&self) -> &'static DashTexts {
        texts(self.lang)
    }

    /// The frame of a page in `section`.
    fn frame(&self, broker: &Broker, section: &'static str) -> Frame {
        Frame {
            done: self.done,
            ..Frame::new(broker, self.lang, section)
        }
    }

    /// Renders `page`, remembering the language when the switch asked for one.
    fn render(
        &self,
        broker: &Broker,
        status: StatusCode,
        page: &impl askama::Template,
    ) -> Response {
        let mut response = pages::render(status, page);
        if self.remember {
            device_lang::remember(broker, &mut response, self.lang);
        }
        response
    }
}

/// The words for what the last action did.
fn done_text(t: &'static DashTexts, done: &str) -> Option<&'static str> {
    Some(match done {
        "approved" => t.approve,
        "rejected" => t.reject,
        "created" => t.create,
        "saved" => t.save,
        "deleted" => t.delete,
        "rule" => t.set_rule,
        "blocked" => t.block,
        "unblocked" => t.unblock,
        "rotated" => t.rotate,
        "removed" => t.remove,
        "queued" => t.queue,
        "cleared" => t.clear,
        "advanced" => t.advance,
        "reset" => t.reset,
        _ => return None,
    })
}

/// A page that says what went wrong, with the status it deserves.
#[derive(askama::Template)]
#[template(path = "dash_error.html")]
struct ErrorPage {
    lang: &'static str,
    f: Frame,
    status: u16,
    message: String,
    back: String,
}

/// A readable error page in the person's language.
fn error_page(
    broker: &Broker,
    headers: &HeaderMap,
    status: StatusCode,
    message: impl Into<String>,
    back: &str,
) -> Response {
    let (lang, _) = device_lang::choose(None, headers, None);
    let page = ErrorPage {
        lang,
        f: Frame::new(broker, lang, ""),
        status: status.as_u16(),
        message: message.into(),
        back: back.to_string(),
    };
    pages::render(status, &page)
}

/// The status and words of a control that failed.
fn sim_failure(e: &SimError) -> (StatusCode, String) {
    let status = match e {
        SimError::BadInput(_) => StatusCode::BAD_REQUEST,
        SimError::NotFound(_) => StatusCode::NOT_FOUND,
        SimError::Conflict(_) | SimError::ClockNotControllable => StatusCode::CONFLICT,
        SimError::Store(crate::store::StoreError::Conflict(_)) => StatusCode::CONFLICT,
        SimError::Store(_) | SimError::Keys(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e, "dashboard action failed");
        return (
            status,
            "the broker could not do that; its log says why".into(),
        );
    }
    (status, e.to_string())
}

fn decide_failure(e: &DecideError) -> (StatusCode, String) {
    let status = match e {
        DecideError::NotFound(_) => StatusCode::NOT_FOUND,
        DecideError::Expired(_) => StatusCode::GONE,
        DecideError::AlreadySettled(_) => StatusCode::CONFLICT,
        DecideError::BadDecision(_) => StatusCode::BAD_REQUEST,
        DecideError::Store(e) => {
            tracing::error!(error = %e, "dashboard decision failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the broker could not do that; its log says why".into(),
            );
        }
    };
    (status, e.to_string())
}

/// A form the dashboard posted, its token checked; `Err` is the page to answer.
struct Form {
    params: Params,
}

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.params
            .get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

fn checked_form(
    broker: &Broker,
    headers: &HeaderMap,
    body: &Bytes,
    back: &str,
) -> Result<Form, Box<Response>> {
    let params = Params::parse(body);
    if !form_token_ok(broker, &params, "dashboard", "") {
        let (lang, _) = device_lang::choose(None, headers, None);
        return Err(Box::new(error_page(
            broker,
            headers,
            StatusCode::FORBIDDEN,
            texts(lang).stale_form,
            back,
        )));
    }
    Ok(Form { params })
}

/// After an action: back to `page`, saying what was done.
fn done(page: &str, what: &str) -> Response {
    let sep = if page.contains('?') { '&' } else { '?' };
    see_other(format!("{page}{sep}done={what}"))
}

/// How long ago, in words a glance takes in.
fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        3600..=86_399 => format!("{} h", s / 3600),
        _ => format!("{} d", s / 86_400),
    }
}

/// A time as UTC `YYYY-MM-DD HH:MM:SS`.
fn utc(at: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(at) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => at.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_at_a_glance() {
        assert_eq!(age(-3), "0 s");
        assert_eq!(age(59), "59 s");
        assert_eq!(age(61), "1 min");
        assert_eq!(age(7200), "2 h");
        assert_eq!(age(3 * 86_400), "3 d");
    }

    #[test]
    fn times_are_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
    }
}
