//! What relying parties did in their logins (redeemed a code, called userinfo, refreshed,
//! answered a logout), for the RP test kit's report, written behind like the request log: a
//! request pushes its event onto a list in memory, and [`super::flush_periodically`] writes the
//! list in one transaction. Two writes per login become a share of one a second.
//!
//! Whoever reads the events writes this broker's waiting ones first ([`Seen::flush`]), and an
//! event that must be read at once (a fault a response carried, a JWKS fetch) is written at once
//! after the waiting ones, so the order of a replica's events is the order they happened.
//! Another replica's waiting events reach the database within [`super::FLUSH_EVERY`].

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::model::RpEvent;
use crate::store::{FaultStore, StoreError, StoreResult};

/// How many events wait in memory at most; beyond it the oldest is dropped (the database is
/// slow or gone).
pub const SEEN_MEMORY: usize = 20_000;

#[derive(Default)]
pub struct Seen {
    /// Events newer than the last flush, oldest first.
    pending: Mutex<VecDeque<RpEvent>>,
    /// Held for a whole flush, so a reader that flushes waits for a flush in flight and then
    /// finds the events in the database.
    flushing: Mutex<()>,
    dropped: AtomicU64,
}

impl Seen {
    /// Adds an event to be written with the next flush (a push under a short lock).
    pub fn push(&self, event: RpEvent) {
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        if pending.len() >= SEEN_MEMORY {
            pending.pop_front();
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        pending.push_back(event);
    }

    /// Writes the waiting events and then `now` (if any) in one transaction: how many.
    /// Events a failed write could not store are dropped (and counted).
    pub fn flush_with(&self, store: &dyn FaultStore, now: Option<RpEvent>) -> StoreResult<usize> {
        let _flushing = self
            .flushing
            .lock()
            .map_err(|_| StoreError::Db("RP event flush lock poisoned".into()))?;
        let mut batch: Vec<RpEvent> = match self.pending.lock() {
            Ok(mut pending) => pending.drain(..).collect(),
            Err(_) => return Err(StoreError::Db("RP event lock poisoned".into())),
        };
        batch.extend(now);
        let dropped = self.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            tracing::warn!(dropped, "RP events dropped: the database did not keep up");
        }
        if batch.is_empty() {
            return Ok(0);
        }
        match store.record(&batch) {
            Ok(()) => Ok(batch.len()),
            Err(e) => {
                self.dropped
                    .fetch_add(u64::try_from(batch.len()).unwrap_or(0), Ordering::Relaxed);
                Err(e)
            }
        }
    }

    /// Writes the waiting events.
    pub fn flush(&self, store: &dyn FaultStore) -> StoreResult<usize> {
        self.flush_with(store, None)
    }

    /// Forgets the events not yet written (reset).
    pub fn discard_pending(&self) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientId, RpAct, TxnId};
    use crate::store::SqliteStore;

    fn event(login: &str, act: RpAct) -> RpEvent {
        RpEvent {
            client_id: ClientId::new("c"),
            login_id: Some(TxnId::new(login)),
            at: 1,
            act,
        }
    }

    #[test]
    fn waiting_events_reach_the_store_on_flush_in_order_before_one_written_at_once() {
        let store = SqliteStore::in_memory().unwrap();
        let seen = Seen::default();
        seen.push(event("l1", RpAct::TokenExchange));
        seen.push(event("l1", RpAct::Userinfo));
        let login = TxnId::new("l1");
        assert!(store.events_for_login(&login).unwrap().is_empty());
        let written = seen
            .flush_with(&store, Some(event("l1", RpAct::Refresh)))
            .unwrap();
        assert_eq!(written, 3);
        let acts: Vec<RpAct> = store
            .events_for_login(&login)
            .unwrap()
            .into_iter()
            .map(|e| e.act)
            .collect();
        assert_eq!(
            acts,
            [RpAct::TokenExchange, RpAct::Userinfo, RpAct::Refresh]
        );
        // Nothing waits any more.
        assert_eq!(seen.flush(&store).unwrap(), 0);
    }

    #[test]
    fn a_full_list_drops_the_oldest_and_discard_forgets_the_rest() {
        let store = SqliteStore::in_memory().unwrap();
        let seen = Seen::default();
        for i in 0..=SEEN_MEMORY {
            seen.push(event(&format!("l{i}"), RpAct::Userinfo));
        }
        assert_eq!(seen.flush(&store).unwrap(), SEEN_MEMORY);
        assert!(store
            .events_for_login(&TxnId::new("l0"))
            .unwrap()
            .is_empty());
        assert_eq!(store.events_for_login(&TxnId::new("l1")).unwrap().len(), 1);
        seen.push(event("x", RpAct::Userinfo));
        seen.discard_pending();
        assert_eq!(seen.flush(&store).unwrap(), 0);
    }
}
