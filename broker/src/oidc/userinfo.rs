//! The UserInfo endpoint (OIDC Core 5.3), with the bearer token in the `Authorization` header
//! or the form body (RFC 6750 2.1, 2.2), never both.

use serde_json::{json, Value};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::{ErrorCode, OAuthError};
use crate::model::{AccessToken, BelongsTo, Fault, RpAct, Stage};
use crate::oidc::profile::{self, Login};
use crate::oidc::{claims, faults, Params};
use crate::secrets;

/// A bearer-token failure (RFC 6750 3.1). `error` is None when the request carried no token:
/// then the challenge names no error.
#[derive(Debug)]
pub struct BearerError {
    pub error: Option<OAuthError>,
}

impl BearerError {
    fn invalid_token(description: &'static str) -> BearerError {
        BearerError {
            error: Some(OAuthError::new(ErrorCode::InvalidToken, description)),
        }
    }
}

impl From<OAuthError> for BearerError {
    fn from(e: OAuthError) -> BearerError {
        BearerError { error: Some(e) }
    }
}

/// The access token from the header or the body.
pub fn bearer_token<'a>(
    authorization: Option<&'a str>,
    body: Option<&'a Params>,
) -> Result<&'a str, BearerError> {
    let header = match authorization {
        None => None,
        Some(h) => match h.trim().split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Some(token.trim()),
            _ => {
                return Err(BearerError::invalid_token(
                    "the Authorization header is not Bearer",
                ))
            }
        },
    };
    let form = body.and_then(|b| b.get("access_token"));
    match (header, form) {
        (Some(_), Some(_)) => Err(OAuthError::invalid_request(
            "send the access token in the header or the body, not both",
        )
        .into()),
        (Some(t), None) | (None, Some(t)) => Ok(t),
        (None, None) => Err(BearerError { error: None }),
    }
}

/// A live access token, or `invalid_token`.
pub fn live_access_token(
    broker: &Broker,
    token: &str,
    now: UnixTime,
) -> Result<AccessToken, BearerError> {
    let stored = broker
        .store
        .tokens
        .get_access(&secrets::hash(token))
        .map_err(OAuthError::from)?
        .ok_or_else(|| BearerError::invalid_token("the access token is not valid"))?;
    if stored.expires_at <= now {
        return Err(BearerError::invalid_token("the access token has expired"));
    }
    if stored.grant.profile != broker.profile {
        return Err(BearerError::invalid_token(
            "the access token was issued by another issuer",
        ));
    }
    Ok(stored)
}

/// The userinfo response: JSON, or a JWS for clients that registered
/// `userinfo_signed_response_alg` (OIDC Core 5.3.2).
#[derive(Debug)]
pub enum Userinfo {
    Json(Value),
    Signed(String),
}

/// The userinfo answer, and the client and login of its access token (for the request log).
pub fn userinfo(
    broker: &Broker,
    authorization: Option<&str>,
    body: Option<&Params>,
    now: UnixTime,
) -> Result<(Userinfo, BelongsTo), BearerError> {
    let token = bearer_token(authorization, body)?;
    let stored = live_access_token(broker, token, now)?;
    let belongs = BelongsTo {
        client: Some(stored.grant.client_id.clone()),
        login: stored.grant.login_id.clone(),
    };
    let store = &broker.store;
    let client = store
        .clients
        .get(&stored.grant.client_id)
        .map_err(OAuthError::from)?
        .ok_or_else(|| BearerError::invalid_token("the client no longer exists"))?;
    let identity = store
        .identities
        .get(&stored.grant.identity_id)
        .map_err(OAuthError::from)?
        .ok_or_else(|| BearerError::invalid_token("the identity no longer exists"))?;
    if identity.status != crate::model::IdentityStatus::Active {
        return Err(BearerError::invalid_token(
            "the person's MitID is suspended or revoked",
        ));
    }
    let mut claims = claims::scope_claims(&identity, &stored.grant, now);
    claims.extend(claims::requested_for_userinfo(
        &identity,
        &stored.grant,
        now,
    ));
    claims.insert(
        "sub".into(),
        json!(claims::subject(broker, &client, &identity)),
    );
    let login = Login {
        client: &client,
        identity: &identity,
        grant: &stored.grant,
    };
    let mut claims = profile::userinfo(broker, &login, claims, now).map_err(OAuthError::from)?;
    // The RP test kit: what the RP did, and a queued fault.
    faults::saw(
        broker,
        &client.client_id,
        stored.grant.login_id.as_ref(),
        RpAct::Userinfo,
        now,
    );
    match faults::take(
        broker,
        &client.client_id,
        Stage::Userinfo,
        stored.grant.login_id.as_ref(),
        now,
    )? {
        Some(Fault::Userinfo500) => {
            return Err(
                OAuthError::server_error("the userinfo-500 fault of the RP test kit").into(),
            )
        }
        Some(Fault::UserinfoInvalidSub) => {
            claims.insert("sub".into(), json!("another-subject-than-the-id-token-s"));
        }
        _ => {}
    }
    let Some(alg) = client.jose.userinfo_signed_response_alg else {
        return Ok((Userinfo::Json(Value::Object(claims)), belongs));
    };
    // OIDC Core 5.3.2: a signed response SHOULD carry iss and aud.
    claims.insert("iss".into(), json!(broker.issuer.as_str()));
    claims.insert("aud".into(), json!(client.client_id.as_str()));
    let payload = Value::Object(claims).to_string();
    let jwt =
        profile::sign_jwt(broker, alg, "JWT", payload.as_bytes()).map_err(OAuthError::from)?;
    Ok((Userinfo::Signed(jwt), belongs))
}
