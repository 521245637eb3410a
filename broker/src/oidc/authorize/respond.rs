//! The successful authorization response (OIDC Core 3.1.2.5, 3.2.2.5, 3.3.2.5): what the
//! `response_type` asks for, made for a login a broker session answers. The code, the access
//! token and the ID token share one grant, so a replayed code revokes them all.

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::{ErrorCode, OAuthError};
use crate::model::{AuthCode, AuthRequest, Grant, GrantId, Session, Stage, TxnId};
use crate::oidc::id_token::{issue_id_token, IdTokenInput};
use crate::oidc::token::issue::mint_access_token;
use crate::oidc::{claims, faults, session};
use crate::secrets;

use super::{AuthorizeOutcome, VerifiedRedirect};

pub fn success(
    broker: &Broker,
    request: &AuthRequest,
    session: &Session,
    login_id: &TxnId,
    now: UnixTime,
) -> Result<AuthorizeOutcome, OAuthError> {
    let response_type = request.response_type;
    let redirect = VerifiedRedirect::of_parked(request);
    // Someone else logged in for a request that names one person (OIDC Core 3.1.2.1).
    if !session::is_requested_person(broker, request, &session.identity_id)? {
        let error = OAuthError::new(
            ErrorCode::LoginRequired,
            "the person who logged in is not the one the request names (id_token_hint)",
        );
        return Ok(redirect.error(&broker.issuer, &error));
    }
    if !session.clients.contains(&request.client_id) {
        broker
            .store
            .sessions
            .add_client(&session.sid, &request.client_id)?;
    }
    let grant = Grant {
        id: GrantId::new(secrets::random_id()),
        profile: request.profile,
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
        claims: request.claims.clone(),
        dialect_scopes: request.dialect_scopes.clone(),
    };
    let code = if response_type.code() {
        Some(issue_code(broker, request, &grant, now)?)
    } else {
        None
    };
    let access_token = if response_type.token() {
        Some(mint_access_token(broker, &grant, &grant.scopes, now)?)
    } else {
        None
    };
    let id_token = if response_type.id_token() {
        Some(authorization_id_token(
            broker,
            request,
            &grant,
            code.as_deref(),
            access_token.as_deref(),
            now,
        )?)
    } else {
        None
    };
    let expires_in = broker.config.tokens.access_token_ttl.to_string();
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    if let Some(code) = &code {
        pairs.push(("code", code));
    }
    if let Some(token) = &access_token {
        pairs.push(("access_token", token));
        pairs.push(("token_type", "Bearer"));
        pairs.push(("expires_in", &expires_in));
    }
    if let Some(id_token) = &id_token {
        pairs.push(("id_token", id_token));
    }
    let fault = faults::take(
        broker,
        &request.client_id,
        Stage::AuthorizationResponse,
        Some(login_id),
        now,
    )?;
    Ok(redirect.success_with_fault(&broker.issuer, &pairs, fault))
}

/// Stores a new authorization code for `request`, bound to its client, redirect URI and PKCE
/// challenge; returns the code (only its hash is stored).
fn issue_code(
    broker: &Broker,
    request: &AuthRequest,
    grant: &Grant,
    now: UnixTime,
) -> Result<String, OAuthError> {
    let code = crate::oidc::profile::new_code(broker.profile);
    broker.store.codes.put(&AuthCode {
        hash: secrets::hash(&code),
        grant: grant.clone(),
        redirect_uri: request.redirect_uri.clone(),
        code_challenge: request.code_challenge.clone(),
        nonce: request.nonce.clone(),
        expires_at: now + broker.config.tokens.code_ttl,
    })?;
    Ok(code)
}

/// The ID token of an implicit or hybrid response: `nonce` (required for these flows),
/// `c_hash` and `at_hash` for what comes beside it, `s_hash` when there is a `state`. With no
/// access token to fetch them, the scope claims ride in the ID token (OIDC Core 5.4).
fn authorization_id_token(
    broker: &Broker,
    request: &AuthRequest,
    grant: &Grant,
    code: Option<&str>,
    access_token: Option<&str>,
    now: UnixTime,
) -> Result<String, OAuthError> {
    let client = broker
        .store
        .clients
        .get(&request.client_id)?
        .ok_or_else(|| OAuthError::server_error("the client vanished during the login"))?;
    let identity = broker
        .store
        .identities
        .get(&grant.identity_id)?
        .ok_or_else(|| OAuthError::server_error("the identity vanished during the login"))?;
    let mut extra = claims::requested_for_id_token(&identity, grant, now);
    if access_token.is_none() && code.is_none() {
        extra.extend(claims::scope_claims(&identity, grant, now));
    }
    issue_id_token(
        broker,
        IdTokenInput {
            client: &client,
            identity: &identity,
            grant,
            nonce: request.nonce.as_deref(),
            access_token,
            code,
            state: request.state.as_deref(),
            extra,
            stage: Stage::IdToken,
        },
        now,
    )
}
