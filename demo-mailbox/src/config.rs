//! What the mailbox needs to know to run: where it is reachable and which broker it trusts.

use std::path::PathBuf;

use url::Url;

/// The NSIS level of assurance "Substantial" (the mailbox asks for this one).
pub const ACR_SUBSTANTIAL: &str = "https://data.gov.dk/concept/core/nsis/Substantial";
/// The NSIS level of assurance "High" (also accepted).
pub const ACR_HIGH: &str = "https://data.gov.dk/concept/core/nsis/High";

/// Mailbox configuration. `Default` works on `localhost` next to a broker on port 8080.
#[derive(Clone)]
pub struct Config {
    /// The URL browsers use to reach the mailbox; the redirect URI is `{public_url}/callback`.
    pub public_url: Url,
    /// The broker's issuer identifier (discovery is at `{issuer}/.well-known/openid-configuration`).
    pub issuer: Url,
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
}

impl Default for Config {
    fn default() -> Self {
        Self {
            public_url: localhost(8081),
            issuer: localhost(8080),
            client_id: "demo-mailbox".to_owned(),
            client_secret: "demo-mailbox-secret".to_owned(),
            session_idle_secs: 30 * 60,
            session_max_secs: 8 * 60 * 60,
            data_dir: None,
            broker_ca: None,
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
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("session_idle_secs", &self.session_idle_secs)
            .field("session_max_secs", &self.session_max_secs)
            .field("data_dir", &self.data_dir)
            .field("broker_ca", &self.broker_ca)
            .finish()
    }
}

impl Config {
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
