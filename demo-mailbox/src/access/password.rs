//! The access password: the mailbox owner sets it when granting access and hands it over
//! outside the system; the helper types it to open the mailbox. Kept only as an Argon2id hash
//! (a PHC string), never in clear, never logged.
//!
//! Hashing and checking take tens of milliseconds by design: call them off the async runtime
//! (`tokio::task::spawn_blocking`).

use std::fmt;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The shortest access password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest access password, in characters (bounds the work of hashing it).
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Wrong passwords in a row that lock a grant until the owner sets a new password.
pub const MAX_FAILED_ATTEMPTS: u32 = 5;

/// Why a new password was refused, or could not be hashed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    #[error("the password is too short")]
    TooShort,
    /// More than [`MAX_PASSWORD_CHARS`] characters.
    #[error("the password is too long")]
    TooLong,
    /// The hash could not be computed.
    #[error("the password could not be hashed: {0}")]
    Hashing(String),
}

/// An access password's Argon2id hash as a PHC string. No `Debug` of its content.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessPassword(String);

impl AccessPassword {
    /// Checks `password` against the rules and hashes it with a fresh random salt.
    pub fn hash(password: &str) -> Result<Self, PasswordError> {
        let length = password.chars().count();
        if length < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort);
        }
        if length > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong);
        }
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|error| PasswordError::Hashing(error.to_string()))?;
        Ok(Self(hash.to_string()))
    }

    /// A hash read back from the store.
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    /// Whether `password` is the one hashed (the crate compares in constant time). Anything
    /// over the length limit is wrong without hashing it.
    pub fn verify(&self, password: &str) -> bool {
        if password.chars().count() > MAX_PASSWORD_CHARS {
            return false;
        }
        match argon2::password_hash::PasswordHash::new(&self.0) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    }

    /// The PHC string, for the store.
    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessPassword(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_hash_is_kept_and_only_the_password_matches() {
        let hash = AccessPassword::hash("hemmelig-42").unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$"), "{}", hash.as_phc());
        assert!(!hash.as_phc().contains("hemmelig-42"));
        assert!(!format!("{hash:?}").contains("argon2"));
        assert!(hash.verify("hemmelig-42"));
        assert!(!hash.verify("hemmelig-43"));
        assert!(!hash.verify(""));
        assert_ne!(
            AccessPassword::hash("hemmelig-42").unwrap(),
            hash,
            "a fresh salt each time"
        );
    }

    #[test]
    fn length_rules() {
        assert_eq!(
            AccessPassword::hash("1234567"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(
            AccessPassword::hash(&"x".repeat(129)),
            Err(PasswordError::TooLong)
        );
        assert!(AccessPassword::hash("12345678").is_ok());
        assert!(!AccessPassword::from_stored("not a phc".to_owned()).verify("12345678"));
    }
}
