use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{self, ServerName as TlsName};

use super::*;
use crate::{default_names, names_for_host, read_ca_certificates};

/// 2026-11-01T00:00:00Z.
const NOW: UnixTime = 1_793_491_200;

fn verify(dir: &Path, host: &str, at: UnixTime) -> Result<(), rustls::Error> {
    let mut roots = rustls::RootCertStore::empty();
    for ca in read_ca_certificates(&dir.join(CA_FILE)).unwrap() {
        roots.add(ca).unwrap();
    }
    let verifier =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), crate::crypto_provider())
            .build()
            .unwrap();
    let leaf = files::read_certificates(&dir.join(SERVER_CERT_FILE)).unwrap();
    verifier
        .verify_server_cert(
            &leaf[0],
            &[],
            &TlsName::try_from(host.to_string()).unwrap(),
            &[],
            pki_types::UnixTime::since_unix_epoch(Duration::from_secs(at as u64)),
        )
        .map(|_| ())
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

#[test]
fn first_run_makes_a_ca_and_a_server_certificate_that_chains_to_it() {
    let tmp = tempfile::tempdir().unwrap();
    let made = provision(tmp.path(), &default_names(), NOW).unwrap();
    assert!(made.ca_created);
    assert_eq!(made.server, ServerStatus::Issued);
    assert_eq!(made.ca_cert, tmp.path().join("ca.pem"));
    assert_eq!(made.server_not_after, NOW + SERVER_VALIDITY_DAYS * DAY);
    for host in ["localhost", "127.0.0.1", "::1"] {
        verify(tmp.path(), host, NOW).unwrap_or_else(|e| panic!("{host}: {e}"));
    }
    // A name the certificate does not carry fails, and so does a time after expiry.
    assert!(verify(tmp.path(), "example.com", NOW).is_err());
    assert!(verify(tmp.path(), "localhost", made.server_not_after + 1).is_err());
}

#[test]
fn a_different_ca_does_not_verify_the_server_certificate() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    provision(a.path(), &default_names(), NOW).unwrap();
    provision(b.path(), &default_names(), NOW).unwrap();
    std::fs::copy(b.path().join(CA_FILE), a.path().join(CA_FILE)).unwrap();
    assert!(verify(a.path(), "localhost", NOW).is_err());
}

#[test]
fn the_server_certificate_names_exactly_localhost_and_the_loopback_addresses() {
    let tmp = tempfile::tempdir().unwrap();
    provision(tmp.path(), &default_names(), NOW).unwrap();
    let der = files::read_certificates(&tmp.path().join(SERVER_CERT_FILE)).unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(&der[0]).unwrap();
    assert_eq!(
        sans(&cert),
        vec![
            ServerName::Dns("localhost".into()),
            ServerName::Ip("127.0.0.1".parse().unwrap()),
            ServerName::Ip("::1".parse().unwrap()),
        ]
    );
    assert!(!cert.is_ca());
    let ca_der = read_ca_certificates(&tmp.path().join(CA_FILE)).unwrap();
    let (_, ca) = x509_parser::parse_x509_certificate(&ca_der[0]).unwrap();
    assert!(ca.is_ca());
}

