//! Making, reusing and renewing the CA and the server certificate.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    NameConstraints, PublicKeyData, PKCS_ECDSA_P256_SHA256,
};
use rustls::pki_types::CertificateDer;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;

use crate::names::ServerName;
use crate::{files, TlsError, UnixTime};

/// The CA certificate to trust.
pub const CA_FILE: &str = "ca.pem";
/// The CA's private key (0600).
pub const CA_KEY_FILE: &str = "ca-key.pem";
/// The server certificate.
pub const SERVER_CERT_FILE: &str = "server.pem";
/// The server's private key (0600).
pub const SERVER_KEY_FILE: &str = "server-key.pem";

/// DNS names the CA may certify without being made for them: `localhost` and the names
/// reserved for testing and private use (RFC 6761, RFC 2606, RFC 6762, RFC 8375, ICANN's
/// `internal`), each with its subdomains.
pub const PRIVATE_DNS: &[&str] = &[
    "localhost",
    "test",
    "example",
    "invalid",
    "local",
    "internal",
    "home.arpa",
];

/// Address ranges the CA may certify: loopback, RFC 1918, link-local, IPv6 unique-local.
const PRIVATE_V4: &[([u8; 4], u8)] = &[
    ([127, 0, 0, 0], 8),
    ([10, 0, 0, 0], 8),
    ([172, 16, 0, 0], 12),
    ([192, 168, 0, 0], 16),
    ([169, 254, 0, 0], 16),
];
const PRIVATE_V6: &[([u8; 16], u8)] = &[
    ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128),
    ([0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 7),
    ([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10),
];

/// A CA lives ten years: trusting it once should last.
pub const CA_VALIDITY_DAYS: i64 = 3650;
/// A server certificate lives a year (within what browsers accept for a private CA).
pub const SERVER_VALIDITY_DAYS: i64 = 365;
/// Certificates with less than this left are renewed.
pub const RENEW_BEFORE_DAYS: i64 = 30;

const DAY: i64 = 24 * 3600;
/// A server certificate is valid from an hour before it was made, for clocks a little behind.
const BACKDATE: i64 = 3600;

/// What happened to the server certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerStatus {
    /// There was none: made now.
    Issued,
    /// The one on disk is valid for the names, long enough, and chains to the CA.
    Reused,
    /// The one on disk nears expiry (or expired).
    RenewedNearExpiry,
    /// The one on disk names other hosts.
    RenewedNamesChanged,
    /// The one on disk is not signed by the current CA, or cannot be read.
    RenewedNotFromCa,
}

/// The certificate files, ready to serve and to trust.
#[derive(Debug, Clone)]
pub struct Provisioned {
    /// `<dir>/ca.pem`: give this to clients.
    pub ca_cert: PathBuf,
    /// `<dir>/server.pem`.
    pub server_cert: PathBuf,
    /// `<dir>/server-key.pem`.
    pub server_key: PathBuf,
    /// The CA was made now (clients that trusted an earlier one must trust this one).
    pub ca_created: bool,
    pub server: ServerStatus,
    /// When the server certificate expires.
    pub server_not_after: UnixTime,
}

