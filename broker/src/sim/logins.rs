//! Logins as a test or a developer sees them: find one, explain it, decide it.

use super::{SimError, SimResult};
use crate::app::Broker;
use crate::login::explain::{explain as explain_txn, Explanation};
use crate::model::{LoginTxn, RpAct, TxnId};

pub fn find(broker: &Broker, id: &str) -> SimResult<LoginTxn> {
    broker
        .store
        .logins
        .get(&TxnId::new(id))?
        .ok_or_else(|| SimError::NotFound(format!("no login {id}")))
}

/// Why the login ended as it did (the decision ladder), with the RP test kit's faults its
/// responses carried.
pub fn explain(broker: &Broker, txn: &LoginTxn) -> SimResult<Explanation> {
    let mut explained = explain_txn(txn, broker.required_level(&txn.request));
    explained.faults = crate::oidc::faults::events_for_login(broker, &txn.id)?
        .into_iter()
        .filter_map(|e| match e.act {
            RpAct::Fault { fault } => Some(fault.name()),
            _ => None,
        })
        .collect();
    Ok(explained)
}
