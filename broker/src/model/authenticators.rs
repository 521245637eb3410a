use serde::{Deserialize, Serialize};

use super::Device;
use crate::mitid::{Authenticator, PasswordHash, PendingActivation};

/// An authenticator a test identity holds, with what the login screens need to use it.
/// Serialized with a `kind` tag like [`Authenticator`]: `{"kind": "app", "enrolled_at_high":
/// true}`, `{"kind": "code_viewer", "serial": "..."}`, `{"kind": "password", "hash": "$argon2id$..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EnrolledAuthenticator {
    /// The MitID app; `enrolled_at_high` when activated with a chip-read passport (gives high).
    App {
        #[serde(default)]
        enrolled_at_high: bool,
        /// Waiting for the activation code from the letter; `None`: activated.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pending_activation: Option<PendingActivation>,
    },
    /// The code viewer (*kodeviser*), by its serial number.
    CodeViewer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        serial: Option<String>,
        /// Waiting for the activation code from the letter; `None`: activated.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pending_activation: Option<PendingActivation>,
    },
    /// The audio code reader (*kodeoplæser*), by its serial number.
    CodeReader {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        serial: Option<String>,
        /// Waiting for the activation code from the letter; `None`: activated.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pending_activation: Option<PendingActivation>,
    },
    /// The MitID chip (a FIDO security key).
    Chip {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        serial: Option<String>,
    },
    /// The password, only as its Argon2 hash; without one, no password has been chosen yet.
    Password {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<PasswordHash>,
    },
}

impl EnrolledAuthenticator {
    /// The device an app, code viewer or code reader is.
    pub fn device(&self) -> Option<Device> {
        match self {
            EnrolledAuthenticator::App { .. } => Some(Device::App),
            EnrolledAuthenticator::CodeViewer { .. } => Some(Device::CodeViewer),
            EnrolledAuthenticator::CodeReader { .. } => Some(Device::CodeReader),
            _ => None,
        }
    }

    /// What kind of authenticator this is, for the level rules and `amr`.
    pub fn kind(&self) -> Authenticator {
        match self {
            EnrolledAuthenticator::App {
                enrolled_at_high, ..
            } => Authenticator::App {
                enrolled_at_high: *enrolled_at_high,
            },
            EnrolledAuthenticator::CodeViewer { .. } => Authenticator::CodeViewer,
            EnrolledAuthenticator::CodeReader { .. } => Authenticator::CodeReader,
            EnrolledAuthenticator::Chip { .. } => Authenticator::Chip,
            EnrolledAuthenticator::Password { .. } => Authenticator::Password,
        }
    }

    /// The activation this authenticator waits for; `None` when it is in use (or is a kind
    /// that needs none).
    pub fn pending_activation(&self) -> Option<&PendingActivation> {
        match self {
            EnrolledAuthenticator::App {
                pending_activation, ..
            }
            | EnrolledAuthenticator::CodeViewer {
                pending_activation, ..
            }
            | EnrolledAuthenticator::CodeReader {
                pending_activation, ..
            } => pending_activation.as_ref(),
            EnrolledAuthenticator::Chip { .. } | EnrolledAuthenticator::Password { .. } => None,
        }
    }

    pub fn pending_activation_mut(&mut self) -> Option<&mut Option<PendingActivation>> {
        match self {
            EnrolledAuthenticator::App {
                pending_activation, ..
            }
            | EnrolledAuthenticator::CodeViewer {
                pending_activation, ..
            }
            | EnrolledAuthenticator::CodeReader {
                pending_activation, ..
            } => Some(pending_activation),
            EnrolledAuthenticator::Chip { .. } | EnrolledAuthenticator::Password { .. } => None,
        }
    }

    /// The `kind` tag: `app`, `code_viewer`, `code_reader`, `chip` or `password`.
    pub const fn kind_name(&self) -> &'static str {
        match self {
            EnrolledAuthenticator::App { .. } => "app",
            EnrolledAuthenticator::CodeViewer { .. } => "code_viewer",
            EnrolledAuthenticator::CodeReader { .. } => "code_reader",
            EnrolledAuthenticator::Chip { .. } => "chip",
            EnrolledAuthenticator::Password { .. } => "password",
        }
    }

    /// Whether the authenticator can be used to log in: not waiting for activation.
    pub fn is_active(&self) -> bool {
        self.pending_activation().is_none()
    }

    /// The serial of a code viewer, code reader or chip.
    pub fn serial(&self) -> Option<&str> {
        match self {
            EnrolledAuthenticator::CodeViewer { serial, .. }
            | EnrolledAuthenticator::CodeReader { serial, .. }
            | EnrolledAuthenticator::Chip { serial } => serial.as_deref(),
            EnrolledAuthenticator::App { .. } | EnrolledAuthenticator::Password { .. } => None,
        }
    }
}

/// Where an activation stands, for the device pages and the control API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivationState {
    Active,
    Pending { attempts_left: u32 },
    Blocked,
}

impl ActivationState {
    pub fn of(authenticator: &EnrolledAuthenticator) -> ActivationState {
        match authenticator.pending_activation() {
            None => ActivationState::Active,
            Some(p) if p.blocked => ActivationState::Blocked,
            Some(p) => ActivationState::Pending {
                attempts_left: p.attempts_left(),
            },
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            ActivationState::Active => "active",
            ActivationState::Pending { .. } => "pending",
            ActivationState::Blocked => "blocked",
        }
    }
}
