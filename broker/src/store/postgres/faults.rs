//! The RP test kit's queued faults in PostgreSQL, each use taken once, and the uses recorded.

use super::{db, to_json, PgStore};
use crate::model::{ClientId, QueuedFault, RpEvent, Stage, TxnId};
use crate::store::{FaultStore, StoreResult};

fn stage_name(stage: Stage) -> StoreResult<String> {
    let value = serde_json::to_value(stage)
        .map_err(|e| crate::store::StoreError::Corrupt(format!("stage: {e}")))?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

impl FaultStore for PgStore {
    fn enqueue(&self, fault: &QueuedFault) -> StoreResult<()> {
        self.exec(
            "INSERT INTO faults (id, client_id, stage, remaining, data) VALUES ($1, $2, $3, $4, $5)",
            pg_params![
                fault.id,
                fault.client_id.as_str(),
                stage_name(fault.fault.stage())?,
                fault.remaining,
                to_json(fault)?
            ],
        )?;
        Ok(())
    }
    fn list(&self) -> StoreResult<Vec<QueuedFault>> {
        // The uses left live in their column; the JSON holds the count queued.
        self.query_data(
            "SELECT jsonb_set(data::jsonb, '{remaining}', to_jsonb(remaining))::TEXT
             FROM faults ORDER BY seq",
            pg_params![],
        )
    }
    fn take(&self, client: &ClientId, stage: Stage) -> StoreResult<Option<QueuedFault>> {
        // One use, under the row's lock: a concurrent take waits, then sees what is left.
        let taken: Option<QueuedFault> = self.one_data(
            "UPDATE faults SET remaining = remaining - 1 WHERE seq = (
                 SELECT seq FROM faults WHERE client_id = $1 AND stage = $2 AND remaining > 0
                 ORDER BY seq LIMIT 1 FOR UPDATE)
             RETURNING data",
            pg_params![client.as_str(), stage_name(stage)?],
        )?;
        if taken.is_some() {
            self.exec("DELETE FROM faults WHERE remaining <= 0", pg_params![])?;
        }
        Ok(taken)
    }
    fn remove(&self, id: Option<&str>, client: Option<&ClientId>) -> StoreResult<usize> {
        let removed = self.exec(
            "DELETE FROM faults WHERE ($1::TEXT IS NULL OR id = $1)
             AND ($2::TEXT IS NULL OR client_id = $2)",
            pg_params![id, client.map(|c| c.as_str())],
        )?;
        Ok(usize::try_from(removed).unwrap_or(usize::MAX))
    }
    fn record(&self, events: &[RpEvent]) -> StoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut clients = Vec::with_capacity(events.len());
        let mut logins = Vec::with_capacity(events.len());
        let mut data = Vec::with_capacity(events.len());
        for event in events {
            clients.push(event.client_id.as_str().to_string());
            logins.push(event.login_id.as_ref().map(|l| l.as_str().to_string()));
            data.push(to_json(event)?);
        }
        let pool = self.pool();
        self.block(async move {
            let client = Self::client(&pool).await?;
            // One statement, in the order given (the identity follows it).
            client
                .execute(
                    "INSERT INTO rp_events (client_id, login_id, data)
                     SELECT c, l, d FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[])
                          WITH ORDINALITY AS e(c, l, d, n)
                     ORDER BY n",
                    &[&clients, &logins, &data],
                )
                .await
                .map_err(db)?;
            Ok(())
        })
    }
    fn events_for_login(&self, login: &TxnId) -> StoreResult<Vec<RpEvent>> {
        self.query_data(
            "SELECT data FROM rp_events WHERE login_id = $1 ORDER BY seq",
            pg_params![login.as_str()],
        )
    }
    fn latest_login(&self, client: &ClientId) -> StoreResult<Option<TxnId>> {
        let login: Option<String> = self.scalar(
            "SELECT login_id FROM rp_events WHERE client_id = $1 AND login_id IS NOT NULL
             ORDER BY seq DESC LIMIT 1",
            pg_params![client.as_str()],
        )?;
        Ok(login.map(TxnId::new))
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec_all(
            &["DELETE FROM faults", "DELETE FROM rp_events"],
            pg_params![],
        )
    }
}
