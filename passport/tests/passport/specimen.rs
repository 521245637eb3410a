//! Specimen documents: deterministic people, valid MRZs, faults on purpose.

use passport::specimen::{face_image, specimen_mrz, Fault, Person, SpecimenAuthority};
use passport::{Field, Format, Mrz, MrzError};
use time::macros::date;
use time::Date;

const TODAY: Date = date!(2026 - 11 - 26);

fn authority() -> SpecimenAuthority {
    SpecimenAuthority::new("UTO", "UT", TODAY).unwrap()
}

#[test]
fn the_same_seed_gives_the_same_person_and_mrz() {
    for format in [Format::Td3, Format::Td1] {
        let a = Person::from_seed(7, TODAY);
        let b = Person::from_seed(7, TODAY);
        assert_eq!(a, b);
        let mrz_a = specimen_mrz(7, &a, format, "UTO", false, TODAY).unwrap();
        let mrz_b = specimen_mrz(7, &b, format, "UTO", false, TODAY).unwrap();
        assert_eq!(mrz_a.to_string(), mrz_b.to_string());
        assert_eq!(face_image(7), face_image(7));
    }
}

#[test]
fn different_seeds_give_different_people() {
    let documents: std::collections::HashSet<String> = (0..20)
        .map(|seed| {
            let person = Person::from_seed(seed, TODAY);
            specimen_mrz(seed, &person, Format::Td3, "UTO", false, TODAY)
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(documents.len(), 20);
    assert_ne!(face_image(1), face_image(2));
}

#[test]
fn specimens_parse_and_are_valid_today() {
    let authority = authority();
    for seed in 0..30 {
        for format in [Format::Td3, Format::Td1] {
            let specimen = authority.issue(seed, format, None, TODAY).unwrap();
            let parsed = Mrz::parse(&specimen.printed_mrz).unwrap();
            assert_eq!(parsed, specimen.mrz);
            assert_eq!(parsed.format(), format);
            assert!(!parsed.is_expired(TODAY), "seed {seed}");
            let born = parsed.fields().date_of_birth.birth_date(TODAY);
            assert_eq!(born, specimen.person.date_of_birth);
            let age_years = (TODAY - born).whole_days() / 365;
            assert!((18..=80).contains(&age_years), "age {age_years}");
            assert!(specimen.chip.is_some());
        }
    }
}

#[test]
fn expired_specimen_is_expired_today() {
    let specimen = authority()
        .issue(3, Format::Td3, Some(Fault::Expired), TODAY)
        .unwrap();
    let parsed = Mrz::parse(&specimen.printed_mrz).unwrap();
    assert!(parsed.is_expired(TODAY));
    assert_eq!(specimen.fault, Some(Fault::Expired));
}

#[test]
fn wrong_check_digit_specimen_names_its_field() {
    let authority = authority();
    let cases = [
        (Format::Td3, Field::DocumentNumber),
        (Format::Td3, Field::DateOfBirth),
        (Format::Td3, Field::DateOfExpiry),
        (Format::Td3, Field::OptionalData),
        (Format::Td3, Field::Composite),
        (Format::Td1, Field::DocumentNumber),
        (Format::Td1, Field::DateOfBirth),
        (Format::Td1, Field::DateOfExpiry),
        (Format::Td1, Field::Composite),
    ];
    for (format, field) in cases {
        let specimen = authority
            .issue(11, format, Some(Fault::WrongCheckDigit(field)), TODAY)
            .unwrap();
        match Mrz::parse(&specimen.printed_mrz).unwrap_err() {
            MrzError::CheckDigit { field: named, .. } => assert_eq!(named, field),
            other => panic!("{format:?} {field}: {other}"),
        }
    }
}

#[test]
fn a_field_without_check_digit_cannot_carry_a_wrong_one() {
    let result = authority().issue(
        1,
        Format::Td1,
        Some(Fault::WrongCheckDigit(Field::Name)),
        TODAY,
    );
    assert!(result.is_err());
}

#[test]
fn no_chip_specimen_has_no_chip() {
    let specimen = authority()
        .issue(5, Format::Td1, Some(Fault::NoChip), TODAY)
        .unwrap();
    assert!(specimen.chip.is_none());
    assert!(Mrz::parse(&specimen.printed_mrz).is_ok());
}

#[test]
fn face_image_is_a_64_by_64_pgm() {
    let image = face_image(42);
    let header = b"P5\n64 64\n255\n";
    assert!(image.starts_with(header));
    assert_eq!(image.len(), header.len() + 64 * 64);
}
