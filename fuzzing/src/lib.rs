//! Fuzz targets: each takes arbitrary bytes to one of the parsers that face untrusted input,
//! and fails (panics) only on a defect: a panic inside the code under test, or an answer that
//! breaks an invariant (a `server_error` for bad input, a parse that does not round-trip).
//!
//! The same targets run two ways:
//! - `fuzz-smoke` (this crate's binary, stable Rust): a bounded run of random mutations of each
//!   target's seeds, a few seconds each, in the test command;
//! - `fuzz/` (cargo-fuzz, nightly, libFuzzer with AddressSanitizer): the campaigns
//!   (docs/fuzzing.md).

// A test harness: a fuzz target reports a defect by panicking, and a setup that fails is a
// harness that cannot run.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

pub mod mutate;
pub mod targets;

/// One fuzz target: its name, the function that takes an input, and the seeds it starts from.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Tokens the mutator splices in (parameter names, JSON keys, MRZ filler).
    pub dictionary: &'static [&'static str],
}

/// Every target, by name.
pub const TARGETS: &[Target] = &[
    Target {
        name: "authorize",
        run: targets::authorize,
        seeds: targets::authorize_seeds,
        dictionary: targets::AUTHORIZE_WORDS,
    },
    Target {
        name: "jose",
        run: targets::jose,
        seeds: targets::jose_seeds,
        dictionary: targets::JOSE_WORDS,
    },
    Target {
        name: "registration",
        run: targets::registration,
        seeds: targets::registration_seeds,
        dictionary: targets::REGISTRATION_WORDS,
    },
    Target {
        name: "mrz",
        run: targets::mrz,
        seeds: targets::mrz_seeds,
        dictionary: targets::MRZ_WORDS,
    },
    Target {
        name: "image",
        run: targets::image,
        seeds: targets::image_seeds,
        dictionary: targets::IMAGE_WORDS,
    },
    Target {
        name: "chip",
        run: targets::chip,
        seeds: targets::chip_seeds,
        dictionary: &[],
    },
    Target {
        name: "mailbox_forms",
        run: targets::mailbox_forms,
        seeds: targets::mailbox_seeds,
        dictionary: targets::MAILBOX_WORDS,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}
