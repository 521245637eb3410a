//! Machine readable zones (Doc 9303 Part 3 for the common rules, Part 4 for TD3 passports with
//! two lines of 44 characters, Part 5 for TD1 identity cards with three lines of 30).
//!
//! [`Mrz::parse`] reads an MRZ and verifies every check digit, the composite one included;
//! [`Mrz::new`] checks fields so that [`Mrz::lines`] can write a valid MRZ from them.

mod date;
mod parse;
mod rules;

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::check_digit::check_digit_char;
pub use date::MrzDate;
use rules::{check_code, check_document_code, invalid, name_field};

/// The filler character (Doc 9303 Part 3, 4.3).
pub const FILLER: char = '<';

/// The size of a machine readable travel document (Doc 9303 Part 3, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    /// An identity card: three lines of 30 characters (Doc 9303 Part 5).
    Td1,
    /// A passport: two lines of 44 characters (Doc 9303 Part 4).
    Td3,
}

impl Format {
    /// How many lines the MRZ has.
    pub fn line_count(self) -> usize {
        match self {
            Format::Td1 => 3,
            Format::Td3 => 2,
        }
    }

    /// How many characters each line has.
    pub fn line_length(self) -> usize {
        match self {
            Format::Td1 => 30,
            Format::Td3 => 44,
        }
    }

    /// The room for the name: 39 characters on a TD3, a whole line of 30 on a TD1.
    fn name_length(self) -> usize {
        match self {
            Format::Td1 => 30,
            Format::Td3 => 39,
        }
    }

    /// The room for the (first) optional data element: the personal number of a TD3 (14), the
    /// optional data of line 1 of a TD1 (15).
    fn optional_data_length(self) -> usize {
        match self {
            Format::Td1 => 15,
            Format::Td3 => 14,
        }
    }

    /// The room for the optional data of line 2 of a TD1; a TD3 has none.
    fn optional_data_2_length(self) -> usize {
        match self {
            Format::Td1 => 11,
            Format::Td3 => 0,
        }
    }
}

/// The sex field (Doc 9303 Part 4, 4.2.2.2): `M`, `F`, or `<` (`X` is read as unspecified too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    /// `M`.
    Male,
    /// `F`.
    Female,
    /// `<` (or `X` when reading).
    Unspecified,
}

impl Sex {
    /// The MRZ character.
    pub fn as_char(self) -> char {
        match self {
            Sex::Male => 'M',
            Sex::Female => 'F',
            Sex::Unspecified => FILLER,
        }
    }
}

/// A field of the MRZ, named in errors so the person can see what to correct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    /// The document code (`P` for passports, `I`, `A` or `C` for identity cards).
    DocumentCode,
    /// The issuing state or organization (three letters).
    IssuingState,
    /// The name: primary and secondary identifier.
    Name,
    /// The document number and its check digit.
    DocumentNumber,
    /// The nationality (three letters).
    Nationality,
    /// The date of birth and its check digit.
    DateOfBirth,
    /// The sex.
    Sex,
    /// The date of expiry and its check digit.
    DateOfExpiry,
    /// The personal number (TD3) or the optional data of line 1 (TD1), with the TD3 check digit.
    OptionalData,
    /// The optional data of line 2 (TD1 only).
    OptionalData2,
    /// The composite check digit over the document number, the dates and the optional data.
    Composite,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::DocumentCode => "document code",
            Field::IssuingState => "issuing state",
            Field::Name => "name",
            Field::DocumentNumber => "document number",
            Field::Nationality => "nationality",
            Field::DateOfBirth => "date of birth",
            Field::Sex => "sex",
            Field::DateOfExpiry => "date of expiry",
            Field::OptionalData => "optional data (personal number)",
            Field::OptionalData2 => "optional data of line 2",
            Field::Composite => "composite check digit",
        })
    }
}

/// Why an MRZ could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MrzError {
    /// Neither two lines of 44 nor three lines of 30.
    #[error(
        "the MRZ has {found}; a passport has 2 lines of 44 characters and an identity card 3 lines \
         of 30"
    )]
    Shape {
        /// The line lengths found, for the message.
        found: String,
    },
    /// A character outside `A`-`Z`, `0`-`9`, `<`.
    #[error(
        "line {line}, position {position}: {character:?} cannot appear in an MRZ (only A-Z, 0-9 \
         and <)"
    )]
    InvalidCharacter {
        /// 1-based line.
        line: usize,
        /// 1-based position in the line.
        position: usize,
        /// The character.
        character: char,
    },
    /// A check digit does not match its field.
    #[error(
        "the check digit of the {field} is {found:?} but the field gives {expected:?}: check the \
         {field} and its check digit"
    )]
    CheckDigit {
        /// The field whose check digit is wrong.
        field: Field,
        /// The check digit on the document.
        found: char,
        /// The check digit the field gives.
        expected: char,
    },
    /// A field has the wrong form.
    #[error("the {field} is not valid: {reason}")]
    InvalidField {
        /// The field.
        field: Field,
        /// What is wrong, in words.
        reason: String,
    },
    /// A field does not fit (when writing an MRZ).
    #[error("the {field} is too long for this document: at most {max} characters")]
    TooLong {
        /// The field.
        field: Field,
        /// The room for it.
        max: usize,
    },
}

