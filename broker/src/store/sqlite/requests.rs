//! Client assertion ids and pushed authorization requests in SQLite.

use rusqlite::{params, OptionalExtension};

use super::{db, from_json, to_json, SqliteStore};
use crate::clock::UnixTime;
use crate::model::{ClientId, PushedRequest};
use crate::store::{AssertionStore, PushedRequestStore, StoreResult};

impl AssertionStore for SqliteStore {
    fn record_jti(&self, client: &ClientId, jti: &str, expires_at: UnixTime) -> StoreResult<bool> {
        // The primary key makes the insert the single point of truth, even for concurrent calls.
        let inserted = self.exec(
            "INSERT OR IGNORE INTO assertion_jtis (client_id, jti, expires_at) VALUES (?1, ?2, ?3)",
            params![client.as_str(), jti, expires_at],
        )?;
        Ok(inserted == 1)
    }

    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM assertion_jtis", [])?;
        Ok(())
    }
}

impl PushedRequestStore for SqliteStore {
    fn put(&self, uri_hash: &str, request: &PushedRequest) -> StoreResult<()> {
        self.exec(
            "INSERT INTO pushed_requests (uri_hash, expires_at, data) VALUES (?1, ?2, ?3)",
            params![uri_hash, request.expires_at, to_json(request)?],
        )?;
        Ok(())
    }

    fn take(&self, uri_hash: &str) -> StoreResult<Option<PushedRequest>> {
        let conn = self.conn()?;
        // DELETE ... RETURNING: reading and removing is one statement, so one caller wins.
        let data: Option<String> = conn
            .prepare_cached("DELETE FROM pushed_requests WHERE uri_hash = ?1 RETURNING data")
            .map_err(db)?
            .query_row([uri_hash], |r| r.get(0))
            .optional()
            .map_err(db)?;
        data.map(|d| from_json(&d)).transpose()
    }

    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM pushed_requests", [])?;
        Ok(())
    }
}
