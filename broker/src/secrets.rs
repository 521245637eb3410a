//! Random tokens, their stored hashes, and constant-time comparison. Codes, refresh and access
//! tokens, session cookies and client secrets are stored only as SHA-256 hashes: they are
//! high-entropy, so a slow password hash would buy nothing and cost every login.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

// `thread_rng` is a CSPRNG (ChaCha12) seeded and periodically reseeded from the operating
// system: as unpredictable as `OsRng` without a system call per token.

/// 256 random bits, base64url.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    B64.encode(bytes)
}

/// 128 random bits, base64url; for ids that are unguessable but not secrets.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    B64.encode(bytes)
}

/// SHA-256, base64url: how secrets are stored and looked up.
pub fn hash(secret: &str) -> String {
    B64.encode(Sha256::digest(secret.as_bytes()))
}

/// Left half of SHA-256, base64url (OIDC Core 3.1.3.6 `at_hash`; RFC 7636 S256 uses all of it).
pub fn left_half_sha256(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    B64.encode(&digest[..16])
}

/// RFC 7636 S256: base64url(SHA-256(verifier)).
pub fn s256(verifier: &str) -> String {
    B64.encode(Sha256::digest(verifier.as_bytes()))
}

pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn random_tokens_differ_and_carry_256_bits() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(B64.decode(a).unwrap().len(), 32);
    }

    #[test]
    fn constant_time_eq_compares_content() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
