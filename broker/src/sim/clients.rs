//! Clients registered by a test or a developer: create (a generated secret is shown once),
//! find, delete.

use serde_json::{Map, Value};

use super::{SimError, SimResult};
use crate::app::Broker;
use crate::error::OAuthError;
use crate::model::{Client, ClientId};
use crate::oidc::registration::metadata::{self, Door, Secret};

/// The client metadata taken beside `client_id`, `client_secret`, `require_pkce`,
/// `sector_identifier` and `private_service`; checked by the same rules as dynamic
/// registration (`metadata::parse_for` with [`Door::ControlApi`]).
pub const METADATA: &[&str] = &[
    "name",
    "redirect_uris",
    "post_logout_redirect_uris",
    "response_types",
    "token_endpoint_auth_method",
    "id_token_signed_response_alg",
    "subject_type",
    "backchannel_logout_uri",
    "backchannel_logout_session_required",
    "frontchannel_logout_uri",
    "frontchannel_logout_session_required",
    "jwks",
    "jwks_uri",
    "token_endpoint_auth_signing_alg",
    "request_object_signing_alg",
    "userinfo_signed_response_alg",
    "default_max_age",
    "default_acr_values",
    "require_auth_time",
];

/// What only the simulator sets; every other member is client metadata.
#[derive(Debug, serde::Deserialize)]
pub struct NewClient {
    pub client_id: String,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub require_pkce: bool,
    #[serde(default)]
    pub sector_identifier: Option<String>,
    #[serde(default)]
    pub private_service: bool,
    #[serde(flatten)]
    pub metadata: Map<String, Value>,
}

/// Registers a client. Returns it and, when the broker generated its secret, the secret:
/// shown once, never stored in clear.
pub fn create(broker: &Broker, input: NewClient) -> SimResult<(Client, Option<String>)> {
    if input.client_id.is_empty() || input.client_id.len() > 128 {
        return Err(SimError::BadInput(
            "client_id must be 1-128 characters".into(),
        ));
    }
    if let Some(unknown) = input
        .metadata
        .keys()
        .find(|k| !METADATA.contains(&k.as_str()))
    {
        return Err(SimError::BadInput(format!(
            "unknown field `{unknown}`; a client takes client_id, client_secret, require_pkce, \
             sector_identifier, private_service and {}",
            METADATA.join(", ")
        )));
    }
    let refused = |e: OAuthError| SimError::BadInput(e.description.to_string());
    let metadata =
        metadata::parse_for(&Value::Object(input.metadata), Door::ControlApi).map_err(refused)?;
    let secret =
        Secret::new(metadata.token_endpoint_auth_method, input.client_secret).map_err(refused)?;
    let client = Client {
        require_pkce: input.require_pkce,
        private_service: input.private_service,
        ..metadata.client(
            ClientId::new(input.client_id),
            input.sector_identifier,
            &secret,
            None,
        )
    };
    broker.store.clients.create(&client)?;
    Ok((client, secret.shown))
}

pub fn find(broker: &Broker, id: &str) -> SimResult<Client> {
    broker
        .store
        .clients
        .get(&ClientId::new(id))?
        .ok_or_else(|| SimError::NotFound(format!("no client {id}")))
}

pub fn delete(broker: &Broker, id: &str) -> SimResult<()> {
    if !broker.store.clients.delete(&ClientId::new(id))? {
        return Err(SimError::NotFound(format!("no client {id}")));
    }
    Ok(())
}
