//! The onboarding's input rules, each answering what is wrong in words the page can show.

use passport::{Mrz, Sex};
use time::Date;

use crate::mitid::{self, Cpr};

/// An MRZ as typed or pasted: upper case, each line trimmed, blank lines dropped, spaces inside
/// a line removed (a camera or a person adds them).
pub fn normalise_mrz(text: &str) -> String {
    text.lines()
        .map(|line| {
            line.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_uppercase()
        })
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The CPR number typed, if it agrees with the document. Only replacement numbers (day of
/// month + 60) are accepted, so the simulator never stores a real person's number.
pub fn check_cpr(text: &str, mrz: &Mrz, today: Date) -> Result<Cpr, String> {
    let cpr = Cpr::parse(text).map_err(|e| format!("That is not a CPR number: {e}."))?;
    if !cpr.is_replacement() {
        return Err(
            "The simulator takes only replacement CPR numbers (day of month + 60), so no real \
             person's number is ever stored; use the number suggested."
                .into(),
        );
    }
    let born = mrz.fields().date_of_birth.birth_date(today);
    if cpr.date_of_birth() != born {
        return Err(format!(
            "The CPR number gives the date of birth {}, but the document says {born}.",
            cpr.date_of_birth()
        ));
    }
    let sex = match mrz.fields().sex {
        Sex::Male => Some(mitid::Sex::Male),
        Sex::Female => Some(mitid::Sex::Female),
        Sex::Unspecified => None,
    };
    if sex.is_some_and(|s| s != cpr.sex()) {
        return Err("The CPR number's last digit gives another sex than the document.".into());
    }
    Ok(cpr)
}

/// A replacement CPR number for the document's holder, to suggest on the page.
pub fn suggest_cpr(mrz: &Mrz, today: Date) -> Option<Cpr> {
    let sex = match mrz.fields().sex {
        Sex::Male => mitid::Sex::Male,
        _ => mitid::Sex::Female,
    };
    let born = mrz.fields().date_of_birth.birth_date(today);
    Cpr::generate_replacement(born, sex, &mut rand::thread_rng()).ok()
}

/// The user-ID rules shown on the page.
pub const USER_ID_RULES: &str = "6 to 64 characters: letters a-z, digits and . _ -, with at \
                                 least one letter; not already taken";

pub fn check_user_id(user_id: &str) -> Result<(), String> {
    let length = user_id.chars().count();
    let allowed = user_id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    let letter = user_id.chars().any(|c| c.is_ascii_alphabetic());
    if !(6..=64).contains(&length) || !allowed || !letter {
        return Err(format!("The user ID must be {USER_ID_RULES}."));
    }
    Ok(())
}

/// A phone number for the SMS: `+` and 8 to 15 digits; eight digits alone are Danish (+45).
pub fn normalise_phone(phone: &str) -> Result<String, String> {
    let compact: String = phone.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err("The phone number may hold only digits (and a leading +).".into());
    }
    match (compact.starts_with('+'), digits.len()) {
        (false, 8) => Ok(format!("+45{digits}")),
        (true, 8..=15) => Ok(compact),
        _ => Err("Give a phone number: eight digits, or + and the country code.".into()),
    }
}

/// The personal PIN: 4 to 6 digits, typed twice the same, not one digit repeated and not a
/// run like 1234 or 9876.
pub fn check_pin(pin: &str, confirm: &str) -> Result<(), String> {
    let digits: Vec<u32> = pin.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(4..=6).contains(&pin.len()) || digits.len() != pin.len() {
        return Err("The PIN must be 4 to 6 digits.".into());
    }
    if pin != confirm {
        return Err("The two PINs differ; type the same PIN twice.".into());
    }
    let steps: Vec<i64> = digits
        .windows(2)
        .map(|w| i64::from(w[1]) - i64::from(w[0]))
        .collect();
    if steps.iter().all(|s| *s == 0) {
        return Err("The PIN must not be one digit repeated.".into());
    }
    if steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1) {
        return Err("The PIN must not be a run of digits like 1234.".into());
    }
    Ok(())
}

/// `ANNA MARIA` -> `Anna Maria` (the MRZ writes names in capitals, `<` between words).
pub fn title_case(name: &str) -> String {
    name.split([' ', '<'])
        .filter(|w| !w.is_empty())
        .map(|word| {
            let lower = word.to_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mrz_is_normalised_before_it_is_parsed() {
        assert_eq!(normalise_mrz("  p<uto \n\n abc<<1 \n"), "P<UTO\nABC<<1");
    }

    #[test]
    fn user_ids_follow_the_rules() {
        assert!(check_user_id("new.person-1").is_ok());
        for bad in ["short", "123456789", "has space", "æøåæøå", &"x".repeat(65)] {
            assert!(check_user_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_numbers_get_a_country_code() {
        assert_eq!(normalise_phone("12 34 56 78").unwrap(), "+4512345678");
        assert_eq!(normalise_phone("+46 701234567").unwrap(), "+46701234567");
        assert!(normalise_phone("1234").is_err());
        assert!(normalise_phone("+45 12-34").is_err());
    }

    #[test]
    fn pins_must_be_digits_typed_twice_and_not_trivial() {
        assert!(check_pin("2580", "2580").is_ok());
        assert!(check_pin("135792", "135792").is_ok());
        for (pin, confirm) in [
            ("123", "123"),
            ("1234567", "1234567"),
            ("12a4", "12a4"),
            ("2580", "2581"),
            ("7777", "7777"),
            ("1234", "1234"),
            ("98765", "98765"),
        ] {
            assert!(check_pin(pin, confirm).is_err(), "{pin}/{confirm}");
        }
    }

    #[test]
    fn names_are_title_cased() {
        assert_eq!(title_case("ANNA<MARIA"), "Anna Maria");
        assert_eq!(title_case("SORENSEN"), "Sorensen");
    }
}
