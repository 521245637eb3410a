//! The face generator: a specimen person's face drawn by a simple camera model, at any size,
//! position and scale, with lighting, blur and sensor noise.
//!
//! The passport photo (DG2) is the face drawn at scale 1 into 64 x 64 pixels, one sample per
//! pixel, with no camera effects; selfies and liveness frames draw the same face larger, shifted,
//! anti-aliased and through an imperfect camera.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::image::GreyImage;

/// The side of the passport photo, which is also the unit of the face's features.
pub(crate) const PHOTO_SIDE: usize = 64;
/// Where the face's centre is in the passport photo.
const FACE_CENTRE: (f64, f64) = (32.0, 34.0);

/// A specimen person's face, in pixels of the 64 x 64 passport photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FaceFeatures {
    half_width: i32,
    half_height: i32,
    /// Skin shade.
    pub(crate) skin: u8,
    /// Shade of the passport photo's backdrop (at its top; it lightens downwards).
    background: u8,
    eye_gap: i32,
    eye_row: i32,
    mouth_row: i32,
    mouth_half_width: i32,
}

impl FaceFeatures {
    /// The face of the specimen person of `seed` (the same draws, in the same order, as the
    /// original `specimen::face_image`, so DG2 pictures keep their pixels).
    pub(crate) fn from_seed(seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed ^ 0xFACE);
        Self {
            half_width: rng.gen_range(16..24),
            half_height: rng.gen_range(22..29),
            skin: rng.gen_range(120..230),
            background: rng.gen_range(20..90),
            eye_gap: rng.gen_range(5..10),
            eye_row: rng.gen_range(24..30),
            mouth_row: rng.gen_range(40..46),
            mouth_half_width: rng.gen_range(4..10),
        }
    }

    /// The features that make the face's proportions (all but the shades): two seeds with the
    /// same geometry draw identical twins.
    #[cfg(test)]
    pub(crate) fn geometry(&self) -> [i32; 6] {
        [
            self.half_width,
            self.half_height,
            self.eye_gap,
            self.eye_row,
            self.mouth_row,
            self.mouth_half_width,
        ]
    }

    /// The shade at a point of the passport photo's plane, or `None` outside the face. Eyes
    /// are 5 x 3 pixels and the mouth one pixel high, pixels being unit squares around
    /// integer positions.
    fn shade(&self, x: f64, y: f64) -> Option<f64> {
        let (w, h) = (f64::from(self.half_width), f64::from(self.half_height));
        let (dx, dy) = (x - FACE_CENTRE.0, y - FACE_CENTRE.1);
        if dx * dx * h * h + dy * dy * w * w > w * w * h * h {
            return None;
        }
        let gap = f64::from(self.eye_gap);
        let is_eye = (y - f64::from(self.eye_row)).abs() <= 1.5
            && ((x - (FACE_CENTRE.0 - gap)).abs() <= 2.5
                || (x - (FACE_CENTRE.0 + gap)).abs() <= 2.5);
        let is_mouth = (y - f64::from(self.mouth_row)).abs() <= 0.5
            && dx.abs() <= f64::from(self.mouth_half_width) + 0.5;
        Some(if is_eye || is_mouth {
            // Integer division, as in the original generator.
            f64::from(self.skin / 4)
        } else {
            f64::from(self.skin)
        })
    }

    /// The passport photo: 64 x 64, the backdrop lightening by one shade every four rows.
    pub(crate) fn passport_photo(&self) -> GreyImage {
        let scene = Scene {
            width: PHOTO_SIDE,
            height: PHOTO_SIDE,
            scale: 1.0,
            centre: FACE_CENTRE,
            backdrop: Backdrop::Passport,
            samples: 1,
        };
        scene.shoot(self, &Camera::PERFECT, 0)
    }
}

/// What is behind the face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Backdrop {
    /// The passport photo's backdrop, in the face's own coordinates.
    Passport,
    /// A wall of `shade` at the top, changing by `slope` per row of the picture.
    Wall { shade: f64, slope: f64 },
}

/// Where the face is in a picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scene {
    pub(crate) width: usize,
    pub(crate) height: usize,
    /// Picture pixels per passport-photo pixel.
    pub(crate) scale: f64,
    /// Where the face's centre is, in picture pixels.
    pub(crate) centre: (f64, f64),
    pub(crate) backdrop: Backdrop,
    /// Samples per pixel along each axis (anti-aliasing); 1 samples each pixel's centre.
    pub(crate) samples: usize,
}

/// The camera's imperfections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Camera {
    /// Added to every shade after `contrast`.
    pub(crate) brightness: f64,
    /// Shades are stretched by this factor around mid-grey.
    pub(crate) contrast: f64,
    /// Light added to the face only (a screen flash reflected by the near face; may be
    /// negative, a darker screen).
    pub(crate) face_light: f64,
    /// Box-blur radius in pixels (0: sharp), applied `blur_passes` times (out of focus).
    pub(crate) blur_radius: usize,
    pub(crate) blur_passes: usize,
    /// Standard deviation of the sensor noise, in grey levels.
    pub(crate) noise: f64,
}

impl Camera {
    /// No imperfections: the passport photo.
    pub(crate) const PERFECT: Camera = Camera {
        brightness: 0.0,
        contrast: 1.0,
        face_light: 0.0,
        blur_radius: 0,
        blur_passes: 0,
        noise: 0.0,
    };
}

