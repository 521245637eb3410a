//! OpenID Connect Discovery 1.0: the broker's metadata and signing keys.

use openidconnect::{JsonWebKeySet, ProviderMetadataWithLogout};
use std::time::Duration;

use reqwest::header::{ACCEPT, CACHE_CONTROL};
use url::Url;

/// Why the broker could not be discovered. Each says what to check.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// No answer from the broker.
    #[error("could not reach the broker at {url} (is it running?): {source}")]
    Unreachable {
        /// The discovery URL.
        url: String,
        /// What went wrong.
        source: reqwest::Error,
    },
    /// The broker answered, but not with a discovery document.
    #[error("the broker answered {status} for {url}; check the configured issuer")]
    Status {
        /// The discovery URL.
        url: String,
        /// The HTTP status.
        status: reqwest::StatusCode,
    },
    /// The document is not valid provider metadata.
    #[error("the discovery document at {url} is not valid provider metadata: {source}")]
    Invalid {
        /// The discovery URL.
        url: String,
        /// What did not parse.
        source: serde_json::Error,
    },
    /// OpenID Connect Discovery 1.0 §4.3: the issuer must be the one we asked.
    #[error("the broker calls itself {found}, but the configured issuer is {expected}")]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The issuer in the document.
        found: String,
    },
    /// The signing keys could not be fetched.
    #[error("could not fetch the broker's signing keys: {0}")]
    Jwks(String),
}

/// The broker's metadata and keys, and how long the document may be kept.
pub struct Discovered {
    pub metadata: ProviderMetadataWithLogout,
    /// From the discovery response's `Cache-Control`: `Some(0)` for `no-store` or `no-cache`,
    /// its `max-age`, or `None` (kept until the keys go stale) when it says neither.
    pub fresh_for: Option<Duration>,
}

/// Fetches the discovery document (`url`, by default `{issuer}/.well-known/openid-configuration`),
/// checks its issuer, then fetches its JWKS.
pub async fn discover(
    http: &reqwest::Client,
    issuer: &Url,
    url: &str,
) -> Result<Discovered, DiscoveryError> {
    let url = url.to_owned();
    let unreachable = |source| DiscoveryError::Unreachable {
        url: url.clone(),
        source,
    };
    let response = http
        .get(&url)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    if !status.is_success() {
        return Err(DiscoveryError::Status { url, status });
    }
    let fresh_for = response
        .headers()
        .get(CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .and_then(freshness);
    let body = response.bytes().await.map_err(unreachable)?;
    let metadata: ProviderMetadataWithLogout =
        serde_json::from_slice(&body).map_err(|source| DiscoveryError::Invalid {
            url: url.clone(),
            source,
        })?;
    check_issuer(issuer, metadata.issuer().as_str())?;
    let jwks = JsonWebKeySet::fetch_async(metadata.jwks_uri(), http)
        .await
        .map_err(|error| DiscoveryError::Jwks(error.to_string()))?;
    Ok(Discovered {
        metadata: metadata.set_jwks(jwks),
        fresh_for,
    })
}

/// How long a response may be kept by its `Cache-Control` (RFC 9111 5.2.2): not at all for
/// `no-store` or `no-cache`, `max-age` seconds, or `None` when it says neither.
fn freshness(cache_control: &str) -> Option<Duration> {
    let directives = cache_control
        .split(',')
        .map(|d| d.trim().to_ascii_lowercase());
    let mut max_age = None;
    for directive in directives {
        if directive == "no-store" || directive == "no-cache" {
            return Some(Duration::ZERO);
        }
        if let Some(seconds) = directive.strip_prefix("max-age=") {
            max_age = seconds
                .trim_matches('"')
                .parse()
                .ok()
                .map(Duration::from_secs);
        }
    }
    max_age
}

/// The discovery URL for `issuer` (Discovery §4: the path is appended, keeping the issuer's).
pub fn discovery_url(issuer: &Url) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.as_str().trim_end_matches('/')
    )
}

/// The announced issuer must be the configured one. A bare host is the same URL with or
/// without its trailing slash (`url::Url` cannot tell them apart), so compare parsed URLs.
fn check_issuer(expected: &Url, found: &str) -> Result<(), DiscoveryError> {
    match Url::parse(found) {
        Ok(found_url) if found_url == *expected => Ok(()),
        _ => Err(DiscoveryError::IssuerMismatch {
            expected: expected.to_string(),
            found: found.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_says_how_long_the_document_may_be_kept() {
        assert_eq!(freshness("no-store"), Some(Duration::ZERO));
        assert_eq!(
            freshness("public, max-age=300"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(freshness("max-age=300, No-Cache"), Some(Duration::ZERO));
        assert_eq!(freshness("public"), None);
        assert_eq!(freshness("max-age=soon"), None);
    }

    #[test]
    fn discovery_url_keeps_the_issuer_path() {
        let root = Url::parse("http://localhost:8080").unwrap();
        assert_eq!(
            discovery_url(&root),
            "http://localhost:8080/.well-known/openid-configuration"
        );
        let op = Url::parse("http://localhost:8080/op").unwrap();
        assert_eq!(
            discovery_url(&op),
            "http://localhost:8080/op/.well-known/openid-configuration"
        );
    }

    #[test]
    fn issuer_must_match_the_configured_one() {
        let expected = Url::parse("http://localhost:8080").unwrap();
        assert!(check_issuer(&expected, "http://localhost:8080").is_ok());
        assert!(check_issuer(&expected, "http://localhost:8080/").is_ok());
        assert!(check_issuer(&expected, "http://localhost:8080/op").is_err());
        assert!(check_issuer(&expected, "http://127.0.0.1:8080").is_err());
    }
}
