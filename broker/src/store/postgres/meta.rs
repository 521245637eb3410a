//! Instance-wide values and housekeeping (purging what expired) in PostgreSQL.

use super::{db, PgStore};
use crate::clock::UnixTime;
use crate::store::{Maintenance, MetaStore, StoreError, StoreResult, PURGE_GRACE};

impl MetaStore for PgStore {
    fn get(&self, key: &str) -> StoreResult<Option<String>> {
        self.scalar("SELECT value FROM meta WHERE key = $1", pg_params![key])
    }
    fn get_or_init(&self, key: &str, value: &str) -> StoreResult<String> {
        self.exec(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            pg_params![key, value],
        )?;
        MetaStore::get(self, key)?.ok_or_else(|| StoreError::Db(format!("meta {key} missing")))
    }
    fn advance(&self, key: &str, floor: i64, delta: i64) -> StoreResult<i64> {
        // The row lock of the upsert orders replicas: each sees the value the last one left.
        let value: Option<String> = self.scalar(
            "INSERT INTO meta (key, value) VALUES ($1, ($2::bigint + $3::bigint)::text)
             ON CONFLICT (key) DO UPDATE SET value = (GREATEST(
                 CASE WHEN meta.value ~ '^-?[0-9]{1,18}$' THEN meta.value::bigint ELSE $2 END,
                 $2) + $3)::text
             RETURNING value",
            pg_params![key, floor, delta],
        )?;
        value
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("meta {key} is not a number")))
    }
}

impl Maintenance for PgStore {
    fn purge_expired(&self, now: UnixTime) -> StoreResult<usize> {
        let pool = self.pool();
        self.block(async move {
            let mut client = PgStore::client(&pool).await?;
            let tx = client.transaction().await.map_err(db)?;
            let mut gone = 0;
            for (sql, at) in [
                ("DELETE FROM codes WHERE expires_at < $1", now - PURGE_GRACE),
                (
                    "DELETE FROM logins WHERE expires_at < $1",
                    now - PURGE_GRACE,
                ),
                ("DELETE FROM access_tokens WHERE expires_at < $1", now),
                (
                    "DELETE FROM onboardings WHERE expires_at < $1",
                    now - PURGE_GRACE,
                ),
                ("DELETE FROM refresh_tokens WHERE expires_at < $1", now),
                ("DELETE FROM assertion_jtis WHERE expires_at < $1", now),
                ("DELETE FROM pushed_requests WHERE expires_at < $1", now),
                (
                    "DELETE FROM sessions WHERE expires_at < $1 OR ended = 1",
                    now,
                ),
            ] {
                gone += tx.execute(sql, &[&at]).await.map_err(db)?;
            }
            // A revoked grant is forgotten once nothing of it is left to revoke.
            gone += tx
                .execute(
                    "DELETE FROM revoked_grants WHERE grant_id NOT IN (
                         SELECT grant_id FROM codes UNION SELECT grant_id FROM access_tokens
                         UNION SELECT grant_id FROM refresh_tokens)",
                    &[],
                )
                .await
                .map_err(db)?;
            // What the broker saw of an RP goes with its login.
            gone += tx
                .execute(
                    "DELETE FROM rp_events WHERE login_id IS NULL
                         OR login_id NOT IN (SELECT id FROM logins)",
                    &[],
                )
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(usize::try_from(gone).unwrap_or(usize::MAX))
        })
    }
}
