//! What the identities' devices remember between logins, in PostgreSQL: the state as JSON, its
//! revision inside it.

use super::{to_json, PgStore};
use crate::model::{DeviceState, IdentityId};
use crate::store::{DeviceStore, StoreResult};

impl DeviceStore for PgStore {
    fn get(&self, identity: &IdentityId) -> StoreResult<DeviceState> {
        let state: Option<DeviceState> = self.one_data(
            "SELECT data FROM devices WHERE identity_id = $1",
            pg_params![identity.as_str()],
        )?;
        Ok(state.unwrap_or_default())
    }
    fn update(
        &self,
        identity: &IdentityId,
        state: &DeviceState,
    ) -> StoreResult<Option<DeviceState>> {
        let written = DeviceState {
            rev: state.rev + 1,
            ..state.clone()
        };
        let data = to_json(&written)?;
        if state.rev == 0
            && self.exec(
                "INSERT INTO devices (identity_id, data) VALUES ($1, $2)
                 ON CONFLICT(identity_id) DO NOTHING",
                pg_params![identity.as_str(), data],
            )? == 1
        {
            return Ok(Some(written));
        }
        // The revision lives in the JSON (a state stored before revisions reads as 0).
        let changed = self.exec(
            "UPDATE devices SET data = $3
             WHERE identity_id = $1 AND COALESCE((data::jsonb ->> 'rev')::BIGINT, 0) = $2",
            pg_params![
                identity.as_str(),
                i64::try_from(state.rev).unwrap_or(i64::MAX),
                data
            ],
        )?;
        Ok((changed == 1).then_some(written))
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM devices", pg_params![])?;
        Ok(())
    }
}
