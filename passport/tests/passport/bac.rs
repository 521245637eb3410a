//! BAC key derivation against the worked example of ICAO Doc 9303 Part 11, Appendix D.

use passport::bac::{derive_key, BacKeys, KeySeed, MrzInformation};
use passport::{Mrz, MrzDate};

use crate::hex;

/// The worked example's MRZ information: document L898902C, born 1969-08-06, expires 1994-06-23.
const EXAMPLE_INFORMATION: &str = "L898902C<369080619406236";
const EXAMPLE_K_SEED: &str = "239AB9CB282DAF66231DC5A4DF6BFBAE";
const EXAMPLE_K_ENC: &str = "AB94FDECF2674FDFB9B391F85D7F76F2";
const EXAMPLE_K_MAC: &str = "7962D9ECE03D1ACD4C76089DCE131543";

fn example() -> MrzInformation {
    MrzInformation::from_parts(
        "L898902C",
        MrzDate::parse("690806").unwrap(),
        MrzDate::parse("940623").unwrap(),
    )
    .unwrap()
}

#[test]
fn mrz_information_has_the_check_digits_of_the_worked_example() {
    assert_eq!(example().as_str(), EXAMPLE_INFORMATION);
}

#[test]
fn key_seed_matches_the_worked_example() {
    assert_eq!(
        KeySeed::derive(&example()).as_bytes().to_vec(),
        hex(EXAMPLE_K_SEED)
    );
}

#[test]
fn k_enc_and_k_mac_match_the_worked_example() {
    let keys = BacKeys::derive(&example());
    assert_eq!(keys.k_enc().to_vec(), hex(EXAMPLE_K_ENC));
    assert_eq!(keys.k_mac().to_vec(), hex(EXAMPLE_K_MAC));
    let seed = KeySeed::derive(&example());
    assert_eq!(derive_key(&seed, 1).to_vec(), hex(EXAMPLE_K_ENC));
    assert_eq!(derive_key(&seed, 2).to_vec(), hex(EXAMPLE_K_MAC));
}

#[test]
fn keys_from_a_parsed_mrz_use_its_three_fields() {
    // A TD3 carrying the worked example's document number and dates.
    let fields = passport::MrzFields {
        document_code: "P".into(),
        issuing_state: "UTO".into(),
        primary_identifier: "ERIKSSON".into(),
        secondary_identifier: "ANNA MARIA".into(),
        document_number: "L898902C".into(),
        nationality: "UTO".into(),
        date_of_birth: MrzDate::parse("690806").unwrap(),
        sex: passport::Sex::Female,
        date_of_expiry: MrzDate::parse("940623").unwrap(),
        optional_data: String::new(),
        optional_data_2: String::new(),
    };
    let mrz = Mrz::new(passport::Format::Td3, fields).unwrap();
    let parsed = Mrz::parse(&mrz.to_string()).unwrap();
    assert_eq!(
        MrzInformation::from_mrz(&parsed).as_str(),
        EXAMPLE_INFORMATION
    );
    let keys = BacKeys::from_mrz(&parsed);
    assert!(keys.matches(&BacKeys::derive(&example())));
    assert_eq!(keys.k_enc().to_vec(), hex(EXAMPLE_K_ENC));
}

#[test]
fn another_document_gives_other_keys() {
    let other = MrzInformation::from_parts(
        "L898902D",
        MrzDate::parse("690806").unwrap(),
        MrzDate::parse("940623").unwrap(),
    )
    .unwrap();
    assert!(!BacKeys::derive(&other).matches(&BacKeys::derive(&example())));
}

#[test]
fn invalid_document_numbers_are_refused() {
    let birth = MrzDate::parse("690806").unwrap();
    let expiry = MrzDate::parse("940623").unwrap();
    assert!(MrzInformation::from_parts("", birth, expiry).is_err());
    assert!(MrzInformation::from_parts("L898902C12", birth, expiry).is_err());
    assert!(MrzInformation::from_parts("l898902c", birth, expiry).is_err());
}
