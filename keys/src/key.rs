use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

use crate::jwk::Jwk;
use crate::KeyError;

/// JWS algorithms the broker signs with (RFC 7518).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Alg {
    RS256,
    PS256,
    ES256,
}

impl Alg {
    pub const ALL: [Alg; 3] = [Alg::RS256, Alg::PS256, Alg::ES256];

    pub fn as_str(self) -> &'static str {
        match self {
            Alg::RS256 => "RS256",
            Alg::PS256 => "PS256",
            Alg::ES256 => "ES256",
        }
    }

    pub fn parse(s: &str) -> Option<Alg> {
        Alg::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The kind of key that makes this algorithm's signatures.
    pub fn key_kind(self) -> KeyKind {
        match self {
            Alg::RS256 | Alg::PS256 => KeyKind::Rsa,
            Alg::ES256 => KeyKind::Ec,
        }
    }
}

impl fmt::Display for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Key type: RSA-2048 or EC P-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    Rsa,
    Ec,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Rsa => "rsa",
            KeyKind::Ec => "ec",
        }
    }
}

/// Where a key is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyState {
    /// Published ahead of use, so relying parties cache it before it signs.
    Next,
    /// Signs new tokens; one per key kind.
    Active,
    /// Published so tokens it signed still verify; never signs.
    Retired,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Next => "next",
            KeyState::Active => "active",
            KeyState::Retired => "retired",
        }
    }
}

/// Key ID: the RFC 7638 JWK thumbprint, base64url.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Kid(String);

