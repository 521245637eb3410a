//! Queued decisions in SQLite, each taken once.

use rusqlite::{params, OptionalExtension};

use super::{db, from_json, to_json, Cached, SqliteStore};
use crate::model::{ClientId, QueuedDecision, UserId};
use crate::store::{DecisionStore, StoreResult};

impl DecisionStore for SqliteStore {
    fn enqueue(&self, decision: &QueuedDecision) -> StoreResult<()> {
        let data = to_json(decision)?;
        let conn = self.conn()?;
        conn.cached_execute(
            "INSERT INTO decisions (id, client_id, for_user_id, data) VALUES (?1, ?2, ?3, ?4)",
            params![
                decision.id,
                decision.client_id.as_ref().map(|c| c.as_str()),
                decision.for_user_id.as_ref().map(|u| u.as_str()),
                data
            ],
        )
        .map_err(db)?;
        self.decisions.inserted(&conn);
        Ok(())
    }
    fn list(&self) -> StoreResult<Vec<QueuedDecision>> {
        self.query_data("SELECT data FROM decisions ORDER BY seq", [])
    }
    fn take_matching(
        &self,
        client: &ClientId,
        hinted_user: Option<&UserId>,
    ) -> StoreResult<Option<QueuedDecision>> {
        // Nearly every login finds none queued: no statement then.
        if !self.decisions.may() {
            return Ok(None);
        }
        let conn = self.conn()?;
        let row: Option<(i64, String)> = conn
            .prepare_cached(
                "SELECT seq, data FROM decisions
                 WHERE (client_id IS NULL OR client_id = ?1)
                   AND (for_user_id IS NULL OR for_user_id = ?2)
                 ORDER BY seq LIMIT 1",
            )
            .map_err(db)?
            .query_row(
                params![client.as_str(), hinted_user.map(|u| u.as_str())],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db)?;
        let Some((seq, data)) = row else {
            self.decisions
                .look(&conn, "SELECT EXISTS (SELECT 1 FROM decisions)")
                .map_err(db)?;
            return Ok(None);
        };
        let deleted = conn
            .prepare_cached("DELETE FROM decisions WHERE seq = ?1")
            .map_err(db)?
            .execute([seq])
            .map_err(db)?;
        // Another connection took it between the two statements: nothing for this login.
        if deleted == 0 {
            return Ok(None);
        }
        Ok(Some(from_json(&data)?))
    }
    fn remove(&self, id: &str) -> StoreResult<bool> {
        Ok(self.exec("DELETE FROM decisions WHERE id = ?1", [id])? > 0)
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM decisions", [])?;
        Ok(())
    }
}
