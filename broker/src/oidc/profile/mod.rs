//! The dialects of the real MitID brokers, as mappings onto the one protocol core (DESIGN.md,
//! "Issuers and profiles": a profile is a mapping, not a second engine). Each profile
//! translates its request grammar into the standard's parameters on the way in, and the
//! standard's answers into its own names, types and envelopes on the way out; the logins,
//! identities and clients behind them are the same. Every known difference from the real
//! broker is an entry in the fidelity ledger ([`ledger`]).
//!
//! - [`neb`]: Signaturgruppen's broker (Nets eID Broker), issuer `/op`;
//! - [`idura`]: Idura (formerly Criipto Verify), issuer `/idura`;
//! - [`signicat`]: Signicat, issuer `/auth/open`.

pub mod discovery;
pub mod idura;
pub mod ledger;
pub mod neb;
pub mod signicat;

use base64::Engine;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{Client, Grant, Identity, Profile, Sid, Simulation};
use crate::oidc::Params;
use crate::store::StoreError;

/// An authorization request in the standard's terms, from a profile's grammar.
#[derive(Debug, Default)]
pub struct Dialect {
    /// The parameters rewritten into the standard's (`None`: as sent).
    pub params: Option<Params>,
    /// A headless login the request asks for (NEB's `simulation`).
    pub simulation: Option<Simulation>,
    /// The scopes as sent, in the profile's words.
    pub scopes: Vec<String>,
}

/// Why a profile refused a request before the standard checks ran.
#[derive(Debug)]
pub enum Refusal {
    /// The real broker shows its own error page and never redirects to the client.
    ErrorPage(OAuthError),
    /// The real broker answers the client at its redirect URI.
    ToClient(OAuthError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        Refusal::ToClient(e.into())
    }
}

/// Translates an authorization request from `broker`'s profile into the standard's terms.
pub fn request(broker: &Broker, params: &Params) -> Result<Dialect, Refusal> {
    match broker.profile {
        Profile::Standard => Ok(Dialect::default()),
        Profile::Neb => neb::request(broker, params),
        Profile::Idura => idura::request(broker, params),
        Profile::Signicat => signicat::request(params),
    }
}

/// What the answers about one login are made of: the client it is for, the person, and what
/// the login granted.
pub struct Login<'a> {
    pub client: &'a Client,
    pub identity: &'a Identity,
    pub grant: &'a Grant,
}

/// The ID token's claims in the profile's dialect, from the standard's (`standard` holds
/// `iss`, `sub`, `aud`, `exp`, `iat`, `auth_time`, `acr`, `amr`, the MitID facts, `sid`, and
/// `nonce` and the hashes when they apply).
pub fn id_token(
    broker: &Broker,
    login: &Login<'_>,
    standard: Map<String, Value>,
    now: UnixTime,
) -> Result<Map<String, Value>, StoreError> {
    match broker.profile {
        Profile::Standard => Ok(standard),
        Profile::Neb => neb::id_token(broker, login, standard, now),
        Profile::Idura => Ok(idura::id_token(broker, login, standard, now)),
        Profile::Signicat => Ok(signicat::id_token(broker, login, standard, now)),
    }
}

/// The userinfo response's claims in the profile's dialect, from the standard's (`sub` and
/// the scopes' claims).
pub fn userinfo(
    broker: &Broker,
    login: &Login<'_>,
    standard: Map<String, Value>,
    now: UnixTime,
) -> Result<Map<String, Value>, StoreError> {
    match broker.profile {
        Profile::Standard => Ok(standard),
        Profile::Neb => neb::userinfo(broker, login, standard, now),
        Profile::Idura => Ok(idura::userinfo(broker, login, standard, now)),
        Profile::Signicat => Ok(signicat::userinfo(broker, login, standard)),
    }
}

/// The `sub` a client sees for a person in the profile's dialect (`business`: the MitID
/// Erhverv identity the login chose, which Idura gives its own pseudonym).
pub fn subject(
    broker: &Broker,
    client: &Client,
    identity: &Identity,
    business: Option<&str>,
) -> String {
    match broker.profile {
        Profile::Standard => crate::oidc::claims::subject(broker, client, identity),
        Profile::Neb => neb::subject(broker, client, identity),
        Profile::Idura => idura::subject(broker, identity, business),
        Profile::Signicat => signicat::subject(broker, client, identity),
    }
}

