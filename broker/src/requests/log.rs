//! The request log's memory: a bounded ring of entries not yet in the database, written in
//! batches off the request path.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use tokio::sync::Notify;

use super::Captured;
use crate::store::{RequestLogStore, StoreError, StoreResult};

/// How many entries wait in memory at most; beyond it the oldest waiting one is dropped (the
/// database is slow or gone).
pub const MEMORY: usize = 2_000;

/// How many waiting entries wake the writer before its next tick ([`RequestLog::filled`]). A
/// busy broker (three entries a login, thousands of logins a second) then writes several times
/// a second, and the ring drops entries only when the database cannot keep up, not because a
/// second brought more than [`MEMORY`].
pub const FLUSH_AT: usize = MEMORY / 2;

pub struct RequestLog {
    /// Entries newer than the last flush, oldest first.
    pending: Mutex<VecDeque<Captured>>,
    /// Held for a whole flush, so a reader that flushes waits for a flush in flight and then
    /// finds its entries in the database.
    flushing: Mutex<()>,
    /// How many entries the database keeps; 0: the log is off.
    keep: usize,
    dropped: AtomicU64,
    /// Woken when [`FLUSH_AT`] entries wait.
    filled: Notify,
}

impl RequestLog {
    /// A log that keeps the newest `keep` entries in the database (0 turns it off).
    pub fn new(keep: usize) -> RequestLog {
        RequestLog {
            pending: Mutex::new(VecDeque::new()),
            flushing: Mutex::new(()),
            keep,
            dropped: AtomicU64::new(0),
            filled: Notify::new(),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.keep > 0
    }

    /// Adds an entry (on the request path: a push under a short lock, nothing else).
    pub fn record(&self, entry: Captured) {
        if !self.is_enabled() {
            return;
        }
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        if pending.len() >= MEMORY {
            pending.pop_front();
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        pending.push_back(entry);
        if pending.len() == FLUSH_AT {
            drop(pending);
            self.filled.notify_one();
        }
    }

    /// Resolves when [`FLUSH_AT`] entries wait (at once if they came since the last call): the
    /// writer's cue to write before its next tick.
    pub async fn filled(&self) {
        self.filled.notified().await;
    }

    /// Writes the waiting entries to `store` in one batch, pruning it to the bound. How many
    /// were written. Entries a failed write could not store are dropped (and counted). The
    /// entries are made here ([`Captured::stored`]), off the request path.
    pub fn flush(&self, store: &dyn RequestLogStore) -> StoreResult<usize> {
        let _flushing = self
            .flushing
            .lock()
            .map_err(|_| StoreError::Db("request log flush lock poisoned".into()))?;
        let captured: Vec<Captured> = match self.pending.lock() {
            Ok(mut pending) => pending.drain(..).collect(),
            Err(_) => return Err(StoreError::Db("request log lock poisoned".into())),
        };
        let captured_count = captured.len();
        let batch: Vec<_> = captured
            .into_iter()
            .filter_map(|entry| entry.stored().ok())
            .collect();
        let unserialisable = captured_count - batch.len();
        if unserialisable > 0 {
            tracing::warn!(
                unserialisable,
                "request log entries could not be serialised"
            );
        }
        let dropped = self.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            tracing::warn!(
                dropped,
                "request log entries dropped: the database did not keep up"
            );
        }
        if batch.is_empty() {
            return Ok(0);
        }
        match store.append(&batch, self.keep) {
            Ok(()) => Ok(batch.len()),
            Err(e) => {
                self.dropped
                    .fetch_add(u64::try_from(batch.len()).unwrap_or(0), Ordering::Relaxed);
                Err(e)
            }
        }
    }

    /// Forgets the entries not yet written (reset).
    pub fn discard_pending(&self) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::requests::capture::tests::captured;
    use crate::store::SqliteStore;

    /// Whether `filled` resolves without waiting (polled once: no time passes).
    async fn ready(filled: std::pin::Pin<&mut impl std::future::Future<Output = ()>>) -> bool {
        tokio::time::timeout(Duration::ZERO, filled).await.is_ok()
    }

    #[tokio::test]
    async fn a_filling_ring_wakes_the_writer_before_it_drops_anything() {
        let log = RequestLog::new(10 * MEMORY);
        let filled = log.filled();
        tokio::pin!(filled);
        for _ in 1..FLUSH_AT {
            log.record(captured());
        }
        assert!(
            !ready(filled.as_mut()).await,
            "woken before {FLUSH_AT} entries"
        );
        log.record(captured());
        assert!(
            ready(filled.as_mut()).await,
            "not woken at {FLUSH_AT} entries"
        );
        let store = SqliteStore::in_memory().unwrap();
        assert_eq!(log.flush(&store).unwrap(), FLUSH_AT);
        assert_eq!(log.dropped.load(Ordering::Relaxed), 0);

        // The next fill wakes it again; a call after it resolves at once.
        for _ in 0..FLUSH_AT {
            log.record(captured());
        }
        let again = log.filled();
        tokio::pin!(again);
        assert!(ready(again.as_mut()).await, "the second fill was not kept");
    }

    #[test]
    fn a_full_ring_drops_what_goes_beyond_it_and_counts_it() {
        let log = RequestLog::new(10 * MEMORY);
        for _ in 0..MEMORY + 3 {
            log.record(captured());
        }
        assert_eq!(log.dropped.load(Ordering::Relaxed), 3);
        let store = SqliteStore::in_memory().unwrap();
        assert_eq!(log.flush(&store).unwrap(), MEMORY);
        // The count is reported once, with the flush.
        assert_eq!(log.dropped.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn a_log_kept_at_zero_records_nothing() {
        let log = RequestLog::new(0);
        log.record(captured());
        let store = SqliteStore::in_memory().unwrap();
        assert_eq!(log.flush(&store).unwrap(), 0);
    }
}
