//! Issues the token response: an opaque access token, an ID token, and a refresh token when
//! `offline_access` was granted.

use serde_json::{json, Value};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{AccessToken, Client, Grant, IdentityStatus, RefreshToken, Stage};
use crate::oidc::claims;
use crate::oidc::id_token::{issue_id_token, IdTokenInput};
use crate::oidc::profile::{self, Login};
use crate::secrets;

pub struct Issue<'a> {
    /// The ID token's stage for the RP test kit's faults: a login's first, or a refresh's.
    pub stage: Stage,
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
    // A suspended or revoked MitID gets no new tokens (nor refreshed ones).
    if identity.status != IdentityStatus::Active {
        return Err(OAuthError::invalid_grant(format!(
            "the person's MitID is {}",
            identity.status.as_str()
        )));
    }
    let ttl = profile::access_token_ttl(broker);
    let login = Login {
        client: issue.client,
        identity: &identity,
        grant: issue.grant,
    };
    let access_token = mint_for(broker, &login, issue.scopes, now)?;
    let id_token = issue_id_token(
        broker,
        IdTokenInput {
            client: issue.client,
            identity: &identity,
            grant: issue.grant,
            nonce: issue.nonce,
            access_token: Some(&access_token),
            code: None,
            state: None,
            extra: claims::requested_for_id_token(&identity, issue.grant, now),
            stage: issue.stage,
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
            // An absolute lifetime from the login: rotation never extends it.
            expires_at: issue.grant.auth_time + broker.config.tokens.refresh_token_ttl,
        })?;
        if let Value::Object(map) = &mut response {
            map.insert("refresh_token".into(), json!(refresh_token));
        }
    }
    Ok(response)
}

/// Stores a new access token for `scopes` of `grant`; returns the token (only its hash is
/// stored). It is opaque, or a JWT where the profile issues JWTs (NEB), and lives the
/// profile's access token lifetime.
pub fn mint_access_token(
    broker: &Broker,
    grant: &Grant,
    scopes: &[String],
    now: UnixTime,
) -> Result<String, OAuthError> {
    if !profile::issues_jwt_access_tokens(broker.profile) {
        return store_access_token(broker, secrets::random_token(), grant, scopes, now);
    }
    let store = &broker.store;
    let client = store
        .clients
        .get(&grant.client_id)?
        .ok_or_else(|| OAuthError::invalid_grant("the client no longer exists"))?;
    let identity = store
        .identities
        .get(&grant.identity_id)?
        .ok_or_else(|| OAuthError::invalid_grant("the identity no longer exists"))?;
    let login = Login {
        client: &client,
        identity: &identity,
        grant,
    };
    mint_for(broker, &login, scopes, now)
}

/// [`mint_access_token`] when the client and the person are at hand.
fn mint_for(
    broker: &Broker,
    login: &Login<'_>,
    scopes: &[String],
    now: UnixTime,
) -> Result<String, OAuthError> {
    let access_token = match profile::access_token_claims(broker, login, scopes, now) {
        Some(claims) => {
            let bytes = serde_json::to_vec(&claims).map_err(OAuthError::server_error)?;
            profile::sign_jwt(broker, keys::Alg::RS256, "at+jwt", &bytes)?
        }
        None => secrets::random_token(),
    };
    store_access_token(broker, access_token, login.grant, scopes, now)
}

fn store_access_token(
    broker: &Broker,
    access_token: String,
    grant: &Grant,
    scopes: &[String],
    now: UnixTime,
) -> Result<String, OAuthError> {
    broker.store.tokens.put_access(&AccessToken {
        hash: secrets::hash(&access_token),
        grant: Grant {
            scopes: scopes.to_vec(),
            ..grant.clone()
        },
        issued_at: now,
        expires_at: now + profile::access_token_ttl(broker),
    })?;
    Ok(access_token)
}
