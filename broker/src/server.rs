//! Building and starting a broker: open the stores and keys, seed, bind, serve.

use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use keys::{FileKeyStore, KeyManager, KeyStore, MemoryKeyStore};

use crate::app::{Broker, Issuer, Site};
use crate::clock::Clock;
use crate::config::Config;
use crate::model::Profile;
use crate::seed;
use crate::store::postgres::signing_keys::{KeyEncryptionKey, PgKeyStore};
use crate::store::{PgStore, SqliteStore, Store};

/// `pg_advisory_lock` key under which a replica makes the first signing keys.
const KEYS_LOCK: i64 = 0x6b65_7973_5f6d_616b;

/// Where state lives.
#[derive(Debug, Clone)]
pub enum Storage {
    /// SQLite and key files under the configured data directory.
    DataDir,
    /// Nothing survives the process (tests).
    Memory,
}

/// Opens (or creates) the state and builds the broker for `issuer`.
pub fn build(
    config: Config,
    issuer: &str,
    clock: Arc<dyn Clock>,
    storage: Storage,
) -> anyhow::Result<Broker> {
    let (store, key_store, shared) = match storage {
        Storage::DataDir => {
            let dir = &config.data_dir;
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create data directory {}", dir.display()))?;
            // Sessions, codes and keys live here: nobody else on the machine may read them.
            owner_only(dir, 0o700)?;
            match &config.database {
                Some(url) => {
                    let db = Arc::new(
                        PgStore::connect(url, None)
                            .context("cannot open the PostgreSQL database (--database)")?,
                    );
                    let sealing = config
                        .key_encryption_key
                        .as_deref()
                        .map(KeyEncryptionKey::from_base64)
                        .transpose()
                        .map_err(|e| anyhow::anyhow!(e))?;
                    if sealing.is_none() {
                        tracing::warn!(
                            "the signing keys are stored unsealed in the database: set key_encryption_key (BROKER_KEY_ENCRYPTION_KEY)"
                        );
                    }
                    let keys: Arc<dyn KeyStore> = Arc::new(PgKeyStore {
                        db: Arc::clone(&db),
                        sealing,
                    });
                    (Store::from_postgres(Arc::clone(&db)), keys, Some(db))
                }
                None => {
                    let path = dir.join("broker.sqlite");
                    let db = SqliteStore::open(&path).with_context(|| {
                        format!("cannot open the database in {}", dir.display())
                    })?;
                    owner_only(&path, 0o600)?;
                    owner_only(&SqliteStore::log_path(&path), 0o600)?;
                    let keys: Arc<dyn KeyStore> = Arc::new(FileKeyStore::new(dir.join("keys"))?);
                    (Store::from_sqlite(db), keys, None)
                }
            }
        }
        Storage::Memory => {
            let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
            (Store::from_sqlite(SqliteStore::in_memory()?), keys, None)
        }
    };
    // A controllable clock takes up the time the database holds (replicas share it).
    crate::app::sync_clock(clock.as_ref(), store.meta.as_ref(), true)?;
    let now = clock.now();
    // Replicas on one database make the first keys one at a time, so there is one active key
    // of each kind.
    let keys = match &shared {
        Some(db) => db.exclusively(KEYS_LOCK, || KeyManager::open(key_store, now))?,
        None => KeyManager::open(key_store, now),
    }
    .context("cannot load or create signing keys")?;
    seed::seed_identities(&store)?;
    if let Some(uri) = config.demo_client.backchannel_logout_uri() {
        match url::Url::parse(uri) {
            Ok(url) if url.fragment().is_none() => {}
            _ => anyhow::bail!(
                "demo_client.backchannel_logout_uri {uri:?} must be an absolute URL without a fragment"
            ),
        }
    }
    seed::register_demo_client(&store, &config.demo_client)?;
    let pairwise_salt = store
        .meta
        .get_or_init("pairwise_salt", &crate::secrets::random_token())?;
    let base = Issuer::new(issuer);
    let sites: Arc<[Site]> = Profile::ALL
        .into_iter()
        .map(|profile| {
            let issuer = base.for_profile(profile);
            let discovery_json =
                crate::oidc::discovery::document(&issuer, &config, profile).to_string();
            Site {
                profile,
                issuer,
                discovery_json: discovery_json.into(),
            }
        })
        .collect();
    Ok(Broker {
        requests: Arc::new(crate::requests::RequestLog::new(config.request_log.keep)),
        seen: Arc::default(),
        documents: Arc::new(std::sync::OnceLock::new()),
        discovery_json: Arc::clone(&sites[0].discovery_json),
        profile: Profile::Standard,
        issuer: base,
        config: Arc::new(config),
        store,
        keys: Arc::new(keys),
        clock,
        pairwise_salt: pairwise_salt.into(),
        sites,
        closing: Default::default(),
    })
}

