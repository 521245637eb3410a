//! The RP test kit's queued faults in SQLite, each use taken once, and the uses recorded.

use rusqlite::{params, OptionalExtension};

use super::{db, from_json, to_json, Cached, SqliteStore};
use crate::model::{ClientId, QueuedFault, RpEvent, Stage, TxnId};
use crate::store::{FaultStore, StoreResult};

fn stage_name(stage: Stage) -> StoreResult<String> {
    let value = serde_json::to_value(stage)
        .map_err(|e| crate::store::StoreError::Corrupt(format!("stage: {e}")))?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

impl FaultStore for SqliteStore {
    fn enqueue(&self, fault: &QueuedFault) -> StoreResult<()> {
        let (stage, data) = (stage_name(fault.fault.stage())?, to_json(fault)?);
        let conn = self.conn()?;
        conn.cached_execute(
            "INSERT INTO faults (id, client_id, stage, remaining, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![fault.id, fault.client_id.as_str(), stage, fault.remaining, data],
        )
        .map_err(db)?;
        self.faults.inserted(&conn);
        Ok(())
    }
    fn list(&self) -> StoreResult<Vec<QueuedFault>> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare_cached("SELECT remaining, data FROM faults ORDER BY seq")
            .map_err(db)?;
        let rows = statement
            .query_map([], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?)))
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (remaining, data) = row.map_err(db)?;
            let mut fault: QueuedFault = from_json(&data)?;
            fault.remaining = remaining;
            out.push(fault);
        }
        Ok(out)
    }
    fn take(&self, client: &ClientId, stage: Stage) -> StoreResult<Option<QueuedFault>> {
        // Nearly every request finds no fault: no statement while none is queued at all, and
        // a read, not a write transaction, while only others' are.
        if !self.faults.may() {
            return Ok(None);
        }
        let conn = self.conn()?;
        let row: Option<(i64, String)> = conn
            .cached_row(
                "SELECT seq, data FROM faults WHERE client_id = ?1 AND stage = ?2 AND remaining > 0
                 ORDER BY seq LIMIT 1",
                params![client.as_str(), stage_name(stage)?],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db)?;
        let Some((seq, data)) = row else {
            self.faults
                .look(&conn, "SELECT EXISTS (SELECT 1 FROM faults)")
                .map_err(db)?;
            return Ok(None);
        };
        // The update's condition keeps the use single across connections.
        let tx = conn.unchecked_transaction().map_err(db)?;
        let taken = tx
            .cached_execute(
                "UPDATE faults SET remaining = remaining - 1 WHERE seq = ?1 AND remaining > 0",
                [seq],
            )
            .map_err(db)?;
        tx.cached_execute(
            "DELETE FROM faults WHERE seq = ?1 AND remaining <= 0",
            [seq],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        if taken == 0 {
            return Ok(None);
        }
        from_json(&data).map(Some)
    }
    fn remove(&self, id: Option<&str>, client: Option<&ClientId>) -> StoreResult<usize> {
        self.exec(
            "DELETE FROM faults WHERE (?1 IS NULL OR id = ?1) AND (?2 IS NULL OR client_id = ?2)",
            params![id, client.map(|c| c.as_str())],
        )
    }
    fn record(&self, events: &[RpEvent]) -> StoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let rows = events
            .iter()
            .map(|event| Ok((event, to_json(event)?)))
            .collect::<StoreResult<Vec<_>>>()?;
        let conn = self.conn()?;
        let tx = conn.unchecked_transaction().map_err(db)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO rp_events (client_id, login_id, data) VALUES (?1, ?2, ?3)",
                )
                .map_err(db)?;
            for (event, data) in &rows {
                insert
                    .execute(params![
                        event.client_id.as_str(),
                        event.login_id.as_ref().map(|l| l.as_str()),
                        data
                    ])
                    .map_err(db)?;
            }
        }
        tx.commit().map_err(db)
    }
    fn events_for_login(&self, login: &TxnId) -> StoreResult<Vec<RpEvent>> {
        self.query_data(
            "SELECT data FROM rp_events WHERE login_id = ?1 ORDER BY seq",
            [login.as_str()],
        )
    }
    fn latest_login(&self, client: &ClientId) -> StoreResult<Option<TxnId>> {
        let conn = self.conn()?;
        let login: Option<String> = conn
            .cached_row(
                "SELECT login_id FROM rp_events WHERE client_id = ?1 AND login_id IS NOT NULL
                 ORDER BY seq DESC LIMIT 1",
                [client.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        Ok(login.map(TxnId::new))
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec_all(&["DELETE FROM faults", "DELETE FROM rp_events"], [])
    }
}
