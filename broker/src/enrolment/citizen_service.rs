//! Citizen Service (*Borgerservice*): the route to MitID for a person without a suitable phone
//! or document, simulated from the caseworker's side. Each step loads the case, applies the
//! pure transition of [`super::case`], and writes it back only if nobody wrote it meanwhile.
//! The identity is created in one write when the case completes; nothing of it exists before.

use time::Date;

use super::activation::{self, ActivationError};
use super::case::{self, Answered, CaseError, Choice};
use super::register::{self, RegisterPerson};
use crate::app::Broker;
use crate::clock::UnixTime;
use crate::mitid::{Cpr, PendingActivation};
use crate::model::{
    Case, CaseId, CaseStep, CprStatus, Device, EnrolledAuthenticator, Evidence, Identity,
    IdentityId, IdentityStatus, OutboxMessage, QuestionKind, UserId,
};
use crate::secrets;
use crate::store::StoreError;

impl From<ActivationError> for CaseError {
    fn from(e: ActivationError) -> CaseError {
        CaseError::Internal(e.to_string())
    }
}

/// The day `now` falls on (UTC).
pub fn today(now: UnixTime) -> Date {
    time::OffsetDateTime::from_unix_timestamp(now)
        .map(|t| t.date())
        .unwrap_or(Date::MIN)
}

/// The identity whose user ID this is, ignoring case (as the login screen does).
fn identity_by_user_id(broker: &Broker, user_id: &str) -> Result<Option<Identity>, StoreError> {
    let store = &broker.store.identities;
    if let Some(identity) = store.by_user_id(&UserId::new(user_id))? {
        return Ok(Some(identity));
    }
    Ok(store
        .list()?
        .into_iter()
        .find(|i| i.user_id.as_str().eq_ignore_ascii_case(user_id)))
}

fn identity_with_cpr(broker: &Broker, cpr: Cpr) -> Result<Option<Identity>, StoreError> {
    Ok(broker
        .store
        .identities
        .list()?
        .into_iter()
        .find(|i| i.cpr == Some(cpr)))
}

/// The person in the simulated register, or why the case cannot be for them.
pub fn look_up(broker: &Broker, cpr_text: &str) -> Result<RegisterPerson, CaseError> {
    let cpr = Cpr::parse(cpr_text.trim())?;
    let person = register::lookup(cpr).ok_or(CaseError::NotInRegister(cpr))?;
    if let Some(identity) = identity_with_cpr(broker, cpr)? {
        return Err(CaseError::HasIdentity {
            cpr,
            user_id: identity.user_id,
        });
    }
    Ok(person)
}

/// Step 1: the caseworker looks the person up by CPR number and opens a case.
pub fn open_case(broker: &Broker, cpr_text: &str, now: UnixTime) -> Result<Case, CaseError> {
    let person = look_up(broker, cpr_text)?;
    let case = case::open(
        CaseId::new(secrets::random_id()),
        secrets::random_token(),
        person.cpr,
        now,
    );
    broker.store.cases.create(&case)?;
    tracing::info!(case = %case.id, "citizen service case opened");
    Ok(case)
}

pub fn load(broker: &Broker, id: &CaseId) -> Result<Case, CaseError> {
    broker.store.cases.get(id)?.ok_or(CaseError::NotFound)
}

/// The register entry of a case's person.
pub fn person_of(case: &Case) -> Result<RegisterPerson, CaseError> {
    register::lookup(case.cpr).ok_or(CaseError::NotInRegister(case.cpr))
}

fn write(broker: &Broker, case: &Case) -> Result<Case, CaseError> {
    broker.store.cases.update(case)?.ok_or(CaseError::Stale)
}

/// What the caseworker recorded as identifying the person.
#[derive(Debug, Clone)]
pub enum EvidenceInput {
    Document {
        document_type: String,
        number: String,
        expiry: String,
    },
    Witness {
        user_id: String,
    },
}

