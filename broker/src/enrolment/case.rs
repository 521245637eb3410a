//! The Citizen Service case as a state machine, without storage: evidence (a valid document or
//! a witness) -> three control questions from the register -> the person's choices -> an
//! identity. Two wrong answers end the attempt.
//!
//! Rules where the sources are silent (`domain/mitid.md` only says a whole MitID is
//! reactivated "at Borgerservice"):
//! - A document is valid through its expiry date; an expired one is refused.
//! - Three of the five kinds of question are asked, chosen from the case's id, so two attempts
//!   of the same person are asked differently. Answers are compared without regard to case or
//!   whitespace (a date of birth as `YYYY-MM-DD`, `DD-MM-YYYY` or `DD.MM.YYYY`). An empty
//!   answer is not counted.
//! - Two wrong answers, in any number of tries, end the attempt: the case fails and nothing is
//!   created. A question answered wrongly once may be asked again.
//! - The identity is created with `ial` substantial whether a document or a witness identified
//!   the person: in both the caseworker saw the person and checked them against the CPR
//!   register with control questions (NSIS substantial's in-person identification against an
//!   authoritative source). High needs a chip-read document, which this desk does not do.

use sha2::{Digest, Sha256};
use time::Date;

use super::register::RegisterPerson;
use crate::clock::UnixTime;
use crate::mitid::{Cpr, CprError};
use crate::model::{
    parse_date, Case, CaseId, CaseStep, DocumentType, Evidence, Level, Question, QuestionKind,
    UserId,
};

/// Control questions asked in a case.
pub const QUESTIONS_ASKED: usize = 3;
/// Wrong answers that end an attempt.
pub const MAX_WRONG_ANSWERS: u32 = 2;
/// The identity assurance level of an identity made at Citizen Service.
pub const IAL: Level = Level::Substantial;
/// User ID length rules.
pub const USER_ID_MIN: usize = 6;
pub const USER_ID_MAX: usize = 64;
/// The first password's minimum length.
pub const PASSWORD_MIN: usize = 8;

/// Why a step of a case was refused. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("there is no such case; look the person up again")]
    NotFound,
    #[error("{0}")]
    Cpr(#[from] CprError),
    #[error(
        "{0} is not in the simulated CPR register: it holds only replacement numbers (day of \
         month + 60, e.g. 720490-1236)"
    )]
    NotInRegister(Cpr),
    #[error("{cpr} already has a MitID (user ID {user_id}); this route is for people without one")]
    HasIdentity { cpr: Cpr, user_id: UserId },
    #[error("the case is closed ({0}); start a new case")]
    Closed(&'static str),
    #[error("this step is done or not reached yet: the case is at {0}")]
    WrongStep(&'static str),
    #[error("the case was changed meanwhile (another window?); reload it and try again")]
    Stale,
    #[error("choose the document type: passport, driving_licence or national_id")]
    DocumentType,
    #[error("the document number is 5-20 letters or digits, as printed on the document")]
    DocumentNumber,
    #[error("the expiry date is written YYYY-MM-DD, not {0:?}")]
    ExpiryFormat(String),
    #[error(
        "the {document} expired on {expiry}: an expired document identifies no one; ask for a \
         valid document or a witness"
    )]
    Expired {
        document: &'static str,
        expiry: String,
    },
    #[error("no one with user ID {0:?} has MitID; a witness is a person with an active MitID")]
    UnknownWitness(String),
    #[error("{0} cannot witness: their MitID is not active")]
    WitnessNotActive(UserId),
    #[error("the user ID is {USER_ID_MIN}-{USER_ID_MAX} letters (a-z) or digits, without spaces")]
    UserIdRules,
    #[error("the user ID {0} is taken; choose another")]
    UserIdTaken(String),
    #[error("choose the authenticator: app, code_viewer or code_reader")]
    Authenticator,
    #[error("the password is at least {PASSWORD_MIN} characters")]
    PasswordRules,
    #[error("{0}")]
    Internal(String),
}

impl From<crate::store::StoreError> for CaseError {
    fn from(e: crate::store::StoreError) -> CaseError {
        CaseError::Internal(e.to_string())
    }
}

/// The authenticator a person chooses at the desk; it arrives waiting for activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    App,
    CodeViewer,
    CodeReader,
}

impl Choice {
    pub const ALL: [Choice; 3] = [Choice::App, Choice::CodeViewer, Choice::CodeReader];

