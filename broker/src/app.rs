//! The broker's core context: configuration, stores, keys and clock, shared by every endpoint.

use std::sync::Arc;

use keys::KeyManager;

use crate::clock::Clock;
use crate::config::Config;
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
    /// The simulated travel documents' issuer and trusted CSCA, made when first needed.
    pub documents: Arc<std::sync::OnceLock<crate::mitid::documents::Documents>>,
    /// Every profile's issuer and discovery document.
    pub sites: Arc<[Site]>,
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

    /// The simulated documents' authority (onboarding), made on first use.
    pub fn documents(
        &self,
        today: time::Date,
    ) -> Result<&crate::mitid::documents::Documents, String> {
        if let Some(documents) = self.documents.get() {
            return Ok(documents);
        }
        let made = crate::mitid::documents::Documents::new(today).map_err(|e| e.to_string())?;
        Ok(self.documents.get_or_init(|| made))
    }

    /// The level a login must reach: the client's `acr_values`, else the configured default.
    pub fn required_level(&self, request: &crate::model::AuthRequest) -> crate::model::Level {
        request.acr.unwrap_or(self.config.login.default_level)
    }
}
