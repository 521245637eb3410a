//! Token revocation (RFC 7009). The client authenticates; a token it does not own, or one that
//! is unknown, is answered 200 all the same (2.2) and left alone.

use crate::app::Broker;
use crate::error::{ErrorCode, OAuthError};
use crate::oidc::Params;
use crate::secrets;

pub fn revoke(
    broker: &Broker,
    client: &crate::model::Client,
    params: &Params,
) -> Result<(), OAuthError> {
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
    let refresh_first = match params.get("token_type_hint") {
        None | Some("access_token") => false,
        Some("refresh_token") => true,
        Some(other) => {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedTokenType,
                format!("token_type_hint {other} is not supported"),
            ))
        }
    };
    let hash = secrets::hash(token);
    let tokens = &broker.store.tokens;
    let access = || -> Result<bool, OAuthError> {
        match tokens.get_access(&hash)? {
            Some(t) if t.grant.client_id == client.client_id => Ok(tokens.revoke_access(&hash)?),
            _ => Ok(false),
        }
    };
    // Revoking a refresh token ends its grant, access tokens included (RFC 7009 2.1).
    let refresh = || -> Result<bool, OAuthError> {
        match tokens.get_refresh(&hash)? {
            Some(t) if t.grant.client_id == client.client_id => {
                tokens.revoke_grant(&t.grant.id)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    };
    if refresh_first {
        if !refresh()? {
            access()?;
        }
    } else if !access()? {
        refresh()?;
    }
    Ok(())
}