/// The socket a broker serves on.
enum Bound {
    Plain(TcpListener),
    Tls(localca::serve::TlsListener),
}

/// A broker serving on a socket.
pub struct RunningBroker {
    pub broker: Arc<Broker>,
    pub local_addr: SocketAddr,
    /// The certificate files when serving https (`config.tls.enabled`).
    pub tls: Option<localca::Provisioned>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningBroker {
    pub fn issuer(&self) -> &str {
        self.broker.issuer.as_str()
    }

    /// Stops serving and waits for the server to finish, releasing the database.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningBroker {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `config.listen` (port 0 picks a free port), builds the broker with the issuer for the
/// bound address, and serves in the background.
pub async fn start(
    config: Config,
    clock: Arc<dyn Clock>,
    storage: Storage,
) -> anyhow::Result<RunningBroker> {
    if let Some(token) = &config.control_token {
        webguard::valid_token(token).map_err(|e| anyhow::anyhow!("{e} (--control-token)"))?;
    }
    webguard::check_listen(
        config.listen,
        config.control_token.is_some(),
        config.unsafe_open_control,
        "--control-token (BROKER_CONTROL_TOKEN)",
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let local_addr = listener.local_addr()?;
    let issuer = config.issuer_for(local_addr);
    let tls = if config.tls.enabled {
        Some(provision_tls(&config, &issuer, clock.now())?)
    } else {
        None
    };
    let replica = config.database.is_some() && matches!(storage, Storage::DataDir);
    let broker = Arc::new(build(config, &issuer, clock, storage)?);
    let app = crate::web::router(Arc::clone(&broker));
    let housekeeping = tokio::spawn(purge_periodically(Arc::clone(&broker)));
    let request_log = tokio::spawn(crate::requests::flush_periodically(Arc::clone(&broker)));
    let forget_cached = tokio::spawn(forget_cached_periodically(Arc::clone(&broker)));
    let flush_at_end = Arc::clone(&broker);
    let key_refresh = replica.then(|| tokio::spawn(refresh_keys_periodically(Arc::clone(&broker))));
    let (tx, rx) = oneshot::channel::<()>();
    let closing = broker.closing.clone();
    let shutdown = async move {
        let _ = rx.await;
        // Long-lived answers (the dashboard's live updates) end, so the server can finish.
        closing.close();
    };
    let bound = match &tls {
        Some(files) => {
            let server_config = Arc::new(localca::server_config(files)?);
            Bound::Tls(localca::serve::TlsListener::new(listener, server_config)?)
        }
        None => Bound::Plain(listener),
    };
    let task = tokio::spawn(async move {
        let served = match bound {
            Bound::Tls(tls) => axum::serve(tls, app).with_graceful_shutdown(shutdown).await,
            Bound::Plain(tcp) => axum::serve(tcp, app).with_graceful_shutdown(shutdown).await,
        };
        if let Err(e) = served {
            tracing::error!(error = %e, "broker server failed");
        }
        housekeeping.abort();
        request_log.abort();
        forget_cached.abort();
        // What was answered before the end is logged.
        crate::requests::flush(&flush_at_end).await;
        if let Some(task) = &key_refresh {
            task.abort();
        }
    });
    Ok(RunningBroker {
        broker,
        local_addr,
        tls,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// The CA and server certificate in `config.tls_dir()` for localhost and the issuer's host,
/// made or renewed as needed (the `localca` crate decides).
pub fn provision_tls(
    config: &Config,
    issuer: &str,
    now: i64,
) -> anyhow::Result<localca::Provisioned> {
    let host = url::Url::parse(issuer)
        .with_context(|| format!("the issuer {issuer} is not a URL"))?
        .host_str()
        .map(str::to_string);
    let names = localca::names_for_host(host.as_deref())?;
    let dir = config.tls_dir();
    let files = localca::provision(&dir, &names, now)
        .with_context(|| format!("cannot set up TLS certificates in {}", dir.display()))?;
    match files.server {
        localca::ServerStatus::Reused => {}
        status => {
            tracing::info!(?status, ca_created = files.ca_created, dir = %dir.display(), "TLS server certificate made")
        }
    }
    Ok(files)
}

/// Purges expired rows once a minute (wall-clock interval; expiry judged by the broker's clock).
async fn purge_periodically(broker: Arc<Broker>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        let broker = Arc::clone(&broker);
        let purged = tokio::task::spawn_blocking(move || {
            broker.store.maintenance.purge_expired(broker.now())
        })
        .await;
        match purged {
            Ok(Ok(n)) if n > 0 => tracing::debug!(rows = n, "purged expired rows"),
            Ok(Err(e)) => tracing::warn!(error = %e, "purging expired rows failed"),
            _ => {}
        }
    }
}

/// On a shared database: loads the signing keys again every [`KEY_REFRESH`] when another
/// replica rotated, staged or removed one, so every replica publishes (and signs with) the same
/// keys within that time, and catches a controllable clock up with one another moved.
async fn refresh_keys_periodically(broker: Arc<Broker>) {
    let mut tick = tokio::time::interval(KEY_REFRESH);
    loop {
        tick.tick().await;
        let broker = Arc::clone(&broker);
        let refreshed =
            tokio::task::spawn_blocking(move || (broker.keys.refresh(), broker.sync_clock(false)))
                .await;
        let Ok((keys, clock)) = refreshed else {
            continue;
        };
        match keys {
            Ok(true) => tracing::info!("signing keys changed on another replica; reloaded"),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "reloading the signing keys failed"),
        }
        if let Err(e) = clock {
            tracing::warn!(error = %e, "reading the shared clock failed");
        }
    }
}

/// Forgets the clients and identities the store read every [`crate::store::FORGET_EVERY`], so a
/// change another replica or the `broker identities` command made shows within that time.
async fn forget_cached_periodically(broker: Arc<Broker>) {
    let mut tick = tokio::time::interval(crate::store::FORGET_EVERY);
    loop {
        tick.tick().await;
        broker.store.forget_cached();
    }
}

/// How often a replica looks for key changes made by another.
pub const KEY_REFRESH: std::time::Duration = std::time::Duration::from_millis(250);

/// The data directory's key folder (for the CLI's `keys` commands).
pub fn key_dir(config: &Config) -> PathBuf {
    config.data_dir.join("keys")
}

/// Restricts `path` to its owner (`mode`: 0700 for a directory, 0600 for a file).
#[cfg(unix)]
fn owner_only(path: &std::path::Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot restrict {} to its owner", path.display()))
}

#[cfg(not(unix))]
fn owner_only(_path: &std::path::Path, _mode: u32) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::os::unix::fs::PermissionsExt;

    /// The data directory holds sessions, codes and the signing keys: owner only.
    #[test]
    fn the_data_directory_and_database_are_the_owners_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("broker");
        let config = Config {
            data_dir: dir.clone(),
            ..Config::default()
        };
        build(
            config,
            "http://localhost:8080",
            Arc::new(ManualClock::new(1_790_000_000)),
            Storage::DataDir,
        )
        .unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("broker.sqlite")), 0o600);
        assert_eq!(mode(&dir.join("broker.requests.sqlite")), 0o600);
        assert_eq!(mode(&dir.join("broker.sqlite.lock")), 0o600);
    }
}
