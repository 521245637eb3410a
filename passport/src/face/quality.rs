//! The quality gate a picture passes before any face is looked for: big enough, neither too dark
//! nor overexposed, with contrast, and in focus.

use thiserror::Error;

use super::image::GreyImage;

/// Smallest accepted width and height.
pub const MIN_SIDE: usize = 32;
/// Mean brightness below this (of 255) is too dark.
pub const MIN_MEAN: f64 = 30.0;
/// Mean brightness above this is overexposed.
pub const MAX_MEAN: f64 = 230.0;
/// Standard deviation of the shades below this is too little contrast to see a face.
pub const MIN_CONTRAST: f64 = 8.0;
/// Edge sharpness (see [`sharpness`]) below this is out of focus.
pub const MIN_SHARPNESS: f64 = 0.24;

/// What is wrong with a picture, with what the person should do about it.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum QualityProblem {
    /// Fewer than [`MIN_SIDE`] pixels on a side.
    #[error("the picture is only {width} x {height} pixels, at least {MIN_SIDE} x {MIN_SIDE} are needed: take the photo with the phone's camera")]
    TooSmall {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
    },
    /// Mean brightness below [`MIN_MEAN`].
    #[error("the picture is too dark (mean brightness {mean:.0} of 255): turn on a light or face a window")]
    TooDark {
        /// Mean brightness.
        mean: f64,
    },
    /// Mean brightness above [`MAX_MEAN`].
    #[error(
        "the picture is overexposed (mean brightness {mean:.0} of 255): move out of direct light"
    )]
    TooBright {
        /// Mean brightness.
        mean: f64,
    },
    /// Standard deviation below [`MIN_CONTRAST`].
    #[error("the picture has almost no contrast (standard deviation {std_dev:.1}): clean the lens and light your face evenly")]
    LowContrast {
        /// Standard deviation of the shades.
        std_dev: f64,
    },
    /// Edge sharpness below [`MIN_SHARPNESS`].
    #[error("the picture is blurred (sharpness {sharpness:.2}): hold the phone still and let the camera focus")]
    Blurred {
        /// Edge sharpness, see [`sharpness`].
        sharpness: f64,
    },
    /// No face-sized region stands out from the background.
    #[error("no face was found: hold your face in the middle of the picture, against a plain background")]
    NoFace,
    /// A face-shaped region without darker eyes or mouth.
    #[error("no eyes or mouth can be seen in the face: look straight into the camera, with nothing covering your face")]
    NoFacialFeatures,
}

/// Mean and standard deviation of the shades.
pub fn mean_and_std_dev(image: &GreyImage) -> (f64, f64) {
    let count = image.pixels().len().max(1) as f64;
    let mean = image.pixels().iter().map(|&p| f64::from(p)).sum::<f64>() / count;
    let variance = image
        .pixels()
        .iter()
        .map(|&p| (f64::from(p) - mean).powi(2))
        .sum::<f64>()
        / count;
    (mean, variance.sqrt())
}

/// Half-side of the window over which [`sharpness`] measures an edge's height.
const EDGE_WINDOW: usize = 6;
/// An edge must step by at least this many grey levels to be measured.
const MIN_EDGE_STEP: f64 = 24.0;

/// Edge sharpness, from 0 (no edges) to 1 (hard steps): how much of an edge's height is
/// crossed in one pixel. At each pixel, the larger forward difference (right or down) is divided
/// by the range of shades in the 9 x 9 window around it, which is the height of the edge there;
/// only pixels where that range is at least 24 grey levels and 40% of the picture's range (1st to
/// 99th percentile) count, and the 95th percentile of those ratios is the sharpness. A step edge
/// scores about 1, anti-aliased 0.5, a 3-pixel blur 0.3, an edge blurred over 10 pixels under 0.2.
///
/// Dividing by the local edge height makes the measure independent of contrast, and the minimum
/// height keeps sensor noise (a few grey levels) from passing for edges; the variance of the
/// Laplacian, the textbook measure, depends on both.
pub fn sharpness(image: &GreyImage) -> f64 {
    let (width, height) = (image.width(), image.height());
    if width < 2 || height < 2 {
        return 0.0;
    }
    let pixels = image.pixels();
    let at = |x: usize, y: usize| f64::from(pixels.get(y * width + x).copied().unwrap_or(0));
    let (low, high) = percentiles(pixels, 0.01, 0.99);
    let min_range = MIN_EDGE_STEP.max(0.5 * (high - low));
    let (minimum, maximum) = window_min_max(pixels, width, height, EDGE_WINDOW);
    let mut ratios = Vec::new();
    for y in 0..height - 1 {
        for x in 0..width - 1 {
            let i = y * width + x;
            let range = f64::from(maximum.get(i).copied().unwrap_or(0))
                - f64::from(minimum.get(i).copied().unwrap_or(0));
            if range < min_range {
                continue;
            }
            let step = (at(x + 1, y) - at(x, y))
                .abs()
                .max((at(x, y + 1) - at(x, y)).abs());
            ratios.push(step / range);
        }
    }
    percentile_of(&mut ratios, 0.95)
}

