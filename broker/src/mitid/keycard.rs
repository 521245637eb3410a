//! The NemID key card (*nøglekort*), retired in 2023 but still asked for by some test setups.
//!
//! Rules implemented here (NemID's user guidance):
//! - A card lists numbered codes: the login shows a 4-digit key number (*nøglenummer*) and the
//!   person types the 6-digit code printed beside it.
//! - A code is never asked for twice: a key number is spent once it has been answered, right or
//!   wrong (a wrong answer may have been a guess, and the wrong-answer count is the
//!   [`Lockout`](super::lockout::Lockout)'s job).
//! - A new card is sent when 20 codes are left ([`KeyCard::running_low`]).
//! - Each card has its own card number (serial). Its real format is not known; this simulator
//!   prints three groups of three digits.
//!
//! A card is generated deterministically from a seed with a CSPRNG (`StdRng`, ChaCha-based), so
//! a seeded test person always has the same card and the card page can be printed again.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// How many codes a simulated card holds (the size of a real card is not documented here).
pub const STANDARD_CARD_SIZE: usize = 148;
/// At this many codes left a new card is on its way.
pub const RUNNING_LOW_AT: usize = 20;
/// Key numbers are 4 digits, so a card holds at most this many.
const MAX_CARD_SIZE: usize = 10_000;
/// Digits in a code.
const CODE_DIGITS: usize = 6;

/// Why a key card or key number could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyCardError {
    #[error("a key card holds 1 to 10000 codes (4-digit key numbers), not {0}")]
    Size(usize),
    #[error("a key number is 4 digits (0000-9999), not {0:?}")]
    KeyNumber(String),
    #[error("key number {0} appears twice on the card")]
    DuplicateKey(KeyNumber),
    #[error("the code for key number {0} is not 6 digits")]
    Code(KeyNumber),
    #[error("key number {0} is marked used but is not on the card")]
    UsedKeyNotOnCard(KeyNumber),
}

/// A 4-digit key number (0000-9999), shown with its leading zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyNumber(u16);

impl KeyNumber {
    /// Parses exactly four ASCII digits.
    pub fn parse(text: &str) -> Result<KeyNumber, KeyCardError> {
        if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(KeyCardError::KeyNumber(text.to_owned()));
        }
        text.parse::<u16>()
            .map(KeyNumber)
            .map_err(|_| KeyCardError::KeyNumber(text.to_owned()))
    }
}

impl fmt::Display for KeyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

impl FromStr for KeyNumber {
    type Err = KeyCardError;
    fn from_str(s: &str) -> Result<KeyNumber, KeyCardError> {
        KeyNumber::parse(s)
    }
}

impl TryFrom<String> for KeyNumber {
    type Error = KeyCardError;
    fn try_from(s: String) -> Result<KeyNumber, KeyCardError> {
        KeyNumber::parse(&s)
    }
}

impl From<KeyNumber> for String {
    fn from(key: KeyNumber) -> String {
        key.to_string()
    }
}

/// One line of the card: a key number and the code printed beside it.
#[derive(Clone, Serialize, Deserialize)]
struct KeyEntry {
    key: KeyNumber,
    code: String,
}

/// The answer to a key-card challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCheck {
    /// The code printed beside the key number; the key is now spent.
    Correct,
    /// Another code; the key is spent all the same.
    Wrong,
    /// This key number was answered before: never accepted twice.
    AlreadyUsed,
    /// No such key number on this card.
    UnknownKey,
}

/// A key card and which of its key numbers have been spent.
///
/// No `PartialEq` and a `Debug` without the codes: the codes are secrets.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "KeyCardData")]
pub struct KeyCard {
    serial: String,
    entries: Vec<KeyEntry>,
    used: BTreeSet<KeyNumber>,
}

/// A key card as stored, checked on the way in.
#[derive(Deserialize)]
struct KeyCardData {
    serial: String,
    entries: Vec<KeyEntry>,
    #[serde(default)]
    used: BTreeSet<KeyNumber>,
}

impl TryFrom<KeyCardData> for KeyCard {
    type Error = KeyCardError;
    fn try_from(data: KeyCardData) -> Result<KeyCard, KeyCardError> {
        if data.entries.is_empty() || data.entries.len() > MAX_CARD_SIZE {
            return Err(KeyCardError::Size(data.entries.len()));
        }
        let mut keys = BTreeSet::new();
        for entry in &data.entries {
            if !keys.insert(entry.key) {
                return Err(KeyCardError::DuplicateKey(entry.key));
            }
            if entry.code.len() != CODE_DIGITS || !entry.code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(KeyCardError::Code(entry.key));
            }
        }
        if let Some(stray) = data.used.difference(&keys).next() {
            return Err(KeyCardError::UsedKeyNotOnCard(*stray));
        }
        Ok(KeyCard {
            serial: data.serial,
            entries: data.entries,
            used: data.used,
        })
    }
}

