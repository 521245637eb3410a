//! OpenID Connect Back-Channel Logout 1.0 §2.6: validating the logout token the broker POSTs
//! when a person's broker session ends (no axum types in here; the time is passed in).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::CoreJwsSigningAlgorithm;
use openidconnect::core::{CoreJsonWebKey, CoreJsonWebKeySet, CoreJsonWebKeyUse};
use openidconnect::JsonWebKey;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The event member that makes a JWT a logout token (§2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// How far in the future `iat` may lie (clock skew between broker and mailbox).
const MAX_IAT_SKEW: Duration = Duration::from_secs(5 * 60);
/// A token without `exp` is refused once it is older than this; it also bounds how long a
/// `jti` must be remembered.
const MAX_AGE: Duration = Duration::from_secs(10 * 60);

/// Why a logout token was refused. For the log only: the broker is told just
/// `invalid_request`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LogoutTokenError {
    /// Not a compact JWS of three base64url parts with JSON header and claims.
    #[error("not a well-formed JWS: {0}")]
    Malformed(&'static str),
    /// `alg` is `none`, an HMAC (we share no secret to check it with) or unknown.
    #[error("signing algorithm {0} is not accepted")]
    Algorithm(String),
    /// The header's `typ` is present and is not `logout+jwt`.
    #[error("typ is {0}, not logout+jwt")]
    WrongType(String),
    /// The header has `crit` extensions we do not understand (RFC 7515 §4.1.11).
    #[error("the header has critical extensions")]
    CriticalExtension,
    /// No key of the broker's JWKS has this `kid` (perhaps the broker rotated keys).
    #[error("no signing key with this kid in the broker's JWKS")]
    UnknownKey,
    /// The signature does not verify with the broker's key.
    #[error("the signature does not verify")]
    BadSignature,
    /// `iss` is not the broker's issuer.
    #[error("iss is not the broker's issuer")]
    WrongIssuer,
    /// `aud` does not contain our client_id.
    #[error("aud does not contain this client")]
    WrongAudience,
    /// `iat` is missing or not a number.
    #[error("iat is missing")]
    NoIssueTime,
    /// `iat` is too far in the future.
    #[error("issued in the future")]
    IssuedInFuture,
    /// `exp` has passed, or (without `exp`) the token is older than ten minutes.
    #[error("the token has expired")]
    Expired,
    /// `events` lacks the back-channel logout event (with an object as its value).
    #[error("events does not hold the back-channel logout event")]
    NoLogoutEvent,
    /// Neither `sid` nor `sub`: nothing says which sessions to end.
    #[error("neither sid nor sub")]
    NoSubject,
    /// A `nonce` is present: a logout token must not carry one (§2.4), so it is not one.
    #[error("a nonce is present")]
    HasNonce,
    /// No `jti`: the token could not be told apart from a replay.
    #[error("jti is missing")]
    NoTokenId,
    /// The `jti` was seen before.
    #[error("the token was already used")]
    Replayed,
    /// The broker's discovery document or JWKS could not be fetched.
    #[error("the broker's keys are unavailable: {0}")]
    KeysUnavailable(String),
}

/// A verified logout token: which broker session (or person) to log out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutRequest {
    /// The broker's session id (`sid`, or the dialect's claim for it: Idura's
    /// `sessionindex`), when the token carried one.
    pub sid: Option<String>,
    /// The person's subject identifier, when the token carried one.
    pub sub: Option<String>,
    /// The token's id, to refuse it a second time.
    pub jti: String,
    /// Until when the token could be accepted: the `jti` must be remembered until then.
    pub valid_until: SystemTime,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    typ: Option<String>,
    crit: Option<Value>,
}

/// Checks `token` as §2.6 says: the signature with the broker's key named by `kid` in `jwks`,
/// then `iss`, `aud`, `iat`, `exp` (if present), `events`, `sid`/`sub` and the absence of
/// `nonce`. `session_claim` names the session claim (`sid`, as section 2.4 says). Replays
/// are the caller's to refuse, with [`SeenTokenIds`].
pub fn verify_logout_token(
    token: &str,
    jwks: &CoreJsonWebKeySet,
    issuer: &str,
    client_id: &str,
    session_claim: &str,
    now: SystemTime,
) -> Result<LogoutRequest, LogoutTokenError> {
    let mut parts = token.split('.');
    let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(LogoutTokenError::Malformed("not three parts"));
    };
    let header: Header = serde_json::from_slice(&decode(header_b64)?)
        .map_err(|_| LogoutTokenError::Malformed("header is not a JOSE header"))?;
    let alg = accepted_algorithm(&header.alg)?;
    if let Some(typ) = &header.typ {
        let typ = typ.to_ascii_lowercase();
        if typ != "logout+jwt" && typ != "application/logout+jwt" {
            return Err(LogoutTokenError::WrongType(typ));
        }
    }
    if header.crit.is_some() {
        return Err(LogoutTokenError::CriticalExtension);
    }
    let signature = decode(signature_b64)?;
    let signed = &token.as_bytes()[..header_b64.len() + 1 + claims_b64.len()];
    check_signature(jwks, header.kid.as_deref(), &alg, signed, &signature)?;

    // Only now is the payload the broker's word.
    let claims: Map<String, Value> = serde_json::from_slice(&decode(claims_b64)?)
        .map_err(|_| LogoutTokenError::Malformed("claims are not a JSON object"))?;
    check_claims(&claims, issuer, client_id, session_claim, now)
}

