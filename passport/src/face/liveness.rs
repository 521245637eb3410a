//! Liveness: a challenge the person must act out in front of the camera, so that a photo, a
//! recording or another person's face held up to the phone fails.
//!
//! The challenge asks for a movement (turn the head left or right, or bring the phone closer)
//! and carries a random nonce; the nonce chooses which frames the phone's screen lights up
//! while filming (the face, close to the screen, reflects it; the far background barely
//! does). [`check_liveness`] then requires, of the [`FRAME_COUNT`] frames:
//!
//! 1. every frame passes the quality gate and shows a face ([`super::analyse`]);
//! 2. every frame shows the first frame's face (signature distance at most
//!    [`super::MATCH_THRESHOLD`]): no face swapped in halfway;
//! 3. the face moves: its centre by at least [`MIN_STILL_MOVEMENT`] face units or its size by
//!    at least [`MIN_SIZE_CHANGE`] (a photo held still does neither);
//! 4. the movement is the one asked for: for a turn, the centre moves at least
//!    [`MIN_TURN`] face units in the asked direction, more sideways than up or down; for
//!    closer, the face grows by at least [`MIN_GROWTH`];
//! 5. the face's skin is brighter in exactly the frames the nonce lit, each by at least
//!    [`MIN_FLASH_STEP`] grey levels over the brightest unlit frame: a recording made for
//!    another challenge shows another pattern.
//!
//! "Left" and "right" are as seen on the screen, which shows the camera's picture mirrored as
//! usual, so the face moves the way the person moves.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::image::GreyImage;
use super::quality::QualityProblem;
use super::render::{Backdrop, Camera, FaceFeatures, Scene};
use super::selfie::{auto_exposure, SELFIE_SIDE};
use super::{analyse, MATCH_THRESHOLD};

/// Frames the camera takes during a challenge.
pub const FRAME_COUNT: usize = 6;
/// Frames the screen lights, of [`FRAME_COUNT`].
const LIT_FRAMES: usize = 3;
/// The face counts as moving if its centre moves at least this far (in face units) or its size
/// changes by at least [`MIN_SIZE_CHANGE`].
pub const MIN_STILL_MOVEMENT: f64 = 0.15;
/// See [`MIN_STILL_MOVEMENT`]: a relative change of the face's size.
pub const MIN_SIZE_CHANGE: f64 = 0.05;
/// A turn must move the face's centre at least this far sideways, in face units.
pub const MIN_TURN: f64 = 0.3;
/// Moving closer must grow the face at least by this factor.
pub const MIN_GROWTH: f64 = 1.15;
/// The lit frames' skin must be at least this many grey levels brighter than any unlit frame's.
pub const MIN_FLASH_STEP: f64 = 6.0;

/// The movement asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum LivenessAction {
    /// Turn the head to the left (as seen on the screen).
    TurnLeft,
    /// Turn the head to the right (as seen on the screen).
    TurnRight,
    /// Bring the phone closer to the face.
    MoveCloser,
}

impl LivenessAction {
    /// The instruction shown to the person.
    pub fn instruction(self) -> &'static str {
        match self {
            LivenessAction::TurnLeft => "Turn your head slowly to the left",
            LivenessAction::TurnRight => "Turn your head slowly to the right",
            LivenessAction::MoveCloser => "Bring the phone slowly closer to your face",
        }
    }
}

/// A liveness challenge: what to do, and a nonce that decides the screen's light pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct LivenessChallenge {
    /// The movement asked for.
    pub action: LivenessAction,
    /// Random bytes, fresh for every challenge.
    pub nonce: [u8; 16],
}

impl LivenessChallenge {
    /// A fresh challenge from `rng` (give it a cryptographic generator in production).
    pub fn random(rng: &mut impl Rng) -> Self {
        let action = match rng.gen_range(0..3) {
            0 => LivenessAction::TurnLeft,
            1 => LivenessAction::TurnRight,
            _ => LivenessAction::MoveCloser,
        };
        Self {
            action,
            nonce: rng.gen(),
        }
    }

    /// A challenge deterministic from `seed`, for tests and the simulator.
    pub fn from_seed(seed: u64) -> Self {
        Self::random(&mut StdRng::seed_from_u64(seed))
    }

