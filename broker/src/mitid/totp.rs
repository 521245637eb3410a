//! The time-based one-time codes of the MitID code viewer (*kodeviser*) and audio code reader
//! (*kodeoplæser*): TOTP per RFC 6238 with HMAC-SHA-1, 6 digits and a 30-second step (the
//! RFC's defaults, §4 and §5.2), computed by the `totp-rs` crate.
//!
//! Time comes in as a parameter (the injected clock's Unix seconds); the crate's wall-clock
//! helpers are never called.
//!
//! Which codes are accepted: the current step's and the previous step's, never a future one.
//! RFC 6238 §5.2 allows one step back for the delay between reading the code and sending it; a
//! person who reads the code at second 29 of a step and types it needs that. The simulated
//! device shares the broker's clock, so it can never show a code from the next step: accepting
//! one (as the crate's symmetric skew would) only widens the window for guessing.

use rand::{CryptoRng, RngCore};

use crate::clock::UnixTime;

/// Digits in a code, as on the MitID code viewer.
pub const CODE_DIGITS: u8 = 6;
/// Seconds a code lasts (RFC 6238 §5.2's recommended time step).
pub const STEP_SECONDS: u64 = 30;
/// Bytes of a generated secret: 160 bits, the length RFC 4226 §4 recommends for HMAC-SHA-1.
pub const SECRET_BYTES: usize = 20;

/// Why a code device could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TotpDeviceError {
    /// The secret is too short (RFC 4226 §4 requires 128 bits), or a parameter is out of range.
    #[error("the code device's TOTP could not be set up (a secret needs at least 16 bytes): {0}")]
    Setup(#[from] totp_rs::TotpError),
}

/// A code viewer's or code reader's code generator: a shared secret and the TOTP parameters.
///
/// No `PartialEq`: it holds a secret. `Debug` shows the secret as `REDACTED`.
#[derive(Debug, Clone)]
pub struct TotpDevice {
    totp: totp_rs::Totp,
}

impl TotpDevice {
    /// A device with this secret (at least 16 bytes), SHA-1, 6 digits, 30-second steps.
    pub fn new(secret: Vec<u8>) -> Result<TotpDevice, TotpDeviceError> {
        TotpDevice::with_digits(secret, CODE_DIGITS)
    }

    /// A device with a fresh random secret of [`SECRET_BYTES`].
    pub fn generate<R: RngCore + CryptoRng + ?Sized>(
        rng: &mut R,
    ) -> Result<TotpDevice, TotpDeviceError> {
        let mut secret = vec![0u8; SECRET_BYTES];
        rng.fill_bytes(&mut secret);
        TotpDevice::new(secret)
    }

    fn with_digits(secret: Vec<u8>, digits: u8) -> Result<TotpDevice, TotpDeviceError> {
        let totp = totp_rs::Builder::new()
            .with_algorithm(totp_rs::Algorithm::SHA1)
            .with_digits(digits)
            .with_step_duration(STEP_SECONDS)
            // The window is chosen here (current and previous step), not by the crate.
            .with_skew(0)
            .with_secret(secret)
            .build()?;
        Ok(TotpDevice { totp })
    }

    /// The shared secret, to store the device.
    pub fn secret(&self) -> &[u8] {
        self.totp.secret().as_ref()
    }

    /// The code the device shows at `now`, zero-padded to 6 digits.
    pub fn current_code(&self, now: UnixTime) -> String {
        self.totp.generate(unix_seconds(now)).to_string()
    }

    /// Seconds until the code shown at `now` is replaced (1-30), for the device's countdown.
    pub fn seconds_left(&self, now: UnixTime) -> u64 {
        let now = unix_seconds(now);
        self.totp.next_step(now) - now
    }

    /// Whether `code` is the one shown at `now` or in the step before. The comparison is in
    /// constant time. Anything but exactly 6 ASCII digits is wrong.
    pub fn verify(&self, code: &str, now: UnixTime) -> bool {
        self.accepted_step(code, now).is_some()
    }

    /// The time step (`T` in RFC 6238 §4.2) whose code `code` is, if it is accepted at `now`.
    /// RFC 6238 §5.2 says a code must not be accepted twice: the caller remembers the last
    /// accepted step and refuses a step not after it.
    pub fn accepted_step(&self, code: &str, now: UnixTime) -> Option<u64> {
        let now = unix_seconds(now);
        let current = self.totp.check(code, now);
        current.or_else(|| {
            now.checked_sub(STEP_SECONDS)
                .and_then(|previous| self.totp.check(code, previous))
        })
    }
}

