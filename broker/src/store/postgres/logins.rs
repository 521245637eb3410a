//! Login transactions in PostgreSQL: a terminal status is written once, the flow by revision.

use super::{to_json, PgStore};
use crate::clock::UnixTime;
use crate::model::{Delivered, Flow, LoginStatus, LoginTxn, TxnId};
use crate::store::{LoginStore, Settle, StoreResult};

impl LoginStore for PgStore {
    fn create(&self, txn: &LoginTxn) -> StoreResult<()> {
        self.exec(
            "INSERT INTO logins (id, status, delivered, created_at, expires_at, data)
             VALUES ($1, $2, $3, $4, $5, $6)",
            pg_params![
                txn.id.as_str(),
                txn.status.name(),
                txn.delivered,
                txn.created_at,
                txn.expires_at,
                to_json(txn)?
            ],
        )?;
        Ok(())
    }
    fn get(&self, id: &TxnId) -> StoreResult<Option<LoginTxn>> {
        self.one_data(
            "SELECT data FROM logins WHERE id = $1",
            pg_params![id.as_str()],
        )
    }
    fn list_pending(&self, now: UnixTime) -> StoreResult<Vec<LoginTxn>> {
        self.query_data(
            "SELECT data FROM logins WHERE status = 'pending' AND expires_at > $1
             ORDER BY created_at, id",
            pg_params![now],
        )
    }
    fn list_recent(&self, limit: usize) -> StoreResult<Vec<LoginTxn>> {
        self.query_data(
            "SELECT data FROM logins ORDER BY seq DESC LIMIT $1",
            pg_params![i64::try_from(limit).unwrap_or(i64::MAX)],
        )
    }
    fn settle(&self, id: &TxnId, status: &LoginStatus) -> StoreResult<Settle> {
        // Under the row's lock: of two replicas settling at once, the second sees the first's
        // terminal status.
        let status = status.clone();
        self.modify(
            "SELECT data FROM logins WHERE id = $1 FOR UPDATE",
            id.to_string(),
            "UPDATE logins SET status = $2, data = $3 WHERE id = $1 AND status = 'pending'",
            move |txn: Option<LoginTxn>| {
                let Some(mut txn) = txn else {
                    return Ok((None, Settle::NotFound));
                };
                if !txn.status.is_pending() {
                    return Ok((None, Settle::AlreadySettled(txn)));
                }
                txn.status = status;
                let write = pg_params![txn.id.as_str(), txn.status.name(), to_json(&txn)?];
                Ok((Some(write), Settle::Settled(txn)))
            },
        )
    }
    fn mark_delivered(&self, id: &TxnId, response: Option<&Delivered>) -> StoreResult<bool> {
        let response = response.cloned();
        self.modify(
            "SELECT data FROM logins WHERE id = $1 AND delivered = 0 FOR UPDATE",
            id.to_string(),
            "UPDATE logins SET delivered = 1, data = $2 WHERE id = $1",
            move |txn: Option<LoginTxn>| {
                let Some(mut txn) = txn else {
                    return Ok((None, false));
                };
                txn.delivered = true;
                txn.response = response;
                Ok((Some(pg_params![txn.id.as_str(), to_json(&txn)?]), true))
            },
        )
    }
    fn update_flow(
        &self,
        id: &TxnId,
        expected_rev: u64,
        flow: &Flow,
    ) -> StoreResult<Option<LoginTxn>> {
        let flow = flow.clone();
        self.modify(
            "SELECT data FROM logins WHERE id = $1 AND status = 'pending' FOR UPDATE",
            id.to_string(),
            "UPDATE logins SET data = $2 WHERE id = $1",
            move |txn: Option<LoginTxn>| {
                let Some(mut txn) = txn else {
                    return Ok((None, None));
                };
                if txn.flow.rev != expected_rev {
                    return Ok((None, None));
                }
                txn.flow = Flow {
                    rev: expected_rev + 1,
                    ..flow
                };
                Ok((Some(pg_params![txn.id.as_str(), to_json(&txn)?]), Some(txn)))
            },
        )
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM logins", pg_params![])?;
        Ok(())
    }
}
