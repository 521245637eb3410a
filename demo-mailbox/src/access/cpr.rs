//! CPR numbers: how a helper is named in a grant, and how the mailbox knows who logged in
//! (the broker's `dk.cpr` claim).

use serde::{Deserialize, Serialize};

/// A CPR number: ten digits. Holding one proves it is well-formed (not that it is anyone's).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cpr(String);

/// Why a typed CPR number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    /// Not ten digits (a dash after the sixth and spaces are allowed).
    #[error("a CPR number is ten digits, e.g. 010190-1234")]
    Malformed,
}

impl Cpr {
    /// `text` as typed: ten digits, optionally with a dash after the sixth, spaces ignored.
    pub fn parse(text: &str) -> Result<Self, CprError> {
        let text = text.trim();
        let (date, serial) = text.split_once('-').unwrap_or((text, ""));
        let digits: String = [date, serial].concat().replace(' ', "");
        let dash_in_place = !text.contains('-') || date.trim().len() == 6;
        if digits.len() == 10 && digits.chars().all(|c| c.is_ascii_digit()) && dash_in_place {
            Ok(Self(digits))
        } else {
            Err(CprError::Malformed)
        }
    }

    /// The ten digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `DDMMYY-XXXX`, as people write it.
    pub fn display(&self) -> String {
        match self.0.split_at_checked(6) {
            Some((date, serial)) => format!("{date}-{serial}"),
            None => self.0.clone(),
        }
    }
}

impl TryFrom<String> for Cpr {
    type Error = CprError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Cpr> for String {
    fn from(cpr: Cpr) -> Self {
        cpr.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_digits_with_an_optional_dash() {
        assert_eq!(Cpr::parse("7204901236").unwrap().as_str(), "7204901236");
        assert_eq!(Cpr::parse(" 720490-1236 ").unwrap().as_str(), "7204901236");
        assert_eq!(Cpr::parse("720490-1236").unwrap().display(), "720490-1236");
        for bad in [
            "",
            "720490123",
            "72049012367",
            "7204-901236",
            "72049O1236",
            "cpr:7204901236",
        ] {
            assert_eq!(Cpr::parse(bad), Err(CprError::Malformed), "{bad}");
        }
    }
}
