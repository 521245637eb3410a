//! JWT client assertions (RFC 7523 2.2 and 3, OIDC Core 9): `client_secret_jwt` (HS256 under
//! the client secret) and `private_key_jwt` (RS256, PS256 or ES256 under one of the client's
//! registered keys). `iss` and `sub` are the client_id, `aud` names the token endpoint (or the
//! endpoint called, or the issuer), `exp` lies ahead but not too far, and a `jti` is accepted
//! once: it is remembered until the assertion expires. Every failure is `invalid_client`.

use crate::app::{Broker, Issuer};
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{AuthMethod, Client, Profile};
use crate::oidc::fetch::Outbound;
use crate::oidc::jose::{self, Jwt};
use crate::oidc::{client_keys, Params};

/// RFC 7523 2.2.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// An assertion may expire at most this far ahead (seconds). It bounds how long a `jti` must be
/// remembered; one hour admits the common client libraries' defaults.
pub const MAX_LIFETIME: UnixTime = 3600;
/// Clock skew allowed on `iat`, `nbf` and the lifetime bound.
pub const LEEWAY: UnixTime = 60;

/// An assertion as sent, before any verification.
pub struct PresentedAssertion {
    pub client_id: String,
    pub jwt: String,
    /// The method the assertion's `alg` implies.
    pub method: AuthMethod,
}

fn invalid(description: impl Into<String>) -> OAuthError {
    OAuthError::invalid_client(description.into())
}

/// Reads `client_assertion_type` and `client_assertion`; `None` when neither is sent.
pub fn presented(params: &Params) -> Result<Option<PresentedAssertion>, OAuthError> {
    let jwt = match (
        params.get("client_assertion_type"),
        params.get("client_assertion"),
    ) {
        (None, None) => return Ok(None),
        (Some(ASSERTION_TYPE), Some(jwt)) => jwt,
        (Some(other), Some(_)) => {
            return Err(invalid(format!(
                "client_assertion_type {other} is not supported; use {ASSERTION_TYPE}"
            )))
        }
        _ => {
            return Err(OAuthError::invalid_request(
                "client_assertion and client_assertion_type must be sent together",
            ))
        }
    };
    let decoded = jose::decode(jwt).map_err(|e| invalid(format!("client_assertion: {e}")))?;
    let client_id = decoded
        .claim_str("sub")
        .ok_or_else(|| invalid("the client assertion has no sub"))?;
    if params.get("client_id").is_some_and(|id| id != client_id) {
        return Err(invalid("client_id differs from the client assertion's sub"));
    }
    let method = match decoded.alg() {
        "HS256" => AuthMethod::ClientSecretJwt,
        "RS256" | "PS256" | "ES256" => AuthMethod::PrivateKeyJwt,
        other => {
            return Err(invalid(format!(
                "client assertions signed with {other} are not accepted; use HS256 \
                 (client_secret_jwt) or RS256, PS256, ES256 (private_key_jwt)"
            )))
        }
    };
    Ok(Some(PresentedAssertion {
        client_id: client_id.to_string(),
        jwt: jwt.to_string(),
        method,
    }))
}

