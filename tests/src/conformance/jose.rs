//! Just enough JOSE for a relying party that checks an OP: compact JWS parsing (RFC 7515
//! section 7.1), JWK public keys (RFC 7517, RFC 7518 section 6) and signature verification with
//! aws-lc-rs, plus RS256 signing for the runner's own client assertions and request objects.
//! Written apart from the broker's `keys` crate on purpose: the runner must not share the
//! broker's reading of the specifications.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair, RsaKeyPair, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256, Sha384, Sha512};

/// A compact JWS, split and decoded; the signature is not yet verified.
#[derive(Debug, Clone)]
pub struct Jws {
    pub raw: String,
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    signing_input: String,
    signature: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoseError {
    #[error("not a compact JWS of three base64url parts")]
    Shape,
    #[error("the {0} is not base64url")]
    Base64(&'static str),
    #[error("the {0} is not a JSON object")]
    Json(&'static str),
    #[error("no alg in the JOSE header")]
    NoAlg,
    #[error("alg {0} is not supported by the runner")]
    UnsupportedAlg(String),
    #[error("no key in the JWKS fits (kid {kid:?}, alg {alg})")]
    NoKey { kid: Option<String>, alg: String },
    #[error("the signature does not verify with key {0:?}")]
    BadSignature(Option<String>),
    #[error("the key is malformed: {0}")]
    BadKey(String),
}

impl Jws {
    pub fn parse(token: &str) -> Result<Jws, JoseError> {
        let parts: Vec<&str> = token.split('.').collect();
        let [h, c, s] = parts.as_slice() else {
            return Err(JoseError::Shape);
        };
        let header = decode_object(h, "header")?;
        let claims = decode_object(c, "payload")?;
        let signature = B64
            .decode(s.as_bytes())
            .map_err(|_| JoseError::Base64("signature"))?;
        Ok(Jws {
            raw: token.to_string(),
            header,
            claims,
            signing_input: format!("{h}.{c}"),
            signature,
        })
    }

    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    pub fn is_unsigned(&self) -> bool {
        self.alg() == Some("none")
    }

    /// Verifies against the JWKS: the key named by `kid` or, without `kid`, every key that
    /// fits the algorithm (RFC 7515 section 4.1.4 leaves the choice to the recipient).
    pub fn verify_with_jwks(&self, jwks: &Value) -> Result<Value, JoseError> {
        let alg = self.alg().ok_or(JoseError::NoAlg)?.to_string();
        let keys = jwks
            .get("keys")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let candidates: Vec<&Value> = keys
            .iter()
            .filter(|k| match self.kid() {
                Some(kid) => k.get("kid").and_then(Value::as_str) == Some(kid),
                None => true,
            })
            .filter(|k| key_fits(k, &alg))
            .collect();
        if candidates.is_empty() {
            return Err(JoseError::NoKey {
                kid: self.kid().map(str::to_string),
                alg,
            });
        }
        for key in &candidates {
            if self.verify_with_jwk(key).is_ok() {
                return Ok((*key).clone());
            }
        }
        Err(JoseError::BadSignature(self.kid().map(str::to_string)))
    }

    /// Verifies with one public JWK.
    pub fn verify_with_jwk(&self, jwk: &Value) -> Result<(), JoseError> {
        let alg = self.alg().ok_or(JoseError::NoAlg)?;
        let message = self.signing_input.as_bytes();
        let bad = || JoseError::BadSignature(self.kid().map(str::to_string));
        match alg {
            "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => {
                let n = jwk_bytes(jwk, "n")?;
                let e = jwk_bytes(jwk, "e")?;
                let params: &signature::RsaParameters = match alg {
                    "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
                    "RS384" => &signature::RSA_PKCS1_2048_8192_SHA384,
                    "RS512" => &signature::RSA_PKCS1_2048_8192_SHA512,
                    "PS256" => &signature::RSA_PSS_2048_8192_SHA256,
                    "PS384" => &signature::RSA_PSS_2048_8192_SHA384,
                    _ => &signature::RSA_PSS_2048_8192_SHA512,
                };
                RsaPublicKeyComponents { n: &n, e: &e }
                    .verify(params, message, &self.signature)
                    .map_err(|_| bad())
            }
            "ES256" | "ES384" | "ES512" => {
                let x = jwk_bytes(jwk, "x")?;
                let y = jwk_bytes(jwk, "y")?;
                let mut point = vec![4u8];
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                let algorithm: &signature::EcdsaVerificationAlgorithm = match alg {
                    "ES256" => &signature::ECDSA_P256_SHA256_FIXED,
                    "ES384" => &signature::ECDSA_P384_SHA384_FIXED,
                    _ => &signature::ECDSA_P521_SHA512_FIXED,
                };
                UnparsedPublicKey::new(algorithm, &point)
                    .verify(message, &self.signature)
                    .map_err(|_| bad())
            }
            "EdDSA" => {
                let x = jwk_bytes(jwk, "x")?;
                UnparsedPublicKey::new(&signature::ED25519, &x)
                    .verify(message, &self.signature)
                    .map_err(|_| bad())
            }
            other => Err(JoseError::UnsupportedAlg(other.to_string())),
        }
    }

    /// Verifies an HMAC-signed JWS (HS256/384/512) with a client secret (OIDC Core 10.1).
    pub fn verify_with_secret(&self, secret: &[u8]) -> Result<(), JoseError> {
        use aws_lc_rs::hmac;
        let alg = self.alg().ok_or(JoseError::NoAlg)?;
        let algorithm = match alg {
            "HS256" => hmac::HMAC_SHA256,
            "HS384" => hmac::HMAC_SHA384,
            "HS512" => hmac::HMAC_SHA512,
            other => return Err(JoseError::UnsupportedAlg(other.to_string())),
        };
        hmac::verify(
            &hmac::Key::new(algorithm, secret),
            self.signing_input.as_bytes(),
            &self.signature,
        )
        .map_err(|_| JoseError::BadSignature(None))
    }
}

fn decode_object(part: &str, what: &'static str) -> Result<Map<String, Value>, JoseError> {
    let bytes = B64
        .decode(part.as_bytes())
        .map_err(|_| JoseError::Base64(what))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JoseError::Json(what)),
    }
}

