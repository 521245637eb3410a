//! The WAL's checkpoints, off the request path. The store's connection runs with automatic
//! checkpoints off, so no commit ever waits for a checkpoint's `fsync`; this thread, with a
//! connection of its own, copies the WAL back into the database every [`INTERVAL`] (a PASSIVE
//! checkpoint: it never blocks the writer) and once more when the store is dropped.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

/// How often the WAL is checkpointed.
pub const INTERVAL: Duration = Duration::from_millis(250);

pub struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// What a checkpoint did: frames in the WAL, and frames copied into the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Done {
    pub busy: bool,
    pub wal_frames: i64,
    pub checkpointed: i64,
}

impl Checkpointer {
    pub fn start(path: &Path) -> rusqlite::Result<Checkpointer> {
        let conn = Connection::open(path)?;
        conn.execute_batch("PRAGMA busy_timeout=5000;")?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
                    if let Err(e) = checkpoint(&conn) {
                        tracing::warn!(error = %e, "WAL checkpoint failed; the next one retries");
                    }
                }
                if let Err(e) = checkpoint(&conn) {
                    tracing::warn!(error = %e, "the last WAL checkpoint failed");
                }
            })
            .map_err(|e| {
                rusqlite::Error::ToSqlConversionFailure(format!("checkpoint thread: {e}").into())
            })?;
        Ok(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Dropping the sender wakes the thread at once; it takes a last checkpoint and ends.
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One PASSIVE checkpoint: as much of the WAL as no reader still needs.
pub fn checkpoint(conn: &Connection) -> rusqlite::Result<Done> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok(Done {
            busy: r.get::<_, i64>(0)? != 0,
            wal_frames: r.get(1)?,
            checkpointed: r.get(2)?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;
    use crate::store::MetaStore;

    #[test]
    fn commits_leave_checkpoints_to_the_checkpointer_and_it_takes_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broker.sqlite");
        let store = SqliteStore::open(&path).unwrap();
        {
            let conn = store.conn().unwrap();
            let sync: i64 = conn
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .unwrap();
            assert_eq!(sync, 1, "synchronous=NORMAL");
            let auto: i64 = conn
                .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
                .unwrap();
            assert_eq!(auto, 0, "no checkpoint inside a commit");
        }
        for i in 0..200 {
            store.get_or_init(&format!("key-{i}"), "value").unwrap();
        }
        // Another connection, as the checkpointer has: the commits are in the WAL, and one
        // checkpoint copies all of them (nothing reads, so nothing holds it back).
        let other = Connection::open(&path).unwrap();
        let done = checkpoint(&other).unwrap();
        assert!(!done.busy);
        assert_eq!(done.checkpointed, done.wal_frames);
        // The data is all there for a new connection.
        let count: i64 = other
            .query_row(
                "SELECT COUNT(*) FROM meta WHERE key LIKE 'key-%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(count, 200);
        // Dropping the store stops the thread (the test would hang otherwise).
        drop(store);
    }
}
