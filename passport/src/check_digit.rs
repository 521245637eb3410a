//! The ICAO 9303 check digit (Doc 9303 Part 3, section 4.9).
//!
//! Each character gets a value (`0`-`9` their digit, `A`-`Z` 10 to 35, the filler `<` zero), each
//! value is multiplied by the repeating weights 7, 3, 1, and the check digit is the sum modulo 10.

use thiserror::Error;

/// The repeating weights of Doc 9303 Part 3, 4.9.
const WEIGHTS: [u32; 3] = [7, 3, 1];

/// A character outside the MRZ alphabet (`A`-`Z`, `0`-`9`, `<`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("{character:?} is not an MRZ character (only A-Z, 0-9 and < are allowed)")]
pub struct InvalidCharacter {
    /// The offending character.
    pub character: char,
}

/// The numeric value of one MRZ character (Doc 9303 Part 3, 4.9): digits their value, `A`-`Z`
/// 10 to 35, the filler `<` 0.
pub fn character_value(character: char) -> Result<u32, InvalidCharacter> {
    match character {
        '0'..='9' => Ok(character as u32 - '0' as u32),
        'A'..='Z' => Ok(character as u32 - 'A' as u32 + 10),
        '<' => Ok(0),
        _ => Err(InvalidCharacter { character }),
    }
}

/// The check digit (0 to 9) over `field` (Doc 9303 Part 3, 4.9).
pub fn check_digit(field: &str) -> Result<u8, InvalidCharacter> {
    let mut sum = 0u32;
    for (index, character) in field.chars().enumerate() {
        sum += character_value(character)? * WEIGHTS[index % WEIGHTS.len()];
    }
    // `sum % 10` is below 10, so the narrowing cannot lose anything.
    Ok((sum % 10) as u8)
}

/// The check digit over `field` as the MRZ character `'0'`-`'9'`.
pub fn check_digit_char(field: &str) -> Result<char, InvalidCharacter> {
    Ok(char::from(b'0' + check_digit(field)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_values_follow_the_icao_table() {
        assert_eq!(character_value('0'), Ok(0));
        assert_eq!(character_value('9'), Ok(9));
        assert_eq!(character_value('A'), Ok(10));
        assert_eq!(character_value('L'), Ok(21));
        assert_eq!(character_value('Z'), Ok(35));
        assert_eq!(character_value('<'), Ok(0));
    }

    #[test]
    fn lowercase_and_punctuation_are_rejected() {
        assert_eq!(
            character_value('a'),
            Err(InvalidCharacter { character: 'a' })
        );
        assert!(check_digit("L898-02C3").is_err());
        assert!(check_digit("ÆØÅ").is_err());
    }

    #[test]
    fn worked_example_of_part_3_date_field() {
        // Doc 9303 Part 3 works the date 27 July 1952 ("520727"): 5*7 + 2*3 + 0*1 + 7*7 + 2*3
        // + 7*1 = 103, so the check digit is 3.
        assert_eq!(check_digit("520727"), Ok(3));
    }

    #[test]
    fn specimen_passport_fields() {
        // The fields of the ICAO specimen passport of Anna Maria Eriksson (Part 4).
        assert_eq!(check_digit("L898902C3"), Ok(6));
        assert_eq!(check_digit("740812"), Ok(2));
        assert_eq!(check_digit("120415"), Ok(9));
        assert_eq!(check_digit("ZE184226B<<<<<"), Ok(1));
        assert_eq!(
            check_digit("L898902C3674081221204159ZE184226B<<<<<1"),
            Ok(0)
        );
    }

    #[test]
    fn fillers_count_as_zero() {
        assert_eq!(check_digit("L898902C<"), check_digit("L898902C0"));
        assert_eq!(check_digit("<<<<<<<<<<<<<<"), Ok(0));
        assert_eq!(check_digit(""), Ok(0));
    }

    #[test]
    fn check_digit_char_is_ascii_digit() {
        assert_eq!(check_digit_char("L898902C3"), Ok('6'));
        assert_eq!(check_digit_char("D23145890"), Ok('7'));
    }
}
