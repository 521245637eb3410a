//! Authorization codes, access tokens and refresh tokens in SQLite: rows bound to a grant,
//! each taken once.

use rusqlite::OptionalExtension;

use super::{Cached, SqliteStore};
use crate::model::{AccessToken, AuthCode, GrantId, RefreshToken};
use crate::store::{CodeStore, StoreResult, Take, TokenStore};

impl CodeStore for SqliteStore {
    fn put(&self, code: &AuthCode) -> StoreResult<()> {
        self.insert_for_grant(
            "INSERT INTO codes (hash, grant_id, expires_at, data) VALUES (?1, ?2, ?3, ?4)",
            &code.hash,
            &code.grant,
            code.expires_at,
            code,
        )
    }
    fn take(&self, hash: &str) -> StoreResult<Take<AuthCode>> {
        self.take_once(
            "SELECT grant_id, taken FROM codes WHERE hash = ?1",
            "UPDATE codes SET taken = 1 WHERE hash = ?1 AND taken = 0 RETURNING data",
            hash,
        )
    }
    fn is_unspent(&self, hash: &str) -> StoreResult<bool> {
        let conn = self.conn()?;
        let taken: Option<bool> = conn
            .cached_row("SELECT taken FROM codes WHERE hash = ?1", [hash], |r| {
                r.get(0)
            })
            .optional()
            .map_err(super::db)?;
        Ok(taken == Some(false))
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM codes", [])?;
        Ok(())
    }
}

impl TokenStore for SqliteStore {
    fn put_access(&self, token: &AccessToken) -> StoreResult<()> {
        self.insert_for_grant(
            "INSERT INTO access_tokens (hash, grant_id, expires_at, data) VALUES (?1, ?2, ?3, ?4)",
            &token.hash,
            &token.grant,
            token.expires_at,
            token,
        )
    }
    fn get_access(&self, hash: &str) -> StoreResult<Option<AccessToken>> {
        self.one_data(
            "SELECT data FROM access_tokens WHERE hash = ?1 AND revoked = 0
             AND NOT EXISTS (SELECT 1 FROM revoked_grants r WHERE r.grant_id = access_tokens.grant_id)",
            [hash],
        )
    }
    fn revoke_access(&self, hash: &str) -> StoreResult<bool> {
        Ok(self.exec(
            "UPDATE access_tokens SET revoked = 1 WHERE hash = ?1 AND revoked = 0",
            [hash],
        )? > 0)
    }
    fn put_refresh(&self, token: &RefreshToken) -> StoreResult<()> {
        self.insert_for_grant(
            "INSERT INTO refresh_tokens (hash, grant_id, expires_at, data) VALUES (?1, ?2, ?3, ?4)",
            &token.hash,
            &token.grant,
            token.expires_at,
            token,
        )
    }
    fn get_refresh(&self, hash: &str) -> StoreResult<Option<RefreshToken>> {
        self.one_data(
            "SELECT data FROM refresh_tokens WHERE hash = ?1 AND used = 0 AND revoked = 0
             AND NOT EXISTS (SELECT 1 FROM revoked_grants r WHERE r.grant_id = refresh_tokens.grant_id)",
            [hash],
        )
    }
    fn take_refresh(&self, hash: &str) -> StoreResult<Take<RefreshToken>> {
        self.take_once(
            "SELECT grant_id, CASE WHEN used THEN 1 WHEN revoked THEN 2
                 WHEN EXISTS (SELECT 1 FROM revoked_grants r WHERE r.grant_id = refresh_tokens.grant_id)
                 THEN 2 ELSE 0 END
             FROM refresh_tokens WHERE hash = ?1",
            "UPDATE refresh_tokens SET used = 1 WHERE hash = ?1 AND used = 0 AND revoked = 0
             AND NOT EXISTS (SELECT 1 FROM revoked_grants r WHERE r.grant_id = refresh_tokens.grant_id)
             RETURNING data",
            hash,
        )
    }
    fn revoke_refresh(&self, hash: &str) -> StoreResult<bool> {
        Ok(self.exec(
            "UPDATE refresh_tokens SET revoked = 1 WHERE hash = ?1 AND revoked = 0 AND used = 0",
            [hash],
        )? > 0)
    }
    fn revoke_grant(&self, grant: &GrantId) -> StoreResult<()> {
        // One transaction. Remembered, so tokens of the grant stored after this (a concurrent
        // refresh that won the race) are dead too.
        self.exec_all(
            &[
                "INSERT OR IGNORE INTO revoked_grants (grant_id) VALUES (?1)",
                "UPDATE access_tokens SET revoked = 1 WHERE grant_id = ?1",
                "UPDATE refresh_tokens SET revoked = 1 WHERE grant_id = ?1",
            ],
            [grant.as_str()],
        )
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec_all(
            &[
                "DELETE FROM access_tokens",
                "DELETE FROM refresh_tokens",
                "DELETE FROM revoked_grants",
            ],
            [],
        )
    }
}
