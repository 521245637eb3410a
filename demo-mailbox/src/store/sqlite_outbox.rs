//! The simulated notification outbox in SQLite: the channel and time as columns, the message
//! as JSON.

use rusqlite::params;

use super::sqlite::{from_json, to_json};
use super::{OutboxStore, SqliteStore, StoreResult};
use crate::post::OutboxEntry;

impl OutboxStore for SqliteStore {
    fn record(&self, entry: &OutboxEntry) -> StoreResult<()> {
        let data = to_json(entry)?;
        self.execute(
            "INSERT INTO outbox (id, created_at, channel, data) VALUES (?1, ?2, ?3, ?4)",
            params![entry.id, entry.created_at, entry.channel.slug(), data],
        )?;
        Ok(())
    }

    fn latest(&self, limit: usize) -> StoreResult<Vec<OutboxEntry>> {
        self.query_all(
            "SELECT data FROM outbox ORDER BY created_at DESC, rowid DESC LIMIT ?1",
            [i64::try_from(limit).unwrap_or(i64::MAX)],
            |row| row.get::<_, String>(0),
            |data| from_json(&data),
        )
    }
}
