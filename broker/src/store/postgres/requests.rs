//! Client assertion ids and pushed authorization requests in PostgreSQL.

use super::{to_json, PgStore};
use crate::clock::UnixTime;
use crate::model::{ClientId, PushedRequest};
use crate::store::{AssertionStore, PushedRequestStore, StoreResult};

impl AssertionStore for PgStore {
    fn record_jti(&self, client: &ClientId, jti: &str, expires_at: UnixTime) -> StoreResult<bool> {
        // The primary key makes the insert the single point of truth, even for concurrent calls.
        let inserted = self.exec(
            "INSERT INTO assertion_jtis (client_id, jti, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            pg_params![client.as_str(), jti, expires_at],
        )?;
        Ok(inserted == 1)
    }

    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM assertion_jtis", pg_params![])?;
        Ok(())
    }
}

impl PushedRequestStore for PgStore {
    fn put(&self, uri_hash: &str, request: &PushedRequest) -> StoreResult<()> {
        self.exec(
            "INSERT INTO pushed_requests (uri_hash, expires_at, data) VALUES ($1, $2, $3)",
            pg_params![uri_hash, request.expires_at, to_json(request)?],
        )?;
        Ok(())
    }

    fn take(&self, uri_hash: &str) -> StoreResult<Option<PushedRequest>> {
        // DELETE ... RETURNING: reading and removing is one statement, so one caller wins.
        self.one_data(
            "DELETE FROM pushed_requests WHERE uri_hash = $1 RETURNING data",
            pg_params![uri_hash],
        )
    }

    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM pushed_requests", pg_params![])?;
        Ok(())
    }
}
