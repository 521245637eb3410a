//! Instance-wide values and housekeeping (purging what expired) in SQLite.

use rusqlite::{params, OptionalExtension};
use std::collections::HashSet;

use super::{db, Cached, SqliteStore};
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
    /// In batches of [`PURGE_BATCH`] rows, each its own short transaction, with the connection
    /// let go between them: the requests' statements wait for one batch (about a millisecond),
    /// not for the whole purge. With a few hundred thousand logins stored the whole purge takes
    /// seconds, and done in one transaction it stalled every request for them
    /// (docs/benchmarks.md, "The once-a-minute purge").
    fn purge_expired(&self, now: UnixTime) -> StoreResult<usize> {
        // The revoked grants known before the codes are swept: a grant is born with its code,
        // so one revoked later cannot have a code the sweep below passed already.
        let revoked: Vec<String> = {
            let conn = self.conn()?;
            let mut stmt = conn
                .prepare_cached("SELECT grant_id FROM revoked_grants")
                .map_err(db)?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(db)?;
            rows.collect::<Result<_, _>>().map_err(db)?
        };
        let mut holding_codes = HashSet::new();
        let mut gone = self.sweep("codes", |tx, from, to| {
            let n = tx
                .cached_execute(
                    "DELETE FROM codes WHERE rowid > ?1 AND rowid <= ?2 AND expires_at < ?3",
                    params![from, to, now - PURGE_GRACE],
                )
                .map_err(db)?;
            if !revoked.is_empty() {
                let mut stmt = tx
                    .prepare_cached(
                        "SELECT c.grant_id FROM codes c
                         JOIN revoked_grants r ON r.grant_id = c.grant_id
                         WHERE c.rowid > ?1 AND c.rowid <= ?2",
                    )
                    .map_err(db)?;
                let rows = stmt
                    .query_map([from, to], |r| r.get::<_, String>(0))
                    .map_err(db)?;
                for grant in rows {
                    holding_codes.insert(grant.map_err(db)?);
                }
            }
            Ok(n)
        })?;
        for (table, sql, at) in [
            (
                "logins",
                "DELETE FROM logins WHERE rowid > ?1 AND rowid <= ?2 AND expires_at < ?3",
                now - PURGE_GRACE,
            ),
            (
                "access_tokens",
                "DELETE FROM access_tokens WHERE rowid > ?1 AND rowid <= ?2 AND expires_at < ?3",
                now,
            ),
            (
                "onboardings",
                "DELETE FROM onboardings WHERE rowid > ?1 AND rowid <= ?2 AND expires_at < ?3",
                now - PURGE_GRACE,
            ),
            (
                "refresh_tokens",
                "DELETE FROM refresh_tokens WHERE rowid > ?1 AND rowid <= ?2 AND expires_at < ?3",
                now,
            ),
            (
                "assertion_jtis",
                "DELETE FROM assertion_jtis WHERE rowid > ?1 AND rowid <= ?2 AND expires_at < ?3",
                now,
            ),
            (
                "pushed_requests",
                "DELETE FROM pushed_requests WHERE rowid > ?1 AND rowid <= ?2 AND expires_at < ?3",
                now,
            ),
            (
                "sessions",
                "DELETE FROM sessions WHERE rowid > ?1 AND rowid <= ?2
                     AND (expires_at < ?3 OR ended = 1)",
                now,
            ),
        ] {
            gone += self.sweep(table, |tx, from, to| {
                tx.cached_execute(sql, params![from, to, at]).map_err(db)
            })?;
        }
        // What the broker saw of an RP goes with its login (a lookup in the logins' key per
        // event, where `NOT IN (SELECT id FROM logins)` copied every login id each time).
        gone += self.sweep("rp_events", |tx, from, to| {
            tx.cached_execute(
                "DELETE FROM rp_events WHERE seq > ?1 AND seq <= ?2 AND (login_id IS NULL
                     OR NOT EXISTS (SELECT 1 FROM logins WHERE id = rp_events.login_id))",
                [from, to],
            )
            .map_err(db)
        })?;
        // A revoked grant is forgotten once nothing of it is left to revoke: no code (seen by
        // the sweep above) and no token (looked up in the tokens' grant indexes).
        let forgettable: Vec<&String> = revoked
            .iter()
            .filter(|g| !holding_codes.contains(*g))
            .collect();
        for batch in forgettable.chunks(PURGE_BATCH as usize) {
            let conn = self.conn()?;
            let tx = conn.unchecked_transaction().map_err(db)?;
            for grant in batch {
                gone += tx
                    .cached_execute(
                        "DELETE FROM revoked_grants WHERE grant_id = ?1
                         AND NOT EXISTS (SELECT 1 FROM access_tokens WHERE grant_id = ?1)
                         AND NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE grant_id = ?1)",
                        [grant],
                    )
                    .map_err(db)?;
            }
            tx.commit().map_err(db)?;
            drop(conn);
            std::thread::yield_now();
        }
        Ok(gone)
    }
}

/// Rows a purge looks at per transaction ([`SqliteStore::sweep`]).
const PURGE_BATCH: i64 = 1000;

impl SqliteStore {
    /// Runs `batch(tx, from, to)` over `table`'s rows in rowid order, [`PURGE_BATCH`] rows at a
    /// time (those with `from < rowid <= to`), each batch in its own transaction, letting the
    /// connection go between batches. Returns the sum of what the batches return.
    fn sweep(
        &self,
        table: &str,
        mut batch: impl FnMut(&rusqlite::Transaction<'_>, i64, i64) -> StoreResult<usize>,
    ) -> StoreResult<usize> {
        let last = format!(
            "SELECT max(rowid) FROM (SELECT rowid FROM {table} WHERE rowid > ?1
             ORDER BY rowid LIMIT ?2)"
        );
        let mut from = i64::MIN;
        let mut gone = 0;
        loop {
            let conn = self.conn()?;
            let to: Option<i64> = conn
                .cached_row(&last, [from, PURGE_BATCH], |r| r.get(0))
                .map_err(db)?;
            let Some(to) = to else {
                return Ok(gone);
            };
            let tx = conn.unchecked_transaction().map_err(db)?;
            gone += batch(&tx, from, to)?;
            tx.commit().map_err(db)?;
            drop(conn);
            // Lets a request waiting for the connection have it before the next batch.
            std::thread::yield_now();
            from = to;
        }
    }
}