#[cfg(unix)]
#[test]
fn private_keys_are_readable_by_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    provision(tmp.path(), &default_names(), NOW).unwrap();
    for file in [SERVER_KEY_FILE, CA_KEY_FILE] {
        let mode = std::fs::metadata(tmp.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
}

#[test]
fn a_later_run_reuses_both_certificates() {
    let tmp = tempfile::tempdir().unwrap();
    provision(tmp.path(), &default_names(), NOW).unwrap();
    let (ca, server, key) = (
        read(tmp.path(), CA_FILE),
        read(tmp.path(), SERVER_CERT_FILE),
        read(tmp.path(), SERVER_KEY_FILE),
    );
    let again = provision(tmp.path(), &default_names(), NOW + 100 * DAY).unwrap();
    assert!(!again.ca_created);
    assert_eq!(again.server, ServerStatus::Reused);
    assert_eq!(again.server_not_after, NOW + SERVER_VALIDITY_DAYS * DAY);
    assert_eq!(read(tmp.path(), CA_FILE), ca);
    assert_eq!(read(tmp.path(), SERVER_CERT_FILE), server);
    assert_eq!(read(tmp.path(), SERVER_KEY_FILE), key);
}

#[test]
fn a_server_certificate_near_expiry_is_renewed_by_the_same_ca() {
    let tmp = tempfile::tempdir().unwrap();
    provision(tmp.path(), &default_names(), NOW).unwrap();
    let ca = read(tmp.path(), CA_FILE);
    let old = read(tmp.path(), SERVER_CERT_FILE);
    // One day more than the renewal margin left: reused.
    let before_margin = NOW + (SERVER_VALIDITY_DAYS - RENEW_BEFORE_DAYS - 1) * DAY;
    assert_eq!(
        provision(tmp.path(), &default_names(), before_margin)
            .unwrap()
            .server,
        ServerStatus::Reused
    );
    let later = NOW + (SERVER_VALIDITY_DAYS - RENEW_BEFORE_DAYS) * DAY;
    let renewed = provision(tmp.path(), &default_names(), later).unwrap();
    assert_eq!(renewed.server, ServerStatus::RenewedNearExpiry);
    assert!(!renewed.ca_created);
    assert_eq!(renewed.server_not_after, later + SERVER_VALIDITY_DAYS * DAY);
    assert_ne!(read(tmp.path(), SERVER_CERT_FILE), old);
    assert_eq!(
        read(tmp.path(), CA_FILE),
        ca,
        "clients keep trusting the same CA"
    );
    verify(tmp.path(), "localhost", later + 200 * DAY).unwrap();
}

#[test]
fn changed_names_renew_the_server_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    provision(tmp.path(), &default_names(), NOW).unwrap();
    let names = names_for_host(Some("id.example")).unwrap();
    let renewed = provision(tmp.path(), &names, NOW + DAY).unwrap();
    assert_eq!(renewed.server, ServerStatus::RenewedNamesChanged);
    verify(tmp.path(), "id.example", NOW + DAY).unwrap();
    verify(tmp.path(), "localhost", NOW + DAY).unwrap();
    // Same names in another order: reused.
    let mut shuffled = names.clone();
    shuffled.reverse();
    assert_eq!(
        provision(tmp.path(), &shuffled, NOW + 2 * DAY)
            .unwrap()
            .server,
        ServerStatus::Reused
    );
}

#[test]
fn a_ca_near_expiry_is_replaced_and_the_server_certificate_with_it() {
    let tmp = tempfile::tempdir().unwrap();
    provision(tmp.path(), &default_names(), NOW).unwrap();
    let ca = read(tmp.path(), CA_FILE);
    let late = NOW + (CA_VALIDITY_DAYS - RENEW_BEFORE_DAYS) * DAY;
    let renewed = provision(tmp.path(), &default_names(), late).unwrap();
    assert!(renewed.ca_created);
    assert_eq!(renewed.server, ServerStatus::RenewedNotFromCa);
    assert_ne!(read(tmp.path(), CA_FILE), ca);
    verify(tmp.path(), "localhost", late).unwrap();
}

#[test]
fn damaged_files_are_replaced_not_fatal() {
    let tmp = tempfile::tempdir().unwrap();
    provision(tmp.path(), &default_names(), NOW).unwrap();
    std::fs::write(tmp.path().join(SERVER_CERT_FILE), "not a certificate").unwrap();
    let again = provision(tmp.path(), &default_names(), NOW).unwrap();
    assert_eq!(again.server, ServerStatus::RenewedNotFromCa);
    assert!(!again.ca_created);
    verify(tmp.path(), "localhost", NOW).unwrap();
    // A server key that does not belong to the certificate is replaced too.
    let other = tempfile::tempdir().unwrap();
    provision(other.path(), &default_names(), NOW).unwrap();
    std::fs::copy(
        other.path().join(SERVER_KEY_FILE),
        tmp.path().join(SERVER_KEY_FILE),
    )
    .unwrap();
    assert_eq!(
        provision(tmp.path(), &default_names(), NOW).unwrap().server,
        ServerStatus::RenewedNotFromCa
    );
}

