//! Specimen documents for fictitious people: passports (TD3) and identity cards (TD1) whose MRZ
//! check digits are right (Doc 9303 Parts 4 and 5), with a face image and a chip signed through a
//! simulated CSCA, or with a [`Fault`] put in on purpose.
//!
//! The person, the document number, the dates and the face are deterministic from the seed
//! (given the same `today`); the keys and signatures are fresh each time.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use thiserror::Error;
use time::{Date, Duration};

use crate::chip::{Chip, ChipError, CountrySigningCa, DocumentSigner, TrustedCsca};
use crate::mrz::{check_digit_position, Field, Format, Mrz, MrzDate, MrzError, MrzFields, Sex};

/// A fault put into a specimen on purpose, to exercise each way onboarding can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Fault {
    /// The document expired before `today`.
    Expired,
    /// The printed MRZ has a wrong check digit for this field (the chip's DG1 is right).
    WrongCheckDigit(Field),
    /// DG2 was replaced after signing: its hash does not match the security object.
    TamperedDataGroup,
    /// The Document Signer is certified by a CSCA the reader does not trust.
    UntrustedSigner,
    /// The chip does not answer.
    UnreadableChip,
    /// The document has no chip.
    NoChip,
}

/// Why a specimen could not be made.
#[derive(Debug, Error)]
pub enum SpecimenError {
    /// The field asked to carry a wrong check digit has none.
    #[error("the {field} has no check digit of its own on this document")]
    NoCheckDigit {
        /// The field.
        field: Field,
    },
    /// The generated fields did not make an MRZ (a bug in the generator).
    #[error("the specimen's MRZ is invalid: {0}")]
    Mrz(#[from] MrzError),
    /// The chip could not be made.
    #[error("the specimen's chip could not be made: {0}")]
    Chip(#[from] ChipError),
}

/// A fictitious person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Given names, e.g. `ANNA MARIA`.
    pub given_names: String,
    /// Surname, e.g. `ERIKSSON`.
    pub surname: String,
    /// Sex.
    pub sex: Sex,
    /// Date of birth.
    pub date_of_birth: Date,
}

const FEMALE_NAMES: &[&str] = &[
    "ANNA", "SOFIE", "IDA", "FREJA", "MAJA", "EMMA", "KAREN", "INGE", "AMINA", "LUCIA", "MEI",
    "OLGA",
];
const MALE_NAMES: &[&str] = &[
    "JENS", "LARS", "MADS", "OLUF", "NIKOLAJ", "EMIL", "AHMED", "KENJI", "PABLO", "IVAN", "OMAR",
    "TOBIAS",
];
const SURNAMES: &[&str] = &[
    "NIELSEN",
    "JENSEN",
    "HANSEN",
    "PEDERSEN",
    "ANDERSEN",
    "CHRISTENSEN",
    "LARSEN",
    "SORENSEN",
    "RASMUSSEN",
    "ERIKSSON",
    "KOWALSKA",
    "OKAFOR",
    "TANAKA",
    "GARCIA",
    "HASSAN",
    "MEYER",
];

fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    list[rng.gen_range(0..list.len())]
}

impl Person {
    /// A fictitious adult (18 to 80 years old on `today`), deterministic from `seed`.
    pub fn from_seed(seed: u64, today: Date) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let sex = if rng.gen_bool(0.5) {
            Sex::Female
        } else {
            Sex::Male
        };
        let names = if sex == Sex::Female {
            FEMALE_NAMES
        } else {
            MALE_NAMES
        };
        let first = pick(&mut rng, names);
        let given_names = if rng.gen_bool(0.3) {
            format!("{first} {}", pick(&mut rng, names))
        } else {
            first.to_string()
        };
        let surname = pick(&mut rng, SURNAMES).to_string();
        let age_days = rng.gen_range(18 * 366..80 * 365);
        Self {
            given_names,
            surname,
            sex,
            date_of_birth: today - Duration::days(age_days),
        }
    }
}

