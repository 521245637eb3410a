//! Fetching documents a client points at (`jwks_uri`, `sector_identifier_uri`, `request_uri`):
//! https, or http to a loopback host only; no redirects; a size and a time limit, so a client
//! cannot make the broker read a large or slow resource, or reach into a private network over
//! plain http.

use std::net::IpAddr;
use std::time::Duration;

use url::Url;

/// The largest document the broker reads.
pub const MAX_BYTES: usize = 64 * 1024;
/// How long the broker waits for a whole document.
pub const TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    #[error("{0} is not an absolute https URL (http is allowed only to localhost)")]
    NotAllowed(String),
    #[error("fetching {0} failed: {1}")]
    Failed(String, String),
    #[error("{0} answered HTTP {1}")]
    Status(String, u16),
    #[error("{0} is larger than {MAX_BYTES} bytes")]
    TooLarge(String),
}

/// True for `localhost` and loopback addresses (RFC 8252 7.3).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// An absolute URL without a fragment that is https, or http to a loopback host.
pub fn fetchable(uri: &str) -> Result<Url, FetchError> {
    let not_allowed = || FetchError::NotAllowed(uri.to_string());
    let url = Url::parse(uri).map_err(|_| not_allowed())?;
    if url.fragment().is_some() || url.host().is_none() {
        return Err(not_allowed());
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err(not_allowed()),
    }
}

/// GETs `uri` and returns its body, at most [`MAX_BYTES`], within [`TIMEOUT`].
pub async fn fetch(uri: &str, accept: &str) -> Result<Vec<u8>, FetchError> {
    let url = fetchable(uri)?;
    let failed = |e: reqwest::Error| FetchError::Failed(uri.to_string(), e.to_string());
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(failed)?;
    let mut response = client
        .get(url)
        .header(reqwest::header::ACCEPT, accept)
        .send()
        .await
        .map_err(failed)?;
    if !response.status().is_success() {
        return Err(FetchError::Status(
            uri.to_string(),
            response.status().as_u16(),
        ));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BYTES as u64)
    {
        return Err(FetchError::TooLarge(uri.to_string()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if body.len() + chunk.len() > MAX_BYTES {
            return Err(FetchError::TooLarge(uri.to_string()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_or_loopback_http_only() {
        assert!(fetchable("https://rp.example/jwks").is_ok());
        assert!(fetchable("http://localhost:8080/jwks").is_ok());
        assert!(fetchable("http://127.0.0.1:1/x").is_ok());
        assert!(fetchable("http://[::1]:1/x").is_ok());
        assert!(fetchable("http://rp.example/jwks").is_err());
        assert!(fetchable("http://10.0.0.1/jwks").is_err());
        assert!(fetchable("file:///etc/passwd").is_err());
        assert!(fetchable("https://rp.example/jwks#frag").is_err());
        assert!(fetchable("/relative").is_err());
    }

    #[tokio::test]
    async fn refuses_before_connecting_to_a_disallowed_url() {
        assert_eq!(
            fetch("http://rp.example/x", "*/*").await,
            Err(FetchError::NotAllowed("http://rp.example/x".into()))
        );
    }
}
