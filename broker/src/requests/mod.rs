//! The request log: every request to an OpenID Provider endpoint of every profile (authorize,
//! PAR, token, userinfo, end_session, revocation, introspection, registration), with its
//! parameters (secrets redacted), its answer's status and OAuth error, the login it belongs to,
//! the ID token and JWT access token it issued (decoded) and how long it took.
//!
//! The web layer ([`crate::web::request_log`]) captures a request ([`Captured`]: its
//! parameters redacted into one string, its answer shared, not copied) and
//! [`RequestLog::record`]s it; that is a push onto a bounded ring in memory.
//! [`flush_periodically`] makes the entries of the ring and writes them to the database every
//! [`FLUSH_EVERY`], and sooner when [`FLUSH_AT`] wait, pruning the table to the configured
//! bound, so the request path neither builds an entry nor waits for the database. Replicas
//! share the table; [`latest`] reads it.

mod capture;
mod log;
pub mod redact;
mod seen;

use std::sync::Arc;
use std::time::Duration;

pub use crate::model::{DecodedJwt, LoggedJwt, LoggedRequest, Param, RequestFilter};
pub use capture::{Answer, Captured, CapturedParams};
pub use log::{RequestLog, FLUSH_AT, MEMORY};
pub use seen::{Seen, SEEN_MEMORY};

use crate::app::Broker;
use crate::store::StoreError;

/// How often the waiting entries are written to the database.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// How many entries [`latest`] answers when asked for none or more.
pub const MAX_LIMIT: usize = 1_000;

/// The latest logged requests matching `filter`, newest first (at most [`MAX_LIMIT`]; a limit
/// of 0 means 100). This broker's waiting entries are written first, so a request that was
/// answered before the call is listed.
pub fn latest(broker: &Broker, filter: &RequestFilter) -> Result<Vec<LoggedRequest>, StoreError> {
    broker.requests.flush(&*broker.store.requests)?;
    let limit = match filter.limit {
        0 => 100,
        n => n.min(MAX_LIMIT),
    };
    let listed = broker.store.requests.list(&RequestFilter {
        limit,
        ..filter.clone()
    })?;
    // Tokens are kept undecoded on the request path; they are decoded for whoever reads them.
    Ok(listed
        .into_iter()
        .map(|mut entry| {
            entry.id_token = entry.id_token.and_then(LoggedJwt::decoded);
            entry.access_token = entry.access_token.and_then(LoggedJwt::decoded);
            entry
        })
        .collect())
}

/// Writes the waiting entries every [`FLUSH_EVERY`], and sooner when [`FLUSH_AT`] of them
/// wait, off the request path.
pub async fn flush_periodically(broker: Arc<Broker>) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = broker.requests.filled() => {}
        }
        flush(&broker).await;
    }
}

/// Writes the waiting entries and RP events now, on a blocking thread (the stores are
/// synchronous).
pub async fn flush(broker: &Arc<Broker>) {
    let broker = Arc::clone(broker);
    let written = tokio::task::spawn_blocking(move || {
        (
            broker.requests.flush(&*broker.store.requests),
            broker.seen.flush(&*broker.store.faults),
        )
    })
    .await;
    if let Ok((requests, seen)) = written {
        if let Err(e) = requests {
            tracing::warn!(error = %e, "writing the request log failed");
        }
        if let Err(e) = seen {
            tracing::warn!(error = %e, "writing what the RPs did failed");
        }
    }
}
