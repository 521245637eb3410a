//! Clients and identities change seldom and are read several times in every login. A broker
//! keeps what it read of them in memory until it writes one itself (then it forgets them all)
//! or until [`Store::forget_cached`] runs, which the server does every [`FORGET_EVERY`]: so a
//! change another replica (or the `broker identities` command) made shows within that time.
//! Nothing that was not found is kept: a client registered elsewhere works at once.
//!
//! A read that raced a write cannot put the old value back: every write moves the cache's
//! generation on, and a value read under an older generation is not kept.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{ClientStore, IdentityStore, StoreResult};
use crate::model::{Client, ClientId, Identity, IdentityId, UserId};

#[cfg(doc)]
use super::Store;

/// How often a running broker forgets what it read, so other writers' changes show.
pub const FORGET_EVERY: Duration = Duration::from_millis(250);

/// Values by key, and the generation they were read in.
struct Cache<K, V> {
    inner: Mutex<(u64, HashMap<K, V>)>,
}

impl<K: Hash + Eq, V: Clone> Cache<K, V> {
    fn new() -> Cache<K, V> {
        Cache {
            inner: Mutex::new((0, HashMap::new())),
        }
    }

    /// The value kept for `key`, or the generation to read it under.
    fn get(&self, key: &K) -> Result<V, u64> {
        match self.inner.lock() {
            Ok(inner) => inner.1.get(key).cloned().ok_or(inner.0),
            // A poisoned cache is no cache: read the database, keep nothing.
            Err(_) => Err(u64::MAX),
        }
    }

    fn keep(&self, generation: u64, key: K, value: V) {
        if let Ok(mut inner) = self.inner.lock() {
            if inner.0 == generation {
                inner.1.insert(key, value);
            }
        }
    }

    fn forget(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.0 = inner.0.wrapping_add(1);
            inner.1.clear();
        }
    }
}

/// Reads through `cache`: the kept value, or `read`'s (kept when found).
fn read_through<K: Hash + Eq + Clone, V: Clone>(
    cache: &Cache<K, V>,
    key: &K,
    read: impl FnOnce() -> StoreResult<Option<V>>,
) -> StoreResult<Option<V>> {
    match cache.get(key) {
        Ok(value) => Ok(Some(value)),
        Err(generation) => {
            let value = read()?;
            if let Some(value) = &value {
                cache.keep(generation, key.clone(), value.clone());
            }
            Ok(value)
        }
    }
}

/// Forgets before and after a write: after, so a read that started before the write and ends
/// after it finds its generation gone.
fn writing<T>(forget: impl Fn(), write: impl FnOnce() -> StoreResult<T>) -> StoreResult<T> {
    forget();
    let result = write();
    forget();
    result
}

/// The caches of one store, for [`Store::forget_cached`].
pub struct Caches {
    clients: Cache<ClientId, Client>,
    identities: Cache<IdentityId, Identity>,
    by_user_id: Cache<UserId, Identity>,
}

impl Caches {
    pub fn new() -> Arc<Caches> {
        Arc::new(Caches {
            clients: Cache::new(),
            identities: Cache::new(),
            by_user_id: Cache::new(),
        })
    }

    pub fn forget(&self) {
        self.clients.forget();
        self.forget_identities();
    }

    fn forget_identities(&self) {
        self.identities.forget();
        self.by_user_id.forget();
    }
}

pub struct CachedClients {
    pub db: Arc<dyn ClientStore>,
    pub caches: Arc<Caches>,
}

impl ClientStore for CachedClients {
    fn list(&self) -> StoreResult<Vec<Client>> {
        self.db.list()
    }
    fn get(&self, id: &ClientId) -> StoreResult<Option<Client>> {
        read_through(&self.caches.clients, id, || self.db.get(id))
    }
    fn create(&self, client: &Client) -> StoreResult<()> {
        writing(|| self.caches.clients.forget(), || self.db.create(client))
    }
    fn put(&self, client: &Client) -> StoreResult<()> {
        writing(|| self.caches.clients.forget(), || self.db.put(client))
    }
    fn delete(&self, id: &ClientId) -> StoreResult<bool> {
        writing(|| self.caches.clients.forget(), || self.db.delete(id))
    }
}

pub struct CachedIdentities {
    pub db: Arc<dyn IdentityStore>,
    pub caches: Arc<Caches>,
}

impl IdentityStore for CachedIdentities {
    fn list(&self) -> StoreResult<Vec<Identity>> {
        self.db.list()
    }
    fn get(&self, id: &IdentityId) -> StoreResult<Option<Identity>> {
        read_through(&self.caches.identities, id, || self.db.get(id))
    }
    fn by_user_id(&self, user_id: &UserId) -> StoreResult<Option<Identity>> {
        read_through(&self.caches.by_user_id, user_id, || {
            self.db.by_user_id(user_id)
        })
    }
    fn create(&self, identity: &Identity) -> StoreResult<()> {
        writing(
            || self.caches.forget_identities(),
            || self.db.create(identity),
        )
    }
    fn update(&self, identity: &Identity) -> StoreResult<bool> {
        writing(
            || self.caches.forget_identities(),
            || self.db.update(identity),
        )
    }
    fn delete(&self, id: &IdentityId) -> StoreResult<bool> {
        writing(|| self.caches.forget_identities(), || self.db.delete(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let cache: Cache<&str, u32> = Cache::new();
        let Err(generation) = cache.get(&"k") else {
            panic!("an empty cache had a value");
        };
        // A write happens while the read is at the database.
        cache.forget();
        cache.keep(generation, "k", 1);
        let Err(now) = cache.get(&"k") else {
            panic!("the old value was kept");
        };
        cache.keep(now, "k", 2);
        assert_eq!(cache.get(&"k"), Ok(2));
        cache.forget();
        assert!(cache.get(&"k").is_err());
    }
}
