//! Finding the face: the region that stands out from the background, its centre and size.
//!
//! 1. Smooth with a 3 x 3 box (sensor noise) and split the shades in two with Otsu's threshold.
//! 2. The background is the class most of the picture's border belongs to; flood-fill it from
//!    the border. Whatever it cannot reach (the face, and the eyes and mouth inside it, whether
//!    darker or lighter than the background) is the face's candidate region.
//! 3. Keep the largest 4-connected part of it (specks of noise fall away), if it covers between
//!    2% and 80% of the picture.
//! 4. Its centroid and the standard deviations `sx`, `sy` of its pixels' positions give the face
//!    ellipse (semi-axes `2 sx`, `2 sy` for a filled ellipse) and the face size
//!    `unit = 2 sqrt(sx sy)`, the geometric mean of the semi-axes; both are exact to a fraction
//!    of a pixel, even on noisy pictures, because every pixel of the face contributes.
//! 5. The interior is the region shrunk by about a twentieth of the face size, so the skin
//!    shade measured there is not mixed with the background; the skin shade is the median of
//!    the interior and the "dark" shade (eyes, mouth) its 1st percentile.

use std::collections::VecDeque;

use super::image::GreyImage;
use super::quality::{percentile_of, window_extreme, QualityProblem};

/// The face found in a picture.
#[derive(Debug, Clone)]
pub(crate) struct FaceRegion {
    /// The face's pixels away from its outline.
    pub(crate) interior: Vec<bool>,
    /// Centroid, in pixels.
    pub(crate) centre: (f64, f64),
    /// Standard deviations of the face pixels' columns and rows.
    pub(crate) spread: (f64, f64),
    /// The face size: the geometric mean of the ellipse's semi-axes, in pixels.
    pub(crate) unit: f64,
    /// Median shade of the interior: the skin.
    pub(crate) skin: f64,
    /// 1st percentile of the interior: the eyes and mouth.
    pub(crate) dark: f64,
}

/// Smallest skin-to-eyes step, in grey levels, for the face to show features.
const MIN_FEATURE_STEP: f64 = 24.0;

/// Finds the face in `image`.
pub(crate) fn locate(image: &GreyImage) -> Result<FaceRegion, QualityProblem> {
    let (width, height) = (image.width(), image.height());
    let count = width * height;
    if width < 3 || height < 3 {
        return Err(QualityProblem::NoFace);
    }
    let threshold = otsu(&smooth3(image));
    let bright: Vec<bool> = image.pixels().iter().map(|&v| v > threshold).collect();
    let border: Vec<usize> = (0..count)
        .filter(|&i| {
            let (x, y) = (i % width, i / width);
            x == 0 || y == 0 || x == width - 1 || y == height - 1
        })
        .collect();
    let bright_border = border
        .iter()
        .filter(|&&i| bright.get(i).copied().unwrap_or(false))
        .count();
    let background_is_bright = 2 * bright_border > border.len();
    let is_background_class =
        |i: usize| bright.get(i).copied().unwrap_or(false) == background_is_bright;

    let seeds = border.iter().copied().filter(|&i| is_background_class(i));
    let background = flood(width, height, seeds, is_background_class);
    let candidate: Vec<bool> = background.iter().map(|&b| !b).collect();
    let mask = largest_component(width, height, &candidate);
    let area = mask.iter().filter(|&&m| m).count();
    if area * 50 < count || area * 5 > count * 4 {
        return Err(QualityProblem::NoFace);
    }

    let (mut sum_x, mut sum_y) = (0.0, 0.0);
    for (i, _) in mask.iter().enumerate().filter(|(_, &m)| m) {
        sum_x += (i % width) as f64;
        sum_y += (i / width) as f64;
    }
    let n = area as f64;
    let centre = (sum_x / n, sum_y / n);
    let (mut var_x, mut var_y) = (0.0, 0.0);
    for (i, _) in mask.iter().enumerate().filter(|(_, &m)| m) {
        var_x += ((i % width) as f64 - centre.0).powi(2);
        var_y += ((i / width) as f64 - centre.1).powi(2);
    }
    let spread = ((var_x / n).sqrt(), (var_y / n).sqrt());
    // A face is a blob, not a streak: at least a few pixels either way.
    if spread.0 < 2.0 || spread.1 < 2.0 {
        return Err(QualityProblem::NoFace);
    }
    let unit = 2.0 * (spread.0 * spread.1).sqrt();

    let shrink = ((unit / 20.0).round() as usize).max(1);
    let interior = erode(&mask, width, height, shrink);
    let mut shades: Vec<f64> = interior
        .iter()
        .zip(image.pixels())
        .filter(|(&inside, _)| inside)
        .map(|(_, &p)| f64::from(p))
        .collect();
    if shades.is_empty() {
        return Err(QualityProblem::NoFace);
    }
    let dark = percentile_of(&mut shades, 0.01);
    let skin = percentile_of(&mut shades, 0.5);
    if (skin - dark) < MIN_FEATURE_STEP {
        return Err(QualityProblem::NoFacialFeatures);
    }
    Ok(FaceRegion {
        interior,
        centre,
        spread,
        unit,
        skin,
        dark,
    })
}

