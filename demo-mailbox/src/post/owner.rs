//! Who a mailbox belongs to.

use serde::{Deserialize, Serialize};

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
            person_owner(Some("0101701234"), "s-1"),
            Owner::PersonByCpr("0101701234".to_owned())
        );
        assert_eq!(
            person_owner(None, "s-1"),
            Owner::PersonBySubject("s-1".to_owned())
        );
        assert_eq!(person_owner(Some(" "), "s-1").kind(), "sub");
    }
}
