//! The dashboard's live updates over server-sent events. A stream looks at the store every
//! half second and sends only what changed, so it works the same behind several replicas on
//! one database: `logins`, the list's rows as HTML (the page swaps them in), or, for one
//! login's page (`?login=ID`), `changed` with the login's fingerprint (the page reloads when it
//! differs from the one it shows). A stream ends when the server stops.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use super::logins::rows_html;
use super::timeline::fingerprint;
use crate::app::Broker;
use crate::sim;
use crate::web::device_lang;

/// How often a stream looks at the store.
pub const POLL: Duration = Duration::from_millis(500);

#[derive(Deserialize, Default)]
pub struct EventsQuery {
    #[serde(default)]
    login: Option<String>,
}

/// What a stream watches.
#[derive(Clone)]
enum Watched {
    /// The latest logins' rows, in this language.
    Logins { lang: &'static str },
    /// One login's fingerprint.
    Login { id: String },
}

struct Watch {
    broker: Arc<Broker>,
    watched: Watched,
    ticks: tokio::time::Interval,
    closing: tokio::sync::watch::Receiver<bool>,
    last: Option<String>,
}

impl Watch {
    /// What the watched thing looks like now, and the event that says so.
    fn look(&self) -> Option<(String, Event)> {
        match &self.watched {
            Watched::Logins { lang } => match rows_html(&self.broker, lang) {
                Ok(html) => Some((html.clone(), Event::default().event("logins").data(html))),
                Err(e) => {
                    tracing::warn!(error = %e, "the dashboard's stream could not read the logins");
                    None
                }
            },
            Watched::Login { id } => {
                let print = sim::logins::find(&self.broker, id)
                    .and_then(|txn| fingerprint(&self.broker, &txn))
                    .unwrap_or_else(|_| "gone".into());
                Some((print.clone(), Event::default().event("changed").data(print)))
            }
        }
    }
}

/// The stream: the current state at once, then each change; it ends when the server stops.
fn changes(watch: Watch) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(watch, |mut watch| async move {
        loop {
            if *watch.closing.borrow() {
                return None;
            }
            tokio::select! {
                _ = watch.ticks.tick() => {}
                _ = watch.closing.changed() => return None,
            }
            if let Some((state, event)) = watch.look() {
                if watch.last.as_ref() != Some(&state) {
                    watch.last = Some(state);
                    return Some((Ok(event), watch));
                }
            }
        }
    })
}

pub async fn stream(
    State(b): State<Arc<Broker>>,
    Query(q): Query<EventsQuery>,
    headers: HeaderMap,
) -> Response {
    let watched = match q.login {
        Some(id) => Watched::Login { id },
        None => Watched::Logins {
            lang: device_lang::choose(None, &headers, None).0,
        },
    };
    let mut ticks = tokio::time::interval(POLL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let watch = Watch {
        closing: b.closing.watch(),
        broker: b,
        watched,
        ticks,
        last: None,
    };
    Sse::new(changes(watch))
        .keep_alive(KeepAlive::default())
        .into_response()
}
