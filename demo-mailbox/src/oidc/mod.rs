//! The mailbox as an OpenID Connect relying party of the broker (no axum types in here).
//!
//! The broker is found through discovery, lazily and cached, so the mailbox may start before the
//! broker: a failed discovery is retried on the next request. The broker's dialect (the
//! configured profile) decides the issuer, what the mailbox asks for and how it reads the
//! answers: [`dialect`].

mod authorize;
pub mod dialect;
mod discovery;
mod end_session;
mod extra_claims;
mod failure;
mod logout_token;
mod token;
mod userinfo;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use openidconnect::core::{CoreClient, CoreJsonWebKeySet};
use openidconnect::{
    ClientId, ClientSecret, EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    PostLogoutRedirectUrl, RedirectUrl,
};
use url::Url;

use crate::clock::Clock;
use crate::config::Config;
use crate::start_error::StartError;

pub use authorize::PendingLogin;
pub use discovery::DiscoveryError;
pub use failure::BrokerFailure;
pub use logout_token::{LogoutRequest, LogoutTokenError, SeenTokenIds};
pub use token::LoginError;

/// A client built from the discovery document: authorization endpoint set, token and userinfo
/// endpoints as the broker announced them.
type DiscoveredClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What discovery told us about the broker, ready to use.
pub struct Provider {
    issuer: String,
    client: DiscoveredClient,
    end_session_endpoint: Option<EndSessionUrl>,
    /// The userinfo endpoint, read as plain JSON (see `userinfo`).
    userinfo_endpoint: Option<Url>,
    /// The broker's signing keys as fetched with discovery (the client holds its own copy
    /// for ID tokens; logout tokens are checked against this one).
    jwks: CoreJsonWebKeySet,
    /// When this discovery was made (the injected clock): an unknown `kid` in a logout token
    /// makes the mailbox discover again only [`KEY_REFETCH_INTERVAL`] after it.
    discovered_at: SystemTime,
    /// Until when the discovery document may be used (its `Cache-Control`); `None`: until its
    /// keys go stale.
    fresh_until: Option<SystemTime>,
}

/// The least time between two discoveries caused by logout tokens naming a key we do not know.
/// `/backchannel-logout` takes anyone's POST; without this, each forged token would make the
/// mailbox fetch the broker's keys again.
pub const KEY_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

impl Provider {
    /// The issuer identifier exactly as the broker's discovery document spells it.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
}

/// The mailbox's side of the OpenID Connect conversation with the broker.
pub struct RelyingParty {
    /// The configured profile's issuer.
    issuer: Url,
    /// Where its metadata is read.
    discovery_url: String,
    /// What to ask of the broker and how to read its answers.
    dialect: &'static dialect::Dialect,
    client_id: ClientId,
    client_secret: ClientSecret,
    redirect_uri: RedirectUrl,
    post_logout_redirect_uri: PostLogoutRedirectUrl,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    provider: tokio::sync::Mutex<Option<Arc<Provider>>>,
}

