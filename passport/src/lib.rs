//! ICAO Doc 9303 travel documents, simulated with the real algorithms:
//!
//! - [`check_digit`]: the 7-3-1 check digit (Part 3, 4.9);
//! - [`mrz`]: TD3 passports (Part 4) and TD1 identity cards (Part 5), read with every check
//!   digit verified, and written from their fields;
//! - [`bac`]: the Basic Access Control keys `K_seed`, `K_enc`, `K_mac` (Part 11, 4.3);
//! - [`chip`]: a simulated chip with DG1, DG2 and a signed security object (Part 10), a
//!   simulated Country Signing CA and Document Signers (Part 12), and passive authentication
//!   (Part 11, 5.1);
//! - [`specimen`]: specimen documents for fictitious people, with faults on purpose;
//! - [`face`]: the onboarding's face scan: a selfie matched against DG2's photo, and a
//!   challenge-response liveness check, with sample selfies and camera frames.
//!
//! No HTTP and no clock: whatever depends on the date takes `today` as a parameter.

pub mod bac;
pub mod check_digit;
pub mod chip;
pub mod face;
pub mod mrz;
pub mod specimen;

pub use mrz::{Field, Format, Mrz, MrzDate, MrzError, MrzFields, Sex};
