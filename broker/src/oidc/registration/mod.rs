//! Dynamic client registration (RFC 7591, OpenID Connect Dynamic Client Registration 1.0) and
//! the client configuration endpoint (RFC 7592). A registered client is an ordinary
//! [`Client`]: the control API and this endpoint write the same store.
//!
//! Secrets: the client secret and the registration access token are random, shown once in the
//! answer that made them, and stored as SHA-256 hashes; presented tokens are compared in
//! constant time. Only a `client_secret_jwt` client's secret is also kept in clear (see
//! [`crate::model::ClientJose::jwt_secret`]).

pub mod metadata;
pub mod rules;

use serde_json::{json, Value};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::{ErrorCode, OAuthError};
use crate::model::{AuthMethod, Client, ClientId, Registration};
use crate::oidc::fetch;
use crate::oidc::fetch::Outbound;
use crate::paths;
use crate::secrets;

pub use metadata::{Door, Metadata, Secret};

fn invalid_token(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidToken, description)
}

/// The token of `Authorization: Bearer <token>`.
fn bearer(authorization: Option<&str>) -> Option<&str> {
    let (scheme, token) = authorization?.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// `[registration] initial_access_token`, when configured, must be presented as a Bearer token.
fn check_initial_access_token(
    broker: &Broker,
    authorization: Option<&str>,
) -> Result<(), OAuthError> {
    let Some(expected) = &broker.config.registration.initial_access_token else {
        return Ok(());
    };
    let presented = bearer(authorization).ok_or_else(|| {
        invalid_token("registration needs the initial access token as a Bearer token")
    })?;
    if secrets::constant_time_eq(&secrets::hash(presented), &secrets::hash(expected)) {
        Ok(())
    } else {
        Err(invalid_token("the initial access token is wrong"))
    }
}

fn parse_body(body: &[u8]) -> Result<Value, OAuthError> {
    serde_json::from_slice(body).map_err(|e| {
        OAuthError::new(
            ErrorCode::InvalidClientMetadata,
            "the request body must be a JSON object of client metadata",
        )
        .with_detail(e.to_string())
    })
}

/// Parses the metadata and fetches the sector document, if any; returns the pairwise sector.
async fn validate(
    outbound: fetch::Outbound,
    body: &Value,
) -> Result<(Metadata, Option<String>), OAuthError> {
    let metadata = metadata::parse(body)?;
    let sector = match &metadata.sector_identifier_uri {
        None => None,
        Some(uri) => {
            let document = fetch::fetch(outbound, uri, "application/json")
                .await
                .map_err(|e| {
                    OAuthError::new(
                        ErrorCode::InvalidClientMetadata,
                        format!("sector_identifier_uri could not be read: {e}"),
                    )
                })?;
            Some(rules::check_sector_document(
                uri,
                &document,
                &metadata.redirect_uris,
            )?)
        }
    };
    Ok((metadata, sector))
}

/// The client information response (RFC 7591 3.2.1, RFC 7592 3).
fn response(
    broker: &Broker,
    client: &Client,
    registration: &Registration,
    shown_secret: Option<&str>,
    access_token: Option<&str>,
) -> Value {
    let mut body = registration.metadata.clone();
    body.insert("client_id".into(), json!(client.client_id.as_str()));
    body.insert("client_id_issued_at".into(), json!(registration.issued_at));
    body.insert(
        "registration_client_uri".into(),
        json!(configuration_uri(broker, &client.client_id)),
    );
    if let Some(token) = access_token {
        body.insert("registration_access_token".into(), json!(token));
    }
    if client.secret_hash.is_some() {
        // The secret never expires; it is shown only in the answer that made it.
        body.insert("client_secret_expires_at".into(), json!(0));
    }
    if let Some(secret) = shown_secret {
        body.insert("client_secret".into(), json!(secret));
    }
    Value::Object(body)
}

pub fn configuration_uri(broker: &Broker, client_id: &ClientId) -> String {
    format!(
        "{}/{}",
        broker.issuer.endpoint(paths::REGISTER),
        url::form_urlencoded::byte_serialize(client_id.as_str().as_bytes()).collect::<String>()
    )
}

/// `POST /register` (RFC 7591 3.1): registers a client and answers its information with the
/// secret and the registration access token, each shown this once.
pub async fn register(
    broker: &Broker,
    body: &[u8],
    authorization: Option<&str>,
    now: UnixTime,
) -> Result<Value, OAuthError> {
    check_initial_access_token(broker, authorization)?;
    let (metadata, sector) = validate(Outbound::of(&broker.config), &parse_body(body)?).await?;
    let client_id = ClientId::new(secrets::random_id());
    let secret = Secret::new(metadata.token_endpoint_auth_method, None)?;
    let access_token = secrets::random_token();
    let registration = Registration {
        access_token_hash: secrets::hash(&access_token),
        issued_at: now,
        metadata: metadata.to_json(),
    };
    let client = metadata.client(client_id, sector, &secret, Some(registration.clone()));
    broker.store.clients.create(&client)?;
    tracing::info!(client = %client.client_id, "client registered dynamically");
    Ok(response(
        broker,
        &client,
        &registration,
        secret.shown.as_deref(),
        Some(&access_token),
    ))
}

/// The client named in the configuration URI, if the Bearer token is its registration access
/// token. Any failure is `invalid_token` (RFC 7592 2: do not reveal whether the client exists).
fn authorized_client(
    broker: &Broker,
    client_id: &str,
    authorization: Option<&str>,
) -> Result<(Client, Registration), OAuthError> {
    let presented = bearer(authorization)
        .ok_or_else(|| invalid_token("the registration access token is missing"))?;
    let client = broker.store.clients.get(&ClientId::new(client_id))?;
    let Some((client, registration)) = client.and_then(|c| c.registration.clone().map(|r| (c, r)))
    else {
        return Err(invalid_token("the registration access token is not valid"));
    };
    if !secrets::constant_time_eq(&secrets::hash(presented), &registration.access_token_hash) {
        return Err(invalid_token("the registration access token is not valid"));
    }
    Ok((client, registration))
}

/// `GET /register/{client_id}` (RFC 7592 2.1). The secret is not shown again: only its hash
/// exists.
pub fn read(
    broker: &Broker,
    client_id: &str,
    authorization: Option<&str>,
) -> Result<Value, OAuthError> {
    let (client, registration) = authorized_client(broker, client_id, authorization)?;
    Ok(response(broker, &client, &registration, None, None))
}

/// `PUT /register/{client_id}` (RFC 7592 2.2): the body replaces all metadata; members left
/// out return to their defaults. The secret is kept, unless the new method needs one the broker
/// cannot provide from what it stored (then a new one is made and shown once).
pub async fn update(
    broker: &Broker,
    client_id: &str,
    authorization: Option<&str>,
    body: &[u8],
) -> Result<Value, OAuthError> {
    let (old, old_registration) = authorized_client(broker, client_id, authorization)?;
    let body = parse_body(body)?;
    match body.get("client_id").and_then(Value::as_str) {
        Some(id) if id == old.client_id.as_str() => {}
        _ => {
            return Err(OAuthError::invalid_request(
                "the body's client_id must name the client being updated (RFC 7592 2.2)",
            ))
        }
    }
    if let Some(sent) = body.get("client_secret").and_then(Value::as_str) {
        let matches = old
            .secret_hash
            .as_deref()
            .is_some_and(|h| secrets::constant_time_eq(h, &secrets::hash(sent)));
        if !matches {
            return Err(OAuthError::invalid_request(
                "client_secret does not match the client's current secret (RFC 7592 2.2)",
            ));
        }
    }
    let (metadata, sector) = validate(Outbound::of(&broker.config), &body).await?;
    let method = metadata.token_endpoint_auth_method;
    let keeps_secret = method.uses_secret()
        && old.secret_hash.is_some()
        && (method != AuthMethod::ClientSecretJwt || old.jose.jwt_secret.is_some());
    let secret = if keeps_secret {
        Secret {
            hash: old.secret_hash.clone(),
            jwt_secret: (method == AuthMethod::ClientSecretJwt)
                .then(|| old.jose.jwt_secret.clone())
                .flatten(),
            shown: None,
        }
    } else {
        Secret::new(method, None)?
    };
    let registration = Registration {
        metadata: metadata.to_json(),
        ..old_registration
    };
    let client = metadata.client(
        old.client_id.clone(),
        sector,
        &secret,
        Some(registration.clone()),
    );
    broker.store.clients.put(&client)?;
    Ok(response(
        broker,
        &client,
        &registration,
        secret.shown.as_deref(),
        None,
    ))
}

/// `DELETE /register/{client_id}` (RFC 7592 2.3): the client and its registration access token
/// are gone; its tokens stop working at the token endpoint, which no longer knows the client.
pub fn delete(
    broker: &Broker,
    client_id: &str,
    authorization: Option<&str>,
) -> Result<(), OAuthError> {
    let (client, _) = authorized_client(broker, client_id, authorization)?;
    broker.store.clients.delete(&client.client_id)?;
    tracing::info!(client = %client.client_id, "dynamically registered client deleted");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_token_is_read_case_insensitively() {
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
        assert_eq!(bearer(None), None);
    }

    #[test]
    fn only_client_secret_jwt_keeps_the_secret_in_clear() {
        let jwt = Secret::new(AuthMethod::ClientSecretJwt, None).unwrap();
        assert_eq!(jwt.jwt_secret, jwt.shown);
        assert_eq!(jwt.hash, jwt.shown.as_deref().map(secrets::hash));
        let basic = Secret::new(AuthMethod::ClientSecretBasic, None).unwrap();
        assert!(basic.jwt_secret.is_none() && basic.hash.is_some());
        let pkj = Secret::new(AuthMethod::PrivateKeyJwt, None).unwrap();
        assert!(pkj.hash.is_none() && pkj.shown.is_none());
    }
}