/// The claim that names the broker session in the profile's ID tokens, and its value for
/// `sid` (the standard's `sid`; NEB's GUID; Idura's `sessionindex`; Signicat's hex).
pub fn session_claim(broker: &Broker, sid: &Sid) -> (&'static str, String) {
    match broker.profile {
        Profile::Standard => ("sid", sid.to_string()),
        Profile::Neb => ("sid", neb::session_id(broker, sid)),
        Profile::Idura => ("sessionindex", idura::session_index(broker, sid)),
        Profile::Signicat => ("sid", signicat::session_id(broker, sid)),
    }
}

/// How long a pushed request's `request_uri` lives: NEB 600 s (par.md), Idura 120 s
/// (pushed-authorization-requests.mdx), otherwise the `[par]` setting.
pub fn par_lifetime(broker: &Broker) -> i64 {
    match broker.profile {
        Profile::Neb => 600,
        Profile::Idura => 120,
        Profile::Standard | Profile::Signicat => broker.config.par.lifetime,
    }
}

/// A new authorization code in the profile's format: NEB's 64 upper-case hex digits and
/// `-1` (ageverification/windows-native.md), otherwise 256 random bits, base64url.
pub fn new_code(profile: Profile) -> String {
    match profile {
        Profile::Neb => {
            use rand::RngCore;
            let mut bytes = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut bytes);
            let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
            format!("{hex}-1")
        }
        _ => crate::secrets::random_token(),
    }
}

/// How long the profile's ID tokens live, in seconds.
pub fn id_token_ttl(broker: &Broker) -> i64 {
    match broker.profile {
        Profile::Standard => broker.config.tokens.id_token_ttl,
        Profile::Neb => neb::ID_TOKEN_TTL,
        Profile::Idura => idura::ID_TOKEN_TTL,
        Profile::Signicat => signicat::TOKEN_TTL,
    }
}

/// How long the profile's access tokens live, in seconds.
pub fn access_token_ttl(broker: &Broker) -> i64 {
    match broker.profile {
        Profile::Standard | Profile::Idura => broker.config.tokens.access_token_ttl,
        Profile::Neb => neb::ACCESS_TOKEN_TTL,
        Profile::Signicat => signicat::TOKEN_TTL,
    }
}

/// Signs a JWT as the profile's issuer: NEB names its key by the certificate's SHA-1
/// thumbprint (`kid`, as its JWKS does); the others by the key's RFC 7638 thumbprint.
pub fn sign_jwt(
    broker: &Broker,
    alg: keys::Alg,
    typ: &str,
    payload: &[u8],
) -> Result<String, keys::KeyError> {
    match broker.profile {
        Profile::Neb if alg == keys::Alg::RS256 => {
            broker.keys.sign_jwt_certified(alg, typ, payload)
        }
        _ => broker.keys.sign_jwt(alg, typ, payload),
    }
}

/// The profile's JWKS document: NEB's keys named by certificate (`kty use kid x5t e n x5c`,
/// no `alg`, RSA only), the others' the broker's keys as they are.
pub fn jwks_json(broker: &Broker) -> Result<std::sync::Arc<str>, keys::KeyError> {
    match broker.profile {
        Profile::Neb => broker.keys.certified_jwks_json(),
        _ => broker.keys.jwks_json(),
    }
}

/// Whether the profile's access tokens are JWTs (NEB) rather than opaque.
pub const fn issues_jwt_access_tokens(profile: Profile) -> bool {
    matches!(profile, Profile::Neb)
}

/// The claims of the access token when the profile issues it as a JWT (NEB); `None`: an
/// opaque token.
pub fn access_token_claims(
    broker: &Broker,
    login: &Login<'_>,
    scopes: &[String],
    now: UnixTime,
) -> Option<Map<String, Value>> {
    match broker.profile {
        Profile::Neb => Some(neb::access_token(broker, login, scopes, now)),
        _ => None,
    }
}

