//! Getting MitID in the app, simulated with the real algorithms: scan the MRZ (every check digit
//! verified), read the chip (BAC keys from the scanned MRZ, then passive authentication against
//! the trusted CSCA), scan the face (compared with the chip's photo, and a liveness check),
//! give the CPR number (checked against the document), choose a user ID, and activate the app
//! with a temporary PIN sent by SMS and a personal PIN. The result is an identity at IAL high
//! with an app enrolled at high, created in one step at the end: an abandoned or failed
//! onboarding leaves nothing behind but its own expiring record.
//!
//! The same steps serve the simulated app's pages (`web::onboarding`) and the control API.

mod face;
pub mod rules;

use passport::bac::BacKeys;
use passport::chip::passive_authentication;
use passport::specimen::Specimen;
use passport::Mrz;
use rand::Rng;
use time::Date;

pub use crate::mitid::documents;
pub use crate::model::{DocumentChoice, Onboarding, OnboardingStep as Step};
pub use face::{chip_photo, Behaviour, FaceInput, LivenessInput, SELFIES};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::model::{Channel, EnrolledAuthenticator, Identity, IdentityId, Level, UserId};
use crate::store::StoreError;
use crate::{outbox, secrets};

/// How long an onboarding may take before it must start again.
pub const ONBOARDING_TTL: i64 = 30 * 60;
/// Wrong temporary PINs before the onboarding ends.
pub const TEMPORARY_PIN_TRIES: u32 = 3;
/// Face scans (or liveness checks) that may fail before the onboarding ends.
pub const FACE_TRIES: u32 = 3;

/// What a step's form (or the control API) gives.
#[derive(Debug, Clone)]
pub enum Input {
    Mrz(String),
    ReadChip,
    Face(FaceInput),
    Liveness(LivenessInput),
    /// The CPR number, or `None` for a person without one.
    Personal(Option<String>),
    UserId {
        user_id: String,
        phone: String,
    },
    TemporaryPin(String),
    Pin {
        pin: String,
        confirm: String,
    },
}

impl Input {
    fn step(&self) -> &'static str {
        match self {
            Input::Mrz(_) => "mrz",
            Input::ReadChip => "chip",
            Input::Face(_) => "face",
            Input::Liveness(_) => "liveness",
            Input::Personal(_) => "personal",
            Input::UserId { .. } => "user_id",
            Input::TemporaryPin(_) => "temporary_pin",
            Input::Pin { .. } => "pin",
        }
    }
}

