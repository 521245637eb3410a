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
        let c = Cpr::generate_replacement(date!(1970 - 05 - 20), Sex::Female, &mut rng).unwrap();
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
