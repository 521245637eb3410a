//! A Citizen Service case: a caseworker helping a person get MitID in person (*Borgerservice*),
//! step by step. Only the data; the transitions are in `enrolment::case`.

use serde::{Deserialize, Serialize};

use super::{CaseId, IdentityId, UserId};
use crate::clock::UnixTime;
use crate::mitid::Cpr;

/// One person's attempt at Citizen Service. Nothing of the identity exists until the case is
/// completed: then it is created in one step and `identity_id` names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    /// Counts the writes, so two caseworkers (or a form sent twice) cannot both move the case.
    #[serde(default)]
    pub rev: u64,
    /// The token every form of the case's pages carries.
    pub csrf: String,
    /// The person, as looked up in the (simulated) CPR register.
    pub cpr: Cpr,
    pub opened_at: UnixTime,
    pub updated_at: UnixTime,
    #[serde(default)]
    pub step: CaseStep,
    /// What identified the person: a document shown or a witness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// The control questions asked, from the person's register data.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Wrong answers so far; two end the attempt.
    #[serde(default)]
    pub wrong_answers: u32,
    /// The identity created when the case completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_id: Option<IdentityId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
}

/// Where a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStep {
    /// Record the identity document shown, or a witness.
    #[default]
    Evidence,
    /// Ask the control questions and record the answers.
    Questions,
    /// Choose the user ID, the authenticator and the first password.
    Choose,
    /// The identity exists; the activation letter is sent.
    Completed,
    /// Two wrong answers: the attempt ended and nothing was created.
    Failed,
}

impl CaseStep {
    pub const fn as_str(self) -> &'static str {
        match self {
            CaseStep::Evidence => "evidence",
            CaseStep::Questions => "questions",
            CaseStep::Choose => "choose",
            CaseStep::Completed => "completed",
            CaseStep::Failed => "failed",
        }
    }

    pub const fn is_closed(self) -> bool {
        matches!(self, CaseStep::Completed | CaseStep::Failed)
    }
}

/// The identity documents a caseworker accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    Passport,
    DrivingLicence,
    NationalId,
}

impl DocumentType {
    pub const ALL: [DocumentType; 3] = [
        DocumentType::Passport,
        DocumentType::DrivingLicence,
        DocumentType::NationalId,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            DocumentType::Passport => "passport",
            DocumentType::DrivingLicence => "driving_licence",
            DocumentType::NationalId => "national_id",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            DocumentType::Passport => "passport",
            DocumentType::DrivingLicence => "driving licence",
            DocumentType::NationalId => "national ID card",
        }
    }

    pub fn parse(value: &str) -> Option<DocumentType> {
        DocumentType::ALL.into_iter().find(|d| d.as_str() == value)
    }
}

/// What identified the person at the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Evidence {
    /// A valid identity document: its type, number and expiry date (`YYYY-MM-DD`).
    Document {
        document_type: DocumentType,
        number: String,
        expiry: String,
    },
    /// A person with MitID who vouches for them, by user ID.
    Witness { user_id: UserId },
}

/// A control question, from the person's register data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    MotherGivenName,
    FatherGivenName,
    PostalCode,
    BirthDate,
    PlaceOfBirth,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 5] = [
        QuestionKind::MotherGivenName,
        QuestionKind::FatherGivenName,
        QuestionKind::PostalCode,
        QuestionKind::BirthDate,
        QuestionKind::PlaceOfBirth,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            QuestionKind::MotherGivenName => "mother_given_name",
            QuestionKind::FatherGivenName => "father_given_name",
            QuestionKind::PostalCode => "postal_code",
            QuestionKind::BirthDate => "birth_date",
            QuestionKind::PlaceOfBirth => "place_of_birth",
        }
    }

    /// What the caseworker asks.
    pub const fn text(self) -> &'static str {
        match self {
            QuestionKind::MotherGivenName => "What is your mother's first name?",
            QuestionKind::FatherGivenName => "What is your father's first name?",
            QuestionKind::PostalCode => "What is the postal code of your address?",
            QuestionKind::BirthDate => "What is your date of birth?",
            QuestionKind::PlaceOfBirth => "In which town were you born?",
        }
    }

    pub fn parse(value: &str) -> Option<QuestionKind> {
        QuestionKind::ALL.into_iter().find(|q| q.as_str() == value)
    }
}

/// A control question of a case, and whether it has been answered right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub kind: QuestionKind,
    #[serde(default)]
    pub answered: bool,
}
