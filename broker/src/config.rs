//! Configuration: zero-config defaults for localhost, then a TOML file, then `BROKER_*`
//! environment variables (`BROKER_SECTION__KEY`), then command-line flags.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::mitid::LockoutPolicy;
use crate::model::Level;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where to listen. The control API listens here too: keep it off public networks.
    pub listen: SocketAddr,
    /// The public issuer URL; defaults to `http://localhost:{port}`.
    pub issuer: Option<String>,
    /// Keys and the SQLite database live here.
    pub data_dir: PathBuf,
    /// A PostgreSQL database (`postgres://user:password@host:port/database`) instead of the
    /// SQLite file: several replicas share it (docs/replicas.md). `BROKER_DATABASE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// With `database`: 32 bytes in base64 that seal the signing keys in the database
    /// (AES-256-GCM). Without it they are stored unsealed (the broker warns at start).
    /// `BROKER_KEY_ENCRYPTION_KEY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_encryption_key: Option<String>,
    /// Settle every login without a person (decision ladder step 5).
    pub auto_approve: bool,
    /// The identity auto-approve logs in as when a login names none.
    pub default_user_id: String,
    pub tokens: Lifetimes,
    pub login: LoginSettings,
    pub demo_client: DemoClient,
    pub registration: RegistrationSettings,
    pub par: ParSettings,
    pub tls: TlsSettings,
    /// Host names served beside localhost, 127.0.0.1, [::1] and the issuer's host (any other
    /// `Host` gets 421, against DNS rebinding): e.g. the name a container network gives it.
    pub allowed_hosts: Vec<String>,
    pub outbound: OutboundSettings,
    pub request_log: RequestLogSettings,
    /// `text` (the default) or `json`: one JSON object per line on stderr (`--log-format`).
    pub log_format: crate::logging::LogFormat,
    /// When set, `/_sim/v1` needs it as a bearer token and the simulator's pages a cookie got by
    /// typing it on `/_sim/unlock` (security.md). Needed to listen beyond loopback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_token: Option<String>,
    /// Listen beyond loopback without a control token (the network is the developer's alone).
    pub unsafe_open_control: bool,
}

/// Where the broker may connect when a client points it somewhere (`jwks_uri`,
/// `sector_identifier_uri`, `request_uri`, back-channel logout): see [`crate::oidc::fetch`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OutboundSettings {
    /// Private addresses too (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): for relying
    /// parties on a container network or the office LAN. Link-local, unspecified, multicast and
    /// broadcast addresses stay refused.
    pub allow_private: bool,
}

/// The request log (`GET /_sim/v1/requests`, docs/control-api.md).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RequestLogSettings {
    /// How many of the latest requests the database keeps; 0 turns the log off.
    pub keep: usize,
}

impl Default for RequestLogSettings {
    fn default() -> RequestLogSettings {
        RequestLogSettings { keep: 10_000 }
    }
}

/// https with a certificate from a local CA (README "HTTPS (--tls)").
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TlsSettings {
    /// Serve https; the issuer becomes `https://localhost:{port}`.
    pub enabled: bool,
    /// Where the CA and the server certificate are kept; `<data_dir>/tls` when not set.
    pub dir: Option<PathBuf>,
}

/// Dynamic client registration (RFC 7591/7592).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RegistrationSettings {
    /// Serve `POST /register` and the client configuration endpoint (open by default: this is a
    /// test OP).
    pub enabled: bool,
    /// When set, `POST /register` needs it as `Authorization: Bearer <token>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_access_token: Option<String>,
}

impl Default for RegistrationSettings {
    fn default() -> RegistrationSettings {
        RegistrationSettings {
            enabled: true,
            initial_access_token: None,
        }
    }
}

/// Pushed authorization requests (RFC 9126).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ParSettings {
    /// Refuse authorization requests that were not pushed first.
    pub required: bool,
    /// How long a pushed request's `request_uri` lives, in seconds.
    pub lifetime: i64,
}

impl Default for ParSettings {
    fn default() -> ParSettings {
        ParSettings {
            required: false,
            lifetime: 60,
        }
    }
}

