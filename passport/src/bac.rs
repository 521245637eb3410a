//! Basic Access Control keys (Doc 9303 Part 11, 4.3 and Appendix D to Part 11).
//!
//! The chip's access keys come from the part of the MRZ a reader can see: the document number,
//! the date of birth and the date of expiry, each with its check digit (the "MRZ information").
//! `K_seed` is the first 16 bytes of its SHA-1; each key is the first 16 bytes of
//! `SHA-1(K_seed || counter)` (counter 1 for `K_enc`, 2 for `K_mac`, 32 bits big-endian) with the
//! DES parity bits adjusted, giving a two-key 3DES key.

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;
use thiserror::Error;

use crate::check_digit::check_digit_char;
use crate::mrz::{Mrz, MrzDate};

/// The counter that derives the encryption key (Part 11, 9.7.1).
const ENC_COUNTER: u32 = 1;
/// The counter that derives the MAC key (Part 11, 9.7.1).
const MAC_COUNTER: u32 = 2;

/// A document number that cannot be used for BAC.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "the document number {0:?} is not 1 to 9 letters A-Z and digits (longer numbers are not \
     supported)"
)]
pub struct InvalidDocumentNumber(pub String);

/// The MRZ information of Part 11, 4.3.2: document number (9 characters, padded with `<`) and
/// its check digit, date of birth and its check digit, date of expiry and its check digit.
#[derive(Clone, PartialEq, Eq)]
pub struct MrzInformation(String);

impl MrzInformation {
    /// The MRZ information of a read MRZ.
    pub fn from_mrz(mrz: &Mrz) -> Self {
        let fields = mrz.fields();
        // `Mrz` holds a checked document number, so this cannot fail; fall back to the padded
        // field without the helper to stay panic-free.
        Self::from_parts(
            &fields.document_number,
            fields.date_of_birth,
            fields.date_of_expiry,
        )
        .unwrap_or_else(|_| Self(mrz.document_number_field()))
    }

    /// The MRZ information from its three fields; the check digits are computed here.
    pub fn from_parts(
        document_number: &str,
        date_of_birth: MrzDate,
        date_of_expiry: MrzDate,
    ) -> Result<Self, InvalidDocumentNumber> {
        let valid = !document_number.is_empty()
            && document_number.len() <= 9
            && document_number
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !valid {
            return Err(InvalidDocumentNumber(document_number.to_string()));
        }
        let mut number = document_number.to_string();
        while number.len() < 9 {
            number.push('<');
        }
        let mut text = String::with_capacity(24);
        for field in [
            number,
            date_of_birth.to_string(),
            date_of_expiry.to_string(),
        ] {
            let digit =
                check_digit_char(&field).map_err(|_| InvalidDocumentNumber(field.clone()))?;
            text.push_str(&field);
            text.push(digit);
        }
        Ok(Self(text))
    }

    /// The 24 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for MrzInformation {
    /// Hidden: it is the secret the access keys come from.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MrzInformation(..)")
    }
}

/// `K_seed`: the first 16 bytes of SHA-1 over the MRZ information (Part 11, 4.3.2).
#[derive(Clone)]
pub struct KeySeed([u8; 16]);

impl KeySeed {
    /// Derives the seed.
    pub fn derive(information: &MrzInformation) -> Self {
        let hash = Sha1::digest(information.as_str().as_bytes());
        let mut seed = [0u8; 16];
        seed.copy_from_slice(&hash[..16]);
        Self(seed)
    }

    /// The 16 bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

/// The BAC session-establishment keys `K_enc` and `K_mac` (two-key 3DES, parity adjusted).
///
/// No `PartialEq`: compare with [`BacKeys::matches`], which takes constant time.
#[derive(Clone)]
pub struct BacKeys {
    k_enc: [u8; 16],
    k_mac: [u8; 16],
}

impl BacKeys {
    /// Derives both keys from the MRZ information (Part 11, 4.3.2 and 9.7.1).
    pub fn derive(information: &MrzInformation) -> Self {
        let seed = KeySeed::derive(information);
        Self {
            k_enc: derive_key(&seed, ENC_COUNTER),
            k_mac: derive_key(&seed, MAC_COUNTER),
        }
    }

    /// The keys of a read MRZ.
    pub fn from_mrz(mrz: &Mrz) -> Self {
        Self::derive(&MrzInformation::from_mrz(mrz))
    }

    /// `K_enc`.
    pub fn k_enc(&self) -> &[u8; 16] {
        &self.k_enc
    }

    /// `K_mac`.
    pub fn k_mac(&self) -> &[u8; 16] {
        &self.k_mac
    }

    /// Whether both keys are the same as `other`'s, in constant time.
    pub fn matches(&self, other: &BacKeys) -> bool {
        let enc = self.k_enc.ct_eq(&other.k_enc);
        let mac = self.k_mac.ct_eq(&other.k_mac);
        (enc & mac).into()
    }
}

impl std::fmt::Debug for BacKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BacKeys(..)")
    }
}

/// One key: `SHA-1(K_seed || counter)`, first 16 bytes, DES parity adjusted (Part 11, 9.7.1).
pub fn derive_key(seed: &KeySeed, counter: u32) -> [u8; 16] {
    let mut hasher = Sha1::new();
    hasher.update(seed.as_bytes());
    hasher.update(counter.to_be_bytes());
    let hash = hasher.finalize();
    let mut key = [0u8; 16];
    key.copy_from_slice(&hash[..16]);
    for byte in &mut key {
        *byte = with_odd_parity(*byte);
    }
    key
}

/// DES keys carry odd parity: the lowest bit of each byte is set so the byte has an odd number
/// of one bits (FIPS 46-3, which Part 11 refers to).
pub fn with_odd_parity(byte: u8) -> u8 {
    let high = byte & 0xFE;
    if high.count_ones().is_multiple_of(2) {
        high | 1
    } else {
        high
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity_bit_makes_the_count_odd() {
        assert_eq!(with_odd_parity(0x00), 0x01);
        assert_eq!(with_odd_parity(0x01), 0x01);
        assert_eq!(with_odd_parity(0xFE), 0xFE);
        assert_eq!(with_odd_parity(0xFF), 0xFE);
        for byte in 0..=255u8 {
            assert_eq!(with_odd_parity(byte).count_ones() % 2, 1);
            assert_eq!(with_odd_parity(byte) & 0xFE, byte & 0xFE);
        }
    }
}
