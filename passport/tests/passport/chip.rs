//! The simulated chip: BAC access and passive authentication (ICAO Doc 9303 Parts 10, 11).

use passport::bac::{BacKeys, MrzInformation};
use passport::chip::{
    passive_authentication, Chip, ChipError, CountrySigningCa, LdsSecurityObject, PassiveAuthError,
    PassiveAuthStep,
};
use passport::specimen::{Fault, SpecimenAuthority};
use passport::{Format, Mrz, MrzDate};
use sha2::{Digest, Sha256};
use time::macros::date;
use time::Date;

const TODAY: Date = date!(2026 - 11 - 26);

fn issue(authority: &SpecimenAuthority, fault: Option<Fault>) -> passport::specimen::Specimen {
    authority.issue(21, Format::Td3, fault, TODAY).unwrap()
}

fn keys_from_printed(printed: &str) -> BacKeys {
    BacKeys::from_mrz(&Mrz::parse(printed).unwrap())
}

#[test]
fn genuine_chip_opens_and_passes_passive_authentication() {
    let authority = SpecimenAuthority::new("UTO", "UT", TODAY).unwrap();
    for format in [Format::Td3, Format::Td1] {
        let specimen = authority.issue(21, format, None, TODAY).unwrap();
        let chip = specimen.chip.as_ref().unwrap();
        let contents = chip
            .open(&keys_from_printed(&specimen.printed_mrz))
            .unwrap();
        assert_eq!(
            passive_authentication(&contents, &[authority.trusted()]),
            Ok(())
        );
        assert_eq!(contents.mrz().unwrap(), specimen.mrz);
        assert_eq!(
            contents.face_image().unwrap(),
            specimen.face_image.as_slice()
        );
        // The security object really holds SHA-256 of DG1 and DG2.
        let so = LdsSecurityObject::from_der(&contents.sod.security_object).unwrap();
        assert_eq!(so.data_groups().collect::<Vec<_>>(), vec![1, 2]);
        let dg1_hash: [u8; 32] = Sha256::digest(&contents.dg1).into();
        assert_eq!(so.hash_of(1), Some(&dg1_hash));
    }
}

#[test]
fn chip_refuses_keys_of_another_document() {
    let authority = SpecimenAuthority::new("UTO", "UT", TODAY).unwrap();
    let specimen = issue(&authority, None);
    let other = authority.issue(22, Format::Td3, None, TODAY).unwrap();
    let chip = specimen.chip.as_ref().unwrap();
    assert!(matches!(
        chip.open(&keys_from_printed(&other.printed_mrz)),
        Err(ChipError::AccessDenied)
    ));
    // One day off in the date of birth is enough to be refused.
    let f = specimen.mrz.fields();
    let near = MrzInformation::from_parts(
        &f.document_number,
        MrzDate::from_date(specimen.person.date_of_birth + time::Duration::days(1)),
        f.date_of_expiry,
    )
    .unwrap();
    assert!(matches!(
        chip.open(&BacKeys::derive(&near)),
        Err(ChipError::AccessDenied)
    ));
}

#[test]
fn tampered_data_group_fails_the_hash_step() {
    let authority = SpecimenAuthority::new("UTO", "UT", TODAY).unwrap();
    let specimen = issue(&authority, Some(Fault::TamperedDataGroup));
    let contents = specimen
        .chip
        .as_ref()
        .unwrap()
        .open(&keys_from_printed(&specimen.printed_mrz))
        .unwrap();
    let error = passive_authentication(&contents, &[authority.trusted()]).unwrap_err();
    assert_eq!(error, PassiveAuthError::HashMismatch(2));
    assert_eq!(error.step(), PassiveAuthStep::DataGroupHashes);
    assert!(error.to_string().contains("data group 2"));
}

#[test]
fn altered_dg1_fails_the_hash_step() {
    let authority = SpecimenAuthority::new("UTO", "UT", TODAY).unwrap();
    let specimen = issue(&authority, None);
    let mut contents = specimen
        .chip
        .as_ref()
        .unwrap()
        .open(&keys_from_printed(&specimen.printed_mrz))
        .unwrap();
    let last = contents.dg1.len() - 1;
    contents.dg1[last] ^= 0x01;
    assert_eq!(
        passive_authentication(&contents, &[authority.trusted()]),
        Err(PassiveAuthError::HashMismatch(1))
    );
}

#[test]
fn signer_from_untrusted_csca_fails_the_chain_step() {
    let authority = SpecimenAuthority::new("UTO", "UT", TODAY).unwrap();
    let specimen = issue(&authority, Some(Fault::UntrustedSigner));
    let contents = specimen
        .chip
        .as_ref()
        .unwrap()
        .open(&keys_from_printed(&specimen.printed_mrz))
        .unwrap();
    let error = passive_authentication(&contents, &[authority.trusted()]).unwrap_err();
    assert_eq!(error, PassiveAuthError::UntrustedSigner);
    assert_eq!(error.step(), PassiveAuthStep::CertificateChain);
    // With no trust anchors at all, even a genuine chip fails the same step.
    let genuine = issue(&authority, None);
    let genuine_contents = genuine
        .chip
        .as_ref()
        .unwrap()
        .open(&keys_from_printed(&genuine.printed_mrz))
        .unwrap();
    assert_eq!(
        passive_authentication(&genuine_contents, &[]),
        Err(PassiveAuthError::UntrustedSigner)
    );
}

