use serde::Serialize;
use std::sync::{Arc, RwLock};

use crate::jws::{sign_compact, sign_compact_as, verify_compact};
use crate::key::{Alg, KeyKind, KeyState, Kid, SigningKey};
use crate::store::{KeyStore, StoredKey};
use crate::{Jwks, KeyError};

/// What the control API and the CLI show about a key.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KeyInfo {
    pub kid: Kid,
    pub kind: KeyKind,
    pub state: KeyState,
    pub created_at: i64,
    /// Creation order.
    pub seq: u64,
}

struct Entry {
    info: KeyInfo,
    key: Arc<SigningKey>,
}

/// An immutable snapshot of the loaded keys; replaced whole on rotation.
struct Loaded {
    /// Newest first.
    entries: Vec<Entry>,
    jwks: Jwks,
    jwks_json: Arc<str>,
    /// The RSA keys named by their certificates (`kid` = SHA-1 thumbprint, `x5t`, `x5c`).
    certified: Jwks,
    certified_json: Arc<str>,
}

impl Loaded {
    fn build(mut entries: Vec<Entry>) -> Result<Loaded, KeyError> {
        let rank = |s: KeyState| match s {
            KeyState::Next => 0,
            KeyState::Active => 1,
            KeyState::Retired => 2,
        };
        entries.sort_by(|a, b| {
            (b.info.created_at, b.info.seq)
                .cmp(&(a.info.created_at, a.info.seq))
                .then(rank(a.info.state).cmp(&rank(b.info.state)))
        });
        let jwks = Jwks {
            keys: entries.iter().map(|e| e.key.public_jwk().clone()).collect(),
        };
        let jwks_json = serde_json::to_string(&jwks)
            .map_err(|e| KeyError::Manifest(e.to_string()))?
            .into();
        let certified = Jwks {
            keys: entries
                .iter()
                .filter_map(|e| e.key.certified_jwk().cloned())
                .collect(),
        };
        let certified_json = serde_json::to_string(&certified)
            .map_err(|e| KeyError::Manifest(e.to_string()))?
            .into();
        Ok(Loaded {
            entries,
            jwks,
            jwks_json,
            certified,
            certified_json,
        })
    }

    fn active(&self, kind: KeyKind) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.info.kind == kind && e.info.state == KeyState::Active)
    }
}

/// Owns the broker's signing keys: loads them from a [`KeyStore`], makes the ones missing,
/// signs with the active key of each kind and publishes every key that is not removed.
pub struct KeyManager {
    store: Arc<dyn KeyStore>,
    loaded: RwLock<Arc<Loaded>>,
}

impl KeyManager {
    /// Loads every stored key and generates an active RSA and EC key if there is none.
    pub fn open(store: Arc<dyn KeyStore>, now: i64) -> Result<KeyManager, KeyError> {
        let mut entries = Vec::new();
        for stored in store.load_all()? {
            let key = SigningKey::from_pem(stored.kind, &stored.pem, stored.kid.as_str())?;
            if key.kid() != &stored.kid {
                return Err(KeyError::BadKey {
                    kid: stored.kid.to_string(),
                    reason: format!("its thumbprint is {}", key.kid()),
                });
            }
            entries.push(Entry {
                info: KeyInfo {
                    kid: stored.kid,
                    kind: stored.kind,
                    state: stored.state,
                    created_at: stored.created_at,
                    seq: stored.seq,
                },
                key: Arc::new(key),
            });
        }
        for kind in [KeyKind::Rsa, KeyKind::Ec] {
            let has_active = entries
                .iter()
                .any(|e| e.info.kind == kind && e.info.state == KeyState::Active);
            if !has_active {
                let seq = next_seq(&entries);
                entries.push(generate_and_store(
                    &*store,
                    kind,
                    KeyState::Active,
                    now,
                    seq,
                )?);
            }
        }
        Ok(KeyManager {
            store,
            loaded: RwLock::new(Arc::new(Loaded::build(entries)?)),
        })
    }

    fn snapshot(&self) -> Result<Arc<Loaded>, KeyError> {
        self.loaded
            .read()
            .map(|l| Arc::clone(&l))
            .map_err(|_| KeyError::Poisoned)
    }

