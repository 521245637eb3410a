//! JWTs that clients send: client assertions (RFC 7523) and request objects (RFC 9101).
//! Decoding never trusts anything; verification picks the key from the client's registration:
//! HS256 with a `client_secret_jwt` client's secret (constant-time MAC check), RS256, PS256 and
//! ES256 with the client's JWK Set.

use hmac::{Hmac, Mac};
use keys::{Alg, Jwks};
use serde_json::{Map, Value};
use sha2::Sha256;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JoseError {
    #[error("the JWT is encrypted (JWE); encrypted JWTs are not supported")]
    Encrypted,
    #[error("the JWT is malformed: {0}")]
    Malformed(String),
    #[error("the JWT's signature does not verify")]
    BadSignature,
    #[error("no registered key of the client fits the JWT (kid {0:?})")]
    NoKey(Option<String>),
    #[error("alg {0} is not accepted here")]
    Alg(String),
}

/// A decoded, not yet verified, compact JWS whose payload is a JSON object.
#[derive(Debug)]
pub struct Jwt<'a> {
    parts: keys::CompactParts<'a>,
    pub claims: Map<String, Value>,
}

/// Splits and decodes `token`; refuses JWE (five parts) with its own error.
pub fn decode(token: &str) -> Result<Jwt<'_>, JoseError> {
    if token.split('.').count() == 5 {
        return Err(JoseError::Encrypted);
    }
    let parts = keys::split_compact(token).map_err(|e| JoseError::Malformed(e.to_string()))?;
    let claims = match serde_json::from_slice(&parts.payload) {
        Ok(Value::Object(map)) => map,
        _ => {
            return Err(JoseError::Malformed(
                "the payload is not a JSON object".into(),
            ))
        }
    };
    Ok(Jwt { parts, claims })
}

