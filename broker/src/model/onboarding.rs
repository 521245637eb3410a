//! An onboarding in progress (getting MitID in the app), as stored: the document chosen, the
//! step reached and what the person gave so far. The steps' rules are in `crate::onboarding`.

use passport::face::LivenessChallenge;
use passport::specimen::Fault;
use passport::Format;
use serde::{Deserialize, Serialize};

use crate::clock::UnixTime;
use crate::mitid::Cpr;
use crate::model::{IdentityId, UserId};

/// A specimen document: who (the seed), which kind, and the fault put in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentChoice {
    pub seed: u64,
    pub format: Format,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
}

/// The liveness challenge shown, kept with the onboarding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge(pub LivenessChallenge);

/// An onboarding in progress, stored until it ends or expires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Onboarding {
    pub id: String,
    /// Anti-CSRF token for the app pages' forms.
    pub csrf: String,
    #[serde(default)]
    pub rev: u64,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub document: DocumentChoice,
    pub step: Step,
    /// The MRZ as scanned (typed or pasted), once its check digits passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrz: Option<String>,
    #[serde(default)]
    pub face_failures: u32,
    /// The liveness challenge shown, once the selfie matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Challenge>,
    /// The CPR number given; `Some(None)`: the person has none (a foreign resident).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpr: Option<Option<Cpr>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The temporary PIN sent by SMS, only as its hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary_pin_hash: Option<String>,
    #[serde(default)]
    pub temporary_pin_failures: u32,
    /// What went wrong with the last input, for the page (the step stays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The onboarding's steps, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Mrz,
    Chip,
    Face,
    Liveness,
    Personal,
    UserId,
    TemporaryPin,
    Pin,
    /// The identity exists and the app is active.
    Done {
        identity_id: IdentityId,
    },
    /// The onboarding cannot go on; nothing was created.
    Failed {
        reason: String,
    },
}

impl Step {
    pub fn name(&self) -> &'static str {
        match self {
            Step::Mrz => "mrz",
            Step::Chip => "chip",
            Step::Face => "face",
            Step::Liveness => "liveness",
            Step::Personal => "personal",
            Step::UserId => "user_id",
            Step::TemporaryPin => "temporary_pin",
            Step::Pin => "pin",
            Step::Done { .. } => "done",
            Step::Failed { .. } => "failed",
        }
    }
}