    pub const fn as_str(self) -> &'static str {
        match self {
            Choice::App => "app",
            Choice::CodeViewer => "code_viewer",
            Choice::CodeReader => "code_reader",
        }
    }

    pub fn parse(value: &str) -> Result<Choice, CaseError> {
        Choice::ALL
            .into_iter()
            .find(|c| c.as_str() == value.trim())
            .ok_or(CaseError::Authenticator)
    }
}

/// A new case for the person with this CPR number, at the first step.
pub fn open(id: CaseId, csrf: String, cpr: Cpr, now: UnixTime) -> Case {
    Case {
        id,
        rev: 0,
        csrf,
        cpr,
        opened_at: now,
        updated_at: now,
        step: CaseStep::Evidence,
        evidence: None,
        questions: Vec::new(),
        wrong_answers: 0,
        identity_id: None,
        user_id: None,
    }
}

/// The case must be open and at `step`.
pub fn expect_step(case: &Case, step: CaseStep) -> Result<(), CaseError> {
    if case.step.is_closed() {
        return Err(CaseError::Closed(case.step.as_str()));
    }
    if case.step != step {
        return Err(CaseError::WrongStep(case.step.as_str()));
    }
    Ok(())
}

/// A document as the caseworker typed it, checked: a known type, a plausible number, and not
/// expired on `today`.
pub fn check_document(
    document_type: &str,
    number: &str,
    expiry: &str,
    today: Date,
) -> Result<Evidence, CaseError> {
    let document_type = DocumentType::parse(document_type.trim()).ok_or(CaseError::DocumentType)?;
    let number: String = number.split_whitespace().collect();
    if !(5..=20).contains(&number.len()) || !number.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(CaseError::DocumentNumber);
    }
    let expiry = expiry.trim();
    let expires = parse_date(expiry).ok_or_else(|| CaseError::ExpiryFormat(expiry.into()))?;
    if expires < today {
        return Err(CaseError::Expired {
            document: document_type.label(),
            expiry: expiry.into(),
        });
    }
    Ok(Evidence::Document {
        document_type,
        number: number.to_uppercase(),
        expiry: expiry.into(),
    })
}

/// Records the evidence; the control questions come next.
pub fn record_evidence(
    case: &mut Case,
    evidence: Evidence,
    now: UnixTime,
) -> Result<(), CaseError> {
    expect_step(case, CaseStep::Evidence)?;
    case.evidence = Some(evidence);
    case.questions = questions_for(&case.id);
    case.step = CaseStep::Questions;
    case.updated_at = now;
    Ok(())
}

/// Three of the kinds of question, chosen from the case's id.
pub fn questions_for(id: &CaseId) -> Vec<Question> {
    let digest = Sha256::digest(format!("control-questions|{id}").as_bytes());
    let mut pool: Vec<QuestionKind> = QuestionKind::ALL.to_vec();
    let mut chosen = Vec::with_capacity(QUESTIONS_ASKED);
    for byte in digest.iter().take(QUESTIONS_ASKED) {
        if pool.is_empty() {
            break;
        }
        let kind = pool.remove(usize::from(*byte) % pool.len());
        chosen.push(Question {
            kind,
            answered: false,
        });
    }
    chosen
}

/// The register's answer to a question, as the caseworker would read it.
pub fn expected_answer(kind: QuestionKind, person: &RegisterPerson) -> String {
    match kind {
        QuestionKind::MotherGivenName => person.mother.given_name.clone(),
        QuestionKind::FatherGivenName => person.father.given_name.clone(),
        QuestionKind::PostalCode => person.address.postal_code.clone().unwrap_or_default(),
        QuestionKind::BirthDate => person.birthdate(),
        QuestionKind::PlaceOfBirth => person.place_of_birth.clone(),
    }
}

fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a typed answer is the register's, without regard to case or whitespace; a date of
/// birth in ISO or Danish order.
pub fn answer_matches(kind: QuestionKind, person: &RegisterPerson, typed: &str) -> bool {
    if kind == QuestionKind::BirthDate {
        let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
        let born = person.date_of_birth;
        let (y, m, d) = (born.year(), u8::from(born.month()), born.day());
        return digits == format!("{y:04}{m:02}{d:02}") || digits == format!("{d:02}{m:02}{y:04}");
    }
    let expected = squeeze(&expected_answer(kind, person));
    !expected.is_empty() && squeeze(typed) == expected
}

/// What a round of answers did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// The questions answered wrongly in this round.
    pub wrong: Vec<QuestionKind>,
    /// Where the case is now: still at the questions, on to the choices, or failed.
    pub step: CaseStep,
}

