//! The names a server certificate covers (subject alternative names, RFC 5280 4.2.1.6).

use std::fmt;
use std::net::IpAddr;

use crate::TlsError;

/// A DNS name or an IP address in a certificate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServerName {
    Dns(String),
    Ip(IpAddr),
}

impl ServerName {
    /// Parses a host as written in a URL (`localhost`, `127.0.0.1`, `[::1]` or `::1`).
    pub fn parse(host: &str) -> Result<ServerName, TlsError> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(ServerName::Ip(ip));
        }
        let dns = bare.to_ascii_lowercase();
        let valid = !dns.is_empty()
            && dns.len() <= 253
            && dns.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if valid {
            Ok(ServerName::Dns(dns))
        } else {
            Err(TlsError::BadName(host.to_string()))
        }
    }
}

impl fmt::Display for ServerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerName::Dns(d) => f.write_str(d),
            ServerName::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// `localhost`, `127.0.0.1` and `::1`: how a browser or client on this machine reaches it.
pub fn default_names() -> Vec<ServerName> {
    vec![
        ServerName::Dns("localhost".into()),
        ServerName::Ip(IpAddr::from([127, 0, 0, 1])),
        ServerName::Ip(IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])),
    ]
}

/// The default names plus `host` (e.g. the host of a configured public issuer URL), sorted,
/// without duplicates.
pub fn names_for_host(host: Option<&str>) -> Result<Vec<ServerName>, TlsError> {
    let mut names = default_names();
    if let Some(host) = host {
        names.push(ServerName::parse(host)?);
    }
    names.sort();
    names.dedup();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_parse_as_dns_or_ip() {
        assert_eq!(
            ServerName::parse("LocalHost").unwrap(),
            ServerName::Dns("localhost".into())
        );
        assert_eq!(
            ServerName::parse("[::1]").unwrap(),
            ServerName::Ip("::1".parse().unwrap())
        );
        assert_eq!(
            ServerName::parse("10.0.0.2").unwrap().to_string(),
            "10.0.0.2"
        );
        assert!(ServerName::parse("bad host").is_err());
        assert!(ServerName::parse("").is_err());
    }

    #[test]
    fn names_for_a_host_add_it_once() {
        assert_eq!(names_for_host(Some("localhost")).unwrap().len(), 3);
        let names = names_for_host(Some("id.example")).unwrap();
        assert_eq!(names.len(), 4);
        assert!(names.contains(&ServerName::Dns("id.example".into())));
    }
}