/// Runs the gate: the first problem found, or `Ok`.
pub fn check_quality(image: &GreyImage) -> Result<(), QualityProblem> {
    let (width, height) = (image.width(), image.height());
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(QualityProblem::TooSmall { width, height });
    }
    let (mean, std_dev) = mean_and_std_dev(image);
    if mean < MIN_MEAN {
        return Err(QualityProblem::TooDark { mean });
    }
    if mean > MAX_MEAN {
        return Err(QualityProblem::TooBright { mean });
    }
    if std_dev < MIN_CONTRAST {
        return Err(QualityProblem::LowContrast { std_dev });
    }
    let sharpness = sharpness(image);
    if sharpness < MIN_SHARPNESS {
        return Err(QualityProblem::Blurred { sharpness });
    }
    Ok(())
}

/// The `low` and `high` quantiles of 8-bit shades.
pub(crate) fn percentiles(pixels: &[u8], low: f64, high: f64) -> (f64, f64) {
    let mut histogram = [0usize; 256];
    for &p in pixels {
        histogram[usize::from(p)] += 1;
    }
    let quantile = |q: f64| {
        let target = (q * pixels.len() as f64).ceil().max(1.0) as usize;
        let mut seen = 0;
        for (shade, &count) in histogram.iter().enumerate() {
            seen += count;
            if seen >= target {
                return shade as f64;
            }
        }
        255.0
    };
    (quantile(low), quantile(high))
}

/// The `q` quantile of `values` (0 if empty); sorts them.
pub(crate) fn percentile_of(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let index = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1;
    values.get(index).copied().unwrap_or(0.0)
}

/// The minimum and maximum over the (2r+1) x (2r+1) window around each pixel (clipped at the
/// edges).
fn window_min_max(pixels: &[u8], width: usize, height: usize, r: usize) -> (Vec<u8>, Vec<u8>) {
    (
        window_extreme(pixels, width, height, r, false),
        window_extreme(pixels, width, height, r, true),
    )
}

/// The maximum (or minimum) over the (2r+1) x (2r+1) window around each pixel (clipped at the
/// edges), by separable passes: along the rows, then along the rows of the transposed result.
pub(crate) fn window_extreme(
    pixels: &[u8],
    width: usize,
    height: usize,
    r: usize,
    take_max: bool,
) -> Vec<u8> {
    let mut buffers = Buffers::default();
    let rows = rows_extreme(pixels, width, r, take_max, &mut buffers);
    let columns = rows_extreme(
        &transpose(&rows, width, height),
        height,
        r,
        take_max,
        &mut buffers,
    );
    transpose(&columns, height, width)
}

/// Each row of `values` (rows of `width`) through [`sliding_extreme`].
fn rows_extreme(
    values: &[u8],
    width: usize,
    r: usize,
    take_max: bool,
    buffers: &mut Buffers,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len());
    for row in values.chunks(width.max(1)) {
        sliding_extreme(row, r, take_max, buffers, &mut out);
    }
    out
}

/// `values` (rows of `width`, `height` of them) turned so its columns become rows.
fn transpose(values: &[u8], width: usize, height: usize) -> Vec<u8> {
    let mut out = vec![0; values.len()];
    for (y, row) in values.chunks(width.max(1)).enumerate() {
        for (x, &value) in row.iter().enumerate() {
            if let Some(slot) = out.get_mut(x * height + y) {
                *slot = value;
            }
        }
    }
    out
}

/// Scratch space for [`sliding_extreme`], reused from line to line.
#[derive(Default)]
struct Buffers {
    padded: Vec<u8>,
    prefix: Vec<u8>,
    suffix: Vec<u8>,
}

