//! The ID token (OIDC Core 2 and 3.1.3.6), signed with the client's registered algorithm.

use serde_json::{json, Value};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{Client, Grant, Identity, Idp};
use crate::oidc::claims;
use crate::secrets;

pub struct IdTokenInput<'a> {
    pub client: &'a Client,
    pub identity: &'a Identity,
    pub grant: &'a Grant,
    pub nonce: Option<&'a str>,
    pub access_token: &'a str,
}

pub fn issue_id_token(
    broker: &Broker,
    input: IdTokenInput<'_>,
    now: UnixTime,
) -> Result<String, OAuthError> {
    let mut payload = json!({
        "iss": broker.issuer.as_str(),
        "sub": claims::subject(broker, input.client, input.identity),
        "aud": input.client.client_id.as_str(),
        "azp": input.client.client_id.as_str(),
        "exp": now + broker.config.tokens.id_token_ttl,
        "iat": now,
        "auth_time": input.grant.auth_time,
        "acr": input.grant.acr.uri(),
        "amr": input.grant.amr,
        "idp": input.grant.assurance.idp.as_str(),
        // NEB's identity_type: a MitID Erhverv login is a professional's.
        "identity_type": if input.grant.assurance.idp == Idp::MitidErhverv { "professional" } else { "private" },
        // loa = min(ial, aal) is the level achieved, the same as `acr`.
        "loa": input.grant.acr.uri(),
        "ial": input.grant.assurance.ial.uri(),
        "aal": input.grant.assurance.aal.uri(),
        // RS256, PS256 and ES256 all hash with SHA-256.
        "at_hash": secrets::left_half_sha256(input.access_token),
        "sid": input.grant.sid.as_str(),
    });
    if let (Some(nonce), Value::Object(map)) = (input.nonce, &mut payload) {
        map.insert("nonce".into(), json!(nonce));
    }
    let bytes = serde_json::to_vec(&payload).map_err(OAuthError::server_error)?;
    Ok(broker
        .keys
        .sign_jwt(input.client.id_token_signed_response_alg, "JWT", &bytes)?)
}
