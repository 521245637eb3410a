//! Finishing a login: a settled transaction becomes a code (and a broker session) or an error,
//! sent to the client's verified redirect URI. A login finishes once.

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::{ErrorCode, OAuthError};
use crate::model::{
    AuthCode, AuthRequest, DecisionSource, Grant, GrantId, LoginStatus, LoginTxn, Session, TxnId,
};
use crate::oidc::authorize::{AuthorizeOutcome, AuthorizeResult, VerifiedRedirect};
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
            let code = issue_code(broker, &txn.request, &session, &txn.id, now)?;
            Ok(AuthorizeResult {
                outcome: AuthorizeOutcome::Redirect(redirect.code(&broker.issuer, &code)),
                new_session_cookie: Some(cookie),
                login_id: Some(txn.id.clone()),
            })
        }
        LoginStatus::Rejected { description, .. } => {
            let error = OAuthError::new(ErrorCode::AccessDenied, description.clone());
            Ok(AuthorizeOutcome::Redirect(redirect.error(&broker.issuer, &error)).into())
        }
        LoginStatus::Pending => Err(OAuthError::server_error("pending login reached finish")),
    }
}

/// A login answered by an existing broker session (single sign-on). Recorded as a finished
/// login so `explain` can say so; returns its id and the code.
pub fn from_session(
    broker: &Broker,
    request: &AuthRequest,
    session: &Session,
    now: UnixTime,
) -> Result<(TxnId, String), OAuthError> {
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
    let code = issue_code(broker, request, session, &id, now)?;
    Ok((id, code))
}

/// Stores a new authorization code for `request`, bound to its client, redirect URI and PKCE
/// challenge; returns the code (only its hash is stored).
fn issue_code(
    broker: &Broker,
    request: &AuthRequest,
    session: &Session,
    login_id: &TxnId,
    now: UnixTime,
) -> Result<String, OAuthError> {
    let code = secrets::random_token();
    broker
        .store
        .sessions
        .add_client(&session.sid, &request.client_id)?;
    broker.store.codes.put(&AuthCode {
        hash: secrets::hash(&code),
        grant: Grant {
            id: GrantId::new(secrets::random_id()),
            client_id: request.client_id.clone(),
            identity_id: session.identity_id.clone(),
            scopes: request.scopes.clone(),
            auth_time: session.auth_time,
            acr: session.acr,
            amr: session.amr.clone(),
            assurance: session.assurance,
            sid: session.sid.clone(),
            business: session.business.clone(),
            login_id: Some(login_id.clone()),
        },
        redirect_uri: request.redirect_uri.clone(),
        code_challenge: request.code_challenge.clone(),
        nonce: request.nonce.clone(),
        expires_at: now + broker.config.tokens.code_ttl,
    })?;
    Ok(code)
}
