//! The broker's core context: configuration, stores, keys and clock, shared by every endpoint.

use std::sync::Arc;

use keys::KeyManager;

use crate::clock::Clock;
use crate::config::Config;
use crate::mitid::documents::Documents;
use crate::model::Profile;
use crate::store::Store;

/// The issuer identifier, without a trailing slash, exactly as configured (discovery's `iss`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer(String);

impl Issuer {
    /// Trims one trailing slash, so `http://host/` and `http://host` name the same endpoints.
    pub fn new(url: &str) -> Issuer {
        Issuer(url.strip_suffix('/').unwrap_or(url).to_string())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// An endpoint URL: issuer + path.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{}", self.0, path)
    }
    /// The issuer of `profile` below this (base) issuer: `<base>/op` for NEB, and so on.
    pub fn for_profile(&self, profile: Profile) -> Issuer {
        Issuer(format!("{}{}", self.0, profile.issuer_path()))
    }

    /// The issuer's path prefix ("" for an issuer at the root).
    pub fn path_prefix(&self) -> String {
        url::Url::parse(&self.0)
            .map(|u| u.path().trim_end_matches('/').to_string())
            .unwrap_or_default()
    }
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

/// The store's key for the simulated documents' authority.
const DOCUMENTS_AUTHORITY: &str = "passport_authority";

/// The simulated documents' authority the database holds (replicas share it, and a restart
/// keeps it, so a document issued before still passes), made and stored when there is none
/// yet. Its keys sign only simulated documents that this broker alone trusts, and they are
/// stored unsealed.
fn load_or_create_documents(
    meta: &dyn crate::store::MetaStore,
    today: time::Date,
) -> Result<Documents, String> {
    let stored = match meta.get(DOCUMENTS_AUTHORITY).map_err(|e| e.to_string())? {
        Some(stored) => stored,
        None => {
            let made = Documents::new(today).map_err(|e| e.to_string())?;
            // Two replicas may make one at once: the first stored stands for both.
            meta.get_or_init(DOCUMENTS_AUTHORITY, &made.to_stored()?)
                .map_err(|e| e.to_string())?
        }
    };
    Documents::from_stored(&stored)
}

/// The store's key for the time of a controllable clock, shared by replicas.
const SHARED_CLOCK: &str = "manual_clock";

/// Catches a controllable clock up with the time the database holds (another replica moved
/// it); with `publish` (at start) it also writes this clock's time when it is ahead, so a
/// restart or a new replica never takes the shared clock back. The real clock is left alone.
pub fn sync_clock(
    clock: &dyn Clock,
    meta: &dyn crate::store::MetaStore,
    publish: bool,
) -> Result<(), crate::store::StoreError> {
    if !clock.is_controllable() {
        return Ok(());
    }
    let shared = if publish {
        Some(meta.advance(SHARED_CLOCK, clock.now(), 0)?)
    } else {
        meta.get(SHARED_CLOCK)?.and_then(|v| v.parse().ok())
    };
    if let Some(now) = shared {
        clock.catch_up(now);
    }
    Ok(())
}

/// One profile's issuer and its discovery document, serialised once.
#[derive(Debug)]
pub struct Site {
    pub profile: Profile,
    pub issuer: Issuer,
    pub discovery_json: Arc<str>,
}

/// The broker as one issuer sees it: the shared state (configuration, stores, keys, clock) and
/// this view's profile, issuer and discovery document. Every profile's view shares the same
/// state; [`Broker::for_profile`] makes another's.
#[derive(Clone)]
pub struct Broker {
    pub config: Arc<Config>,
    /// The dialect this view speaks, and its issuer.
    pub profile: Profile,
    pub issuer: Issuer,
    pub store: Store,
    pub keys: Arc<KeyManager>,
    pub clock: Arc<dyn Clock>,
    /// Secret salt for pairwise subjects, made once per instance.
    pub pairwise_salt: Arc<str>,
    /// This view's discovery document, serialised once.
    pub discovery_json: Arc<str>,
    /// The simulated travel documents' issuer and trusted CSCA, read from the store when first
    /// needed.
    pub documents: Arc<std::sync::OnceLock<Documents>>,
    /// Every profile's issuer and discovery document.
    pub sites: Arc<[Site]>,
    /// The request log's entries waiting to be written (`crate::requests`).
    pub requests: Arc<crate::requests::RequestLog>,
    /// What the RPs did, waiting to be written (`crate::requests::Seen`).
    pub seen: Arc<crate::requests::Seen>,
    /// Says when the server stops, so long-lived answers (the dashboard's live updates) end
    /// and the server can finish.
    pub closing: Closing,
}

/// A signal that the server is stopping: long-lived responses end when it is given.
#[derive(Clone)]
pub struct Closing(Arc<tokio::sync::watch::Sender<bool>>);

impl Default for Closing {
    fn default() -> Closing {
        Closing(Arc::new(tokio::sync::watch::Sender::new(false)))
    }
}

impl Closing {
    /// Tells every listener the server is stopping.
    pub fn close(&self) {
        self.0.send_replace(true);
    }

