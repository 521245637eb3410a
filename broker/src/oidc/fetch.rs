//! Fetching documents a client points at (`jwks_uri`, `sector_identifier_uri`, `request_uri`)
//! and posting its back-channel logout notices: https, or http to a loopback host only; no
//! redirects; a size and a time limit, so a client cannot make the broker read a large or slow
//! resource.
//!
//! Every address the broker connects to is checked ([`Outbound`]), whether the URL names it or
//! a DNS name resolves to it: link-local (cloud metadata services at `169.254.169.254`),
//! unspecified, multicast and broadcast addresses never; private ranges only when configured
//! (`outbound.allow_private`); loopback always, since a relying party on the developer's
//! machine is the common case. A refused or failed fetch says "could not fetch" to the client
//! and logs the detail, so the broker is no probe of the network it runs in.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::config::Config;

/// The largest document the broker reads.
pub const MAX_BYTES: usize = 64 * 1024;
/// How long the broker waits for a whole document.
pub const TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    #[error("{0} is not an absolute https URL (http is allowed only to localhost)")]
    NotAllowed(String),
    /// The detail is logged, not shown.
    #[error("could not fetch {0}")]
    Failed(String),
    #[error("could not fetch {0}: it answered HTTP {1}")]
    Status(String, u16),
    #[error("could not fetch {0}: it is larger than {MAX_BYTES} bytes")]
    TooLarge(String),
}

/// Why an address is not one the broker connects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("a link-local address")]
    LinkLocal,
    #[error("an unspecified address")]
    Unspecified,
    #[error("a multicast or broadcast address")]
    Multicast,
    #[error("a private address (set outbound.allow_private to reach it)")]
    Private,
}

/// Where the broker may connect when a client points it somewhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outbound {
    /// Private ranges (RFC 1918, shared address space, IPv6 unique local) too.
    pub allow_private: bool,
}

impl Outbound {
    pub fn of(config: &Config) -> Outbound {
        Outbound {
            allow_private: config.outbound.allow_private,
        }
    }

    /// Whether the broker may connect to `ip`.
    pub fn check(self, ip: IpAddr) -> Result<(), Refused> {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        if ip.is_loopback() {
            return Ok(());
        }
        let refused = match ip {
            IpAddr::V4(v4) => v4_refusal(v4),
            IpAddr::V6(v6) => v6_refusal(v6),
        };
        match refused {
            Some(Refused::Private) if self.allow_private => Ok(()),
            Some(reason) => Err(reason),
            None => Ok(()),
        }
    }

    /// The addresses of `addrs` the broker may connect to; an error naming the first refusal
    /// when there are none.
    pub fn filter(
        self,
        addrs: impl IntoIterator<Item = SocketAddr>,
    ) -> Result<Vec<SocketAddr>, Refused> {
        let mut first_refusal = None;
        let allowed: Vec<SocketAddr> = addrs
            .into_iter()
            .filter(|a| match self.check(a.ip()) {
                Ok(()) => true,
                Err(reason) => {
                    first_refusal.get_or_insert(reason);
                    false
                }
            })
            .collect();
        match (allowed.is_empty(), first_refusal) {
            (true, Some(reason)) => Err(reason),
            _ => Ok(allowed),
        }
    }

    /// An HTTP client that connects only where [`Outbound::check`] allows (a URL's literal
    /// address is checked by [`Outbound::check_url`]; a name, as it resolves), follows no
    /// redirects and gives up after [`TIMEOUT`].
    pub fn client(self) -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(Resolver(self)))
    }

    /// Refuses a URL whose host is a literal address the broker may not connect to (names are
    /// checked as they resolve).
    pub fn check_url(self, url: &Url) -> Result<(), Refused> {
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check(IpAddr::V6(ip)),
            _ => Ok(()),
        }
    }
}

fn v4_refusal(ip: Ipv4Addr) -> Option<Refused> {
    let [a, b, ..] = ip.octets();
    if ip.is_link_local() {
        Some(Refused::LinkLocal)
    } else if ip.is_unspecified() || a == 0 {
        // 0.0.0.0/8, "this network": connecting to it reaches the host itself.
        Some(Refused::Unspecified)
    } else if ip.is_multicast() || ip.is_broadcast() {
        Some(Refused::Multicast)
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        // RFC 1918 and the shared address space of RFC 6598.
        Some(Refused::Private)
    } else {
        None
    }
}

fn v6_refusal(ip: Ipv6Addr) -> Option<Refused> {
    let first = ip.segments()[0];
    if first & 0xffc0 == 0xfe80 {
        Some(Refused::LinkLocal)
    } else if ip.is_unspecified() {
        Some(Refused::Unspecified)
    } else if ip.is_multicast() {
        Some(Refused::Multicast)
    } else if first & 0xfe00 == 0xfc00 {
        // Unique local addresses (fc00::/7), the private ranges of IPv6.
        Some(Refused::Private)
    } else {
        None
    }
}