/// Makes sure `dir` holds a CA and a server certificate for `names` valid at `now` for at
/// least [`RENEW_BEFORE_DAYS`]; makes what is missing, renews what is not good enough.
pub fn provision(dir: &Path, names: &[ServerName], now: UnixTime) -> Result<Provisioned, TlsError> {
    std::fs::create_dir_all(dir).map_err(|source| TlsError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let ca_cert = dir.join(CA_FILE);
    let ca_key_path = dir.join(CA_KEY_FILE);
    let server_cert = dir.join(SERVER_CERT_FILE);
    let server_key = dir.join(SERVER_KEY_FILE);

    let wanted = sorted(names);
    let (ca_key, ca_der, ca_created) = match load_ca(&ca_cert, &ca_key_path, &wanted, now) {
        Some((key, der)) => (key, der, false),
        None => {
            let (key, pem) = make_ca(&wanted, now)?;
            files::write(&ca_key_path, &key.serialize_pem(), true)?;
            files::write(&ca_cert, &pem, false)?;
            let der = files::read_certificates(&ca_cert)?
                .into_iter()
                .next()
                .ok_or_else(|| TlsError::BadPem {
                    path: ca_cert.clone(),
                    reason: "no certificate".into(),
                })?;
            (key, der, true)
        }
    };

    let existing = std::fs::read_to_string(&server_cert).ok();
    let judged = match existing {
        Some(pem) if server_key.exists() => judge_server(&pem, &server_key, &ca_der, &wanted, now),
        _ => Judgement::Missing,
    };
    let (server, server_not_after) = match judged {
        Judgement::Good { not_after } => (ServerStatus::Reused, not_after),
        other => {
            let status = match other {
                Judgement::NearExpiry => ServerStatus::RenewedNearExpiry,
                Judgement::NamesChanged => ServerStatus::RenewedNamesChanged,
                Judgement::NotFromCa => ServerStatus::RenewedNotFromCa,
                Judgement::Missing | Judgement::Good { .. } => ServerStatus::Issued,
            };
            let issuer = Issuer::from_ca_cert_der(&ca_der, &ca_key)?;
            let (key, pem, not_after) = make_server(&issuer, &wanted, now)?;
            files::write(&server_key, &key.serialize_pem(), true)?;
            files::write(&server_cert, &pem, false)?;
            (status, not_after)
        }
    };
    Ok(Provisioned {
        ca_cert,
        server_cert,
        server_key,
        ca_created,
        server,
        server_not_after,
    })
}

fn sorted(names: &[ServerName]) -> Vec<ServerName> {
    let mut names = names.to_vec();
    names.sort();
    names.dedup();
    names
}

fn at(unix: UnixTime) -> Result<OffsetDateTime, TlsError> {
    OffsetDateTime::from_unix_timestamp(unix).map_err(|_| TlsError::BadTime(unix))
}

/// The subtrees the CA may certify (RFC 5280 4.2.1.10): the private names and ranges, and any
/// of `names` outside them exactly. A leaked CA key cannot vouch for anyone else's site.
fn permitted_subtrees(names: &[ServerName]) -> Vec<GeneralSubtree> {
    let mut subtrees: Vec<GeneralSubtree> = PRIVATE_DNS
        .iter()
        .map(|d| GeneralSubtree::DnsName((*d).to_string()))
        .collect();
    subtrees.extend(
        PRIVATE_V4
            .iter()
            .map(|(ip, bits)| GeneralSubtree::IpAddress(CidrSubnet::V4(*ip, v4_mask(*bits)))),
    );
    subtrees.extend(
        PRIVATE_V6
            .iter()
            .map(|(ip, bits)| GeneralSubtree::IpAddress(CidrSubnet::V6(*ip, v6_mask(*bits)))),
    );
    for name in names.iter().filter(|n| !is_private(n)) {
        subtrees.push(match name {
            ServerName::Dns(d) => GeneralSubtree::DnsName(d.clone()),
            ServerName::Ip(IpAddr::V4(ip)) => {
                GeneralSubtree::IpAddress(CidrSubnet::V4(ip.octets(), v4_mask(32)))
            }
            ServerName::Ip(IpAddr::V6(ip)) => {
                GeneralSubtree::IpAddress(CidrSubnet::V6(ip.octets(), v6_mask(128)))
            }
        });
    }
    subtrees
}

fn v4_mask(bits: u8) -> [u8; 4] {
    u32::MAX
        .checked_shl(32 - u32::from(bits))
        .unwrap_or(0)
        .to_be_bytes()
}

fn v6_mask(bits: u8) -> [u8; 16] {
    u128::MAX
        .checked_shl(128 - u32::from(bits))
        .unwrap_or(0)
        .to_be_bytes()
}

/// `name` lies in the private names or ranges.
fn is_private(name: &ServerName) -> bool {
    match name {
        ServerName::Dns(d) => PRIVATE_DNS.iter().any(|p| dns_within(d, p)),
        ServerName::Ip(IpAddr::V4(ip)) => PRIVATE_V4
            .iter()
            .any(|(net, bits)| in_subnet(&ip.octets(), net, &v4_mask(*bits))),
        ServerName::Ip(IpAddr::V6(ip)) => PRIVATE_V6
            .iter()
            .any(|(net, bits)| in_subnet(&ip.octets(), net, &v6_mask(*bits))),
    }
}

/// RFC 5280 4.2.1.10: a dNSName constraint covers the name itself and its subdomains.
fn dns_within(name: &str, constraint: &str) -> bool {
    let (name, constraint) = (name.to_ascii_lowercase(), constraint.to_ascii_lowercase());
    name == constraint || name.ends_with(&format!(".{constraint}"))
}

fn in_subnet(ip: &[u8], net: &[u8], mask: &[u8]) -> bool {
    ip.len() == net.len()
        && net.len() == mask.len()
        && ip
            .iter()
            .zip(net)
            .zip(mask)
            .all(|((i, n), m)| i & m == n & m)
}

/// The CA's name constraints permit every one of `names`.
fn ca_permits(ca: &X509Certificate<'_>, names: &[ServerName]) -> bool {
    let Ok(Some(constraints)) = ca.name_constraints() else {
        return false;
    };
    let Some(subtrees) = &constraints.value.permitted_subtrees else {
        return false;
    };
    names.iter().all(|name| {
        subtrees.iter().any(|subtree| match (&subtree.base, name) {
            (GeneralName::DNSName(constraint), ServerName::Dns(d)) => dns_within(d, constraint),
            (GeneralName::IPAddress(net), ServerName::Ip(ip)) => {
                let octets = match ip {
                    IpAddr::V4(v4) => v4.octets().to_vec(),
                    IpAddr::V6(v6) => v6.octets().to_vec(),
                };
                let (addr, mask) = net.split_at(net.len() / 2);
                in_subnet(&octets, addr, mask)
            }
            _ => false,
        })
    })
}

fn make_ca(names: &[ServerName], now: UnixTime) -> Result<(KeyPair, String), TlsError> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::OrganizationName,
        "idsim (simulated identity broker)",
    );
    // The creation time tells two CAs apart in a trust store.
    dn.push(DnType::CommonName, format!("idsim local CA {now}"));
    params.distinguished_name = dn;
    // Issues server certificates only: no intermediate CAs.
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted_subtrees(names),
        excluded_subtrees: Vec::new(),
    });
    params.not_before = at(now - BACKDATE)?;
    params.not_after = at(now + CA_VALIDITY_DAYS * DAY)?;
    let certificate = params.self_signed(&key)?;
    Ok((key, certificate.pem()))
}