    /// A receiver that sees `true` once the server is stopping.
    pub fn watch(&self) -> tokio::sync::watch::Receiver<bool> {
        self.0.subscribe()
    }
}

impl Broker {
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Moves a controllable clock `seconds` forward for every replica on the database: the
    /// store keeps the time they share. `None`: this broker runs on the real clock.
    pub fn advance_clock(
        &self,
        seconds: i64,
    ) -> Result<Option<crate::clock::UnixTime>, crate::store::StoreError> {
        if !self.clock.is_controllable() {
            return Ok(None);
        }
        let now = self
            .store
            .meta
            .advance(SHARED_CLOCK, self.clock.now(), seconds)?;
        self.clock.catch_up(now);
        Ok(Some(now))
    }

    /// Catches the clock up with the time the database holds ([`sync_clock`]).
    pub fn sync_clock(&self, publish: bool) -> Result<(), crate::store::StoreError> {
        sync_clock(self.clock.as_ref(), self.store.meta.as_ref(), publish)
    }

    /// The base issuer (the `standard` profile's), under which the login screens live.
    pub fn base_issuer(&self) -> &Issuer {
        self.sites
            .iter()
            .find(|s| s.profile == Profile::Standard)
            .map_or(&self.issuer, |s| &s.issuer)
    }

    /// The same broker as `profile`'s issuer sees it (a login parked by one issuer is finished
    /// by the pages of another).
    pub fn for_profile(&self, profile: Profile) -> Broker {
        if profile == self.profile {
            return self.clone();
        }
        match self.sites.iter().find(|s| s.profile == profile) {
            Some(site) => Broker {
                profile,
                issuer: site.issuer.clone(),
                discovery_json: Arc::clone(&site.discovery_json),
                ..self.clone()
            },
            None => self.clone(),
        }
    }

    /// The local CA's certificate when serving https: the broker's own calls to clients (on
    /// the same machine, e.g. the demo mailbox's back channel) trust it beside the public roots.
    pub fn local_ca(&self) -> Option<std::path::PathBuf> {
        self.config
            .tls
            .enabled
            .then(|| self.config.tls_dir().join(localca::CA_FILE))
    }

    /// The simulated documents' authority (onboarding): the one in the database, made there
    /// on first use. Nothing changes it afterwards, so each process keeps it once read.
    pub fn documents(&self, today: time::Date) -> Result<&Documents, String> {
        if let Some(documents) = self.documents.get() {
            return Ok(documents);
        }
        let loaded = load_or_create_documents(self.store.meta.as_ref(), today)?;
        Ok(self.documents.get_or_init(|| loaded))
    }

    /// The level a login must reach: the client's `acr_values`, else the configured default.
    pub fn required_level(&self, request: &crate::model::AuthRequest) -> crate::model::Level {
        request.acr.unwrap_or(self.config.login.default_level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mitid::documents::by_key;
    use crate::store::{SqliteStore, Store};
    use time::macros::date;

    #[test]
    fn every_process_on_one_database_trusts_the_same_authority() {
        let store = Store::from_sqlite(SqliteStore::in_memory().unwrap());
        let today = date!(2026 - 12 - 07);
        let first = load_or_create_documents(store.meta.as_ref(), today).unwrap();
        // Another replica (or a restart) reads the stored one instead of making its own.
        let second = load_or_create_documents(store.meta.as_ref(), today).unwrap();
        assert_eq!(first.trusted(), second.trusted());
        // A document one issues passes the other's check.
        let specimen = second.issue(by_key("passport-1").unwrap(), today).unwrap();
        let chip = specimen.chip.as_ref().unwrap();
        let keys = passport::bac::BacKeys::from_mrz(&specimen.mrz);
        let contents = chip.open(&keys).unwrap();
        assert_eq!(
            passport::chip::passive_authentication(&contents, &first.trusted()),
            Ok(())
        );
        // A separate database has its own authority.
        let other = Store::from_sqlite(SqliteStore::in_memory().unwrap());
        let elsewhere = load_or_create_documents(other.meta.as_ref(), today).unwrap();
        assert_ne!(elsewhere.trusted(), first.trusted());
    }

    #[test]
    fn an_unreadable_stored_authority_is_a_clear_error() {
        let store = Store::from_sqlite(SqliteStore::in_memory().unwrap());
        store
            .meta
            .get_or_init(DOCUMENTS_AUTHORITY, "{not json")
            .unwrap();
        let err = load_or_create_documents(store.meta.as_ref(), date!(2026 - 12 - 07)).unwrap_err();
        assert!(err.contains("passport authority"), "{err}");
    }
}