#[test]
fn the_server_config_loads_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let made = provision(tmp.path(), &default_names(), NOW).unwrap();
    let config = crate::server_config(&made).unwrap();
    assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
}

/// A server certificate for `host` signed with the CA key on disk (as a thief of the key
/// would), verified against the CA as a client would.
fn forge_and_verify(dir: &Path, host: &str) -> Result<(), rustls::Error> {
    let ca_key = KeyPair::from_pem(&read(dir, CA_KEY_FILE)).unwrap();
    let ca_der = files::read_certificates(&dir.join(CA_FILE)).unwrap();
    let issuer = Issuer::from_ca_cert_der(&ca_der[0], &ca_key).unwrap();
    let name = ServerName::parse(host).unwrap();
    let (_, pem, _) = make_server(&issuer, &[name], NOW).unwrap();
    let forged = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join(CA_FILE), forged.path().join(CA_FILE)).unwrap();
    std::fs::write(forged.path().join(SERVER_CERT_FILE), pem).unwrap();
    verify(forged.path(), host, NOW)
}

#[test]
fn the_ca_can_vouch_only_for_private_names() {
    let tmp = tempfile::tempdir().unwrap();
    provision(tmp.path(), &default_names(), NOW).unwrap();
    // Names for testing and private use, and private addresses: a certificate verifies.
    for host in [
        "dev.localhost",
        "broker.test",
        "id.example",
        "idp.internal",
        "127.0.0.2",
        "10.1.2.3",
        "192.168.1.10",
        "fd00::1",
    ] {
        forge_and_verify(tmp.path(), host).unwrap_or_else(|e| panic!("{host}: {e}"));
    }
    // Anyone else's site: the CA's name constraints refuse it, though its key signed it.
    for host in [
        "mitid.dk",
        "www.example.com",
        "localhost.evil.dk",
        "8.8.8.8",
        "2001:db8::1",
    ] {
        let refused = forge_and_verify(tmp.path(), host);
        assert!(refused.is_err(), "{host} verified");
    }
}

#[test]
fn a_configured_public_name_gets_a_ca_that_permits_it_and_no_more() {
    let tmp = tempfile::tempdir().unwrap();
    provision(tmp.path(), &default_names(), NOW).unwrap();
    let ca = read(tmp.path(), CA_FILE);
    let names = names_for_host(Some("id.mycompany.dk")).unwrap();
    let made = provision(tmp.path(), &names, NOW + DAY).unwrap();
    assert!(made.ca_created, "the old CA does not permit the name");
    assert_ne!(read(tmp.path(), CA_FILE), ca);
    verify(tmp.path(), "id.mycompany.dk", NOW + DAY).unwrap();
    verify(tmp.path(), "localhost", NOW + DAY).unwrap();
    assert!(forge_and_verify(tmp.path(), "other.mycompany.dk").is_err());
    // The next run keeps it.
    let again = provision(tmp.path(), &names, NOW + 2 * DAY).unwrap();
    assert!(!again.ca_created);
    assert_eq!(again.server, ServerStatus::Reused);
}

#[test]
fn a_ca_without_name_constraints_is_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    // A CA as this crate made them before name constraints.
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = CertificateParams::default();
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    params.not_before = at(NOW - DAY).unwrap();
    params.not_after = at(NOW + 1000 * DAY).unwrap();
    let old = params.self_signed(&key).unwrap();
    std::fs::write(tmp.path().join(CA_FILE), old.pem()).unwrap();
    std::fs::write(tmp.path().join(CA_KEY_FILE), key.serialize_pem()).unwrap();
    let made = provision(tmp.path(), &default_names(), NOW).unwrap();
    assert!(made.ca_created);
    assert_ne!(read(tmp.path(), CA_FILE), old.pem());
    assert!(forge_and_verify(tmp.path(), "mitid.dk").is_err());
    verify(tmp.path(), "localhost", NOW).unwrap();
}
