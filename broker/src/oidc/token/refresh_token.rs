//! `grant_type=refresh_token` (RFC 6749 6, OIDC Core 12). Refresh tokens rotate: each use
//! returns a new one, and a reused one revokes the grant (RFC 9700 4.14.2).

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::{ErrorCode, OAuthError};
use crate::model::Client;
use crate::oidc::Params;
use crate::secrets;
use crate::store::Take;

use super::issue::{issue_tokens, Issue};

pub fn refresh(
    broker: &Broker,
    client: &Client,
    params: &Params,
    now: UnixTime,
) -> Result<super::Issued, OAuthError> {
    let token = params
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is missing"))?;
    let hash = secrets::hash(token);
    // Check ownership before using it, so another client cannot burn it.
    let Some(stored) = broker.store.tokens.get_refresh(&hash)? else {
        return match broker.store.tokens.take_refresh(&hash)? {
            Take::AlreadyTaken(grant) => {
                broker.store.tokens.revoke_grant(&grant)?;
                Err(OAuthError::invalid_grant(
                    "the refresh token was already used; the grant is revoked",
                ))
            }
            _ => Err(OAuthError::invalid_grant("the refresh token is not valid")),
        };
    };
    if stored.grant.client_id != client.client_id {
        return Err(OAuthError::invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    if stored.grant.profile != broker.profile {
        return Err(OAuthError::invalid_grant(format!(
            "the refresh token was issued by the {} issuer",
            stored.grant.profile
        )));
    }
    if stored.expires_at <= now {
        return Err(OAuthError::invalid_grant("the refresh token has expired"));
    }
    let scopes = match params.get("scope") {
        None => stored.grant.scopes.clone(),
        Some(requested) => {
            let requested: Vec<String> = requested.split_whitespace().map(str::to_string).collect();
            if requested.iter().any(|s| !stored.grant.has_scope(s)) {
                return Err(OAuthError::new(
                    ErrorCode::InvalidScope,
                    "a refresh can only narrow the granted scopes",
                ));
            }
            requested
        }
    };
    let grant = match broker.store.tokens.take_refresh(&hash)? {
        Take::Taken(t) => t.grant,
        // Spent between our look and our take: a concurrent second presentation, which is a
        // replay like any other (RFC 9700 4.14.2): the grant goes.
        Take::AlreadyTaken(grant) => {
            broker.store.tokens.revoke_grant(&grant)?;
            return Err(OAuthError::invalid_grant(
                "the refresh token was already used; the grant is revoked",
            )
            .with_detail(format!("concurrent refresh replay, grant {grant} revoked")));
        }
        Take::NotFound => return Err(OAuthError::invalid_grant("the refresh token is not valid")),
    };
    crate::oidc::faults::saw(
        broker,
        &client.client_id,
        grant.login_id.as_ref(),
        crate::model::RpAct::Refresh,
        now,
    );
    let body = issue_tokens(
        broker,
        Issue {
            stage: crate::model::Stage::RefreshIdToken,
            client,
            grant: &grant,
            nonce: None,
            scopes: &scopes,
        },
        now,
    )?;
    Ok(super::Issued {
        body,
        login: grant.login_id,
    })
}
