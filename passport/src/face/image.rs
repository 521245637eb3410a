//! Grey pictures: the chip's DG2 face (a binary PGM in this simulation) and uploaded selfies
//! (PNG or PGM), read into one 8-bit grey raster; written back as PGM or PNG (browsers show PNG).

use std::io::Cursor;

use thiserror::Error;

/// The largest width or height accepted from an upload, so a hostile file cannot make the
/// decoder allocate more than 4096 x 4096 pixels (64 MiB as RGBA).
pub const MAX_SIDE: usize = 4096;

/// Why a picture could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImageError {
    /// A width or height of zero.
    #[error("the picture has no pixels ({width} x {height}): send a real photo")]
    Empty {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
    },
    /// Larger than [`MAX_SIDE`] on a side.
    #[error(
        "the picture is {width} x {height} pixels, larger than {MAX_SIDE} x {MAX_SIDE}: send a smaller photo"
    )]
    TooLarge {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
    },
    /// Pixel data that does not fill width x height.
    #[error("the picture should have {expected} pixels but has {actual}")]
    PixelCount {
        /// Width x height.
        expected: usize,
        /// What was given.
        actual: usize,
    },
    /// Neither a PNG nor a binary PGM.
    #[error("the picture is neither a PNG nor a binary PGM (P5): send a PNG photo")]
    UnknownFormat,
    /// A PGM whose header or data is not a binary (`P5`) 8-bit greymap.
    #[error("the PGM picture is not readable: {0}")]
    Pgm(&'static str),
    /// A PGM with a maximum grey value other than 255.
    #[error("the PGM picture has maximum grey value {0}; only 8-bit greymaps (255) are read")]
    PgmMaxval(u32),
    /// The PNG decoder refused the file.
    #[error("the PNG picture could not be decoded: {0}")]
    Png(String),
    /// The PNG encoder failed (it only writes into memory, so this is unexpected).
    #[error("the picture could not be written as PNG: {0}")]
    PngEncode(String),
}

/// An 8-bit grey picture, row by row from the top left; it always has at least one pixel and at
/// most [`MAX_SIDE`] on a side.
#[derive(Clone, PartialEq, Eq)]
pub struct GreyImage {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl std::fmt::Debug for GreyImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GreyImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

fn check_size(width: usize, height: usize) -> Result<(), ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::Empty { width, height });
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ImageError::TooLarge { width, height });
    }
    Ok(())
}

impl GreyImage {
    /// A picture of `width` x `height` from its pixels, row by row.
    pub fn new(width: usize, height: usize, pixels: Vec<u8>) -> Result<Self, ImageError> {
        check_size(width, height)?;
        let expected = width * height;
        if pixels.len() != expected {
            return Err(ImageError::PixelCount {
                expected,
                actual: pixels.len(),
            });
        }
        Ok(Self {
            width,
            height,
            pixels,
        })
    }

    /// A picture of one grey `value` everywhere.
    pub fn filled(width: usize, height: usize, value: u8) -> Result<Self, ImageError> {
        check_size(width, height)?;
        Self::new(width, height, vec![value; width * height])
    }

