//! Why a login ended as it did: the ladder's steps and which one decided.

use serde::Serialize;

use crate::model::{DecisionSource, LoginTxn};
use crate::store::decided_by;

#[derive(Debug, Serialize)]
pub struct Explanation {
    pub login_id: String,
    pub status: &'static str,
    pub decided_by: Option<DecisionSource>,
    pub summary: String,
    pub ladder: Vec<Step>,
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

pub fn explain(txn: &LoginTxn) -> Explanation {
    let source = decided_by(&txn.status).cloned();
    let deciding_step = source.as_ref().map(|s| match s {
        DecisionSource::Explicit { .. } => 1,
        DecisionSource::Queued { .. } => 2,
        DecisionSource::LoginHint { .. } => 3,
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
    Explanation {
        login_id: txn.id.to_string(),
        status: txn.status.name(),
        decided_by: source,
        summary,
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
