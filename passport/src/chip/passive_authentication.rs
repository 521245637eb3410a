//! Passive authentication (Doc 9303 Part 11, 5.1): proves the chip's data was written by the
//! issuing state and not changed since.
//!
//! The steps, in order: read the Document Signer certificate from EF.SOD; find a trusted CSCA
//! that issued it and verify the certificate's signature; verify the security object's signature
//! with the Document Signer's key; hash each data group and compare. Validity periods are not
//! judged here: a document's expiry comes from its MRZ, and a Document Signer certificate
//! outlives its signing period by design.

use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_ASN1};
use sha2::{Digest, Sha256};
use thiserror::Error;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::pki::TrustedCsca;
use super::security_object::LdsSecurityObject;
use super::ChipContents;

/// The step of passive authentication that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassiveAuthStep {
    /// Reading the Document Signer certificate.
    SignerCertificate,
    /// The chain from the Document Signer certificate to a trusted CSCA.
    CertificateChain,
    /// The security object's signature.
    SecurityObjectSignature,
    /// The data group hashes.
    DataGroupHashes,
}

/// Why passive authentication failed, naming the step.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PassiveAuthError {
    /// The certificate in EF.SOD is not X.509.
    #[error("passive authentication: the document signer certificate on the chip cannot be read")]
    SignerCertificateUnreadable,
    /// No trusted CSCA issued the Document Signer certificate.
    #[error(
        "passive authentication: the document signer is not certified by a trusted country \
         signing CA; the document may be forged"
    )]
    UntrustedSigner,
    /// The security object's signature does not verify.
    #[error(
        "passive authentication: the security object's signature does not verify with the \
         document signer's key"
    )]
    BadSignature,
    /// The signed security object cannot be read.
    #[error("passive authentication: the security object cannot be read")]
    MalformedSecurityObject,
    /// A data group present on the chip has no hash in the security object.
    #[error("passive authentication: the security object has no hash for data group {0}")]
    MissingHash(u8),
    /// A data group's hash differs: its contents were changed after signing.
    #[error(
        "passive authentication: data group {0} does not match its signed hash; the chip's data \
         has been altered"
    )]
    HashMismatch(u8),
}

impl PassiveAuthError {
    /// The step that failed.
    pub fn step(&self) -> PassiveAuthStep {
        match self {
            PassiveAuthError::SignerCertificateUnreadable => PassiveAuthStep::SignerCertificate,
            PassiveAuthError::UntrustedSigner => PassiveAuthStep::CertificateChain,
            PassiveAuthError::BadSignature | PassiveAuthError::MalformedSecurityObject => {
                PassiveAuthStep::SecurityObjectSignature
            }
            PassiveAuthError::MissingHash(_) | PassiveAuthError::HashMismatch(_) => {
                PassiveAuthStep::DataGroupHashes
            }
        }
    }
}

/// Runs passive authentication over what was read from a chip against the reader's trusted
/// CSCAs (Part 11, 5.1).
pub fn passive_authentication(
    contents: &ChipContents,
    trusted: &[TrustedCsca],
) -> Result<(), PassiveAuthError> {
    let sod = &contents.sod;
    let (rest, signer) = X509Certificate::from_der(&sod.signer_certificate)
        .map_err(|_| PassiveAuthError::SignerCertificateUnreadable)?;
    if !rest.is_empty() {
        return Err(PassiveAuthError::SignerCertificateUnreadable);
    }

    let chained = trusted.iter().any(|csca| {
        let Ok((_, ca)) = X509Certificate::from_der(csca.der()) else {
            return false;
        };
        ca.subject() == signer.issuer()
            && ca.is_ca()
            && signer.verify_signature(Some(ca.public_key())).is_ok()
    });
    if !chained {
        return Err(PassiveAuthError::UntrustedSigner);
    }

    let key = UnparsedPublicKey::new(
        &ECDSA_P256_SHA256_ASN1,
        signer.public_key().subject_public_key.data.as_ref(),
    );
    key.verify(&sod.security_object, &sod.signature)
        .map_err(|_| PassiveAuthError::BadSignature)?;

    let security_object = LdsSecurityObject::from_der(&sod.security_object)
        .ok_or(PassiveAuthError::MalformedSecurityObject)?;
    for (number, data_group) in [(1u8, &contents.dg1), (2u8, &contents.dg2)] {
        let expected = security_object
            .hash_of(number)
            .ok_or(PassiveAuthError::MissingHash(number))?;
        let actual: [u8; 32] = Sha256::digest(data_group).into();
        if &actual != expected {
            return Err(PassiveAuthError::HashMismatch(number));
        }
    }
    Ok(())
}
