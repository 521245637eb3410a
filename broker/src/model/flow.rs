//! The interactive login's state, kept on the pending login transaction: which screen the
//! person is on, who they said they are, and what they have proved so far. The transitions are
//! in `login::flow`; this is only the data.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{IdentityId, UserId};
use crate::clock::UnixTime;
use crate::mitid::{Authenticator, KeyCard, KeyNumber, Lockout};

/// Where an interactive login is. `rev` counts the writes, so two writers (the browser and the
/// simulated app, say) cannot overwrite each other's step unseen.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Flow {
    #[serde(default)]
    pub rev: u64,
    #[serde(default)]
    pub step: Step,
    /// `da` or `en` when the person chose one with the switch; else `ui_locales` decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_id: Option<IdentityId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// The way of logging in the person is using.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    /// Authenticators proved so far, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub used: Vec<Authenticator>,
    /// Wrong CPR numbers typed in the CPR match.
    #[serde(default)]
    pub cpr_failures: u32,
    /// The business identity chosen (its professional UUID); `None`: a private login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business: Option<String>,
    /// A message for the next screen (a wrong code, a new key card...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Notice>,
    /// The screens the person went through, in order (the dashboard's timeline); at most
    /// [`Flow::MAX_SCREENS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screens: Vec<Visit>,
}

/// A screen a login moved to, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    pub at: UnixTime,
    /// [`Step::name`], and a failure's code (`failed: approval_expired`).
    pub screen: String,
}

impl Flow {
    /// Screens kept per login; a login that goes round more often keeps its first ones.
    pub const MAX_SCREENS: usize = 64;

    /// Notes the screen this flow moved to from `before` (the first move notes `before` too,
    /// the screen the login started on). Nothing when the screen stays the same.
    pub fn note_screen(&mut self, before: &Step, now: UnixTime) {
        let now_on = self.step.screen_name();
        if self.screens.is_empty() {
            self.screens.push(Visit {
                at: now,
                screen: before.screen_name(),
            });
        }
        let last = self.screens.last().map(|v| v.screen.as_str());
        if last != Some(now_on.as_str()) && self.screens.len() < Flow::MAX_SCREENS {
            self.screens.push(Visit {
                at: now,
                screen: now_on,
            });
        }
    }
}

/// The screens of a login.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Type the user ID.
    #[default]
    UserId,
    /// Choose how to log in.
    Choose,
    /// Waiting for the app.
    App(AppRequest),
    /// Type the code the code viewer shows or the code reader says.
    Code,
    /// Type the password.
    Password,
    /// Touch the chip (after the password).
    Chip,
    /// NemID: type the code beside this key number on the key card.
    KeyCard { key: KeyNumber },
    /// Type your CPR number (CPR match for a private service asking for `ssn`).
    Cpr,
    /// Choose a business identity (MitID Erhverv), or continue as private.
    Business,
    /// Something went wrong; the person may go back to the service (which gets the failure's
    /// code) or, for some failures, try again.
    Failed { failure: Failure },
}

impl Step {
    pub fn name(&self) -> &'static str {
        match self {
            Step::UserId => "user_id",
            Step::Choose => "choose",
            Step::App(_) => "app",
            Step::Code => "code",
            Step::Password => "password",
            Step::Chip => "chip",
            Step::KeyCard { .. } => "key_card",
            Step::Cpr => "cpr",
            Step::Business => "business",
            Step::Failed { .. } => "failed",
        }
    }

    /// [`Step::name`], with a failure's code.
    pub fn screen_name(&self) -> String {
        match self {
            Step::Failed { failure } => format!("failed: {}", failure.code()),
            other => other.name().to_string(),
        }
    }
}

/// A request sent to the person's app: approved in the app with the 4-digit code shown in the
/// browser (or by scanning the QR code), or rejected; it expires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppRequest {
    /// The 4-digit one-time code the browser shows and the app asks for.
    pub code: String,
    /// The channel-binding value (hex) the QR code's two frames carry half each.
    pub binding: String,
    pub started_at: UnixTime,
    pub expires_at: UnixTime,
    /// Wrong codes typed in the app for this request; at [`AppRequest::MAX_WRONG_CODES`] the
    /// app refuses it.
    #[serde(default)]
    pub wrong_codes: u32,
    /// The app scanned the QR code (the channel binding matched): it still waits for the swipe.
    #[serde(default)]
    pub scanned: bool,
    /// Which of two requests started in the same second of the clock came later (a count the
    /// replicas share in the database): the app shows the newest.
    #[serde(default)]
    pub order: u64,
}

