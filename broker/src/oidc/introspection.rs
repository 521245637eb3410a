//! Token introspection (RFC 7662) for the client the token was issued to; any other caller, an
//! unknown, expired or revoked token all get `{"active": false}`.

use serde_json::{json, Value};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{Client, Grant};
use crate::oidc::{claims, Params};
use crate::secrets;

pub fn introspect(
    broker: &Broker,
    client: &Client,
    params: &Params,
    now: UnixTime,
) -> Result<Value, OAuthError> {
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
    let hash = secrets::hash(token);
    let tokens = &broker.store.tokens;
    let found = match tokens.get_access(&hash)? {
        Some(t) => Some((t.grant, t.issued_at, t.expires_at, "Bearer")),
        None => tokens
            .get_refresh(&hash)?
            .map(|t| (t.grant, t.issued_at, t.expires_at, "refresh_token")),
    };
    let Some((grant, iat, exp, token_type)) = found else {
        return Ok(inactive());
    };
    if grant.client_id != client.client_id || exp <= now {
        return Ok(inactive());
    }
    active(broker, client, &grant, iat, exp, token_type)
}

fn inactive() -> Value {
    json!({ "active": false })
}

fn active(
    broker: &Broker,
    client: &Client,
    grant: &Grant,
    iat: i64,
    exp: i64,
    token_type: &str,
) -> Result<Value, OAuthError> {
    let Some(identity) = broker.store.identities.get(&grant.identity_id)? else {
        return Ok(inactive());
    };
    Ok(json!({
        "active": true,
        "scope": grant.scopes.join(" "),
        "client_id": client.client_id.as_str(),
        "sub": claims::subject(broker, client, &identity),
        "aud": client.client_id.as_str(),
        "iss": broker.issuer.as_str(),
        "exp": exp,
        "iat": iat,
        "token_type": token_type,
        "acr": grant.acr.uri(),
        "auth_time": grant.auth_time,
    }))
}
