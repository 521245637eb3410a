//! What the mailbox needs to know to run: where it is reachable, which broker it trusts and
//! which of the broker's dialects it speaks.

use std::path::PathBuf;
use std::str::FromStr;

use url::Url;

/// The NSIS level of assurance "Substantial" (the mailbox asks for this one).
pub const ACR_SUBSTANTIAL: &str = "https://data.gov.dk/concept/core/nsis/Substantial";
/// The NSIS level of assurance "High" (also accepted).
pub const ACR_HIGH: &str = "https://data.gov.dk/concept/core/nsis/High";

/// The dialect ("profile") of the broker the mailbox logs in through. The simulated broker
/// serves all four side by side, each at its own issuer below its base URL; what the mailbox
/// asks for and how it reads the answers in each is `oidc::dialect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BrokerProfile {
    /// Clean OpenID Connect with the MitID facts as claims, at the base URL.
    #[default]
    Standard,
    /// Signaturgruppen's broker (NEB, Nets eID Broker), issuer `<base>/op`.
    Neb,
    /// Idura (formerly Criipto Verify), issuer `<base>/idura`.
    Idura,
    /// Signicat, issuer `<base>/auth/open`.
    Signicat,
}

impl BrokerProfile {
    /// Every profile, in the order of [`BrokerProfile::NAMES`].
    pub const ALL: [BrokerProfile; 4] = [
        BrokerProfile::Standard,
        BrokerProfile::Neb,
        BrokerProfile::Idura,
        BrokerProfile::Signicat,
    ];
    /// The profiles' names, as `--broker-profile` takes them.
    pub const NAMES: [&'static str; 4] = ["standard", "neb", "idura", "signicat"];

    /// The profile's name: `standard`, `neb`, `idura` or `signicat`.
    pub const fn as_str(self) -> &'static str {
        match self {
            BrokerProfile::Standard => "standard",
            BrokerProfile::Neb => "neb",
            BrokerProfile::Idura => "idura",
            BrokerProfile::Signicat => "signicat",
        }
    }

    /// The profile's issuer path below the broker's base URL (the real broker's path).
    pub const fn issuer_path(self) -> &'static str {
        match self {
            BrokerProfile::Standard => "",
            BrokerProfile::Neb => "/op",
            BrokerProfile::Idura => "/idura",
            BrokerProfile::Signicat => "/auth/open",
        }
    }
}

impl std::fmt::Display for BrokerProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of [`BrokerProfile::NAMES`].
#[derive(Debug, thiserror::Error)]
#[error("unknown broker profile {0:?}: use standard, neb, idura or signicat")]
pub struct UnknownProfile(String);

impl FromStr for BrokerProfile {
    type Err = UnknownProfile;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        BrokerProfile::ALL
            .into_iter()
            .find(|profile| profile.as_str() == name.trim().to_ascii_lowercase())
            .ok_or_else(|| UnknownProfile(name.to_owned()))
    }
}

/// Mailbox configuration. `Default` works on `localhost` next to a broker on port 8080.
#[derive(Clone)]
pub struct Config {
    /// The URL browsers use to reach the mailbox; the redirect URI is `{public_url}/callback`.
    pub public_url: Url,
    /// The broker's base URL: the issuer of its `standard` profile. The mailbox's issuer is this
    /// with [`BrokerProfile::issuer_path`] appended ([`Config::profile_issuer`]); discovery is at
    /// `{that issuer}/.well-known/openid-configuration`.
    pub issuer: Url,
    /// Where the broker's metadata is read instead of the issuer's discovery URL (the RP test
    /// kit's documents of the mailbox's client); its `issuer` must still be [`Config::profile_issuer`].
    pub discovery_url: Option<Url>,
    /// How long a request to the broker may take before the mailbox gives up (and the login
    /// fails with a page saying so).
    pub broker_timeout: std::time::Duration,
    /// The broker's dialect the mailbox logs in through (`standard` by default).
    pub broker_profile: BrokerProfile,
    /// The mailbox's client ID at the broker.
    pub client_id: String,
    /// The mailbox's client secret at the broker (sent with `client_secret_basic`).
    pub client_secret: String,
    /// A session ends after this many seconds without a request.
    pub session_idle_secs: u64,
    /// A session ends this many seconds after login, whatever happens.
    pub session_max_secs: u64,
    /// Where the mailbox keeps its SQLite database (created on first start). `None` keeps
    /// everything in memory and loses it at exit: the default, so tests stay hermetic; the
    /// `demo-mailbox` command defaults to `data/mailbox`.
    pub data_dir: Option<PathBuf>,
    /// A CA certificate file (PEM) to trust for the broker beside the public roots: the
    /// broker's local CA when it runs with `--tls`.
    pub broker_ca: Option<PathBuf>,
    /// Host names served beside localhost, 127.0.0.1, [::1] and the public URL's host (any
    /// other `Host` gets 421, against DNS rebinding).
    pub allowed_hosts: Vec<String>,
    /// When set, the simulator's API (`/_sim/v1`) needs it as a bearer token and its pages
    /// (`/_sim/outbox`, `/sender`) a cookie got by typing it on `/_sim/unlock`.
    pub control_token: Option<String>,
    /// The broker's control token, when its control API is locked with one: the mailbox
    /// looks up the names of the people given access there. Unset, the mailbox's own
    /// `control_token` is sent (the launcher gives both programs one token).
    pub broker_control_token: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            public_url: localhost(8081),
            issuer: localhost(8080),
            broker_profile: BrokerProfile::Standard,
            client_id: "demo-mailbox".to_owned(),
            client_secret: "demo-mailbox-secret".to_owned(),
            session_idle_secs: 30 * 60,
            session_max_secs: 8 * 60 * 60,
            data_dir: None,
            broker_ca: None,
            discovery_url: None,
            broker_timeout: std::time::Duration::from_secs(15),
            allowed_hosts: Vec::new(),
            control_token: None,
            broker_control_token: None,
        }
    }
}