/// Step 2: a valid document, or a witness with an active MitID.
pub fn record_evidence(
    broker: &Broker,
    id: &CaseId,
    input: &EvidenceInput,
    now: UnixTime,
) -> Result<Case, CaseError> {
    let mut case = load(broker, id)?;
    case::expect_step(&case, CaseStep::Evidence)?;
    let evidence = match input {
        EvidenceInput::Document {
            document_type,
            number,
            expiry,
        } => case::check_document(document_type, number, expiry, today(now))?,
        EvidenceInput::Witness { user_id } => {
            let typed = user_id.trim();
            let witness = identity_by_user_id(broker, typed)?
                .ok_or_else(|| CaseError::UnknownWitness(typed.into()))?;
            if witness.status != IdentityStatus::Active || witness.cpr_status != CprStatus::Active {
                return Err(CaseError::WitnessNotActive(witness.user_id));
            }
            Evidence::Witness {
                user_id: witness.user_id,
            }
        }
    };
    case::record_evidence(&mut case, evidence, now)?;
    write(broker, &case)
}

/// Step 3: the person's answers to the control questions.
pub fn answer(
    broker: &Broker,
    id: &CaseId,
    answers: &[(QuestionKind, String)],
    now: UnixTime,
) -> Result<(Case, Answered), CaseError> {
    let mut case = load(broker, id)?;
    let person = person_of(&case)?;
    let answered = case::answer(&mut case, &person, answers, now)?;
    let case = write(broker, &case)?;
    if answered.step == CaseStep::Failed {
        tracing::info!(case = %case.id, "citizen service case failed: wrong answers");
    }
    Ok((case, answered))
}

/// The person's choices at the last step.
#[derive(Debug, Clone)]
pub struct Choices {
    pub user_id: String,
    pub authenticator: String,
    pub password: String,
}

/// The outcome of a completed case.
pub struct Completed {
    pub case: Case,
    pub identity: Identity,
    /// The code viewer's or code reader's serial.
    pub serial: Option<String>,
    pub letter: OutboxMessage,
}

/// Step 4: the identity is created in one write, its authenticator waiting for activation,
/// and the activation letter goes out.
pub fn complete(
    broker: &Broker,
    id: &CaseId,
    choices: &Choices,
    now: UnixTime,
) -> Result<Completed, CaseError> {
    let case = load(broker, id)?;
    case::expect_step(&case, CaseStep::Choose)?;
    let user_id = case::check_user_id(&choices.user_id)?;
    let choice = Choice::parse(&choices.authenticator)?;
    case::check_password(&choices.password)?;
    if identity_by_user_id(broker, user_id.as_str())?.is_some() {
        return Err(CaseError::UserIdTaken(user_id.to_string()));
    }
    if let Some(identity) = identity_with_cpr(broker, case.cpr)? {
        return Err(CaseError::HasIdentity {
            cpr: case.cpr,
            user_id: identity.user_id,
        });
    }
    let person = person_of(&case)?;
    let (pending, code) = activation::new_activation(broker, now);
    let (device, serial) = match choice {
        Choice::App => (Device::App, None),
        Choice::CodeViewer => (
            Device::CodeViewer,
            Some(activation::new_serial(broker, Device::CodeViewer)?),
        ),
        Choice::CodeReader => (
            Device::CodeReader,
            Some(activation::new_serial(broker, Device::CodeReader)?),
        ),
    };
    let mut identity = new_identity(&person, user_id, device, serial.clone(), pending)?;
    identity
        .set_password(&choices.password)
        .map_err(|_| CaseError::PasswordRules)?;
    // Claim the case first, so two submissions cannot both create an identity.
    let mut done = case.clone();
    case::complete(&mut done, &identity, now);
    let done = write(broker, &done)?;
    if let Err(e) = broker.store.identities.create(&identity) {
        // Taken meanwhile: the case goes back to the choice, nothing was created.
        let mut back = done.clone();
        back.step = CaseStep::Choose;
        back.identity_id = None;
        back.user_id = None;
        write(broker, &back)?;
        return Err(match e {
            StoreError::Conflict(_) => CaseError::UserIdTaken(identity.user_id.to_string()),
            e => e.into(),
        });
    }
    let letter = activation::send_letter(broker, &identity, device, serial.as_deref(), &code)?;
    tracing::info!(case = %done.id, user_id = %identity.user_id, "citizen service case completed");
    Ok(Completed {
        case: done,
        identity,
        serial,
        letter,
    })
}

