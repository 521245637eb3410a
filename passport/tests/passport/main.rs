//! The passport crate's integration tests: one binary, a module per feature.

// Test helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bac;
mod chip;
mod face;
mod mrz;
mod specimen;

/// Bytes from a hex string (test vectors are printed in hex).
pub fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}
