//! Step 3: the face scan, compared with the chip's photo (`passport::face::compare`: the face's
//! proportions, located and normalised, behind a quality gate; the measured threshold is in
//! that module), then the liveness check (a challenge the camera frames must follow). Failed scans and checks count together; the third ends the
//! onboarding.

use base64::Engine;
use passport::face::{
    check_liveness, compare, liveness_frames, selfie, FaceMatch, GreyImage, ImageDefect, Liveness,
    LivenessBehaviour, LivenessChallenge, SelfieKind,
};
use serde::Deserialize;

use super::{document, fail, Ctx, Onboarding, OnboardingError, Step, FACE_TRIES};
use crate::model::Challenge;

/// The selfies the simulated camera offers, by name: the holder's own face (three takes),
/// another person's, and a poor picture.
pub const SELFIES: [(&str, &str); 6] = [
    ("same-1", "Take a selfie"),
    ("same-2", "Take a selfie in other light"),
    ("same-3", "Take a selfie, a little off centre"),
    (
        "other-person",
        "Let someone else take the selfie (fails on purpose)",
    ),
    (
        "poor-quality",
        "Take the selfie in the dark (fails on purpose)",
    ),
    (
        "blurred",
        "Move the phone while taking it (fails on purpose)",
    ),
];

/// Where the selfie comes from: one of [`SELFIES`], or an uploaded picture (PNG or PGM,
/// base64).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceInput {
    #[serde(default)]
    pub selfie: Option<String>,
    #[serde(default)]
    pub image_base64: Option<String>,
}

/// How the person behaves for the liveness check.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LivenessInput {
    pub behaviour: Behaviour,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    Follows,
    StillPhoto,
    WrongDirection,
    SwapsFace,
}

/// The chip's photo of the onboarding's document, as a PNG data URI.
pub fn chip_photo(broker: &crate::app::Broker, onboarding: &Onboarding, now: i64) -> String {
    let Ok(specimen) = document(broker, onboarding, now) else {
        return String::new();
    };
    match GreyImage::from_pgm(&specimen.face_image).and_then(|image| image.to_png()) {
        Ok(png) => format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        ),
        Err(_) => String::new(),
    }
}

impl Ctx<'_> {
    fn count_failure(&self, onboarding: &mut Onboarding, problem: String) {
        onboarding.face_failures += 1;
        if onboarding.face_failures >= FACE_TRIES {
            fail(
                onboarding,
                format!("the face scan failed {FACE_TRIES} times ({problem})"),
            );
        } else {
            onboarding.problem = Some(format!(
                "{problem} {} attempt(s) left.",
                FACE_TRIES - onboarding.face_failures
            ));
        }
    }

    pub(super) fn face(
        &self,
        onboarding: &mut Onboarding,
        input: FaceInput,
    ) -> Result<(), OnboardingError> {
        let specimen = document(self.broker, onboarding, self.now)?;
        // The photo comes from the chip, as read in step 2 (the printed page's is not trusted).
        let chip_face = specimen
            .chip
            .as_ref()
            .and_then(|chip| {
                chip.open(&passport::bac::BacKeys::from_mrz(&specimen.mrz))
                    .ok()
            })
            .and_then(|contents| contents.face_image().ok().map(<[u8]>::to_vec))
            .ok_or_else(|| OnboardingError::Documents("the chip's photo cannot be read".into()))?;
        let reference = GreyImage::from_pgm(&chip_face)
            .map_err(|e| OnboardingError::Documents(e.to_string()))?;
        let seed = onboarding.document.seed;
        let taken = match (input.selfie.as_deref(), input.image_base64.as_deref()) {
            (Some(name), None) => match name {
                "same-1" => selfie(seed, SelfieKind::SamePerson { variant: 1 }),
                "same-2" => selfie(seed, SelfieKind::SamePerson { variant: 2 }),
                "same-3" => selfie(seed, SelfieKind::SamePerson { variant: 3 }),
                "other-person" => selfie(
                    seed,
                    SelfieKind::OtherPerson {
                        other_seed: seed.wrapping_add(1_000),
                    },
                ),
                "poor-quality" => selfie(
                    seed,
                    SelfieKind::PoorQuality {
                        defect: ImageDefect::TooDark,
                    },
                ),
                "blurred" => selfie(
                    seed,
                    SelfieKind::PoorQuality {
                        defect: ImageDefect::Blurred,
                    },
                ),
                other => {
                    onboarding.problem =
                        Some(format!("No selfie {other:?}; choose one of the camera's."));
                    return Ok(());
                }
            },
            (None, Some(encoded)) => {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .ok()
                    .and_then(|bytes| GreyImage::decode(&bytes).ok());
                match decoded {
                    Some(image) => image,
                    None => {
                        onboarding.problem = Some(
                            "The picture could not be read: send a PNG or PGM image, base64-encoded."
                                .into(),
                        );
                        return Ok(());
                    }
                }
            }
            _ => {
                onboarding.problem =
                    Some("Give either a selfie from the camera or an uploaded picture.".into());
                return Ok(());
            }
        };
        match compare(&reference, &taken) {
            FaceMatch::Match { .. } => {
                onboarding.liveness = Some(Challenge(LivenessChallenge::random(
                    &mut rand::thread_rng(),
                )));
                onboarding.step = Step::Liveness;
            }
            FaceMatch::NoMatch { .. } => self.count_failure(
                onboarding,
                "The face does not match the photo on the chip.".into(),
            ),
            FaceMatch::PoorQuality { reason } => self.count_failure(
                onboarding,
                format!("The picture is too poor to compare: {reason}."),
            ),
            FaceMatch::UnusableReference { reason } => fail(
                onboarding,
                format!("the photo on the chip cannot be used ({reason}); use another document"),
            ),
        }
        Ok(())
    }

    pub(super) fn liveness(
        &self,
        onboarding: &mut Onboarding,
        input: LivenessInput,
    ) -> Result<(), OnboardingError> {
        let Some(Challenge(challenge)) = onboarding.liveness.clone() else {
            return Err(OnboardingError::WrongStep {
                at: "face",
                given: "liveness",
            });
        };
        let behaviour = match input.behaviour {
            Behaviour::Follows => LivenessBehaviour::Follows,
            Behaviour::StillPhoto => LivenessBehaviour::StillPhoto,
            Behaviour::WrongDirection => LivenessBehaviour::WrongDirection,
            Behaviour::SwapsFace => LivenessBehaviour::SwapsFace,
        };
        let frames = liveness_frames(onboarding.document.seed, &challenge, behaviour);
        match check_liveness(&challenge, &frames) {
            Liveness::Live => {
                onboarding.step = Step::Personal;
            }
            Liveness::NotLive { reason } => {
                // A new challenge for the next try.
                onboarding.liveness = Some(Challenge(LivenessChallenge::random(
                    &mut rand::thread_rng(),
                )));
                self.count_failure(onboarding, format!("The liveness check failed: {reason}."));
            }
        }
        Ok(())
    }
}
