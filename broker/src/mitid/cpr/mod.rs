//! The Danish personal identification number (*CPR-nummer*), parsed once into a [`Cpr`].
//!
//! Rules implemented here (CPR office, "Personnummeret i CPR"):
//! - The number is `DDMMYY-SSSS`: ten digits, written with or without a hyphen after the sixth.
//! - The first six digits are the date of birth; the seventh digit together with `YY` gives the
//!   century (see [`birth_year`]); the tenth digit is odd for men and even for women.
//! - A *replacement number* (*erstatningspersonnummer*) adds 60 to the day of month (the 7th
//!   becomes 67), so its days run 61-91 and it can never equal a number issued to a person.
//! - Modulus 11 (weights 4,3,2,7,6,5,4,3,2,1, sum divisible by 11) held for every number until
//!   2007; since 1 October 2007 numbers that fail it are issued, and the CPR office says systems
//!   must accept them. So parsing never checks it; [`Cpr::passes_modulus11`] reports it.
//!
//! Dates use the `time` crate rather than an own type: calendar validity (month lengths, leap
//! years) is easy to get subtly wrong, the crate is already in the build graph, and the rest of
//! the broker can then share one date type (with serde) for `birthdate` and `mitid.date_of_birth`.

use std::fmt;
use std::str::FromStr;

use rand::Rng;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// The weights of the modulus-11 check, digit by digit.
const MODULUS11_WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];

/// What a replacement number adds to the day of month.
const REPLACEMENT_DAY_OFFSET: u8 = 60;

/// Where the optional hyphen goes: after the sixth digit (`DDMMYY-SSSS`).
const HYPHEN_POSITION: usize = 6;

/// Legal sex as the CPR number encodes it in its last digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Female,
    Male,
}

/// Why a text is not a CPR number. Each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    #[error("a CPR number has 10 digits (DDMMYY-SSSS), but this has {digits}")]
    WrongLength { digits: usize },
    #[error(
        "a CPR number holds only digits and one optional hyphen after the 6th digit, \
         but position {position} holds {found:?}"
    )]
    InvalidCharacter { position: usize, found: char },
    #[error("the hyphen in a CPR number goes after the 6th digit (DDMMYY-SSSS)")]
    MisplacedHyphen,
    #[error(
        "the first six digits of a CPR number are the date of birth (DDMMYY, day + 60 in a \
         replacement number), but {day:02}.{month:02}.{year} is not a date"
    )]
    ImpossibleDate { day: u8, month: u8, year: i32 },
    #[error("CPR numbers can only encode birth years 1858-2057, not {year}")]
    YearOutOfRange { year: i32 },
}

/// A well-formed CPR number: ten digits whose date of birth exists. One that exists has been
/// parsed (or generated), so code that holds a `Cpr` never checks it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpr {
    /// The ten digits, each 0-9.
    digits: [u8; 10],
    /// The real date of birth (for a replacement number: with 60 taken off the day).
    date_of_birth: Date,
}

impl Cpr {
    /// Parses `DDMMYY-SSSS` or `DDMMYYSSSS`. No whitespace is trimmed: that is the caller's
    /// choice about its input. A number failing modulus 11 is accepted (issued since 2007).
    pub fn parse(text: &str) -> Result<Cpr, CprError> {
        let mut digits = [0u8; 10];
        let mut count = 0usize;
        for (position, c) in text.chars().enumerate() {
            match c {
                '0'..='9' => {
                    if let Some(slot) = digits.get_mut(count) {
                        *slot = c as u8 - b'0';
                    }
                    count += 1;
                }
                '-' if position == HYPHEN_POSITION && count == HYPHEN_POSITION => {}
                '-' => return Err(CprError::MisplacedHyphen),
                other => {
                    return Err(CprError::InvalidCharacter {
                        position: position + 1,
                        found: other,
                    })
                }
            }
        }
        if count != digits.len() {
            return Err(CprError::WrongLength { digits: count });
        }
        Cpr::from_digits(digits)
    }

    /// Builds a `Cpr` from ten digits (each 0-9), checking only the date of birth.
    fn from_digits(digits: [u8; 10]) -> Result<Cpr, CprError> {
        let [d1, d2, m1, m2, y1, y2, d7, ..] = digits;
        let printed_day = d1 * 10 + d2;
        let month = m1 * 10 + m2;
        let yy = y1 * 10 + y2;
        let year = birth_year(d7, yy);
        let day = if printed_day > REPLACEMENT_DAY_OFFSET {
            printed_day - REPLACEMENT_DAY_OFFSET
        } else {
            printed_day
        };
        let impossible = CprError::ImpossibleDate { day, month, year };
        let month_value = Month::try_from(month).map_err(|_| impossible.clone())?;
        // A printed day of 32-60 or 92-99 gives a day above 31, which no month has.
        let date_of_birth =
            Date::from_calendar_date(year, month_value, day).map_err(|_| impossible)?;
        Ok(Cpr {
            digits,
            date_of_birth,
        })
    }

