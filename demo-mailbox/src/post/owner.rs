//! Who a mailbox belongs to.

use serde::{Deserialize, Serialize};

use crate::access::Cpr;

/// The owner of a mailbox. Digital Post keys a person's mailbox on the CPR number (it follows
/// the person for life), and a business's or an association's on its CVR number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Owner {
    /// A person identified by CPR number.
    PersonByCpr(String),
    /// A person identified by the broker's subject identifier (until the broker sends CPR).
    PersonBySubject(String),
    /// A business, by CVR number.
    Business(String),
    /// An association (*forening*), by its CVR number.
    Association(String),
}

impl Owner {
    /// The `owner_kind` column: what kind of key [`Owner::key`] is.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PersonByCpr(_) => "cpr",
            Self::PersonBySubject(_) => "sub",
            Self::Business(_) => "cvr",
            Self::Association(_) => "association",
        }
    }

    /// How the simulator and forwarding name this mailbox: `kind:key`, e.g. `cpr:6101701234`
    /// or `sub:...` (what [`Owner::parse_address`] reads back).
    pub fn address(&self) -> String {
        format!("{}:{}", self.kind(), self.key())
    }

    /// A recipient as typed: `kind:key` (`cpr`, `cvr`, `association`, `sub`), or a bare CPR
    /// number (10 digits, a dash after the sixth allowed, the first six a date: see [`Cpr`])
    /// or CVR number (8 digits).
    pub fn parse_address(text: &str) -> Option<Self> {
        let text = text.trim();
        let (kind, key) = text.split_once(':').unwrap_or(("", text));
        let key = key.trim();
        let digits: String = key.chars().filter(|c| *c != '-').collect();
        let all_digits = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
        let plain_key = !key.is_empty()
            && key.len() <= 200
            && key.chars().all(|c| c.is_ascii_graphic() && c != ':');
        match kind.trim().to_ascii_lowercase().as_str() {
            "" | "cpr" if all_digits && digits.len() == 10 => Cpr::parse(&digits)
                .ok()
                .map(|cpr| Self::PersonByCpr(cpr.as_str().to_owned())),
            "" | "cvr" if all_digits && digits.len() == 8 => Some(Self::Business(digits)),
            "association" if all_digits && digits.len() == 8 => Some(Self::Association(digits)),
            "sub" if plain_key => Some(Self::PersonBySubject(key.to_owned())),
            _ => None,
        }
    }

    /// The `owner_key` column.
    pub fn key(&self) -> &str {
        match self {
            Self::PersonByCpr(key)
            | Self::PersonBySubject(key)
            | Self::Business(key)
            | Self::Association(key) => key,
        }
    }
}

/// The owner of the mailbox a logged-in person opens as their own.
///
/// Keyed by the `dk.cpr` claim when the broker sends it, as Digital Post keys mailboxes on
/// CPR. The broker does not send CPR yet, so until it does the mailbox is keyed by the ID
/// token's `sub` (stable per person at one broker). A person who later logs in with a CPR
/// claim gets a new, CPR-keyed mailbox; moving old post across is left for when CPR arrives.
pub fn person_owner(cpr: Option<&str>, sub: &str) -> Owner {
    match cpr.map(str::trim).filter(|cpr| !cpr.is_empty()) {
        Some(cpr) => Owner::PersonByCpr(cpr.to_owned()),
        None => Owner::PersonBySubject(sub.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpr_wins_over_sub_and_sub_is_the_fallback() {
        assert_eq!(
            person_owner(Some("6101701234"), "s-1"),
            Owner::PersonByCpr("6101701234".to_owned())
        );
        assert_eq!(
            person_owner(None, "s-1"),
            Owner::PersonBySubject("s-1".to_owned())
        );
        assert_eq!(person_owner(Some(" "), "s-1").kind(), "sub");
    }

    #[test]
    fn addresses_round_trip_and_bare_numbers_are_cpr_or_cvr() {
        for owner in [
            Owner::PersonByCpr("6101701234".to_owned()),
            Owner::PersonBySubject("s-1".to_owned()),
            Owner::Business("12345678".to_owned()),
            Owner::Association("87654321".to_owned()),
        ] {
            assert_eq!(Owner::parse_address(&owner.address()), Some(owner));
        }
        assert_eq!(
            Owner::parse_address(" 610170-1234 "),
            Some(Owner::PersonByCpr("6101701234".to_owned()))
        );
        assert_eq!(
            Owner::parse_address("12345678"),
            Some(Owner::Business("12345678".to_owned()))
        );
        for bad in [
            "",
            "123",
            "cpr:12345678",
            "sub:",
            "sub:a b",
            "x:1",
            "abc",
            "320190-1234",
            "cpr:0113901234",
            "0000000000",
        ] {
            assert_eq!(Owner::parse_address(bad), None, "{bad}");
        }
    }
}
