//! Activating a new authenticator with the code from the letter: a code viewer, code reader or
//! app ordered for a person (or chosen at Citizen Service) waits for activation, and only the
//! activation code sent by post brings it into use.
//!
//! Rules where the sources are silent (`domain/mitid.md` names the letter, not its rules):
//! - The code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), written
//!   `ABCD-EFGH`; typing ignores case, spaces and hyphens.
//! - Only a hash of the code is kept, peppered with the instance's secret so a stored hash
//!   cannot be searched offline (the code has only 40 bits).
//! - Three wrong codes block the activation for good: the person orders a new device.

use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::clock::UnixTime;

/// Characters of an activation code: no 0/O, 1/I/L, so a code read from paper is typed right.
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters in an activation code.
pub const CODE_LENGTH: usize = 8;
/// Wrong codes that block an activation.
pub const MAX_FAILURES: u32 = 3;

/// An activation code in clear: it exists only while the letter is written. No `PartialEq`
/// and no `Debug` of its value, so it is not compared or logged by accident.
pub struct ActivationCode(String);

impl ActivationCode {
    /// A fresh random code.
    pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> ActivationCode {
        let code = (0..CODE_LENGTH)
            .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
            .collect();
        ActivationCode(code)
    }

    /// As printed in the letter: `ABCD-EFGH`.
    pub fn printed(&self) -> String {
        let (a, b) = self.0.split_at(CODE_LENGTH / 2);
        format!("{a}-{b}")
    }

    /// The stored form: see [`hash_code`].
    pub fn hash(&self, pepper: &str) -> String {
        hash_code(pepper, &self.0)
    }
}

impl std::fmt::Debug for ActivationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActivationCode(..)")
    }
}

/// What a typed code is compared as: upper case, without spaces and hyphens.
pub fn normalize(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// SHA-256 over the instance's secret and the normalised code, base64url. The pepper makes a
/// leaked hash useless without the instance's secret.
pub fn hash_code(pepper: &str, typed: &str) -> String {
    use base64::Engine;
    let mut hasher = Sha256::new();
    hasher.update(b"activation-code|");
    hasher.update(pepper.as_bytes());
    hasher.update(b"|");
    hasher.update(normalize(typed).as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hasher.finalize())
}

/// An authenticator waiting for its activation code. Kept on the authenticator: `None` there
/// means activated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingActivation {
    /// [`hash_code`] of the code in the letter.
    pub code_hash: String,
    /// Wrong codes typed so far.
    #[serde(default)]
    pub failures: u32,
    /// Three wrong codes: this activation can no longer succeed.
    #[serde(default)]
    pub blocked: bool,
    /// When the letter was sent.
    pub issued_at: UnixTime,
}

/// What typing an activation code did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivationAttempt {
    /// The right code: the authenticator is in use from now on.
    Activated,
    /// A wrong code, counted; this many tries are left.
    Wrong { attempts_left: u32 },
    /// Blocked, now or before: order a new device.
    Blocked,
}

impl PendingActivation {
    pub fn new(code_hash: String, issued_at: UnixTime) -> PendingActivation {
        PendingActivation {
            code_hash,
            failures: 0,
            blocked: false,
            issued_at,
        }
    }

    /// Checks a typed code, given as its [`hash_code`]. A blocked activation refuses even the
    /// right code; a wrong one is counted, and the third blocks.
    pub fn attempt(&mut self, typed_hash: &str) -> ActivationAttempt {
        if self.blocked {
            return ActivationAttempt::Blocked;
        }
        if bool::from(typed_hash.as_bytes().ct_eq(self.code_hash.as_bytes())) {
            return ActivationAttempt::Activated;
        }
        self.failures += 1;
        if self.failures >= MAX_FAILURES {
            self.blocked = true;
            return ActivationAttempt::Blocked;
        }
        ActivationAttempt::Wrong {
            attempts_left: MAX_FAILURES - self.failures,
        }
    }

    pub fn attempts_left(&self) -> u32 {
        MAX_FAILURES.saturating_sub(self.failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    const PEPPER: &str = "instance-secret";

    fn pending() -> (PendingActivation, ActivationCode) {
        let code = ActivationCode::generate(&mut StdRng::seed_from_u64(7));
        (PendingActivation::new(code.hash(PEPPER), 1_000), code)
    }

    #[test]
    fn codes_are_eight_unambiguous_characters_printed_in_two_groups() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..200 {
            let code = ActivationCode::generate(&mut rng);
            let printed = code.printed();
            assert_eq!(printed.len(), CODE_LENGTH + 1);
            assert_eq!(&printed[4..5], "-");
            assert!(normalize(&printed)
                .bytes()
                .all(|b| ALPHABET.contains(&b) && !b"01OIL".contains(&b)));
        }
        let (a, b) = (
            ActivationCode::generate(&mut rng),
            ActivationCode::generate(&mut rng),
        );
        assert_ne!(a.printed(), b.printed());
        assert_eq!(format!("{a:?}"), "ActivationCode(..)");
    }

    #[test]
    fn the_right_code_activates_whatever_its_case_spaces_or_hyphens() {
        let (mut p, code) = pending();
        let typed = format!(" {} ", code.printed().to_lowercase().replace('-', " "));
        assert_eq!(
            p.attempt(&hash_code(PEPPER, &typed)),
            ActivationAttempt::Activated
        );
        assert_eq!(p.failures, 0);
    }

    #[test]
    fn the_hash_depends_on_the_pepper() {
        let (_, code) = pending();
        assert_ne!(code.hash(PEPPER), code.hash("another instance"));
        assert!(!code.hash(PEPPER).contains(&normalize(&code.printed())));
    }

    #[test]
    fn a_wrong_code_is_counted_and_the_right_one_still_works() {
        let (mut p, code) = pending();
        assert_eq!(
            p.attempt(&hash_code(PEPPER, "AAAA-AAAA")),
            ActivationAttempt::Wrong { attempts_left: 2 }
        );
        assert_eq!(p.attempts_left(), 2);
        assert_eq!(
            p.attempt(&hash_code(PEPPER, &code.printed())),
            ActivationAttempt::Activated
        );
    }

    #[test]
    fn three_wrong_codes_block_even_the_right_one() {
        let (mut p, code) = pending();
        let wrong = hash_code(PEPPER, "AAAA-AAAA");
        assert_eq!(
            p.attempt(&wrong),
            ActivationAttempt::Wrong { attempts_left: 2 }
        );
        assert_eq!(
            p.attempt(&wrong),
            ActivationAttempt::Wrong { attempts_left: 1 }
        );
        assert_eq!(p.attempt(&wrong), ActivationAttempt::Blocked);
        assert!(p.blocked);
        assert_eq!(
            p.attempt(&hash_code(PEPPER, &code.printed())),
            ActivationAttempt::Blocked
        );
        assert_eq!(
            p.failures, MAX_FAILURES,
            "a blocked activation counts no more"
        );
    }
}