/// Unix seconds as the crate counts them; a time before 1970 counts as 1970.
fn unix_seconds(now: UnixTime) -> u64 {
    u64::try_from(now).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    /// The SHA-1 seed of RFC 6238 appendix B: the ASCII text "12345678901234567890".
    const RFC_SECRET: &[u8; 20] = b"12345678901234567890";

    /// RFC 6238 appendix B, the SHA-1 rows: (time, 8-digit TOTP).
    const RFC_VECTORS: [(UnixTime, &str); 6] = [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ];

    fn rfc_device() -> TotpDevice {
        TotpDevice::new(RFC_SECRET.to_vec()).unwrap()
    }

    #[test]
    fn rfc6238_sha1_vectors_with_8_digits() {
        let device = TotpDevice::with_digits(RFC_SECRET.to_vec(), 8).unwrap();
        for (time, code) in RFC_VECTORS {
            assert_eq!(device.current_code(time), code, "T = {time}");
            assert!(device.verify(code, time), "T = {time}");
        }
    }

    #[test]
    fn rfc6238_sha1_vectors_truncated_to_6_digits() {
        // The code is the same HOTP value modulo 10^6 instead of 10^8: the last six digits.
        let device = rfc_device();
        for (time, code) in RFC_VECTORS {
            assert_eq!(device.current_code(time), code[2..], "T = {time}");
        }
    }

    #[test]
    fn codes_are_zero_padded_to_six_digits() {
        // At T = 1111111109 the 6-digit code is 081804.
        assert_eq!(rfc_device().current_code(1111111109), "081804");
    }

    #[test]
    fn code_stays_the_same_within_a_step_and_changes_at_its_edge() {
        let device = rfc_device();
        assert_eq!(device.current_code(30), device.current_code(59));
        assert_ne!(device.current_code(59), device.current_code(60));
        assert_ne!(device.current_code(29), device.current_code(30));
    }

    #[test]
    fn seconds_left_counts_down_to_the_step_edge() {
        let device = rfc_device();
        assert_eq!(device.seconds_left(0), 30);
        assert_eq!(device.seconds_left(1), 29);
        assert_eq!(device.seconds_left(29), 1);
        assert_eq!(device.seconds_left(30), 30);
        assert_eq!(device.seconds_left(1111111109), 1);
    }

    #[test]
    fn verify_accepts_the_current_code_throughout_its_step() {
        let device = rfc_device();
        let code = device.current_code(60);
        for now in 60..90 {
            assert!(device.verify(&code, now), "now = {now}");
        }
    }

    #[test]
    fn verify_accepts_the_previous_steps_code_for_one_more_step() {
        let device = rfc_device();
        let code = device.current_code(59);
        assert!(device.verify(&code, 60));
        assert!(device.verify(&code, 89));
        assert_eq!(device.accepted_step(&code, 89), Some(1));
        assert!(!device.verify(&code, 90), "two steps old");
    }

    #[test]
    fn verify_rejects_the_next_steps_code() {
        let device = rfc_device();
        let next = device.current_code(90);
        assert!(!device.verify(&next, 89));
        assert!(device.verify(&next, 90));
    }

    #[test]
    fn verify_at_the_first_step_has_no_previous_step() {
        let device = rfc_device();
        assert!(device.verify(&device.current_code(0), 0));
        assert!(device.verify(&device.current_code(0), 29));
        assert!(!device.verify(&device.current_code(30), 0));
    }

    #[test]
    fn verify_rejects_wrong_and_malformed_codes() {
        let device = rfc_device();
        let now = 1234567890;
        let right = device.current_code(now);
        let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert!(!device.verify(&wrong, now));
        for malformed in [
            "", "12345", "1234567", "abcdef", " 005924", "+05924", "005 924",
        ] {
            assert!(!device.verify(malformed, now), "{malformed:?}");
        }
        assert!(device.verify("005924", now));
    }

    #[test]
    fn accepted_step_is_the_rfc_time_step() {
        let device = rfc_device();
        assert_eq!(
            device.accepted_step("005924", 1234567890),
            Some(1234567890 / 30)
        );
        assert_eq!(device.accepted_step("000000", 1234567890), None);
    }

    #[test]
    fn time_before_1970_counts_as_1970() {
        let device = rfc_device();
        assert_eq!(device.current_code(-5), device.current_code(0));
        assert_eq!(device.seconds_left(-5), 30);
    }

    #[test]
    fn new_rejects_a_secret_shorter_than_128_bits() {
        let error = TotpDevice::new(vec![7; 15]).unwrap_err();
        assert!(error.to_string().contains("16 bytes"), "{error}");
        assert!(TotpDevice::new(vec![7; 16]).is_ok());
    }

    #[test]
    fn generated_secrets_are_160_bits_and_differ() {
        let a = TotpDevice::generate(&mut StdRng::seed_from_u64(1)).unwrap();
        let b = TotpDevice::generate(&mut StdRng::seed_from_u64(2)).unwrap();
        assert_eq!(a.secret().len(), SECRET_BYTES);
        assert_ne!(a.secret(), b.secret());
    }

    #[test]
    fn debug_does_not_show_the_secret() {
        let device = rfc_device();
        let debug = format!("{device:?}");
        assert!(!debug.contains("1234567890"), "{debug}");
        assert!(!debug.contains("49, 50, 51"), "{debug}");
    }
}
