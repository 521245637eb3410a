//! The RP test kit's documents of one client: a copy of the issuer's discovery document and
//! JWKS at `{issuer}/rp-test-kit/{client_id}/...`, where the faults that live in documents
//! show (a wrong `issuer`, keys without a `kid`, a JWKS that answers 503 once). The shared
//! documents are fetched without a client, so a fault there would reach every client's logins;
//! an RP under test is configured with its own discovery URL instead.
//!
//! The JWKS follows the client's latest login (the latest the broker recorded something of):
//! when that login's ID token carried `kid-absent-*` or `jwks-unreachable`, the JWKS is that
//! fault's view until the client's next login. A `kid-absent-*` fault shows from the moment it
//! is queued, so an RP that fetches the keys at the start of a login holds the fault's keys.
//! Every fetch is recorded for the client's report.

use serde_json::{json, Value};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{Client, ClientId, Fault, RpAct, RpEvent, Stage};
use crate::oidc::{faults, profile};

/// Where a client's documents live, below its issuer.
pub const PATH: &str = "/rp-test-kit";

/// The client's discovery document URL.
pub fn discovery_url(broker: &Broker, client: &ClientId) -> String {
    format!(
        "{}{PATH}/{client}/.well-known/openid-configuration",
        broker.issuer.as_str().trim_end_matches('/')
    )
}

fn jwks_url(broker: &Broker, client: &ClientId) -> String {
    format!(
        "{}{PATH}/{client}/jwks",
        broker.issuer.as_str().trim_end_matches('/')
    )
}

/// The issuer's discovery document, with the client's own `jwks_uri`, and the
/// `discovery-issuer-mismatch` fault when one is queued.
pub fn discovery(broker: &Broker, client: &Client, now: UnixTime) -> Result<Value, OAuthError> {
    let mut doc: Value =
        serde_json::from_str(&broker.discovery_json).map_err(OAuthError::server_error)?;
    doc["jwks_uri"] = json!(jwks_url(broker, &client.client_id));
    if let Some(Fault::DiscoveryIssuerMismatch) =
        faults::take(broker, &client.client_id, Stage::Discovery, None, now)?
    {
        doc["issuer"] = json!(format!("{}/invalid-iss", broker.issuer.as_str()));
    }
    Ok(doc)
}

/// What the client's JWKS answers.
#[derive(Debug, PartialEq)]
pub enum Jwks {
    Keys(Value),
    /// `jwks-unreachable`: 503 this once.
    Unavailable,
}

pub fn jwks(broker: &Broker, client: &Client, now: UnixTime) -> Result<Jwks, OAuthError> {
    let login = crate::oidc::faults::latest_login(broker, &client.client_id)?;
    let events = match &login {
        Some(login) => crate::oidc::faults::events_for_login(broker, login)?,
        None => Vec::new(),
    };
    // The latest document fault of the login, and whether the JWKS was fetched after it.
    let (fault, fetched_since) = events
        .iter()
        .fold((None, false), |(fault, fetched), e| match &e.act {
            RpAct::Fault { fault: f } if is_document_fault(*f) => (Some(*f), false),
            RpAct::JwksFetch { .. } => (fault, true),
            _ => (fault, fetched),
        });
    let record = |status: u16| {
        crate::oidc::faults::record_now(
            broker,
            RpEvent {
                client_id: client.client_id.clone(),
                login_id: login.clone(),
                at: now,
                act: RpAct::JwksFetch { status },
            },
        )
    };
    if fault == Some(Fault::JwksUnreachable) && !fetched_since {
        record(503)?;
        return Ok(Jwks::Unavailable);
    }
    // A kid-absent fault still queued shows already: an RP that fetches the keys before its
    // login (and keeps them) holds the fault's view when the kid-less token comes.
    let queued = broker
        .store
        .faults
        .list()?
        .into_iter()
        .find(|q| q.client_id == client.client_id && is_kid_absent(q.fault))
        .map(|q| q.fault);
    let fault = queued.or(fault);
    let keys: Value = serde_json::from_str(&profile::jwks_json(broker).map_err(key_error)?)
        .map_err(OAuthError::server_error)?;
    let view = match fault {
        Some(Fault::KidAbsentSingleJwks) => without_kids(vec![signing_key(broker, client, &keys)?]),
        Some(Fault::KidAbsentMultipleJwks) => without_kids(vec![
            signing_key(broker, client, &keys)?,
            decoy(
                broker.store.meta.as_ref(),
                client.id_token_signed_response_alg.key_kind(),
            )?,
        ]),
        _ => keys,
    };
    record(200)?;
    Ok(Jwks::Keys(view))
}

