//! Reading an MRZ and verifying its check digits (Doc 9303 Part 3, 4.9; Part 4, 4.2.2; Part 5,
//! 4.2.2).

use super::{
    digit, td1_composite_input, td3_composite_input, Field, Format, Mrz, MrzDate, MrzError,
    MrzFields, Sex, FILLER,
};

pub(super) fn parse(text: &str) -> Result<Mrz, MrzError> {
    let lines = split_lines(text)?;
    for (l, line) in lines.iter().enumerate() {
        for (p, character) in line.chars().enumerate() {
            if !(character.is_ascii_uppercase()
                || character.is_ascii_digit()
                || character == FILLER)
            {
                return Err(MrzError::InvalidCharacter {
                    line: l + 1,
                    position: p + 1,
                    character,
                });
            }
        }
    }
    // Every character is ASCII from here on, so byte ranges are character ranges.
    let (format, fields) = match lines.as_slice() {
        [line1, line2] => (Format::Td3, parse_td3(line1, line2)?),
        [line1, line2, line3] => (Format::Td1, parse_td1(line1, line2, line3)?),
        _ => {
            return Err(MrzError::Shape {
                found: describe(&lines),
            })
        }
    };
    Ok(Mrz { format, fields })
}

/// Lines of 44 or 30; one run-together line of 88 or 90 is split.
fn split_lines(text: &str) -> Result<Vec<String>, MrzError> {
    let lines: Vec<String> = text
        .lines()
        .map(|line| line.trim().to_ascii_uppercase())
        .filter(|line| !line.is_empty())
        .collect();
    let lengths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
    let split = |line: &str, width: usize| -> Vec<String> {
        let chars: Vec<char> = line.chars().collect();
        chars.chunks(width).map(|c| c.iter().collect()).collect()
    };
    match lengths.as_slice() {
        [44, 44] | [30, 30, 30] => Ok(lines),
        [88] => Ok(split(&lines[0], 44)),
        [90] => Ok(split(&lines[0], 30)),
        _ => Err(MrzError::Shape {
            found: describe(&lines),
        }),
    }
}

fn describe(lines: &[String]) -> String {
    let lengths: Vec<String> = lines
        .iter()
        .map(|l| l.chars().count().to_string())
        .collect();
    match lines.len() {
        0 => "no lines".to_string(),
        1 => format!("1 line of {} characters", lengths.join("")),
        n => format!("{n} lines of {} characters", lengths.join(", ")),
    }
}

fn parse_td3(line1: &str, line2: &str) -> Result<MrzFields, MrzError> {
    let document_code = trim(&line1[0..2]);
    let issuing_state = trim(&line1[2..5]);
    let (primary_identifier, secondary_identifier) = parse_name(&line1[5..44])?;
    let document_number = checked(Field::DocumentNumber, &line2[0..9], &line2[9..10])?;
    let nationality = trim(&line2[10..13]);
    let date_of_birth = date(Field::DateOfBirth, &line2[13..19], &line2[19..20])?;
    let sex = parse_sex(&line2[20..21])?;
    let date_of_expiry = date(Field::DateOfExpiry, &line2[21..27], &line2[27..28])?;
    let personal = &line2[28..42];
    let personal_cd = &line2[42..43];
    // An unused personal number may carry `<` (or 0) as its check digit (Part 4, 4.2.2.2).
    let optional_data = if personal.chars().all(|c| c == FILLER) && personal_cd == "<" {
        String::new()
    } else {
        checked(Field::OptionalData, personal, personal_cd)?
    };
    composite(&td3_composite_input(line2), &line2[43..44])?;
    let fields = MrzFields {
        document_code,
        issuing_state,
        primary_identifier,
        secondary_identifier,
        document_number,
        nationality,
        date_of_birth,
        sex,
        date_of_expiry,
        optional_data,
        optional_data_2: String::new(),
    };
    recheck(Format::Td3, fields)
}

fn parse_td1(line1: &str, line2: &str, line3: &str) -> Result<MrzFields, MrzError> {
    let document_code = trim(&line1[0..2]);
    let issuing_state = trim(&line1[2..5]);
    let document_number = checked(Field::DocumentNumber, &line1[5..14], &line1[14..15])?;
    let optional_data = trim(&line1[15..30]);
    let date_of_birth = date(Field::DateOfBirth, &line2[0..6], &line2[6..7])?;
    let sex = parse_sex(&line2[7..8])?;
    let date_of_expiry = date(Field::DateOfExpiry, &line2[8..14], &line2[14..15])?;
    let nationality = trim(&line2[15..18]);
    let optional_data_2 = trim(&line2[18..29]);
    composite(&td1_composite_input(line1, line2), &line2[29..30])?;
    let (primary_identifier, secondary_identifier) = parse_name(line3)?;
    let fields = MrzFields {
        document_code,
        issuing_state,
        primary_identifier,
        secondary_identifier,
        document_number,
        nationality,
        date_of_birth,
        sex,
        date_of_expiry,
        optional_data,
        optional_data_2,
    };
    recheck(Format::Td1, fields)
}

/// The field rules of [`Mrz::new`] (document code, state codes, name), applied to what was read.
fn recheck(format: Format, fields: MrzFields) -> Result<MrzFields, MrzError> {
    Mrz::new(format, fields).map(|mrz| mrz.fields)
}

fn trim(text: &str) -> String {
    text.trim_end_matches(FILLER).to_string()
}

/// Verifies the check digit of a field and returns the field without trailing fillers.
fn checked(field: Field, value: &str, check: &str) -> Result<String, MrzError> {
    verify(field, value, check)?;
    Ok(trim(value))
}

fn verify(field: Field, value: &str, check: &str) -> Result<(), MrzError> {
    let expected = digit(value);
    let found = check.chars().next().unwrap_or(FILLER);
    if found != expected {
        return Err(MrzError::CheckDigit {
            field,
            found,
            expected,
        });
    }
    Ok(())
}

fn composite(input: &str, check: &str) -> Result<(), MrzError> {
    verify(Field::Composite, input, check)
}

fn date(field: Field, value: &str, check: &str) -> Result<MrzDate, MrzError> {
    let parsed = MrzDate::parse(value).map_err(|reason| MrzError::InvalidField {
        field,
        reason: reason.to_string(),
    })?;
    verify(field, value, check)?;
    Ok(parsed)
}

fn parse_sex(value: &str) -> Result<Sex, MrzError> {
    match value {
        "M" => Ok(Sex::Male),
        "F" => Ok(Sex::Female),
        "<" | "X" => Ok(Sex::Unspecified),
        _ => Err(MrzError::InvalidField {
            field: Field::Sex,
            reason: format!("{value:?} is not M, F, X or <"),
        }),
    }
}

/// Primary and secondary identifier, separated by `<<`; `<` between components becomes a space.
fn parse_name(field: &str) -> Result<(String, String), MrzError> {
    let field = field.trim_end_matches(FILLER);
    let (primary, secondary) = field.split_once("<<").unwrap_or((field, ""));
    let words = |text: &str| {
        text.split(FILLER)
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    if primary.chars().any(|c| c.is_ascii_digit()) || secondary.chars().any(|c| c.is_ascii_digit())
    {
        return Err(MrzError::InvalidField {
            field: Field::Name,
            reason: "a name has no digits".to_string(),
        });
    }
    Ok((words(primary), words(secondary)))
}