    /// Signs a JSON payload as a compact JWS with the active key for `alg`.
    pub fn sign_jwt(&self, alg: Alg, typ: &str, payload: &[u8]) -> Result<String, KeyError> {
        let loaded = self.snapshot()?;
        let kind = alg.key_kind();
        let entry = loaded
            .active(kind)
            .ok_or(KeyError::NoActiveKey(kind.as_str()))?;
        sign_compact(&entry.key, alg, typ, payload)
    }

    /// Signs with the active key for `alg`, naming it `kid` in the header, or not at all.
    pub fn sign_jwt_named(
        &self,
        alg: Alg,
        typ: &str,
        kid: Option<&str>,
        payload: &[u8],
    ) -> Result<String, KeyError> {
        let loaded = self.snapshot()?;
        let kind = alg.key_kind();
        let entry = loaded
            .active(kind)
            .ok_or(KeyError::NoActiveKey(kind.as_str()))?;
        crate::jws::sign_compact_named(&entry.key, kid, alg, typ, payload)
    }

    /// The active RSA key's public half as its JWK's modulus bytes (big-endian), for the
    /// RP test kit's algorithm-confusion fault.
    pub fn active_rsa_modulus(&self) -> Result<Vec<u8>, KeyError> {
        let loaded = self.snapshot()?;
        let entry = loaded
            .active(KeyKind::Rsa)
            .ok_or(KeyError::NoActiveKey(KeyKind::Rsa.as_str()))?;
        let n = entry.key.public_jwk().n.clone().unwrap_or_default();
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(n.as_bytes())
            .map_err(|e| KeyError::Sign(format!("modulus: {e}")))
    }

    /// Signs with the active RSA key, named in the header by its certificate's SHA-1
    /// thumbprint (the `kid` of [`KeyManager::certified_jwks_json`]).
    pub fn sign_jwt_certified(
        &self,
        alg: Alg,
        typ: &str,
        payload: &[u8],
    ) -> Result<String, KeyError> {
        let loaded = self.snapshot()?;
        let entry = loaded
            .active(KeyKind::Rsa)
            .ok_or(KeyError::NoActiveKey(KeyKind::Rsa.as_str()))?;
        let kid = entry
            .key
            .certified_jwk()
            .and_then(|j| j.kid.clone())
            .ok_or(KeyError::NoActiveKey(KeyKind::Rsa.as_str()))?;
        sign_compact_as(&entry.key, kid.as_str(), alg, typ, payload)
    }

    /// Verifies a compact JWS against the published keys, by either name of a key; returns
    /// the payload bytes. Only the signature is checked: claims are the caller's.
    pub fn verify_jwt(&self, token: &str) -> Result<Vec<u8>, KeyError> {
        let loaded = self.snapshot()?;
        match verify_compact(&loaded.jwks, token) {
            Err(KeyError::UnknownKid(_)) => verify_compact(&loaded.certified, token),
            other => other,
        }
    }

    /// The RSA keys named by their certificates: `kty use kid x5t e n x5c`, no `alg` (NEB's
    /// JWKS).
    pub fn certified_jwks_json(&self) -> Result<Arc<str>, KeyError> {
        Ok(Arc::clone(&self.snapshot()?.certified_json))
    }

    pub fn jwks(&self) -> Result<Jwks, KeyError> {
        Ok(self.snapshot()?.jwks.clone())
    }

    /// The JWKS, serialised once per key change.
    pub fn jwks_json(&self) -> Result<Arc<str>, KeyError> {
        Ok(Arc::clone(&self.snapshot()?.jwks_json))
    }

    /// Every key, newest first.
    pub fn list(&self) -> Result<Vec<KeyInfo>, KeyError> {
        Ok(self
            .snapshot()?
            .entries
            .iter()
            .map(|e| e.info.clone())
            .collect())
    }

    pub fn active_kid(&self, kind: KeyKind) -> Result<Kid, KeyError> {
        let loaded = self.snapshot()?;
        loaded
            .active(kind)
            .map(|e| e.info.kid.clone())
            .ok_or(KeyError::NoActiveKey(kind.as_str()))
    }

