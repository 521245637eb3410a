use serde::{Deserialize, Serialize};
use time::Date;

use super::{
    ActivationState, BusinessIdentity, Device, EnrolledAuthenticator, IdentityId, Level, NemId,
    UserId,
};
use crate::mitid::{self, Authenticator, Cpr, PasswordError, PasswordHash, PendingActivation};

/// A test identity: a fictitious person who can log in. Every field but the ID, user ID and
/// names has a default, so a short JSON object makes a working identity (substantial, with the
/// app).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The MitID UUID (`mitid.uuid`), global across clients.
    pub id: IdentityId,
    /// The user ID typed on the login screen (*bruger-ID*).
    pub user_id: UserId,
    pub given_name: String,
    pub family_name: String,
    /// Date of birth, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthdate: Option<String>,
    /// The CPR number; none for a foreign resident without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpr: Option<Cpr>,
    /// The identity assurance level: how well the person was identified at enrolment.
    #[serde(default = "default_ial")]
    pub ial: Level,
    #[serde(default)]
    pub status: IdentityStatus,
    /// Name and address protection (*navne- og adressebeskyttelse*).
    #[serde(default)]
    pub name_address_protected: bool,
    /// The person's status in the CPR register.
    #[serde(default)]
    pub cpr_status: CprStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub phone_number_verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// The person's MitID authenticators; the level they can reach follows from these and
    /// `ial` ([`Identity::reachable_level`]).
    #[serde(default = "default_authenticators")]
    pub authenticators: Vec<EnrolledAuthenticator>,
    /// MitID Erhverv identities the person can log in as.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub business: Vec<BusinessIdentity>,
    /// The person's legacy NemID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nemid: Option<NemId>,
    /// A rule that settles every login of this identity (decision ladder step 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<IdentityRule>,
}

fn default_ial() -> Level {
    Level::Substantial
}

fn default_authenticators() -> Vec<EnrolledAuthenticator> {
    vec![EnrolledAuthenticator::App {
        enrolled_at_high: false,
        pending_activation: None,
    }]
}

/// What the control API and the CLI refuse in an identity; each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("user_id must be 1-64 characters without spaces")]
    UserId,
    #[error("given_name or family_name is required")]
    Name,
    #[error("birthdate must be a date written YYYY-MM-DD, not {0:?}")]
    Birthdate(String),
    #[error(
        "the CPR number {cpr} encodes the birth date {from_cpr}, but birthdate is {birthdate}"
    )]
    CprBirthdate {
        cpr: Cpr,
        from_cpr: Date,
        birthdate: Date,
    },
}

impl Identity {
    /// The person's app, when it waits for the activation code from its letter.
    pub fn pending_app(&self) -> Option<&PendingActivation> {
        self.authenticators
            .iter()
            .filter(|a| a.device() == Some(Device::App))
            .find_map(|a| a.pending_activation())
    }

    /// The code device with this serial, and its activation state.
    pub fn code_device_state(&self, serial: &str) -> Option<ActivationState> {
        self.authenticators
            .iter()
            .find(|a| a.serial() == Some(serial) && a.device().is_some())
            .map(ActivationState::of)
    }

    /// A new identity with the defaults: active, substantial, with the MitID app.
    pub fn new(id: IdentityId, user_id: UserId, given_name: &str, family_name: &str) -> Identity {
        Identity {
            id,
            user_id,
            given_name: given_name.into(),
            family_name: family_name.into(),
            birthdate: None,
            cpr: None,
            ial: default_ial(),
            status: IdentityStatus::Active,
            name_address_protected: false,
            cpr_status: CprStatus::Active,
            email: None,
            email_verified: false,
            phone_number: None,
            phone_number_verified: false,
            address: None,
            authenticators: default_authenticators(),
            business: Vec::new(),
            nemid: None,
            rule: None,
        }
    }

    pub fn name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    /// The kinds of the person's authenticators in use, for the level rules: one waiting for
    /// its activation code counts for nothing yet.
    pub fn authenticator_kinds(&self) -> Vec<Authenticator> {
        self.authenticators
            .iter()
            .filter(|a| a.is_active())
            .map(|a| a.kind())
            .collect()
    }

    /// The highest level of assurance a login of this person can reach: min(ial, the best aal
    /// of their authenticators). `None` when they cannot log in with MitID at all.
    pub fn reachable_level(&self) -> Option<Level> {
        mitid::aal(&self.authenticator_kinds()).map(|aal| mitid::loa(self.ial, aal))
    }