fn jwk_bytes(jwk: &Value, member: &str) -> Result<Vec<u8>, JoseError> {
    let text = jwk
        .get(member)
        .and_then(Value::as_str)
        .ok_or_else(|| JoseError::BadKey(format!("no {member}")))?;
    B64.decode(text.as_bytes())
        .map_err(|_| JoseError::BadKey(format!("{member} is not base64url")))
}

/// Whether a JWK could verify `alg`: its `kty` (and `crv`) fit, its `use` is `sig` or absent,
/// and its own `alg`, when given, is the same (RFC 7517 sections 4.2 and 4.4).
fn key_fits(jwk: &Value, alg: &str) -> bool {
    let kty = jwk.get("kty").and_then(Value::as_str).unwrap_or("");
    let crv = jwk.get("crv").and_then(Value::as_str).unwrap_or("");
    let usable = jwk
        .get("use")
        .and_then(Value::as_str)
        .is_none_or(|u| u == "sig");
    let same_alg = jwk
        .get("alg")
        .and_then(Value::as_str)
        .is_none_or(|a| a == alg);
    let kind = match alg {
        a if a.starts_with("RS") || a.starts_with("PS") => kty == "RSA",
        "ES256" => kty == "EC" && crv == "P-256",
        "ES384" => kty == "EC" && crv == "P-384",
        "ES512" => kty == "EC" && crv == "P-521",
        "EdDSA" => kty == "OKP" && crv == "Ed25519",
        _ => false,
    };
    usable && same_alg && kind
}

