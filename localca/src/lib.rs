//! A local certificate authority for serving https on a developer's machine.
//!
//! [`provision`] keeps a CA and a server certificate in a directory: made on first use, reused
//! on later runs, and the server certificate renewed when it nears expiry, when the names it
//! must cover changed, or when it no longer chains to the CA. A user trusts the CA file once
//! (`ca.pem`); every certificate it issues later is trusted with it.
//!
//! ```text
//! <dir>/ca.pem           the CA certificate to trust
//! <dir>/ca-key.pem       the CA's private key (0600)
//! <dir>/server.pem       the server certificate
//! <dir>/server-key.pem   the server's private key (0600)
//! ```
//!
//! Time is passed in (`now`, Unix seconds): nothing here reads the clock, so renewal is tested
//! by moving `now`. Keys are ECDSA P-256, made and used through aws-lc-rs. No HTTP here; the
//! `serve` feature adds a TLS listener for `axum::serve`.

mod ca;
mod files;
mod names;
#[cfg(feature = "serve")]
pub mod serve;

pub use ca::{provision, Provisioned, ServerStatus, CA_VALIDITY_DAYS, RENEW_BEFORE_DAYS};
pub use ca::{CA_FILE, CA_KEY_FILE, SERVER_CERT_FILE, SERVER_KEY_FILE, SERVER_VALIDITY_DAYS};
pub use names::{default_names, names_for_host, ServerName};

use std::path::PathBuf;
use std::sync::Arc;

/// Unix seconds.
pub type UnixTime = i64;

/// What can go wrong making, reading or using the certificates.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot create or write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot make a certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("{path} is not a usable PEM file: {reason}")]
    BadPem { path: PathBuf, reason: String },
    #[error("{0} is not a host name or IP address a certificate can name")]
    BadName(String),
    #[error("the time {0} is out of range")]
    BadTime(UnixTime),
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The aws-lc-rs crypto provider every TLS configuration here uses.
pub fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A rustls server configuration serving `server.pem` with `server-key.pem` (HTTP/1.1 by ALPN).
pub fn server_config(provisioned: &Provisioned) -> Result<rustls::ServerConfig, TlsError> {
    let chain = files::read_certificates(&provisioned.server_cert)?;
    let key = files::read_private_key(&provisioned.server_key)?;
    let mut config = rustls::ServerConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The CA certificates in a PEM file, DER encoded (to add to a client's roots).
pub fn read_ca_certificates(
    path: &std::path::Path,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, TlsError> {
    files::read_certificates(path)
}
