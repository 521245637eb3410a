//! The instance: its clock (advance when controllable), its signing keys (rotate, remove a
//! retired one), and reset.

use std::sync::Arc;

use super::{SimError, SimResult};
use crate::app::Broker;
use crate::clock::UnixTime;

/// The longest step the clock takes at once.
pub const MAX_ADVANCE_SECONDS: i64 = 10 * 365 * 24 * 3600;

/// What reset clears; identities, clients and keys stay.
pub const RESET_CLEARS: [&str; 6] = [
    "logins",
    "codes",
    "tokens",
    "sessions",
    "decisions",
    "requests",
];

/// Moves a controllable clock forward by `seconds`; answers the new time.
pub fn advance_clock(broker: &Broker, seconds: i64) -> SimResult<UnixTime> {
    if !(1..=MAX_ADVANCE_SECONDS).contains(&seconds) {
        return Err(SimError::BadInput(
            "seconds must be between 1 and ten years".into(),
        ));
    }
    // Through the store, so every replica on one database moves with it.
    broker
        .advance_clock(seconds)?
        .ok_or(SimError::ClockNotControllable)
}

/// Makes a new key of `kind` the signing key; the old one stays published, retired.
pub async fn rotate_key(broker: &Broker, kind: keys::KeyKind) -> SimResult<keys::KeyInfo> {
    let keys = Arc::clone(&broker.keys);
    let now = broker.now();
    // Generating an RSA key takes a moment; keep it off the async workers.
    let info = tokio::task::spawn_blocking(move || keys.rotate(kind, now))
        .await
        .map_err(|e| SimError::Keys(keys::KeyError::Generate(e.to_string())))??;
    Ok(info)
}

/// Removes a retired key from the JWKS.
pub fn remove_key(broker: &Broker, kid: &str) -> SimResult<()> {
    Ok(broker.keys.remove(&keys::Kid::new(kid))?)
}

/// Clears logins, codes, tokens, sessions, queued decisions, device state and the request
/// log (its entries not yet written too).
pub fn reset(broker: &Broker) -> SimResult<[&'static str; 6]> {
    broker.requests.discard_pending();
    broker.seen.discard_pending();
    broker.store.reset()?;
    Ok(RESET_CLEARS)
}
