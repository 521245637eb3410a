use serde::{Deserialize, Serialize};

use super::{IdentityId, Level, UserId};

/// A test identity: a fictitious person who can log in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub id: IdentityId,
    pub user_id: UserId,
    pub given_name: String,
    pub family_name: String,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthdate: Option<String>,
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
    /// The level this identity's authenticator reaches when a login is simulated.
    #[serde(default = "default_level")]
    pub level: Level,
    /// A rule that settles every login of this identity (decision ladder step 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<IdentityRule>,
}

fn default_level() -> Level {
    Level::Substantial
}

impl Identity {
    pub fn name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
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
}