    /// Which frames the screen lights: three of the [`FRAME_COUNT`], chosen by the nonce (one
    /// of the 20 ways to choose 3 of 6).
    pub fn lit_frames(&self) -> [bool; FRAME_COUNT] {
        let mut first = [0u8; 8];
        first.copy_from_slice(self.nonce.get(..8).unwrap_or(&[0; 8]));
        let mut choice = u64::from_le_bytes(first) % 20;
        // The `choice`-th 6-bit pattern with three bits set, in increasing order.
        for pattern in 0u32..64 {
            if pattern.count_ones() as usize == LIT_FRAMES {
                if choice == 0 {
                    return std::array::from_fn(|i| pattern & (1 << i) != 0);
                }
                choice -= 1;
            }
        }
        // Unreachable: there are exactly 20 such patterns.
        std::array::from_fn(|i| i % 2 == 0)
    }
}

/// The result of a liveness check.
#[derive(Debug, Clone, PartialEq)]
pub enum Liveness {
    /// A live person did what was asked.
    Live,
    /// Not shown to be live.
    NotLive {
        /// Why.
        reason: NotLiveReason,
    },
}

/// Why a liveness check failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NotLiveReason {
    /// Not [`FRAME_COUNT`] frames.
    #[error("the camera sent {got} frames instead of {FRAME_COUNT}: try again")]
    FrameCount {
        /// Frames received.
        got: usize,
    },
    /// A frame is unusable.
    #[error("frame {frame} cannot be used: {problem}")]
    PoorFrame {
        /// The frame's index.
        frame: usize,
        /// What is wrong with it.
        problem: QualityProblem,
    },
    /// A frame shows another face than the first.
    #[error("frame {frame} shows another face than the first frame: only the document holder may be in the picture")]
    FaceChanged {
        /// The frame's index.
        frame: usize,
        /// Signature distance from the first frame's face.
        distance: f64,
    },
    /// The face does not move: a photo held up to the camera.
    #[error("the face did not move: follow the instruction on the screen (a photo cannot)")]
    NoMovement,
    /// The face moved, but not as asked.
    #[error("the face did not move as asked ({}): try again", .asked.instruction())]
    WrongMovement {
        /// The movement asked for.
        asked: LivenessAction,
    },
    /// The face does not reflect the screen's light pattern: a recording, or a screen held up.
    #[error("the face did not reflect the screen's light as it changed: hold the phone in front of your own face")]
    LightMismatch,
}

/// Checks that `frames`, taken during `challenge`, show a live person doing what was asked.
pub fn check_liveness(challenge: &LivenessChallenge, frames: &[GreyImage]) -> Liveness {
    match check(challenge, frames) {
        Ok(()) => Liveness::Live,
        Err(reason) => Liveness::NotLive { reason },
    }
}

