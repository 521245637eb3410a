//! Queued decisions in PostgreSQL, each taken once.

use super::{to_json, PgStore};
use crate::model::{ClientId, QueuedDecision, UserId};
use crate::store::{DecisionStore, StoreResult};

impl DecisionStore for PgStore {
    fn enqueue(&self, decision: &QueuedDecision) -> StoreResult<()> {
        self.exec(
            "INSERT INTO decisions (id, client_id, for_user_id, data) VALUES ($1, $2, $3, $4)",
            pg_params![
                decision.id,
                decision.client_id.as_ref().map(|c| c.as_str()),
                decision.for_user_id.as_ref().map(|u| u.as_str()),
                to_json(decision)?
            ],
        )?;
        Ok(())
    }
    fn list(&self) -> StoreResult<Vec<QueuedDecision>> {
        self.query_data("SELECT data FROM decisions ORDER BY seq", pg_params![])
    }
    fn take_matching(
        &self,
        client: &ClientId,
        hinted_user: Option<&UserId>,
    ) -> StoreResult<Option<QueuedDecision>> {
        // One statement: the oldest match is deleted and returned, by one replica only (a
        // row another transaction holds is skipped, not waited for).
        self.one_data(
            "DELETE FROM decisions WHERE seq = (
                 SELECT seq FROM decisions
                 WHERE (client_id IS NULL OR client_id = $1)
                   AND (for_user_id IS NULL OR for_user_id = $2)
                 ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING data",
            pg_params![client.as_str(), hinted_user.map(|u| u.as_str())],
        )
    }
    fn remove(&self, id: &str) -> StoreResult<bool> {
        Ok(self.exec("DELETE FROM decisions WHERE id = $1", pg_params![id])? > 0)
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM decisions", pg_params![])?;
        Ok(())
    }
}
