//! The token endpoint (RFC 6749 section 3.2): client authentication, then one handler per grant
//! type.

mod authorization_code;
pub mod client_assertion;
pub mod client_auth;
pub(crate) mod issue;
mod refresh_token;

use serde_json::Value;

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::{ErrorCode, OAuthError};
use crate::model::{Client, Fault, Profile, Stage, TxnId, DEFAULT_DELAY_SECONDS};
use crate::oidc::faults;
use crate::oidc::Params;

pub use client_auth::{authenticate, ClientAuthError};

/// A token endpoint failure; `basic_challenge` asks the route for `WWW-Authenticate: Basic`
/// (RFC 6749 5.2: when the client tried HTTP Basic).
#[derive(Debug)]
pub struct TokenError {
    pub error: OAuthError,
    pub basic_challenge: bool,
}

impl From<OAuthError> for TokenError {
    fn from(error: OAuthError) -> TokenError {
        TokenError {
            error,
            basic_challenge: false,
        }
    }
}

impl From<ClientAuthError> for TokenError {
    fn from(e: ClientAuthError) -> TokenError {
        TokenError {
            error: e.error,
            basic_challenge: e.used_basic,
        }
    }
}

/// A token response and the login its grant came from (for the request log).
#[derive(Debug)]
pub struct Issued {
    pub body: Value,
    pub login: Option<TxnId>,
}

/// Handles a token request; `authorization` is the `Authorization` header, if any.
pub async fn token(
    broker: &Broker,
    params: &Params,
    authorization: Option<&str>,
    now: UnixTime,
) -> Result<Issued, TokenError> {
    if let Some(refused) = refused_before_client_auth(broker.profile, params) {
        return Err(refused.into());
    }
    let client = authenticate(
        broker,
        params,
        authorization,
        broker.profile.endpoints().token,
        now,
    )
    .await?;
    if let Some(name) = params.first_repeated() {
        return Err(OAuthError::invalid_request(format!("{name} was sent more than once")).into());
    }
    match params.get("grant_type") {
        None => Err(OAuthError::invalid_request("grant_type is missing").into()),
        Some("authorization_code") => {
            let now = token_endpoint_fault(broker, &client, now).await?;
            Ok(authorization_code::exchange_code(
                broker, &client, params, now,
            )?)
        }
        Some("refresh_token") => Ok(refresh_token::refresh(broker, &client, params, now)?),
        Some(other) => Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            format!("grant_type {other} is not supported"),
        )
        .into()),
    }
}

/// The RP test kit's token-endpoint faults, before the code is looked at (so it stays unspent
/// while an answer is held, and after an error): `token-endpoint-error` answers 500,
/// `token-endpoint-slow` holds the answer. The time to go on with.
async fn token_endpoint_fault(
    broker: &Broker,
    client: &Client,
    now: UnixTime,
) -> Result<UnixTime, OAuthError> {
    let queued = faults::take_queued(broker, &client.client_id, Stage::TokenEndpoint, None, now)?;
    match queued {
        Some(q) if q.fault == Fault::TokenEndpointError => Err(OAuthError::server_error(
            "the token-endpoint-error fault of the RP test kit",
        )),
        Some(q) if q.fault == Fault::TokenEndpointSlow => {
            faults::hold(broker, q.delay_seconds.unwrap_or(DEFAULT_DELAY_SECONDS)).await;
            Ok(broker.now())
        }
        _ => Ok(now),
    }
}

/// NEB (IdentityServer) refuses a token request that sends no parameters at all with
/// `invalid_request`, before it looks for a client (STUBID pp/CAP-042; brokers.md, "NEB").
fn refused_before_client_auth(profile: Profile, params: &Params) -> Option<OAuthError> {
    (profile == Profile::Neb && params.is_empty())
        .then(|| OAuthError::invalid_request("the token request has no parameters"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neb_refuses_a_request_without_parameters_before_client_authentication() {
        let empty = Params::parse(b"");
        let refused = refused_before_client_auth(Profile::Neb, &empty).unwrap();
        assert_eq!(refused.code, ErrorCode::InvalidRequest);
        // With anything sent, the client is authenticated first (invalid_client, CAP-014).
        assert!(
            refused_before_client_auth(Profile::Neb, &Params::parse(b"client_id=rp")).is_none()
        );
        // The standard asks for the client first (RFC 6749 5.2).
        assert!(refused_before_client_auth(Profile::Standard, &empty).is_none());
    }
}
