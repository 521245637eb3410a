//! The signing keys in PostgreSQL, shared by every replica (`keys::KeyStore`). A key's PEM is
//! sealed with AES-256-GCM (a fresh nonce per key, its `kid` as associated data) when a
//! key-encryption key is configured (`key_encryption_key`, `BROKER_KEY_ENCRYPTION_KEY`);
//! otherwise it is stored as it is, and the broker says so at start.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use keys::{KeyError, KeyStore, Kid, StoredKey};

use super::{db, to_json, PgStore};

/// The prefix of a sealed PEM.
const SEALED: &str = "aes256gcm:";

/// The key the PEMs are sealed with.
pub struct KeyEncryptionKey(LessSafeKey);

impl KeyEncryptionKey {
    /// From 32 bytes in base64 (standard or URL-safe, padded or not).
    pub fn from_base64(text: &str) -> Result<KeyEncryptionKey, String> {
        let text = text.trim();
        let bytes = B64
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
            .map_err(|_| "key_encryption_key is not base64".to_string())?;
        if bytes.len() != 32 {
            return Err(format!(
                "key_encryption_key must be 32 bytes (base64 of `openssl rand 32`), not {}",
                bytes.len()
            ));
        }
        let key = UnboundKey::new(&AES_256_GCM, &bytes)
            .map_err(|_| "key_encryption_key was refused".to_string())?;
        Ok(KeyEncryptionKey(LessSafeKey::new(key)))
    }

    fn seal(&self, kid: &str, pem: &str) -> Result<String, KeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| KeyError::Store("no randomness for a nonce".into()))?;
        let mut sealed = pem.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(kid.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| KeyError::Store("sealing a key failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(format!("{SEALED}{}", B64.encode(out)))
    }

    fn open(&self, kid: &str, sealed: &str) -> Result<String, KeyError> {
        let bad = || KeyError::BadKey {
            kid: kid.to_owned(),
            reason: "its sealed PEM does not open with the configured key_encryption_key".into(),
        };
        let mut bytes = B64.decode(sealed).map_err(|_| bad())?;
        if bytes.len() < NONCE_LEN {
            return Err(bad());
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&bytes[..NONCE_LEN]);
        let plain = self
            .0
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(kid.as_bytes()),
                &mut bytes[NONCE_LEN..],
            )
            .map_err(|_| bad())?;
        String::from_utf8(plain.to_vec()).map_err(|_| bad())
    }
}

/// The keys of a [`PgStore`], sealed with `sealing` when given.
pub struct PgKeyStore {
    pub db: std::sync::Arc<PgStore>,
    pub sealing: Option<KeyEncryptionKey>,
}

fn store_error(e: impl std::fmt::Display) -> KeyError {
    KeyError::Store(e.to_string())
}

impl KeyStore for PgKeyStore {
    fn load_all(&self) -> Result<Vec<StoredKey>, KeyError> {
        let pool = self.db.pool();
        let rows: Vec<(String, String, String)> = self
            .db
            .block(async move {
                let client = PgStore::client(&pool).await?;
                let rows = client
                    .query("SELECT kid, data, pem FROM signing_keys ORDER BY seq", &[])
                    .await
                    .map_err(db)?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            r.try_get(0).map_err(db)?,
                            r.try_get(1).map_err(db)?,
                            r.try_get(2).map_err(db)?,
                        ))
                    })
                    .collect()
            })
            .map_err(store_error)?;
        rows.into_iter()
            .map(|(kid, data, pem)| {
                let mut key: StoredKey = serde_json::from_str(&data)
                    .map_err(|e| KeyError::Manifest(format!("key {kid}: {e}")))?;
                key.pem =
                    match (pem.strip_prefix(SEALED), &self.sealing) {
                        (Some(sealed), Some(sealing)) => sealing.open(&kid, sealed)?,
                        (Some(_), None) => return Err(KeyError::BadKey {
                            kid,
                            reason:
                                "it is sealed: configure the key_encryption_key it was sealed with"
                                    .into(),
                        }),
                        (None, _) => pem,
                    };
                Ok(key)
            })
            .collect()
    }

    fn put(&self, key: &StoredKey) -> Result<(), KeyError> {
        let data = to_json(key).map_err(store_error)?;
        // An empty PEM changes the record only (a state change), keeping the stored PEM.
        let pem = match (&self.sealing, key.pem.is_empty()) {
            (_, true) => String::new(),
            (Some(sealing), false) => sealing.seal(key.kid.as_str(), &key.pem)?,
            (None, false) => key.pem.clone(),
        };
        self.db
            .exec(
                "INSERT INTO signing_keys (kid, seq, data, pem) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (kid) DO UPDATE SET data = EXCLUDED.data,
                     pem = CASE WHEN EXCLUDED.pem = '' THEN signing_keys.pem ELSE EXCLUDED.pem END",
                pg_params![
                    key.kid.as_str(),
                    i64::try_from(key.seq).unwrap_or(i64::MAX),
                    data,
                    pem
                ],
            )
            .map_err(store_error)?;
        Ok(())
    }

    fn remove(&self, kid: &Kid) -> Result<(), KeyError> {
        self.db
            .exec(
                "DELETE FROM signing_keys WHERE kid = $1",
                pg_params![kid.as_str()],
            )
            .map_err(store_error)?;
        Ok(())
    }
}