    /// The date of birth: `birthdate`, or else the one the CPR number encodes.
    pub fn date_of_birth(&self) -> Option<Date> {
        self.birthdate
            .as_deref()
            .and_then(parse_date)
            .or_else(|| self.cpr.map(|c| c.date_of_birth()))
    }

    /// Sets the password: its hash replaces the password authenticator's, or a password
    /// authenticator is added. The password itself is not kept.
    pub fn set_password(&mut self, password: &str) -> Result<(), PasswordError> {
        let new = PasswordHash::new(password)?;
        for authenticator in &mut self.authenticators {
            if let EnrolledAuthenticator::Password { hash } = authenticator {
                *hash = Some(new);
                return Ok(());
            }
        }
        self.authenticators
            .push(EnrolledAuthenticator::Password { hash: Some(new) });
        Ok(())
    }

    /// Whether `password` is this person's password (false when none is set).
    pub fn verify_password(&self, password: &str) -> bool {
        self.authenticators.iter().any(|a| match a {
            EnrolledAuthenticator::Password { hash: Some(hash) } => hash.verify(password),
            _ => false,
        })
    }

    /// The checks an identity from the control API or the CLI must pass.
    pub fn check(&self) -> Result<(), IdentityError> {
        let user = self.user_id.as_str();
        if user.is_empty() || user.len() > 64 || user.chars().any(char::is_whitespace) {
            return Err(IdentityError::UserId);
        }
        if self.given_name.trim().is_empty() && self.family_name.trim().is_empty() {
            return Err(IdentityError::Name);
        }
        if let Some(text) = &self.birthdate {
            let birthdate =
                parse_date(text).ok_or_else(|| IdentityError::Birthdate(text.clone()))?;
            if let Some(cpr) = self.cpr {
                if cpr.date_of_birth() != birthdate {
                    return Err(IdentityError::CprBirthdate {
                        cpr,
                        from_cpr: cpr.date_of_birth(),
                        birthdate,
                    });
                }
            }
        }
        Ok(())
    }
}

/// `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// Whether the identity can log in at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityStatus {
    #[default]
    Active,
    /// Temporarily blocked (suspected misuse, too many wrong tries): reactivated at
    /// Borgerservice.
    Suspended,
    /// Closed for good (the person died, or the MitID was revoked).
    Revoked,
}

impl IdentityStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            IdentityStatus::Active => "active",
            IdentityStatus::Suspended => "suspended",
            IdentityStatus::Revoked => "revoked",
        }
    }
}

/// The person's status in the CPR register (the brokers' `person_status` values, shortened).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CprStatus {
    #[default]
    Active,
    Emigrated,
    Deceased,
    /// Registered as missing (*forsvundet*).
    Missing,
    /// The CPR number was cancelled or changed.
    Cancelled,
}