impl Kid {
    pub fn new(s: impl Into<String>) -> Kid {
        Kid(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

enum Private {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// A parsed private key, held in memory so signing never re-parses PEM.
pub struct SigningKey {
    kid: Kid,
    kind: KeyKind,
    jwk: Jwk,
    private: Private,
    /// For an RSA key, a self-signed certificate of it, the same every time the key is loaded:
    /// for JWKS that name keys by certificate (`x5c`, `x5t`, a SHA-1 thumbprint `kid`).
    certified: Option<Jwk>,
}

impl fmt::Debug for SigningKey {
    // Never print private material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

const PEM_LABEL: &str = "PRIVATE KEY";

impl SigningKey {
    /// Generates a new key and returns it with its PKCS#8 PEM.
    pub fn generate(kind: KeyKind) -> Result<(SigningKey, String), KeyError> {
        let der = match kind {
            KeyKind::Rsa => {
                let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)
                    .map_err(|e| KeyError::Generate(e.to_string()))?;
                key.to_pkcs8_der()
                    .map_err(|e| KeyError::Generate(e.to_string()))?
                    .as_bytes()
                    .to_vec()
            }
            KeyKind::Ec => EcdsaKeyPair::generate_pkcs8(
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                &SystemRandom::new(),
            )
            .map_err(|e| KeyError::Generate(e.to_string()))?
            .as_ref()
            .to_vec(),
        };
        let pem = rsa::pkcs8::der::pem::encode_string(PEM_LABEL, LineEnding::LF, &der)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        let key = SigningKey::from_pkcs8_der(kind, &der, "new key")?;
        Ok((key, pem))
    }

    /// Parses a PKCS#8 PEM private key of the given kind.
    pub fn from_pem(kind: KeyKind, pem: &str, name: &str) -> Result<SigningKey, KeyError> {
        let bad = |reason: String| KeyError::BadKey {
            kid: name.to_string(),
            reason,
        };
        let (label, der) =
            rsa::pkcs8::der::pem::decode_vec(pem.as_bytes()).map_err(|e| bad(e.to_string()))?;
        if label != PEM_LABEL {
            return Err(bad(format!("PEM label is {label}, expected {PEM_LABEL}")));
        }
        SigningKey::from_pkcs8_der(kind, &der, name)
    }

    fn from_pkcs8_der(kind: KeyKind, der: &[u8], name: &str) -> Result<SigningKey, KeyError> {
        let bad = |reason: String| KeyError::BadKey {
            kid: name.to_string(),
            reason,
        };
        let (private, jwk) = match kind {
            KeyKind::Rsa => {
                let parsed =
                    rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|e| bad(e.to_string()))?;
                let n = B64.encode(parsed.n().to_bytes_be());
                let e = B64.encode(parsed.e().to_bytes_be());
                let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| bad(e.to_string()))?;
                (Private::Rsa(pair), Jwk::rsa(n, e))
            }
            KeyKind::Ec => {
                let pair =
                    EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der)
                        .map_err(|e| bad(e.to_string()))?;
                // Uncompressed SEC1 point: 0x04 || x (32 bytes) || y (32 bytes).
                let point = pair.public_key().as_ref();
                if point.len() != 65 || point[0] != 4 {
                    return Err(bad("unexpected EC public key encoding".into()));
                }
                let jwk = Jwk::ec(B64.encode(&point[1..33]), B64.encode(&point[33..65]));
                (Private::Ec(pair), jwk)
            }
        };
        let kid = Kid(jwk.thumbprint());
        let jwk = jwk.with_kid(kid.clone());
        let certified = match kind {
            KeyKind::Rsa => Some(certified_jwk(der, &jwk).map_err(bad)?),
            KeyKind::Ec => None,
        };
        Ok(SigningKey {
            kid,
            kind,
            jwk,
            private,
            certified,
        })
    }

    /// The public JWK named by its certificate (RSA keys): `kid` the upper-case hex SHA-1
    /// thumbprint of the certificate, `x5t` the same bytes in base64url, `x5c` the certificate.
    pub fn certified_jwk(&self) -> Option<&Jwk> {
        self.certified.as_ref()
    }

    pub fn kid(&self) -> &Kid {
        &self.kid
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The public JWK (no private members), with `kid` set.
    pub fn public_jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// Signs `message` with `alg`, which must suit this key's kind.
    pub fn sign(&self, alg: Alg, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = SystemRandom::new();
        match (&self.private, alg) {
            (Private::Rsa(pair), Alg::RS256 | Alg::PS256) => {
                let padding: &dyn signature::RsaEncoding = if alg == Alg::RS256 {
                    &signature::RSA_PKCS1_SHA256
                } else {
                    &signature::RSA_PSS_SHA256
                };
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(padding, &rng, message, &mut sig)
                    .map_err(|e| KeyError::Sign(e.to_string()))?;
                Ok(sig)
            }
            (Private::Ec(pair), Alg::ES256) => pair
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|e| KeyError::Sign(e.to_string())),
            _ => Err(KeyError::UnsupportedAlg(format!(
                "{alg} with a {} key",
                self.kind.as_str()
            ))),
        }
    }
}

/// SHA-256 over `input`, base64url without padding.
pub(crate) fn sha256_b64(input: &[u8]) -> String {
    B64.encode(Sha256::digest(input))
}

/// A self-signed certificate of an RSA key, made the same way every time (fixed validity,
/// a serial from the key's thumbprint; RSA PKCS#1 v1.5 signatures are deterministic), and the
/// JWK that names the key by it.
fn certified_jwk(pkcs8: &[u8], jwk: &Jwk) -> Result<Jwk, String> {
    use aws_lc_rs::digest::{digest, SHA1_FOR_LEGACY_USE_ONLY, SHA256};
    let pair = rcgen::KeyPair::try_from(pkcs8).map_err(|e| e.to_string())?;
    let thumbprint = jwk.thumbprint();
    let mut params = rcgen::CertificateParams::default();
    let mut name = rcgen::DistinguishedName::new();
    name.push(
        rcgen::DnType::CommonName,
        format!("idsim token signing (simulated) {}", &thumbprint[..8]),
    );
    params.distinguished_name = name;
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2044, 1, 1);
    let serial = digest(&SHA256, thumbprint.as_bytes());
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial.as_ref()[..16]));
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    let certificate = params.self_signed(&pair).map_err(|e| e.to_string())?;
    let der = certificate.der().to_vec();
    let sha1 = digest(&SHA1_FOR_LEGACY_USE_ONLY, &der);
    let hex: String = sha1.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    Ok(Jwk {
        kid: Some(Kid(hex)),
        x5t: Some(B64.encode(sha1.as_ref())),
        x5c: Some(vec![base64::engine::general_purpose::STANDARD.encode(&der)]),
        ..jwk.clone()
    })
}
