//! SQLite storage: one connection behind a mutex (SQLite serialises writers anyway, and every
//! statement here is a short indexed lookup). Rows keep their queryable fields as columns and
//! the rest as JSON, so the schema stays portable to a server database.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use super::*;
use crate::model::Grant;

mod cases;
mod requests;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identities (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS logins (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS logins_status ON logins(status, created_at);
CREATE TABLE IF NOT EXISTS codes (
    hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    taken INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS access_tokens (
    hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS access_tokens_grant ON access_tokens(grant_id);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS refresh_tokens_grant ON refresh_tokens(grant_id);
CREATE TABLE IF NOT EXISTS sessions (
    sid TEXT PRIMARY KEY,
    cookie_hash TEXT NOT NULL UNIQUE,
    ended INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    client_id TEXT,
    for_user_id TEXT,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (identity_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS onboardings (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS assertion_jtis (
    client_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, jti));
CREATE TABLE IF NOT EXISTS pushed_requests (
    uri_hash TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS citizen_service_cases (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    rev INTEGER NOT NULL,
    data TEXT NOT NULL);
"#;

pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn db(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, ref msg) = e {
        if f.code == rusqlite::ErrorCode::ConstraintViolation {
            return StoreError::Conflict(msg.clone().unwrap_or_else(|| "row".into()));
        }
    }
    StoreError::Db(e.to_string())
}

fn to_json<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl SqliteStore {
    /// Opens (and creates on first use) the database file.
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        let conn = Connection::open(path).map_err(db)?;
        // WAL with synchronous=OFF: every commit survives a crash of the broker process; only
        // an operating-system crash or power loss can lose recent writes. For a simulator that
        // is the right trade: with fsync, each WAL checkpoint stalled every request behind the
        // connection lock for 7-300 ms (measured; see docs/benchmarks.md).
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA busy_timeout=5000;",
        )
        .map_err(db)?;
        SqliteStore::init(conn)
    }

    /// A private in-memory database, for tests.
    pub fn in_memory() -> StoreResult<SqliteStore> {
        SqliteStore::init(Connection::open_in_memory().map_err(db)?)
    }

    fn init(conn: Connection) -> StoreResult<SqliteStore> {
        conn.execute_batch(SCHEMA).map_err(db)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> StoreResult<MutexGuard<'_, Connection>> {
        self.conn
            .lock()
            .map_err(|_| StoreError::Db("connection lock poisoned".into()))
    }

    fn query_data<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> StoreResult<Vec<T>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(sql).map_err(db)?;
        let rows = stmt
            .query_map(params, |r| r.get::<_, String>(0))
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(from_json(&row.map_err(db)?)?);
        }
        Ok(out)
    }

    fn one_data<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> StoreResult<Option<T>> {
        let conn = self.conn()?;
        let data: Option<String> = conn
            .prepare_cached(sql)
            .map_err(db)?
            .query_row(params, |r| r.get(0))
            .optional()
            .map_err(db)?;
        data.map(|d| from_json(&d)).transpose()
    }

    /// Takes a single-use row: `select` yields (grant_id, state, data) with state 0 = usable,
    /// 1 = already used, 2 = gone; `update` marks it used only if still usable, so the take
    /// stays single even across connections.
    fn take_once<T: DeserializeOwned>(
        &self,
        select: &str,
        update: &str,
        hash: &str,
    ) -> StoreResult<Take<T>> {
        let conn = self.conn()?;
        let row: Option<(String, i64, String)> = conn
            .prepare_cached(select)
            .map_err(db)?
            .query_row([hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()
            .map_err(db)?;
        match row {
            None | Some((_, 2, _)) => Ok(Take::NotFound),
            Some((grant, 0, data)) => {
                let changed = conn
                    .prepare_cached(update)
                    .map_err(db)?
                    .execute([hash])
                    .map_err(db)?;
                if changed == 0 {
                    return Ok(Take::AlreadyTaken(GrantId::new(grant)));
                }
                Ok(Take::Taken(from_json(&data)?))
            }
            Some((grant, _, _)) => Ok(Take::AlreadyTaken(GrantId::new(grant))),
        }
    }

    /// Inserts a row of one of the grant-bound tables (codes, access and refresh tokens).
    fn insert_for_grant(
        &self,
        sql: &str,
        hash: &str,
        grant: &Grant,
        expires_at: UnixTime,
        row: &impl Serialize,
    ) -> StoreResult<()> {
        self.exec(
            sql,
            params![hash, grant.id.as_str(), expires_at, to_json(row)?],
        )?;
        Ok(())
    }

    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> StoreResult<usize> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(sql).map_err(db)?;
        stmt.execute(params).map_err(db)
    }
}

impl ClientStore for SqliteStore {
    fn list(&self) -> StoreResult<Vec<Client>> {
        self.query_data("SELECT data FROM clients ORDER BY client_id", [])
    }
    fn get(&self, id: &ClientId) -> StoreResult<Option<Client>> {
        self.one_data(
            "SELECT data FROM clients WHERE client_id = ?1",
            [id.as_str()],
        )
    }
    fn create(&self, client: &Client) -> StoreResult<()> {
        self.exec(
            "INSERT INTO clients (client_id, data) VALUES (?1, ?2)",
            params![client.client_id.as_str(), to_json(client)?],
        )
        .map_err(|e| match e {
            StoreError::Conflict(_) => StoreError::Conflict(format!("client {}", client.client_id)),
            e => e,
        })?;
        Ok(())
    }
    fn put(&self, client: &Client) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO clients (client_id, data) VALUES (?1, ?2)",
            params![client.client_id.as_str(), to_json(client)?],
        )?;
        Ok(())
    }
    fn delete(&self, id: &ClientId) -> StoreResult<bool> {
        Ok(self.exec("DELETE FROM clients WHERE client_id = ?1", [id.as_str()])? > 0)
    }
}

impl IdentityStore for SqliteStore {
    fn list(&self) -> StoreResult<Vec<Identity>> {
        self.query_data("SELECT data FROM identities ORDER BY seq", [])
    }
    fn get(&self, id: &IdentityId) -> StoreResult<Option<Identity>> {
        self.one_data("SELECT data FROM identities WHERE id = ?1", [id.as_str()])
    }
    fn by_user_id(&self, user_id: &UserId) -> StoreResult<Option<Identity>> {
        self.one_data(
            "SELECT data FROM identities WHERE user_id = ?1",
            [user_id.as_str()],
        )
    }
    fn create(&self, identity: &Identity) -> StoreResult<()> {
        self.exec(
            "INSERT INTO identities (id, user_id, data) VALUES (?1, ?2, ?3)",
            params![
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
                "UPDATE identities SET user_id = ?2, data = ?3 WHERE id = ?1",
                params![
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
        Ok(self.exec("DELETE FROM identities WHERE id = ?1", [id.as_str()])? > 0)
    }
}

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
            .query_row(
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
        tx.execute(
            "UPDATE logins SET status = ?2, data = ?3 WHERE id = ?1 AND status = 'pending'",
            params![id.as_str(), txn.status.name(), to_json(&txn)?],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(Settle::Settled(txn))
    }
    fn mark_delivered(&self, id: &TxnId) -> StoreResult<bool> {
        let conn = self.conn()?;
        let tx = conn.unchecked_transaction().map_err(db)?;
        let data: Option<String> = tx
            .query_row(
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
        tx.execute(
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
            .query_row(
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
        tx.execute(
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
            "SELECT grant_id, taken, data FROM codes WHERE hash = ?1",
            "UPDATE codes SET taken = 1 WHERE hash = ?1 AND taken = 0",
            hash,
        )
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
            "SELECT data FROM access_tokens WHERE hash = ?1 AND revoked = 0",
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
            "SELECT data FROM refresh_tokens WHERE hash = ?1 AND used = 0 AND revoked = 0",
            [hash],
        )
    }
    fn take_refresh(&self, hash: &str) -> StoreResult<Take<RefreshToken>> {
        self.take_once(
            "SELECT grant_id, CASE WHEN used THEN 1 WHEN revoked THEN 2 ELSE 0 END, data
             FROM refresh_tokens WHERE hash = ?1",
            "UPDATE refresh_tokens SET used = 1 WHERE hash = ?1 AND used = 0 AND revoked = 0",
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
        self.exec(
            "UPDATE access_tokens SET revoked = 1 WHERE grant_id = ?1",
            [grant.as_str()],
        )?;
        self.exec(
            "UPDATE refresh_tokens SET revoked = 1 WHERE grant_id = ?1",
            [grant.as_str()],
        )?;
        Ok(())
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM access_tokens", [])?;
        self.exec("DELETE FROM refresh_tokens", [])?;
        Ok(())
    }
}

impl SessionStore for SqliteStore {
    fn put(&self, session: &Session) -> StoreResult<()> {
        self.exec(
            "INSERT OR REPLACE INTO sessions (sid, cookie_hash, expires_at, data)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                session.sid.as_str(),
                session.cookie_hash,
                session.expires_at,
                to_json(session)?
            ],
        )?;
        Ok(())
    }
    fn by_cookie(&self, cookie_hash: &str) -> StoreResult<Option<Session>> {
        self.one_data(
            "SELECT data FROM sessions WHERE cookie_hash = ?1 AND ended = 0",
            [cookie_hash],
        )
    }
    fn end(&self, sid: &Sid) -> StoreResult<bool> {
        Ok(self.exec(
            "UPDATE sessions SET ended = 1 WHERE sid = ?1 AND ended = 0",
            [sid.as_str()],
        )? > 0)
    }
    fn add_client(&self, sid: &Sid, client: &ClientId) -> StoreResult<()> {
        let conn = self.conn()?;
        let tx = conn.unchecked_transaction().map_err(db)?;
        let data: Option<String> = tx
            .query_row(
                "SELECT data FROM sessions WHERE sid = ?1",
                [sid.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let Some(data) = data else {
            return Ok(());
        };
        let mut session: Session = from_json(&data)?;
        if session.clients.contains(client) {
            return Ok(());
        }
        session.clients.push(client.clone());
        tx.execute(
            "UPDATE sessions SET data = ?2 WHERE sid = ?1",
            params![sid.as_str(), to_json(&session)?],
        )
        .map_err(db)?;
        tx.commit().map_err(db)
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM sessions", [])?;
        Ok(())
    }
}

impl DecisionStore for SqliteStore {
    fn enqueue(&self, decision: &QueuedDecision) -> StoreResult<()> {
        self.exec(
            "INSERT INTO decisions (id, client_id, for_user_id, data) VALUES (?1, ?2, ?3, ?4)",
            params![
                decision.id,
                decision.client_id.as_ref().map(|c| c.as_str()),
                decision.for_user_id.as_ref().map(|u| u.as_str()),
                to_json(decision)?
            ],
        )?;
        Ok(())
    }
    fn list(&self) -> StoreResult<Vec<QueuedDecision>> {
        self.query_data("SELECT data FROM decisions ORDER BY seq", [])
    }
    fn take_matching(
        &self,
        client: &ClientId,
        hinted_user: Option<&UserId>,
    ) -> StoreResult<Option<QueuedDecision>> {
        let conn = self.conn()?;
        let row: Option<(i64, String)> = conn
            .prepare_cached(
                "SELECT seq, data FROM decisions
                 WHERE (client_id IS NULL OR client_id = ?1)
                   AND (for_user_id IS NULL OR for_user_id = ?2)
                 ORDER BY seq LIMIT 1",
            )
            .map_err(db)?
            .query_row(
                params![client.as_str(), hinted_user.map(|u| u.as_str())],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db)?;
        let Some((seq, data)) = row else {
            return Ok(None);
        };
        let deleted = conn
            .prepare_cached("DELETE FROM decisions WHERE seq = ?1")
            .map_err(db)?
            .execute([seq])
            .map_err(db)?;
        // Another connection took it between the two statements: nothing for this login.
        if deleted == 0 {
            return Ok(None);
        }
        Ok(Some(from_json(&data)?))
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM decisions", [])?;
        Ok(())
    }
}

impl OnboardingStore for SqliteStore {
    fn create(&self, onboarding: &Onboarding) -> StoreResult<()> {
        self.exec(
            "INSERT INTO onboardings (id, rev, expires_at, data) VALUES (?1, ?2, ?3, ?4)",
            params![
                onboarding.id,
                i64::try_from(onboarding.rev).unwrap_or(i64::MAX),
                onboarding.expires_at,
                to_json(onboarding)?
            ],
        )?;
        Ok(())
    }
    fn get(&self, id: &str) -> StoreResult<Option<Onboarding>> {
        self.one_data("SELECT data FROM onboardings WHERE id = ?1", [id])
    }
    fn update(
        &self,
        expected_rev: u64,
        onboarding: &Onboarding,
    ) -> StoreResult<Option<Onboarding>> {
        let written = Onboarding {
            rev: expected_rev + 1,
            ..onboarding.clone()
        };
        let expected = i64::try_from(expected_rev).unwrap_or(i64::MAX);
        let changed = self.exec(
            "UPDATE onboardings SET rev = ?2, data = ?3 WHERE id = ?1 AND rev = ?4",
            params![written.id, expected + 1, to_json(&written)?, expected],
        )?;
        Ok((changed > 0).then_some(written))
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM onboardings", [])?;
        Ok(())
    }
}

impl OutboxStore for SqliteStore {
    fn put(&self, message: &OutboxMessage) -> StoreResult<()> {
        self.exec(
            "INSERT INTO outbox (id, data) VALUES (?1, ?2)",
            params![message.id, to_json(message)?],
        )?;
        Ok(())
    }
    fn list(&self, limit: usize) -> StoreResult<Vec<OutboxMessage>> {
        self.query_data(
            "SELECT data FROM outbox ORDER BY seq DESC LIMIT ?1",
            [i64::try_from(limit).unwrap_or(i64::MAX)],
        )
    }
    fn get(&self, id: &str) -> StoreResult<Option<OutboxMessage>> {
        self.one_data("SELECT data FROM outbox WHERE id = ?1", [id])
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM outbox", [])?;
        Ok(())
    }
}

impl MetaStore for SqliteStore {
    fn get(&self, key: &str) -> StoreResult<Option<String>> {
        let conn = self.conn()?;
        let value = conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")
            .map_err(db)?
            .query_row([key], |r| r.get(0))
            .optional()
            .map_err(db)?;
        Ok(value)
    }
    fn get_or_init(&self, key: &str, value: &str) -> StoreResult<String> {
        self.exec(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
            [key, value],
        )?;
        MetaStore::get(self, key)?.ok_or_else(|| StoreError::Db(format!("meta {key} missing")))
    }
}

impl Maintenance for SqliteStore {
    fn purge_expired(&self, now: UnixTime) -> StoreResult<usize> {
        let conn = self.conn()?;
        let tx = conn.unchecked_transaction().map_err(db)?;
        let mut gone = 0;
        for (sql, at) in [
            ("DELETE FROM codes WHERE expires_at < ?1", now - PURGE_GRACE),
            (
                "DELETE FROM logins WHERE expires_at < ?1",
                now - PURGE_GRACE,
            ),
            ("DELETE FROM access_tokens WHERE expires_at < ?1", now),
            (
                "DELETE FROM onboardings WHERE expires_at < ?1",
                now - PURGE_GRACE,
            ),
            ("DELETE FROM refresh_tokens WHERE expires_at < ?1", now),
            ("DELETE FROM assertion_jtis WHERE expires_at < ?1", now),
            ("DELETE FROM pushed_requests WHERE expires_at < ?1", now),
            (
                "DELETE FROM sessions WHERE expires_at < ?1 OR ended = 1",
                now,
            ),
        ] {
            gone += tx.execute(sql, [at]).map_err(db)?;
        }
        tx.commit().map_err(db)?;
        Ok(gone)
    }
}
