//! MRZ parsing, check digits and writing (ICAO Doc 9303 Parts 3, 4, 5).

use passport::mrz::check_digit_position;
use passport::{Field, Format, Mrz, MrzDate, MrzError, MrzFields, Sex};
use time::macros::date;

/// The ICAO specimen passport (Doc 9303 Part 4, Appendix A).
const TD3_SPECIMEN: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n\
                            L898902C36UTO7408122F1204159ZE184226B<<<<<10";

/// The ICAO specimen identity card (Doc 9303 Part 5, Appendix A), same person.
const TD1_SPECIMEN: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n\
                            7408122F1204159UTO<<<<<<<<<<<6\n\
                            ERIKSSON<<ANNA<MARIA<<<<<<<<<<";

fn date(text: &str) -> MrzDate {
    MrzDate::parse(text).unwrap()
}

/// Replaces one character of an MRZ (0-based line and position).
fn with_char(mrz: &str, line: usize, position: usize, character: char) -> String {
    let mut lines: Vec<Vec<char>> = mrz.lines().map(|l| l.chars().collect()).collect();
    lines[line][position] = character;
    lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The same digit plus one, so it is certainly wrong.
fn other_digit(character: char) -> char {
    let value = character.to_digit(10).unwrap_or(0);
    char::from_digit((value + 1) % 10, 10).unwrap()
}

#[test]
fn td3_specimen_parses_into_its_fields() {
    let mrz = Mrz::parse(TD3_SPECIMEN).unwrap();
    assert_eq!(mrz.format(), Format::Td3);
    let f = mrz.fields();
    assert_eq!(f.document_code, "P");
    assert_eq!(f.issuing_state, "UTO");
    assert_eq!(f.primary_identifier, "ERIKSSON");
    assert_eq!(f.secondary_identifier, "ANNA MARIA");
    assert_eq!(f.document_number, "L898902C3");
    assert_eq!(f.nationality, "UTO");
    assert_eq!(f.date_of_birth, date("740812"));
    assert_eq!(f.sex, Sex::Female);
    assert_eq!(f.date_of_expiry, date("120415"));
    assert_eq!(f.optional_data, "ZE184226B");
    assert_eq!(f.optional_data_2, "");
    let today = date!(2026 - 11 - 26);
    assert_eq!(f.date_of_birth.birth_date(today), date!(1974 - 08 - 12));
    assert!(mrz.is_expired(today));
    assert!(!mrz.is_expired(date!(2012 - 04 - 15)));
}

#[test]
fn td1_specimen_parses_into_its_fields() {
    let mrz = Mrz::parse(TD1_SPECIMEN).unwrap();
    assert_eq!(mrz.format(), Format::Td1);
    let f = mrz.fields();
    assert_eq!(f.document_code, "I");
    assert_eq!(f.issuing_state, "UTO");
    assert_eq!(f.document_number, "D23145890");
    assert_eq!(f.optional_data, "");
    assert_eq!(f.date_of_birth, date("740812"));
    assert_eq!(f.sex, Sex::Female);
    assert_eq!(f.date_of_expiry, date("120415"));
    assert_eq!(f.nationality, "UTO");
    assert_eq!(f.primary_identifier, "ERIKSSON");
    assert_eq!(f.secondary_identifier, "ANNA MARIA");
}

#[test]
fn specimens_are_written_back_exactly() {
    for specimen in [TD3_SPECIMEN, TD1_SPECIMEN] {
        let mrz = Mrz::parse(specimen).unwrap();
        assert_eq!(mrz.to_string(), specimen);
        let rebuilt = Mrz::new(mrz.format(), mrz.fields().clone()).unwrap();
        assert_eq!(rebuilt.lines().join("\n"), specimen);
    }
}

#[test]
fn run_together_lower_case_and_blank_padded_input_is_accepted() {
    let joined = TD3_SPECIMEN.replace('\n', "").to_lowercase();
    let mrz = Mrz::parse(&format!("  {joined}  \n")).unwrap();
    assert_eq!(mrz.fields().document_number, "L898902C3");
    let td1 = Mrz::parse(&format!("\n{}\r\n", TD1_SPECIMEN.replace('\n', "\r\n"))).unwrap();
    assert_eq!(td1.format(), Format::Td1);
}

#[test]
fn wrong_check_digit_names_each_td3_field() {
    let cases = [
        (Field::DocumentNumber, 9),
        (Field::DateOfBirth, 19),
        (Field::DateOfExpiry, 27),
        (Field::OptionalData, 42),
        (Field::Composite, 43),
    ];
    for (field, position) in cases {
        assert_eq!(
            check_digit_position(Format::Td3, field),
            Some((1, position))
        );
        let original = TD3_SPECIMEN
            .lines()
            .nth(1)
            .unwrap()
            .chars()
            .nth(position)
            .unwrap();
        let wrong = other_digit(original);
        let broken = with_char(TD3_SPECIMEN, 1, position, wrong);
        let error = Mrz::parse(&broken).unwrap_err();
        assert_eq!(
            error,
            MrzError::CheckDigit {
                field,
                found: wrong,
                expected: original
            },
            "{field}"
        );
        assert_eq!(error.field(), Some(field));
        assert!(error.to_string().contains(&field.to_string()));
    }
}

#[test]
fn wrong_check_digit_names_each_td1_field() {
    for field in [
        Field::DocumentNumber,
        Field::DateOfBirth,
        Field::DateOfExpiry,
        Field::Composite,
    ] {
        let (line, position) = check_digit_position(Format::Td1, field).unwrap();
        let original = TD1_SPECIMEN
            .lines()
            .nth(line)
            .unwrap()
            .chars()
            .nth(position)
            .unwrap();
        let broken = with_char(TD1_SPECIMEN, line, position, other_digit(original));
        assert_eq!(
            Mrz::parse(&broken).unwrap_err().field(),
            Some(field),
            "{field}"
        );
    }
}

#[test]
fn a_changed_field_is_caught_by_its_check_digit() {
    // The document number L898902C3 read as L898902C8.
    let broken = with_char(TD3_SPECIMEN, 1, 8, '8');
    assert_eq!(
        Mrz::parse(&broken).unwrap_err().field(),
        Some(Field::DocumentNumber)
    );
    // TD1 optional data has no check digit of its own; the composite catches it.
    let broken = with_char(TD1_SPECIMEN, 0, 20, 'X');
    assert_eq!(
        Mrz::parse(&broken).unwrap_err().field(),
        Some(Field::Composite)
    );
}

#[test]
fn invalid_dates_and_sex_are_named() {
    let bad_month = with_char(TD3_SPECIMEN, 1, 15, '9'); // 749812
    assert!(matches!(
        Mrz::parse(&bad_month).unwrap_err(),
        MrzError::InvalidField {
            field: Field::DateOfBirth,
            ..
        }
    ));
    let bad_sex = with_char(TD3_SPECIMEN, 1, 20, 'Q');
    assert_eq!(Mrz::parse(&bad_sex).unwrap_err().field(), Some(Field::Sex));
    let bad_code = with_char(TD3_SPECIMEN, 0, 0, 'X');
    assert_eq!(
        Mrz::parse(&bad_code).unwrap_err().field(),
        Some(Field::DocumentCode)
    );
}

#[test]
fn wrong_shape_and_characters_are_refused() {
    assert!(matches!(
        Mrz::parse("P<UTOERIKSSON").unwrap_err(),
        MrzError::Shape { .. }
    ));
    assert!(matches!(
        Mrz::parse("").unwrap_err(),
        MrzError::Shape { .. }
    ));
    let td3_first_line = TD3_SPECIMEN.lines().next().unwrap();
    assert!(matches!(
        Mrz::parse(td3_first_line).unwrap_err(),
        MrzError::Shape { .. }
    ));
    let broken = with_char(TD3_SPECIMEN, 0, 7, '-');
    assert_eq!(
        Mrz::parse(&broken).unwrap_err(),
        MrzError::InvalidCharacter {
            line: 1,
            position: 8,
            character: '-'
        }
    );
}

#[test]
fn empty_personal_number_has_a_filler_check_digit() {
    let mut fields = Mrz::parse(TD3_SPECIMEN).unwrap().fields().clone();
    fields.optional_data = String::new();
    let mrz = Mrz::new(Format::Td3, fields).unwrap();
    let line2 = mrz.lines()[1].clone();
    assert_eq!(&line2[28..43], "<<<<<<<<<<<<<<<");
    assert_eq!(Mrz::parse(&mrz.to_string()).unwrap(), mrz);
    // A zero is the other allowed check digit of an unused personal number.
    let zero = with_char(&mrz.to_string(), 1, 42, '0');
    assert_eq!(Mrz::parse(&zero).unwrap().fields().optional_data, "");
}

fn danish_fields() -> MrzFields {
    MrzFields {
        document_code: "P".into(),
        issuing_state: "DNK".into(),
        primary_identifier: "NIELSEN JENSEN".into(),
        secondary_identifier: "SOFIE".into(),
        document_number: "207483921".into(),
        nationality: "DNK".into(),
        date_of_birth: date("950317"),
        sex: Sex::Female,
        date_of_expiry: date("330901"),
        optional_data: String::new(),
        optional_data_2: String::new(),
    }
}

#[test]
fn generated_td3_round_trips() {
    let mrz = Mrz::new(Format::Td3, danish_fields()).unwrap();
    let lines = mrz.lines();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l.len() == 44));
    assert_eq!(lines[0], "P<DNKNIELSEN<JENSEN<<SOFIE<<<<<<<<<<<<<<<<<<");
    assert_eq!(Mrz::parse(&mrz.to_string()).unwrap(), mrz);
}