/// Checks the answers typed for the case's open questions against the register. Answers to
/// questions not asked, already answered, or left empty are ignored.
pub fn answer(
    case: &mut Case,
    person: &RegisterPerson,
    answers: &[(QuestionKind, String)],
    now: UnixTime,
) -> Result<Answered, CaseError> {
    expect_step(case, CaseStep::Questions)?;
    let mut wrong = Vec::new();
    for (kind, typed) in answers {
        if typed.trim().is_empty() || wrong.contains(kind) {
            continue;
        }
        let Some(question) = case
            .questions
            .iter_mut()
            .find(|q| q.kind == *kind && !q.answered)
        else {
            continue;
        };
        if answer_matches(*kind, person, typed) {
            question.answered = true;
        } else {
            case.wrong_answers += 1;
            wrong.push(*kind);
        }
    }
    if case.wrong_answers >= MAX_WRONG_ANSWERS {
        case.step = CaseStep::Failed;
    } else if case.questions.iter().all(|q| q.answered) {
        case.step = CaseStep::Choose;
    }
    case.updated_at = now;
    Ok(Answered {
        wrong,
        step: case.step,
    })
}

/// A user ID as typed, checked against the rules (its uniqueness is the store's to check).
pub fn check_user_id(text: &str) -> Result<UserId, CaseError> {
    let text = text.trim();
    let fits = (USER_ID_MIN..=USER_ID_MAX).contains(&text.len())
        && text.chars().all(|c| c.is_ascii_alphanumeric());
    if !fits {
        return Err(CaseError::UserIdRules);
    }
    Ok(UserId::new(text))
}

pub fn check_password(password: &str) -> Result<(), CaseError> {
    if password.chars().count() < PASSWORD_MIN || password.trim().is_empty() {
        return Err(CaseError::PasswordRules);
    }
    Ok(())
}

