//! The face signature: where the eyes and mouth are within the face, measured to a fraction of
//! a pixel and divided by the face's size, so that the position, size, lighting and background
//! of a picture drop out and only the face's proportions remain (the geometric approach to face
//! recognition: Kanade 1973; Brunelli and Poggio 1993).
//!
//! Inside the face's interior ([`super::locate`]) each pixel's depth is how far its shade lies
//! from the skin (median) towards the eyes (1st percentile): `(skin - shade) / (skin - dark)`,
//! so brightness and contrast divide out. Pixels at least 0.3 deep form dark blobs (8-connected);
//! the three heaviest (depth summed) are the eyes (the upper two, left and right) and the mouth
//! (the lowest). Each blob's depth-weighted centroid and spread place it to a fraction of a
//! pixel, anti-aliased or slightly soft edges included. The signature is five proportions, in
//! face units (the face size `unit`):
//!
//! - the face's shape: `ln(sx / sy)` of the face region;
//! - the eyes' spacing: the horizontal distance between the eyes' centroids;
//! - the eyes' level: their mean height relative to the face's centroid;
//! - the mouth's level: its height relative to the face's centroid;
//! - the mouth's width at half its height (see `Blob::width`).
//!
//! The distance between two signatures is the Euclidean distance of the five, times 22: in
//! pixels of a face of typical size in the 64 x 64 passport photo (its `unit` is 16 to 28), so
//! a distance of 1 is about one pixel's difference in the passport photo.

use super::image::GreyImage;
use super::locate::FaceRegion;
use super::quality::{percentile_of, QualityProblem};

/// Distances are in pixels of a face of this size (in face units of the passport photo).
const NOMINAL_UNIT: f64 = 22.0;
/// Depth from which a pixel belongs to a dark blob (eye or mouth).
const BLOB_DEPTH: f64 = 0.3;
/// Smallest blob mass (depth summed), as a fraction of `unit²`: about 2 pixels of the passport
/// photo's face, so specks of noise are not taken for an eye.
const MIN_BLOB_MASS: f64 = 0.004;

/// A face's proportions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FaceSignature {
    shape: f64,
    eye_spacing: f64,
    eye_level: f64,
    mouth_level: f64,
    mouth_width: f64,
}

/// A dark blob's depth-weighted moments.
#[derive(Debug, Clone, Copy, Default)]
struct Blob {
    mass: f64,
    sum_x: f64,
    sum_y: f64,
    /// The window the moments were taken over, `(x0, y0, x1, y1)` inclusive.
    window: (usize, usize, usize, usize),
}

impl Blob {
    fn x(&self) -> f64 {
        self.sum_x / self.mass
    }

    fn y(&self) -> f64 {
        self.sum_y / self.mass
    }

    /// The blob's width at half its height: the depth summed down each column of its window
    /// gives a profile, and the width runs between where the profile crosses half its peak on
    /// either side (interpolated between columns). A bar of whole pixels measures its number
    /// of columns; a slight blur spreads the ends but leaves the half-height crossings in place;
    /// sensor noise moves each crossing by a small fraction of a pixel.
    fn width(&self, depth: &[f64], image_width: usize) -> f64 {
        let (x0, y0, x1, y1) = self.window;
        let profile: Vec<f64> = (x0..=x1)
            .map(|x| {
                (y0..=y1)
                    .map(|y| depth.get(y * image_width + x).copied().unwrap_or(0.0))
                    .sum()
            })
            .collect();
        let Some((peak_at, &peak)) = profile.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))
        else {
            return 0.0;
        };
        // The plateau's height is the median of the columns above half the peak: the peak
        // itself is raised by noise.
        let mut plateau: Vec<f64> = profile
            .iter()
            .copied()
            .filter(|&v| v >= peak / 2.0)
            .collect();
        let half = percentile_of(&mut plateau, 0.5) / 2.0;
        let value = |i: usize| profile.get(i).copied().unwrap_or(0.0);
        // Left: the first column from the peak leftwards below half, then interpolate.
        let mut left = 0.0 - 0.5;
        for i in (0..peak_at).rev() {
            if value(i) < half {
                left = i as f64 + (half - value(i)) / (value(i + 1) - value(i));
                break;
            }
        }
        let mut right = profile.len() as f64 - 0.5;
        for i in peak_at + 1..profile.len() {
            if value(i) < half {
                right = i as f64 - (half - value(i)) / (value(i - 1) - value(i));
                break;
            }
        }
        (right - left).max(0.0)
    }
}

