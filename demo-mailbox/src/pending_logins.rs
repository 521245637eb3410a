//! Logins started at `/login` and not yet finished at `/callback`, keyed by the random
//! `mailbox_login` cookie. The state, nonce and PKCE verifier never leave the server, and a
//! callback from a browser without the cookie finds nothing (login CSRF is refused).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use crate::cookies::LOGIN_COOKIE_MAX_AGE_SECS;
use crate::oidc::PendingLogin;
use crate::random::random_token;

/// At most this many logins wait at once; the oldest is dropped beyond it, so a flood of
/// `/login` requests cannot exhaust memory.
const MAX_PENDING: usize = 10_000;

struct Entry {
    login: PendingLogin,
    /// The local page to go to once logged in (checked by [`crate::paths::local_return_path`]).
    return_to: Option<String>,
    started: SystemTime,
}

/// A parked login taken back at the callback.
pub struct TakenLogin {
    /// The login's state, nonce and PKCE verifier.
    pub login: PendingLogin,
    /// The local page to go to once logged in, if the login started from one.
    pub return_to: Option<String>,
}

/// The logins in progress.
#[derive(Default)]
pub struct PendingLogins {
    logins: Mutex<HashMap<String, Entry>>,
}

impl PendingLogins {
    /// Parks `login`, to end at `return_to` (a local path), under a new random key (the
    /// `mailbox_login` cookie value) and returns it.
    pub fn insert(
        &self,
        login: PendingLogin,
        return_to: Option<String>,
        now: SystemTime,
    ) -> String {
        let key = random_token();
        let mut logins = self.lock();
        logins.retain(|_, entry| !is_expired(entry, now));
        if logins.len() >= MAX_PENDING {
            let oldest = logins
                .iter()
                .min_by_key(|(_, entry)| entry.started)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                logins.remove(&oldest);
            }
        }
        logins.insert(
            key.clone(),
            Entry {
                login,
                return_to,
                started: now,
            },
        );
        key
    }

    /// Takes the login parked under `key`: it can be finished once only.
    pub fn take(&self, key: &str, now: SystemTime) -> Option<TakenLogin> {
        let entry = self.lock().remove(key)?;
        (!is_expired(&entry, now)).then_some(TakenLogin {
            login: entry.login,
            return_to: entry.return_to,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.logins.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn is_expired(entry: &Entry, now: SystemTime) -> bool {
    now.duration_since(entry.started).unwrap_or(Duration::ZERO)
        >= Duration::from_secs(LOGIN_COOKIE_MAX_AGE_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
    }

    #[test]
    fn a_login_can_be_taken_once() {
        let logins = PendingLogins::default();
        let key = logins.insert(PendingLogin::new_random(), None, at(0));
        assert!(logins.take(&key, at(1)).is_some());
        assert!(logins.take(&key, at(2)).is_none());
    }

    #[test]
    fn a_stale_login_is_gone() {
        let logins = PendingLogins::default();
        let key = logins.insert(PendingLogin::new_random(), None, at(0));
        assert!(logins.take(&key, at(LOGIN_COOKIE_MAX_AGE_SECS)).is_none());
    }

    #[test]
    fn unknown_key_finds_nothing() {
        let logins = PendingLogins::default();
        logins.insert(PendingLogin::new_random(), None, at(0));
        assert!(logins.take("not-a-key", at(1)).is_none());
    }
}