/// Verifies the assertion of `client` (whose registered method the caller has matched) sent to
/// `endpoint`, and records its `jti`.
pub async fn verify(
    broker: &Broker,
    client: &Client,
    jwt: &str,
    endpoint: &str,
    now: UnixTime,
) -> Result<(), OAuthError> {
    let decoded = jose::decode(jwt).map_err(|e| invalid(format!("client_assertion: {e}")))?;
    if let Some(alg) = &client.jose.token_endpoint_auth_signing_alg {
        if alg != decoded.alg() {
            return Err(invalid(format!(
                "this client registered token_endpoint_auth_signing_alg {alg}"
            )));
        }
    }
    match client.token_endpoint_auth_method {
        AuthMethod::ClientSecretJwt => {
            let secret = client.jose.jwt_secret.as_deref().ok_or_else(|| {
                invalid("this client has no secret for client_secret_jwt; register it again")
            })?;
            decoded.verify_hs256(secret)
        }
        AuthMethod::PrivateKeyJwt => {
            let jwks = client_keys::jwks(Outbound::of(&broker.config), client)
                .await
                .map_err(|e| invalid(e.to_string()))?;
            decoded.verify_with(&jwks)
        }
        other => {
            return Err(invalid(format!(
                "this client is registered for {}",
                other.as_str()
            )))
        }
    }
    .map_err(|e| invalid(format!("client_assertion: {e}")))?;
    let audiences = audiences(&broker.issuer, broker.profile, endpoint);
    let audiences: Vec<&str> = audiences.iter().map(String::as_str).collect();
    let (jti, exp) = check_claims(&decoded, client.client_id.as_str(), &audiences, now)?;
    // Recorded only after the signature verified: a forger cannot burn a client's jti.
    if !broker
        .store
        .assertions
        .record_jti(&client.client_id, jti, exp)?
    {
        return Err(invalid(
            "the client assertion's jti was used before (RFC 7523 3)",
        ));
    }
    Ok(())
}

/// What an assertion sent to `endpoint` (a path from [`crate::paths`]) may name as its `aud`:
/// the issuer, its token endpoint, or the endpoint itself, at the paths of the issuer's profile
/// (NEB's token endpoint is `/op/connect/token`, not `/op/token`).
fn audiences(issuer: &Issuer, profile: Profile, endpoint: &str) -> [String; 3] {
    let paths = profile.endpoints();
    [
        issuer.as_str().to_string(),
        issuer.endpoint(paths.token),
        issuer.endpoint(paths.own(endpoint)),
    ]
}

