//! What the identities' devices remember between logins, in SQLite.

use rusqlite::params;

use super::{to_json, SqliteStore};
use crate::model::{DeviceState, IdentityId};
use crate::store::{DeviceStore, StoreResult};

impl DeviceStore for SqliteStore {
    fn get(&self, identity: &IdentityId) -> StoreResult<DeviceState> {
        let state: Option<DeviceState> = self.one_data(
            "SELECT data FROM devices WHERE identity_id = ?1",
            [identity.as_str()],
        )?;
        Ok(state.unwrap_or_default())
    }
    fn put(&self, identity: &IdentityId, state: &DeviceState) -> StoreResult<()> {
        self.exec(
            "INSERT INTO devices (identity_id, data) VALUES (?1, ?2)
             ON CONFLICT(identity_id) DO UPDATE SET data = excluded.data",
            params![identity.as_str(), to_json(state)?],
        )?;
        Ok(())
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM devices", [])?;
        Ok(())
    }
}