fn make_server(
    issuer: &Issuer<'_, &KeyPair>,
    names: &[ServerName],
    now: UnixTime,
) -> Result<(KeyPair, String, UnixTime), TlsError> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())?;
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::OrganizationName,
        "idsim (simulated identity broker)",
    );
    dn.push(
        DnType::CommonName,
        names.first().map(|n| n.to_string()).unwrap_or_default(),
    );
    params.distinguished_name = dn;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let not_after = now + SERVER_VALIDITY_DAYS * DAY;
    params.not_before = at(now - BACKDATE)?;
    params.not_after = at(not_after)?;
    let certificate = params.signed_by(&key, issuer)?;
    Ok((key, certificate.pem(), not_after))
}

/// The CA on disk, if both files read, the key matches the certificate, it has more than
/// [`RENEW_BEFORE_DAYS`] left and its name constraints permit `names` (a CA from before they
/// existed, or one made before a public name was configured, is replaced).
fn load_ca(
    cert: &Path,
    key: &Path,
    names: &[ServerName],
    now: UnixTime,
) -> Option<(KeyPair, CertificateDer<'static>)> {
    let key = KeyPair::from_pem(&files::read_to_string(key).ok()?).ok()?;
    let der = files::read_certificates(cert).ok()?.into_iter().next()?;
    let (_, parsed) = x509_parser::parse_x509_certificate(&der).ok()?;
    let matches = parsed.public_key().raw == key.subject_public_key_info().as_slice();
    let fresh = parsed.validity().not_after.timestamp() - now > RENEW_BEFORE_DAYS * DAY;
    let permits = ca_permits(&parsed, names);
    (matches && fresh && permits && parsed.is_ca()).then_some((key, der))
}

enum Judgement {
    Missing,
    Good { not_after: UnixTime },
    NearExpiry,
    NamesChanged,
    NotFromCa,
}

fn judge_server(
    pem: &str,
    key_path: &Path,
    ca_der: &CertificateDer<'_>,
    wanted: &[ServerName],
    now: UnixTime,
) -> Judgement {
    use rustls::pki_types::pem::PemObject;
    let Some(Ok(der)) = CertificateDer::pem_slice_iter(pem.as_bytes()).next() else {
        return Judgement::NotFromCa;
    };
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(&der) else {
        return Judgement::NotFromCa;
    };
    let Ok((_, ca)) = x509_parser::parse_x509_certificate(ca_der) else {
        return Judgement::NotFromCa;
    };
    if cert.verify_signature(Some(ca.public_key())).is_err() || cert.issuer() != ca.subject() {
        return Judgement::NotFromCa;
    }
    let key_matches = files::read_to_string(key_path)
        .ok()
        .and_then(|pem| KeyPair::from_pem(&pem).ok())
        .is_some_and(|key| cert.public_key().raw == key.subject_public_key_info().as_slice());
    if !key_matches {
        return Judgement::NotFromCa;
    }
    if sans(&cert) != wanted {
        return Judgement::NamesChanged;
    }
    let not_after = cert.validity().not_after.timestamp();
    if not_after - now <= RENEW_BEFORE_DAYS * DAY || cert.validity().not_before.timestamp() > now {
        return Judgement::NearExpiry;
    }
    Judgement::Good { not_after }
}

/// The subject alternative names of `cert`, sorted.
fn sans(cert: &X509Certificate<'_>) -> Vec<ServerName> {
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => names.push(ServerName::Dns(d.to_ascii_lowercase())),
                GeneralName::IPAddress(bytes) => {
                    if let Ok(v4) = <[u8; 4]>::try_from(*bytes) {
                        names.push(ServerName::Ip(IpAddr::from(v4)));
                    } else if let Ok(v6) = <[u8; 16]>::try_from(*bytes) {
                        names.push(ServerName::Ip(IpAddr::from(v6)));
                    }
                }
                _ => {}
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests;
