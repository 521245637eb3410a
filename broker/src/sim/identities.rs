//! Test identities: find, create, edit (JSON merge patch, RFC 7386), delete.

use serde_json::{json, Map, Value};

use super::{SimError, SimResult};
use crate::app::Broker;
use crate::model::{
    Assurance, Client, ClientId, Grant, GrantId, Identity, IdentityId, Idp, Level, Profile, Sid,
    UserId,
};
use crate::oidc::{claims, profile};

/// An identity by its UUID or its user ID.
pub fn find(broker: &Broker, key: &str) -> SimResult<Identity> {
    let store = &broker.store.identities;
    if let Some(identity) = store.get(&IdentityId::new(key))? {
        return Ok(identity);
    }
    store
        .by_user_id(&UserId::new(key))?
        .ok_or_else(|| SimError::NotFound(format!("no identity {key}")))
}

/// Creates an identity from its JSON fields (a new UUID unless `id` is given; names default
/// to empty, but one of them is required).
pub fn create(broker: &Broker, mut fields: Value) -> SimResult<Identity> {
    refuse_level(&fields)?;
    if let Value::Object(map) = &mut fields {
        map.entry("id")
            .or_insert_with(|| json!(uuid::Uuid::new_v4().to_string()));
        map.entry("given_name").or_insert_with(|| json!(""));
        map.entry("family_name").or_insert_with(|| json!(""));
    }
    let identity: Identity = serde_json::from_value(fields)
        .map_err(|e| SimError::BadInput(format!("invalid identity: {e}")))?;
    check(&identity)?;
    broker.store.identities.create(&identity)?;
    Ok(identity)
}

/// Applies a JSON merge patch to the identity `key` names; `id` cannot change.
pub fn update(broker: &Broker, key: &str, patch: &Value) -> SimResult<Identity> {
    let current = find(broker, key)?;
    refuse_level(patch)?;
    let mut merged = serde_json::to_value(&current)
        .map_err(|e| SimError::BadInput(format!("invalid identity: {e}")))?;
    merge_patch(&mut merged, patch);
    if let Value::Object(map) = &mut merged {
        map.insert("id".into(), json!(current.id));
    }
    let updated: Identity = serde_json::from_value(merged)
        .map_err(|e| SimError::BadInput(format!("invalid identity: {e}")))?;
    check(&updated)?;
    broker.store.identities.update(&updated)?;
    Ok(updated)
}

pub fn delete(broker: &Broker, key: &str) -> SimResult<Identity> {
    let identity = find(broker, key)?;
    broker.store.identities.delete(&identity.id)?;
    Ok(identity)
}

/// Every scope a client can ask for, for [`userinfo_preview`].
const ALL_SCOPES: [&str; 10] = [
    "openid",
    "profile",
    "email",
    "phone",
    "address",
    "mitid",
    "ssn",
    "nemid.pid",
    "nemlogin",
    "offline_access",
];

/// What userinfo would answer a client of each profile that asks for every scope, for a MitID
/// login of this person at the level they reach (the dashboard's identity page). The same
/// claim functions as a real answer, over a grant made up for the preview.
pub fn userinfo_preview(
    broker: &Broker,
    identity: &Identity,
) -> SimResult<Vec<(Profile, Map<String, Value>)>> {
    let now = broker.now();
    let level = identity.reachable_level().unwrap_or(Level::Substantial);
    let client: Client = serde_json::from_value(json!({
        "client_id": "dashboard-preview",
        "redirect_uris": ["https://preview.invalid/callback"],
    }))
    .map_err(|e| SimError::BadInput(format!("preview client: {e}")))?;
    let mut previews = Vec::new();
    for p in Profile::ALL {
        let view = broker.for_profile(p);
        let grant = Grant {
            id: GrantId::new("preview"),
            profile: p,
            client_id: ClientId::new("dashboard-preview"),
            identity_id: identity.id.clone(),
            scopes: ALL_SCOPES.map(String::from).to_vec(),
            auth_time: now,
            acr: level,
            amr: Vec::new(),
            assurance: Assurance {
                idp: Idp::Mitid,
                ial: identity.ial,
                aal: crate::mitid::aal(&identity.authenticator_kinds()).unwrap_or(level),
            },
            sid: Sid::new("preview"),
            business: None,
            login_id: None,
            claims: None,
            dialect_scopes: Vec::new(),
        };
        let mut standard = claims::scope_claims(identity, &grant, now);
        standard.insert(
            "sub".into(),
            json!(claims::subject(&view, &client, identity)),
        );
        let login = profile::Login {
            client: &client,
            identity,
            grant: &grant,
        };
        previews.push((p, profile::userinfo(&view, &login, standard, now)?));
    }
    Ok(previews)
}

fn check(identity: &Identity) -> SimResult<()> {
    identity
        .check()
        .map_err(|e| SimError::BadInput(e.to_string()))
}

/// `level` was an identity field; the level now follows from `ial` and `authenticators`, and
/// an ignored `level` would silently not do what the caller meant.
fn refuse_level(fields: &Value) -> SimResult<()> {
    if fields.get("level").is_some() {
        return Err(SimError::BadInput(
            "level is no longer set directly: the level an identity reaches follows from ial \
             (low|substantial|high) and authenticators (e.g. [{\"kind\": \"app\", \
             \"enrolled_at_high\": true}])"
                .into(),
        ));
    }
    Ok(())
}

fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    if let Value::Object(map) = target {
        for (k, v) in patch {
            if v.is_null() {
                map.remove(k);
            } else {
                merge_patch(map.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_patch_replaces_members_and_removes_nulls() {
        let mut target = json!({"a": 1, "b": {"c": 2, "d": 3}});
        merge_patch(&mut target, &json!({"a": null, "b": {"c": 5}, "e": [1]}));
        assert_eq!(target, json!({"b": {"c": 5, "d": 3}, "e": [1]}));
    }
}
