//! The MitID (and NemID) password, kept only as an Argon2id hash in a PHC string
//! (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`), never in clear.
//!
//! The `argon2` crate's defaults (Argon2id, 19 MiB, 2 passes, 1 lane) are OWASP's recommended
//! minimum; a simulator needs no more, and a login should not wait for the hash.

use std::fmt;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

/// Why a password or a stored hash was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password cannot be empty")]
    Empty,
    #[error("the password could not be hashed: {0}")]
    Hashing(String),
    #[error("a password hash is a PHC string like $argon2id$v=19$m=19456,t=2,p=1$...: {0}")]
    NotAHash(String),
    #[error(
        "a password hash may cost at most m=19456,t=2,p=1 (the defaults): a costlier one would \
         let whoever sets it make every login burn CPU"
    )]
    TooCostly,
}

/// A password's Argon2 hash as a PHC string. Holding one proves it parsed as a PHC string.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Hashes `password` with a fresh random salt.
    pub fn new(password: &str) -> Result<PasswordHash, PasswordError> {
        if password.is_empty() {
            return Err(PasswordError::Empty);
        }
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| PasswordError::Hashing(e.to_string()))?;
        Ok(PasswordHash(hash.to_string()))
    }

    /// A stored hash, checked to be an Argon2 PHC string whose cost is at most the defaults'
    /// (it is verified at every login with the parameters it names).
    pub fn parse(phc: &str) -> Result<PasswordHash, PasswordError> {
        let parsed = argon2::password_hash::PasswordHash::new(phc)
            .map_err(|e| PasswordError::NotAHash(e.to_string()))?;
        let params = argon2::Params::try_from(&parsed)
            .map_err(|e| PasswordError::NotAHash(e.to_string()))?;
        let most = argon2::Params::default();
        if params.m_cost() > most.m_cost()
            || params.t_cost() > most.t_cost()
            || params.p_cost() > most.p_cost()
        {
            return Err(PasswordError::TooCostly);
        }
        Ok(PasswordHash(phc.to_string()))
    }

    /// Whether `password` is the one hashed (the comparison is the crate's, in constant time).
    pub fn verify(&self, password: &str) -> bool {
        match argon2::password_hash::PasswordHash::new(&self.0) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

impl Serialize for PasswordHash {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PasswordHash {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<PasswordHash, D::Error> {
        let text = String::deserialize(deserializer)?;
        PasswordHash::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let hash = PasswordHash::new("kodeord123").unwrap();
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(!hash.as_str().contains("kodeord123"));
        assert!(hash.verify("kodeord123"));
        assert!(!hash.verify("kodeord124"));
        assert!(!hash.verify(""));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        let a = PasswordHash::new("same").unwrap();
        let b = PasswordHash::new("same").unwrap();
        assert_ne!(a, b, "a fresh salt each time");
        assert!(a.verify("same") && b.verify("same"));
    }

    #[test]
    fn an_empty_password_is_refused() {
        assert_eq!(PasswordHash::new(""), Err(PasswordError::Empty));
    }

    #[test]
    fn a_stored_hash_round_trips_and_garbage_is_refused() {
        let hash = PasswordHash::new("x").unwrap();
        let json = serde_json::to_string(&hash).unwrap();
        let back: PasswordHash = serde_json::from_str(&json).unwrap();
        assert!(back.verify("x"));
        assert!(serde_json::from_str::<PasswordHash>("\"hunter2\"").is_err());
        assert!(matches!(
            PasswordHash::parse("plain"),
            Err(PasswordError::NotAHash(_))
        ));
    }

    #[test]
    fn debug_does_not_show_the_hash() {
        let hash = PasswordHash::new("x").unwrap();
        assert_eq!(format!("{hash:?}"), "PasswordHash(..)");
    }

    #[test]
    fn a_hash_costlier_than_the_defaults_is_refused() {
        let costly = "$argon2id$v=19$m=1048576,t=10,p=4$c29tZXNhbHRzb21lc2FsdA$\
                      q5W5j5/yR3hlYDy9Xm3m3x2TiEW5bbd9V+WdS6fR2Zk";
        assert_eq!(PasswordHash::parse(costly), Err(PasswordError::TooCostly));
        let ok = PasswordHash::new("x").unwrap();
        assert!(PasswordHash::parse(ok.as_str()).is_ok());
    }
}