    /// Makes a new key of `kind` the signing key at once (a staged `next` key if there is one,
    /// otherwise a fresh one); the previous active key is retired and stays published.
    pub fn rotate(&self, kind: KeyKind, now: i64) -> Result<KeyInfo, KeyError> {
        self.change(|entries, store| {
            let staged = entries
                .iter()
                .position(|e| e.info.kind == kind && e.info.state == KeyState::Next);
            let new_index = match staged {
                Some(i) => i,
                None => {
                    let seq = next_seq(entries);
                    entries.push(generate_and_store(store, kind, KeyState::Next, now, seq)?);
                    entries.len() - 1
                }
            };
            for (i, e) in entries.iter_mut().enumerate() {
                if i != new_index && e.info.kind == kind && e.info.state == KeyState::Active {
                    e.info.state = KeyState::Retired;
                    store.put(&stored_state(&e.info))?;
                }
            }
            let new = &mut entries[new_index];
            new.info.state = KeyState::Active;
            store.put(&stored_state(&new.info))?;
            Ok(new.info.clone())
        })
    }

    /// Generates a key of `kind` and publishes it as `next`, so relying parties can cache it
    /// before a rotation makes it sign.
    pub fn stage_next(&self, kind: KeyKind, now: i64) -> Result<KeyInfo, KeyError> {
        self.change(|entries, store| {
            if let Some(e) = entries
                .iter()
                .find(|e| e.info.kind == kind && e.info.state == KeyState::Next)
            {
                return Ok(e.info.clone());
            }
            let entry = generate_and_store(store, kind, KeyState::Next, now, next_seq(entries))?;
            let info = entry.info.clone();
            entries.push(entry);
            Ok(info)
        })
    }

    /// Stops publishing a retired key; tokens it signed no longer verify.
    pub fn remove(&self, kid: &Kid) -> Result<(), KeyError> {
        self.change(|entries, store| {
            let i = entries
                .iter()
                .position(|e| &e.info.kid == kid)
                .ok_or_else(|| KeyError::UnknownKid(kid.to_string()))?;
            if entries[i].info.state != KeyState::Retired {
                return Err(KeyError::NotRetired(
                    kid.to_string(),
                    entries[i].info.state.as_str(),
                ));
            }
            store.remove(kid)?;
            entries.remove(i);
            Ok(())
        })
    }

    /// Loads the keys again when the store holds others than this manager has (another
    /// replica rotated, staged or removed one): whether anything changed. Keys already loaded
    /// are not parsed again.
    pub fn refresh(&self) -> Result<bool, KeyError> {
        // The snapshot first: a change made after it is newer than what the store gives here.
        let current = self.snapshot()?;
        let stored = self.store.load_all()?;
        let mut now: Vec<(String, KeyState)> = stored
            .iter()
            .map(|s| (s.kid.to_string(), s.state))
            .collect();
        let mut had: Vec<(String, KeyState)> = current
            .entries
            .iter()
            .map(|e| (e.info.kid.to_string(), e.info.state))
            .collect();
        now.sort_by(|a, b| a.0.cmp(&b.0));
        had.sort_by(|a, b| a.0.cmp(&b.0));
        if now == had {
            return Ok(false);
        }
        let mut entries = Vec::new();
        for stored in stored {
            let key = match current.entries.iter().find(|e| e.info.kid == stored.kid) {
                Some(known) => Arc::clone(&known.key),
                None => Arc::new(SigningKey::from_pem(
                    stored.kind,
                    &stored.pem,
                    stored.kid.as_str(),
                )?),
            };
            entries.push(Entry {
                info: KeyInfo {
                    kid: stored.kid,
                    kind: stored.kind,
                    state: stored.state,
                    created_at: stored.created_at,
                    seq: stored.seq,
                },
                key,
            });
        }
        let mut guard = self.loaded.write().map_err(|_| KeyError::Poisoned)?;
        // A change made here meanwhile (a rotation writes the store while it holds this lock)
        // is newer than what was read: keep it, and let the next refresh look again.
        if !Arc::ptr_eq(&guard, &current) {
            return Ok(false);
        }
        *guard = Arc::new(Loaded::build(entries)?);
        Ok(true)
    }

    fn change<T>(
        &self,
        f: impl FnOnce(&mut Vec<Entry>, &dyn KeyStore) -> Result<T, KeyError>,
    ) -> Result<T, KeyError> {
        let mut guard = self.loaded.write().map_err(|_| KeyError::Poisoned)?;
        let mut entries: Vec<Entry> = guard
            .entries
            .iter()
            .map(|e| Entry {
                info: e.info.clone(),
                key: Arc::clone(&e.key),
            })
            .collect();
        let out = f(&mut entries, &*self.store)?;
        *guard = Arc::new(Loaded::build(entries)?);
        Ok(out)
    }
}