impl KeyCard {
    /// A new card of `size` codes (1-10000), the same for the same seed: unique random key
    /// numbers in random order, each with a random 6-digit code.
    pub fn generate(seed: u64, size: usize) -> Result<KeyCard, KeyCardError> {
        if size == 0 || size > MAX_CARD_SIZE {
            return Err(KeyCardError::Size(size));
        }
        let mut rng = StdRng::seed_from_u64(seed);
        let serial = format!(
            "{:03}-{:03}-{:03}",
            rng.gen_range(0..1000),
            rng.gen_range(0..1000),
            rng.gen_range(0..1000)
        );
        // Distinct indices in random order: the key numbers, unique by construction.
        let keys = rand::seq::index::sample(&mut rng, MAX_CARD_SIZE, size);
        let entries = keys
            .into_iter()
            .filter_map(|index| u16::try_from(index).ok())
            .map(|key| KeyEntry {
                key: KeyNumber(key),
                code: format!("{:06}", rng.gen_range(0..1_000_000u32)),
            })
            .collect();
        Ok(KeyCard {
            serial,
            entries,
            used: BTreeSet::new(),
        })
    }

    /// The card number printed on the card.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// Every line of the card in printed order, for the simulated card page.
    pub fn lines(&self) -> impl Iterator<Item = (KeyNumber, &str)> {
        self.entries.iter().map(|e| (e.key, e.code.as_str()))
    }

    /// The key number to ask for next: the first on the card not yet spent; `None` when the
    /// card is used up. Asking for the same one again until it is answered is safe (its code
    /// has not been typed); once answered it never comes back.
    pub fn next_challenge(&self) -> Option<KeyNumber> {
        self.entries
            .iter()
            .map(|e| e.key)
            .find(|key| !self.used.contains(key))
    }

    /// Checks the code typed for `key` and spends the key, right or wrong. The caller must
    /// also check that `key` is the challenge it showed. The code is compared in constant time.
    pub fn verify(&mut self, key: KeyNumber, code: &str) -> KeyCheck {
        let Some(entry) = self.entries.iter().find(|e| e.key == key) else {
            return KeyCheck::UnknownKey;
        };
        if !self.used.insert(key) {
            return KeyCheck::AlreadyUsed;
        }
        if bool::from(entry.code.as_bytes().ct_eq(code.as_bytes())) {
            KeyCheck::Correct
        } else {
            KeyCheck::Wrong
        }
    }

    /// Whether this key has been answered (and so is spent).
    pub fn is_used(&self, key: KeyNumber) -> bool {
        self.used.contains(&key)
    }

    /// Codes not yet spent.
    pub fn remaining(&self) -> usize {
        self.entries.len().saturating_sub(self.used.len())
    }

    /// Whether so few codes are left that a new card is on its way.
    pub fn running_low(&self) -> bool {
        self.remaining() <= RUNNING_LOW_AT
    }
}

