//! The ID token (OIDC Core 2, 3.1.3.6, 3.2.2.10, 3.3.2.11), signed with the client's
//! registered algorithm.

use serde_json::{json, Map, Value};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::Stage;
use crate::model::{Client, Grant, Identity, Idp};
use crate::oidc::profile::{self, Login};
use crate::oidc::{claims, faults};
use crate::secrets;

pub struct IdTokenInput<'a> {
    pub client: &'a Client,
    pub identity: &'a Identity,
    pub grant: &'a Grant,
    pub nonce: Option<&'a str>,
    /// The access token issued beside it, hashed into `at_hash`.
    pub access_token: Option<&'a str>,
    /// The authorization code issued beside it (hybrid flow), hashed into `c_hash`.
    pub code: Option<&'a str>,
    /// The `state` of an authorization-endpoint response, hashed into `s_hash` (FAPI 1.0
    /// Advanced 5.2.2.1), so the client can tell the response was not cut and pasted.
    pub state: Option<&'a str>,
    /// Further claims: scope claims when no access token can fetch them (OIDC Core 5.4).
    pub extra: Map<String, Value>,
    /// Which responses' queued faults it takes: the first ID token of a login, or a refresh's.
    pub stage: Stage,
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
        "exp": now + profile::id_token_ttl(broker),
        "iat": now,
        "auth_time": input.grant.auth_time,
        // An essential acr request is answered with one of its values (OIDC Core 5.5.1.1).
        "acr": input.grant.claims.as_ref().map_or(input.grant.acr, |c| c.acr_for(input.grant.acr)).uri(),
        "amr": input.grant.amr,
        "idp": input.grant.assurance.idp.as_str(),
        // NEB's identity_type: a MitID Erhverv login is a professional's.
        "identity_type": if input.grant.assurance.idp == Idp::MitidErhverv { "professional" } else { "private" },
        // loa = min(ial, aal) is the level achieved, the same as `acr`.
        "loa": input.grant.acr.uri(),
        "ial": input.grant.assurance.ial.uri(),
        "aal": input.grant.assurance.aal.uri(),
        "sid": input.grant.sid.as_str(),
    });
    if let Value::Object(map) = &mut payload {
        for (name, value) in input.extra {
            map.entry(name).or_insert(value);
        }
        if let Some(nonce) = input.nonce {
            map.insert("nonce".into(), json!(nonce));
        }
        // RS256, PS256 and ES256 all hash with SHA-256: the left half, base64url (OIDC Core
        // 3.1.3.6, 3.3.2.11).
        let hashes = [
            ("at_hash", input.access_token),
            ("c_hash", input.code),
            ("s_hash", input.state),
        ];
        for (name, value) in hashes {
            if let Some(value) = value {
                map.insert(name.into(), json!(secrets::left_half_sha256(value)));
            }
        }
    }
    let standard = match payload {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let login = Login {
        client: input.client,
        identity: input.identity,
        grant: input.grant,
    };
    let mut payload = profile::id_token(broker, &login, standard, now)?;
    // The RP test kit: a queued fault makes its one defect.
    let client = &input.client.client_id;
    let login_id = input.grant.login_id.as_ref();
    let mut fault = faults::take(broker, client, input.stage, login_id, now)?;
    if fault.is_none() && input.code.is_some() {
        // A hybrid response's ID token: c_hash faults wait for one.
        fault = faults::take(broker, client, Stage::HybridIdToken, login_id, now)?;
    }
    if let Some(fault) = fault {
        faults::spoil_claims(broker, fault, &mut payload, now);
    }
    let bytes = serde_json::to_vec(&payload).map_err(OAuthError::server_error)?;
    // A refresh in a login whose ID token had no kid has none either: the client's JWKS holds
    // keys without kids for the rest of that login (`oidc::kit_documents`).
    let fault = match (fault, input.stage, login_id) {
        (None, Stage::RefreshIdToken, Some(login)) => faults::kid_absent_in(broker, login)?,
        _ => fault,
    };
    if let Some(fault) = fault {
        let alg = input.client.id_token_signed_response_alg;
        if let Some(token) = faults::sign(broker, fault, alg, &bytes)? {
            return Ok(token);
        }
    }
    Ok(profile::sign_jwt(
        broker,
        input.client.id_token_signed_response_alg,
        "JWT",
        &bytes,
    )?)
}
