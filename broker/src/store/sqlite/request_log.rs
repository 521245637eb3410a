//! The request log in SQLite.

use rusqlite::params;

use super::{db, query_data_on, SqliteStore};
use crate::model::{LoggedRequest, RequestFilter, StoredRequest};
use crate::store::{RequestLogStore, StoreResult};

/// Rows per transaction when a batch is written.
const APPEND_CHUNK: usize = 100;

impl RequestLogStore for SqliteStore {
    fn append(&self, batch: &[StoredRequest], keep: usize) -> StoreResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        // Written in chunks, each its own transaction, so a second's batch (thousands of rows
        // under load) holds the connection from the requests a fraction of a millisecond at a
        // time instead of milliseconds. Each chunk is serialised before the connection is
        // taken (serialised before), so the requests get it in between.
        let mut chunks = batch.chunks(APPEND_CHUNK).peekable();
        while let Some(chunk) = chunks.next() {
            let mut conn = self.log()?;
            let tx = conn.transaction().map_err(db)?;
            {
                let mut insert = tx
                    .prepare_cached(
                        "INSERT INTO request_log (at, client_id, login_id, data) VALUES (?1, ?2, ?3, ?4)",
                    )
                    .map_err(db)?;
                for entry in chunk {
                    insert
                        .execute(params![
                            entry.at,
                            entry.client_id,
                            entry.login_id,
                            entry.data
                        ])
                        .map_err(db)?;
                }
            }
            if chunks.peek().is_none() {
                // Everything older than the newest `keep` goes: rows are numbered one after
                // another (the oldest are deleted first, so numbers are not reused), and the
                // newest number is one look-up, not a walk over `keep` rows.
                tx.prepare_cached(
                    "DELETE FROM request_log WHERE seq <= (SELECT max(seq) FROM request_log) - ?1",
                )
                .map_err(db)?
                .execute([i64::try_from(keep).unwrap_or(i64::MAX)])
                .map_err(db)?;
            }
            tx.commit().map_err(db)?;
        }
        Ok(())
    }

    fn list(&self, filter: &RequestFilter) -> StoreResult<Vec<LoggedRequest>> {
        query_data_on(
            &*self.log()?,
            "SELECT data FROM request_log \
             WHERE (?1 IS NULL OR client_id = ?1) AND (?2 IS NULL OR login_id = ?2) \
             ORDER BY seq DESC LIMIT ?3",
            params![
                filter.client_id,
                filter.login_id,
                i64::try_from(filter.limit).unwrap_or(i64::MAX)
            ],
        )
    }

    fn clear(&self) -> StoreResult<()> {
        self.log()?
            .execute("DELETE FROM request_log", [])
            .map_err(db)?;
        Ok(())
    }
}
