//! The simulated notification outbox in SQLite: the channel and time as columns, the message
//! as JSON.

use rusqlite::params;

use super::sqlite::{db, from_json, to_json};
use super::{OutboxStore, SqliteStore, StoreResult};
use crate::post::OutboxEntry;

impl OutboxStore for SqliteStore {
    fn record(&self, entry: &OutboxEntry) -> StoreResult<()> {
        let data = to_json(entry)?;
        let conn = self.conn()?;
        conn.prepare_cached(
            "INSERT INTO outbox (id, created_at, channel, data) VALUES (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                entry.id,
                entry.created_at,
                entry.channel.slug(),
                data
            ])
        })
        .map_err(db)?;
        Ok(())
    }

    fn latest(&self, limit: usize) -> StoreResult<Vec<OutboxEntry>> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare_cached("SELECT data FROM outbox ORDER BY created_at DESC, rowid DESC LIMIT ?1")
            .map_err(db)?;
        let rows = statement
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
                row.get::<_, String>(0)
            })
            .map_err(db)?;
        rows.map(|row| from_json(&row.map_err(db)?)).collect()
    }
}