/// A GUID that stands for `value` in `purpose`, the same every time for one broker instance
/// and unlinkable across purposes: the first 16 bytes of SHA-256 over the instance's secret,
/// the purpose and the value, as an RFC 9562 version 8 UUID (lower case).
pub fn guid(broker: &Broker, purpose: &str, value: &str) -> String {
    let digest = Sha256::digest(format!("{}|{purpose}|{value}", broker.pairwise_salt).as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// Every value as a JSON string, as NEB's and Signicat's userinfo send them: `"40"`,
/// `"true"`; strings stay as they are.
fn stringify(claims: Map<String, Value>) -> Map<String, Value> {
    claims
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => Value::String(s),
                Value::Null => Value::String(String::new()),
                other => Value::String(other.to_string()),
            };
            (k, v)
        })
        .collect()
}

/// The level's name in capitals (`LOW`, `SUBSTANTIAL`, `HIGH`), as Idura and Signicat send it.
fn level_caps(level: crate::model::Level) -> String {
    level.name().to_ascii_uppercase()
}

/// The rewrites a profile makes: parameters set (an empty value removes one).
#[derive(Debug, Default)]
struct Rewrite {
    set: Vec<(String, String)>,
}

impl Rewrite {
    fn set(&mut self, name: &str, value: impl Into<String>) {
        self.set.retain(|(n, _)| n != name);
        self.set.push((name.to_string(), value.into()));
    }

    fn remove(&mut self, name: &str) {
        self.set(name, "");
    }

    fn apply(self, params: &Params) -> Params {
        params.merged(self.set, &[])
    }
}

/// The request's scopes as sent.
fn dialect_scopes(params: &Params) -> Vec<String> {
    params
        .get("scope")
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Text sent base64-encoded (NEB's `reference_text`, Idura's `message:`): standard or URL-safe
/// alphabet, with or without padding, and UTF-8.
fn decode_text(value: &str) -> Option<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let value = value.trim();
    let bytes = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(value).ok())?;
    String::from_utf8(bytes).ok()
}

/// The identity with this MitID UUID (the identity's id).
fn by_uuid(broker: &Broker, uuid: &str) -> Result<Option<Identity>, StoreError> {
    broker
        .store
        .identities
        .get(&crate::model::IdentityId::new(uuid.trim()))
}

/// The identity with this CPR number (10 digits, a hyphen allowed).
fn by_cpr(broker: &Broker, cpr: &str) -> Result<Option<Identity>, StoreError> {
    let digits: String = cpr.chars().filter(char::is_ascii_digit).collect();
    Ok(broker
        .store
        .identities
        .list()?
        .into_iter()
        .find(|i| i.cpr.as_ref().is_some_and(|c| c.to_digits() == digits)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_decodes_from_either_base64_alphabet_with_or_without_padding() {
        assert_eq!(
            decode_text("TGVqZWtvbnRyYWt0").as_deref(),
            Some("Lejekontrakt")
        );
        assert_eq!(decode_text("w6bDuMOl").as_deref(), Some("æøå"));
        assert_eq!(decode_text("w6bDuMOl ").as_deref(), Some("æøå"));
        assert_eq!(decode_text("P_8").as_deref(), None, "not UTF-8");
        assert_eq!(decode_text("not base64!"), None);
    }

    #[test]
    fn values_become_strings_as_neb_sends_them() {
        let claims: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "mitid.age": 40, "mitid.has_cpr": true, "name": "Anna", "none": null
        }))
        .unwrap();
        let out = stringify(claims);
        assert_eq!(out["mitid.age"], "40");
        assert_eq!(out["mitid.has_cpr"], "true");
        assert_eq!(out["name"], "Anna");
        assert_eq!(out["none"], "");
    }

    #[test]
    fn a_rewrite_sets_replaces_and_removes() {
        let params = Params::parse(b"a=1&b=2");
        let mut rewrite = Rewrite::default();
        rewrite.set("a", "x");
        rewrite.set("a", "y");
        rewrite.remove("b");
        rewrite.set("c", "3");
        let out = rewrite.apply(&params);
        assert_eq!(out.get("a"), Some("y"));
        assert_eq!(out.get("b"), None);
        assert_eq!(out.get("c"), Some("3"));
    }
}