/// A specimen document.
#[derive(Debug, Clone)]
pub struct Specimen {
    /// The seed it was made from.
    pub seed: u64,
    /// The person.
    pub person: Person,
    /// The document's true MRZ data (what DG1 holds).
    pub mrz: Mrz,
    /// The MRZ as printed, lines separated by `\n`; differs from `mrz` only with
    /// [`Fault::WrongCheckDigit`].
    pub printed_mrz: String,
    /// The face image (a PGM picture), as in DG2.
    pub face_image: Vec<u8>,
    /// The chip; `None` for [`Fault::NoChip`].
    pub chip: Option<Chip>,
    /// The fault put in, if any.
    pub fault: Option<Fault>,
}

/// The MRZ data of a specimen for `person`: document number and dates from `seed`, valid on
/// `today` (expired before it with [`Fault::Expired`]).
pub fn specimen_mrz(
    seed: u64,
    person: &Person,
    format: Format,
    issuing_state: &str,
    expired: bool,
    today: Date,
) -> Result<Mrz, MrzError> {
    // Another stream than the person's, so the document varies independently of the name.
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5EED_D0C5);
    let letters: String = (0..2)
        .map(|_| char::from(b'A' + rng.gen_range(0..26u8)))
        .collect();
    let document_number = format!("{letters}{:07}", rng.gen_range(0..10_000_000u32));
    let expiry = if expired {
        today - Duration::days(rng.gen_range(1..=1000))
    } else {
        // Issued up to about eight years ago, valid ten years: always still valid on `today`.
        today - Duration::days(rng.gen_range(0..3000)) + Duration::days(3652)
    };
    let (document_code, optional_data) = match format {
        Format::Td3 => ("P", format!("{:010}", rng.gen_range(0..10_000_000_000u64))),
        Format::Td1 => ("ID", String::new()),
    };
    Mrz::new(
        format,
        MrzFields {
            document_code: document_code.to_string(),
            issuing_state: issuing_state.to_string(),
            primary_identifier: person.surname.clone(),
            secondary_identifier: person.given_names.clone(),
            document_number,
            nationality: issuing_state.to_string(),
            date_of_birth: MrzDate::from_date(person.date_of_birth),
            sex: person.sex,
            date_of_expiry: MrzDate::from_date(expiry),
            optional_data,
            optional_data_2: String::new(),
        },
    )
}

/// The MRZ text with the check digit of `field` changed to another digit.
pub fn with_wrong_check_digit(mrz: &Mrz, field: Field) -> Result<String, SpecimenError> {
    let (line, position) =
        check_digit_position(mrz.format(), field).ok_or(SpecimenError::NoCheckDigit { field })?;
    let mut lines = mrz.lines();
    let Some(target) = lines.get_mut(line) else {
        return Err(SpecimenError::NoCheckDigit { field });
    };
    let mut chars: Vec<char> = target.chars().collect();
    let Some(slot) = chars.get_mut(position) else {
        return Err(SpecimenError::NoCheckDigit { field });
    };
    // An unused personal number's `<` check digit counts as 0.
    let value = slot.to_digit(10).unwrap_or(0);
    *slot = char::from(b'0' + ((value + 1) % 10) as u8);
    *target = chars.into_iter().collect();
    Ok(lines.join("\n"))
}

/// A 64 x 64 grey face as a binary PGM (`P5`), deterministic from `seed`: the face's shape,
/// shade, eyes and mouth vary with the seed, so pictures of two people differ. Drawn by
/// [`crate::face::passport_photo`].
pub fn face_image(seed: u64) -> Vec<u8> {
    crate::face::passport_photo(seed).to_pgm()
}

/// The simulated issuing authority for specimens: a trusted CSCA's certificate with its
/// Document Signer, and a rogue CSCA's signer for [`Fault::UntrustedSigner`]. The CSCAs' own
/// keys are not kept: they sign nothing after the signers' certificates.
pub struct SpecimenAuthority {
    issuing_state: String,
    trusted: TrustedCsca,
    signer: DocumentSigner,
    rogue_signer: DocumentSigner,
}

