//! Issues the token response: an opaque access token, an ID token, and a refresh token when
//! `offline_access` was granted.

use serde_json::{json, Value};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{AccessToken, Client, Grant, RefreshToken};
use crate::oidc::id_token::{issue_id_token, IdTokenInput};
use crate::secrets;

pub struct Issue<'a> {
    pub client: &'a Client,
    /// The grant the refresh token carries on (all its scopes).
    pub grant: &'a Grant,
    pub nonce: Option<&'a str>,
    /// Scopes for this access token (a refresh may narrow them).
    pub scopes: &'a [String],
}

pub fn issue_tokens(broker: &Broker, issue: Issue<'_>, now: UnixTime) -> Result<Value, OAuthError> {
    let identity = broker
        .store
        .identities
        .get(&issue.grant.identity_id)?
        .ok_or_else(|| OAuthError::invalid_grant("the identity no longer exists"))?;
    let ttl = broker.config.tokens.access_token_ttl;
    let access_token = secrets::random_token();
    let access_grant = Grant {
        scopes: issue.scopes.to_vec(),
        ..issue.grant.clone()
    };
    broker.store.tokens.put_access(&AccessToken {
        hash: secrets::hash(&access_token),
        grant: access_grant,
        issued_at: now,
        expires_at: now + ttl,
    })?;
    let id_token = issue_id_token(
        broker,
        IdTokenInput {
            client: issue.client,
            identity: &identity,
            grant: issue.grant,
            nonce: issue.nonce,
            access_token: &access_token,
        },
        now,
    )?;
    let mut response = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl,
        "id_token": id_token,
        "scope": issue.scopes.join(" "),
    });
    if issue.grant.has_scope("offline_access") {
        let refresh_token = secrets::random_token();
        broker.store.tokens.put_refresh(&RefreshToken {
            hash: secrets::hash(&refresh_token),
            grant: issue.grant.clone(),
            issued_at: now,
            expires_at: now + broker.config.tokens.refresh_token_ttl,
        })?;
        if let Value::Object(map) = &mut response {
            map.insert("refresh_token".into(), json!(refresh_token));
        }
    }
    Ok(response)
}
