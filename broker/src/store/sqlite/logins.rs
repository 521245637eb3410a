//! Login transactions in SQLite: a terminal status is written once, the flow by revision.

use rusqlite::{params, OptionalExtension};

use super::{db, from_json, to_json, Cached, SqliteStore};
use crate::clock::UnixTime;
use crate::model::{Delivered, Flow, LoginStatus, LoginTxn, TxnId};
use crate::store::{LoginStore, Settle, StoreResult};

impl LoginStore for SqliteStore {
    fn create(&self, txn: &LoginTxn) -> StoreResult<()> {
        self.exec(
            "INSERT INTO logins (id, status, delivered, created_at, expires_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
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
        self.one_data("SELECT data FROM logins WHERE id = ?1", [id.as_str()])
    }
    fn list_pending(&self, now: UnixTime) -> StoreResult<Vec<LoginTxn>> {
        self.query_data(
            "SELECT data FROM logins WHERE status = 'pending' AND expires_at > ?1
             ORDER BY created_at, id",
            [now],
        )
    }
    fn list_recent(&self, limit: usize) -> StoreResult<Vec<LoginTxn>> {
        self.query_data(
            "SELECT data FROM logins ORDER BY rowid DESC LIMIT ?1",
            [i64::try_from(limit).unwrap_or(i64::MAX)],
        )
    }
    fn settle(&self, id: &TxnId, status: &LoginStatus) -> StoreResult<Settle> {
        let conn = self.conn()?;
        let tx = conn.unchecked_transaction().map_err(db)?;
        let data: Option<String> = tx
            .cached_row(
                "SELECT data FROM logins WHERE id = ?1",
                [id.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let Some(data) = data else {
            return Ok(Settle::NotFound);
        };
        let mut txn: LoginTxn = from_json(&data)?;
        if !txn.status.is_pending() {
            return Ok(Settle::AlreadySettled(txn));
        }
        txn.status = status.clone();
        tx.cached_execute(
            "UPDATE logins SET status = ?2, data = ?3 WHERE id = ?1 AND status = 'pending'",
            params![id.as_str(), txn.status.name(), to_json(&txn)?],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(Settle::Settled(txn))
    }
    fn mark_delivered(&self, id: &TxnId, response: Option<&Delivered>) -> StoreResult<bool> {
        let conn = self.conn()?;
        let tx = conn.unchecked_transaction().map_err(db)?;
        let data: Option<String> = tx
            .cached_row(
                "SELECT data FROM logins WHERE id = ?1 AND delivered = 0",
                [id.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let Some(data) = data else {
            return Ok(false);
        };
        let mut txn: LoginTxn = from_json(&data)?;
        txn.delivered = true;
        txn.response = response.cloned();
        tx.cached_execute(
            "UPDATE logins SET delivered = 1, data = ?2 WHERE id = ?1",
            params![id.as_str(), to_json(&txn)?],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(true)
    }
    fn update_flow(
        &self,
        id: &TxnId,
        expected_rev: u64,
        flow: &Flow,
    ) -> StoreResult<Option<LoginTxn>> {
        let conn = self.conn()?;
        let tx = conn.unchecked_transaction().map_err(db)?;
        let data: Option<String> = tx
            .cached_row(
                "SELECT data FROM logins WHERE id = ?1 AND status = 'pending'",
                [id.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let Some(data) = data else {
            return Ok(None);
        };
        let mut txn: LoginTxn = from_json(&data)?;
        if txn.flow.rev != expected_rev {
            return Ok(None);
        }
        txn.flow = Flow {
            rev: expected_rev + 1,
            ..flow.clone()
        };
        tx.cached_execute(
            "UPDATE logins SET data = ?2 WHERE id = ?1",
            params![id.as_str(), to_json(&txn)?],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(Some(txn))
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM logins", [])?;
        Ok(())
    }
}
