//! A client's public keys: registered by value (`jwks`), or fetched from its `jwks_uri` each
//! time they are needed (so a client's key rotation takes effect at once; the fetch has a size
//! and a time limit, see [`crate::oidc::fetch`]).

use keys::Jwks;

use crate::model::Client;
use crate::oidc::fetch::{self, Outbound};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClientKeysError {
    #[error("the client registered neither jwks nor jwks_uri")]
    NoKeys,
    #[error("the client's jwks_uri could not be read: {0}")]
    Fetch(#[from] fetch::FetchError),
    #[error("the client's jwks_uri does not serve a JWK Set")]
    NotAJwkSet,
}

/// The client's JWK Set.
pub async fn jwks(outbound: Outbound, client: &Client) -> Result<Jwks, ClientKeysError> {
    if let Some(jwks) = &client.jose.jwks {
        return Ok(jwks.clone());
    }
    let uri = client
        .jose
        .jwks_uri
        .as_deref()
        .ok_or(ClientKeysError::NoKeys)?;
    let body = fetch::fetch(outbound, uri, "application/jwk-set+json, application/json").await?;
    serde_json::from_slice(&body).map_err(|_| ClientKeysError::NotAJwkSet)
}