impl Jwt<'_> {
    pub fn alg(&self) -> &str {
        &self.parts.header.alg
    }

    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    pub fn claim_i64(&self, name: &str) -> Option<i64> {
        self.claims.get(name).and_then(Value::as_i64)
    }

    /// True when `aud` (a string or an array of strings) holds one of `accepted`.
    pub fn audience_is_one_of(&self, accepted: &[&str]) -> bool {
        match self.claims.get("aud") {
            Some(Value::String(a)) => accepted.contains(&a.as_str()),
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .any(|a| accepted.contains(&a)),
            _ => false,
        }
    }

    /// An unsigned JWT (`alg: none`) must have an empty signature (RFC 7519 6.1).
    pub fn check_unsigned(&self) -> Result<(), JoseError> {
        if self.alg() != "none" {
            return Err(JoseError::Alg(self.alg().to_string()));
        }
        if !self.parts.signature.is_empty() {
            return Err(JoseError::Malformed(
                "an unsigned JWT must have an empty signature".into(),
            ));
        }
        Ok(())
    }

    /// HS256 under `secret`; the MAC is compared in constant time.
    pub fn verify_hs256(&self, secret: &str) -> Result<(), JoseError> {
        if self.alg() != "HS256" {
            return Err(JoseError::Alg(self.alg().to_string()));
        }
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .map_err(|_| JoseError::BadSignature)?;
        mac.update(self.parts.signing_input.as_bytes());
        mac.verify_slice(&self.parts.signature)
            .map_err(|_| JoseError::BadSignature)
    }

    /// RS256, PS256 or ES256 with a key of `jwks`: the one named by `kid`, or, without a `kid`,
    /// any signing key of the right type.
    pub fn verify_with(&self, jwks: &Jwks) -> Result<(), JoseError> {
        let alg = Alg::parse(self.alg()).ok_or_else(|| JoseError::Alg(self.alg().to_string()))?;
        let kty = match alg {
            Alg::RS256 | Alg::PS256 => "RSA",
            Alg::ES256 => "EC",
        };
        let kid = self.parts.header.kid.clone();
        let candidates: Vec<&keys::Jwk> = jwks
            .keys
            .iter()
            .filter(|k| k.kty == kty && k.use_.as_deref().is_none_or(|u| u == "sig"))
            .filter(|k| match &kid {
                Some(kid) => k.kid.as_ref().is_some_and(|k| k.as_str() == kid),
                None => true,
            })
            .collect();
        if candidates.is_empty() {
            return Err(JoseError::NoKey(kid));
        }
        let input = self.parts.signing_input.as_bytes();
        if candidates
            .iter()
            .any(|k| k.verify(alg, input, &self.parts.signature).is_ok())
        {
            Ok(())
        } else {
            Err(JoseError::BadSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
    use keys::{KeyKind, SigningKey};
    use serde_json::json;

    fn hs256(secret: &str, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            B64.encode(br#"{"alg":"HS256"}"#),
            B64.encode(claims.to_string())
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(input.as_bytes());
        format!("{input}.{}", B64.encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn hs256_verifies_with_the_right_secret_only() {
        let token = hs256("s3cret", &json!({"iss": "c"}));
        let jwt = decode(&token).unwrap();
        assert_eq!(jwt.claim_str("iss"), Some("c"));
        assert!(jwt.verify_hs256("s3cret").is_ok());
        assert_eq!(jwt.verify_hs256("other"), Err(JoseError::BadSignature));
        assert!(matches!(
            jwt.verify_with(&Jwks { keys: vec![] }),
            Err(JoseError::Alg(_))
        ));
    }

    #[test]
    fn rs256_and_es256_verify_against_the_jwks() {
        for (kind, alg) in [
            (KeyKind::Rsa, Alg::RS256),
            (KeyKind::Ec, Alg::ES256),
            (KeyKind::Rsa, Alg::PS256),
        ] {
            let (key, _) = SigningKey::generate(kind).unwrap();
            let token = keys::sign_compact(&key, alg, "JWT", br#"{"sub":"c"}"#).unwrap();
            let jwks = Jwks {
                keys: vec![key.public_jwk().clone()],
            };
            assert!(decode(&token).unwrap().verify_with(&jwks).is_ok(), "{alg}");
            let (other, _) = SigningKey::generate(kind).unwrap();
            let mut wrong = other.public_jwk().clone();
            wrong.kid = key.public_jwk().kid.clone();
            let jwks = Jwks { keys: vec![wrong] };
            assert_eq!(
                decode(&token).unwrap().verify_with(&jwks),
                Err(JoseError::BadSignature)
            );
        }
    }

    #[test]
    fn an_unknown_kid_finds_no_key() {
        let (key, _) = SigningKey::generate(KeyKind::Ec).unwrap();
        let token = keys::sign_compact(&key, Alg::ES256, "JWT", b"{}").unwrap();
        let mut jwk = key.public_jwk().clone();
        jwk.kid = Some(keys::Kid::new("other"));
        let err = decode(&token)
            .unwrap()
            .verify_with(&Jwks { keys: vec![jwk] });
        assert!(matches!(err, Err(JoseError::NoKey(Some(_)))));
    }

    #[test]
    fn unsigned_jwts_need_alg_none_and_no_signature() {
        let header = B64.encode(br#"{"alg":"none"}"#);
        let payload = B64.encode(br#"{"a":1}"#);
        assert!(decode(&format!("{header}.{payload}."))
            .unwrap()
            .check_unsigned()
            .is_ok());
        let signed = format!("{header}.{payload}.{}", B64.encode(b"sig"));
        assert!(decode(&signed).unwrap().check_unsigned().is_err());
    }

    #[test]
    fn encrypted_and_malformed_jwts_are_refused() {
        assert_eq!(decode("a.b.c.d.e").err(), Some(JoseError::Encrypted));
        assert!(matches!(decode("abc"), Err(JoseError::Malformed(_))));
        let header = B64.encode(br#"{"alg":"none"}"#);
        let not_object = format!("{header}.{}.", B64.encode(b"[1]"));
        assert!(matches!(decode(&not_object), Err(JoseError::Malformed(_))));
    }

    #[test]
    fn audience_may_be_a_string_or_a_list() {
        let header = B64.encode(br#"{"alg":"none"}"#);
        for aud in [json!("https://op"), json!(["x", "https://op"])] {
            let token = format!("{header}.{}.", B64.encode(json!({"aud": aud}).to_string()));
            assert!(decode(&token).unwrap().audience_is_one_of(&["https://op"]));
            assert!(!decode(&token)
                .unwrap()
                .audience_is_one_of(&["https://other"]));
        }
    }
}
