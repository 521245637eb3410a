//! A simulated contactless chip (Doc 9303 Part 10, the Logical Data Structure; Part 11, access
//! control and passive authentication).
//!
//! The chip holds DG1 (the MRZ), DG2 (the face image) and EF.SOD (the signed hashes). It opens
//! only to the BAC keys derived from its own MRZ; the challenge-response and secure messaging
//! that follow in a real reader are not simulated, the key comparison stands for them.

mod passive_authentication;
mod pki;
mod security_object;
mod tlv;

use thiserror::Error;

use crate::bac::BacKeys;
use crate::mrz::{Mrz, MrzError};
pub use passive_authentication::{passive_authentication, PassiveAuthError, PassiveAuthStep};
pub use pki::{CountrySigningCa, DocumentSigner, TrustedCsca};
pub use security_object::{LdsSecurityObject, SecurityObjectDocument};

/// DG1's template tag and the MRZ data element inside it (Part 10, 4.7.1).
const DG1_TAG: &[u8] = &[0x61];
const MRZ_TAG: &[u8] = &[0x5F, 0x1F];
/// DG2's template tag and the biometric data block inside it (Part 10, 4.7.2). The CBEFF
/// headers of a real DG2 are left out: the block holds the image file directly.
const DG2_TAG: &[u8] = &[0x75];
const IMAGE_TAG: &[u8] = &[0x5F, 0x2E];

/// Why a chip could not be made or read.
#[derive(Debug, Error)]
pub enum ChipError {
    /// The chip does not answer (a broken antenna, say).
    #[error("the chip cannot be read: hold the document still against the phone, or use another document")]
    Unreadable,
    /// The keys are not this chip's: the MRZ read does not belong to this document.
    #[error(
        "the chip refused access: the MRZ scanned does not belong to this document, scan it again"
    )]
    AccessDenied,
    /// DG1 is not a well-formed MRZ data group.
    #[error("data group 1 on the chip is not a readable MRZ")]
    MalformedDg1,
    /// DG1's MRZ does not parse.
    #[error("the MRZ on the chip is not valid: {0}")]
    ChipMrz(#[from] MrzError),
    /// DG2 is not a well-formed face data group.
    #[error("data group 2 on the chip is not a readable face image")]
    MalformedDg2,
    /// DG1 differs from the MRZ printed on the data page: the page or the chip is not genuine.
    #[error("the MRZ on the chip differs from the MRZ printed on the document")]
    PrintedMrzMismatch,
    /// Certificate or signature creation failed.
    #[error("the simulated PKI failed: {0}")]
    Pki(#[from] rcgen::Error),
}

/// What a reader gets from an opened chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipContents {
    /// DG1, as stored (BER-TLV).
    pub dg1: Vec<u8>,
    /// DG2, as stored (BER-TLV).
    pub dg2: Vec<u8>,
    /// EF.SOD.
    pub sod: SecurityObjectDocument,
}

impl ChipContents {
    /// The MRZ in DG1, parsed and check digits verified.
    pub fn mrz(&self) -> Result<Mrz, ChipError> {
        let template = tlv::expect(&self.dg1, DG1_TAG).ok_or(ChipError::MalformedDg1)?;
        let element = tlv::expect(template.value, MRZ_TAG).ok_or(ChipError::MalformedDg1)?;
        let text = std::str::from_utf8(element.value).map_err(|_| ChipError::MalformedDg1)?;
        Ok(Mrz::parse(text)?)
    }

    /// Compares DG1 with the MRZ read from the data page: a reader does this so a genuine chip
    /// cannot vouch for an altered page (the BAC keys only cover the number and the dates).
    pub fn check_printed_mrz(&self, printed: &Mrz) -> Result<(), ChipError> {
        if &self.mrz()? == printed {
            Ok(())
        } else {
            Err(ChipError::PrintedMrzMismatch)
        }
    }

    /// The face image in DG2.
    pub fn face_image(&self) -> Result<&[u8], ChipError> {
        let template = tlv::expect(&self.dg2, DG2_TAG).ok_or(ChipError::MalformedDg2)?;
        let element = tlv::expect(template.value, IMAGE_TAG).ok_or(ChipError::MalformedDg2)?;
        Ok(element.value)
    }
}

/// A simulated chip.
#[derive(Clone)]
pub struct Chip {
    access: BacKeys,
    contents: ChipContents,
    readable: bool,
}

impl std::fmt::Debug for Chip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chip")
            .field("readable", &self.readable)
            .finish_non_exhaustive()
    }
}

impl Chip {
    /// Personalizes a chip: DG1 from `mrz`, DG2 from `face_image`, and an EF.SOD with their
    /// SHA-256 hashes signed by `signer`. The access keys are derived from `mrz` (Part 11, 4.3).
    pub fn issue(mrz: &Mrz, face_image: &[u8], signer: &DocumentSigner) -> Result<Self, ChipError> {
        // DG1 holds the MRZ lines run together (Part 10, 4.7.1).
        let dg1 = tlv::tlv(DG1_TAG, &tlv::tlv(MRZ_TAG, mrz.lines().concat().as_bytes()));
        let dg2 = tlv::tlv(DG2_TAG, &tlv::tlv(IMAGE_TAG, face_image));
        let security_object = LdsSecurityObject::hash(&[(1, &dg1), (2, &dg2)]).to_der();
        let signature = signer.sign(&security_object)?;
        Ok(Self {
            access: BacKeys::from_mrz(mrz),
            contents: ChipContents {
                dg1,
                dg2,
                sod: SecurityObjectDocument {
                    security_object,
                    signature,
                    signer_certificate: signer.certificate().to_vec(),
                },
            },
            readable: true,
        })
    }

    /// Opens the chip with BAC keys: only the keys from its own MRZ are accepted.
    pub fn open(&self, keys: &BacKeys) -> Result<ChipContents, ChipError> {
        if !self.readable {
            return Err(ChipError::Unreadable);
        }
        if !self.access.matches(keys) {
            return Err(ChipError::AccessDenied);
        }
        Ok(self.contents.clone())
    }

    /// A fault on purpose: the chip stops answering.
    pub fn break_antenna(&mut self) {
        self.readable = false;
    }

    /// A fault on purpose: DG2 is replaced after signing (a swapped photo), so its hash no
    /// longer matches the security object.
    pub fn replace_face_image(&mut self, face_image: &[u8]) {
        self.contents.dg2 = tlv::tlv(DG2_TAG, &tlv::tlv(IMAGE_TAG, face_image));
    }
}
