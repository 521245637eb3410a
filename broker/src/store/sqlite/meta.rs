//! Instance-wide values and housekeeping (purging what expired) in SQLite.

use rusqlite::OptionalExtension;

use super::{db, SqliteStore};
use crate::clock::UnixTime;
use crate::store::{Maintenance, MetaStore, StoreError, StoreResult, PURGE_GRACE};

impl MetaStore for SqliteStore {
    fn get(&self, key: &str) -> StoreResult<Option<String>> {
        let conn = self.conn()?;
        let value = conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")
            .map_err(db)?
            .query_row([key], |r| r.get(0))
            .optional()
            .map_err(db)?;
        Ok(value)
    }
    fn get_or_init(&self, key: &str, value: &str) -> StoreResult<String> {
        self.exec(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
            [key, value],
        )?;
        MetaStore::get(self, key)?.ok_or_else(|| StoreError::Db(format!("meta {key} missing")))
    }
    fn advance(&self, key: &str, floor: i64, delta: i64) -> StoreResult<i64> {
        let conn = self.conn()?;
        let value: String = conn
            .prepare_cached(ADVANCE)
            .map_err(db)?
            .query_row(rusqlite::params![key, floor, delta], |r| r.get(0))
            .map_err(db)?;
        value
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("meta {key} is not a number")))
    }
}

/// One statement, so two callers never read the same value; `max` keeps a value that is not
/// a number (cast to 0) from winning over the floor.
const ADVANCE: &str = "INSERT INTO meta (key, value) VALUES (?1, CAST(?2 + ?3 AS TEXT))
     ON CONFLICT (key) DO UPDATE SET value = CAST(max(CAST(value AS INTEGER), ?2) + ?3 AS TEXT)
     RETURNING value";

impl Maintenance for SqliteStore {
    fn purge_expired(&self, now: UnixTime) -> StoreResult<usize> {
        let conn = self.conn()?;
        let tx = conn.unchecked_transaction().map_err(db)?;
        let mut gone = 0;
        for (sql, at) in [
            ("DELETE FROM codes WHERE expires_at < ?1", now - PURGE_GRACE),
            (
                "DELETE FROM logins WHERE expires_at < ?1",
                now - PURGE_GRACE,
            ),
            ("DELETE FROM access_tokens WHERE expires_at < ?1", now),
            (
                "DELETE FROM onboardings WHERE expires_at < ?1",
                now - PURGE_GRACE,
            ),
            ("DELETE FROM refresh_tokens WHERE expires_at < ?1", now),
            ("DELETE FROM assertion_jtis WHERE expires_at < ?1", now),
            ("DELETE FROM pushed_requests WHERE expires_at < ?1", now),
            (
                "DELETE FROM sessions WHERE expires_at < ?1 OR ended = 1",
                now,
            ),
        ] {
            gone += tx.execute(sql, [at]).map_err(db)?;
        }
        // A revoked grant is forgotten once nothing of it is left to revoke.
        gone += tx
            .execute(
                "DELETE FROM revoked_grants WHERE grant_id NOT IN (
                     SELECT grant_id FROM codes UNION SELECT grant_id FROM access_tokens
                     UNION SELECT grant_id FROM refresh_tokens)",
                [],
            )
            .map_err(db)?;
        // What the broker saw of an RP goes with its login.
        gone += tx
            .execute(
                "DELETE FROM rp_events WHERE login_id IS NULL
                     OR login_id NOT IN (SELECT id FROM logins)",
                [],
            )
            .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(gone)
    }
}
