//! Queued decisions (decision ladder step 2): enqueue, list, clear.

use serde::Deserialize;

use super::{SimError, SimResult};
use crate::app::Broker;
use crate::model::{ClientId, DecisionOutcome, QueuedDecision, UserId};
use crate::secrets;

/// A decision as asked for: flat, so unknown fields can be refused (serde cannot combine
/// `deny_unknown_fields` with a flattened enum).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    pub outcome: OutcomeName,
    #[serde(default)]
    pub user_id: Option<UserId>,
    #[serde(default)]
    pub business: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub client_id: Option<ClientId>,
    #[serde(default)]
    pub for_user_id: Option<UserId>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeName {
    Approve,
    Reject,
}

impl NewDecision {
    fn outcome(&self) -> SimResult<DecisionOutcome> {
        match self.outcome {
            OutcomeName::Approve if self.description.is_some() => Err(SimError::BadInput(
                "description belongs to a reject decision".into(),
            )),
            OutcomeName::Approve => Ok(DecisionOutcome::Approve {
                user_id: self.user_id.clone(),
                business: self.business.clone(),
            }),
            OutcomeName::Reject if self.user_id.is_some() || self.business.is_some() => Err(
                SimError::BadInput("user_id and business belong to an approve decision".into()),
            ),
            OutcomeName::Reject => Ok(DecisionOutcome::Reject {
                description: self.description.clone(),
            }),
        }
    }
}

/// Queues a decision for the next login that matches its filters.
pub fn enqueue(broker: &Broker, input: NewDecision) -> SimResult<QueuedDecision> {
    let decision = QueuedDecision {
        id: secrets::random_id(),
        outcome: input.outcome()?,
        client_id: input.client_id,
        for_user_id: input.for_user_id,
        created_at: broker.now(),
    };
    broker.store.decisions.enqueue(&decision)?;
    Ok(decision)
}

pub fn list(broker: &Broker) -> SimResult<Vec<QueuedDecision>> {
    Ok(broker.store.decisions.list()?)
}

/// Removes one queued decision not yet taken: whether it was there.
pub fn remove(broker: &Broker, id: &str) -> SimResult<bool> {
    Ok(broker.store.decisions.remove(id)?)
}

/// Removes every queued decision.
pub fn clear(broker: &Broker) -> SimResult<()> {
    Ok(broker.store.decisions.clear()?)
}