#[test]
fn generated_td1_round_trips() {
    let mut fields = danish_fields();
    fields.document_code = "ID".into();
    fields.optional_data = "AB12".into();
    fields.optional_data_2 = "X9".into();
    fields.sex = Sex::Unspecified;
    let mrz = Mrz::new(Format::Td1, fields).unwrap();
    let lines = mrz.lines();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l.len() == 30));
    assert_eq!(Mrz::parse(&mrz.to_string()).unwrap(), mrz);
}

#[test]
fn fields_that_do_not_fit_are_named() {
    let mut fields = danish_fields();
    fields.primary_identifier = "A".repeat(40);
    assert_eq!(
        Mrz::new(Format::Td3, fields).unwrap_err(),
        MrzError::TooLong {
            field: Field::Name,
            max: 39
        }
    );
    let mut fields = danish_fields();
    fields.document_number = "1234567890".into();
    assert_eq!(
        Mrz::new(Format::Td3, fields).unwrap_err().field(),
        Some(Field::DocumentNumber)
    );
    let mut fields = danish_fields();
    fields.primary_identifier = "MØLLER".into();
    assert_eq!(
        Mrz::new(Format::Td3, fields).unwrap_err().field(),
        Some(Field::Name)
    );
    let mut fields = danish_fields();
    fields.optional_data_2 = "X".into();
    assert_eq!(
        Mrz::new(Format::Td3, fields).unwrap_err().field(),
        Some(Field::OptionalData2)
    );
    // A passport's document code starts with P.
    let mut fields = danish_fields();
    fields.document_code = "I".into();
    assert_eq!(
        Mrz::new(Format::Td3, fields).unwrap_err().field(),
        Some(Field::DocumentCode)
    );
}