fn decode(part: &str) -> Result<Vec<u8>, LogoutTokenError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| LogoutTokenError::Malformed("a part is not base64url"))
}

/// The asymmetric algorithms only: `none` proves nothing, and an HMAC would need a secret
/// the broker's JWKS must never hold.
fn accepted_algorithm(alg: &str) -> Result<CoreJwsSigningAlgorithm, LogoutTokenError> {
    let refused = || LogoutTokenError::Algorithm(alg.chars().take(16).collect());
    let parsed: CoreJwsSigningAlgorithm =
        serde_json::from_value(Value::String(alg.to_owned())).map_err(|_| refused())?;
    match parsed {
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256
        | CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384
        | CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512
        | CoreJwsSigningAlgorithm::RsaSsaPssSha256
        | CoreJwsSigningAlgorithm::RsaSsaPssSha384
        | CoreJwsSigningAlgorithm::RsaSsaPssSha512
        | CoreJwsSigningAlgorithm::EcdsaP256Sha256
        | CoreJwsSigningAlgorithm::EcdsaP384Sha384
        | CoreJwsSigningAlgorithm::EdDsa => Ok(parsed),
        _ => Err(refused()),
    }
}

/// The signature must verify with a signing key of `jwks` named by `kid` (any signing key
/// when the header names none).
fn check_signature(
    jwks: &CoreJsonWebKeySet,
    kid: Option<&str>,
    alg: &CoreJwsSigningAlgorithm,
    signed: &[u8],
    signature: &[u8],
) -> Result<(), LogoutTokenError> {
    let candidates: Vec<&CoreJsonWebKey> = jwks
        .keys()
        .iter()
        .filter(|key| kid.is_none() || key.key_id().map(|id| id.as_str()) == kid)
        .filter(|key| matches!(key.key_use(), None | Some(CoreJsonWebKeyUse::Signature)))
        .collect();
    if candidates.is_empty() {
        return Err(LogoutTokenError::UnknownKey);
    }
    if candidates
        .iter()
        .any(|key| key.verify_signature(alg, signed, signature).is_ok())
    {
        Ok(())
    } else {
        Err(LogoutTokenError::BadSignature)
    }
}

fn check_claims(
    claims: &Map<String, Value>,
    issuer: &str,
    client_id: &str,
    session_claim: &str,
    now: SystemTime,
) -> Result<LogoutRequest, LogoutTokenError> {
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
        return Err(LogoutTokenError::WrongIssuer);
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == client_id,
        Some(Value::Array(auds)) => auds.iter().any(|aud| aud.as_str() == Some(client_id)),
        _ => false,
    };
    if !audience_ok {
        return Err(LogoutTokenError::WrongAudience);
    }

    let iat = time_claim(claims, "iat")?.ok_or(LogoutTokenError::NoIssueTime)?;
    if iat > now + MAX_IAT_SKEW {
        return Err(LogoutTokenError::IssuedInFuture);
    }
    let valid_until = match time_claim(claims, "exp")? {
        Some(exp) => exp,
        None => iat + MAX_AGE,
    };
    if now >= valid_until {
        return Err(LogoutTokenError::Expired);
    }

    let has_event = claims
        .get("events")
        .and_then(Value::as_object)
        .and_then(|events| events.get(BACKCHANNEL_LOGOUT_EVENT))
        .is_some_and(Value::is_object);
    if !has_event {
        return Err(LogoutTokenError::NoLogoutEvent);
    }
    if claims.contains_key("nonce") {
        return Err(LogoutTokenError::HasNonce);
    }
    let sid = non_empty_string(claims, session_claim);
    let sub = non_empty_string(claims, "sub");
    if sid.is_none() && sub.is_none() {
        return Err(LogoutTokenError::NoSubject);
    }
    let jti = non_empty_string(claims, "jti").ok_or(LogoutTokenError::NoTokenId)?;
    Ok(LogoutRequest {
        sid,
        sub,
        jti,
        valid_until,
    })
}

/// A NumericDate claim: absent is `None`; present but not a non-negative number is malformed.
fn time_claim(
    claims: &Map<String, Value>,
    name: &str,
) -> Result<Option<SystemTime>, LogoutTokenError> {
    match claims.get(name) {
        None => Ok(None),
        Some(value) => value
            .as_f64()
            .filter(|secs| secs.is_finite() && *secs >= 0.0 && *secs < 1e11)
            .map(|secs| Some(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(secs)))
            .ok_or(LogoutTokenError::Malformed("a time claim is not a number")),
    }
}

fn non_empty_string(claims: &Map<String, Value>, name: &str) -> Option<String> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

/// The `jti`s of accepted logout tokens, each kept until its token could no longer be
/// accepted anyway, so a replayed token is refused and the set stays small.
#[derive(Default)]
pub struct SeenTokenIds {
    seen: Mutex<HashMap<String, SystemTime>>,
}

impl SeenTokenIds {
    /// Records `request`'s `jti`; false if it was already recorded (a replay).
    pub fn first_use(&self, request: &LogoutRequest, now: SystemTime) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.retain(|_, until| *until + MAX_IAT_SKEW > now);
        if seen.contains_key(&request.jti) {
            return false;
        }
        seen.insert(request.jti.clone(), request.valid_until);
        true
    }
}
