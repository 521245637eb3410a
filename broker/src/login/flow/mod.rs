//! The interactive MitID (and NemID) login: user ID -> authenticator -> CPR match -> business
//! identity -> back to the client. Each screen's form is an [`Input`]; [`submit`] applies it to
//! the pending login and stores the new step (or settles the login). The simulated devices
//! (the app, the chip; `crate::login::devices`) move a login on through `device_proved`.
//! Time is always `now`, from the injected clock.
//!
//! - `screens`: the user ID, the choice of a way to log in, code, password and key card, the
//!   business identity, and the approval they add up to;
//! - `cpr_match`: when the person must type their CPR number, and how many tries they have;
//! - `methods`: which ways of logging in are offered, and the devices each uses.
//!
//! Rules where the sources are silent (DESIGN.md, `domain/mitid.md`):
//! - Only the ways of logging in that reach the required level are offered; with one, it
//!   starts at once; with none, the login fails with `mitid_level_not_reachable`.
//! - A failure shows its own screen; leaving it sends `access_denied` with the failure's code
//!   to the client. Cancel, at any step, sends `mitid_user_aborted` at once.
//! - Wrong codes and passwords count per identity and device across logins, so a block
//!   outlives the login that caused it (it ends by itself, or through the control API).

mod cpr_match;
mod methods;
mod screens;

pub(crate) use methods::active_app;
pub use methods::{allows_private, blocked_methods, devices_of, offered_methods};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::mitid::Authenticator;
use crate::model::{
    AppRequest, AuthRequest, DecisionSource, Failure, Flow, Identity, Level, LoginStatus, LoginTxn,
    Method, Step,
};
use crate::store::{Settle, StoreError};

/// What a screen's form asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    UserId(String),
    Choose(Method),
    Code(String),
    Password(String),
    Cpr(String),
    /// A business identity by its professional UUID; `None`: continue as private.
    Business(Option<String>),
    /// Choose another way of logging in.
    Switch,
    /// Try again after a failure that allows it.
    Retry,
    /// Cancel the login: the client gets `mitid_user_aborted`.
    Cancel,
    /// Leave a failure screen: the client gets the failure's code.
    Leave,
}

/// How the screens name themselves as the deciding source.
pub const VIA: &str = "mitid_login";

/// A login as the screens see it: its flow brought up to `now` (an app request past its time
/// has expired; one that a newer login's request to the same app replaced is withdrawn).
/// Written back when that changed it.
pub fn refresh(broker: &Broker, txn: LoginTxn, now: UnixTime) -> Result<LoginTxn, StoreError> {
    if !txn.status.is_pending() {
        return Ok(txn);
    }
    if let Step::App(request) = &txn.flow.step {
        let failure = if request.expires_at <= now {
            Some(Failure::ApprovalExpired)
        } else if replaced(broker, &txn, request, now)? {
            Some(Failure::AppRequestReplaced)
        } else {
            None
        };
        if let Some(failure) = failure {
            let mut flow = txn.flow.clone();
            flow.step = failed(failure);
            return reload_if_stale(broker, &txn, write_flow(broker, &txn, flow, now)?);
        }
    }
    Ok(txn)
}

/// Whether another pending login sent the same person's app a newer request (the app shows
/// one at a time: the newest; ties go to the greater login id).
fn replaced(
    broker: &Broker,
    txn: &LoginTxn,
    request: &AppRequest,
    now: UnixTime,
) -> Result<bool, StoreError> {
    let Some(identity) = &txn.flow.identity_id else {
        return Ok(false);
    };
    Ok(broker.store.logins.list_pending(now)?.iter().any(|other| {
        other.id != txn.id
            && other.flow.identity_id.as_ref() == Some(identity)
            && matches!(&other.flow.step, Step::App(o)
                if o.expires_at > now
                    && (o.age_key(), other.id.as_str()) > (request.age_key(), txn.id.as_str()))
    }))
}

fn reload_if_stale(
    broker: &Broker,
    txn: &LoginTxn,
    written: Option<LoginTxn>,
) -> Result<LoginTxn, StoreError> {
    match written {
        Some(t) => Ok(t),
        None => Ok(broker
            .store
            .logins
            .get(&txn.id)?
            .unwrap_or_else(|| txn.clone())),
    }
}

fn failed(failure: Failure) -> Step {
    Step::Failed { failure }
}