/// Resolves names as the system does, then keeps only the addresses [`Outbound`] allows.
struct Resolver(Outbound);

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let outbound = self.0;
        Box::pin(async move {
            let name = name.as_str().to_string();
            let resolved = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let allowed = outbound.filter(resolved).map_err(|reason| {
                format!(
                    "{name} resolves only to addresses the broker does not fetch from: {reason}"
                )
            })?;
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
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

/// GETs `uri` and returns its body, at most [`MAX_BYTES`], within [`TIMEOUT`], from an
/// address `outbound` allows.
pub async fn fetch(outbound: Outbound, uri: &str, accept: &str) -> Result<Vec<u8>, FetchError> {
    let url = fetchable(uri)?;
    let failed = |detail: String| {
        tracing::warn!(uri, detail, "could not fetch a document a client points at");
        FetchError::Failed(uri.to_string())
    };
    outbound
        .check_url(&url)
        .map_err(|reason| failed(format!("refused: {reason}")))?;
    let client = outbound
        .client()
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let mut response = client
        .get(url)
        .header(reqwest::header::ACCEPT, accept)
        .send()
        .await
        .map_err(|e| failed(error_chain(&e)))?;
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
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| failed(error_chain(&e)))?
    {
        if body.len() + chunk.len() > MAX_BYTES {
            return Err(FetchError::TooLarge(uri.to_string()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error with its causes (reqwest's own message hides the resolver's refusal).
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
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
            fetch(Outbound::default(), "http://rp.example/x", "*/*").await,
            Err(FetchError::NotAllowed("http://rp.example/x".into()))
        );
        // Cloud metadata, by literal address, in either notation: refused unread.
        for uri in [
            "https://169.254.169.254/latest/meta-data/",
            "https://[::ffff:169.254.169.254]/latest/meta-data/",
            "https://[fe80::1]/x",
            "https://0.0.0.0/x",
            "https://10.0.0.1/x",
        ] {
            assert_eq!(
                fetch(Outbound::default(), uri, "*/*").await,
                Err(FetchError::Failed(uri.into())),
                "{uri}"
            );
        }
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn which_addresses_the_broker_connects_to() {
        let strict = Outbound::default();
        let open = Outbound {
            allow_private: true,
        };
        for (address, strict_answer, open_answer) in [
            ("127.0.0.1", Ok(()), Ok(())),
            ("127.8.9.10", Ok(()), Ok(())),
            ("::1", Ok(()), Ok(())),
            ("93.184.216.34", Ok(()), Ok(())),
            ("2606:2800:220:1::1", Ok(()), Ok(())),
            (
                "169.254.169.254",
                Err(Refused::LinkLocal),
                Err(Refused::LinkLocal),
            ),
            (
                "::ffff:169.254.169.254",
                Err(Refused::LinkLocal),
                Err(Refused::LinkLocal),
            ),
            ("fe80::1", Err(Refused::LinkLocal), Err(Refused::LinkLocal)),
            (
                "0.0.0.0",
                Err(Refused::Unspecified),
                Err(Refused::Unspecified),
            ),
            (
                "0.1.2.3",
                Err(Refused::Unspecified),
                Err(Refused::Unspecified),
            ),
            ("::", Err(Refused::Unspecified), Err(Refused::Unspecified)),
            (
                "224.0.0.1",
                Err(Refused::Multicast),
                Err(Refused::Multicast),
            ),
            (
                "255.255.255.255",
                Err(Refused::Multicast),
                Err(Refused::Multicast),
            ),
            ("ff02::1", Err(Refused::Multicast), Err(Refused::Multicast)),
            ("10.1.2.3", Err(Refused::Private), Ok(())),
            ("172.16.0.1", Err(Refused::Private), Ok(())),
            ("192.168.1.1", Err(Refused::Private), Ok(())),
            ("100.64.0.1", Err(Refused::Private), Ok(())),
            ("fd00:ec2::254", Err(Refused::Private), Ok(())),
            ("::ffff:10.0.0.1", Err(Refused::Private), Ok(())),
        ] {
            assert_eq!(strict.check(ip(address)), strict_answer, "{address}");
            assert_eq!(
                open.check(ip(address)),
                open_answer,
                "{address} (private allowed)"
            );
        }
    }

    #[test]
    fn a_name_keeps_only_its_allowed_addresses() {
        let at = |text: &str| SocketAddr::new(ip(text), 443);
        let strict = Outbound::default();
        assert_eq!(
            strict.filter([at("169.254.169.254"), at("93.184.216.34")]),
            Ok(vec![at("93.184.216.34")])
        );
        assert_eq!(
            strict.filter([at("169.254.169.254"), at("10.0.0.1")]),
            Err(Refused::LinkLocal)
        );
        assert_eq!(strict.filter([]), Ok(vec![]));
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_fetched() {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buffer = [0u8; 1024];
            let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buffer).await;
            socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                .await
                .unwrap();
        });
        let body = fetch(
            Outbound::default(),
            &format!("http://localhost:{port}/doc"),
            "*/*",
        )
        .await;
        assert_eq!(body, Ok(b"{}".to_vec()));
    }
}