#[allow(clippy::expect_used)] // a constant, well-formed URL; covered by the tests below
fn localhost(port: u16) -> Url {
    Url::parse(&format!("http://localhost:{port}")).expect("a localhost URL parses")
}

// By hand, so the client secret never reaches a log line.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("public_url", &self.public_url.as_str())
            .field("issuer", &self.issuer.as_str())
            .field("broker_profile", &self.broker_profile)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("session_idle_secs", &self.session_idle_secs)
            .field("session_max_secs", &self.session_max_secs)
            .field("data_dir", &self.data_dir)
            .field("broker_ca", &self.broker_ca)
            .field("discovery_url", &self.discovery_url)
            .field("allowed_hosts", &self.allowed_hosts)
            .field(
                "control_token",
                &self.control_token.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "broker_control_token",
                &self.broker_control_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Config {
    /// The issuer of the configured profile: [`Config::issuer`] with the profile's path
    /// appended (`http://localhost:8080/op` for `neb`); the base URL itself for `standard`.
    pub fn profile_issuer(&self) -> Url {
        let path = self.broker_profile.issuer_path();
        if path.is_empty() {
            return self.issuer.clone();
        }
        let joined = format!("{}{path}", self.issuer.as_str().trim_end_matches('/'));
        // The base URL with a path appended parses again; keep the base if it somehow does not.
        Url::parse(&joined).unwrap_or_else(|_| self.issuer.clone())
    }

    /// `{public_url}/callback`, where the broker sends the browser back after login.
    pub fn redirect_uri(&self) -> String {
        self.public_path("callback")
    }

    /// `{public_url}/logged-out`, where the broker sends the browser back after logout.
    pub fn post_logout_redirect_uri(&self) -> String {
        self.public_path("logged-out")
    }

    /// Whether cookies must carry `Secure` (the mailbox is served over https).
    pub fn cookies_secure(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    fn public_path(&self, path: &str) -> String {
        format!("{}/{path}", self.public_url.as_str().trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_redirect_uri_is_on_localhost_8081() {
        let config = Config::default();
        assert_eq!(config.redirect_uri(), "http://localhost:8081/callback");
        assert_eq!(config.issuer.as_str(), "http://localhost:8080/");
        assert!(!config.cookies_secure());
    }

    #[test]
    fn debug_output_hides_the_client_secret() {
        let shown = format!("{:?}", Config::default());
        assert!(!shown.contains("demo-mailbox-secret"), "{shown}");
    }

    #[test]
    fn each_profile_has_its_issuer_below_the_base_url() {
        let issuers: Vec<String> = BrokerProfile::ALL
            .into_iter()
            .map(|broker_profile| {
                Config {
                    broker_profile,
                    ..Config::default()
                }
                .profile_issuer()
                .to_string()
            })
            .collect();
        assert_eq!(
            issuers,
            [
                "http://localhost:8080/",
                "http://localhost:8080/op",
                "http://localhost:8080/idura",
                "http://localhost:8080/auth/open",
            ]
        );
        let below_a_path = Config {
            issuer: Url::parse("https://broker.test/sim/").unwrap(),
            broker_profile: BrokerProfile::Neb,
            ..Config::default()
        };
        assert_eq!(
            below_a_path.profile_issuer().as_str(),
            "https://broker.test/sim/op"
        );
    }

    #[test]
    fn profiles_parse_by_name() {
        for (profile, name) in BrokerProfile::ALL.into_iter().zip(BrokerProfile::NAMES) {
            assert_eq!(name.parse::<BrokerProfile>().unwrap(), profile);
            assert_eq!(profile.to_string(), name);
        }
        assert_eq!("NEB".parse::<BrokerProfile>().unwrap(), BrokerProfile::Neb);
        let unknown = "criipto".parse::<BrokerProfile>().unwrap_err().to_string();
        assert!(
            unknown.contains("standard, neb, idura or signicat"),
            "{unknown}"
        );
        assert_eq!(BrokerProfile::default(), BrokerProfile::Standard);
    }

    #[test]
    fn public_url_with_path_keeps_it() {
        let config = Config {
            public_url: Url::parse("https://example.test/mailbox/").unwrap(),
            ..Config::default()
        };
        assert_eq!(
            config.post_logout_redirect_uri(),
            "https://example.test/mailbox/logged-out"
        );
        assert!(config.cookies_secure());
    }
}