/// Applies a screen's input to a pending login. Returns the login as it now stands: still
/// pending on its next screen, or settled (to be finished by the caller). An input that does
/// not fit the current screen (a stale form) changes nothing.
pub fn submit(
    broker: &Broker,
    txn: &LoginTxn,
    input: Input,
    now: UnixTime,
) -> Result<LoginTxn, OAuthError> {
    let txn = refresh(broker, txn.clone(), now)?;
    // A login past its lifetime is finished by nothing: not its forms, not its devices.
    if !txn.status.is_pending() || txn.expires_at <= now {
        return Ok(txn);
    }
    let identity = match &txn.flow.identity_id {
        Some(id) => broker.store.identities.get(id)?,
        None => None,
    };
    let mut flow = txn.flow.clone();
    flow.notice = None;
    let ctx = Ctx {
        broker,
        request: &txn.request,
        now,
    };
    let next = match (input, identity) {
        (Input::Cancel, _) => Next::Settle(rejected(Failure::UserAborted, now)),
        (Input::Leave, _) => match flow.step {
            Step::Failed { failure } => Next::Settle(rejected(failure, now)),
            _ => Next::Unchanged,
        },
        (Input::UserId(text), _) if matches!(flow.step, Step::UserId) => {
            ctx.user_id(&mut flow, &text)?
        }
        (_, None) => match (&flow.step, ()) {
            (
                Step::Failed {
                    failure: Failure::UnknownUser,
                },
                (),
            ) => {
                flow.step = Step::UserId;
                Next::Continue
            }
            _ => Next::Unchanged,
        },
        (input, Some(identity)) => ctx.with_identity(&mut flow, &identity, input)?,
    };
    match next {
        Next::Unchanged => Ok(txn),
        Next::Continue => Ok(reload_if_stale(
            broker,
            &txn,
            write_flow(broker, &txn, flow, now)?,
        )?),
        Next::Settle(status) => settle(broker, &txn, flow, &status, now),
    }
}

/// Writes `flow` over the login's flow as read (`txn.flow.rev`), noting the screen it moved
/// to; `None` when someone wrote the login meanwhile.
pub(crate) fn write_flow(
    broker: &Broker,
    txn: &LoginTxn,
    mut flow: Flow,
    now: UnixTime,
) -> Result<Option<LoginTxn>, StoreError> {
    flow.note_screen(&txn.flow.step, now);
    broker
        .store
        .logins
        .update_flow(&txn.id, txn.flow.rev, &flow)
}

/// Stores the final flow and writes the terminal status; a login someone else settled first
/// keeps that outcome.
fn settle(
    broker: &Broker,
    txn: &LoginTxn,
    flow: Flow,
    status: &LoginStatus,
    now: UnixTime,
) -> Result<LoginTxn, OAuthError> {
    if write_flow(broker, txn, flow, now)?.is_none() {
        // Written meanwhile (the app answered, say): the newer state stands.
        return Ok(broker
            .store
            .logins
            .get(&txn.id)?
            .unwrap_or_else(|| txn.clone()));
    }
    match broker.store.logins.settle(&txn.id, status)? {
        Settle::Settled(t) | Settle::AlreadySettled(t) => Ok(t),
        Settle::NotFound => Err(OAuthError::invalid_request("there is no such login")),
    }
}

fn rejected(failure: Failure, now: UnixTime) -> LoginStatus {
    LoginStatus::Rejected {
        description: failure.code().into(),
        detail: None,
        decided_by: DecisionSource::Explicit { via: VIA.into() },
        decided_at: now,
    }
}

enum Next {
    /// Nothing to write: the input did not fit the screen.
    Unchanged,
    /// Store the changed flow.
    Continue,
    /// Store the flow and settle the login.
    Settle(LoginStatus),
}

struct Ctx<'a> {
    broker: &'a Broker,
    request: &'a AuthRequest,
    now: UnixTime,
}

impl Ctx<'_> {
    fn required(&self) -> Level {
        self.broker.required_level(self.request)
    }
}

/// A device proved `used`: the login goes on to CPR match, business identity or approval.
/// `None` when the login was written meanwhile (the caller's request is stale).
pub(crate) fn device_proved(
    broker: &Broker,
    identity: &Identity,
    txn: &LoginTxn,
    used: Authenticator,
    now: UnixTime,
) -> Result<Option<LoginTxn>, OAuthError> {
    let ctx = Ctx {
        broker,
        request: &txn.request,
        now,
    };
    let mut flow = txn.flow.clone();
    flow.notice = None;
    flow.used.push(used);
    match ctx.authenticated(&mut flow, identity)? {
        Next::Unchanged => Ok(Some(txn.clone())),
        Next::Continue => Ok(write_flow(broker, txn, flow, now)?),
        Next::Settle(status) => settle(broker, txn, flow, &status, now).map(Some),
    }
}

/// The person declined in the app: the login ends with `mitid_user_aborted`.
pub(crate) fn abort(
    broker: &Broker,
    txn: &LoginTxn,
    now: UnixTime,
) -> Result<LoginTxn, OAuthError> {
    settle(
        broker,
        txn,
        txn.flow.clone(),
        &rejected(Failure::UserAborted, now),
        now,
    )
}

#[cfg(test)]
mod tests;
