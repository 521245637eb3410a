//! The simulated passport PKI (Doc 9303 Part 12): a Country Signing CA (CSCA) per issuing
//! state, and Document Signers whose certificates the CSCA issues. Keys are ECDSA P-256; the
//! certificates are X.509 made with `rcgen` (aws-lc-rs backend).

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
    KeyUsagePurpose, SigningKey, PKCS_ECDSA_P256_SHA256,
};
use time::{Date, Duration};

use super::ChipError;

/// A CSCA certificate a reader trusts (the broker's list of trusted CSCAs; Part 12, 5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCsca {
    der: Vec<u8>,
}

impl TrustedCsca {
    /// A trusted CSCA from its X.509 DER.
    pub fn from_der(der: Vec<u8>) -> Self {
        Self { der }
    }

    /// The X.509 DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

/// A simulated Country Signing CA: a self-signed CA certificate and its key.
pub struct CountrySigningCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    country: String,
}

impl std::fmt::Debug for CountrySigningCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CountrySigningCa")
            .field("country", &self.country)
            .finish_non_exhaustive()
    }
}

fn offset(date: Date, days: i64) -> time::OffsetDateTime {
    (date + Duration::days(days)).midnight().assume_utc()
}

impl CountrySigningCa {
    /// A new CSCA for `country` (a two-letter country name for the certificate, e.g. `DK`),
    /// valid from 5 years before `today` for 20 years; `name` goes into the common name so two
    /// CSCAs of one country can be told apart.
    pub fn generate(country: &str, name: &str, today: Date) -> Result<Self, ChipError> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, country);
        dn.push(DnType::OrganizationName, "Simulated passport authority");
        dn.push(DnType::CommonName, format!("CSCA {name}"));
        params.distinguished_name = dn;
        // A CSCA issues Document Signer certificates only: no intermediate CAs (Part 12, 7.1).
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = offset(today, -5 * 365);
        params.not_after = offset(today, 15 * 365);
        let issuer = CertifiedIssuer::self_signed(params, key)?;
        Ok(Self {
            issuer,
            country: country.to_string(),
        })
    }

    /// The certificate to put on a reader's trust list.
    pub fn trusted(&self) -> TrustedCsca {
        TrustedCsca::from_der(self.issuer.der().to_vec())
    }

    /// Issues a Document Signer certificate: an end-entity certificate for digital signatures,
    /// valid from `today` for 11 years (a signing period plus the life of the documents signed).
    pub fn issue_document_signer(&self, today: Date) -> Result<DocumentSigner, ChipError> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, self.country.as_str());
        dn.push(DnType::OrganizationName, "Simulated passport authority");
        dn.push(DnType::CommonName, "Document Signer");
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.use_authority_key_identifier_extension = true;
        params.not_before = offset(today, 0);
        params.not_after = offset(today, 11 * 365);
        let certificate = params.signed_by(&key, &self.issuer)?;
        Ok(DocumentSigner {
            key,
            certificate: certificate.der().to_vec(),
        })
    }
}

/// A Document Signer: the key that signs security objects and its certificate.
pub struct DocumentSigner {
    key: KeyPair,
    certificate: Vec<u8>,
}

impl std::fmt::Debug for DocumentSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentSigner").finish_non_exhaustive()
    }
}

impl DocumentSigner {
    /// The X.509 DER certificate.
    pub fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    /// The signer as stored: its private key (PKCS#8 DER) and its certificate (X.509 DER).
    pub fn to_der(&self) -> (Vec<u8>, Vec<u8>) {
        (self.key.serialize_der(), self.certificate.clone())
    }

    /// A signer stored with [`DocumentSigner::to_der`].
    pub fn from_der(key_pkcs8: &[u8], certificate: Vec<u8>) -> Result<Self, ChipError> {
        Ok(Self {
            key: KeyPair::try_from(key_pkcs8)?,
            certificate,
        })
    }

    /// ECDSA P-256/SHA-256 signature (ASN.1 DER) over `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, ChipError> {
        Ok(self.key.sign(message)?)
    }
}
