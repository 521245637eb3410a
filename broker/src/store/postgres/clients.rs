//! Registered clients in PostgreSQL.

use super::{to_json, PgStore};
use crate::model::{Client, ClientId};
use crate::store::{ClientStore, StoreError, StoreResult};

impl ClientStore for PgStore {
    fn list(&self) -> StoreResult<Vec<Client>> {
        self.query_data("SELECT data FROM clients ORDER BY client_id", pg_params![])
    }
    fn get(&self, id: &ClientId) -> StoreResult<Option<Client>> {
        self.one_data(
            "SELECT data FROM clients WHERE client_id = $1",
            pg_params![id.as_str()],
        )
    }
    fn create(&self, client: &Client) -> StoreResult<()> {
        self.exec(
            "INSERT INTO clients (client_id, data) VALUES ($1, $2)",
            pg_params![client.client_id.as_str(), to_json(client)?],
        )
        .map_err(|e| match e {
            StoreError::Conflict(_) => StoreError::Conflict(format!("client {}", client.client_id)),
            e => e,
        })?;
        Ok(())
    }
    fn put(&self, client: &Client) -> StoreResult<()> {
        self.exec(
            "INSERT INTO clients (client_id, data) VALUES ($1, $2)
             ON CONFLICT (client_id) DO UPDATE SET data = EXCLUDED.data",
            pg_params![client.client_id.as_str(), to_json(client)?],
        )?;
        Ok(())
    }
    fn delete(&self, id: &ClientId) -> StoreResult<bool> {
        Ok(self.exec(
            "DELETE FROM clients WHERE client_id = $1",
            pg_params![id.as_str()],
        )? > 0)
    }
}
