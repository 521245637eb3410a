//! The request log in PostgreSQL, shared by the replicas: a batch is one statement and the
//! pruning runs in its transaction.

use super::{db, PgStore};
use crate::model::{LoggedRequest, RequestFilter, StoredRequest};
use crate::store::{RequestLogStore, StoreResult};

impl RequestLogStore for PgStore {
    fn append(&self, batch: &[StoredRequest], keep: usize) -> StoreResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut at = Vec::with_capacity(batch.len());
        let mut clients = Vec::with_capacity(batch.len());
        let mut logins = Vec::with_capacity(batch.len());
        let mut data = Vec::with_capacity(batch.len());
        for entry in batch {
            at.push(entry.at);
            clients.push(entry.client_id.clone());
            logins.push(entry.login_id.clone());
            data.push(entry.data.clone());
        }
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        let pool = self.pool();
        self.block(async move {
            let mut client = Self::client(&pool).await?;
            let tx = client.transaction().await.map_err(db)?;
            // One statement for the batch, in the order given (the identity follows it).
            tx.execute(
                "INSERT INTO request_log (at, client_id, login_id, data)
                 SELECT a, c, l, d
                 FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[])
                      WITH ORDINALITY AS b(a, c, l, d, n)
                 ORDER BY n",
                &[&at, &clients, &logins, &data],
            )
            .await
            .map_err(db)?;
            tx.execute(
                "DELETE FROM request_log WHERE seq <=
                 (SELECT seq FROM request_log ORDER BY seq DESC LIMIT 1 OFFSET $1)",
                &[&keep],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)
        })
    }

    fn list(&self, filter: &RequestFilter) -> StoreResult<Vec<LoggedRequest>> {
        self.query_data(
            "SELECT data FROM request_log
             WHERE ($1::TEXT IS NULL OR client_id = $1) AND ($2::TEXT IS NULL OR login_id = $2)
             ORDER BY seq DESC LIMIT $3",
            pg_params![filter.client_id, filter.login_id, filter.limit],
        )
    }

    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM request_log", pg_params![])?;
        Ok(())
    }
}
