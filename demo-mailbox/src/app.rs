//! The mailbox's shared state: configuration, clock, relying party, sessions and the store.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::access::seed_memberships;
use crate::broker_directory::BrokerDirectory;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::oidc::{RelyingParty, SeenTokenIds};
use crate::pending_logins::PendingLogins;
use crate::post::delivery::seed_exemptions;
use crate::post::unix_time;
use crate::session::SessionStore;
use crate::start_error::StartError;
use crate::store::Store;

/// Everything the handlers share; cheap to clone. Build one per server (or per test).
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) relying_party: RelyingParty,
    pub(crate) sessions: SessionStore,
    pub(crate) pending_logins: PendingLogins,
    pub(crate) store: Store,
    pub(crate) seen_logout_tokens: SeenTokenIds,
    pub(crate) broker_directory: BrokerDirectory,
}

impl App {
    /// A mailbox on the wall clock.
    pub fn new(config: Config) -> Result<Self, StartError> {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// A mailbox whose session expiry and token checks read `clock`.
    pub fn with_clock(config: Config, clock: Arc<dyn Clock>) -> Result<Self, StartError> {
        let relying_party = RelyingParty::new(&config, clock.clone())?;
        let store = Store::open(config.data_dir.as_deref())?;
        store.memberships.seed(&seed_memberships())?;
        seed_exemptions(&store, unix_time(clock.now()))?;
        let sessions = SessionStore::new(
            Duration::from_secs(config.session_idle_secs),
            Duration::from_secs(config.session_max_secs),
        );
        Ok(Self {
            inner: Arc::new(Inner {
                clock,
                relying_party,
                sessions,
                pending_logins: PendingLogins::default(),
                store,
                seen_logout_tokens: SeenTokenIds::default(),
                broker_directory: BrokerDirectory::new(&config),
                config,
            }),
        })
    }

    /// The configuration this mailbox runs with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub(crate) fn now(&self) -> SystemTime {
        self.inner.clock.now()
    }

    pub(crate) fn relying_party(&self) -> &RelyingParty {
        &self.inner.relying_party
    }

    pub(crate) fn sessions(&self) -> &SessionStore {
        &self.inner.sessions
    }

    pub(crate) fn pending_logins(&self) -> &PendingLogins {
        &self.inner.pending_logins
    }

    /// The `jti`s of the logout tokens accepted so far.
    pub(crate) fn seen_logout_tokens(&self) -> &SeenTokenIds {
        &self.inner.seen_logout_tokens
    }

    /// The broker's directory of simulated people (names for CPR numbers).
    pub(crate) fn broker_directory(&self) -> &BrokerDirectory {
        &self.inner.broker_directory
    }

    /// The name the broker knows for `cpr`, if it knows one.
    pub(crate) async fn broker_name_of(&self, cpr: &crate::access::Cpr) -> Option<String> {
        self.broker_directory()
            .name_of(self.relying_party().http(), cpr)
            .await
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn cookies_secure(&self) -> bool {
        self.inner.config.cookies_secure()
    }
}