fn stored_state(info: &KeyInfo) -> StoredKey {
    StoredKey {
        kid: info.kid.clone(),
        kind: info.kind,
        state: info.state,
        created_at: info.created_at,
        seq: info.seq,
        pem: String::new(),
    }
}

fn next_seq(entries: &[Entry]) -> u64 {
    entries.iter().map(|e| e.info.seq + 1).max().unwrap_or(0)
}

fn generate_and_store(
    store: &dyn KeyStore,
    kind: KeyKind,
    state: KeyState,
    now: i64,
    seq: u64,
) -> Result<Entry, KeyError> {
    let (key, pem) = SigningKey::generate(kind)?;
    let info = KeyInfo {
        kid: key.kid().clone(),
        kind,
        state,
        created_at: now,
        seq,
    };
    store.put(&StoredKey {
        pem,
        ..stored_state(&info)
    })?;
    Ok(Entry {
        info,
        key: Arc::new(key),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FileKeyStore, MemoryKeyStore};

    #[test]
    fn a_rotation_by_another_manager_on_the_same_store_is_picked_up_by_refresh() {
        let store: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
        let a = KeyManager::open(Arc::clone(&store), 1_700_000_000).unwrap();
        let b = KeyManager::open(Arc::clone(&store), 1_700_000_000).unwrap();
        assert_eq!(a.jwks_json().unwrap(), b.jwks_json().unwrap());
        assert!(!b.refresh().unwrap(), "nothing changed yet");
        let rotated = a.rotate(KeyKind::Rsa, 1_700_000_100).unwrap();
        assert!(b.jwks().unwrap().find(rotated.kid.as_str()).is_none());
        assert!(b.refresh().unwrap());
        assert_eq!(b.active_kid(KeyKind::Rsa).unwrap(), rotated.kid);
        assert!(b.jwks().unwrap().find(rotated.kid.as_str()).is_some());
        // The retired key is still published by both; b signs with the new key.
        assert_eq!(a.jwks_json().unwrap(), b.jwks_json().unwrap());
        let token = b.sign_jwt(Alg::RS256, "JWT", b"{}").unwrap();
        assert!(a.verify_jwt(&token).is_ok());
        assert!(!b.refresh().unwrap(), "settled");
    }

    fn memory() -> KeyManager {
        KeyManager::open(Arc::new(MemoryKeyStore::default()), 1_000).unwrap()
    }

    #[test]
    fn sign_and_verify_each_alg() {
        let keys = memory();
        for alg in Alg::ALL {
            let token = keys.sign_jwt(alg, "JWT", br#"{"a":1}"#).unwrap();
            assert_eq!(keys.verify_jwt(&token).unwrap(), br#"{"a":1}"#);
            let header = crate::decode_unverified_header(&token).unwrap();
            assert_eq!(header.alg, alg.as_str());
            assert_eq!(
                header.kid.unwrap(),
                keys.active_kid(alg.key_kind()).unwrap().as_str()
            );
        }
    }

    /// NEB names its keys by certificate (brokers.md, "JWKS"): `kid` the upper-case hex
    /// SHA-1 of the certificate, `x5t` the same bytes in base64url, `x5c` the certificate;
    /// the same certificate every time the key is loaded, so tokens stay verifiable across
    /// restarts.
    #[test]
    fn rsa_keys_are_also_named_by_a_stable_certificate() {
        use aws_lc_rs::digest::{digest, SHA1_FOR_LEGACY_USE_ONLY};
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        use base64::Engine;
        let dir = tempfile::tempdir().unwrap();
        let open =
            || KeyManager::open(Arc::new(FileKeyStore::new(dir.path()).unwrap()), 1_000).unwrap();
        let first = open();
        let json = first.certified_jwks_json().unwrap();
        let set: serde_json::Value = serde_json::from_str(&json).unwrap();
        let keys = set["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 1, "the RSA key only: {set}");
        let key = &keys[0];
        let der = STANDARD.decode(key["x5c"][0].as_str().unwrap()).unwrap();
        let sha1 = digest(&SHA1_FOR_LEGACY_USE_ONLY, &der);
        let hex: String = sha1.as_ref().iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(key["kid"], hex);
        assert_eq!(key["x5t"], URL_SAFE_NO_PAD.encode(sha1.as_ref()));
        assert!(key.get("alg").is_none());
        // The certificate holds the key's modulus.
        let n = URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap();
        assert!(der.windows(n.len()).any(|w| w == n.as_slice()));
        // Loaded again: the same certificate.
        assert_eq!(open().certified_jwks_json().unwrap(), json);
        // A token named by the certificate verifies, by either name.
        let token = first
            .sign_jwt_certified(Alg::RS256, "JWT", br#"{"a":1}"#)
            .unwrap();
        assert_eq!(
            crate::decode_unverified_header(&token)
                .unwrap()
                .kid
                .unwrap(),
            hex
        );
        assert_eq!(first.verify_jwt(&token).unwrap(), br#"{"a":1}"#);
    }

    #[test]
    fn tampered_payload_fails_verification() {
        let keys = memory();
        let token = keys.sign_jwt(Alg::RS256, "JWT", br#"{"a":1}"#).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[1] = "eyJhIjoyfQ"; // {"a":2}
        assert!(matches!(
            keys.verify_jwt(&parts.join(".")),
            Err(KeyError::BadSignature)
        ));
    }

    #[test]
    fn jwks_has_no_private_members() {
        let keys = memory();
        let json = keys.jwks_json().unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        for key in value["keys"].as_array().unwrap() {
            for private in ["d", "p", "q", "dp", "dq", "qi"] {
                assert!(key.get(private).is_none(), "{private} published");
            }
            assert!(key["kid"].is_string());
        }
        assert_eq!(value["keys"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn rotation_signs_with_new_key_and_keeps_old_published() {
        let keys = memory();
        let old_token = keys.sign_jwt(Alg::RS256, "JWT", b"{}").unwrap();
        let old = keys.active_kid(KeyKind::Rsa).unwrap();
        // Same second as the original keys: creation order still decides.
        let new = keys.rotate(KeyKind::Rsa, 1_000).unwrap();
        assert_ne!(old, new.kid);
        assert_eq!(keys.active_kid(KeyKind::Rsa).unwrap(), new.kid);
        let jwks = keys.jwks().unwrap();
        assert_eq!(jwks.keys[0].kid.as_ref(), Some(&new.kid), "newest first");
        assert!(jwks.find(old.as_str()).is_some());
        assert!(keys.verify_jwt(&old_token).is_ok());
        let list = keys.list().unwrap();
        let old_info = list.iter().find(|k| k.kid == old).unwrap();
        assert_eq!(old_info.state, KeyState::Retired);

        keys.remove(&old).unwrap();
        assert!(keys.jwks().unwrap().find(old.as_str()).is_none());
        assert!(matches!(
            keys.verify_jwt(&old_token),
            Err(KeyError::UnknownKid(_))
        ));
        assert!(matches!(
            keys.remove(&new.kid),
            Err(KeyError::NotRetired(..))
        ));
    }

    #[test]
    fn staged_key_is_published_then_promoted() {
        let keys = memory();
        let next = keys.stage_next(KeyKind::Ec, 2_000).unwrap();
        assert!(keys.jwks().unwrap().find(next.kid.as_str()).is_some());
        assert_ne!(keys.active_kid(KeyKind::Ec).unwrap(), next.kid);
        let rotated = keys.rotate(KeyKind::Ec, 3_000).unwrap();
        assert_eq!(rotated.kid, next.kid);
        assert_eq!(keys.active_kid(KeyKind::Ec).unwrap(), next.kid);
    }

    #[test]
    fn file_store_keeps_keys_across_reopen_with_private_files() {
        let dir = tempfile::tempdir().unwrap();
        let first = KeyManager::open(Arc::new(FileKeyStore::new(dir.path()).unwrap()), 1).unwrap();
        let token = first.sign_jwt(Alg::RS256, "JWT", b"{}").unwrap();
        let rotated = first.rotate(KeyKind::Rsa, 2).unwrap();
        drop(first);

        let second = KeyManager::open(Arc::new(FileKeyStore::new(dir.path()).unwrap()), 3).unwrap();
        assert_eq!(second.active_kid(KeyKind::Rsa).unwrap(), rotated.kid);
        assert!(second.verify_jwt(&token).is_ok());
        assert_eq!(second.list().unwrap().len(), 3);

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let pem = dir.path().join(format!("{}.pem", rotated.kid));
            let mode = std::fs::metadata(pem).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