/// The left half of the hash of `value` with the hash of the JWS `alg`, base64url: `at_hash`,
/// `c_hash` and `s_hash` (OIDC Core 3.1.3.6, 3.3.2.11).
pub fn half_hash(alg: &str, value: &str) -> Option<String> {
    let digest: Vec<u8> = match alg {
        "RS256" | "PS256" | "ES256" | "HS256" => Sha256::digest(value.as_bytes()).to_vec(),
        "RS384" | "PS384" | "ES384" | "HS384" => Sha384::digest(value.as_bytes()).to_vec(),
        "RS512" | "PS512" | "ES512" | "HS512" | "EdDSA" => {
            Sha512::digest(value.as_bytes()).to_vec()
        }
        _ => return None,
    };
    Some(B64.encode(&digest[..digest.len() / 2]))
}

/// Base64url without padding.
pub fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// A compact JWS with `alg` `none` (OIDC Core 6.1 unsigned request objects).
pub fn unsigned(claims: &Value) -> String {
    let header = json!({"alg": "none"});
    format!(
        "{}.{}.",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    )
}

/// The runner's own RSA key: client assertions (RFC 7523) and signed request objects.
pub struct SigningKey {
    pair: RsaKeyPair,
    pub kid: String,
}

impl SigningKey {
    pub fn generate() -> Result<SigningKey, JoseError> {
        let pair = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .map_err(|_| JoseError::BadKey("RSA key generation failed".into()))?;
        let public = pair.public_key().as_ref().to_vec();
        let kid = b64(&Sha256::digest(&public)[..12]);
        Ok(SigningKey { pair, kid })
    }

    /// The public JWK (`kty` RSA, `use` sig, `alg` RS256).
    pub fn public_jwk(&self) -> Value {
        let components: RsaPublicKeyComponents<Vec<u8>> = self.pair.public_key().into();
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": b64(&components.n),
            "e": b64(&components.e),
        })
    }

    pub fn sign(&self, claims: &Value) -> Result<String, JoseError> {
        let header = json!({"alg": "RS256", "kid": self.kid});
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let mut signature = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| JoseError::BadKey("RSA signing failed".into()))?;
        Ok(format!("{input}.{}", b64(&signature)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_and_a_tampered_one_does_not() {
        let key = SigningKey::generate().unwrap();
        let token = key.sign(&json!({"iss": "https://op.example"})).unwrap();
        let jwks = json!({"keys": [key.public_jwk()]});
        let jws = Jws::parse(&token).unwrap();
        assert!(jws.verify_with_jwks(&jwks).is_ok());

        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        parts[1] = b64(json!({"iss": "https://evil.example"})
            .to_string()
            .as_bytes());
        let tampered = Jws::parse(&parts.join(".")).unwrap();
        assert!(matches!(
            tampered.verify_with_jwks(&jwks),
            Err(JoseError::BadSignature(_))
        ));
    }

    #[test]
    fn a_token_with_an_unknown_kid_finds_no_key() {
        let key = SigningKey::generate().unwrap();
        let token = key.sign(&json!({})).unwrap();
        let mut other = key.public_jwk();
        other["kid"] = json!("another");
        let jws = Jws::parse(&token).unwrap();
        assert!(matches!(
            jws.verify_with_jwks(&json!({"keys": [other]})),
            Err(JoseError::NoKey { .. })
        ));
    }

    #[test]
    fn half_hash_matches_the_oidc_core_example() {
        // OIDC Core appendix A.3: access_token jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y
        assert_eq!(
            half_hash("RS256", "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y").as_deref(),
            Some("77QmUPtjPfzWtF2AnpK9RQ")
        );
    }

    #[test]
    fn malformed_tokens_are_refused() {
        assert_eq!(Jws::parse("a.b").unwrap_err(), JoseError::Shape);
        assert_eq!(
            Jws::parse("!!.e30.").unwrap_err(),
            JoseError::Base64("header")
        );
    }
}
