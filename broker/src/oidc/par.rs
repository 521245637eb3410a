//! Pushed authorization requests (RFC 9126): the client authenticates and POSTs its
//! authorization request; the broker checks it as `/authorize` would, keeps it for
//! `[par] lifetime` seconds, and answers a `request_uri` that works once, for that client only.
//! The handle is random and stored hashed.

use serde_json::{json, Value};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::PushedRequest;
use crate::oidc::authorize::{self, check_request_object};
use crate::oidc::fetch::Outbound;
use crate::oidc::token::{authenticate, TokenError};
use crate::oidc::{client_keys, Params};
use crate::{paths, secrets};

/// Client credentials never become part of the stored request.
const CREDENTIALS: &[&str] = &["client_secret", "client_assertion", "client_assertion_type"];

pub async fn push(
    broker: &Broker,
    params: &Params,
    authorization: Option<&str>,
    now: UnixTime,
) -> Result<Value, TokenError> {
    let client = authenticate(
        broker,
        params,
        authorization,
        broker.profile.endpoints().par.unwrap_or(paths::PAR),
        now,
    )
    .await?;
    if let Some(name) = params.first_repeated() {
        return Err(OAuthError::invalid_request(format!("{name} was sent more than once")).into());
    }
    if params.get("request_uri").is_some() {
        return Err(OAuthError::invalid_request(
            "request_uri must not be pushed (RFC 9126 2.1); send the request object as request",
        )
        .into());
    }
    let mut overrides = match params.get("request") {
        None => Vec::new(),
        Some(jwt) => {
            // The keys are fetched first when they live at a jwks_uri: verification is sync.
            let fetched = match (&client.jose.jwks, &client.jose.jwks_uri) {
                (None, Some(_)) => {
                    Some(client_keys::jwks(Outbound::of(&broker.config), &client).await)
                }
                _ => None,
            };
            let keys = || match (&client.jose.jwks, fetched) {
                (Some(jwks), _) => Ok(jwks.clone()),
                (None, Some(Ok(jwks))) => Ok(jwks),
                (None, Some(Err(e))) => Err(OAuthError::new(
                    crate::error::ErrorCode::InvalidRequestObject,
                    e.to_string(),
                )),
                (None, None) => Err(OAuthError::new(
                    crate::error::ErrorCode::InvalidRequestObject,
                    "the request object is signed, but the client registered no keys",
                )),
            };
            check_request_object::verified_parameters(broker, &client, params, jwt, keys, now)?
        }
    };
    overrides.push(("client_id".into(), client.client_id.as_str().into()));
    let mut removed = CREDENTIALS.to_vec();
    removed.push("request");
    let request = params.merged(overrides, &removed);
    authorize::check_pushed(broker, &client, &request)?;

    let handle = secrets::random_token();
    let lifetime = crate::oidc::profile::par_lifetime(broker);
    broker
        .store
        .pushed
        .put(
            &secrets::hash(&handle),
            &PushedRequest {
                client_id: client.client_id.clone(),
                params: request.encode(),
                expires_at: now + lifetime,
            },
        )
        .map_err(OAuthError::from)?;
    Ok(json!({
        "request_uri": format!("{}{handle}", check_request_object::PAR_URN_PREFIX),
        "expires_in": lifetime,
    }))
}
