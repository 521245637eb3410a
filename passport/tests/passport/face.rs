//! The face scan of an onboarding: DG2 read from the chip, a selfie uploaded as PNG, liveness.

use passport::bac::BacKeys;
use passport::chip::passive_authentication;
use passport::face::{
    check_liveness, compare, liveness_frames, selfie, FaceMatch, GreyImage, Liveness,
    LivenessBehaviour, LivenessChallenge, NotLiveReason, SelfieKind,
};
use passport::specimen::{Fault, SpecimenAuthority};
use passport::{Format, Mrz};
use rand::rngs::StdRng;
use rand::SeedableRng;
use time::macros::date;
use time::Date;

const TODAY: Date = date!(2026 - 11 - 26);

/// DG2's face, read from the chip of the specimen of `seed` through its printed MRZ.
fn chip_photo(authority: &SpecimenAuthority, seed: u64, fault: Option<Fault>) -> (GreyImage, bool) {
    let specimen = authority.issue(seed, Format::Td3, fault, TODAY).unwrap();
    let keys = BacKeys::from_mrz(&Mrz::parse(&specimen.printed_mrz).unwrap());
    let contents = specimen.chip.as_ref().unwrap().open(&keys).unwrap();
    let authentic = passive_authentication(&contents, &[authority.trusted()]).is_ok();
    let photo = GreyImage::from_pgm(contents.face_image().unwrap()).unwrap();
    (photo, authentic)
}

/// A picture as the browser uploads it.
fn upload(image: &GreyImage) -> GreyImage {
    GreyImage::decode(&image.to_png().unwrap()).unwrap()
}

#[test]
fn the_holders_selfie_matches_the_chip_photo_and_anothers_does_not() {
    let authority = SpecimenAuthority::new("UTO", "UT", TODAY).unwrap();
    let (photo, authentic) = chip_photo(&authority, 31, None);
    assert!(authentic);
    let own = upload(&selfie(31, SelfieKind::SamePerson { variant: 9 }));
    assert!(matches!(compare(&photo, &own), FaceMatch::Match { .. }));
    let other = upload(&selfie(31, SelfieKind::OtherPerson { other_seed: 32 }));
    assert!(matches!(compare(&photo, &other), FaceMatch::NoMatch { .. }));
}

#[test]
fn a_swapped_chip_photo_does_not_match_the_holder() {
    // Passive authentication catches the swap; the face scan does too.
    let authority = SpecimenAuthority::new("UTO", "UT", TODAY).unwrap();
    let (photo, authentic) = chip_photo(&authority, 31, Some(Fault::TamperedDataGroup));
    assert!(!authentic);
    let own = upload(&selfie(31, SelfieKind::SamePerson { variant: 9 }));
    assert!(matches!(compare(&photo, &own), FaceMatch::NoMatch { .. }));
}

#[test]
fn liveness_passes_for_the_holder_and_fails_on_purpose() {
    let mut rng = StdRng::seed_from_u64(4);
    let challenge = LivenessChallenge::random(&mut rng);
    let frames: Vec<GreyImage> = liveness_frames(31, &challenge, LivenessBehaviour::Follows)
        .iter()
        .map(upload)
        .collect();
    assert_eq!(check_liveness(&challenge, &frames), Liveness::Live);
    let photo = liveness_frames(31, &challenge, LivenessBehaviour::StillPhoto);
    assert_eq!(
        check_liveness(&challenge, &photo),
        Liveness::NotLive {
            reason: NotLiveReason::NoMovement
        }
    );
}
