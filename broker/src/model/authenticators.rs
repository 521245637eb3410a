use serde::{Deserialize, Serialize};

use crate::mitid::{Authenticator, PasswordHash};

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
    },
    /// The code viewer (*kodeviser*), by its serial number.
    CodeViewer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        serial: Option<String>,
    },
    /// The audio code reader (*kodeoplæser*), by its serial number.
    CodeReader {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        serial: Option<String>,
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
    /// What kind of authenticator this is, for the level rules and `amr`.
    pub fn kind(&self) -> Authenticator {
        match self {
            EnrolledAuthenticator::App { enrolled_at_high } => Authenticator::App {
                enrolled_at_high: *enrolled_at_high,
            },
            EnrolledAuthenticator::CodeViewer { .. } => Authenticator::CodeViewer,
            EnrolledAuthenticator::CodeReader { .. } => Authenticator::CodeReader,
            EnrolledAuthenticator::Chip { .. } => Authenticator::Chip,
            EnrolledAuthenticator::Password { .. } => Authenticator::Password,
        }
    }
}
