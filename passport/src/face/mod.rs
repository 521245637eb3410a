//! The onboarding's face scan: the selfie matched against the chip's photo (DG2), and liveness.
//!
//! (Documentation of the comparison and its measurements follows once measured.)

mod image;
mod liveness;
mod locate;
mod quality;
mod render;
mod selfie;
mod signature;

use locate::FaceRegion;
use signature::FaceSignature;

pub use image::{luma, GreyImage, ImageError, MAX_SIDE};
pub use liveness::{
    check_liveness, liveness_frames, Liveness, LivenessAction, LivenessBehaviour,
    LivenessChallenge, NotLiveReason, FRAME_COUNT, MIN_FLASH_STEP, MIN_GROWTH, MIN_SIZE_CHANGE,
    MIN_STILL_MOVEMENT, MIN_TURN,
};
pub use quality::{
    check_quality, mean_and_std_dev, sharpness, QualityProblem, MAX_MEAN, MIN_CONTRAST, MIN_MEAN,
    MIN_SHARPNESS, MIN_SIDE,
};
pub use selfie::{selfie, ImageDefect, SelfieKind, SELFIE_SIDE};

/// Largest template distance at which two pictures show the same face.
pub const MATCH_THRESHOLD: f64 = 0.65;

/// Pictures larger than this on a side are reduced (by area averaging) before they are analysed.
pub const WORKING_SIDE: usize = 256;

/// The outcome of matching a selfie against the document's photo.
#[derive(Debug, Clone, PartialEq)]
pub enum FaceMatch {
    /// The same face: the template distance is at most [`MATCH_THRESHOLD`].
    Match {
        /// Template distance.
        distance: f64,
    },
    /// Another face.
    NoMatch {
        /// Template distance.
        distance: f64,
    },
    /// The selfie cannot be used: take another.
    PoorQuality {
        /// What is wrong with it.
        reason: QualityProblem,
    },
    /// The document's photo cannot be used (no face found in it): use another document.
    UnusableReference {
        /// What is wrong with it.
        reason: QualityProblem,
    },
}

/// A picture's face, ready for comparison.
#[derive(Debug, Clone)]
pub(crate) struct AnalysedFace {
    pub(crate) region: FaceRegion,
    pub(crate) signature: FaceSignature,
}

/// Runs the quality gate on `image`, finds the face and measures its signature.
pub(crate) fn analyse(image: &GreyImage) -> Result<AnalysedFace, QualityProblem> {
    // Before reducing, so the problem names the picture's own size.
    let (width, height) = (image.width(), image.height());
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(QualityProblem::TooSmall { width, height });
    }
    let reduced = reduce(image);
    let image = reduced.as_ref().unwrap_or(image);
    check_quality(image)?;
    let region = locate::locate(image)?;
    let signature = FaceSignature::measure(image, &region)?;
    Ok(AnalysedFace { region, signature })
}

/// The passport photo (DG2) of the specimen person of `seed`: 64 x 64, the face's shape, skin,
/// eyes and mouth drawn from the seed ([`crate::specimen::face_image`] is its PGM).
pub fn passport_photo(seed: u64) -> GreyImage {
    render::FaceFeatures::from_seed(seed).passport_photo()
}

/// Matches `selfie` against `reference` (the DG2 photo).
pub fn compare(reference: &GreyImage, selfie: &GreyImage) -> FaceMatch {
    let reference = match analyse(reference) {
        Ok(face) => face,
        Err(reason) => return FaceMatch::UnusableReference { reason },
    };
    let selfie = match analyse(selfie) {
        Ok(face) => face,
        Err(reason) => return FaceMatch::PoorQuality { reason },
    };
    let distance = reference.signature.distance(&selfie.signature);
    if distance <= MATCH_THRESHOLD {
        FaceMatch::Match { distance }
    } else {
        FaceMatch::NoMatch { distance }
    }
}

/// `image` reduced by a whole factor to at most [`WORKING_SIDE`] on a side, each pixel the mean
/// of its block; `None` if it is small enough already.
fn reduce(image: &GreyImage) -> Option<GreyImage> {
    let longest = image.width().max(image.height());
    if longest <= WORKING_SIDE {
        return None;
    }
    let factor = longest.div_ceil(WORKING_SIDE);
    let (width, height) = (
        image.width().div_ceil(factor),
        image.height().div_ceil(factor),
    );
    let mut pixels = Vec::with_capacity(width * height);
    for y in 0..height {
        for x in 0..width {
            let (mut sum, mut n) = (0u64, 0u64);
            for yy in y * factor..((y + 1) * factor).min(image.height()) {
                for xx in x * factor..((x + 1) * factor).min(image.width()) {
                    sum += u64::from(image.get(xx, yy).unwrap_or(0));
                    n += 1;
                }
            }
            pixels.push(u8::try_from((sum + n / 2) / n.max(1)).unwrap_or(u8::MAX));
        }
    }
    Some(GreyImage::generated(width, height, pixels))
}

#[cfg(test)]
mod separation;

#[cfg(test)]
mod tests {
    use sha2::Digest;

    use super::*;

    #[test]
    fn selfies_of_the_document_holder_match_the_passport_photo() {
        for seed in 0..6 {
            let photo = passport_photo(seed);
            for variant in [0, 77, 255] {
                let outcome = compare(&photo, &selfie(seed, SelfieKind::SamePerson { variant }));
                assert!(
                    matches!(outcome, FaceMatch::Match { distance } if distance <= MATCH_THRESHOLD),
                    "seed {seed} variant {variant}: {outcome:?}"
                );
            }
            // The photo against itself.
            assert_eq!(compare(&photo, &photo), FaceMatch::Match { distance: 0.0 });
        }
    }