    /// Generates a replacement number (day of month + 60) for this date of birth and sex.
    ///
    /// Only replacement numbers come out, so none can belong to a person (the CPR office never
    /// issues days 61-91 as ordinary numbers). The 7th digit is drawn among those that encode
    /// this birth year's century, the last digit has the parity of `sex`, and the other serial
    /// digits are random, so the modulus-11 check passes for about one number in eleven.
    pub fn generate_replacement<R: Rng + ?Sized>(
        date_of_birth: Date,
        sex: Sex,
        rng: &mut R,
    ) -> Result<Cpr, CprError> {
        let year = date_of_birth.year();
        let century_digits = century_digits_for(year);
        if century_digits.is_empty() {
            return Err(CprError::YearOutOfRange { year });
        }
        let d7 = century_digits[rng.gen_range(0..century_digits.len())];
        let day = date_of_birth.day() + REPLACEMENT_DAY_OFFSET;
        let month = u8::from(date_of_birth.month());
        // `year` is within 1858-2057 here, so the remainder fits in a u8.
        let yy = u8::try_from(year.rem_euclid(100)).unwrap_or(0);
        let last = rng.gen_range(0..5u8) * 2 + u8::from(sex == Sex::Male);
        let digits = [
            day / 10,
            day % 10,
            month / 10,
            month % 10,
            yy / 10,
            yy % 10,
            d7,
            rng.gen_range(0..10),
            rng.gen_range(0..10),
            last,
        ];
        Cpr::from_digits(digits)
    }

    /// The real date of birth, with the century from the 7th digit and, for a replacement
    /// number, the day with 60 taken off.
    pub fn date_of_birth(&self) -> Date {
        self.date_of_birth
    }

    /// Odd last digit: male; even: female.
    pub fn sex(&self) -> Sex {
        if self.digits[9] % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Whether this is a replacement number (day of month + 60, printed as 61-91).
    pub fn is_replacement(&self) -> bool {
        self.digits[0] * 10 + self.digits[1] > REPLACEMENT_DAY_OFFSET
    }

    /// The modulus-11 check of the numbers issued before October 2007. Failing it does not
    /// make a number invalid.
    pub fn passes_modulus11(&self) -> bool {
        modulus11_sum(&self.digits).is_multiple_of(11)
    }

    /// Whole years of age on `today` (no wall clock here: the caller passes the injected
    /// clock's date). `None` when `today` is before the date of birth. Someone born on
    /// 29 February becomes a year older on 1 March in years without that day.
    pub fn age_on(&self, today: Date) -> Option<u32> {
        age_on(self.date_of_birth, today)
    }

    /// The ten digits without the hyphen, as the `dk.cpr` claim carries them.
    pub fn to_digits(&self) -> String {
        self.digits.iter().map(|d| char::from(b'0' + d)).collect()
    }
}

/// Whole years between `born` and `today`; `None` before birth.
pub fn age_on(born: Date, today: Date) -> Option<u32> {
    if today < born {
        return None;
    }
    let mut years = today.year() - born.year();
    if (today.month() as u8, today.day()) < (born.month() as u8, born.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

/// The full birth year from the 7th digit and the two-digit year `yy` (0-99):
///
/// | 7th digit | YY 00-36 | YY 37-57 | YY 58-99 |
/// |-----------|----------|----------|----------|
/// | 0-3       | 19YY     | 19YY     | 19YY     |
/// | 4, 9      | 20YY     | 19YY     | 19YY     |
/// | 5-8       | 20YY     | 20YY     | 18YY     |
pub fn birth_year(seventh_digit: u8, yy: u8) -> i32 {
    let century = match (seventh_digit, yy) {
        (0..=3, _) => 1900,
        (4 | 9, 0..=36) => 2000,
        (4 | 9, _) => 1900,
        (_, 0..=57) => 2000,
        (_, _) => 1800,
    };
    century + i32::from(yy)
}

/// The 7th digits that encode `year`'s century (the inverse of [`birth_year`]); empty outside
/// 1858-2057.
fn century_digits_for(year: i32) -> &'static [u8] {
    match year {
        1858..=1899 => &[5, 6, 7, 8],
        1900..=1936 => &[0, 1, 2, 3],
        1937..=1999 => &[0, 1, 2, 3, 4, 9],
        2000..=2036 => &[4, 5, 6, 7, 8, 9],
        2037..=2057 => &[5, 6, 7, 8],
        _ => &[],
    }
}

fn modulus11_sum(digits: &[u8; 10]) -> u32 {
    digits
        .iter()
        .zip(MODULUS11_WEIGHTS)
        .map(|(d, w)| u32::from(*d) * w)
        .sum()
}

impl fmt::Display for Cpr {
    /// `DDMMYY-SSSS`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.to_digits();
        let (date, serial) = digits.split_at(HYPHEN_POSITION);
        write!(f, "{date}-{serial}")
    }
}

impl FromStr for Cpr {
    type Err = CprError;
    fn from_str(s: &str) -> Result<Cpr, CprError> {
        Cpr::parse(s)
    }
}

impl TryFrom<String> for Cpr {
    type Error = CprError;
    fn try_from(s: String) -> Result<Cpr, CprError> {
        Cpr::parse(&s)
    }
}

impl Serialize for Cpr {
    /// As `DDMMYY-SSSS`, readable in data files; parsing accepts both forms.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cpr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Cpr, D::Error> {
        let text = String::deserialize(deserializer)?;
        Cpr::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
