//! The interaction boundary between a parked authorization request and the protocol core.
//! The web layer parks a login here when `oidc::authorize` answers `NeedsLogin`
//! ([`finish::start`]); the decision ladder ([`ladder`]), the control API ([`decide`]) or the
//! login screens ([`flow`]) settle it; [`finish::finish`] completes it once through
//! `oidc::authorize::complete`. `login` calls `oidc`, never the other way.
//!
//! Where each rule lives:
//! - the decision ladder (explicit decision, queued decision, hint, identity rule, instance
//!   default): [`ladder`], explained per login by [`explain`];
//! - the screens' state machine: [`flow`] (user ID -> way of logging in -> device or code ->
//!   CPR match -> business identity -> approval);
//! - **CPR match** (a `private_service` client asking for scope `ssn`; the person types their
//!   CPR number; `login.cpr_match_tries`, 3 by default, then `mitid_cpr_match_failed`):
//!   `flow::cpr_match`;
//! - what an approval carries (level, `amr`, assurance, business identity): [`approve`];
//! - the simulated devices (app and chip requests and answers, code device readings, key card,
//!   blocks) and their derived secrets: [`devices`].

pub mod approve;
pub mod devices;
pub mod explain;
pub mod finish;
pub mod flow;
pub mod ladder;

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{
    AuthRequest, DecisionOutcome, DecisionSource, Identity, Idp, LoginStatus, LoginTxn, TxnId,
    UserId,
};
use crate::secrets;
use crate::store::{Settle, StoreError};

/// Parks a login: runs the automatic steps of the ladder and stores the transaction, settled
/// (stored as delivered, for the caller to complete at once: [`finish::start`]) if one of them
/// decided, pending otherwise.
pub fn park(broker: &Broker, request: AuthRequest, now: UnixTime) -> Result<LoginTxn, OAuthError> {
    let mut txn = LoginTxn {
        id: TxnId::new(secrets::random_id()),
        csrf: secrets::random_id(),
        created_at: now,
        expires_at: now + broker.config.tokens.login_ttl,
        status: LoginStatus::Pending,
        delivered: false,
        response: None,
        flow: Default::default(),
        request,
    };
    if let Some(status) = ladder::decide_automatically(broker, &txn.request, now)? {
        // Decided on the spot: the caller delivers it now, so it is stored as delivered and a
        // later visit to its login page cannot finish it twice.
        txn.status = status;
        txn.delivered = true;
    }
    broker.store.logins.create(&txn)?;
    Ok(txn)
}

/// Why an explicit decision could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("no login {0}")]
    NotFound(TxnId),
    #[error("login {0} expired")]
    Expired(TxnId),
    #[error("login is already {}", .0.status.name())]
    AlreadySettled(Box<LoginTxn>),
    #[error("{0}")]
    BadDecision(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Ladder step 1: a decision aimed at one login (control API, login page). Written once: a
/// later writer gets [`DecideError::AlreadySettled`] with the outcome that stands.
pub fn decide(
    broker: &Broker,
    id: &TxnId,
    outcome: &DecisionOutcome,
    via: &str,
    now: UnixTime,
) -> Result<LoginTxn, DecideError> {
    let txn = broker
        .store
        .logins
        .get(id)?
        .ok_or_else(|| DecideError::NotFound(id.clone()))?;
    if !txn.status.is_pending() {
        return Err(DecideError::AlreadySettled(Box::new(txn)));
    }
    if txn.expires_at <= now {
        return Err(DecideError::Expired(id.clone()));
    }
    let source = DecisionSource::Explicit { via: via.into() };
    let status = match outcome {
        DecisionOutcome::Approve { user_id, business } => {
            let user = user_id
                .clone()
                .or_else(|| txn.request.login_hint.clone().map(UserId::new))
                .ok_or_else(|| {
                    DecideError::BadDecision(
                        "approve needs a user_id (the login has no login_hint)".into(),
                    )
                })?;
            let identity = broker.store.identities.by_user_id(&user)?.ok_or_else(|| {
                DecideError::BadDecision(format!("no identity with user ID {user}"))
            })?;
            if let Some(chosen) = business {
                check_business(&identity, &txn.request, chosen)?;
            }
            approve::approve_as(
                &identity,
                &txn.request,
                broker.required_level(&txn.request),
                business.as_deref(),
                source,
                now,
            )
        }
        DecisionOutcome::Reject { description } => {
            approve::reject(description.clone(), source, now)
        }
    };
    match broker.store.logins.settle(id, &status)? {
        Settle::Settled(txn) => Ok(txn),
        Settle::AlreadySettled(txn) => Err(DecideError::AlreadySettled(Box::new(txn))),
        Settle::NotFound => Err(DecideError::NotFound(id.clone())),
    }
}

/// An explicit decision's business identity must be one the screens could have chosen: the
/// login asks for MitID Erhverv, and the person has it (or `private`).
fn check_business(
    identity: &Identity,
    request: &AuthRequest,
    chosen: &str,
) -> Result<(), DecideError> {
    if !request.idp_values.contains(&Idp::MitidErhverv) {
        return Err(DecideError::BadDecision(
            "business chooses a MitID Erhverv identity, and this login does not ask for MitID \
             Erhverv (idp_values)"
                .into(),
        ));
    }
    let has = chosen == "private"
        || identity
            .business
            .iter()
            .any(|b| b.professional_uuid == chosen || b.cvr == chosen);
    if has {
        Ok(())
    } else {
        Err(DecideError::BadDecision(format!(
            "{} has no business identity {chosen} (a professional UUID or CVR number, or private)",
            identity.user_id
        )))
    }
}

/// The client's display name (its client ID when it has none), for the screens and devices.
pub fn client_name(broker: &Broker, txn: &LoginTxn) -> String {
    broker
        .store
        .clients
        .get(&txn.request.client_id)
        .ok()
        .flatten()
        .map(|c| {
            if c.name.is_empty() {
                c.client_id.to_string()
            } else {
                c.name
            }
        })
        .unwrap_or_else(|| txn.request.client_id.to_string())
}