/// Why an input was not applied at all.
#[derive(Debug, thiserror::Error)]
pub enum OnboardingError {
    #[error("there is no such onboarding; start again")]
    NotFound,
    #[error("this onboarding has expired; start again")]
    Expired,
    #[error("this onboarding has ended ({0}); start again")]
    Ended(String),
    #[error("the onboarding is at the {at} step, not {given}")]
    WrongStep {
        at: &'static str,
        given: &'static str,
    },
    #[error("the onboarding changed meanwhile; reload it")]
    Conflict,
    #[error("the simulated documents failed: {0}")]
    Documents(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The calendar date of `now` (UTC), for document expiry and ages.
pub fn today(now: UnixTime) -> Date {
    time::OffsetDateTime::from_unix_timestamp(now)
        .map(|t| t.date())
        .unwrap_or(Date::MIN)
}

/// Starts an onboarding with the document the person holds.
pub fn start(
    broker: &Broker,
    document: DocumentChoice,
    now: UnixTime,
) -> Result<Onboarding, OnboardingError> {
    let onboarding = Onboarding {
        id: secrets::random_id(),
        csrf: secrets::random_id(),
        rev: 0,
        created_at: now,
        expires_at: now + ONBOARDING_TTL,
        document,
        step: Step::Mrz,
        mrz: None,
        face_failures: 0,
        liveness: None,
        cpr: None,
        user_id: None,
        phone: None,
        temporary_pin_hash: None,
        temporary_pin_failures: 0,
        problem: None,
    };
    broker.store.onboardings.create(&onboarding)?;
    Ok(onboarding)
}

/// The onboarding, if it exists and has not expired.
pub fn load(broker: &Broker, id: &str, now: UnixTime) -> Result<Onboarding, OnboardingError> {
    let onboarding = broker
        .store
        .onboardings
        .get(id)?
        .ok_or(OnboardingError::NotFound)?;
    let finished = matches!(onboarding.step, Step::Done { .. } | Step::Failed { .. });
    if onboarding.expires_at <= now && !finished {
        return Err(OnboardingError::Expired);
    }
    Ok(onboarding)
}

/// The specimen the onboarding's person holds.
pub fn document(
    broker: &Broker,
    onboarding: &Onboarding,
    now: UnixTime,
) -> Result<Specimen, OnboardingError> {
    broker
        .documents(today(now))
        .map_err(OnboardingError::Documents)?
        .issue(onboarding.document, today(now))
        .map_err(|e| OnboardingError::Documents(e.to_string()))
}

/// Gives up: the onboarding ends and nothing is created.
pub fn abandon(broker: &Broker, id: &str, now: UnixTime) -> Result<Onboarding, OnboardingError> {
    let onboarding = load(broker, id, now)?;
    let mut next = onboarding.clone();
    next.step = Step::Failed {
        reason: "abandoned".into(),
    };
    write(broker, &onboarding, next)
}

/// Applies a step's input. A mistake the person can correct leaves the step as it is with a
/// `problem` to show; one they cannot (a forged chip, too many tries) ends the onboarding.
pub fn apply(
    broker: &Broker,
    id: &str,
    input: Input,
    now: UnixTime,
) -> Result<Onboarding, OnboardingError> {
    let onboarding = load(broker, id, now)?;
    if let Step::Failed { reason } = &onboarding.step {
        return Err(OnboardingError::Ended(reason.clone()));
    }
    if matches!(onboarding.step, Step::Done { .. }) {
        return Err(OnboardingError::Ended("done".into()));
    }
    if onboarding.step.name() != input.step() {
        return Err(OnboardingError::WrongStep {
            at: onboarding.step.name(),
            given: input.step(),
        });
    }
    let mut next = onboarding.clone();
    next.problem = None;
    let ctx = Ctx { broker, now };
    match input {
        Input::Mrz(text) => ctx.mrz(&mut next, &text)?,
        Input::ReadChip => ctx.chip(&mut next)?,
        Input::Face(face) => ctx.face(&mut next, face)?,
        Input::Liveness(liveness) => ctx.liveness(&mut next, liveness)?,
        Input::Personal(cpr) => ctx.personal(&mut next, cpr.as_deref())?,
        Input::UserId { user_id, phone } => ctx.user_id(&mut next, &user_id, &phone)?,
        Input::TemporaryPin(pin) => ctx.temporary_pin(&mut next, &pin),
        Input::Pin { pin, confirm } => ctx.pin(&mut next, &pin, &confirm)?,
    }
    write(broker, &onboarding, next)
}

fn write(
    broker: &Broker,
    read: &Onboarding,
    next: Onboarding,
) -> Result<Onboarding, OnboardingError> {
    broker
        .store
        .onboardings
        .update(read.rev, &next)?
        .ok_or(OnboardingError::Conflict)
}

struct Ctx<'a> {
    broker: &'a Broker,
    now: UnixTime,
}

fn fail(onboarding: &mut Onboarding, reason: impl Into<String>) {
    onboarding.step = Step::Failed {
        reason: reason.into(),
    };
}

impl Ctx<'_> {
    fn today(&self) -> Date {
        today(self.now)
    }

    fn scanned_mrz(&self, onboarding: &Onboarding) -> Result<Mrz, OnboardingError> {
        onboarding
            .mrz
            .as_deref()
            .and_then(|m| Mrz::parse(m).ok())
            .ok_or(OnboardingError::WrongStep {
                at: "mrz",
                given: "chip",
            })
    }

