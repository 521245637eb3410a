//! The RP test kit's queue: faults waiting for a client's next responses.

use serde::Deserialize;
use serde_json::json;

use super::{SimError, SimResult};
use crate::app::Broker;
use crate::model::{ClientId, Fault, QueuedFault};
use crate::secrets;

/// At most this many responses per queued fault.
pub const MAX_COUNT: u32 = 100;
/// The longest hold `token-endpoint-slow` takes.
pub const MAX_DELAY_SECONDS: u32 = 3600;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFault {
    /// Its catalogue name (`invalid-iss`, ...).
    pub fault: String,
    pub client_id: ClientId,
    #[serde(default)]
    pub count: Option<u32>,
    #[serde(default)]
    pub delay_seconds: Option<u32>,
}

/// Queues a fault for the client's next `count` responses of its stage.
pub fn enqueue(broker: &Broker, input: NewFault) -> SimResult<QueuedFault> {
    let fault: Fault = serde_json::from_value(json!(input.fault)).map_err(|_| {
        SimError::BadInput(format!(
            "no fault {:?}; GET /_sim/v1/faults lists them",
            input.fault
        ))
    })?;
    let count = input.count.unwrap_or(1);
    if count == 0 || count > MAX_COUNT {
        return Err(SimError::BadInput(format!(
            "count is the number of responses to carry the fault: 1 to {MAX_COUNT}"
        )));
    }
    match input.delay_seconds {
        Some(_) if fault != Fault::TokenEndpointSlow => {
            return Err(SimError::BadInput(
                "delay_seconds belongs to token-endpoint-slow only".into(),
            ))
        }
        Some(d) if d == 0 || d > MAX_DELAY_SECONDS => {
            return Err(SimError::BadInput(format!(
                "delay_seconds is how long the token endpoint holds its answer: 1 to {MAX_DELAY_SECONDS}"
            )))
        }
        _ => {}
    }
    if broker.store.clients.get(&input.client_id)?.is_none() {
        return Err(SimError::NotFound(format!("no client {}", input.client_id)));
    }
    let queued = QueuedFault {
        id: secrets::random_id(),
        fault,
        client_id: input.client_id,
        remaining: count,
        created_at: broker.now(),
        delay_seconds: input.delay_seconds,
    };
    broker.store.faults.enqueue(&queued)?;
    Ok(queued)
}

pub fn list(broker: &Broker) -> SimResult<Vec<QueuedFault>> {
    Ok(broker.store.faults.list()?)
}

/// Removes every queued fault, or the client's; answers how many.
pub fn clear(broker: &Broker, client: Option<&ClientId>) -> SimResult<usize> {
    Ok(broker.store.faults.remove(None, client)?)
}

/// Removes one queued fault.
pub fn remove(broker: &Broker, id: &str) -> SimResult<()> {
    if broker.store.faults.remove(Some(id), None)? == 0 {
        return Err(SimError::NotFound(format!("no queued fault {id}")));
    }
    Ok(())
}