impl MrzError {
    /// The field at fault, when there is one.
    pub fn field(&self) -> Option<Field> {
        match self {
            MrzError::Shape { .. } | MrzError::InvalidCharacter { .. } => None,
            MrzError::CheckDigit { field, .. }
            | MrzError::InvalidField { field, .. }
            | MrzError::TooLong { field, .. } => Some(*field),
        }
    }
}

/// The data of the MRZ, in readable form: codes and numbers without trailing fillers, names with
/// spaces between their components.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrzFields {
    /// `P` (passport), or `I`, `A`, `C` (identity card), with an optional second letter.
    pub document_code: String,
    /// The issuing state: a three-letter code of Doc 9303 Part 3 (e.g. `DNK`, the specimen `UTO`).
    pub issuing_state: String,
    /// The primary identifier (surname), e.g. `ERIKSSON`.
    pub primary_identifier: String,
    /// The secondary identifier (given names), e.g. `ANNA MARIA`; may be empty.
    pub secondary_identifier: String,
    /// The document number, at most 9 characters (longer TD1 numbers are not supported).
    pub document_number: String,
    /// The nationality: a three-letter code.
    pub nationality: String,
    /// The date of birth.
    pub date_of_birth: MrzDate,
    /// The sex.
    pub sex: Sex,
    /// The date of expiry.
    pub date_of_expiry: MrzDate,
    /// The personal number (TD3) or the optional data of line 1 (TD1).
    pub optional_data: String,
    /// The optional data of line 2 (TD1); empty for a TD3.
    pub optional_data_2: String,
}

/// A checked MRZ: its fields fit the format, so it can always be written out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mrz {
    format: Format,
    fields: MrzFields,
}

impl Mrz {
    /// Checks that `fields` can be written as an MRZ of `format` (Doc 9303 Part 4, 4.2.2 and
    /// Part 5, 4.2.2): every field in the MRZ alphabet and within its room.
    pub fn new(format: Format, fields: MrzFields) -> Result<Self, MrzError> {
        check_document_code(format, &fields.document_code)?;
        check_code(Field::IssuingState, &fields.issuing_state, 3, true)?;
        check_code(Field::Nationality, &fields.nationality, 3, true)?;
        check_code(Field::DocumentNumber, &fields.document_number, 9, false)?;
        if fields.document_number.is_empty() {
            return Err(invalid(Field::DocumentNumber, "it is empty"));
        }
        check_code(
            Field::OptionalData,
            &fields.optional_data,
            format.optional_data_length(),
            false,
        )?;
        check_code(
            Field::OptionalData2,
            &fields.optional_data_2,
            format.optional_data_2_length(),
            false,
        )?;
        let name = name_field(&fields.primary_identifier, &fields.secondary_identifier)?;
        if name.chars().count() > format.name_length() {
            return Err(MrzError::TooLong {
                field: Field::Name,
                max: format.name_length(),
            });
        }
        Ok(Self { format, fields })
    }

    /// Reads an MRZ: 2 lines of 44 (TD3) or 3 lines of 30 (TD1), separated by line breaks, or run
    /// together in one line of 88 or 90; surrounding blanks are ignored and lower case letters
    /// are read as upper case (typed input). Every check digit is verified (Doc 9303 Part 3, 4.9),
    /// and the error names the first field that is wrong.
    pub fn parse(text: &str) -> Result<Self, MrzError> {
        parse::parse(text)
    }

    /// TD1 or TD3.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The fields.
    pub fn fields(&self) -> &MrzFields {
        &self.fields
    }

    /// The document number padded to its nine characters, as the MRZ and BAC use it.
    pub fn document_number_field(&self) -> String {
        pad(&self.fields.document_number, 9)
    }