impl Scene {
    /// The face of `features` seen through `camera`; `noise_seed` makes the sensor noise.
    pub(crate) fn shoot(
        &self,
        features: &FaceFeatures,
        camera: &Camera,
        noise_seed: u64,
    ) -> GreyImage {
        let samples = self.samples.max(1);
        let per_pixel = (samples * samples) as f64;
        let to_face = |x: f64, y: f64| {
            (
                FACE_CENTRE.0 + (x - self.centre.0) / self.scale,
                FACE_CENTRE.1 + (y - self.centre.1) / self.scale,
            )
        };
        let mut shades = Vec::with_capacity(self.width * self.height);
        for row in 0..self.height {
            for column in 0..self.width {
                let (x, y) = (column as f64, row as f64);
                let (fx, fy) = to_face(x, y);
                let centre = features.shade(fx, fy);
                // A pixel whose centre and corners all fall on the same part of the picture is
                // uniform (the wall's gradient is linear, so its centre is its mean); features
                // are at least one pixel high and wide, so none fits between the corners.
                let uniform = samples == 1
                    || [(-0.5, -0.5), (0.5, -0.5), (-0.5, 0.5), (0.5, 0.5)]
                        .iter()
                        .all(|&(ox, oy)| {
                            let (cx, cy) = to_face(x + ox, y + oy);
                            features.shade(cx, cy) == centre
                        });
                let (shade, face) = if uniform {
                    match centre {
                        Some(shade) => (shade, 1.0),
                        None => (self.backdrop(features, fy, y), 0.0),
                    }
                } else {
                    let (mut sum, mut face) = (0.0, 0.0);
                    for sy in 0..samples {
                        for sx in 0..samples {
                            // Sub-sample offsets centred on the pixel.
                            let ox = (sx as f64 + 0.5) / samples as f64 - 0.5;
                            let oy = (sy as f64 + 0.5) / samples as f64 - 0.5;
                            let (fx, fy) = to_face(x + ox, y + oy);
                            match features.shade(fx, fy) {
                                Some(shade) => {
                                    sum += shade;
                                    face += 1.0;
                                }
                                None => sum += self.backdrop(features, fy, y + oy),
                            }
                        }
                    }
                    (sum / per_pixel, face / per_pixel)
                };
                let lit = (shade - 128.0) * camera.contrast
                    + 128.0
                    + camera.brightness
                    + camera.face_light * face;
                shades.push(lit);
            }
        }
        for _ in 0..camera.blur_passes {
            shades = box_blur(&shades, self.width, self.height, camera.blur_radius);
        }
        let mut noise = SplitMix64(noise_seed);
        let pixels = shades
            .into_iter()
            .map(|shade| {
                let noisy = if camera.noise > 0.0 {
                    shade + camera.noise * noise.gaussian()
                } else {
                    shade
                };
                noisy.round().clamp(0.0, 255.0) as u8
            })
            .collect();
        GreyImage::generated(self.width, self.height, pixels)
    }

    fn backdrop(&self, features: &FaceFeatures, face_y: f64, y: f64) -> f64 {
        match self.backdrop {
            // One shade lighter every four rows of the passport photo, as the original.
            Backdrop::Passport => f64::from(features.background) + (face_y.max(0.0) / 4.0).floor(),
            Backdrop::Wall { shade, slope } => shade + slope * y,
        }
    }
}

/// Sensor noise: SplitMix64 (Steele, Lea and Flood 2014), a small fast generator, as
/// the noise needs no more than to look random and be the same for a seed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on [-1, 1).
    fn uniform(&mut self) -> f64 {
        // The top 53 bits as a fraction of 2^53.
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    /// A standard normal deviate: the sum of four uniform deviates, scaled (each has variance
    /// 1/3), close enough for sensor noise.
    fn gaussian(&mut self) -> f64 {
        let sum = self.uniform() + self.uniform() + self.uniform() + self.uniform();
        sum * (3.0f64 / 4.0).sqrt()
    }
}

/// A box blur of `radius`, the window clipped at the picture's edges.
pub(crate) fn box_blur(values: &[f64], width: usize, height: usize, radius: usize) -> Vec<f64> {
    if radius == 0 {
        return values.to_vec();
    }
    let horizontal = blur_lines(values, width, height, radius, true);
    blur_lines(&horizontal, width, height, radius, false)
}

fn blur_lines(values: &[f64], width: usize, height: usize, radius: usize, rows: bool) -> Vec<f64> {
    let mut out = vec![0.0; values.len()];
    let (lines, length) = if rows {
        (height, width)
    } else {
        (width, height)
    };
    for line in 0..lines {
        let at = |i: usize| {
            if rows {
                line * width + i
            } else {
                i * width + line
            }
        };
        for i in 0..length {
            let (start, end) = (i.saturating_sub(radius), (i + radius).min(length - 1));
            let sum: f64 = (start..=end)
                .map(|j| values.get(at(j)).copied().unwrap_or(0.0))
                .sum();
            if let Some(slot) = out.get_mut(at(i)) {
                *slot = sum / (end - start + 1) as f64;
            }
        }
    }
    out
}