    /// Step 1: the MRZ, typed or pasted (or as the camera read it), every check digit verified.
    fn mrz(&self, onboarding: &mut Onboarding, text: &str) -> Result<(), OnboardingError> {
        let text = rules::normalise_mrz(text);
        let mrz = match Mrz::parse(&text) {
            Ok(mrz) => mrz,
            Err(e) => {
                onboarding.problem = Some(format!("The MRZ could not be read: {e}."));
                return Ok(());
            }
        };
        let expiry = mrz.fields().date_of_expiry.expiry_date(self.today());
        if expiry < self.today() {
            fail(
                onboarding,
                format!("the document expired on {expiry}; an expired document cannot be used"),
            );
            return Ok(());
        }
        onboarding.mrz = Some(text);
        onboarding.step = Step::Chip;
        Ok(())
    }

    /// Step 2: open the chip with the BAC keys of the scanned MRZ, compare DG1 with it, and
    /// run passive authentication.
    fn chip(&self, onboarding: &mut Onboarding) -> Result<(), OnboardingError> {
        let scanned = self.scanned_mrz(onboarding)?;
        let specimen = document(self.broker, onboarding, self.now)?;
        let Some(chip) = &specimen.chip else {
            fail(
                onboarding,
                "this document has no chip: the app cannot read it; get MitID at Citizen Service instead",
            );
            return Ok(());
        };
        let contents = match chip.open(&BacKeys::from_mrz(&scanned)) {
            Ok(contents) => contents,
            Err(passport::chip::ChipError::AccessDenied) => {
                // The MRZ typed is not this document's: scan it again.
                onboarding.step = Step::Mrz;
                onboarding.problem = Some(
                    "The chip refused access: the MRZ scanned does not belong to this document. Scan it again.".into(),
                );
                return Ok(());
            }
            Err(e) => {
                fail(onboarding, e.to_string());
                return Ok(());
            }
        };
        if let Err(e) = contents.check_printed_mrz(&scanned) {
            fail(onboarding, e.to_string());
            return Ok(());
        }
        let trusted = self
            .broker
            .documents(self.today())
            .map_err(OnboardingError::Documents)?
            .trusted();
        if let Err(e) = passive_authentication(&contents, &trusted) {
            fail(onboarding, e.to_string());
            return Ok(());
        }
        onboarding.step = Step::Face;
        Ok(())
    }

    /// Step 4: the CPR number (or none), checked against the document's date of birth and sex.
    fn personal(
        &self,
        onboarding: &mut Onboarding,
        cpr: Option<&str>,
    ) -> Result<(), OnboardingError> {
        let scanned = self.scanned_mrz(onboarding)?;
        let Some(text) = cpr.map(str::trim).filter(|t| !t.is_empty()) else {
            onboarding.cpr = Some(None);
            onboarding.step = Step::UserId;
            return Ok(());
        };
        match rules::check_cpr(text, &scanned, self.today()) {
            Ok(cpr) => {
                let taken = self
                    .broker
                    .store
                    .identities
                    .list()?
                    .iter()
                    .any(|i| i.cpr == Some(cpr));
                if taken {
                    onboarding.problem = Some(format!("The CPR number {cpr} already has a MitID."));
                } else {
                    onboarding.cpr = Some(Some(cpr));
                    onboarding.step = Step::UserId;
                }
            }
            Err(problem) => onboarding.problem = Some(problem),
        }
        Ok(())
    }