impl fmt::Debug for KeyCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCard")
            .field("serial", &self.serial)
            .field("codes", &self.entries.len())
            .field("used", &self.used.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn card() -> KeyCard {
        KeyCard::generate(42, STANDARD_CARD_SIZE).unwrap()
    }

    fn code_for(card: &KeyCard, key: KeyNumber) -> String {
        card.lines()
            .find(|(k, _)| *k == key)
            .map(|(_, code)| code.to_owned())
            .unwrap()
    }

    #[test]
    fn key_numbers_on_a_card_are_unique() {
        for seed in 0..50 {
            let card = KeyCard::generate(seed, STANDARD_CARD_SIZE).unwrap();
            let keys: HashSet<KeyNumber> = card.lines().map(|(k, _)| k).collect();
            assert_eq!(keys.len(), STANDARD_CARD_SIZE, "seed {seed}");
        }
        // Even a card with every possible key number.
        let full = KeyCard::generate(1, 10_000).unwrap();
        let keys: HashSet<KeyNumber> = full.lines().map(|(k, _)| k).collect();
        assert_eq!(keys.len(), 10_000);
    }

    #[test]
    fn codes_are_six_digits_and_keys_four() {
        for (key, code) in card().lines() {
            assert_eq!(key.to_string().len(), 4);
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        }
        assert_eq!(KeyNumber(7).to_string(), "0007");
    }

    #[test]
    fn same_seed_gives_the_same_card_and_another_seed_another() {
        let a: Vec<(KeyNumber, String)> = card().lines().map(|(k, c)| (k, c.to_owned())).collect();
        let b: Vec<(KeyNumber, String)> = card().lines().map(|(k, c)| (k, c.to_owned())).collect();
        assert_eq!(a, b);
        assert_eq!(card().serial(), card().serial());
        let other = KeyCard::generate(43, STANDARD_CARD_SIZE).unwrap();
        assert_ne!(other.serial(), card().serial());
        assert_ne!(other.lines().next(), card().lines().next());
    }

    #[test]
    fn serial_is_three_groups_of_three_digits() {
        let serial = card().serial().to_owned();
        let groups: Vec<&str> = serial.split('-').collect();
        assert_eq!(groups.len(), 3, "{serial}");
        assert!(groups.iter().all(|g| g.len() == 3), "{serial}");
    }

    #[test]
    fn no_key_number_is_asked_twice_across_a_full_card() {
        let mut card = card();
        let mut asked = HashSet::new();
        let mut wrong_turn = false;
        while let Some(key) = card.next_challenge() {
            assert!(asked.insert(key), "{key} asked twice");
            // Alternate right and wrong answers: both spend the key.
            let code = if wrong_turn {
                "not-a-code".to_owned()
            } else {
                code_for(&card, key)
            };
            card.verify(key, &code);
            wrong_turn = !wrong_turn;
        }
        assert_eq!(asked.len(), STANDARD_CARD_SIZE);
        assert_eq!(card.remaining(), 0);
    }

    #[test]
    fn next_challenge_repeats_until_answered() {
        let card = card();
        assert_eq!(card.next_challenge(), card.next_challenge());
    }

    #[test]
    fn verify_accepts_the_right_code() {
        let mut card = card();
        let key = card.next_challenge().unwrap();
        let code = code_for(&card, key);
        assert_eq!(card.verify(key, &code), KeyCheck::Correct);
    }

    #[test]
    fn verify_rejects_a_wrong_code_and_spends_the_key() {
        let mut card = card();
        let key = card.next_challenge().unwrap();
        let right = code_for(&card, key);
        let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert_eq!(card.verify(key, &wrong), KeyCheck::Wrong);
        assert_eq!(card.verify(key, &right), KeyCheck::AlreadyUsed);
        assert_ne!(card.next_challenge(), Some(key));
    }

    #[test]
    fn verify_never_accepts_a_code_twice() {
        let mut card = card();
        let key = card.next_challenge().unwrap();
        let code = code_for(&card, key);
        assert_eq!(card.verify(key, &code), KeyCheck::Correct);
        assert_eq!(card.verify(key, &code), KeyCheck::AlreadyUsed);
    }

    #[test]
    fn verify_rejects_a_key_number_not_on_the_card() {
        let mut card = KeyCard::generate(3, 10).unwrap();
        let on_card: HashSet<KeyNumber> = card.lines().map(|(k, _)| k).collect();
        let absent = (0..10_000u16)
            .map(KeyNumber)
            .find(|k| !on_card.contains(k))
            .unwrap();
        assert_eq!(card.verify(absent, "000000"), KeyCheck::UnknownKey);
        assert_eq!(card.remaining(), 10);
    }

    #[test]
    fn running_low_from_twenty_codes_left() {
        let mut card = KeyCard::generate(5, 25).unwrap();
        for left in (RUNNING_LOW_AT + 1..=25).rev() {
            assert_eq!(card.remaining(), left);
            assert!(!card.running_low(), "{left} left");
            let key = card.next_challenge().unwrap();
            card.verify(key, "000000");
        }
        assert_eq!(card.remaining(), RUNNING_LOW_AT);
        assert!(card.running_low());
    }

    #[test]
    fn generate_refuses_impossible_sizes() {
        assert_eq!(KeyCard::generate(1, 0).unwrap_err(), KeyCardError::Size(0));
        assert_eq!(
            KeyCard::generate(1, 10_001).unwrap_err(),
            KeyCardError::Size(10_001)
        );
    }

    #[test]
    fn key_number_parses_exactly_four_digits() {
        assert_eq!(KeyNumber::parse("0042"), Ok(KeyNumber(42)));
        assert_eq!("9999".parse::<KeyNumber>(), Ok(KeyNumber(9999)));
        for bad in ["", "42", "00042", "+042", "12a4", " 123"] {
            assert!(KeyNumber::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn serde_round_trips_with_the_spent_keys() {
        let mut card = card();
        let key = card.next_challenge().unwrap();
        card.verify(key, "000000");
        let json = serde_json::to_string(&card).unwrap();
        let back: KeyCard = serde_json::from_str(&json).unwrap();
        assert_eq!(back.serial(), card.serial());
        assert_eq!(back.remaining(), STANDARD_CARD_SIZE - 1);
        assert_ne!(back.next_challenge(), Some(key));
    }

    #[test]
    fn deserialize_rejects_a_card_with_a_repeated_key_or_bad_code() {
        let repeated = r#"{"serial":"1","entries":[
            {"key":"0001","code":"123456"},{"key":"0001","code":"654321"}]}"#;
        assert!(serde_json::from_str::<KeyCard>(repeated).is_err());
        let bad_code = r#"{"serial":"1","entries":[{"key":"0001","code":"12345"}]}"#;
        assert!(serde_json::from_str::<KeyCard>(bad_code).is_err());
        let stray = r#"{"serial":"1","entries":[{"key":"0001","code":"123456"}],"used":["0002"]}"#;
        assert!(serde_json::from_str::<KeyCard>(stray).is_err());
    }

    #[test]
    fn debug_does_not_show_the_codes() {
        let card = card();
        let (_, code) = card.lines().next().unwrap();
        let debug = format!("{card:?}");
        assert!(!debug.contains(code), "{debug}");
    }
}
