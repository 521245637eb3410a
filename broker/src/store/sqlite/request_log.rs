//! The request log in SQLite.

use rusqlite::params;

use super::{db, to_json, SqliteStore};
use crate::model::{LoggedRequest, RequestFilter};
use crate::store::{RequestLogStore, StoreResult};

impl RequestLogStore for SqliteStore {
    fn append(&self, batch: &[LoggedRequest], keep: usize) -> StoreResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(db)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO request_log (at, client_id, login_id, data) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(db)?;
            for entry in batch {
                insert
                    .execute(params![
                        entry.at,
                        entry.client_id,
                        entry.login_id,
                        to_json(entry)?
                    ])
                    .map_err(db)?;
            }
            // Everything older than the newest `keep` goes (nothing while there are fewer).
            tx.prepare_cached(
                "DELETE FROM request_log WHERE seq <= \
                 (SELECT seq FROM request_log ORDER BY seq DESC LIMIT 1 OFFSET ?1)",
            )
            .map_err(db)?
            .execute([i64::try_from(keep).unwrap_or(i64::MAX)])
            .map_err(db)?;
        }
        tx.commit().map_err(db)
    }

    fn list(&self, filter: &RequestFilter) -> StoreResult<Vec<LoggedRequest>> {
        self.query_data(
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
        self.exec("DELETE FROM request_log", [])?;
        Ok(())
    }
}