impl FaceSignature {
    /// Measures the face `region` of `image`.
    pub(crate) fn measure(image: &GreyImage, region: &FaceRegion) -> Result<Self, QualityProblem> {
        let width = image.width();
        let contrast = (region.skin - region.dark).max(1.0);
        let depth: Vec<f64> = image
            .pixels()
            .iter()
            .zip(&region.interior)
            .map(|(&shade, &inside)| {
                if inside {
                    ((region.skin - f64::from(shade)) / contrast).clamp(-1.0, 1.0)
                } else {
                    0.0
                }
            })
            .collect();
        let margin = ((region.unit / 12.0).round() as usize).max(1);
        let mut blobs: Vec<Blob> = dark_blobs(&depth, width, image.height())
            .into_iter()
            .map(|bounds| moments(&depth, width, image.height(), bounds, margin))
            .collect();
        let min_mass = MIN_BLOB_MASS * region.unit * region.unit;
        blobs.retain(|blob| blob.mass >= min_mass);
        blobs.sort_by(|a, b| b.mass.total_cmp(&a.mass));
        let [first, second, third] = match blobs.get(..3) {
            Some(&[a, b, c]) => [a, b, c],
            _ => return Err(QualityProblem::NoFacialFeatures),
        };
        let mut features = [first, second, third];
        features.sort_by(|a, b| a.y().total_cmp(&b.y()));
        let [upper, lower, mouth] = features;
        let (left, right) = if upper.x() <= lower.x() {
            (upper, lower)
        } else {
            (lower, upper)
        };
        let unit = region.unit;
        let cy = region.centre.1;
        Ok(Self {
            shape: (region.spread.0 / region.spread.1).ln(),
            eye_spacing: (right.x() - left.x()) / unit,
            eye_level: ((left.y() + right.y()) / 2.0 - cy) / unit,
            mouth_level: (mouth.y() - cy) / unit,
            mouth_width: mouth.width(&depth, width) / unit,
        })
    }

    /// The distance between two faces' proportions, in pixels of a typical passport-photo face.
    pub(crate) fn distance(&self, other: &FaceSignature) -> f64 {
        let squares = (self.shape - other.shape).powi(2)
            + (self.eye_spacing - other.eye_spacing).powi(2)
            + (self.eye_level - other.eye_level).powi(2)
            + (self.mouth_level - other.mouth_level).powi(2)
            + (self.mouth_width - other.mouth_width).powi(2);
        NOMINAL_UNIT * squares.sqrt()
    }
}

/// The 8-connected blobs of pixels at least [`BLOB_DEPTH`] deep, as bounding boxes
/// `(x0, y0, x1, y1)` (inclusive).
fn dark_blobs(depth: &[f64], width: usize, height: usize) -> Vec<(usize, usize, usize, usize)> {
    let deep = |i: usize| depth.get(i).copied().unwrap_or(0.0) >= BLOB_DEPTH;
    let mut seen = vec![false; depth.len()];
    let mut blobs = Vec::new();
    let mut stack = Vec::new();
    for start in 0..depth.len() {
        if !deep(start) || seen.get(start).copied().unwrap_or(true) {
            continue;
        }
        let mut bounds = (usize::MAX, usize::MAX, 0, 0);
        if let Some(slot) = seen.get_mut(start) {
            *slot = true;
        }
        stack.push(start);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % width, i / width);
            bounds = (
                bounds.0.min(x),
                bounds.1.min(y),
                bounds.2.max(x),
                bounds.3.max(y),
            );
            for ny in y.saturating_sub(1)..=(y + 1).min(height.saturating_sub(1)) {
                for nx in x.saturating_sub(1)..=(x + 1).min(width.saturating_sub(1)) {
                    let next = ny * width + nx;
                    if deep(next) && !seen.get(next).copied().unwrap_or(true) {
                        if let Some(slot) = seen.get_mut(next) {
                            *slot = true;
                        }
                        stack.push(next);
                    }
                }
            }
        }
        blobs.push(bounds);
    }
    blobs
}

/// The depth-weighted moments over a blob's box widened by `margin` pixels: the margin takes in
/// the soft edge a slight blur spreads around a feature, and signed depths (skin lighter than
/// the median counts negative) let sensor noise cancel out instead of adding up.
fn moments(
    depth: &[f64],
    width: usize,
    height: usize,
    bounds: (usize, usize, usize, usize),
    margin: usize,
) -> Blob {
    let mut blob = Blob::default();
    // Features are wider than high: one more row above and below is enough.
    let (x0, y0) = (bounds.0.saturating_sub(margin), bounds.1.saturating_sub(1));
    let (x1, y1) = (
        (bounds.2 + margin).min(width.saturating_sub(1)),
        (bounds.3 + 1).min(height.saturating_sub(1)),
    );
    for y in y0..=y1 {
        for x in x0..=x1 {
            let d = depth.get(y * width + x).copied().unwrap_or(0.0);
            let (fx, fy) = (x as f64, y as f64);
            blob.mass += d;
            blob.sum_x += d * fx;
            blob.sum_y += d * fy;
        }
    }
    blob.window = (x0, y0, x1, y1);
    blob
}
