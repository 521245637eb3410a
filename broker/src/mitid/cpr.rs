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
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use time::macros::date;

    /// The last digit that makes nine digits pass modulus 11, if there is one (a required
    /// check digit of 10 means no tenth digit can pass).
    fn passing_check_digit(first_nine: [u8; 9]) -> Option<u8> {
        let sum: u32 = first_nine
            .iter()
            .zip(MODULUS11_WEIGHTS)
            .map(|(d, w)| u32::from(*d) * w)
            .sum();
        let needed = (11 - sum % 11) % 11;
        u8::try_from(needed).ok().filter(|d| *d < 10)
    }

    fn cpr(text: &str) -> Cpr {
        Cpr::parse(text).unwrap()
    }

    // Normal (non-replacement) examples use birth years 2037-2057 (7th digit 5-8): nobody can
    // hold those yet. Everything else uses replacement numbers.

    #[test]
    fn parse_with_hyphen() {
        let c = cpr("671290-1234");
        assert_eq!(c.date_of_birth(), date!(1990 - 12 - 07));
        assert_eq!(c.to_digits(), "6712901234");
    }

    #[test]
    fn parse_without_hyphen_equals_with_hyphen() {
        assert_eq!(cpr("6712901234"), cpr("671290-1234"));
    }

    #[test]
    fn display_puts_the_hyphen_after_the_sixth_digit() {
        assert_eq!(cpr("6712901234").to_string(), "671290-1234");
        assert_eq!(
            "671290-1234".parse::<Cpr>().unwrap().to_string(),
            "671290-1234"
        );
    }

    #[test]
    fn parse_rejects_wrong_lengths() {
        for (text, digits) in [
            ("", 0),
            ("67129012", 8),
            ("671290123", 9),
            ("67129012345", 11),
            ("671290-123", 9),
            ("671290-12345", 11),
        ] {
            assert_eq!(
                Cpr::parse(text),
                Err(CprError::WrongLength { digits }),
                "{text:?}"
            );
        }
    }

    #[test]
    fn parse_rejects_letters_spaces_and_other_characters() {
        assert_eq!(
            Cpr::parse("67129O1234"),
            Err(CprError::InvalidCharacter {
                position: 6,
                found: 'O'
            })
        );
        assert_eq!(
            Cpr::parse(" 6712901234"),
            Err(CprError::InvalidCharacter {
                position: 1,
                found: ' '
            })
        );
        assert_eq!(
            Cpr::parse("671290 1234"),
            Err(CprError::InvalidCharacter {
                position: 7,
                found: ' '
            })
        );
        assert!(matches!(
            Cpr::parse("６712901234"),
            Err(CprError::InvalidCharacter { position: 1, .. })
        ));
    }

    #[test]
    fn parse_rejects_a_misplaced_or_second_hyphen() {
        for text in [
            "67129-01234",
            "6712901-234",
            "-6712901234",
            "671290--1234",
            "671290-123-4",
        ] {
            assert_eq!(Cpr::parse(text), Err(CprError::MisplacedHyphen), "{text:?}");
        }
    }

    #[test]
    fn parse_rejects_impossible_dates() {
        for text in [
            "000157-5000", // day 0
            "320157-5000", // day 32
            "600157-5000", // day 60: neither a day nor a replacement day
            "920157-5000", // replacement day 32
            "010057-5000", // month 0
            "011357-5000", // month 13
            "310457-5000", // 31 April
            "290257-5000", // 29 February 2057 is no leap day
            "890257-5000", // the same as a replacement number
            "300256-5000", // 30 February even in a leap year
        ] {
            assert!(
                matches!(Cpr::parse(text), Err(CprError::ImpossibleDate { .. })),
                "{text:?}"
            );
        }
    }

    #[test]
    fn parse_accepts_leap_days_in_leap_years() {
        assert_eq!(cpr("290256-5000").date_of_birth(), date!(2056 - 02 - 29));
        assert_eq!(cpr("890200-4000").date_of_birth(), date!(2000 - 02 - 29));
    }

    #[test]
    fn error_messages_say_what_is_wrong() {
        let message = Cpr::parse("12345").unwrap_err().to_string();
        assert!(
            message.contains("10 digits") && message.contains("has 5"),
            "{message}"
        );
        let message = Cpr::parse("310457-5000").unwrap_err().to_string();
        assert!(message.contains("31.04.2057"), "{message}");
        let message = Cpr::parse("67129-01234").unwrap_err().to_string();
        assert!(message.contains("after the 6th digit"), "{message}");
    }

    #[test]
    fn century_follows_every_row_of_the_cpr_table() {
        // (7th digit, YY) -> year, covering each cell's edges.
        let rows: [(u8, u8, i32); 24] = [
            (0, 0, 1900),
            (0, 36, 1936),
            (1, 37, 1937),
            (2, 57, 1957),
            (3, 58, 1958),
            (3, 99, 1999),
            (4, 0, 2000),
            (4, 36, 2036),
            (4, 37, 1937),
            (4, 57, 1957),
            (4, 58, 1958),
            (4, 99, 1999),
            (9, 0, 2000),
            (9, 36, 2036),
            (9, 37, 1937),
            (9, 99, 1999),
            (5, 0, 2000),
            (5, 36, 2036),
            (6, 37, 2037),
            (7, 57, 2057),
            (8, 58, 1858),
            (8, 99, 1899),
            (6, 58, 1858),
            (7, 0, 2000),
        ];
        for (d7, yy, year) in rows {
            assert_eq!(birth_year(d7, yy), year, "7th digit {d7}, YY {yy:02}");
            let text = format!("6101{yy:02}-{d7}000");
            assert_eq!(cpr(&text).date_of_birth().year(), year, "{text}");
        }
    }

    #[test]
    fn century_digits_encode_their_own_century() {
        for d7 in 0..=9u8 {
            for yy in 0..=99u8 {
                let year = birth_year(d7, yy);
                assert!(
                    century_digits_for(year).contains(&d7),
                    "7th digit {d7}, YY {yy:02} gives {year}"
                );
            }
        }
        for year in [1857, 2058] {
            assert!(century_digits_for(year).is_empty());
        }
    }

    #[test]
    fn odd_last_digit_is_male_even_is_female() {
        for last in 0..=9u8 {
            let c = cpr(&format!("671290-123{last}"));
            let expected = if last % 2 == 1 {
                Sex::Male
            } else {
                Sex::Female
            };
            assert_eq!(c.sex(), expected, "last digit {last}");
        }
    }

    #[test]
    fn replacement_number_is_recognised_with_its_real_day() {
        let c = cpr("610190-1234");
        assert!(c.is_replacement());
        assert_eq!(c.date_of_birth(), date!(1990 - 01 - 01));
        let c = cpr("911290-1234");
        assert!(c.is_replacement());
        assert_eq!(c.date_of_birth(), date!(1990 - 12 - 31));
    }

    #[test]
    fn ordinary_number_is_not_a_replacement() {
        let c = cpr("150357-5000");
        assert!(!c.is_replacement());
        assert_eq!(c.date_of_birth(), date!(2057 - 03 - 15));
        assert!(!cpr("310157-5000").is_replacement());
    }

    #[test]
    fn modulus11_pass_and_fail_are_both_accepted() {
        let nine = [6, 7, 1, 2, 9, 0, 1, 2, 3];
        let check = passing_check_digit(nine).unwrap();
        let passing = format!("671290-123{check}");
        let failing = format!("671290-123{}", (check + 1) % 10);
        assert!(cpr(&passing).passes_modulus11(), "{passing}");
        assert!(!cpr(&failing).passes_modulus11(), "{failing}");
    }

    #[test]
    fn modulus11_known_examples() {
        // 6*4+1*3+0*2+1*7+9*6+0*5+4*4+0*3+0*2+6*1 = 110 = 10 * 11.
        assert!(cpr("610190-4006").passes_modulus11());
        // One more in the last digit: 111, not divisible by 11.
        assert!(!cpr("610190-4007").passes_modulus11());
    }

    #[test]
    fn age_counts_whole_years_against_the_given_day() {
        let c = cpr("671290-1234"); // 7 December 1990
        assert_eq!(c.age_on(date!(2025 - 12 - 06)), Some(34));
        assert_eq!(c.age_on(date!(2025 - 12 - 07)), Some(35));
        assert_eq!(c.age_on(date!(1990 - 12 - 07)), Some(0));
        assert_eq!(c.age_on(date!(1990 - 12 - 06)), None);
    }

    #[test]
    fn age_of_a_leap_day_birth_moves_on_first_of_march() {
        let c = cpr("890200-4000"); // 29 February 2000
        assert_eq!(c.age_on(date!(2015 - 02 - 28)), Some(14));
        assert_eq!(c.age_on(date!(2015 - 03 - 01)), Some(15));
        assert_eq!(c.age_on(date!(2016 - 02 - 29)), Some(16));
    }

    #[test]
    fn serde_round_trips_as_the_hyphenated_text() {
        let c = cpr("6712901234");
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, "\"671290-1234\"");
        assert_eq!(serde_json::from_str::<Cpr>(&json).unwrap(), c);
        assert!(serde_json::from_str::<Cpr>("\"671290-12\"").is_err());
    }

    #[test]
    fn generated_numbers_are_replacements_matching_date_and_sex() {
        let dates = [
            date!(1858 - 01 - 01),
            date!(1899 - 12 - 31),
            date!(1900 - 02 - 28),
            date!(1936 - 06 - 15),
            date!(1937 - 01 - 31),
            date!(1957 - 07 - 07),
            date!(1958 - 03 - 09),
            date!(1999 - 12 - 31),
            date!(2000 - 02 - 29),
            date!(2010 - 08 - 01),
            date!(2036 - 12 - 31),
            date!(2037 - 01 - 01),
            date!(2057 - 12 - 31),
        ];
        let mut modulus11_passes = 0;
        let mut total = 0;
        for seed in 0..200u64 {
            let mut rng = StdRng::seed_from_u64(seed);
            for born in dates {
                for sex in [Sex::Female, Sex::Male] {
                    let c = Cpr::generate_replacement(born, sex, &mut rng).unwrap();
                    assert!(c.is_replacement(), "{c}");
                    assert_eq!(c.date_of_birth(), born, "{c}");
                    assert_eq!(c.sex(), sex, "{c}");
                    assert_eq!(Cpr::parse(&c.to_string()), Ok(c));
                    assert_eq!(Cpr::parse(&c.to_digits()), Ok(c));
                    total += 1;
                    modulus11_passes += usize::from(c.passes_modulus11());
                }
            }
        }
        // Random serials: some pass modulus 11, most do not; both kinds are produced.
        assert!(modulus11_passes > 0 && modulus11_passes < total / 4);
    }

    #[test]
    fn generated_numbers_use_every_century_digit_of_their_year() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..500 {
            let c =
                Cpr::generate_replacement(date!(1970 - 05 - 20), Sex::Female, &mut rng).unwrap();
            seen.insert(c.to_digits().as_bytes()[6] - b'0');
        }
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![0, 1, 2, 3, 4, 9]);
    }

    #[test]
    fn generator_refuses_years_no_cpr_number_can_encode() {
        let mut rng = StdRng::seed_from_u64(1);
        for born in [date!(1857 - 12 - 31), date!(2058 - 01 - 01)] {
            assert_eq!(
                Cpr::generate_replacement(born, Sex::Male, &mut rng),
                Err(CprError::YearOutOfRange { year: born.year() })
            );
        }
    }
}