    /// A picture this crate drew, whose size it chose: a size outside the limits is clamped
    /// and the pixels cut or padded to fit, so drawing code needs no error path.
    pub(crate) fn generated(width: usize, height: usize, mut pixels: Vec<u8>) -> Self {
        let (width, height) = (width.clamp(1, MAX_SIDE), height.clamp(1, MAX_SIDE));
        pixels.resize(width * height, 0);
        Self {
            width,
            height,
            pixels,
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The pixels, row by row from the top left.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The pixel at column `x`, row `y`, if inside the picture.
    pub fn get(&self, x: usize, y: usize) -> Option<u8> {
        if x < self.width && y < self.height {
            self.pixels.get(y * self.width + x).copied()
        } else {
            None
        }
    }

    /// Reads a PNG or a binary PGM, told apart by their signatures.
    pub fn decode(bytes: &[u8]) -> Result<Self, ImageError> {
        if bytes.starts_with(PNG_SIGNATURE) {
            Self::from_png(bytes)
        } else if bytes.starts_with(b"P5") {
            Self::from_pgm(bytes)
        } else {
            Err(ImageError::UnknownFormat)
        }
    }

    /// Reads a binary greymap (Netpbm `P5`) with maximum grey value 255: the header is `P5`,
    /// width, height and maxval separated by whitespace (with `#` comments), then one whitespace
    /// character and exactly width x height bytes.
    pub fn from_pgm(bytes: &[u8]) -> Result<Self, ImageError> {
        let mut header = PgmHeader { bytes, at: 0 };
        match bytes.get(..2) {
            Some(b"P5") => header.at = 2,
            Some(b"P2") => {
                return Err(ImageError::Pgm(
                    "plain (P2) greymaps are not read, only binary P5",
                ))
            }
            _ => return Err(ImageError::Pgm("it does not start with P5")),
        }
        let width = header.number("width")?;
        let height = header.number("height")?;
        let maxval = header.number("maximum grey value")?;
        check_size(width as usize, height as usize)?;
        if maxval != 255 {
            return Err(ImageError::PgmMaxval(maxval));
        }
        // Exactly one whitespace character ends the header.
        match bytes.get(header.at) {
            Some(byte) if byte.is_ascii_whitespace() => header.at += 1,
            _ => {
                return Err(ImageError::Pgm(
                    "no whitespace after the maximum grey value",
                ))
            }
        }
        let data = bytes.get(header.at..).unwrap_or_default();
        let expected = width as usize * height as usize;
        if data.len() != expected {
            return Err(ImageError::PixelCount {
                expected,
                actual: data.len(),
            });
        }
        Self::new(width as usize, height as usize, data.to_vec())
    }

    /// Writes a binary greymap (`P5`, maxval 255).
    pub fn to_pgm(&self) -> Vec<u8> {
        let mut out = format!("P5\n{} {}\n255\n", self.width, self.height).into_bytes();
        out.extend_from_slice(&self.pixels);
        out
    }

    /// Reads a PNG of any colour type and bit depth (palette and 16-bit samples are reduced to
    /// 8 bits), turned grey with the Rec. 601 luma `(299 R + 587 G + 114 B) / 1000`, rounded;
    /// alpha is dropped. Refuses pictures larger than [`MAX_SIDE`] on a side before decoding the
    /// pixels. An animated PNG gives its first frame.
    pub fn from_png(bytes: &[u8]) -> Result<Self, ImageError> {
        let png_error = |error: png::DecodingError| ImageError::Png(error.to_string());
        let mut decoder = png::Decoder::new(Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let header = decoder.read_header_info().map_err(png_error)?;
        check_size(header.width as usize, header.height as usize)?;
        let mut reader = decoder.read_info().map_err(png_error)?;
        let size = reader
            .output_buffer_size()
            .ok_or(ImageError::Png("the picture does not fit in memory".into()))?;
        let mut buffer = vec![0; size];
        let frame = reader.next_frame(&mut buffer).map_err(png_error)?;
        let (width, height) = (frame.width as usize, frame.height as usize);
        check_size(width, height)?;
        if frame.bit_depth != png::BitDepth::Eight {
            return Err(ImageError::Png("samples were not reduced to 8 bits".into()));
        }
        let channels = match frame.color_type {
            png::ColorType::Grayscale => 1,
            png::ColorType::GrayscaleAlpha => 2,
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            png::ColorType::Indexed => {
                return Err(ImageError::Png("the palette was not expanded".into()))
            }
        };
        let mut pixels = Vec::with_capacity(width * height);
        for row in buffer.chunks(frame.line_size).take(height) {
            for sample in row.chunks(channels).take(width) {
                pixels.push(match *sample {
                    [grey] | [grey, _] => grey,
                    [r, g, b] | [r, g, b, _] => luma(r, g, b),
                    _ => return Err(ImageError::Png("a row of the picture is cut short".into())),
                });
            }
        }
        Self::new(width, height, pixels)
    }

    /// Writes an 8-bit greyscale PNG, for an `<img>` (browsers do not show PGM).
    pub fn to_png(&self) -> Result<Vec<u8>, ImageError> {
        let encode_error = |error: png::EncodingError| ImageError::PngEncode(error.to_string());
        let mut out = Vec::new();
        // `check_size` keeps both sides far below u32::MAX.
        let mut encoder = png::Encoder::new(&mut out, self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(encode_error)?;
        writer
            .write_image_data(&self.pixels)
            .map_err(encode_error)?;
        writer.finish().map_err(encode_error)?;
        Ok(out)
    }
}

const PNG_SIGNATURE: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Rec. 601 luma of an 8-bit RGB sample, rounded.
pub fn luma(r: u8, g: u8, b: u8) -> u8 {
    let weighted = 299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b);
    // At most (255 * 1000 + 500) / 1000 = 255.
    u8::try_from((weighted + 500) / 1000).unwrap_or(u8::MAX)
}

/// A cursor over a PGM header.
struct PgmHeader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl PgmHeader<'_> {
    /// Skips whitespace and `#` comments, then reads a decimal number.
    fn number(&mut self, what: &'static str) -> Result<u32, ImageError> {
        loop {
            match self.bytes.get(self.at) {
                Some(byte) if byte.is_ascii_whitespace() => self.at += 1,
                Some(b'#') => {
                    while let Some(byte) = self.bytes.get(self.at) {
                        self.at += 1;
                        if *byte == b'\n' || *byte == b'\r' {
                            break;
                        }
                    }
                }
                _ => break,
            }
        }
        let start = self.at;
        let mut value: u32 = 0;
        while let Some(byte) = self.bytes.get(self.at).filter(|b| b.is_ascii_digit()) {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u32::from(byte - b'0')))
                .ok_or(ImageError::Pgm("a header number is too large"))?;
            self.at += 1;
        }
        if self.at == start {
            return Err(ImageError::Pgm(match what {
                "width" => "the width is missing",
                "height" => "the height is missing",
                _ => "the maximum grey value is missing",
            }));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(width: usize, height: usize) -> GreyImage {
        let pixels = (0..width * height).map(|i| (i * 7 % 256) as u8).collect();
        GreyImage::new(width, height, pixels).unwrap()
    }

    #[test]
    fn pgm_round_trip() {
        let image = gradient(13, 7);
        let pgm = image.to_pgm();
        assert!(pgm.starts_with(b"P5\n13 7\n255\n"));
        assert_eq!(GreyImage::from_pgm(&pgm).unwrap(), image);
        assert_eq!(GreyImage::decode(&pgm).unwrap(), image);
    }

    #[test]
    fn pgm_header_comments_and_whitespace_are_read() {
        let mut pgm = b"P5 # a comment\n# another\n2\t1\r\n255 ".to_vec();
        pgm.extend([10, 200]);
        let image = GreyImage::from_pgm(&pgm).unwrap();
        assert_eq!((image.width(), image.height()), (2, 1));
        assert_eq!(image.pixels(), &[10, 200]);
    }

    #[test]
    fn pgm_errors_are_specific() {
        let cases: &[(&[u8], ImageError)] = &[
            (b"", ImageError::Pgm("it does not start with P5")),
            (
                b"P2\n1 1\n255\n0",
                ImageError::Pgm("plain (P2) greymaps are not read, only binary P5"),
            ),
            (b"P5\n", ImageError::Pgm("the width is missing")),
            (b"P5\n3", ImageError::Pgm("the height is missing")),
            (
                b"P5\n3 3",
                ImageError::Pgm("the maximum grey value is missing"),
            ),
            (b"P5\n3 3\n65535\n", ImageError::PgmMaxval(65535)),
            (b"P5\n3 3\n15\n", ImageError::PgmMaxval(15)),
            (
                b"P5\n99999999999 1\n255\n",
                ImageError::Pgm("a header number is too large"),
            ),
            (
                b"P5\n0 3\n255\n",
                ImageError::Empty {
                    width: 0,
                    height: 3,
                },
            ),
            (
                b"P5\n5000 1\n255\n",
                ImageError::TooLarge {
                    width: 5000,
                    height: 1,
                },
            ),
            (
                b"P5\n2 2\n255",
                ImageError::Pgm("no whitespace after the maximum grey value"),
            ),
            (
                b"P5\n2 2\n255\n\x01\x02\x03",
                ImageError::PixelCount {
                    expected: 4,
                    actual: 3,
                },
            ),
            (
                b"P5\n1 1\n255\n\x01\x02",
                ImageError::PixelCount {
                    expected: 1,
                    actual: 2,
                },
            ),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                &GreyImage::from_pgm(bytes).unwrap_err(),
                expected,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn png_round_trip() {
        let image = gradient(31, 17);
        let png = image.to_png().unwrap();
        assert!(png.starts_with(PNG_SIGNATURE));
        assert_eq!(GreyImage::from_png(&png).unwrap(), image);
        assert_eq!(GreyImage::decode(&png).unwrap(), image);
    }

    fn encode(width: u32, height: u32, color: png::ColorType, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(data).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn colour_png_is_read_as_luma() {
        // Red, green, blue, white, and a half-transparent grey whose alpha is dropped.
        let rgb = encode(
            4,
            1,
            png::ColorType::Rgb,
            &[255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255],
        );
        assert_eq!(
            GreyImage::from_png(&rgb).unwrap().pixels(),
            &[76, 150, 29, 255]
        );
        let rgba = encode(1, 1, png::ColorType::Rgba, &[100, 100, 100, 128]);
        assert_eq!(GreyImage::from_png(&rgba).unwrap().pixels(), &[100]);
        let grey_alpha = encode(1, 1, png::ColorType::GrayscaleAlpha, &[42, 0]);
        assert_eq!(GreyImage::from_png(&grey_alpha).unwrap().pixels(), &[42]);
    }

    #[test]
    fn oversized_png_is_refused_before_decoding() {
        // A valid header claiming 5000 x 5000 pixels, with no pixel data at all.
        let mut header = Vec::new();
        let encoder = png::Encoder::new(&mut header, 5000, 5000);
        let writer = encoder.write_header().unwrap();
        drop(writer);
        assert_eq!(
            GreyImage::from_png(&header).unwrap_err(),
            ImageError::TooLarge {
                width: 5000,
                height: 5000
            }
        );
    }

    #[test]
    fn broken_png_is_an_error() {
        let png = gradient(8, 8).to_png().unwrap();
        for cut in [8, 20, 33, png.len() - 13] {
            assert!(
                matches!(GreyImage::from_png(&png[..cut]), Err(ImageError::Png(_))),
                "cut at {cut}"
            );
        }
        let mut corrupted = png.clone();
        let middle = corrupted.len() / 2;
        corrupted[middle] ^= 0xFF;
        assert!(GreyImage::from_png(&corrupted).is_err());
        assert_eq!(
            GreyImage::decode(b"GIF89a").unwrap_err(),
            ImageError::UnknownFormat
        );
    }

    #[test]
    fn sizes_are_checked() {
        assert_eq!(
            GreyImage::new(0, 0, vec![]).unwrap_err(),
            ImageError::Empty {
                width: 0,
                height: 0
            }
        );
        assert_eq!(
            GreyImage::new(2, 2, vec![0; 3]).unwrap_err(),
            ImageError::PixelCount {
                expected: 4,
                actual: 3
            }
        );
        assert!(GreyImage::filled(MAX_SIDE + 1, 1, 0).is_err());
        let tiny = GreyImage::filled(1, 1, 9).unwrap();
        assert_eq!(tiny.get(0, 0), Some(9));
        assert_eq!(tiny.get(1, 0), None);
        assert_eq!(GreyImage::from_png(&tiny.to_png().unwrap()).unwrap(), tiny);
    }
}