#[test]
fn a_csca_with_the_same_name_but_another_key_is_not_trusted() {
    // Same country and common name as the real CSCA, different key: only the signature
    // decides, not the name.
    let authority = SpecimenAuthority::new("UTO", "UT", TODAY).unwrap();
    let impostor = CountrySigningCa::generate("UT", "UTO", TODAY).unwrap();
    let specimen = issue(&authority, None);
    let contents = specimen
        .chip
        .as_ref()
        .unwrap()
        .open(&keys_from_printed(&specimen.printed_mrz))
        .unwrap();
    assert_eq!(
        passive_authentication(&contents, &[impostor.trusted()]),
        Err(PassiveAuthError::UntrustedSigner)
    );
    assert_eq!(
        passive_authentication(&contents, &[impostor.trusted(), authority.trusted()]),
        Ok(())
    );
}

#[test]
fn resigned_security_object_fails_the_signature_step() {
    // A forger rehashes swapped data groups but cannot sign with the Document Signer's key.
    let authority = SpecimenAuthority::new("UTO", "UT", TODAY).unwrap();
    let specimen = issue(&authority, Some(Fault::TamperedDataGroup));
    let mut contents = specimen
        .chip
        .as_ref()
        .unwrap()
        .open(&keys_from_printed(&specimen.printed_mrz))
        .unwrap();
    contents.sod.security_object =
        LdsSecurityObject::hash(&[(1, &contents.dg1), (2, &contents.dg2)]).to_der();
    let error = passive_authentication(&contents, &[authority.trusted()]).unwrap_err();
    assert_eq!(error, PassiveAuthError::BadSignature);
    assert_eq!(error.step(), PassiveAuthStep::SecurityObjectSignature);
}

#[test]
fn garbage_signer_certificate_fails_the_first_step() {
    let authority = SpecimenAuthority::new("UTO", "UT", TODAY).unwrap();
    let specimen = issue(&authority, None);
    let mut contents = specimen
        .chip
        .as_ref()
        .unwrap()
        .open(&keys_from_printed(&specimen.printed_mrz))
        .unwrap();
    contents.sod.signer_certificate = vec![0x30, 0x03, 1, 2, 3];
    let error = passive_authentication(&contents, &[authority.trusted()]).unwrap_err();
    assert_eq!(error.step(), PassiveAuthStep::SignerCertificate);
}

#[test]
fn unreadable_chip_does_not_answer() {
    let authority = SpecimenAuthority::new("UTO", "UT", TODAY).unwrap();
    let specimen = issue(&authority, Some(Fault::UnreadableChip));
    let chip: &Chip = specimen.chip.as_ref().unwrap();
    assert!(matches!(
        chip.open(&keys_from_printed(&specimen.printed_mrz)),
        Err(ChipError::Unreadable)
    ));
}

#[test]
fn security_object_der_round_trips_and_rejects_garbage() {
    let so = LdsSecurityObject::hash(&[(1, b"one"), (2, b"two"), (14, b"fourteen")]);
    let der = so.to_der();
    assert_eq!(der[0], 0x30);
    assert_eq!(LdsSecurityObject::from_der(&der), Some(so));
    assert_eq!(LdsSecurityObject::from_der(&der[..der.len() - 1]), None);
    assert_eq!(LdsSecurityObject::from_der(b"not der"), None);
}

#[test]
fn printed_page_with_another_name_does_not_match_the_chip() {
    let authority = SpecimenAuthority::new("UTO", "UT", TODAY).unwrap();
    let specimen = issue(&authority, None);
    let contents = specimen
        .chip
        .as_ref()
        .unwrap()
        .open(&keys_from_printed(&specimen.printed_mrz))
        .unwrap();
    assert!(contents.check_printed_mrz(&specimen.mrz).is_ok());
    // The same number and dates (so BAC still opens the chip) under another name.
    let mut fields = specimen.mrz.fields().clone();
    fields.primary_identifier = "IMPOSTOR".into();
    let altered = Mrz::new(specimen.mrz.format(), fields).unwrap();
    assert!(specimen
        .chip
        .as_ref()
        .unwrap()
        .open(&BacKeys::from_mrz(&altered))
        .is_ok());
    assert!(matches!(
        contents.check_printed_mrz(&altered),
        Err(ChipError::PrintedMrzMismatch)
    ));
}

#[test]
fn an_authority_restored_from_its_record_signs_what_the_original_trusts() {
    let original = SpecimenAuthority::new("UTO", "UT", TODAY).unwrap();
    let record = original.to_record();
    let restored = SpecimenAuthority::from_record(record.clone()).unwrap();
    assert_eq!(restored.to_record(), record);
    assert_eq!(restored.trusted(), original.trusted());
    // A chip the restored authority signs passes against the original's trust list, and the
    // restored rogue signer is still refused.
    let genuine = issue(&restored, None);
    let contents = genuine
        .chip
        .as_ref()
        .unwrap()
        .open(&keys_from_printed(&genuine.printed_mrz))
        .unwrap();
    assert_eq!(
        passive_authentication(&contents, &[original.trusted()]),
        Ok(())
    );
    let rogue = issue(&restored, Some(Fault::UntrustedSigner));
    let contents = rogue
        .chip
        .as_ref()
        .unwrap()
        .open(&keys_from_printed(&rogue.printed_mrz))
        .unwrap();
    assert!(passive_authentication(&contents, &[original.trusted()]).is_err());
    // A damaged key is an error, not a panic.
    let mut broken = record;
    broken.signer_key.truncate(10);
    assert!(SpecimenAuthority::from_record(broken).is_err());
}