impl AppRequest {
    /// Sorts requests by when they started, the newest last.
    pub fn age_key(&self) -> (crate::clock::UnixTime, u64) {
        (self.started_at, self.order)
    }
}

impl AppRequest {
    /// Wrong codes the app takes for one request before it refuses the request.
    pub const MAX_WRONG_CODES: u32 = 3;
}

/// Ways to log in: the authenticators a login uses, in the order it asks for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    App,
    CodeViewer,
    CodeReader,
    /// The password, then the chip.
    Chip,
    Password,
    /// NemID: the password, then a code from the key card.
    Nemid,
}

impl Method {
    pub const ALL: [Method; 6] = [
        Method::App,
        Method::CodeViewer,
        Method::CodeReader,
        Method::Chip,
        Method::Password,
        Method::Nemid,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Method::App => "app",
            Method::CodeViewer => "code_viewer",
            Method::CodeReader => "code_reader",
            Method::Chip => "chip",
            Method::Password => "password",
            Method::Nemid => "nemid",
        }
    }

    pub fn parse(value: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == value)
    }
}

/// Why a login failed; `code` is the `error_description` the client gets with
/// `error=access_denied`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    UserAborted,
    UnknownUser,
    IdentityLocked,
    IdentityRevoked,
    ApprovalExpired,
    AuthenticatorBlocked {
        device: Device,
        until: UnixTime,
    },
    LevelNotReachable,
    CprMatchFailed,
    NoBusinessIdentity,
    KeyCardUsedUp,
    /// The app refused the request after too many wrong codes were typed in it.
    AppCodeRefused,
    /// A newer login sent the person's app a request: the app shows one at a time, so this
    /// one was withdrawn.
    AppRequestReplaced,
    /// A NemID login by someone without NemID (told after the password, as NemID did).
    NemidUnknownUser,
}

impl Failure {
    /// The `error_description` sent to the client. `mitid_user_aborted` is the brokers'
    /// documented code; the others are this simulator's, in the same style.
    pub const fn code(self) -> &'static str {
        match self {
            Failure::UserAborted => "mitid_user_aborted",
            Failure::UnknownUser => "mitid_unknown_user",
            Failure::IdentityLocked => "mitid_identity_locked",
            Failure::IdentityRevoked => "mitid_identity_revoked",
            Failure::ApprovalExpired => "mitid_approval_expired",
            Failure::AuthenticatorBlocked { .. } => "mitid_authenticator_blocked",
            Failure::LevelNotReachable => "mitid_level_not_reachable",
            Failure::CprMatchFailed => "mitid_cpr_match_failed",
            Failure::NoBusinessIdentity => "mitid_erhverv_no_identity",
            Failure::KeyCardUsedUp => "nemid_key_card_used_up",
            Failure::AppCodeRefused => "mitid_app_code_refused",
            Failure::AppRequestReplaced => "mitid_app_request_replaced",
            Failure::NemidUnknownUser => "nemid_unknown_user",
        }
    }

    /// Every failure's code, for the README and the tests.
    pub const CODES: [&'static str; 13] = [
        "mitid_user_aborted",
        "mitid_unknown_user",
        "mitid_identity_locked",
        "mitid_identity_revoked",
        "mitid_approval_expired",
        "mitid_authenticator_blocked",
        "mitid_level_not_reachable",
        "mitid_cpr_match_failed",
        "mitid_erhverv_no_identity",
        "nemid_key_card_used_up",
        "mitid_app_code_refused",
        "mitid_app_request_replaced",
        "nemid_unknown_user",
    ];
}

/// A message shown once on the next screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "notice", rename_all = "snake_case")]
pub enum Notice {
    WrongCode {
        attempts_left: u32,
    },
    WrongPassword {
        attempts_left: u32,
    },
    WrongCpr {
        attempts_left: u32,
    },
    WrongKeyCardCode {
        #[serde(default)]
        attempts_left: u32,
    },
    InvalidUserId,
    /// A code device's code that was accepted before (RFC 6238 5.2): nothing is counted.
    CodeAlreadyUsed,
    /// Not a CPR number at all (ten digits, hyphen and spaces optional): nothing is counted.
    CprFormat,
    /// A wrong code typed in the app; the app refuses the request after the last.
    AppWrongCode {
        attempts_left: u32,
    },
}

/// A device (or the password) that wrong attempts can block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Device {
    App,
    CodeViewer,
    CodeReader,
    Chip,
    Password,
    KeyCard,
}

