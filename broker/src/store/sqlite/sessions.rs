//! Broker sessions in SQLite, by the hash of their cookie.

use rusqlite::{params, OptionalExtension};

use super::{db, from_json, to_json, Cached, SqliteStore};
use crate::model::{ClientId, Session, Sid};
use crate::store::{SessionStore, StoreResult};

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
    fn live(&self, sid: &Sid) -> StoreResult<Option<Session>> {
        self.one_data(
            "SELECT data FROM sessions WHERE sid = ?1 AND ended = 0",
            [sid.as_str()],
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
            .cached_row(
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
        tx.cached_execute(
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
