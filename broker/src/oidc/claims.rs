//! Claims about an identity: the subject a client sees, and the scope claims (OIDC Core 5.4)
//! with their OIDC Core JSON types.

use serde_json::{json, Map, Value};

use crate::app::Broker;
use crate::model::{Client, Identity, SubjectType};
use crate::secrets;

/// `sub`: the identity's UUID for public clients; for pairwise clients a value that differs
/// per sector and cannot be linked across sectors (OIDC Core 8.1).
pub fn subject(broker: &Broker, client: &Client, identity: &Identity) -> String {
    match client.subject_type {
        SubjectType::Public => identity.id.to_string(),
        SubjectType::Pairwise => secrets::hash(&format!(
            "{}|{}|{}",
            client.sector(),
            identity.id,
            broker.pairwise_salt
        )),
    }
}

/// The claims the granted scopes release, beside `sub`.
pub fn scope_claims(identity: &Identity, scopes: &[String]) -> Map<String, Value> {
    let mut claims = Map::new();
    let has = |s: &str| scopes.iter().any(|x| x == s);
    if has("profile") {
        claims.insert("name".into(), json!(identity.name()));
        claims.insert("given_name".into(), json!(identity.given_name));
        claims.insert("family_name".into(), json!(identity.family_name));
        if let Some(birthdate) = &identity.birthdate {
            claims.insert("birthdate".into(), json!(birthdate));
        }
    }
    if has("email") {
        if let Some(email) = &identity.email {
            claims.insert("email".into(), json!(email));
            claims.insert("email_verified".into(), json!(identity.email_verified));
        }
    }
    if has("phone") {
        if let Some(phone) = &identity.phone_number {
            claims.insert("phone_number".into(), json!(phone));
            claims.insert(
                "phone_number_verified".into(),
                json!(identity.phone_number_verified),
            );
        }
    }
    if has("address") {
        if let Some(address) = &identity.address {
            let mut value = serde_json::to_value(address).unwrap_or(Value::Null);
            let formatted = [
                address.street_address.clone(),
                match (&address.postal_code, &address.locality) {
                    (Some(p), Some(l)) => Some(format!("{p} {l}")),
                    (p, l) => p.clone().or(l.clone()),
                },
                address.country.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n");
            if let Value::Object(map) = &mut value {
                map.insert("formatted".into(), json!(formatted));
            }
            claims.insert("address".into(), value);
        }
    }
    claims
}
