use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::key::{KeyKind, KeyState, Kid};
use crate::KeyError;

/// A key as stored: its PEM and what the manager needs to know about it.
#[derive(Clone, Serialize, Deserialize)]
pub struct StoredKey {
    pub kid: Kid,
    pub kind: KeyKind,
    pub state: KeyState,
    /// Seconds since the epoch, from the broker's clock.
    pub created_at: i64,
    /// Creation order, to tell apart keys made within the same second.
    #[serde(default)]
    pub seq: u64,
    #[serde(skip)]
    pub pem: String,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("kind", &self.kind)
            .field("state", &self.state)
            .field("created_at", &self.created_at)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

/// Where keys live between restarts.
///
/// Security rules: private keys are never readable by other users of the machine (files are
/// mode 0600), and `put` must be durable before the key signs anything.
pub trait KeyStore: Send + Sync {
    fn load_all(&self) -> Result<Vec<StoredKey>, KeyError>;
    /// Inserts a key or replaces the stored state of an existing one.
    fn put(&self, key: &StoredKey) -> Result<(), KeyError>;
    fn remove(&self, kid: &Kid) -> Result<(), KeyError>;
}

/// Keys in memory only; for tests and throwaway instances.
#[derive(Default)]
pub struct MemoryKeyStore {
    keys: Mutex<BTreeMap<Kid, StoredKey>>,
}

impl KeyStore for MemoryKeyStore {
    fn load_all(&self) -> Result<Vec<StoredKey>, KeyError> {
        let keys = self.keys.lock().map_err(|_| KeyError::Poisoned)?;
        Ok(keys.values().cloned().collect())
    }
    fn put(&self, key: &StoredKey) -> Result<(), KeyError> {
        let mut keys = self.keys.lock().map_err(|_| KeyError::Poisoned)?;
        let pem = match keys.get(&key.kid) {
            Some(old) if key.pem.is_empty() => old.pem.clone(),
            _ => key.pem.clone(),
        };
        keys.insert(key.kid.clone(), StoredKey { pem, ..key.clone() });
        Ok(())
    }
    fn remove(&self, kid: &Kid) -> Result<(), KeyError> {
        let mut keys = self.keys.lock().map_err(|_| KeyError::Poisoned)?;
        keys.remove(kid);
        Ok(())
    }
}

/// Keys as PKCS#8 PEM files (`<kid>.pem`, mode 0600) plus `keys.json`, a manifest of their
/// kinds, states and creation times, in one directory.
pub struct FileKeyStore {
    dir: PathBuf,
    lock: Mutex<()>,
}

const MANIFEST: &str = "keys.json";

impl FileKeyStore {
    pub fn new(dir: impl Into<PathBuf>) -> Result<FileKeyStore, KeyError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        Ok(FileKeyStore {
            dir,
            lock: Mutex::new(()),
        })
    }

    fn manifest(&self) -> Result<Vec<StoredKey>, KeyError> {
        let path = self.dir.join(MANIFEST);
        match fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|e| KeyError::Manifest(e.to_string()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(io(&path, e)),
        }
    }

    fn write_manifest(&self, keys: &[StoredKey]) -> Result<(), KeyError> {
        let json =
            serde_json::to_vec_pretty(keys).map_err(|e| KeyError::Manifest(e.to_string()))?;
        write_atomically(&self.dir.join(MANIFEST), &json)
    }

    fn pem_path(&self, kid: &Kid) -> PathBuf {
        self.dir.join(format!("{}.pem", kid.as_str()))
    }
}

impl KeyStore for FileKeyStore {
    fn load_all(&self) -> Result<Vec<StoredKey>, KeyError> {
        let _guard = self.lock.lock().map_err(|_| KeyError::Poisoned)?;
        let mut keys = self.manifest()?;
        for key in &mut keys {
            let path = self.pem_path(&key.kid);
            key.pem = fs::read_to_string(&path).map_err(|e| io(&path, e))?;
        }
        Ok(keys)
    }

    fn put(&self, key: &StoredKey) -> Result<(), KeyError> {
        let _guard = self.lock.lock().map_err(|_| KeyError::Poisoned)?;
        if !key.pem.is_empty() {
            write_atomically(&self.pem_path(&key.kid), key.pem.as_bytes())?;
        }
        let mut keys = self.manifest()?;
        keys.retain(|k| k.kid != key.kid);
        keys.push(key.clone());
        self.write_manifest(&keys)
    }

    fn remove(&self, kid: &Kid) -> Result<(), KeyError> {
        let _guard = self.lock.lock().map_err(|_| KeyError::Poisoned)?;
        let mut keys = self.manifest()?;
        keys.retain(|k| &k.kid != kid);
        self.write_manifest(&keys)?;
        let path = self.pem_path(kid);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&path, e)),
            _ => Ok(()),
        }
    }
}

fn io(path: &Path, source: std::io::Error) -> KeyError {
    KeyError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes through a temporary file (mode 0600 from creation) and renames it into place, so a
/// crash never leaves half a key.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let tmp = path.with_extension("tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(|e| io(&tmp, e))?;
    file.write_all(bytes).map_err(|e| io(&tmp, e))?;
    file.sync_all().map_err(|e| io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| io(path, e))
}