/// OIDC Core 5.1.1 address claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// What a rule on an identity does to each of its logins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityRule {
    /// The person cancels (`access_denied`).
    AlwaysCancels,
    /// The person approves.
    AlwaysApproves,
    /// The identity is locked: the login fails with `access_denied`.
    Locked,
    /// The app never answers: an app login waits until its approval expires.
    AppTimesOut,
    /// Every code typed (code viewer, code reader, key card) is taken as wrong.
    WrongCode,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn minimal() -> Identity {
        serde_json::from_value(json!({
            "id": "00000000-0000-4000-8000-000000000001",
            "user_id": "eva",
            "given_name": "Eva",
            "family_name": "Ny"
        }))
        .unwrap()
    }

    #[test]
    fn a_minimal_identity_is_active_and_reaches_substantial_with_the_app() {
        let eva = minimal();
        assert_eq!(eva.status, IdentityStatus::Active);
        assert_eq!(eva.ial, Level::Substantial);
        assert_eq!(eva.reachable_level(), Some(Level::Substantial));
        assert_eq!(
            eva,
            Identity::new(eva.id.clone(), eva.user_id.clone(), "Eva", "Ny")
        );
    }

    #[test]
    fn the_reachable_level_is_capped_by_ial() {
        let mut eva = minimal();
        eva.authenticators = vec![EnrolledAuthenticator::App {
            enrolled_at_high: true,
            pending_activation: None,
        }];
        assert_eq!(eva.reachable_level(), Some(Level::Substantial));
        eva.ial = Level::High;
        assert_eq!(eva.reachable_level(), Some(Level::High));
        eva.authenticators = vec![EnrolledAuthenticator::Password { hash: None }];
        assert_eq!(eva.reachable_level(), Some(Level::Low));
        eva.authenticators = vec![EnrolledAuthenticator::Chip { serial: None }];
        assert_eq!(eva.reachable_level(), None);
    }

    #[test]
    fn an_authenticator_waiting_for_activation_counts_for_nothing() {
        let mut eva = minimal();
        let pending = crate::mitid::PendingActivation::new("hash".into(), 0);
        eva.authenticators = vec![
            EnrolledAuthenticator::App {
                enrolled_at_high: false,
                pending_activation: Some(pending.clone()),
            },
            EnrolledAuthenticator::CodeViewer {
                serial: Some("KV-000000001".into()),
                pending_activation: Some(pending),
            },
            EnrolledAuthenticator::Password { hash: None },
        ];
        assert_eq!(eva.authenticator_kinds(), vec![Authenticator::Password]);
        assert_eq!(eva.reachable_level(), Some(Level::Low));
        // Stored with the authenticator; absent (activated) in every existing identity.
        let value = serde_json::to_value(&eva).unwrap();
        assert_eq!(
            value["authenticators"][1]["pending_activation"]["failures"],
            0
        );
        let back: Identity = serde_json::from_value(value).unwrap();
        assert_eq!(back, eva);
        assert_eq!(minimal().authenticators[0].pending_activation(), None);
    }

    #[test]
    fn cpr_serializes_as_its_hyphenated_string() {
        let mut eva = minimal();
        eva.cpr = Some(Cpr::parse("7204901236").unwrap());
        let value = serde_json::to_value(&eva).unwrap();
        assert_eq!(value["cpr"], "720490-1236");
        let back: Identity = serde_json::from_value(value).unwrap();
        assert_eq!(back, eva);
        let bad =
            json!({"id": "x", "user_id": "x", "given_name": "X", "family_name": "Y", "cpr": "123"});
        assert!(serde_json::from_value::<Identity>(bad).is_err());
    }

    #[test]
    fn the_date_of_birth_comes_from_birthdate_or_the_cpr() {
        let mut eva = minimal();
        assert_eq!(eva.date_of_birth(), None);
        eva.cpr = Some(Cpr::parse("720490-1236").unwrap());
        assert_eq!(
            eva.date_of_birth(),
            Some(time::macros::date!(1990 - 04 - 12))
        );
        eva.birthdate = Some("1990-04-12".into());
        assert_eq!(
            eva.date_of_birth(),
            Some(time::macros::date!(1990 - 04 - 12))
        );
    }

    #[test]
    fn check_refuses_a_cpr_that_disagrees_with_the_birthdate() {
        let mut eva = minimal();
        eva.birthdate = Some("1990-04-13".into());
        eva.cpr = Some(Cpr::parse("720490-1236").unwrap());
        assert!(matches!(
            eva.check(),
            Err(IdentityError::CprBirthdate { .. })
        ));
        eva.birthdate = Some("1990-04-12".into());
        assert_eq!(eva.check(), Ok(()));
        eva.birthdate = Some("12.04.1990".into());
        assert!(matches!(eva.check(), Err(IdentityError::Birthdate(_))));
    }

    #[test]
    fn check_refuses_bad_user_ids_and_missing_names() {
        let mut eva = minimal();
        eva.user_id = UserId::new("two words");
        assert_eq!(eva.check(), Err(IdentityError::UserId));
        let mut eva = minimal();
        eva.given_name = " ".into();
        eva.family_name = String::new();
        assert_eq!(eva.check(), Err(IdentityError::Name));
    }

    #[test]
    fn set_password_stores_only_a_hash_that_verifies() {
        let mut eva = minimal();
        assert!(!eva.verify_password("hemmelig"));
        eva.set_password("hemmelig").unwrap();
        let json = serde_json::to_string(&eva).unwrap();
        assert!(!json.contains("hemmelig"), "{json}");
        assert!(json.contains("$argon2id$"));
        assert!(eva.verify_password("hemmelig"));
        assert!(!eva.verify_password("forkert"));
        // Setting it again replaces the hash rather than adding a second password.
        eva.set_password("ny").unwrap();
        assert!(eva.verify_password("ny") && !eva.verify_password("hemmelig"));
        let passwords = eva
            .authenticator_kinds()
            .into_iter()
            .filter(|k| *k == Authenticator::Password)
            .count();
        assert_eq!(passwords, 1);
    }
}
