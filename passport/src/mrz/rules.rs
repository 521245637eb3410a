//! The rules a field must follow to be written in an MRZ (Doc 9303 Part 3, 4.3 and 6; Part 4,
//! 4.2.2; Part 5, 4.2.2).

use super::{Field, Format, MrzError, FILLER};

pub(super) fn invalid(field: Field, reason: &str) -> MrzError {
    MrzError::InvalidField {
        field,
        reason: reason.to_string(),
    }
}

pub(super) fn check_document_code(format: Format, code: &str) -> Result<(), MrzError> {
    let mut chars = code.chars();
    let first = chars.next();
    let allowed_first: &[char] = match format {
        Format::Td3 => &['P'],
        Format::Td1 => &['I', 'A', 'C'],
    };
    match first {
        Some(c) if allowed_first.contains(&c) => {}
        _ => {
            return Err(invalid(
                Field::DocumentCode,
                match format {
                    Format::Td3 => "a passport's document code starts with P",
                    Format::Td1 => "an identity card's document code starts with I, A or C",
                },
            ))
        }
    }
    match (chars.next(), chars.next()) {
        (None, _) => Ok(()),
        (Some(c), None) if c.is_ascii_uppercase() => Ok(()),
        _ => Err(invalid(
            Field::DocumentCode,
            "it is one letter, optionally followed by a second letter",
        )),
    }
}

/// A code or number field: upper case letters (and digits unless `letters_only`), no fillers
/// inside except in optional data.
pub(super) fn check_code(
    field: Field,
    value: &str,
    max: usize,
    letters_only: bool,
) -> Result<(), MrzError> {
    if value.chars().count() > max {
        return Err(MrzError::TooLong { field, max });
    }
    let fillers_allowed = matches!(field, Field::OptionalData | Field::OptionalData2);
    let ok = value.chars().all(|c| {
        c.is_ascii_uppercase()
            || (!letters_only && c.is_ascii_digit())
            || (fillers_allowed && c == FILLER)
    });
    if !ok {
        let allowed = if letters_only {
            "only the letters A-Z are allowed"
        } else {
            "only the letters A-Z and digits are allowed"
        };
        return Err(invalid(field, allowed));
    }
    if letters_only && value.is_empty() {
        return Err(invalid(field, "it is empty"));
    }
    Ok(())
}

/// The name field without padding: primary identifier, `<<`, secondary identifier, with spaces
/// and hyphens between name components written as `<` (Doc 9303 Part 3, 4.6).
pub(super) fn name_field(primary: &str, secondary: &str) -> Result<String, MrzError> {
    let component = |text: &str| -> Result<String, MrzError> {
        let words: Vec<&str> = text.split([' ', '-']).filter(|w| !w.is_empty()).collect();
        if !words
            .iter()
            .all(|w| w.chars().all(|c| c.is_ascii_uppercase()))
        {
            return Err(invalid(
                Field::Name,
                "names are written in the letters A-Z (transliterate, Doc 9303 Part 3, 6)",
            ));
        }
        Ok(words.join("<"))
    };
    let primary = component(primary)?;
    if primary.is_empty() {
        return Err(invalid(Field::Name, "the primary identifier is empty"));
    }
    let secondary = component(secondary)?;
    Ok(if secondary.is_empty() {
        primary
    } else {
        format!("{primary}<<{secondary}")
    })
}
