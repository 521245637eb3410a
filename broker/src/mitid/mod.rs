//! The MitID (and legacy NemID) login simulation's domain core: pure data and functions with no
//! HTTP, storage or wall clock. Time comes in as a parameter (`now`, `today`), randomness as an
//! `rng` or a seed, so every rule is tested directly.
//!
//! - [`cpr`]: the CPR number, parsed once; replacement numbers for test people.
//! - [`loa`](mod@loa): authenticators, the assurance level a combination reaches, `amr` values.
//! - [`totp`]: the code viewer's and code reader's one-time codes (RFC 6238).
//! - [`lockout`]: wrong attempts in a row and the temporary block.
//! - [`keycard`]: the NemID key card (legacy).
//! - [`password`]: the password, kept only as an Argon2 hash.
//! - [`simulate`]: the authenticators a login made without a person is taken to have used.
//! - [`activation`]: a new authenticator waiting for the activation code from the letter.
//! - [`documents`]: the specimen passports and identity cards a person proves who they are with,
//!   and the simulated country signing CA the broker trusts.

pub mod activation;
pub mod cpr;
pub mod documents;
pub mod keycard;
pub mod loa;
pub mod lockout;
pub mod password;
pub mod simulate;
pub mod totp;

pub use activation::{ActivationAttempt, ActivationCode, PendingActivation};
pub use cpr::{Cpr, CprError, Sex};
pub use keycard::{KeyCard, KeyCardError, KeyCheck, KeyNumber};
pub use loa::{aal, amr_values, loa, reaches, Authenticator};
pub use lockout::{FailureOutcome, Lockout, LockoutPolicy};
pub use password::{PasswordError, PasswordHash};
pub use simulate::{simulate_login, strongest_login, SimulatedLogin};
pub use totp::{TotpDevice, TotpDeviceError};