/// Appends to `out` the maximum (or minimum) of each window `[i - r, i + r]` of `line`
/// (clipped at its ends), in linear time (van Herk / Gil-Werman): the line, padded with `r`
/// neutral values at each end, is cut into blocks of `2r + 1`; a window spans at most two
/// blocks, so its extreme is that of a suffix of one block and a prefix of the next.
fn sliding_extreme(
    line: &[u8],
    r: usize,
    take_max: bool,
    buffers: &mut Buffers,
    out: &mut Vec<u8>,
) {
    // Written out without helper calls: this runs for every pixel several times per picture,
    // and unoptimised test builds do not inline.
    let neutral = if take_max { u8::MIN } else { u8::MAX };
    let block = 2 * r + 1;
    let Buffers {
        padded,
        prefix,
        suffix,
    } = buffers;
    padded.clear();
    padded.resize(r, neutral);
    padded.extend_from_slice(line);
    padded.resize((line.len() + 2 * r).div_ceil(block) * block, neutral);
    prefix.clone_from(padded);
    suffix.clone_from(padded);
    // `padded` is whole blocks: prefix extremes run forwards within each block, suffix
    // extremes backwards.
    for (prefix, suffix) in prefix.chunks_mut(block).zip(suffix.chunks_mut(block)) {
        let mut running = neutral;
        for value in prefix.iter_mut() {
            if (*value > running) == take_max {
                running = *value;
            }
            *value = running;
        }
        let mut running = neutral;
        for value in suffix.iter_mut().rev() {
            if (*value > running) == take_max {
                running = *value;
            }
            *value = running;
        }
    }
    // The window of `line[i]` is `padded[i ..= i + 2r]`: a suffix of one block and a prefix
    // of the next (or one whole block).
    for (&from_suffix, &from_prefix) in suffix
        .iter()
        .zip(prefix.iter().skip(2 * r))
        .take(line.len())
    {
        out.push(if (from_suffix > from_prefix) == take_max {
            from_suffix
        } else {
            from_prefix
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_extremes_match_a_plain_scan() {
        let line: Vec<u8> = (0..37u32).map(|i| (i * 97 % 251) as u8).collect();
        for r in 0..6 {
            for take_max in [false, true] {
                let plain: Vec<u8> = (0..line.len())
                    .map(|i| {
                        let window = &line[i.saturating_sub(r)..=(i + r).min(line.len() - 1)];
                        let extreme = if take_max {
                            window.iter().max()
                        } else {
                            window.iter().min()
                        };
                        *extreme.unwrap()
                    })
                    .collect();
                let mut out = Vec::new();
                sliding_extreme(&line, r, take_max, &mut Buffers::default(), &mut out);
                assert_eq!(out, plain, "r {r} max {take_max}");
            }
        }
    }

    #[test]
    fn window_extremes_match_a_plain_scan() {
        let (width, height) = (7, 5);
        let pixels: Vec<u8> = (0..35u32).map(|i| (i * 53 % 241) as u8).collect();
        let maximum = window_extreme(&pixels, width, height, 1, true);
        for y in 0..height {
            for x in 0..width {
                let mut plain = 0;
                for yy in y.saturating_sub(1)..=(y + 1).min(height - 1) {
                    for xx in x.saturating_sub(1)..=(x + 1).min(width - 1) {
                        plain = plain.max(pixels[yy * width + xx]);
                    }
                }
                assert_eq!(maximum[y * width + x], plain, "({x}, {y})");
            }
        }
    }

    #[test]
    fn uniform_pictures_have_no_contrast() {
        for shade in [0, 128, 255] {
            let problem = check_quality(&GreyImage::filled(64, 64, shade).unwrap()).unwrap_err();
            match shade {
                0 => assert!(matches!(problem, QualityProblem::TooDark { .. })),
                255 => assert!(matches!(problem, QualityProblem::TooBright { .. })),
                _ => assert_eq!(problem, QualityProblem::LowContrast { std_dev: 0.0 }),
            }
        }
    }

    #[test]
    fn tiny_pictures_are_too_small_and_measurable() {
        for (w, h) in [(1, 1), (1, 40), (40, 1), (31, 64)] {
            let image = GreyImage::filled(w, h, 100).unwrap();
            assert_eq!(
                check_quality(&image).unwrap_err(),
                QualityProblem::TooSmall {
                    width: w,
                    height: h
                }
            );
            assert_eq!(sharpness(&image), 0.0);
        }
    }

    #[test]
    fn a_hard_edge_is_sharp_and_a_ramp_is_not() {
        let step: Vec<u8> = (0..64 * 64)
            .map(|i| if i % 64 < 32 { 40 } else { 200 })
            .collect();
        let step = GreyImage::new(64, 64, step).unwrap();
        assert!(sharpness(&step) > 0.9, "{}", sharpness(&step));
        // The same edge spread over 16 pixels.
        let ramp: Vec<u8> = (0..64 * 64)
            .map(|i: usize| (40 + 10 * (i % 64).saturating_sub(24).min(16)) as u8)
            .collect();
        let ramp = GreyImage::new(64, 64, ramp).unwrap();
        assert!(sharpness(&ramp) < MIN_SHARPNESS, "{}", sharpness(&ramp));
        assert!(matches!(
            check_quality(&ramp),
            Err(QualityProblem::Blurred { .. })
        ));
    }
}