/// A 3 x 3 box blur (clipped at the edges), rounded to shades: sums along rows, then columns.
fn smooth3(image: &GreyImage) -> Vec<u8> {
    let (width, height) = (image.width(), image.height());
    let pixels = image.pixels();
    let window = |i: usize, length: usize| i.saturating_sub(1)..=(i + 1).min(length - 1);
    let mut rows = vec![(0u32, 0u32); pixels.len()];
    for y in 0..height {
        for x in 0..width {
            let (mut sum, mut n) = (0, 0);
            for xx in window(x, width) {
                sum += u32::from(pixels[y * width + xx]);
                n += 1;
            }
            rows[y * width + x] = (sum, n);
        }
    }
    let mut out = Vec::with_capacity(pixels.len());
    for y in 0..height {
        for x in 0..width {
            let (mut sum, mut n) = (0, 0);
            for yy in window(y, height) {
                let (s, c) = rows[yy * width + x];
                sum += s;
                n += c;
            }
            out.push(u8::try_from((sum + n / 2) / n.max(1)).unwrap_or(u8::MAX));
        }
    }
    out
}

/// Otsu's threshold: the shade `t` that best splits the shades into `<= t` and `> t` (the
/// largest variance between the two classes).
pub(crate) fn otsu(shades: &[u8]) -> u8 {
    let mut histogram = [0f64; 256];
    for &s in shades {
        histogram[usize::from(s)] += 1.0;
    }
    let total: f64 = histogram.iter().sum();
    let sum_all: f64 = histogram
        .iter()
        .enumerate()
        .map(|(s, &c)| s as f64 * c)
        .sum();
    let (mut weight_low, mut sum_low) = (0.0, 0.0);
    let (mut best, mut best_variance) = (0u8, -1.0);
    for (shade, &count) in histogram.iter().enumerate() {
        weight_low += count;
        sum_low += shade as f64 * count;
        let weight_high = total - weight_low;
        if weight_low == 0.0 || weight_high == 0.0 {
            continue;
        }
        let mean_low = sum_low / weight_low;
        let mean_high = (sum_all - sum_low) / weight_high;
        let variance = weight_low * weight_high * (mean_low - mean_high).powi(2);
        if variance > best_variance {
            best_variance = variance;
            best = u8::try_from(shade).unwrap_or(u8::MAX);
        }
    }
    best
}

/// The pixels reached from `seeds` through 4-neighbours that satisfy `passable`.
fn flood(
    width: usize,
    height: usize,
    seeds: impl Iterator<Item = usize>,
    passable: impl Fn(usize) -> bool,
) -> Vec<bool> {
    let mut reached = vec![false; width * height];
    let mut queue = VecDeque::new();
    for seed in seeds {
        if let Some(slot) = reached.get_mut(seed) {
            if !*slot {
                *slot = true;
                queue.push_back(seed);
            }
        }
    }
    while let Some(i) = queue.pop_front() {
        for next in neighbours(i, width, height).into_iter().flatten() {
            if passable(next) {
                if let Some(slot) = reached.get_mut(next) {
                    if !*slot {
                        *slot = true;
                        queue.push_back(next);
                    }
                }
            }
        }
    }
    reached
}

