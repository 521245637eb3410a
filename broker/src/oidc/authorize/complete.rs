//! Finishing a login: a settled login becomes the response its `response_type` asks for (a
//! code, tokens, and a broker session) or an error, sent to the client's verified redirect
//! URI. The login side calls [`complete`] once per login; a broker session that already
//! answers a request completes it here at once ([`single_sign_on`]).

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::{ErrorCode, OAuthError};
use crate::model::{AuthRequest, DecisionSource, LoginStatus, LoginTxn, Session, TxnId};
use crate::oidc::session;
use crate::secrets;

use super::{respond, AuthorizeResult, VerifiedRedirect};

/// Sends a settled login's outcome to the client: for an approval a new broker session (its
/// cookie in the result) and the response; for a rejection `access_denied`. The caller makes
/// sure a login completes once (`LoginStore::mark_delivered`).
pub fn complete(
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
            // The session starts with the client in it when the client gets its answer: one
            // write, not two.
            let client = session::is_requested_person(broker, &txn.request, identity_id)?
                .then(|| txn.request.client_id.clone());
            let (session, cookie) = session::create(
                broker,
                identity_id,
                *acr,
                amr,
                *assurance,
                business.clone(),
                client,
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
        LoginStatus::Pending => Err(OAuthError::server_error(
            "a login still waiting for a decision cannot complete",
        )),
    }
}

/// A request answered by an existing broker session (single sign-on). Recorded as a finished
/// login so `explain` can say so.
pub(super) fn single_sign_on(
    broker: &Broker,
    request: &AuthRequest,
    session: &Session,
    now: UnixTime,
) -> Result<AuthorizeResult, OAuthError> {
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
        response: None,
        flow: Default::default(),
    })?;
    let outcome = respond::success(broker, request, session, &id, now)?;
    Ok(AuthorizeResult::from(outcome).for_login(&id))
}