    #[test]
    fn another_persons_selfie_does_not_match() {
        for seed in 0..6 {
            let photo = passport_photo(seed);
            let other = selfie(
                seed,
                SelfieKind::OtherPerson {
                    other_seed: seed + 7,
                },
            );
            let outcome = compare(&photo, &other);
            assert!(
                matches!(outcome, FaceMatch::NoMatch { distance } if distance > MATCH_THRESHOLD),
                "seed {seed}: {outcome:?}"
            );
        }
    }

    #[test]
    fn poor_selfies_are_poor_quality() {
        for seed in 0..6 {
            let photo = passport_photo(seed);
            for defect in [
                ImageDefect::TooDark,
                ImageDefect::LowContrast,
                ImageDefect::Blurred,
            ] {
                let outcome = compare(&photo, &selfie(seed, SelfieKind::PoorQuality { defect }));
                let FaceMatch::PoorQuality { reason } = outcome else {
                    panic!("seed {seed} {defect:?}: {outcome:?}");
                };
                let expected = match reason {
                    QualityProblem::TooDark { .. } => ImageDefect::TooDark,
                    QualityProblem::LowContrast { .. } => ImageDefect::LowContrast,
                    QualityProblem::Blurred { .. } => ImageDefect::Blurred,
                    other => panic!("seed {seed} {defect:?}: {other}"),
                };
                assert_eq!(expected, defect);
            }
        }
    }

    #[test]
    fn blank_and_tiny_pictures_are_poor_quality() {
        let photo = passport_photo(1);
        let cases = [
            (GreyImage::filled(128, 128, 128).unwrap(), "LowContrast"),
            (GreyImage::filled(64, 64, 0).unwrap(), "TooDark"),
            (GreyImage::filled(64, 64, 255).unwrap(), "TooBright"),
            (GreyImage::filled(1, 1, 128).unwrap(), "TooSmall"),
            (GreyImage::filled(2, 300, 128).unwrap(), "TooSmall"),
            (GreyImage::filled(31, 31, 128).unwrap(), "TooSmall"),
        ];
        for (image, expected) in cases {
            let outcome = compare(&photo, &image);
            let FaceMatch::PoorQuality { reason } = outcome else {
                panic!("{image:?}: {outcome:?}");
            };
            assert!(
                format!("{reason:?}").starts_with(expected),
                "{image:?}: {reason:?}"
            );
            // The other way round, the document's photo is the unusable one.
            assert!(
                matches!(compare(&image, &photo), FaceMatch::UnusableReference { .. }),
                "{image:?}"
            );
        }
    }

    /// A picture of shades from a simple generator: no face, only edges everywhere.
    fn scribble(width: usize, height: usize, seed: u64) -> GreyImage {
        let mut state = seed;
        let pixels = (0..width * height)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 56) as u8
            })
            .collect();
        GreyImage::new(width, height, pixels).unwrap()
    }

    #[test]
    fn odd_pictures_are_never_a_match_and_never_panic() {
        let photo = passport_photo(2);
        for (width, height) in [(32, 32), (33, 100), (300, 32), (257, 513), (64, 64)] {
            for seed in 0..3 {
                let image = scribble(width, height, seed);
                let outcome = compare(&photo, &image);
                assert!(
                    !matches!(outcome, FaceMatch::Match { .. }),
                    "{width}x{height}: {outcome:?}"
                );
            }
        }
    }

    #[test]
    fn a_large_upload_is_reduced_and_still_matches() {
        let seed = 3;
        let small = selfie(seed, SelfieKind::SamePerson { variant: 5 });
        // Five times larger, each pixel repeated, as a phone's camera would send.
        let factor = 5;
        let (width, height) = (small.width() * factor, small.height() * factor);
        let pixels = (0..width * height)
            .map(|i| small.get(i % width / factor, i / width / factor).unwrap())
            .collect();
        let large = GreyImage::new(width, height, pixels).unwrap();
        let reduced = reduce(&large).unwrap();
        assert!(reduced.width() <= WORKING_SIDE && reduced.height() <= WORKING_SIDE);
        assert!(matches!(
            compare(&passport_photo(seed), &large),
            FaceMatch::Match { .. }
        ));
    }

    #[test]
    fn a_png_upload_matches_and_the_chip_photo_is_read_from_pgm() {
        let seed = 4;
        let png = selfie(seed, SelfieKind::SamePerson { variant: 1 })
            .to_png()
            .unwrap();
        let upload = GreyImage::decode(&png).unwrap();
        let dg2 = GreyImage::from_pgm(&crate::specimen::face_image(seed)).unwrap();
        assert_eq!(dg2, passport_photo(seed));
        assert!(matches!(compare(&dg2, &upload), FaceMatch::Match { .. }));
    }

    #[test]
    fn passport_photos_keep_their_pixels() {
        // The chip photos of the first 50 specimens, as drawn before the face generator moved
        // here: a changed generator would change every specimen's DG2.
        let mut photos = Vec::new();
        for seed in 0..50 {
            photos.extend(crate::specimen::face_image(seed));
        }
        assert_eq!(
            format!("{:x}", sha2::Sha256::digest(&photos)),
            "2caedc3782710de66678ab9fb9e638a815a5a60fd549cdb8d45afd6c931b7e35"
        );
    }
}
