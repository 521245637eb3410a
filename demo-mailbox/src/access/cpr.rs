//! CPR numbers: how a helper is named in a grant, and how the mailbox knows who logged in
//! (the broker's `dk.cpr` claim).

use serde::{Deserialize, Serialize};

/// A CPR number: ten digits whose first six are a date of birth. Holding one proves it is
/// well-formed (not that it is anyone's).
///
/// The rules (CPR office, "Personnummeret i CPR"; the broker's `mitid::cpr` keeps the same):
/// `DDMMYY-SSSS`, with or without the hyphen; the 7th digit with `YY` gives the century; a
/// *replacement number* (*erstatningspersonnummer*) adds 60 to the day, so its days run 61-91.
/// The modulus-11 check is not made: numbers failing it are issued since 2007.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cpr(String);

/// Why a typed CPR number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    /// Not ten digits (a dash after the sixth and spaces are allowed).
    #[error("a CPR number is ten digits, e.g. 010190-1234")]
    Malformed,
    /// Ten digits, but the first six are no date (a day 32, a month 13, 000000).
    #[error("the first six digits of a CPR number are the date of birth (DDMMYY, day + 60 in a replacement number), and these are no date")]
    ImpossibleDate,
}

/// What a replacement number adds to the day of month.
const REPLACEMENT_DAY_OFFSET: u32 = 60;

impl Cpr {
    /// `text` as typed: ten digits, optionally with a dash after the sixth, spaces ignored,
    /// whose first six digits are a date of birth (the day + 60 in a replacement number).
    pub fn parse(text: &str) -> Result<Self, CprError> {
        let digits = ten_digits(text)?;
        if is_date_of_birth(&digits) {
            Ok(Self(digits))
        } else {
            Err(CprError::ImpossibleDate)
        }
    }

    /// A CPR number read back from the store: ten digits, the date not checked again, so a
    /// grant or membership stored before dates were checked can still be seen and revoked.
    pub fn from_stored(text: &str) -> Result<Self, CprError> {
        ten_digits(text).map(Self)
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

/// The ten digits of `text`: optionally a dash after the sixth, spaces ignored.
fn ten_digits(text: &str) -> Result<String, CprError> {
    let text = text.trim();
    let (date, serial) = text.split_once('-').unwrap_or((text, ""));
    let digits: String = [date, serial].concat().replace(' ', "");
    let dash_in_place = !text.contains('-') || date.trim().len() == 6;
    if digits.len() == 10 && digits.chars().all(|c| c.is_ascii_digit()) && dash_in_place {
        Ok(digits)
    } else {
        Err(CprError::Malformed)
    }
}

/// Whether the first six of the ten `digits` are a date: `DDMMYY` (`DD` + 60 in a replacement
/// number), the century from the 7th digit.
fn is_date_of_birth(digits: &str) -> bool {
    let number =
        |range: std::ops::Range<usize>| digits.get(range).and_then(|text| text.parse::<u32>().ok());
    let (Some(printed_day), Some(month), Some(yy), Some(seventh)) =
        (number(0..2), number(2..4), number(4..6), number(6..7))
    else {
        return false;
    };
    let day = if printed_day > REPLACEMENT_DAY_OFFSET {
        printed_day - REPLACEMENT_DAY_OFFSET
    } else {
        printed_day
    };
    let year = birth_year(seventh, yy);
    (1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day)
}

/// The full birth year from the 7th digit and the two-digit year `yy`:
///
/// | 7th digit | YY 00-36 | YY 37-57 | YY 58-99 |
/// |-----------|----------|----------|----------|
/// | 0-3       | 19YY     | 19YY     | 19YY     |
/// | 4, 9      | 20YY     | 19YY     | 19YY     |
/// | 5-8       | 20YY     | 20YY     | 18YY     |
fn birth_year(seventh_digit: u32, yy: u32) -> u32 {
    let century = match (seventh_digit, yy) {
        (0..=3, _) => 1900,
        (4 | 9, 0..=36) => 2000,
        (4 | 9, _) => 1900,
        (_, 0..=57) => 2000,
        (_, _) => 1800,
    };
    century + yy
}

/// The days of `month` (1-12) in `year` (Gregorian leap years).
fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
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

    #[test]
    fn the_first_six_digits_are_a_date_of_birth() {
        for impossible in [
            "320190-1234",
            "011390-1234",
            "000000-0000",
            "010090-1234",
            "310490-1234",
            "300290-1234",
            // A replacement number's day is the day + 60: 92 and 60 are no days.
            "920190-1234",
            "600190-1234",
            // 29 February 1900 (7th digit 0-3: 19YY) was no day: 1900 was no leap year.
            "290200-1234",
        ] {
            assert_eq!(
                Cpr::parse(impossible),
                Err(CprError::ImpossibleDate),
                "{impossible}"
            );
        }
        for possible in [
            "010190-1234",
            "311299-9999",
            // Replacement numbers: days 61-91.
            "610190-1234",
            "910190-1234",
            // 29 February 2000 (7th digit 4: 20YY) and a replacement number for it.
            "290200-4234",
            "890200-4234",
            "290296-1234",
        ] {
            assert!(Cpr::parse(possible).is_ok(), "{possible}");
        }
    }

    #[test]
    fn the_modulus_11_check_is_not_required() {
        // 0101901234 fails modulus 11 (the weighted sum is 84); numbers like it are issued
        // since 2007.
        let sum: u32 = "0101901234"
            .chars()
            .filter_map(|c| c.to_digit(10))
            .zip([4, 3, 2, 7, 6, 5, 4, 3, 2, 1])
            .map(|(digit, weight)| digit * weight)
            .sum();
        assert_ne!(sum % 11, 0);
        assert!(Cpr::parse("0101901234").is_ok());
    }

    #[test]
    fn stored_numbers_are_read_back_without_the_date_check() {
        assert_eq!(
            Cpr::from_stored("0000000000").unwrap().as_str(),
            "0000000000"
        );
        assert_eq!(Cpr::from_stored("000"), Err(CprError::Malformed));
    }

    #[test]
    fn the_century_comes_from_the_seventh_digit() {
        assert_eq!(birth_year(0, 99), 1999);
        assert_eq!(birth_year(4, 36), 2036);
        assert_eq!(birth_year(4, 37), 1937);
        assert_eq!(birth_year(5, 57), 2057);
        assert_eq!(birth_year(5, 58), 1858);
        assert_eq!(birth_year(9, 0), 2000);
    }
}
