//! The broker's directory of simulated people, through its control API
//! (`GET /_sim/v1/identities`, a JSON array of identities with `cpr` as `DDMMYY-SSSS`,
//! `given_name` and `family_name`): when the owner gives a person access by CPR number, the
//! name shown is the one the simulator knows for that number. Only over HTTP, like everything
//! the mailbox asks the broker (it never depends on the broker's crate).
//!
//! A broker locked with a control token takes it as a bearer token. A broker that cannot be
//! reached, refuses, or answers something else counts as not knowing the person: the grant
//! then keeps the name the owner typed, marked unchecked.

use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION};
use serde::Deserialize;
use url::Url;

use crate::access::Cpr;
use crate::config::Config;

/// How long a lookup may take: it holds up the owner's form.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);
/// The longest name taken from the broker, in characters (as a typed one).
const MAX_NAME_CHARS: usize = 100;

/// Where the broker's identities are listed, and the token to show it.
pub struct BrokerDirectory {
    /// `{issuer}/_sim/v1/identities`, or `None` when the issuer URL cannot take a path.
    identities: Option<Url>,
    /// The broker's control token, if it is locked with one.
    token: Option<String>,
}

/// One identity in the broker's list: only what is read here.
#[derive(Deserialize)]
struct Identity {
    #[serde(default)]
    cpr: Option<String>,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
}

impl BrokerDirectory {
    /// The directory of the broker at `config.issuer` (its base URL, whatever the profile),
    /// with `config.broker_control_token`, or else the mailbox's own `control_token` (the
    /// launcher gives both programs one token).
    pub fn new(config: &Config) -> Self {
        let mut url = config.issuer.clone();
        let takes_a_path = url
            .path_segments_mut()
            .map(|mut segments| {
                segments.pop_if_empty().extend(["_sim", "v1", "identities"]);
            })
            .is_ok();
        let identities = takes_a_path.then_some(url);
        Self {
            identities,
            token: config
                .broker_control_token
                .clone()
                .or_else(|| config.control_token.clone()),
        }
    }

    /// The name the broker knows for `cpr`, if it knows one.
    pub async fn name_of(&self, http: &reqwest::Client, cpr: &Cpr) -> Option<String> {
        let url = self.identities.as_ref()?;
        let mut request = http
            .get(url.clone())
            .header(ACCEPT, "application/json")
            .timeout(LOOKUP_TIMEOUT);
        if let Some(token) = &self.token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let identities: Vec<Identity> = match request.send().await {
            Ok(response) if response.status().is_success() => match response.json().await {
                Ok(identities) => identities,
                Err(error) => {
                    tracing::warn!(%error, "the broker's identities could not be read");
                    return None;
                }
            },
            Ok(response) => {
                tracing::warn!(status = %response.status(), "the broker refused the identities");
                return None;
            }
            Err(error) => {
                tracing::warn!(%error, "the broker's identities could not be fetched");
                return None;
            }
        };
        identities
            .into_iter()
            .find(|identity| {
                identity
                    .cpr
                    .as_deref()
                    .is_some_and(|known| known.replace('-', "") == cpr.as_str())
            })
            .and_then(|identity| display_name(&identity.given_name, &identity.family_name))
    }
}

/// "Given Family", without control characters, at most [`MAX_NAME_CHARS`]; `None` if empty.
fn display_name(given: &str, family: &str) -> Option<String> {
    let name: String = format!("{} {}", given.trim(), family.trim())
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identities_are_at_the_brokers_base_url_and_names_are_one_clean_line() {
        let mut config = Config {
            issuer: "http://localhost:8080".parse().unwrap(),
            ..Config::default()
        };
        let directory = BrokerDirectory::new(&config);
        assert_eq!(
            directory.identities.unwrap().as_str(),
            "http://localhost:8080/_sim/v1/identities"
        );
        config.issuer = "http://localhost:8080/broker/".parse().unwrap();
        config.control_token = Some("mailbox-and-broker-token".to_owned());
        let directory = BrokerDirectory::new(&config);
        assert_eq!(
            directory.identities.unwrap().as_str(),
            "http://localhost:8080/broker/_sim/v1/identities"
        );
        assert_eq!(directory.token.as_deref(), Some("mailbox-and-broker-token"));
        assert_eq!(
            display_name(" Bo ", "Prøvegaard\n"),
            Some("Bo Prøvegaard".to_owned())
        );
        assert_eq!(display_name("", " "), None);
    }
}
