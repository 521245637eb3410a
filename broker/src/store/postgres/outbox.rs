//! The simulated SMS and letters in PostgreSQL.

use super::{to_json, PgStore};
use crate::model::OutboxMessage;
use crate::store::{OutboxStore, StoreResult};

impl OutboxStore for PgStore {
    fn put(&self, message: &OutboxMessage) -> StoreResult<()> {
        self.exec(
            "INSERT INTO outbox (id, data) VALUES ($1, $2)",
            pg_params![message.id, to_json(message)?],
        )?;
        Ok(())
    }
    fn list(&self, limit: usize) -> StoreResult<Vec<OutboxMessage>> {
        self.query_data(
            "SELECT data FROM outbox ORDER BY seq DESC LIMIT $1",
            pg_params![i64::try_from(limit).unwrap_or(i64::MAX)],
        )
    }
    fn get(&self, id: &str) -> StoreResult<Option<OutboxMessage>> {
        self.one_data("SELECT data FROM outbox WHERE id = $1", pg_params![id])
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM outbox", pg_params![])?;
        Ok(())
    }
}