/// A [`SpecimenAuthority`] as stored (replicas of one broker share it): its keys and
/// certificates in DER.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuthorityRecord {
    pub issuing_state: String,
    pub csca_certificate: Vec<u8>,
    pub signer_key: Vec<u8>,
    pub signer_certificate: Vec<u8>,
    pub rogue_signer_key: Vec<u8>,
    pub rogue_signer_certificate: Vec<u8>,
}

impl std::fmt::Debug for SpecimenAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpecimenAuthority")
            .field("issuing_state", &self.issuing_state)
            .finish_non_exhaustive()
    }
}

impl SpecimenAuthority {
    /// An authority for `issuing_state` (three letters, e.g. `UTO`, ICAO's fictitious Utopia),
    /// whose certificates name `country` (two letters).
    pub fn new(issuing_state: &str, country: &str, today: Date) -> Result<Self, ChipError> {
        let csca = CountrySigningCa::generate(country, issuing_state, today)?;
        let signer = csca.issue_document_signer(today)?;
        let rogue =
            CountrySigningCa::generate(country, &format!("{issuing_state} (rogue)"), today)?;
        let rogue_signer = rogue.issue_document_signer(today)?;
        Ok(Self {
            issuing_state: issuing_state.to_string(),
            trusted: csca.trusted(),
            signer,
            rogue_signer,
        })
    }

    /// This authority as stored.
    pub fn to_record(&self) -> AuthorityRecord {
        let (signer_key, signer_certificate) = self.signer.to_der();
        let (rogue_signer_key, rogue_signer_certificate) = self.rogue_signer.to_der();
        AuthorityRecord {
            issuing_state: self.issuing_state.clone(),
            csca_certificate: self.trusted.der().to_vec(),
            signer_key,
            signer_certificate,
            rogue_signer_key,
            rogue_signer_certificate,
        }
    }

    /// An authority stored with [`SpecimenAuthority::to_record`].
    pub fn from_record(record: AuthorityRecord) -> Result<Self, ChipError> {
        Ok(Self {
            issuing_state: record.issuing_state,
            trusted: TrustedCsca::from_der(record.csca_certificate),
            signer: DocumentSigner::from_der(&record.signer_key, record.signer_certificate)?,
            rogue_signer: DocumentSigner::from_der(
                &record.rogue_signer_key,
                record.rogue_signer_certificate,
            )?,
        })
    }

    /// The CSCA certificate a reader should trust.
    pub fn trusted(&self) -> TrustedCsca {
        self.trusted.clone()
    }

    /// A specimen for the person of `seed`, valid on `today`, with `fault` put in.
    pub fn issue(
        &self,
        seed: u64,
        format: Format,
        fault: Option<Fault>,
        today: Date,
    ) -> Result<Specimen, SpecimenError> {
        let person = Person::from_seed(seed, today);
        let expired = fault == Some(Fault::Expired);
        let mrz = specimen_mrz(seed, &person, format, &self.issuing_state, expired, today)?;
        let printed_mrz = match fault {
            Some(Fault::WrongCheckDigit(field)) => with_wrong_check_digit(&mrz, field)?,
            _ => mrz.to_string(),
        };
        let face = face_image(seed);
        let chip = match fault {
            Some(Fault::NoChip) => None,
            _ => {
                let signer = if fault == Some(Fault::UntrustedSigner) {
                    &self.rogue_signer
                } else {
                    &self.signer
                };
                let mut chip = Chip::issue(&mrz, &face, signer)?;
                match fault {
                    Some(Fault::UnreadableChip) => chip.break_antenna(),
                    // Another person's face swapped in after signing.
                    Some(Fault::TamperedDataGroup) => {
                        chip.replace_face_image(&face_image(seed.wrapping_add(1)))
                    }
                    _ => {}
                }
                Some(chip)
            }
        };
        Ok(Specimen {
            seed,
            person,
            mrz,
            printed_mrz,
            face_image: face,
            chip,
            fault,
        })
    }
}
