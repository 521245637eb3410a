//! Signicat (brokers.md, "Signicat"; developer.signicat.com: the eID hub's MitID attributes
//! and levels of assurance).
//!
//! Its request grammar: `acr_values` names the e-ID (`idp:mitid`) and the level (`loa:<level>`);
//! its scopes are `openid profile idp-id nin mitid-extra`, translated into the standard's
//! (`idp-id` and `mitid-extra` release the MitID facts, `nin` the CPR number).

use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::{dialect_scopes, guid, level_caps, stringify, Dialect, Login, Refusal, Rewrite};
use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{Client, Grant, Identity, Level, Sid};
use crate::oidc::Params;

/// The default ID and access token lifetime of a Signicat client, 600 s (ledger:
/// signicat.token-lifetime).
pub const TOKEN_TTL: i64 = 600;

/// Signicat's scopes and what each is in the standard's terms.
pub const SCOPES: &[(&str, &str)] = &[
    ("openid", "openid"),
    ("profile", "profile"),
    ("idp-id", "mitid"),
    ("nin", "ssn"),
    ("mitid-extra", "mitid"),
];

fn invalid(description: impl Into<String>) -> Refusal {
    Refusal::ToClient(OAuthError::invalid_request(description.into()))
}

pub fn request(params: &Params) -> Result<Dialect, Refusal> {
    let mut rewrite = Rewrite::default();
    let mut level = None;
    for value in params.get("acr_values").unwrap_or("").split_whitespace() {
        match value.split_once(':') {
            Some(("idp", "mitid")) => {}
            Some(("idp", other)) => {
                return Err(invalid(format!(
                    "acr_values idp:{other} is not simulated; only idp:mitid is"
                )))
            }
            Some(("loa", name)) => {
                level = Some(Level::from_name(name).ok_or_else(|| {
                    invalid(format!(
                        "acr_values loa:{name} is not low, substantial or high"
                    ))
                })?);
            }
            _ => return Err(invalid(format!("acr_values {value:?} is not idp: or loa:"))),
        }
    }
    match level {
        Some(level) => rewrite.set("acr_values", level.uri()),
        None => rewrite.remove("acr_values"),
    }
    for name in ["idp_values", "action_text", "reference_text"] {
        rewrite.remove(name);
    }
    let mut scopes: Vec<&str> = Vec::new();
    for scope in params.get("scope").unwrap_or("").split_whitespace() {
        let standard = SCOPES
            .iter()
            .find(|(s, _)| *s == scope)
            .map(|(_, standard)| *standard)
            .ok_or_else(|| {
                Refusal::ToClient(OAuthError::new(
                    crate::error::ErrorCode::InvalidScope,
                    format!(
                        "the scope {scope} is not one of openid, profile, idp-id, nin, mitid-extra"
                    ),
                ))
            })?;
        if !scopes.contains(&standard) {
            scopes.push(standard);
        }
    }
    rewrite.set("scope", scopes.join(" "));
    Ok(Dialect {
        scopes: dialect_scopes(params),
        params: Some(rewrite.apply(params)),
        simulation: None,
    })
}

/// Signicat's `sub`: "always hashed" over the e-ID, its subject and the organisation
/// (developer.signicat.com, eID hub: subject), base64 of SHA-256, 44 characters.
pub fn subject(broker: &Broker, client: &Client, identity: &Identity) -> String {
    let digest = Sha256::digest(
        format!(
            "{}|signicat.sub|mitid|{}|{}",
            broker.pairwise_salt,
            identity.id,
            client.sector()
        )
        .as_bytes(),
    );
    base64::engine::general_purpose::STANDARD.encode(digest)
}

/// Signicat's `sid`: 32 upper-case hex digits per broker session.
pub fn session_id(broker: &Broker, sid: &Sid) -> String {
    guid(broker, "signicat.sid", sid.as_str())
        .replace('-', "")
        .to_ascii_uppercase()
}

/// `mitid_transaction_id`: MitID's transaction, a GUID as in the attributes reference
/// (`"40c6c751-d16b-45f2-a596-b28e1c2031a9"`), derived from the login.
fn mitid_transaction_id(broker: &Broker, grant: &Grant) -> String {
    let flow = grant
        .login_id
        .as_ref()
        .map_or_else(|| grant.id.to_string(), |id| id.to_string());
    guid(broker, "signicat.mitid_transaction", &flow)
}

/// The claims each Signicat scope releases (the eID hub's MitID attributes reference).
fn person(broker: &Broker, login: &Login<'_>) -> Map<String, Value> {
    let grant = login.grant;
    let identity = login.identity;
    let mut out = Map::new();
    if grant.has_dialect_scope("idp-id") || grant.has_dialect_scope("mitid-extra") {
        out.insert("idp_id".into(), json!(identity.id));
    }
    if grant.has_dialect_scope("profile") {
        out.insert("name".into(), json!(identity.name()));
        out.insert("given_name".into(), json!(identity.given_name));
        out.insert("family_name".into(), json!(identity.family_name));
        if let Some(born) = identity.date_of_birth() {
            out.insert("birthdate".into(), json!(born.to_string()));
        }
    }
    if grant.has_dialect_scope("nin") {
        if let Some(cpr) = &identity.cpr {
            out.insert("nin".into(), json!(cpr.to_digits()));
            out.insert("nin_type".into(), json!("PERSON"));
            out.insert("nin_issuing_country".into(), json!("DK"));
        }
    }
    if grant.has_dialect_scope("mitid-extra") {
        out.insert("mitid_uuid".into(), json!(identity.id));
        out.insert("mitid_has_cpr".into(), json!(identity.cpr.is_some()));
        out.insert(
            "mitid_name_and_address_protection".into(),
            json!(identity.name_address_protected),
        );
        out.insert("mitid_loa".into(), json!(level_caps(grant.acr)));
        out.insert("mitid_ial".into(), json!(level_caps(grant.assurance.ial)));
        out.insert("mitid_aal".into(), json!(level_caps(grant.assurance.aal)));
        out.insert("mitid_fal".into(), json!("HIGH"));
        out.insert(
            "mitid_transaction_id".into(),
            json!(mitid_transaction_id(broker, grant)),
        );
    }
    out.insert("idp_issuer".into(), json!("mitid"));
    out
}