/// The case completed: the identity exists.
pub fn complete(case: &mut Case, identity: &crate::model::Identity, now: UnixTime) {
    case.step = CaseStep::Completed;
    case.identity_id = Some(identity.id.clone());
    case.user_id = Some(identity.user_id.clone());
    case.updated_at = now;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrolment::register;
    use time::macros::date;

    const NOW: UnixTime = 1_790_000_000;
    const TODAY: Date = date!(2026 - 09 - 21);

    fn person() -> RegisterPerson {
        register::lookup(Cpr::parse("720490-1236").unwrap()).unwrap()
    }

    fn new_case(id: &str) -> Case {
        open(
            CaseId::new(id),
            "csrf".into(),
            Cpr::parse("720490-1236").unwrap(),
            NOW,
        )
    }

    fn at_questions(id: &str) -> Case {
        let mut case = new_case(id);
        let evidence = check_document("passport", "AB 123 4567", "2030-01-31", TODAY).unwrap();
        record_evidence(&mut case, evidence, NOW).unwrap();
        case
    }

    fn right(case: &Case, person: &RegisterPerson) -> Vec<(QuestionKind, String)> {
        case.questions
            .iter()
            .map(|q| (q.kind, expected_answer(q.kind, person)))
            .collect()
    }

    #[test]
    fn a_document_must_be_valid_on_the_day() {
        let ok = check_document("passport", "AB 123 4567", "2026-09-21", TODAY).unwrap();
        assert_eq!(
            ok,
            Evidence::Document {
                document_type: DocumentType::Passport,
                number: "AB1234567".into(),
                expiry: "2026-09-21".into()
            }
        );
        assert!(matches!(
            check_document("driving_licence", "12345678", "2026-09-20", TODAY),
            Err(CaseError::Expired { .. })
        ));
        assert!(matches!(
            check_document("driving_licence", "12345678", "20.09.2030", TODAY),
            Err(CaseError::ExpiryFormat(_))
        ));
        assert!(matches!(
            check_document("library_card", "12345678", "2030-01-01", TODAY),
            Err(CaseError::DocumentType)
        ));
        assert!(matches!(
            check_document("national_id", "12-34", "2030-01-01", TODAY),
            Err(CaseError::DocumentNumber)
        ));
    }

    #[test]
    fn evidence_leads_to_three_different_questions_chosen_by_the_case() {
        let case = at_questions("case-1");
        assert_eq!(case.step, CaseStep::Questions);
        assert_eq!(case.questions.len(), QUESTIONS_ASKED);
        let mut kinds: Vec<_> = case.questions.iter().map(|q| q.kind).collect();
        kinds.dedup();
        assert_eq!(kinds.len(), QUESTIONS_ASKED);
        assert_eq!(case.questions, questions_for(&CaseId::new("case-1")));
        let differ = (0..20)
            .map(|i| questions_for(&CaseId::new(format!("case-{i}"))))
            .any(|q| q != case.questions);
        assert!(differ, "other cases are asked other questions");
        // Evidence once only.
        let mut case = case;
        let again = check_document("passport", "AB1234567", "2030-01-31", TODAY).unwrap();
        assert!(matches!(
            record_evidence(&mut case, again, NOW),
            Err(CaseError::WrongStep("questions"))
        ));
    }

    #[test]
    fn right_answers_in_any_case_and_spacing_lead_to_the_choice() {
        let person = person();
        let mut case = at_questions("case-2");
        let answers: Vec<_> = right(&case, &person)
            .into_iter()
            .map(|(k, a)| (k, format!("  {}  ", a.to_uppercase())))
            .collect();
        let done = answer(&mut case, &person, &answers, NOW).unwrap();
        assert!(done.wrong.is_empty());
        assert_eq!(done.step, CaseStep::Choose);
        assert_eq!(case.wrong_answers, 0);
    }

    #[test]
    fn a_birth_date_is_accepted_in_iso_or_danish_order() {
        let person = person();
        for typed in ["1990-04-12", "12-04-1990", "12.04.1990", "12041990"] {
            assert!(
                answer_matches(QuestionKind::BirthDate, &person, typed),
                "{typed}"
            );
        }
        assert!(!answer_matches(
            QuestionKind::BirthDate,
            &person,
            "1990-12-04"
        ));
    }

    #[test]
    fn one_wrong_answer_is_counted_and_may_be_corrected() {
        let person = person();
        let mut case = at_questions("case-3");
        let mut answers = right(&case, &person);
        let first = answers[0].0;
        answers[0].1 = "Zzz".into();
        let round = answer(&mut case, &person, &answers, NOW).unwrap();
        assert_eq!(round.wrong, vec![first]);
        assert_eq!(round.step, CaseStep::Questions);
        assert_eq!(case.wrong_answers, 1);
        // An empty answer is not counted.
        let round = answer(&mut case, &person, &[(first, " ".into())], NOW).unwrap();
        assert!(round.wrong.is_empty());
        assert_eq!(case.wrong_answers, 1);
        let fixed = right(&case, &person);
        let round = answer(&mut case, &person, &fixed[..1], NOW).unwrap();
        assert_eq!(round.step, CaseStep::Choose);
    }

    #[test]
    fn two_wrong_answers_end_the_attempt() {
        let person = person();
        let mut case = at_questions("case-4");
        let mut answers = right(&case, &person);
        answers[0].1 = "wrong".into();
        answers[1].1 = "wrong too".into();
        let round = answer(&mut case, &person, &answers, NOW).unwrap();
        assert_eq!(round.step, CaseStep::Failed);
        assert_eq!(case.step, CaseStep::Failed);
        // A failed case takes nothing more.
        let again = right(&case, &person);
        assert!(matches!(
            answer(&mut case, &person, &again, NOW),
            Err(CaseError::Closed("failed"))
        ));
    }

    #[test]
    fn wrong_answers_in_separate_rounds_add_up() {
        let person = person();
        let mut case = at_questions("case-5");
        let kind = case.questions[0].kind;
        answer(&mut case, &person, &[(kind, "no".into())], NOW).unwrap();
        let round = answer(&mut case, &person, &[(kind, "nope".into())], NOW).unwrap();
        assert_eq!(round.step, CaseStep::Failed);
    }

    #[test]
    fn user_ids_and_passwords_follow_the_rules_shown() {
        assert!(check_user_id("eva2026").is_ok());
        assert!(check_user_id(" eva2026 ").is_ok());
        for bad in ["eva", "eva 2026", "eva-2026", "æble123", &"x".repeat(65)] {
            assert!(
                matches!(check_user_id(bad), Err(CaseError::UserIdRules)),
                "{bad}"
            );
        }
        assert!(check_password("hemmelig").is_ok());
        assert!(matches!(
            check_password("kort"),
            Err(CaseError::PasswordRules)
        ));
        assert!(matches!(
            check_password("        "),
            Err(CaseError::PasswordRules)
        ));
        assert_eq!(Choice::parse("code_reader").unwrap(), Choice::CodeReader);
        assert!(Choice::parse("chip").is_err());
    }
}
