//! Sending simulated SMS and letters: they land in the outbox (`/_sim/outbox`, and
//! `GET /_sim/v1/outbox`), which is where a person or a test reads a temporary PIN or an
//! activation code.

use crate::app::Broker;
use crate::model::{Channel, OutboxMessage};
use crate::secrets;
use crate::store::StoreResult;

/// "Sends" a message: stores it in the outbox, stamped with the broker's clock.
pub fn send(
    broker: &Broker,
    channel: Channel,
    to: &str,
    subject: &str,
    body: &str,
) -> StoreResult<OutboxMessage> {
    let message = OutboxMessage {
        id: secrets::random_id(),
        channel,
        to: to.to_string(),
        subject: subject.to_string(),
        body: body.to_string(),
        created_at: broker.now(),
    };
    broker.store.outbox.put(&message)?;
    // The body may hold a PIN or an activation code: only its id is logged.
    tracing::info!(id = %message.id, channel = channel.as_str(), "simulated message sent");
    Ok(message)
}