fn is_kid_absent(fault: Fault) -> bool {
    matches!(
        fault,
        Fault::KidAbsentSingleJwks | Fault::KidAbsentMultipleJwks
    )
}

fn is_document_fault(fault: Fault) -> bool {
    matches!(
        fault,
        Fault::KidAbsentSingleJwks | Fault::KidAbsentMultipleJwks | Fault::JwksUnreachable
    )
}

fn key_error(e: keys::KeyError) -> OAuthError {
    OAuthError::server_error(format!("the signing keys: {e}"))
}

/// The published key (as the profile publishes it) that signs the client's ID tokens: found
/// by its public numbers, since a profile may name keys its own way (NEB by certificate).
fn signing_key(broker: &Broker, client: &Client, published: &Value) -> Result<Value, OAuthError> {
    let kind = client.id_token_signed_response_alg.key_kind();
    let kid = broker.keys.active_kid(kind).map_err(key_error)?;
    let jwks = broker.keys.jwks().map_err(key_error)?;
    let active = jwks
        .find(kid.as_str())
        .ok_or_else(|| OAuthError::server_error("the active key is not published"))?;
    let number = |k: &Value, name: &str| k.get(name).and_then(Value::as_str).map(str::to_owned);
    let same = |k: &&Value| match (&active.n, &active.x) {
        (Some(n), _) => number(k, "n").as_deref() == Some(n),
        (None, Some(x)) => number(k, "x").as_deref() == Some(x),
        _ => false,
    };
    published["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(same))
        .cloned()
        .ok_or_else(|| OAuthError::server_error("the active key is not published"))
}

/// A public key of `kind` that signs nothing: made once and kept in the store, so every
/// replica on one database publishes the same one.
fn decoy(meta: &dyn crate::store::MetaStore, kind: keys::KeyKind) -> Result<Value, OAuthError> {
    let name = match kind {
        keys::KeyKind::Rsa => "rp_kit_decoy_rsa",
        _ => "rp_kit_decoy_ec",
    };
    let stored = match meta.get(name)? {
        Some(stored) => stored,
        None => {
            let (key, _pem) = keys::SigningKey::generate(kind).map_err(key_error)?;
            let jwk = serde_json::to_string(&key.public_jwk()).map_err(OAuthError::server_error)?;
            // Two replicas may make one at once: the first stored stands for both.
            meta.get_or_init(name, &jwk)?
        }
    };
    serde_json::from_str(&stored).map_err(OAuthError::server_error)
}

fn without_kids(mut keys: Vec<Value>) -> Value {
    for key in &mut keys {
        if let Some(key) = key.as_object_mut() {
            key.remove("kid");
        }
    }
    json!({ "keys": keys })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SqliteStore, Store};

    #[test]
    fn the_decoy_key_is_made_once_per_database_and_signs_for_nobody_else() {
        let store = Store::from_sqlite(SqliteStore::in_memory().unwrap());
        let first = decoy(store.meta.as_ref(), keys::KeyKind::Rsa).unwrap();
        // Another replica on the same database (or a restart) publishes the same decoy.
        assert_eq!(
            decoy(store.meta.as_ref(), keys::KeyKind::Rsa).unwrap(),
            first
        );
        assert_eq!(first["kty"], "RSA");
        assert!(first.get("d").is_none(), "a public key only: {first}");
        let ec = decoy(store.meta.as_ref(), keys::KeyKind::Ec).unwrap();
        assert_eq!(ec["kty"], "EC");
        // Another database has its own.
        let other = Store::from_sqlite(SqliteStore::in_memory().unwrap());
        assert_ne!(
            decoy(other.meta.as_ref(), keys::KeyKind::Rsa).unwrap(),
            first
        );
    }
}
