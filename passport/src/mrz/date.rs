//! The six-digit MRZ dates (Doc 9303 Part 3, 4.2.2 / Part 4, 4.2.2.2): `YYMMDD`, two-digit year.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// A date as the MRZ writes it: a two-digit year, a month and a day.
///
/// The century is not in the MRZ; [`MrzDate::birth_date`] and [`MrzDate::expiry_date`] resolve
/// it against `today`, which the caller passes in (the crate never reads the clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MrzDate {
    year: u8,
    month: Month,
    day: u8,
}

impl MrzDate {
    /// Parses `YYMMDD`; the day must exist in that month (29 February only in a leap year, where
    /// `00` counts as 2000, which is one).
    pub fn parse(digits: &str) -> Result<Self, &'static str> {
        let bytes = digits.as_bytes();
        if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err("a date must be six digits YYMMDD");
        }
        let pair = |i: usize| (bytes[i] - b'0') * 10 + (bytes[i + 1] - b'0');
        let month = Month::try_from(pair(2)).map_err(|_| "the month must be 01 to 12")?;
        let year = pair(0);
        let day = pair(4);
        // Two-digit years in 2000-2099 have the same leap years as in 1900-1999 except 00.
        if day == 0 || day > time::util::days_in_month(month, 2000 + i32::from(year)) {
            return Err("the day does not exist in that month");
        }
        Ok(Self { year, month, day })
    }

    /// The MRZ form of a full date (the century is dropped).
    pub fn from_date(date: Date) -> Self {
        // rem_euclid(100) is in 0..100, so the narrowing is exact.
        let year = date.year().rem_euclid(100) as u8;
        Self {
            year,
            month: date.month(),
            day: date.day(),
        }
    }

    /// The date in the 20th or 21st century for a two-digit year.
    fn in_century(self, century: i32) -> Option<Date> {
        Date::from_calendar_date(century + i32::from(self.year), self.month, self.day).ok()
    }

    /// A birth date is never in the future: the latest century that puts it on or before `today`.
    pub fn birth_date(self, today: Date) -> Date {
        match (self.in_century(2000), self.in_century(1900)) {
            (Some(date), _) if date <= today => date,
            (_, Some(date)) => date,
            // 29 February 1900 does not exist; 2000 is the only reading left.
            (Some(date), None) => date,
            (None, None) => today,
        }
    }

    /// An expiry date is read in the century that puts it nearest to `today` (documents are
    /// valid for at most ten years, so this is unambiguous in practice).
    pub fn expiry_date(self, today: Date) -> Date {
        let candidates = [
            self.in_century(1900),
            self.in_century(2000),
            self.in_century(2100),
        ];
        candidates
            .into_iter()
            .flatten()
            .min_by_key(|date| (*date - today).whole_days().abs())
            .unwrap_or(today)
    }

    /// `YYMMDD`.
    pub fn to_mrz_string(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for MrzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}{:02}{:02}",
            self.year,
            u8::from(self.month),
            self.day
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn parses_and_prints_yymmdd() {
        let parsed = MrzDate::parse("740812").unwrap();
        assert_eq!(parsed.to_string(), "740812");
        assert_eq!(
            MrzDate::from_date(date!(2012 - 04 - 15)).to_string(),
            "120415"
        );
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(MrzDate::parse("741312").is_err());
        assert!(MrzDate::parse("740832").is_err());
        assert!(MrzDate::parse("010229").is_err());
        assert!(MrzDate::parse("000229").is_ok());
        assert!(MrzDate::parse("74081").is_err());
        assert!(MrzDate::parse("7408A2").is_err());
    }

    #[test]
    fn birth_dates_are_never_in_the_future() {
        let today = date!(2026 - 11 - 26);
        let born = MrzDate::parse("740812").unwrap();
        assert_eq!(born.birth_date(today), date!(1974 - 08 - 12));
        let young = MrzDate::parse("150101").unwrap();
        assert_eq!(young.birth_date(today), date!(2015 - 01 - 01));
        let tomorrow = MrzDate::parse("261127").unwrap();
        assert_eq!(tomorrow.birth_date(today), date!(1926 - 11 - 27));
    }

    #[test]
    fn expiry_dates_are_read_near_today() {
        let today = date!(2026 - 11 - 26);
        assert_eq!(
            MrzDate::parse("120415").unwrap().expiry_date(today),
            date!(2012 - 04 - 15)
        );
        assert_eq!(
            MrzDate::parse("360101").unwrap().expiry_date(today),
            date!(2036 - 01 - 01)
        );
        assert_eq!(
            MrzDate::parse("990101").unwrap().expiry_date(today),
            date!(1999 - 01 - 01)
        );
    }
}