/// The identity a completed case creates: the register's person, `ial` substantial, the chosen
/// authenticator waiting for activation.
fn new_identity(
    person: &RegisterPerson,
    user_id: UserId,
    device: Device,
    serial: Option<String>,
    pending: PendingActivation,
) -> Result<Identity, CaseError> {
    let mut identity = Identity::new(
        IdentityId::new(uuid::Uuid::new_v4().to_string()),
        user_id,
        &person.given_name,
        &person.family_name,
    );
    identity.birthdate = Some(person.birthdate());
    identity.cpr = Some(person.cpr);
    identity.ial = case::IAL;
    identity.address = Some(person.address.clone());
    identity.authenticators = vec![match (device, serial) {
        (Device::App, _) => EnrolledAuthenticator::App {
            enrolled_at_high: false,
            pending_activation: Some(pending),
        },
        (device, Some(serial)) => activation::pending_code_device(device, serial, pending)?,
        _ => return Err(CaseError::Authenticator),
    }];
    identity
        .check()
        .map_err(|e| CaseError::Internal(e.to_string()))?;
    Ok(identity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::enrolment::case::expected_answer;
    use crate::mitid::Authenticator;
    use crate::server::{build, Storage};
    use crate::Config;
    use std::sync::Arc;

    /// 2026-09-21.
    const T0: UnixTime = 1_790_000_000;
    const CPR: &str = "650385-1234";

    fn broker() -> Broker {
        build(
            Config::default(),
            "http://localhost:8080",
            Arc::new(ManualClock::new(T0)),
            Storage::Memory,
        )
        .unwrap()
    }

    fn passport() -> EvidenceInput {
        EvidenceInput::Document {
            document_type: "passport".into(),
            number: "123456789".into(),
            expiry: "2030-01-01".into(),
        }
    }

    fn right_answers(case: &Case) -> Vec<(QuestionKind, String)> {
        let person = person_of(case).unwrap();
        case.questions
            .iter()
            .map(|q| (q.kind, expected_answer(q.kind, &person)))
            .collect()
    }

    fn choices(user: &str, authenticator: &str) -> Choices {
        Choices {
            user_id: user.into(),
            authenticator: authenticator.into(),
            password: "hemmelig1".into(),
        }
    }

    #[test]
    fn a_full_case_creates_one_identity_with_a_device_waiting_for_activation() {
        let b = broker();
        let case = open_case(&b, CPR, T0).unwrap();
        let case = record_evidence(&b, &case.id, &passport(), T0).unwrap();
        let (case, answered) = answer(&b, &case.id, &right_answers(&case), T0).unwrap();
        assert_eq!(answered.step, CaseStep::Choose);
        let before = b.store.identities.list().unwrap().len();
        let done = complete(&b, &case.id, &choices("nyborger1", "code_viewer"), T0).unwrap();
        assert_eq!(b.store.identities.list().unwrap().len(), before + 1);
        assert_eq!(done.case.step, CaseStep::Completed);
        let identity = b
            .store
            .identities
            .by_user_id(&UserId::new("nyborger1"))
            .unwrap()
            .unwrap();
        assert_eq!(identity, done.identity);
        assert_eq!(identity.cpr, Some(Cpr::parse(CPR).unwrap()));
        assert_eq!(identity.birthdate.as_deref(), Some("1985-03-05"));
        assert_eq!(identity.ial, crate::model::Level::Substantial);
        assert!(identity.verify_password("hemmelig1"));
        // Only the password counts until the code viewer is activated.
        assert_eq!(
            identity.authenticator_kinds(),
            vec![Authenticator::Password]
        );
        let serial = done.serial.unwrap();
        assert!(done.letter.body.contains(&serial));
        // A second completion of the same case creates nothing.
        assert!(matches!(
            complete(&b, &case.id, &choices("nyborger2", "app"), T0),
            Err(CaseError::Closed("completed"))
        ));
        // And the person now has MitID: no new case.
        assert!(matches!(
            open_case(&b, CPR, T0),
            Err(CaseError::HasIdentity { .. })
        ));
    }

    #[test]
    fn lookups_refuse_numbers_outside_the_register_and_people_with_mitid() {
        let b = broker();
        assert!(matches!(
            open_case(&b, "050385-1234", T0),
            Err(CaseError::NotInRegister(_))
        ));
        assert!(matches!(open_case(&b, "12345", T0), Err(CaseError::Cpr(_))));
        // anna's CPR (seeded).
        let anna = b
            .store
            .identities
            .by_user_id(&UserId::new("anna"))
            .unwrap()
            .unwrap();
        assert!(matches!(
            open_case(&b, &anna.cpr.unwrap().to_string(), T0),
            Err(CaseError::HasIdentity { .. })
        ));
        assert!(b.store.cases.list_recent(10).unwrap().is_empty());
    }

    #[test]
    fn a_failed_case_creates_nothing() {
        let b = broker();
        let case = open_case(&b, CPR, T0).unwrap();
        let witness = EvidenceInput::Witness {
            user_id: "ANNA".into(),
        };
        let case = record_evidence(&b, &case.id, &witness, T0).unwrap();
        assert_eq!(
            case.evidence,
            Some(Evidence::Witness {
                user_id: UserId::new("anna")
            })
        );
        let wrong: Vec<_> = case
            .questions
            .iter()
            .map(|q| (q.kind, "forkert".to_string()))
            .collect();
        let before = b.store.identities.list().unwrap();
        let (case, answered) = answer(&b, &case.id, &wrong, T0).unwrap();
        assert_eq!(answered.step, CaseStep::Failed);
        assert_eq!(case.step, CaseStep::Failed);
        assert!(matches!(
            complete(&b, &case.id, &choices("nyborger1", "app"), T0),
            Err(CaseError::Closed("failed"))
        ));
        assert_eq!(b.store.identities.list().unwrap(), before);
        assert!(b.store.outbox.list(10).unwrap().is_empty());
    }

    #[test]
    fn expired_documents_suspended_witnesses_and_taken_user_ids_are_refused() {
        let b = broker();
        let case = open_case(&b, CPR, T0).unwrap();
        let expired = EvidenceInput::Document {
            document_type: "national_id".into(),
            number: "123456789".into(),
            expiry: "2026-09-20".into(),
        };
        assert!(matches!(
            record_evidence(&b, &case.id, &expired, T0),
            Err(CaseError::Expired { .. })
        ));
        for (witness, refused) in [("kim", "suspended"), ("nobody", "unknown")] {
            let input = EvidenceInput::Witness {
                user_id: witness.into(),
            };
            let result = record_evidence(&b, &case.id, &input, T0);
            assert!(
                matches!(
                    result,
                    Err(CaseError::WitnessNotActive(_)) | Err(CaseError::UnknownWitness(_))
                ),
                "{refused}"
            );
        }
        assert_eq!(load(&b, &case.id).unwrap().step, CaseStep::Evidence);
        let case = record_evidence(&b, &case.id, &passport(), T0).unwrap();
        let (case, _) = answer(&b, &case.id, &right_answers(&case), T0).unwrap();
        let taken = Identity::new(
            IdentityId::new("id-annabella"),
            UserId::new("annabella"),
            "Anna",
            "Bella",
        );
        b.store.identities.create(&taken).unwrap();
        // User IDs are not case-sensitive at the login, so neither here.
        assert!(matches!(
            complete(&b, &case.id, &choices("AnnaBella", "app"), T0),
            Err(CaseError::UserIdTaken(_))
        ));
        assert!(matches!(
            complete(&b, &case.id, &choices("nyborger1", "chip"), T0),
            Err(CaseError::Authenticator)
        ));
        // Still at the choice: the person can choose again.
        complete(&b, &case.id, &choices("nyborger1", "app"), T0).unwrap();
    }

    #[test]
    fn a_stale_case_is_not_written() {
        let b = broker();
        let case = open_case(&b, CPR, T0).unwrap();
        record_evidence(&b, &case.id, &passport(), T0).unwrap();
        // Someone holding the old revision cannot move the case.
        let mut stale = case.clone();
        stale.step = CaseStep::Failed;
        assert!(matches!(write(&b, &stale), Err(CaseError::Stale)));
    }
}
