//! Finishing a login from the login side: a settled login is completed through the protocol
//! core ([`crate::oidc::authorize::complete`]) exactly once.

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{AuthRequest, LoginTxn, TxnId};
use crate::oidc::authorize::{self, AuthorizeOutcome, AuthorizeResult, VerifiedRedirect};

/// Sends a settled login's outcome to the client. A pending or already finished login gets an
/// error page.
pub fn finish(
    broker: &Broker,
    txn: &LoginTxn,
    now: UnixTime,
) -> Result<AuthorizeResult, OAuthError> {
    if txn.status.is_pending() {
        return Ok(AuthorizeOutcome::ErrorPage(OAuthError::invalid_request(
            "this login is still waiting for a decision",
        ))
        .into());
    }
    if !broker.store.logins.mark_delivered(&txn.id)? {
        return Ok(AuthorizeOutcome::ErrorPage(OAuthError::invalid_request(
            "this login has already finished; start again from the application",
        ))
        .into());
    }
    authorize::complete(broker, txn, now)
}

/// Where a login stands once the authorization request has been parked.
#[derive(Debug)]
pub enum Started {
    /// Waiting for a person (the login page) or a decision (the control API).
    Waiting(TxnId),
    /// Decided on the spot by the ladder, and completed.
    Finished(AuthorizeResult),
}

/// Parks the login an authorization request needs ([`AuthorizeOutcome::NeedsLogin`]); if the
/// ladder decides it on the spot, completes it at once. An error goes back to the client
/// through `redirect`.
pub fn start(
    broker: &Broker,
    request: AuthRequest,
    redirect: &VerifiedRedirect,
    now: UnixTime,
) -> Started {
    let finished = match super::park(broker, request, now) {
        Ok(txn) if txn.status.is_pending() => return Started::Waiting(txn.id),
        // park stored it as delivered already: this is its one completion.
        Ok(txn) => authorize::complete(broker, &txn, now).map(|r| r.for_login(&txn.id)),
        Err(e) => Err(e),
    };
    Started::Finished(finished.unwrap_or_else(|e| {
        if let Some(detail) = &e.detail {
            tracing::info!(error = e.code.as_str(), detail, "login could not start");
        }
        redirect.error(&broker.issuer, &e).into()
    }))
}
