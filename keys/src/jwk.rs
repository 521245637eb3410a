use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::key::{sha256_b64, Alg, Kid};
use crate::KeyError;

/// A public JSON Web Key (RFC 7517) with only public members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<Kid>,
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// The SHA-1 thumbprint of the key's certificate, base64url (RFC 7517 4.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5t: Option<String>,
    /// The key's certificate chain, standard base64 DER (RFC 7517 4.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5c: Option<Vec<String>>,
}

impl Jwk {
    pub(crate) fn rsa(n: String, e: String) -> Jwk {
        Jwk {
            kty: "RSA".into(),
            kid: None,
            use_: Some("sig".into()),
            n: Some(n),
            e: Some(e),
            crv: None,
            x: None,
            y: None,
            x5t: None,
            x5c: None,
        }
    }

    pub(crate) fn ec(x: String, y: String) -> Jwk {
        Jwk {
            kty: "EC".into(),
            kid: None,
            use_: Some("sig".into()),
            n: None,
            e: None,
            crv: Some("P-256".into()),
            x: Some(x),
            y: Some(y),
            x5t: None,
            x5c: None,
        }
    }

    pub(crate) fn with_kid(mut self, kid: Kid) -> Jwk {
        self.kid = Some(kid);
        self
    }

    /// RFC 7638 thumbprint: SHA-256 of the required members, in lexicographic order, no spaces.
    pub fn thumbprint(&self) -> String {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        let canonical = if self.kty == "EC" {
            format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                s(&self.crv),
                s(&self.x),
                s(&self.y)
            )
        } else {
            format!(
                r#"{{"e":"{}","kty":"{}","n":"{}"}}"#,
                s(&self.e),
                self.kty,
                s(&self.n)
            )
        };
        sha256_b64(canonical.as_bytes())
    }

    /// Verifies `signature` over `message` with this public key.
    pub fn verify(&self, alg: Alg, message: &[u8], sig: &[u8]) -> Result<(), KeyError> {
        let decode = |o: &Option<String>| {
            o.as_deref()
                .and_then(|v| B64.decode(v).ok())
                .ok_or(KeyError::Malformed("JWK member missing or not base64url"))
        };
        match (self.kty.as_str(), alg) {
            ("RSA", Alg::RS256 | Alg::PS256) => {
                let params = if alg == Alg::RS256 {
                    &signature::RSA_PKCS1_2048_8192_SHA256
                } else {
                    &signature::RSA_PSS_2048_8192_SHA256
                };
                let key = RsaPublicKeyComponents {
                    n: decode(&self.n)?,
                    e: decode(&self.e)?,
                };
                key.verify(params, message, sig)
                    .map_err(|_| KeyError::BadSignature)
            }
            ("EC", Alg::ES256) => {
                let mut point = vec![4u8];
                point.extend(decode(&self.x)?);
                point.extend(decode(&self.y)?);
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(message, sig)
                    .map_err(|_| KeyError::BadSignature)
            }
            (kty, alg) => Err(KeyError::UnsupportedAlg(format!("{alg} with a {kty} key"))),
        }
    }
}

/// A JWK Set (RFC 7517 section 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl Jwks {
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys
            .iter()
            .find(|k| k.kid.as_ref().is_some_and(|x| x.as_str() == kid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_matches_rfc7638_example() {
        // RFC 7638 section 3.1.
        let jwk = Jwk::rsa(
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw".into(),
            "AQAB".into(),
        );
        assert_eq!(
            jwk.thumbprint(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