impl Device {
    pub const ALL: [Device; 6] = [
        Device::App,
        Device::CodeViewer,
        Device::CodeReader,
        Device::Chip,
        Device::Password,
        Device::KeyCard,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Device::App => "app",
            Device::CodeViewer => "code_viewer",
            Device::CodeReader => "code_reader",
            Device::Chip => "chip",
            Device::Password => "password",
            Device::KeyCard => "key_card",
        }
    }

    pub fn parse(value: &str) -> Option<Device> {
        Device::ALL.into_iter().find(|d| d.as_str() == value)
    }
}

/// The state of one identity's devices that outlives a login: wrong attempts and blocks, the
/// last code-viewer step accepted (a code is never accepted twice, RFC 6238 §5.2), and the
/// NemID key card with its spent keys.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeviceState {
    /// How many times the state was written: a write must name the revision it read
    /// ([`crate::store::DeviceStore::update`]).
    #[serde(default)]
    pub rev: u64,
    #[serde(default)]
    pub lockouts: BTreeMap<Device, Lockout>,
    #[serde(default)]
    pub last_totp_step: BTreeMap<Device, u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_card: Option<KeyCard>,
    /// How many key cards have been issued after the first.
    #[serde(default)]
    pub key_cards_issued: u64,
}

impl DeviceState {
    pub fn lockout(&self, device: Device) -> Lockout {
        self.lockouts.get(&device).copied().unwrap_or_default()
    }
    pub fn lockout_mut(&mut self, device: Device) -> &mut Lockout {
        self.lockouts.entry(device).or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flow_notes_each_screen_it_moves_to_once_and_in_order() {
        let mut flow = Flow::default();
        let before = flow.step.clone();
        flow.step = Step::Choose;
        flow.note_screen(&before, 10);
        // The first move notes the screen the login started on too.
        let names = |f: &Flow| {
            f.screens
                .iter()
                .map(|v| v.screen.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&flow), ["user_id", "choose"]);
        assert_eq!(flow.screens[1].at, 10);
        // Staying on a screen (a language switch, a wrong code) notes nothing.
        let before = flow.step.clone();
        flow.note_screen(&before, 11);
        assert_eq!(flow.screens.len(), 2);
        let before = flow.step.clone();
        flow.step = Step::Failed {
            failure: Failure::ApprovalExpired,
        };
        flow.note_screen(&before, 12);
        let expected = format!("failed: {}", Failure::ApprovalExpired.code());
        assert_eq!(names(&flow).last(), Some(&expected));
        // Bounded: a login that goes round and round keeps its first screens.
        for i in 0..200 {
            let before = flow.step.clone();
            flow.step = if i % 2 == 0 { Step::Code } else { Step::Choose };
            flow.note_screen(&before, 13 + i);
        }
        assert_eq!(flow.screens.len(), Flow::MAX_SCREENS);
        // Stored and read back unchanged; an old flow without screens still reads.
        let json = serde_json::to_string(&flow).unwrap();
        assert_eq!(serde_json::from_str::<Flow>(&json).unwrap(), flow);
        let old: Flow = serde_json::from_str(r#"{"rev":3,"step":{"step":"choose"}}"#).unwrap();
        assert!(old.screens.is_empty());
    }

    /// Every failure's code is listed once in [`Failure::CODES`] and documented in the table of
    /// docs/login-screens.md, so a client developer can rely on the list.
    #[test]
    fn every_failure_code_is_listed_once_and_in_the_docs() {
        let docs = include_str!("../../../docs/login-screens.md");
        let failures = [
            Failure::UserAborted,
            Failure::UnknownUser,
            Failure::IdentityLocked,
            Failure::IdentityRevoked,
            Failure::ApprovalExpired,
            Failure::AuthenticatorBlocked {
                device: Device::CodeViewer,
                until: 0,
            },
            Failure::LevelNotReachable,
            Failure::CprMatchFailed,
            Failure::NoBusinessIdentity,
            Failure::KeyCardUsedUp,
            Failure::AppCodeRefused,
            Failure::AppRequestReplaced,
            Failure::NemidUnknownUser,
        ];
        assert_eq!(failures.len(), Failure::CODES.len());
        for failure in failures {
            let code = failure.code();
            assert_eq!(
                Failure::CODES.iter().filter(|c| **c == code).count(),
                1,
                "{code}"
            );
            assert!(
                docs.contains(&format!("| `{code}` |")),
                "{code} is not in docs/login-screens.md"
            );
        }
    }

    #[test]
    fn methods_and_devices_round_trip_through_their_names() {
        for method in Method::ALL {
            assert_eq!(Method::parse(method.as_str()), Some(method));
        }
        for device in Device::ALL {
            assert_eq!(Device::parse(device.as_str()), Some(device));
        }
        assert_eq!(Method::parse("sms"), None);
        assert_eq!(Device::parse("phone"), None);
    }
}