/// RFC 7523 3 and OIDC Core 9: the claims of a verified assertion. Returns `jti` and `exp`.
fn check_claims<'a>(
    jwt: &'a Jwt<'_>,
    client_id: &str,
    audiences: &[&str],
    now: UnixTime,
) -> Result<(&'a str, UnixTime), OAuthError> {
    if jwt.claim_str("iss") != Some(client_id) || jwt.claim_str("sub") != Some(client_id) {
        return Err(invalid(
            "the client assertion's iss and sub must both be the client_id",
        ));
    }
    if !jwt.audience_is_one_of(audiences) {
        return Err(invalid(format!(
            "the client assertion's aud must name the token endpoint {}",
            audiences.get(1).copied().unwrap_or_default()
        )));
    }
    let exp = jwt
        .claim_i64("exp")
        .ok_or_else(|| invalid("the client assertion has no numeric exp"))?;
    if exp <= now {
        return Err(invalid("the client assertion has expired"));
    }
    if exp > now + MAX_LIFETIME + LEEWAY {
        return Err(invalid(format!(
            "the client assertion's exp is more than {MAX_LIFETIME} seconds ahead"
        )));
    }
    for name in ["nbf", "iat"] {
        if jwt.claim_i64(name).is_some_and(|t| t > now + LEEWAY) {
            return Err(invalid(format!(
                "the client assertion's {name} is in the future"
            )));
        }
    }
    let jti = jwt
        .claim_str("jti")
        .filter(|j| !j.is_empty() && j.len() <= 256)
        .ok_or_else(|| invalid("the client assertion needs a jti of 1-256 characters"))?;
    Ok((jti, exp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
    use serde_json::{json, Value};

    const NOW: UnixTime = 1_700_000_000;
    const AUD: &[&str] = &["https://op", "https://op/token"];

    #[test]
    fn an_assertion_may_name_the_profiles_own_endpoints() {
        let neb = Issuer::new("https://broker.test/op");
        assert_eq!(
            audiences(&neb, Profile::Neb, crate::paths::PAR),
            [
                "https://broker.test/op",
                "https://broker.test/op/connect/token",
                "https://broker.test/op/connect/par",
            ]
        );
        let signicat = Issuer::new("https://broker.test/auth/open");
        assert_eq!(
            audiences(&signicat, Profile::Signicat, crate::paths::INTROSPECTION)[2],
            "https://broker.test/auth/open/connect/introspect"
        );
        let standard = Issuer::new("https://broker.test");
        assert_eq!(
            audiences(&standard, Profile::Standard, crate::paths::TOKEN),
            [
                "https://broker.test",
                "https://broker.test/token",
                "https://broker.test/token",
            ]
        );
    }

    fn unsigned(claims: &Value) -> String {
        format!(
            "{}.{}.",
            B64.encode(br#"{"alg":"none"}"#),
            B64.encode(claims.to_string())
        )
    }

    fn good() -> Value {
        json!({ "iss": "c", "sub": "c", "aud": "https://op/token", "exp": NOW + 60, "jti": "j" })
    }

    fn check(claims: Value) -> Result<(), String> {
        let token = unsigned(&claims);
        let jwt = jose::decode(&token).unwrap();
        check_claims(&jwt, "c", AUD, NOW)
            .map(|_| ())
            .map_err(|e| e.description.to_string())
    }

    fn with(name: &str, value: Value) -> Value {
        let mut c = good();
        c[name] = value;
        c
    }

    fn without(name: &str) -> Value {
        let mut c = good();
        c.as_object_mut().unwrap().remove(name);
        c
    }

    #[test]
    fn good_claims_pass() {
        assert_eq!(check(good()), Ok(()));
        assert_eq!(check(with("aud", json!(["x", "https://op"]))), Ok(()));
    }

    #[test]
    fn iss_and_sub_must_be_the_client() {
        assert!(check(with("iss", json!("other"))).is_err());
        assert!(check(with("sub", json!("other"))).is_err());
        assert!(check(without("iss")).is_err());
    }

    #[test]
    fn aud_must_name_the_op() {
        assert!(check(with("aud", json!("https://elsewhere"))).is_err());
        assert!(check(without("aud")).is_err());
    }

    #[test]
    fn exp_must_be_ahead_but_not_too_far() {
        assert!(check(without("exp")).is_err());
        assert!(check(with("exp", json!(NOW))).is_err());
        assert!(check(with("exp", json!(NOW + MAX_LIFETIME))).is_ok());
        assert!(check(with("exp", json!(NOW + MAX_LIFETIME + LEEWAY + 1))).is_err());
        assert!(check(with("exp", json!("soon"))).is_err());
    }

    #[test]
    fn iat_and_nbf_must_not_be_in_the_future() {
        assert!(check(with("iat", json!(NOW + LEEWAY + 1))).is_err());
        assert!(check(with("nbf", json!(NOW + LEEWAY + 1))).is_err());
        assert!(check(with("iat", json!(NOW - 10))).is_ok());
    }

    #[test]
    fn jti_is_required() {
        assert!(check(without("jti")).is_err());
        assert!(check(with("jti", json!(""))).is_err());
        assert!(check(with("jti", json!("x".repeat(257)))).is_err());
    }

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::parse(serde_urlencoded::to_string(pairs).unwrap().as_bytes())
    }

    #[test]
    fn presented_reads_the_method_from_alg_and_the_client_from_sub() {
        let token = unsigned(&good());
        let none = presented(&params(&[
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", &token),
        ]));
        assert!(none.is_err(), "alg none is never a client assertion");
        assert!(presented(&params(&[])).unwrap().is_none());
        assert!(presented(&params(&[("client_assertion", &token)])).is_err());
        let wrong_type = presented(&params(&[
            ("client_assertion_type", "urn:other"),
            ("client_assertion", &token),
        ]));
        assert_eq!(
            wrong_type.err().map(|e| e.code.as_str()),
            Some("invalid_client")
        );
    }
}
