//! OpenID Connect Discovery 1.0: the broker's metadata and signing keys.

use openidconnect::{JsonWebKeySet, ProviderMetadataWithLogout};
use reqwest::header::ACCEPT;
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

/// Fetches `{issuer}/.well-known/openid-configuration`, checks its issuer, then its JWKS.
pub async fn discover(
    http: &reqwest::Client,
    issuer: &Url,
) -> Result<ProviderMetadataWithLogout, DiscoveryError> {
    let url = discovery_url(issuer);
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
    Ok(metadata.set_jwks(jwks))
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
