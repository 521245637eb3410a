//! Test identities in PostgreSQL: the user ID as a unique column, the identity as JSON.

use super::{to_json, PgStore};
use crate::model::{Identity, IdentityId, UserId};
use crate::store::{IdentityStore, StoreError, StoreResult};

impl IdentityStore for PgStore {
    fn list(&self) -> StoreResult<Vec<Identity>> {
        self.query_data("SELECT data FROM identities ORDER BY seq", pg_params![])
    }
    fn get(&self, id: &IdentityId) -> StoreResult<Option<Identity>> {
        self.one_data(
            "SELECT data FROM identities WHERE id = $1",
            pg_params![id.as_str()],
        )
    }
    fn by_user_id(&self, user_id: &UserId) -> StoreResult<Option<Identity>> {
        self.one_data(
            "SELECT data FROM identities WHERE user_id = $1",
            pg_params![user_id.as_str()],
        )
    }
    fn create(&self, identity: &Identity) -> StoreResult<()> {
        self.exec(
            "INSERT INTO identities (id, user_id, data) VALUES ($1, $2, $3)",
            pg_params![
                identity.id.as_str(),
                identity.user_id.as_str(),
                to_json(identity)?
            ],
        )
        .map_err(|e| match e {
            StoreError::Conflict(_) => StoreError::Conflict(format!(
                "identity {} (user ID {})",
                identity.id, identity.user_id
            )),
            e => e,
        })?;
        Ok(())
    }
    fn update(&self, identity: &Identity) -> StoreResult<bool> {
        let changed = self
            .exec(
                "UPDATE identities SET user_id = $2, data = $3 WHERE id = $1",
                pg_params![
                    identity.id.as_str(),
                    identity.user_id.as_str(),
                    to_json(identity)?
                ],
            )
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    StoreError::Conflict(format!("user ID {}", identity.user_id))
                }
                e => e,
            })?;
        Ok(changed > 0)
    }
    fn delete(&self, id: &IdentityId) -> StoreResult<bool> {
        Ok(self.exec(
            "DELETE FROM identities WHERE id = $1",
            pg_params![id.as_str()],
        )? > 0)
    }
}
