//! Why a login ended as it did: the ladder's steps and which one decided.

use serde::Serialize;

use crate::model::{DecisionSource, Level, LoginStatus, LoginTxn};
use crate::store::decided_by;

#[derive(Debug, Serialize)]
pub struct Explanation {
    pub login_id: String,
    pub status: &'static str,
    pub decided_by: Option<DecisionSource>,
    pub summary: String,
    /// The level the login had to reach (`acr_values`, else the configured default).
    pub required_level: Level,
    /// For an approval: how the person logged in. `simulated` when no person went through
    /// the screens (auto-approve, a queued, rule or control-API decision): the authenticators
    /// are then the strongest combination the identity has, which reaches `required_level`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticated: Option<Authenticated>,
    /// For a refusal: the code the client got (`error_description`) and, when the broker
    /// refused a decision, why in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refused>,
    /// The RP test kit's faults this login's responses carried, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<String>,
    pub ladder: Vec<Step>,
}

#[derive(Debug, Serialize)]
pub struct Authenticated {
    pub simulated: bool,
    pub idp: &'static str,
    pub amr: Vec<String>,
    pub acr: &'static str,
    pub ial: &'static str,
    pub aal: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Refused {
    pub error_description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Step {
    pub step: u8,
    pub source: &'static str,
    pub decided: bool,
}

const STEPS: [(u8, &str); 5] = [
    (1, "explicit"),
    (2, "queued"),
    (3, "login_hint"),
    (4, "identity_rule"),
    (5, "instance_default"),
];

/// Explains `txn`; `required_level` is the level it had to reach.
pub fn explain(txn: &LoginTxn, required_level: Level) -> Explanation {
    let source = decided_by(&txn.status).cloned();
    let deciding_step = source.as_ref().map(|s| match s {
        DecisionSource::Explicit { .. } => 1,
        DecisionSource::Queued { .. } => 2,
        DecisionSource::LoginHint { .. } | DecisionSource::Simulation { .. } => 3,
        DecisionSource::IdentityRule { .. } => 4,
        DecisionSource::InstanceDefault => 5,
        DecisionSource::ExistingSession => 0,
    });
    let summary = match &source {
        None => "pending: no source had an opinion when the login was parked; waiting for a \
                 person on the login page or an explicit decision through the control API"
            .to_string(),
        Some(DecisionSource::Explicit { via }) => format!("decided explicitly through {via}"),
        Some(DecisionSource::Queued { decision_id }) => {
            format!("decided by queued decision {decision_id}, which it consumed")
        }
        Some(DecisionSource::LoginHint { user_id }) => {
            format!("decided by login_hint={user_id} in auto-approve mode")
        }
        Some(DecisionSource::Simulation { person }) => {
            format!("decided by the request's simulation=no-ui {person}")
        }
        Some(DecisionSource::IdentityRule { user_id }) => {
            format!("decided by the rule on identity {user_id}")
        }
        Some(DecisionSource::InstanceDefault) => {
            "decided by the instance default (auto-approve)".to_string()
        }
        Some(DecisionSource::ExistingSession) => {
            "no decision needed: the browser's broker session satisfied the request".to_string()
        }
    };
    let authenticated = match &txn.status {
        LoginStatus::Approved {
            acr,
            amr,
            assurance,
            business,
            decided_by,
            ..
        } => Some(Authenticated {
            simulated: !matches!(
                decided_by,
                DecisionSource::Explicit { via } if via == crate::login::flow::VIA
            ) && *decided_by != DecisionSource::ExistingSession,
            idp: assurance.idp.as_str(),
            amr: amr.clone(),
            acr: acr.uri(),
            ial: assurance.ial.uri(),
            aal: assurance.aal.uri(),
            business: business.clone(),
        }),
        _ => None,
    };
    let refused = match &txn.status {
        LoginStatus::Rejected {
            description,
            detail,
            ..
        } => Some(Refused {
            error_description: description.clone(),
            detail: detail.clone(),
        }),
        _ => None,
    };
    let summary = match (&authenticated, &refused) {
        (
            _,
            Some(Refused {
                error_description,
                detail,
            }),
        ) => match detail {
            Some(detail) => format!("{summary}; refused with {error_description}: {detail}"),
            None => format!("{summary}; refused with {error_description}"),
        },
        (Some(a), None) => format!(
            "{summary}; {} with {} at {}",
            if a.simulated {
                "simulated a login"
            } else {
                "the person logged in"
            },
            a.amr.join(" + "),
            a.acr
        ),
        (None, None) => summary,
    };
    Explanation {
        login_id: txn.id.to_string(),
        status: txn.status.name(),
        decided_by: source,
        summary,
        required_level,
        authenticated,
        refused,
        faults: Vec::new(),
        ladder: STEPS
            .iter()
            .map(|(step, name)| Step {
                step: *step,
                source: name,
                decided: deciding_step == Some(*step),
            })
            .collect(),
    }
}