    /// Step 5a: the user ID (rules shown on the page) and the phone number for the SMS.
    fn user_id(
        &self,
        onboarding: &mut Onboarding,
        user_id: &str,
        phone: &str,
    ) -> Result<(), OnboardingError> {
        let user_id = user_id.trim();
        if let Err(problem) = rules::check_user_id(user_id) {
            onboarding.problem = Some(problem);
            return Ok(());
        }
        let phone = match rules::normalise_phone(phone) {
            Ok(phone) => phone,
            Err(problem) => {
                onboarding.problem = Some(problem);
                return Ok(());
            }
        };
        if self.user_id_taken(user_id)? {
            onboarding.problem = Some(format!("The user ID {user_id} is taken; choose another."));
            return Ok(());
        }
        let pin = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32));
        outbox::send(
            self.broker,
            Channel::Sms,
            &phone,
            "MitID",
            &format!(
                "Din midlertidige PIN til MitID-appen er {pin}. Your temporary PIN for the MitID app is {pin}. (Simulated SMS.)"
            ),
        )?;
        onboarding.user_id = Some(UserId::new(user_id));
        onboarding.phone = Some(phone);
        onboarding.temporary_pin_hash = Some(secrets::hash(&pin));
        onboarding.temporary_pin_failures = 0;
        onboarding.step = Step::TemporaryPin;
        Ok(())
    }

    fn user_id_taken(&self, user_id: &str) -> Result<bool, OnboardingError> {
        Ok(self
            .broker
            .store
            .identities
            .list()?
            .iter()
            .any(|i| i.user_id.as_str().eq_ignore_ascii_case(user_id)))
    }

    /// Step 5b: the temporary PIN from the SMS.
    fn temporary_pin(&self, onboarding: &mut Onboarding, pin: &str) {
        let right = onboarding
            .temporary_pin_hash
            .as_deref()
            .is_some_and(|hash| secrets::constant_time_eq(&secrets::hash(pin.trim()), hash));
        if right {
            onboarding.temporary_pin_hash = None;
            onboarding.step = Step::Pin;
            return;
        }
        onboarding.temporary_pin_failures += 1;
        if onboarding.temporary_pin_failures >= TEMPORARY_PIN_TRIES {
            fail(onboarding, "the temporary PIN was wrong three times");
        } else {
            onboarding.problem = Some(format!(
                "Wrong temporary PIN. {} attempt(s) left.",
                TEMPORARY_PIN_TRIES - onboarding.temporary_pin_failures
            ));
        }
    }

    /// Step 5c: the personal PIN, typed twice; then the identity is created, in one step.
    fn pin(
        &self,
        onboarding: &mut Onboarding,
        pin: &str,
        confirm: &str,
    ) -> Result<(), OnboardingError> {
        if let Err(problem) = rules::check_pin(pin, confirm) {
            onboarding.problem = Some(problem);
            return Ok(());
        }
        let scanned = self.scanned_mrz(onboarding)?;
        let Some(user_id) = onboarding.user_id.clone() else {
            return Err(OnboardingError::WrongStep {
                at: "user_id",
                given: "pin",
            });
        };
        let identity = new_identity(onboarding, &scanned, user_id, self.today());
        match self.broker.store.identities.create(&identity) {
            Ok(()) => {
                onboarding.step = Step::Done {
                    identity_id: identity.id,
                };
                Ok(())
            }
            // Someone took the user ID meanwhile: choose another.
            Err(StoreError::Conflict(_)) => {
                onboarding.step = Step::UserId;
                onboarding.problem = Some(format!(
                    "The user ID {} was taken meanwhile; choose another.",
                    identity.user_id
                ));
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The identity an onboarding makes: the document's name and date of birth, the CPR given, the
/// phone number, IAL high and the app enrolled at high (the identity was proven with a
/// chip-read document and a face match).
fn new_identity(onboarding: &Onboarding, mrz: &Mrz, user_id: UserId, today: Date) -> Identity {
    let fields = mrz.fields();
    let mut identity = Identity::new(
        IdentityId::new(uuid::Uuid::new_v4().to_string()),
        user_id,
        &rules::title_case(&fields.secondary_identifier),
        &rules::title_case(&fields.primary_identifier),
    );
    let born = fields.date_of_birth.birth_date(today);
    identity.birthdate = Some(format!(
        "{:04}-{:02}-{:02}",
        born.year(),
        u8::from(born.month()),
        born.day()
    ));
    identity.cpr = onboarding.cpr.flatten();
    identity.ial = Level::High;
    identity.phone_number = onboarding.phone.clone();
    identity.phone_number_verified = true;
    // Activated here, with the personal PIN: no activation letter.
    identity.authenticators = vec![EnrolledAuthenticator::App {
        enrolled_at_high: true,
        pending_activation: None,
    }];
    identity
}
