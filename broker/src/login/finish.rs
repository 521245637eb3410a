//! Finishing a login: a settled transaction becomes the response its `response_type` asks for
//! (a code, tokens; and a broker session) or an error, sent to the client's verified redirect
//! URI. A login finishes once.

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::{ErrorCode, OAuthError};
use crate::model::{AuthRequest, DecisionSource, LoginStatus, LoginTxn, Session, TxnId};
use crate::oidc::authorize::{respond, AuthorizeOutcome, AuthorizeResult, VerifiedRedirect};
use crate::oidc::session;
use crate::secrets;

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
    deliver(broker, txn, now)
}

/// Sends the outcome of a settled login that the caller has marked delivered.
pub fn deliver(
    broker: &Broker,
    txn: &LoginTxn,
    now: UnixTime,
) -> Result<AuthorizeResult, OAuthError> {
    let redirect = VerifiedRedirect::of_parked(&txn.request);
    match &txn.status {
        LoginStatus::Approved {
            identity_id,
            acr,
            amr,
            assurance,
            business,
            ..
        } => {
            let (session, cookie) = session::create(
                broker,
                identity_id,
                *acr,
                amr,
                *assurance,
                business.clone(),
                now,
            )?;
            Ok(AuthorizeResult {
                outcome: respond::success(broker, &txn.request, &session, &txn.id, now)?,
                new_session_cookie: Some(cookie),
                login_id: Some(txn.id.clone()),
            })
        }
        LoginStatus::Rejected { description, .. } => {
            let error = OAuthError::new(ErrorCode::AccessDenied, description.clone());
            Ok(redirect.error(&broker.issuer, &error).into())
        }
        LoginStatus::Pending => Err(OAuthError::server_error("pending login reached finish")),
    }
}

/// A login answered by an existing broker session (single sign-on). Recorded as a finished
/// login so `explain` can say so; returns its id and the response.
pub fn from_session(
    broker: &Broker,
    request: &AuthRequest,
    session: &Session,
    now: UnixTime,
) -> Result<(TxnId, AuthorizeOutcome), OAuthError> {
    let identity = broker
        .store
        .identities
        .get(&session.identity_id)?
        .ok_or_else(|| OAuthError::server_error("session identity vanished"))?;
    let id = TxnId::new(secrets::random_id());
    broker.store.logins.create(&LoginTxn {
        id: id.clone(),
        request: request.clone(),
        csrf: String::new(),
        created_at: now,
        expires_at: now,
        status: LoginStatus::Approved {
            identity_id: identity.id,
            user_id: identity.user_id,
            acr: session.acr,
            amr: session.amr.clone(),
            assurance: session.assurance,
            business: session.business.clone(),
            decided_by: DecisionSource::ExistingSession,
            decided_at: now,
        },
        delivered: true,
        flow: Default::default(),
    })?;
    let outcome = respond::success(broker, request, session, &id, now)?;
    Ok((id, outcome))
}