impl RelyingParty {
    /// The HTTP client to the broker (no redirects, the broker's CA trusted).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// A relying party for `config`; nothing is fetched until first use.
    pub fn new(config: &Config, clock: Arc<dyn Clock>) -> Result<Self, StartError> {
        let mut http = reqwest::Client::builder()
            // Following redirects would open the back channel to SSRF.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(config.broker_timeout);
        if let Some(path) = &config.broker_ca {
            let ca_error = |reason: String| StartError::BrokerCa {
                path: path.display().to_string(),
                reason,
            };
            let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
            let roots =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ca_error(e.to_string()))?;
            if roots.is_empty() {
                return Err(ca_error("no certificate in the file".into()));
            }
            for root in roots {
                http = http.add_root_certificate(root);
            }
        }
        let http = http.build()?;
        let public_url_error = |source| StartError::PublicUrl {
            url: config.public_url.to_string(),
            source,
        };
        Ok(Self {
            issuer: config.profile_issuer(),
            discovery_url: config.discovery_url.as_ref().map_or_else(
                || discovery::discovery_url(&config.profile_issuer()),
                Url::to_string,
            ),
            dialect: dialect::dialect(config.broker_profile),
            client_id: ClientId::new(config.client_id.clone()),
            client_secret: ClientSecret::new(config.client_secret.clone()),
            redirect_uri: RedirectUrl::new(config.redirect_uri()).map_err(public_url_error)?,
            post_logout_redirect_uri: PostLogoutRedirectUrl::new(config.post_logout_redirect_uri())
                .map_err(public_url_error)?,
            http,
            clock,
            provider: tokio::sync::Mutex::new(None),
        })
    }

    /// The broker as discovered, discovering it first if that has not succeeded yet.
    pub async fn provider(&self) -> Result<Arc<Provider>, DiscoveryError> {
        let mut cached = self.provider.lock().await;
        if let Some(provider) = cached.as_ref() {
            let fresh = provider
                .fresh_until
                .is_none_or(|until| self.clock.now() < until);
            if fresh {
                return Ok(provider.clone());
            }
        }
        let provider = Arc::new(self.discover().await?);
        *cached = Some(provider.clone());
        Ok(provider)
    }

    /// Discovers the broker again (new signing keys after a rotation), unless another request
    /// already replaced `stale`.
    async fn rediscover(&self, stale: &Arc<Provider>) -> Result<Arc<Provider>, DiscoveryError> {
        let mut cached = self.provider.lock().await;
        if let Some(current) = cached.as_ref() {
            if !Arc::ptr_eq(current, stale) {
                return Ok(current.clone());
            }
        }
        let provider = Arc::new(self.discover().await?);
        *cached = Some(provider.clone());
        Ok(provider)
    }

    /// The keys in `provider` were fetched at least [`KEY_REFETCH_INTERVAL`] ago.
    fn may_refetch_keys(&self, provider: &Provider) -> bool {
        self.clock
            .now()
            .duration_since(provider.discovered_at)
            .is_ok_and(|age| age >= KEY_REFETCH_INTERVAL)
    }

    async fn discover(&self) -> Result<Provider, DiscoveryError> {
        let discovery::Discovered {
            metadata,
            fresh_for,
        } = discovery::discover(&self.http, &self.issuer, &self.discovery_url).await?;
        let now = self.clock.now();
        let issuer = metadata.issuer().as_str().to_owned();
        let end_session_endpoint = metadata.additional_metadata().end_session_endpoint.clone();
        let userinfo_endpoint = metadata.userinfo_endpoint().map(|url| url.url().clone());
        let jwks = metadata.jwks().clone();
        let client = CoreClient::from_provider_metadata(
            metadata,
            self.client_id.clone(),
            Some(self.client_secret.clone()),
        )
        .set_redirect_uri(self.redirect_uri.clone());
        tracing::info!(issuer = %issuer, profile = %self.dialect.profile, "discovered the broker");
        Ok(Provider {
            issuer,
            client,
            end_session_endpoint,
            userinfo_endpoint,
            jwks,
            discovered_at: now,
            fresh_until: fresh_for.map(|age| now + age),
        })
    }

    /// Checks a logout token from the broker (Back-Channel Logout 1.0 §2.6). The broker's
    /// keys are fetched again once if the token names a key we do not know (key rotation), at
    /// most once per [`KEY_REFETCH_INTERVAL`].
    pub async fn verify_logout_token(
        &self,
        token: &str,
    ) -> Result<LogoutRequest, LogoutTokenError> {
        let unavailable =
            |error: DiscoveryError| LogoutTokenError::KeysUnavailable(error.to_string());
        let provider = self.provider().await.map_err(unavailable)?;
        let verify = |provider: &Provider| {
            logout_token::verify_logout_token(
                token,
                &provider.jwks,
                &provider.issuer,
                self.client_id.as_str(),
                // Back-Channel Logout 1.0 names the session `sid` in every dialect; its value
                // is the ID token's session claim (Idura's `sessionindex`).
                "sid",
                self.clock.now(),
            )
        };
        match verify(&provider) {
            Err(LogoutTokenError::UnknownKey) if self.may_refetch_keys(&provider) => {
                let fresh = self.rediscover(&provider).await.map_err(unavailable)?;
                verify(&fresh)
            }
            other => other,
        }
    }
}