/// Signicat's ID token (the recorded shape, brokers.md "Signicat"): `iss nbf iat exp aud amr
/// nonce at_hash sid sub auth_time idp`, the profile claims, `idp_issuer transaction_id sandbox
/// acr`.
pub fn id_token(
    broker: &Broker,
    login: &Login<'_>,
    standard: Map<String, Value>,
    now: UnixTime,
) -> Map<String, Value> {
    let grant = login.grant;
    let mut out = Map::new();
    for name in [
        "iss",
        "iat",
        "exp",
        "aud",
        "nonce",
        "at_hash",
        "c_hash",
        "auth_time",
    ] {
        if let Some(value) = standard.get(name) {
            out.insert(name.into(), value.clone());
        }
    }
    out.insert("nbf".into(), json!(now));
    out.insert("amr".into(), json!(["external"]));
    let sid = guid(broker, "signicat.sid", grant.sid.as_str());
    out.insert(
        "sid".into(),
        json!(sid.replace('-', "").to_ascii_uppercase()),
    );
    out.insert(
        "sub".into(),
        json!(subject(broker, login.client, login.identity)),
    );
    out.insert("idp".into(), json!("mitid"));
    let mut person = person(broker, login);
    person.remove("idp_id");
    person.retain(|k, _| !k.starts_with("nin") && !k.starts_with("mitid_"));
    out.extend(person);
    let flow = grant
        .login_id
        .as_ref()
        .map_or_else(|| grant.id.to_string(), |id| id.to_string());
    out.insert(
        "transaction_id".into(),
        json!(guid(broker, "signicat.transaction", &flow)),
    );
    out.insert("sandbox".into(), json!(true));
    out.insert("acr".into(), json!(grant.acr.name()));
    out
}

/// Signicat's userinfo: the scopes' claims as strings, `sub` last (recorded shape).
pub fn userinfo(
    broker: &Broker,
    login: &Login<'_>,
    _standard: Map<String, Value>,
) -> Map<String, Value> {
    let mut out = person(broker, login);
    out.insert(
        "sub".into(),
        json!(subject(broker, login.client, login.identity)),
    );
    stringify(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::config::Config;
    use crate::mitid::Cpr;
    use crate::model::{Assurance, ClientId, GrantId, IdentityId, Profile, TxnId, UserId};
    use crate::server::{build, Storage};
    use std::sync::Arc;

    fn broker() -> Broker {
        build(
            Config::default(),
            "https://op.example",
            Arc::new(ManualClock::new(1_700_000_000)),
            Storage::Memory,
        )
        .unwrap()
        .for_profile(Profile::Signicat)
    }

    fn grant(login: &str) -> Grant {
        Grant {
            profile: Profile::Signicat,
            dialect_scopes: ["openid", "nin", "mitid-extra"].map(String::from).to_vec(),
            id: GrantId::new("g"),
            client_id: ClientId::new("c"),
            identity_id: IdentityId::new("i"),
            scopes: ["openid", "ssn", "mitid"].map(String::from).to_vec(),
            auth_time: 0,
            acr: Level::Substantial,
            amr: vec![],
            assurance: Assurance::default(),
            sid: Sid::new("s"),
            business: None,
            login_id: Some(TxnId::new(login)),
            claims: None,
        }
    }

    /// The attributes reference's `mitid_transaction_id` is a GUID, one per login.
    #[test]
    fn mitid_transaction_id_is_a_guid_per_login() {
        let broker = broker();
        let mut anna = Identity::new(
            IdentityId::new("7b1d3c0e-5f1a-4b8e-9a57-3f2d1c4e6a01"),
            UserId::new("anna"),
            "Anna",
            "Testesen",
        );
        anna.cpr = Some(Cpr::parse("720490-1236").unwrap());
        let client: Client = serde_json::from_value(json!({
            "client_id": "c", "redirect_uris": ["https://rp.example/cb"],
        }))
        .unwrap();
        let id_of = |login: &str| {
            let grant = grant(login);
            let claims = person(
                &broker,
                &Login {
                    client: &client,
                    identity: &anna,
                    grant: &grant,
                },
            );
            claims["mitid_transaction_id"].as_str().unwrap().to_string()
        };
        let first = id_of("DH0Xwiw7HCo8HBzVD0LkvQ");
        assert!(uuid::Uuid::parse_str(&first).is_ok(), "{first}");
        assert_eq!(first, first.to_ascii_lowercase());
        assert_eq!(first, id_of("DH0Xwiw7HCo8HBzVD0LkvQ"));
        assert_ne!(first, id_of("another-login"));
    }
}
