//! Sample selfies of a specimen person, for the simulated app's camera: the DG2 face taken
//! again at 128 x 128 with everyday differences, another person's face, or a poor picture.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::image::GreyImage;
use super::render::{Backdrop, Camera, FaceFeatures, Scene};

/// Side of a sample selfie, in pixels: twice the passport photo, so matching must handle scale.
pub const SELFIE_SIDE: usize = 128;

/// What a sample selfie shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SelfieKind {
    /// The document holder, with everyday differences from the passport photo chosen by
    /// `variant`: a larger scale, the face a few pixels off centre, another wall behind, other
    /// brightness and contrast, sensor noise, sometimes slightly soft.
    SamePerson {
        /// Which of 256 takes.
        variant: u8,
    },
    /// Someone else: the specimen face of `other_seed`, taken the same everyday way.
    OtherPerson {
        /// The other person's seed.
        other_seed: u64,
    },
    /// The document holder, in a picture with `defect`.
    PoorQuality {
        /// What is wrong with the picture.
        defect: ImageDefect,
    },
}

/// What is wrong with a poor selfie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ImageDefect {
    /// Taken in the dark.
    TooDark,
    /// Washed out: a fogged lens, or a photo of a faded print.
    LowContrast,
    /// Out of focus, or the phone moved.
    Blurred,
}

/// A sample selfie of the specimen person of `seed`, deterministic from `seed` and `kind`.
pub fn selfie(seed: u64, kind: SelfieKind) -> GreyImage {
    let (face_seed, take) = match kind {
        SelfieKind::SamePerson { variant } => (seed, u64::from(variant)),
        SelfieKind::OtherPerson { other_seed } => (other_seed, seed.rotate_left(17) ^ 0x07E4),
        SelfieKind::PoorQuality { defect } => (seed, 0xBAD0 + defect as u64),
    };
    let features = FaceFeatures::from_seed(face_seed);
    let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ take);
    let (scene, camera) = everyday_take(&features, &mut rng);
    let camera = auto_exposure(&scene, &features, camera);
    let camera = match kind {
        SelfieKind::PoorQuality { defect } => poor(camera, defect),
        _ => camera,
    };
    scene.shoot(&features, &camera, rng.gen())
}

/// An everyday take of a face: where it is in a 128 x 128 picture and how the camera sees it.
pub(crate) fn everyday_take(features: &FaceFeatures, rng: &mut StdRng) -> (Scene, Camera) {
    let scene = Scene {
        width: SELFIE_SIDE,
        height: SELFIE_SIDE,
        scale: rng.gen_range(1.45..1.75),
        centre: (
            64.0 + rng.gen_range(-6.0..6.0),
            64.0 + rng.gen_range(-6.0..6.0),
        ),
        backdrop: Backdrop::Wall {
            shade: wall_shade(features.skin, rng),
            slope: rng.gen_range(-0.1..0.1),
        },
        samples: 4,
    };
    let camera = Camera {
        brightness: rng.gen_range(-20.0..20.0),
        contrast: rng.gen_range(0.85..1.2),
        face_light: 0.0,
        blur_radius: 1,
        blur_passes: usize::from(rng.gen_bool(0.3)),
        noise: rng.gen_range(1.0..3.5),
    };
    (scene, camera)
}

/// The mean shade an everyday take aims at, and how far from it it may be before the camera's
/// auto-exposure corrects the brightness.
const EXPOSURE_TARGET: f64 = 128.0;
const EXPOSURE_TOLERANCE: f64 = 70.0;

/// `camera` with its brightness corrected if the picture would be too dark or too bright:
/// takes a quick noiseless trial picture and moves its mean to within the tolerance of the target.
pub(crate) fn auto_exposure(scene: &Scene, features: &FaceFeatures, camera: Camera) -> Camera {
    let trial = Scene {
        samples: 1,
        ..*scene
    }
    .shoot(
        features,
        &Camera {
            noise: 0.0,
            ..camera
        },
        0,
    );
    let (mean, _) = super::quality::mean_and_std_dev(&trial);
    let off = mean - EXPOSURE_TARGET;
    if off.abs() <= EXPOSURE_TOLERANCE {
        return camera;
    }
    Camera {
        brightness: camera.brightness - (off - off.signum() * EXPOSURE_TOLERANCE),
        ..camera
    }
}

/// A wall that stands out from the skin by 50 to 90 grey levels: lighter behind dark skin
/// sometimes, darker otherwise.
fn wall_shade(skin: u8, rng: &mut StdRng) -> f64 {
    let skin = f64::from(skin);
    let gap = rng.gen_range(50.0..90.0);
    if skin + gap <= 215.0 && rng.gen_bool(0.5) {
        skin + gap
    } else {
        (skin - gap).max(25.0)
    }
}

/// `camera` with `defect`.
fn poor(camera: Camera, defect: ImageDefect) -> Camera {
    match defect {
        // A tenth of the light.
        ImageDefect::TooDark => Camera {
            contrast: 0.1,
            brightness: -115.0,
            noise: 1.5,
            ..camera
        },
        // A twentieth of the contrast, around mid-grey.
        ImageDefect::LowContrast => Camera {
            contrast: 0.05,
            brightness: camera.brightness / 2.0,
            noise: 1.0,
            ..camera
        },
        // A blur about 13 pixels wide (three passes of a 13-pixel box).
        ImageDefect::Blurred => Camera {
            blur_radius: 6,
            blur_passes: 3,
            noise: 1.5,
            ..camera
        },
    }
}
