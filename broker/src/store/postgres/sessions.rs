//! Broker sessions in PostgreSQL, by the hash of their cookie.

use super::{to_json, PgStore};
use crate::model::{ClientId, Session, Sid};
use crate::store::{SessionStore, StoreResult};

impl SessionStore for PgStore {
    fn put(&self, session: &Session) -> StoreResult<()> {
        self.exec(
            "INSERT INTO sessions (sid, cookie_hash, expires_at, data) VALUES ($1, $2, $3, $4)
             ON CONFLICT (sid) DO UPDATE SET cookie_hash = EXCLUDED.cookie_hash,
                 expires_at = EXCLUDED.expires_at, data = EXCLUDED.data, ended = 0",
            pg_params![
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
            "SELECT data FROM sessions WHERE cookie_hash = $1 AND ended = 0",
            pg_params![cookie_hash],
        )
    }
    fn live(&self, sid: &Sid) -> StoreResult<Option<Session>> {
        self.one_data(
            "SELECT data FROM sessions WHERE sid = $1 AND ended = 0",
            pg_params![sid.as_str()],
        )
    }
    fn end(&self, sid: &Sid) -> StoreResult<bool> {
        Ok(self.exec(
            "UPDATE sessions SET ended = 1 WHERE sid = $1 AND ended = 0",
            pg_params![sid.as_str()],
        )? > 0)
    }
    fn add_client(&self, sid: &Sid, client: &ClientId) -> StoreResult<()> {
        let client = client.clone();
        self.modify(
            "SELECT data FROM sessions WHERE sid = $1 FOR UPDATE",
            sid.to_string(),
            "UPDATE sessions SET data = $2 WHERE sid = $1",
            move |session: Option<Session>| {
                let Some(mut session) = session else {
                    return Ok((None, ()));
                };
                if session.clients.contains(&client) {
                    return Ok((None, ()));
                }
                session.clients.push(client);
                Ok((
                    Some(pg_params![session.sid.as_str(), to_json(&session)?]),
                    (),
                ))
            },
        )
    }
    fn clear(&self) -> StoreResult<()> {
        self.exec("DELETE FROM sessions", pg_params![])?;
        Ok(())
    }
}