    /// The MRZ lines with every check digit computed (Doc 9303 Part 4, 4.2.2; Part 5, 4.2.2).
    pub fn lines(&self) -> Vec<String> {
        let f = &self.fields;
        let code = pad(&f.document_code, 2);
        let state = pad(&f.issuing_state, 3);
        let nationality = pad(&f.nationality, 3);
        let number = self.document_number_field();
        let number_cd = digit(&number);
        let birth = f.date_of_birth.to_string();
        let birth_cd = digit(&birth);
        let expiry = f.date_of_expiry.to_string();
        let expiry_cd = digit(&expiry);
        // `new` has checked the name, so the fallback is never taken.
        let name = name_field(&f.primary_identifier, &f.secondary_identifier).unwrap_or_default();
        let name = pad(&name, self.format.name_length());
        let sex = f.sex.as_char();
        match self.format {
            Format::Td3 => {
                let personal = pad(&f.optional_data, 14);
                // An unused personal number has the check digit `<` (Doc 9303 Part 4, 4.2.2.2).
                let personal_cd = if f.optional_data.is_empty() {
                    FILLER
                } else {
                    digit(&personal)
                };
                let line1 = format!("{code}{state}{name}");
                let mut line2 = format!(
                    "{number}{number_cd}{nationality}{birth}{birth_cd}{sex}{expiry}{expiry_cd}\
                     {personal}{personal_cd}"
                );
                let composite = digit(&td3_composite_input(&line2));
                line2.push(composite);
                vec![line1, line2]
            }
            Format::Td1 => {
                let optional = pad(&f.optional_data, 15);
                let optional_2 = pad(&f.optional_data_2, 11);
                let line1 = format!("{code}{state}{number}{number_cd}{optional}");
                let mut line2 =
                    format!("{birth}{birth_cd}{sex}{expiry}{expiry_cd}{nationality}{optional_2}");
                let composite = digit(&td1_composite_input(&line1, &line2));
                line2.push(composite);
                vec![line1, line2, name]
            }
        }
    }

    /// Whether the document has expired on `today` (it is valid through its expiry date).
    pub fn is_expired(&self, today: time::Date) -> bool {
        self.fields.date_of_expiry.expiry_date(today) < today
    }
}

impl fmt::Display for Mrz {
    /// The lines separated by `\n`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

/// Where the check digit of `field` stands: 0-based line and position. `None` for fields
/// without a check digit (the name, the codes, the sex, and a TD1's second optional data).
///
/// Doc 9303 Part 4, 4.2.2.2 (TD3) and Part 5, 4.2.2.2 (TD1). The TD1 optional data of line 1
/// has no check digit of its own; only the composite covers it.
pub fn check_digit_position(format: Format, field: Field) -> Option<(usize, usize)> {
    match (format, field) {
        (Format::Td3, Field::DocumentNumber) => Some((1, 9)),
        (Format::Td3, Field::DateOfBirth) => Some((1, 19)),
        (Format::Td3, Field::DateOfExpiry) => Some((1, 27)),
        (Format::Td3, Field::OptionalData) => Some((1, 42)),
        (Format::Td3, Field::Composite) => Some((1, 43)),
        (Format::Td1, Field::DocumentNumber) => Some((0, 14)),
        (Format::Td1, Field::DateOfBirth) => Some((1, 6)),
        (Format::Td1, Field::DateOfExpiry) => Some((1, 14)),
        (Format::Td1, Field::Composite) => Some((1, 29)),
        _ => None,
    }
}

/// The TD3 composite covers line 2 positions 1-10, 14-20 and 22-43 (Doc 9303 Part 4, 4.2.2.2).
fn td3_composite_input(line2: &str) -> String {
    let chars: Vec<char> = line2.chars().collect();
    chars[0..10]
        .iter()
        .chain(&chars[13..20])
        .chain(&chars[21..43])
        .collect()
}

/// The TD1 composite covers line 1 positions 6-30 and line 2 positions 1-7, 9-15 and 19-29
/// (Doc 9303 Part 5, 4.2.2.2).
fn td1_composite_input(line1: &str, line2: &str) -> String {
    let one: Vec<char> = line1.chars().collect();
    let two: Vec<char> = line2.chars().collect();
    one[5..30]
        .iter()
        .chain(&two[0..7])
        .chain(&two[8..15])
        .chain(&two[18..29])
        .collect()
}

/// The check digit of text already checked to be in the MRZ alphabet (so the filler fallback is
/// never taken).
fn digit(field: &str) -> char {
    check_digit_char(field).unwrap_or(FILLER)
}

fn pad(text: &str, width: usize) -> String {
    let mut padded = text.to_string();
    while padded.chars().count() < width {
        padded.push(FILLER);
    }
    padded
}