/// The simulated MitID login. The real counts and timeouts are not published (except three
/// wrong codes); these are sensible guesses, to change here.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LoginSettings {
    /// The level a login must reach when the client sends no `acr_values` we know.
    pub default_level: Level,
    /// How long an app request waits for the app, in seconds.
    pub app_approval_seconds: i64,
    /// Wrong codes in a row (code viewer, code reader) before the device is blocked, and for
    /// how long.
    pub code_lockout: LockoutPolicy,
    /// Wrong passwords in a row before the password is blocked, and for how long.
    pub password_lockout: LockoutPolicy,
    /// Wrong CPR numbers allowed in the CPR match.
    pub cpr_match_tries: u32,
    /// Codes on a NemID key card.
    pub key_card_size: usize,
}

impl Default for LoginSettings {
    fn default() -> LoginSettings {
        LoginSettings {
            default_level: Level::Substantial,
            app_approval_seconds: 180,
            code_lockout: LockoutPolicy::default(),
            password_lockout: LockoutPolicy {
                max_failures: 5,
                block_seconds: 15 * 60,
            },
            cpr_match_tries: 3,
            key_card_size: 148,
        }
    }
}

/// Lifetimes, in seconds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Lifetimes {
    pub code_ttl: i64,
    pub access_token_ttl: i64,
    pub id_token_ttl: i64,
    pub refresh_token_ttl: i64,
    /// How long a parked login waits for a decision.
    pub login_ttl: i64,
    pub session_ttl: i64,
}

/// The demo mailbox's client registration, made at every start.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DemoClient {
    pub enabled: bool,
    pub client_id: String,
    /// A well-known development secret: this is a simulator on localhost. Change it (or
    /// disable the client) if the broker is reachable by others.
    pub client_secret: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// Where the broker POSTs a logout token when a session the mailbox logged in through
    /// ends (Back-Channel Logout 1.0). Unset: none for the bare broker, the mailbox's
    /// `/backchannel-logout` when the launcher starts both; `""`: none.
    pub backchannel_logout_uri: Option<String>,
}

impl DemoClient {
    /// The back-channel logout URI to register, if any (unset and `""` are none).
    pub fn backchannel_logout_uri(&self) -> Option<&str> {
        self.backchannel_logout_uri
            .as_deref()
            .filter(|uri| !uri.is_empty())
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            issuer: None,
            data_dir: PathBuf::from("data/broker"),
            auto_approve: false,
            default_user_id: "anna".into(),
            tokens: Lifetimes::default(),
            login: LoginSettings::default(),
            demo_client: DemoClient::default(),
            registration: RegistrationSettings::default(),
            par: ParSettings::default(),
            tls: TlsSettings::default(),
            allowed_hosts: Vec::new(),
            outbound: OutboundSettings::default(),
            request_log: RequestLogSettings::default(),
            log_format: crate::logging::LogFormat::Text,
            control_token: None,
            database: None,
            key_encryption_key: None,
            unsafe_open_control: false,
        }
    }
}

impl Default for Lifetimes {
    fn default() -> Lifetimes {
        Lifetimes {
            code_ttl: 60,
            access_token_ttl: 3600,
            id_token_ttl: 3600,
            refresh_token_ttl: 30 * 24 * 3600,
            login_ttl: 15 * 60,
            session_ttl: 8 * 3600,
        }
    }
}

impl Default for DemoClient {
    fn default() -> DemoClient {
        DemoClient {
            enabled: true,
            client_id: "demo-mailbox".into(),
            client_secret: "demo-mailbox-secret".into(),
            redirect_uris: vec!["http://localhost:8081/callback".into()],
            post_logout_redirect_uris: vec!["http://localhost:8081/logged-out".into()],
            backchannel_logout_uri: None,
        }
    }
}

impl Config {
    /// Defaults, then `file` (if given), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(Box::new(figment::Error::from(format!(
                    "config file {} does not exist",
                    file.display()
                ))));
            }
            figment = figment.merge(Toml::file(file));
        }
        figment
            .merge(Env::prefixed("BROKER_").split("__"))
            .extract()
            .map_err(Box::new)
    }

    /// The issuer for a broker bound to `bound`.
    pub fn issuer_for(&self, bound: SocketAddr) -> String {
        let scheme = if self.tls.enabled { "https" } else { "http" };
        self.issuer
            .clone()
            .unwrap_or_else(|| format!("{scheme}://localhost:{}", bound.port()))
    }

    /// Where the TLS certificates are kept.
    pub fn tls_dir(&self) -> PathBuf {
        self.tls
            .dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("tls"))
    }
}