fn neighbours(i: usize, width: usize, height: usize) -> [Option<usize>; 4] {
    let (x, y) = (i % width, i / width);
    [
        (x > 0).then(|| i - 1),
        (x + 1 < width).then(|| i + 1),
        (y > 0).then(|| i - width),
        (y + 1 < height).then(|| i + width),
    ]
}

/// The largest 4-connected set of `true` pixels.
fn largest_component(width: usize, height: usize, set: &[bool]) -> Vec<bool> {
    let inside = |i: usize| set.get(i).copied().unwrap_or(false);
    let mut seen = vec![false; set.len()];
    let mut best: Vec<usize> = Vec::new();
    for start in 0..set.len() {
        if !inside(start) || seen.get(start).copied().unwrap_or(true) {
            continue;
        }
        let mut component = vec![start];
        if let Some(slot) = seen.get_mut(start) {
            *slot = true;
        }
        let mut at = 0;
        while let Some(&i) = component.get(at) {
            at += 1;
            for next in neighbours(i, width, height).into_iter().flatten() {
                if inside(next) && !seen.get(next).copied().unwrap_or(true) {
                    if let Some(slot) = seen.get_mut(next) {
                        *slot = true;
                    }
                    component.push(next);
                }
            }
        }
        if component.len() > best.len() {
            best = component;
        }
    }
    let mut mask = vec![false; set.len()];
    for i in best {
        if let Some(slot) = mask.get_mut(i) {
            *slot = true;
        }
    }
    mask
}

/// The pixels of `mask` whose whole (2r+1) x (2r+1) neighbourhood (clipped at the picture's
/// edges) is in `mask`.
fn erode(mask: &[bool], width: usize, height: usize, r: usize) -> Vec<bool> {
    let values: Vec<u8> = mask.iter().map(|&m| u8::from(m)).collect();
    window_extreme(&values, width, height, r, false)
        .into_iter()
        .map(|v| v == 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::face::render::FaceFeatures;

    #[test]
    fn the_passport_face_is_found_where_it_was_drawn() {
        for seed in 0..20 {
            let features = FaceFeatures::from_seed(seed);
            let face = locate(&features.passport_photo()).unwrap();
            // Drawn around (32, 34) with semi-axes of 16 to 28 pixels.
            assert!(
                (face.centre.0 - 32.0).abs() < 0.6,
                "{seed}: {:?}",
                face.centre
            );
            assert!(
                (face.centre.1 - 34.0).abs() < 1.5,
                "{seed}: {:?}",
                face.centre
            );
            assert!((16.0..28.0).contains(&face.unit), "{seed}: {}", face.unit);
            assert_eq!(face.skin, f64::from(features.skin));
            assert_eq!(face.dark, f64::from(features.skin / 4));
        }
    }

    #[test]
    fn a_plain_or_tiny_picture_has_no_face() {
        for image in [
            GreyImage::filled(64, 64, 90).unwrap(),
            GreyImage::filled(1, 1, 90).unwrap(),
            GreyImage::filled(2, 50, 90).unwrap(),
        ] {
            assert_eq!(locate(&image).unwrap_err(), QualityProblem::NoFace);
        }
    }

    #[test]
    fn a_blank_disc_has_no_features() {
        let pixels = (0..64 * 64)
            .map(|i: usize| {
                let (x, y) = ((i % 64) as f64 - 32.0, (i / 64) as f64 - 32.0);
                if x * x + y * y < 400.0 {
                    200
                } else {
                    30
                }
            })
            .collect();
        let disc = GreyImage::new(64, 64, pixels).unwrap();
        assert_eq!(locate(&disc).unwrap_err(), QualityProblem::NoFacialFeatures);
    }

    #[test]
    fn otsu_splits_two_shades() {
        let shades = [10u8, 10, 12, 200, 201, 199];
        let t = otsu(&shades);
        assert!((12..199).contains(&t), "{t}");
    }
}
