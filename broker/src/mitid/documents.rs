//! The documents a person can hold up to the simulated app when getting MitID: specimen passports and identity
//! cards (the `passport` crate), issued by a simulated country signing CA that this broker
//! trusts, some with a fault on purpose.

use passport::chip::TrustedCsca;
use passport::specimen::{Fault, Specimen, SpecimenAuthority, SpecimenError};
use passport::{Field, Format};
use time::Date;

use crate::model::DocumentChoice;

/// The documents offered on the first screen, by a short key (also the control API's name).
pub const CATALOGUE: &[(&str, &str, DocumentChoice)] = &[
    ("passport-1", "passport", ok(1, Format::Td3)),
    ("passport-2", "passport", ok(2, Format::Td3)),
    ("passport-3", "passport", ok(3, Format::Td3)),
    ("id-card-4", "identity card", ok(4, Format::Td1)),
    ("id-card-5", "identity card", ok(5, Format::Td1)),
    (
        "expired",
        "passport, expired",
        faulty(11, Format::Td3, Fault::Expired),
    ),
    (
        "wrong-check-digit",
        "passport, a wrong check digit printed in the document number",
        faulty(
            12,
            Format::Td3,
            Fault::WrongCheckDigit(Field::DocumentNumber),
        ),
    ),
    (
        "tampered",
        "passport, its photo swapped after signing",
        faulty(13, Format::Td3, Fault::TamperedDataGroup),
    ),
    (
        "untrusted-signer",
        "passport signed by an untrusted authority",
        faulty(14, Format::Td3, Fault::UntrustedSigner),
    ),
    (
        "unreadable-chip",
        "identity card with a broken chip",
        faulty(15, Format::Td1, Fault::UnreadableChip),
    ),
    (
        "no-chip",
        "old passport without a chip",
        faulty(16, Format::Td3, Fault::NoChip),
    ),
];

const fn ok(seed: u64, format: Format) -> DocumentChoice {
    DocumentChoice {
        seed,
        format,
        fault: None,
    }
}

const fn faulty(seed: u64, format: Format, fault: Fault) -> DocumentChoice {
    DocumentChoice {
        seed,
        format,
        fault: Some(fault),
    }
}

/// The catalogue document with this key.
pub fn by_key(key: &str) -> Option<DocumentChoice> {
    CATALOGUE
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, _, choice)| *choice)
}

/// The issuing authority of the simulated documents and the CSCA the broker trusts.
pub struct Documents {
    authority: SpecimenAuthority,
}

impl std::fmt::Debug for Documents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Documents").finish_non_exhaustive()
    }
}

impl Documents {
    /// Utopia (`UTO`), ICAO's fictitious state, so no real country's documents are imitated.
    pub fn new(today: Date) -> Result<Documents, passport::chip::ChipError> {
        Ok(Documents {
            authority: SpecimenAuthority::new("UTO", "UT", today)?,
        })
    }

    /// This authority as stored (JSON): its keys and certificates.
    pub fn to_stored(&self) -> Result<String, String> {
        serde_json::to_string(&self.authority.to_record()).map_err(|e| e.to_string())
    }

    /// An authority stored with [`Documents::to_stored`].
    pub fn from_stored(stored: &str) -> Result<Documents, String> {
        let record = serde_json::from_str(stored)
            .map_err(|e| format!("the stored passport authority is unreadable: {e}"))?;
        Ok(Documents {
            authority: SpecimenAuthority::from_record(record)
                .map_err(|e| format!("the stored passport authority is unreadable: {e}"))?,
        })
    }

    /// The document, issued now: its person, MRZ, face and dates are the same every time;
    /// its signatures are fresh.
    pub fn issue(&self, choice: DocumentChoice, today: Date) -> Result<Specimen, SpecimenError> {
        self.authority
            .issue(choice.seed, choice.format, choice.fault, today)
    }

    /// The CSCAs a reader trusts: this authority's, not the rogue one's.
    pub fn trusted(&self) -> Vec<TrustedCsca> {
        vec![self.authority.trusted()]
    }
}