#[cfg(test)]
// figment's Jail API returns its (large) error type; that is its signature, not ours.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    // Every test that loads configuration runs in a figment Jail: it serialises them and
    // restores the environment, so one test's variables never leak into another.

    #[test]
    fn toml_file_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "broker.toml",
                "auto_approve = true\nissuer = \"https://id.example\"\n[tokens]\ncode_ttl = 30\n",
            )?;
            let config = Config::load(Some(Path::new("broker.toml"))).map_err(|e| e.to_string())?;
            assert!(config.auto_approve);
            assert_eq!(config.issuer.as_deref(), Some("https://id.example"));
            assert_eq!(config.tokens.code_ttl, 30);
            assert_eq!(config.tokens.access_token_ttl, 3600);
            Ok(())
        });
    }

    /// The example configuration in docs/configuration.md loads, and its `[login]` values are the
    /// defaults it claims they are.
    #[test]
    fn the_docs_example_configuration_loads() {
        let docs = include_str!("../../docs/configuration.md");
        let start = docs.find("```toml\n").expect("a toml block") + "```toml\n".len();
        let end = start + docs[start..].find("```").expect("the block's end");
        let example = docs[start..end].to_string();
        figment::Jail::expect_with(|jail| {
            jail.create_file("broker.toml", &example)?;
            let config = Config::load(Some(Path::new("broker.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(config.login, LoginSettings::default());
            assert_eq!(config.tokens, Lifetimes::default());
            assert_eq!(config.demo_client, DemoClient::default());
            assert_eq!(config.registration, RegistrationSettings::default());
            assert_eq!(config.par, ParSettings::default());
            Ok(())
        });
    }

    #[test]
    fn the_demo_clients_backchannel_logout_uri_is_off_when_unset_or_empty() {
        figment::Jail::expect_with(|jail| {
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config.demo_client.backchannel_logout_uri(), None);
            jail.set_env("BROKER_DEMO_CLIENT__BACKCHANNEL_LOGOUT_URI", "");
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(
                config.demo_client.backchannel_logout_uri.as_deref(),
                Some("")
            );
            assert_eq!(config.demo_client.backchannel_logout_uri(), None);
            jail.set_env(
                "BROKER_DEMO_CLIENT__BACKCHANNEL_LOGOUT_URI",
                "http://localhost:8081/backchannel-logout",
            );
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(
                config.demo_client.backchannel_logout_uri(),
                Some("http://localhost:8081/backchannel-logout")
            );
            Ok(())
        });
    }

    #[test]
    fn login_settings_come_from_the_environment_too() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("BROKER_LOGIN__DEFAULT_LEVEL", "low");
            jail.set_env("BROKER_LOGIN__APP_APPROVAL_SECONDS", "30");
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config.login.default_level, Level::Low);
            assert_eq!(config.login.app_approval_seconds, 30);
            Ok(())
        });
    }

    #[test]
    fn unknown_key_and_missing_file_are_errors() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("broker.toml", "auto_aprove = true\n")?;
            assert!(Config::load(Some(Path::new("broker.toml"))).is_err());
            assert!(Config::load(Some(Path::new("missing.toml"))).is_err());
            Ok(())
        });
    }

    #[test]
    fn environment_overrides_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "broker.toml",
                "auto_approve = false\n[tokens]\ncode_ttl = 30\n",
            )?;
            jail.set_env("BROKER_AUTO_APPROVE", "true");
            jail.set_env("BROKER_TOKENS__CODE_TTL", "5");
            jail.set_env("BROKER_DEFAULT_USER_ID", "bo");
            let config = Config::load(Some(Path::new("broker.toml"))).map_err(|e| e.to_string())?;
            assert!(config.auto_approve);
            assert_eq!(config.tokens.code_ttl, 5);
            assert_eq!(config.default_user_id, "bo");
            Ok(())
        });
    }

    #[test]
    fn issuer_defaults_to_localhost_and_bound_port() {
        let config = Config::default();
        assert_eq!(
            config.issuer_for("127.0.0.1:4321".parse().unwrap()),
            "http://localhost:4321"
        );
        let tls = Config {
            tls: TlsSettings {
                enabled: true,
                dir: None,
            },
            ..Config::default()
        };
        assert_eq!(
            tls.issuer_for("127.0.0.1:4321".parse().unwrap()),
            "https://localhost:4321"
        );
        assert_eq!(tls.tls_dir(), PathBuf::from("data/broker/tls"));
    }
}