fn check(challenge: &LivenessChallenge, frames: &[GreyImage]) -> Result<(), NotLiveReason> {
    if frames.len() != FRAME_COUNT {
        return Err(NotLiveReason::FrameCount { got: frames.len() });
    }
    let faces = frames
        .iter()
        .enumerate()
        .map(|(frame, image)| {
            analyse(image).map_err(|problem| NotLiveReason::PoorFrame { frame, problem })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (Some(first), Some(last)) = (faces.first(), faces.last()) else {
        return Err(NotLiveReason::FrameCount { got: 0 });
    };
    for (frame, face) in faces.iter().enumerate().skip(1) {
        let distance = first.signature.distance(&face.signature);
        if distance > MATCH_THRESHOLD {
            return Err(NotLiveReason::FaceChanged { frame, distance });
        }
    }

    let unit = first.region.unit;
    let offset = |face: &super::AnalysedFace| {
        (
            (face.region.centre.0 - first.region.centre.0) / unit,
            (face.region.centre.1 - first.region.centre.1) / unit,
        )
    };
    let moved = faces.iter().any(|face| {
        let (dx, dy) = offset(face);
        dx.hypot(dy) >= MIN_STILL_MOVEMENT
            || (face.region.unit / unit - 1.0).abs() >= MIN_SIZE_CHANGE
    });
    if !moved {
        return Err(NotLiveReason::NoMovement);
    }
    let (dx, dy) = offset(last);
    let as_asked = match challenge.action {
        LivenessAction::TurnLeft => dx <= -MIN_TURN && dx.abs() > dy.abs(),
        LivenessAction::TurnRight => dx >= MIN_TURN && dx.abs() > dy.abs(),
        LivenessAction::MoveCloser => last.region.unit / unit >= MIN_GROWTH,
    };
    if !as_asked {
        return Err(NotLiveReason::WrongMovement {
            asked: challenge.action,
        });
    }

    let lit = challenge.lit_frames();
    let skin = |want_lit: bool| {
        faces
            .iter()
            .zip(lit)
            .filter(move |(_, is_lit)| *is_lit == want_lit)
            .map(|(face, _)| face.region.skin)
    };
    let dimmest_lit = skin(true).fold(f64::INFINITY, f64::min);
    let brightest_unlit = skin(false).fold(f64::NEG_INFINITY, f64::max);
    if dimmest_lit - brightest_unlit < MIN_FLASH_STEP {
        return Err(NotLiveReason::LightMismatch);
    }
    Ok(())
}

/// How the simulated person behaves during a liveness challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum LivenessBehaviour {
    /// Does what is asked: a live person.
    Follows,
    /// Holds a printed photo still in front of the camera.
    StillPhoto,
    /// Moves the other way (or away instead of closer).
    WrongDirection,
    /// Moves as asked, but another person takes over halfway.
    SwapsFace,
}

/// How much brighter the screen's light makes the face in lit frames than in unlit ones, in grey
/// levels (half of it added, half taken away).
const FLASH_LIGHT: f64 = 18.0;

/// The camera frames of the specimen person of `seed` during `challenge`, behaving as
/// `behaviour`: [`FRAME_COUNT`] pictures of 128 x 128, the face lit in the frames the
/// challenge's nonce lights.
pub fn liveness_frames(
    seed: u64,
    challenge: &LivenessChallenge,
    behaviour: LivenessBehaviour,
) -> Vec<GreyImage> {
    let features = FaceFeatures::from_seed(seed);
    let stranger = FaceFeatures::from_seed(seed.wrapping_add(1));
    let mut session_seed = [0u8; 8];
    session_seed.copy_from_slice(challenge.nonce.get(8..).unwrap_or(&[0; 8]));
    let mut rng = StdRng::seed_from_u64(seed ^ u64::from_le_bytes(session_seed));
    let base = Scene {
        width: SELFIE_SIDE,
        height: SELFIE_SIDE,
        scale: 1.5,
        centre: (64.0, 64.0),
        // A dark wall, so that any specimen face (skin 120 or lighter) stands out, even the
        // stranger's.
        backdrop: Backdrop::Wall {
            shade: rng.gen_range(25.0..55.0),
            slope: rng.gen_range(-0.05..0.05),
        },
        samples: 4,
    };
    let camera = auto_exposure(
        &base,
        &features,
        Camera {
            brightness: rng.gen_range(-15.0..15.0),
            contrast: rng.gen_range(0.9..1.1),
            face_light: 0.0,
            blur_radius: 0,
            blur_passes: 0,
            noise: 2.0,
        },
    );
    let lit = challenge.lit_frames();
    (0..FRAME_COUNT)
        .map(|frame| {
            // From -1 at the first frame to 1 at the last, in the asked direction (or the
            // other way, or not at all).
            let sign = match behaviour {
                LivenessBehaviour::Follows | LivenessBehaviour::SwapsFace => 1.0,
                LivenessBehaviour::WrongDirection => -1.0,
                LivenessBehaviour::StillPhoto => 0.0,
            };
            let along = sign * (2.0 * frame as f64 / (FRAME_COUNT - 1) as f64 - 1.0);
            let mut scene = base;
            match challenge.action {
                // 12 pixels either side of the middle: 24 pixels, about 0.7 face units.
                LivenessAction::TurnLeft => scene.centre.0 -= 12.0 * along,
                LivenessAction::TurnRight => scene.centre.0 += 12.0 * along,
                // From 1/1.175 to 1.175 times the size: 38% larger at the end.
                LivenessAction::MoveCloser => scene.scale *= 1.175f64.powf(along),
            }
            // A hand-held phone shakes a little.
            scene.centre.0 += rng.gen_range(-0.5..0.5);
            scene.centre.1 += rng.gen_range(-0.5..0.5);
            let face = if behaviour == LivenessBehaviour::SwapsFace && frame >= FRAME_COUNT / 2 {
                &stranger
            } else {
                &features
            };
            let flash = if lit.get(frame).copied().unwrap_or(false) {
                FLASH_LIGHT
            } else {
                -FLASH_LIGHT
            } / 2.0;
            let camera = Camera {
                face_light: flash,
                ..camera
            };
            scene.shoot(face, &camera, rng.gen())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTIONS: [LivenessAction; 3] = [
        LivenessAction::TurnLeft,
        LivenessAction::TurnRight,
        LivenessAction::MoveCloser,
    ];

    fn challenge(action: LivenessAction, nonce_seed: u64) -> LivenessChallenge {
        LivenessChallenge {
            action,
            ..LivenessChallenge::from_seed(nonce_seed)
        }
    }

    fn reason(liveness: Liveness) -> NotLiveReason {
        match liveness {
            Liveness::NotLive { reason } => reason,
            Liveness::Live => panic!("live"),
        }
    }

    #[test]
    fn a_person_doing_as_asked_is_live() {
        for seed in 0..4 {
            for action in ACTIONS {
                let challenge = challenge(action, seed);
                let frames = liveness_frames(seed, &challenge, LivenessBehaviour::Follows);
                assert_eq!(frames.len(), FRAME_COUNT);
                assert_eq!(
                    check_liveness(&challenge, &frames),
                    Liveness::Live,
                    "seed {seed} {action:?}"
                );
            }
        }
    }

    #[test]
    fn a_still_photo_is_not_live() {
        for seed in 0..4 {
            for action in ACTIONS {
                let challenge = challenge(action, seed);
                let frames = liveness_frames(seed, &challenge, LivenessBehaviour::StillPhoto);
                assert_eq!(
                    reason(check_liveness(&challenge, &frames)),
                    NotLiveReason::NoMovement,
                    "seed {seed} {action:?}"
                );
            }
        }
    }

    #[test]
    fn moving_the_wrong_way_is_not_live() {
        for seed in 0..4 {
            for action in ACTIONS {
                let challenge = challenge(action, seed);
                let frames = liveness_frames(seed, &challenge, LivenessBehaviour::WrongDirection);
                assert_eq!(
                    reason(check_liveness(&challenge, &frames)),
                    NotLiveReason::WrongMovement { asked: action },
                    "seed {seed} {action:?}"
                );
            }
        }
    }

    #[test]
    fn another_face_halfway_is_not_live() {
        for seed in 0..4 {
            let challenge = challenge(ACTIONS[seed as usize % 3], seed);
            let frames = liveness_frames(seed, &challenge, LivenessBehaviour::SwapsFace);
            let reason = reason(check_liveness(&challenge, &frames));
            assert!(
                matches!(reason, NotLiveReason::FaceChanged { frame, .. } if frame >= FRAME_COUNT / 2),
                "seed {seed}: {reason:?}"
            );
        }
    }

    #[test]
    fn a_recording_made_for_another_challenge_is_not_live() {
        let recorded = challenge(LivenessAction::TurnLeft, 1);
        let frames = liveness_frames(5, &recorded, LivenessBehaviour::Follows);
        assert_eq!(check_liveness(&recorded, &frames), Liveness::Live);
        let mut replays = 0;
        for nonce_seed in 2..12 {
            let asked = challenge(LivenessAction::TurnLeft, nonce_seed);
            if asked.lit_frames() == recorded.lit_frames() {
                continue;
            }
            replays += 1;
            assert_eq!(
                reason(check_liveness(&asked, &frames)),
                NotLiveReason::LightMismatch
            );
        }
        assert!(replays >= 5);
    }

    #[test]
    fn missing_or_unusable_frames_are_not_live() {
        let challenge = challenge(LivenessAction::MoveCloser, 3);
        let mut frames = liveness_frames(3, &challenge, LivenessBehaviour::Follows);
        assert_eq!(
            reason(check_liveness(&challenge, &frames[..2])),
            NotLiveReason::FrameCount { got: 2 }
        );
        assert_eq!(
            reason(check_liveness(&challenge, &[])),
            NotLiveReason::FrameCount { got: 0 }
        );
        frames[4] = GreyImage::filled(1, 1, 0).unwrap();
        assert!(matches!(
            reason(check_liveness(&challenge, &frames)),
            NotLiveReason::PoorFrame {
                frame: 4,
                problem: QualityProblem::TooSmall { .. }
            }
        ));
    }

    #[test]
    fn the_nonce_lights_three_frames_in_any_of_the_twenty_ways() {
        let mut patterns = std::collections::HashSet::new();
        for seed in 0..400 {
            let lit = LivenessChallenge::from_seed(seed).lit_frames();
            assert_eq!(lit.iter().filter(|&&l| l).count(), LIT_FRAMES);
            patterns.insert(lit);
        }
        assert_eq!(patterns.len(), 20);
        assert_eq!(
            LivenessChallenge::from_seed(9),
            LivenessChallenge::from_seed(9)
        );
        assert_ne!(
            LivenessChallenge::from_seed(9).nonce,
            LivenessChallenge::from_seed(10).nonce
        );
    }
}
