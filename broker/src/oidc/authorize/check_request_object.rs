//! Request objects (OIDC Core 6, RFC 9101 JAR) and pushed requests (RFC 9126): the request's
//! parameters come from a JWT sent by value (`request`), fetched by reference (`request_uri`,
//! https or loopback, size and time limited; fetched by the route before the pipeline runs), or
//! from a request the client pushed to `/par` (`request_uri` `urn:ietf:params:oauth:request_uri:`,
//! single use, bound to the client).
//!
//! A signed object is verified with the client's keys; an unsigned one (`alg: none`) is accepted
//! only when the client registered no `request_object_signing_alg` (OIDC Core 6.1), or
//! registered `none`. The object's parameters override the query's (OIDC Core 6.3.3);
//! `client_id` must match.

use keys::Jwks;
use serde_json::Value;

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::{ErrorCode, OAuthError};
use crate::model::{Client, Profile};
use crate::oidc::fetch::Outbound;
use crate::oidc::jose::{self, JoseError};
use crate::oidc::{client_keys, fetch, Params};
use crate::secrets;

/// The prefix of the `request_uri` values `/par` hands out (RFC 9126 2.2).
pub const PAR_URN_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// Clock skew allowed on `nbf`.
const LEEWAY: UnixTime = 60;
/// JWT claims that describe the object itself, not the authorization request.
const JWT_CLAIMS: &[&str] = &["iss", "aud", "exp", "iat", "nbf", "jti"];

/// What the route fetched before the synchronous pipeline: the `request_uri` document and the
/// client's keys when they live at a `jwks_uri`.
#[derive(Debug, Default)]
pub struct Prefetched {
    pub request_uri: Option<Result<String, OAuthError>>,
    pub client_jwks: Option<Result<Jwks, String>>,
}

fn invalid_object(description: impl Into<String>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRequestObject, description.into())
}

fn invalid_uri(description: impl Into<String>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRequestUri, description.into())
}

/// Fetches what [`resolve`] will need: the document at a (non-PAR) `request_uri`, and the keys
/// of a client that publishes them at a `jwks_uri`.
///
/// Nothing is fetched for a request whose client is not registered, or whose query names a
/// redirect_uri the client did not register: a page on the web cannot make the broker fetch
/// for an arbitrary request.
pub async fn prefetch(broker: &Broker, params: &Params) -> Prefetched {
    let uri = params
        .get("request_uri")
        .filter(|u| !u.starts_with(PAR_URN_PREFIX));
    let request_uri = match uri {
        None => None,
        Some(uri) => Some(match may_fetch_for(broker, params) {
            Err(e) => Err(invalid_uri(format!(
                "the request_uri was not fetched: {}",
                e.description
            ))),
            Ok(()) => fetch::fetch(
                Outbound::of(&broker.config),
                uri,
                "application/oauth-authz-req+jwt, application/jwt",
            )
            .await
            .map_err(|e| invalid_uri(e.to_string()))
            .and_then(|body| {
                String::from_utf8(body)
                    .map(|s| s.trim().to_string())
                    .map_err(|_| invalid_uri("the request_uri document is not text"))
            }),
        }),
    };
    let wants_keys = params.get("request").is_some() || request_uri.is_some();
    let client_jwks = match params.get("client_id") {
        Some(id) if wants_keys => {
            match broker.store.clients.get(&crate::model::ClientId::new(id)) {
                Ok(Some(client)) if client.jose.jwks_uri.is_some() => Some(
                    client_keys::jwks(Outbound::of(&broker.config), &client)
                        .await
                        .map_err(|e| e.to_string()),
                ),
                _ => None,
            }
        }
        _ => None,
    };
    Prefetched {
        request_uri,
        client_jwks,
    }
}

/// The client is registered and the query's redirect_uri, if it names one, is the client's.
fn may_fetch_for(broker: &Broker, params: &Params) -> Result<(), OAuthError> {
    let client = super::check_client::check(broker, params)?;
    if params.get("redirect_uri").is_some() {
        super::check_redirect_uri::check(&client, params)?;
    }
    Ok(())
}

/// The request's effective parameters: `None` when it carries no request object and no pushed
/// request (the query stands as sent).
pub fn resolve(
    broker: &Broker,
    client: &Client,
    params: &Params,
    prefetched: &Prefetched,
    now: UnixTime,
) -> Result<Option<Params>, OAuthError> {
    if let Some(urn) = params
        .get("request_uri")
        .filter(|u| u.starts_with(PAR_URN_PREFIX))
    {
        if params.get("request").is_some() {
            return Err(OAuthError::invalid_request(
                "send request or request_uri, not both",
            ));
        }
        return pushed(broker, client, urn, now).map(Some);
    }
    if broker.config.par.required {
        return Err(OAuthError::invalid_request(
            "this broker requires pushed authorization requests (RFC 9126): POST the request \
             to the pushed_authorization_request_endpoint first",
        ));
    }
    let jwt = match (params.get("request"), params.get("request_uri")) {
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => {
            return Err(OAuthError::invalid_request(
                "send request or request_uri, not both",
            ))
        }
        (Some(jwt), None) => jwt.to_string(),
        (None, Some(_)) => match &prefetched.request_uri {
            Some(Ok(jwt)) => jwt.clone(),
            Some(Err(e)) => return Err(e.clone()),
            None => return Err(invalid_uri("the request_uri was not fetched")),
        },
    };
    let keys = || -> Result<Jwks, OAuthError> {
        if let Some(jwks) = &client.jose.jwks {
            return Ok(jwks.clone());
        }
        match &prefetched.client_jwks {
            Some(Ok(jwks)) => Ok(jwks.clone()),
            Some(Err(e)) => Err(invalid_object(e.clone())),
            None => Err(invalid_object(
                "the request object is signed, but the client registered no keys",
            )),
        }
    };
    let overrides = verified_parameters(broker, client, params, &jwt, keys, now)?;
    Ok(Some(params.merged(overrides, &["request", "request_uri"])))
}

/// A pushed request, taken once.
fn pushed(
    broker: &Broker,
    client: &Client,
    urn: &str,
    now: UnixTime,
) -> Result<Params, OAuthError> {
    let handle = &urn[PAR_URN_PREFIX.len()..];
    let request = broker
        .store
        .pushed
        .take(&secrets::hash(handle))?
        .ok_or_else(|| invalid_uri("the request_uri is unknown or was used already"))?;
    if request.client_id != client.client_id {
        return Err(invalid_uri("the request_uri was pushed by another client")
            .with_detail(format!("pushed by {}", request.client_id)));
    }
    if request.expires_at <= now {
        return Err(invalid_uri("the request_uri has expired"));
    }
    Ok(Params::parse(request.params.as_bytes()))
}

/// Verifies the object and returns its authorization parameters as strings.
pub(crate) fn verified_parameters(
    broker: &Broker,
    client: &Client,
    params: &Params,
    jwt: &str,
    keys: impl FnOnce() -> Result<Jwks, OAuthError>,
    now: UnixTime,
) -> Result<Vec<(String, String)>, OAuthError> {
    let decoded = jose::decode(jwt).map_err(|e| match e {
        JoseError::Encrypted => invalid_object("encrypted request objects are not supported"),
        e => invalid_object(e.to_string()),
    })?;
    let alg = decoded.alg();
    match client.jose.request_object_signing_alg.as_deref() {
        Some(registered) if registered != alg => {
            return Err(invalid_object(format!(
                "this client registered request_object_signing_alg {registered}, the object \
                 uses {alg}"
            )))
        }
        _ => {}
    }
    if alg == "none" {
        decoded.check_unsigned()
    } else if matches!(alg, "RS256" | "PS256" | "ES256") {
        decoded.verify_with(&keys()?)
    } else if alg == "HS256" && broker.profile == Profile::Neb {
        // NEB signs request objects with HS256 under the client secret (openid-intro.md);
        // only a client_secret_jwt client's secret is kept in clear to verify one with.
        let secret = client.jose.jwt_secret.as_deref().ok_or_else(|| {
            invalid_object(
                "an HS256 request object is verified with the client secret, which the \
                 simulator keeps only for clients registered for client_secret_jwt; register \
                 the client so, or sign with RS256 (ledger: neb.request-object-hs256)",
            )
        })?;
        decoded.verify_hs256(secret)
    } else {
        return Err(invalid_object(format!(
            "request objects signed with {alg} are not supported; use RS256, PS256, ES256 or none"
        )));
    }
    .map_err(|e| invalid_object(format!("the request object: {e}")))?;

    let claims = &decoded.claims;
    check_claims(broker, client, params, &decoded, now)?;
    Ok(claims
        .iter()
        .filter(|(k, _)| !JWT_CLAIMS.contains(&k.as_str()))
        .map(|(k, v)| {
            let value = match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (k.clone(), value)
        })
        .collect())
}

fn check_claims(
    broker: &Broker,
    client: &Client,
    params: &Params,
    jwt: &jose::Jwt<'_>,
    now: UnixTime,
) -> Result<(), OAuthError> {
    let claims = &jwt.claims;
    if claims.contains_key("request") || claims.contains_key("request_uri") {
        return Err(invalid_object(
            "a request object must not hold request or request_uri (OIDC Core 6.1)",
        ));
    }
    let id = client.client_id.as_str();
    if claims
        .get("client_id")
        .is_some_and(|c| c.as_str() != Some(id))
    {
        return Err(invalid_object(
            "the request object's client_id differs from the request's",
        ));
    }
    if claims.get("iss").is_some_and(|c| c.as_str() != Some(id)) {
        return Err(invalid_object(
            "the request object's iss must be the client_id",
        ));
    }
    if claims.contains_key("aud") && !jwt.audience_is_one_of(&[broker.issuer.as_str()]) {
        return Err(invalid_object(format!(
            "the request object's aud must be the issuer {}",
            broker.issuer.as_str()
        )));
    }
    // NEB requires exp ("exp alone is enough", STUBID docs/research/signed-requests.md) and its
    // own example sends it as a string of digits.
    let exp = claims.get("exp").map(|e| {
        e.as_i64()
            .or_else(|| e.as_str().and_then(|s| s.parse().ok()))
    });
    match exp {
        None if broker.profile == Profile::Neb => {
            return Err(invalid_object("the request object has no exp"))
        }
        None => {}
        Some(exp) if exp.is_none_or(|e| e <= now) => {
            return Err(invalid_object("the request object has expired"))
        }
        Some(_) => {}
    }
    if claims
        .get("nbf")
        .is_some_and(|n| n.as_i64().is_none_or(|n| n > now + LEEWAY))
    {
        return Err(invalid_object("the request object is not valid yet (nbf)"));
    }
    // OIDC Core 6.1: response_type in both places must agree.
    if let (Some(query), Some(object)) = (
        params.get("response_type"),
        claims.get("response_type").and_then(Value::as_str),
    ) {
        if query != object {
            return Err(invalid_object(
                "response_type differs between the query and the request object",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::config::Config;
    use crate::model::{ClientId, PushedRequest};
    use crate::server::{build, Storage};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
    use keys::{Alg, KeyKind, SigningKey};
    use serde_json::json;
    use std::sync::Arc;

    const NOW: UnixTime = 1_700_000_000;
    const ISSUER: &str = "https://op.example";

    fn broker() -> Broker {
        build(
            Config::default(),
            ISSUER,
            Arc::new(ManualClock::new(NOW)),
            Storage::Memory,
        )
        .unwrap()
    }

    fn client(registered_alg: Option<&str>, key: Option<&SigningKey>) -> Client {
        let mut client: Client = serde_json::from_value(json!({
            "client_id": "c",
            "redirect_uris": ["https://rp.example/cb"],
        }))
        .unwrap();
        client.jose.request_object_signing_alg = registered_alg.map(str::to_string);
        client.jose.jwks = key.map(|k| Jwks {
            keys: vec![k.public_jwk().clone()],
        });
        client
    }

    fn unsigned(claims: &Value) -> String {
        format!(
            "{}.{}.",
            B64.encode(br#"{"alg":"none"}"#),
            B64.encode(claims.to_string())
        )
    }

    fn run(client: &Client, query: &str, jwt: &str) -> Result<Vec<(String, String)>, String> {
        let broker = broker();
        let keys = || {
            client
                .jose
                .jwks
                .clone()
                .ok_or_else(|| invalid_object("no keys"))
        };
        verified_parameters(
            &broker,
            client,
            &Params::parse(query.as_bytes()),
            jwt,
            keys,
            NOW,
        )
        .map_err(|e| format!("{}: {}", e.code.as_str(), e.description))
    }

    #[test]
    fn unsigned_objects_are_accepted_only_without_a_registered_alg() {
        let object = unsigned(&json!({ "scope": "openid", "max_age": 60 }));
        let params = run(&client(None, None), "", &object).unwrap();
        assert!(
            params.contains(&("max_age".into(), "60".into())),
            "numbers become strings"
        );
        assert!(run(&client(Some("none"), None), "", &object).is_ok());
        let (key, _) = SigningKey::generate(KeyKind::Rsa).unwrap();
        let refused = run(&client(Some("RS256"), Some(&key)), "", &object).unwrap_err();
        assert!(refused.starts_with("invalid_request_object"), "{refused}");
    }

    #[test]
    fn signed_objects_need_the_clients_key() {
        let (key, _) = SigningKey::generate(KeyKind::Rsa).unwrap();
        let (other, _) = SigningKey::generate(KeyKind::Rsa).unwrap();
        let claims = json!({ "iss": "c", "aud": ISSUER, "nonce": "n" });
        let jwt =
            keys::sign_compact(&key, Alg::RS256, "JWT", claims.to_string().as_bytes()).unwrap();
        let params = run(&client(None, Some(&key)), "", &jwt).unwrap();
        assert_eq!(
            params,
            vec![("nonce".to_string(), "n".to_string())],
            "JWT claims are not parameters"
        );
        assert!(run(&client(None, Some(&other)), "", &jwt).is_err());
        assert!(
            run(&client(None, None), "", &jwt).is_err(),
            "no keys registered"
        );
        assert!(
            run(&client(Some("ES256"), Some(&key)), "", &jwt).is_err(),
            "not the registered alg"
        );
    }

    #[test]
    fn claims_are_checked() {
        let c = client(None, None);
        let refused = |claims: Value, query: &str| run(&c, query, &unsigned(&claims)).is_err();
        assert!(refused(json!({ "client_id": "other" }), ""));
        assert!(refused(json!({ "iss": "other" }), ""));
        assert!(refused(json!({ "aud": "https://elsewhere" }), ""));
        assert!(refused(json!({ "exp": NOW }), ""));
        assert!(refused(json!({ "nbf": NOW + 3600 }), ""));
        assert!(refused(json!({ "request_uri": "https://x" }), ""));
        assert!(refused(
            json!({ "response_type": "code" }),
            "response_type=id_token"
        ));
        assert!(!refused(
            json!({ "response_type": "code", "exp": NOW + 60, "aud": [ISSUER] }),
            "response_type=code"
        ));
    }

    #[test]
    fn unsupported_algs_and_encryption_are_invalid_request_object() {
        let c = client(None, None);
        let hs = format!(
            "{}.{}.c2ln",
            B64.encode(br#"{"alg":"HS256"}"#),
            B64.encode(b"{}")
        );
        assert!(run(&c, "", &hs)
            .unwrap_err()
            .starts_with("invalid_request_object"));
        assert!(run(&c, "", "a.b.c.d.e").unwrap_err().contains("encrypted"));
    }

    #[test]
    fn pushed_requests_are_bound_to_their_client_and_expiry() {
        let broker = broker();
        let c = client(None, None);
        let put = |handle: &str, client: &str, expires_at| {
            broker
                .store
                .pushed
                .put(
                    &secrets::hash(handle),
                    &PushedRequest {
                        client_id: ClientId::new(client),
                        params: "scope=openid".into(),
                        expires_at,
                    },
                )
                .unwrap()
        };
        put("mine", "c", NOW + 60);
        put("theirs", "d", NOW + 60);
        put("old", "c", NOW);
        let urn = |h: &str| format!("{PAR_URN_PREFIX}{h}");
        assert_eq!(
            pushed(&broker, &c, &urn("mine"), NOW).unwrap().get("scope"),
            Some("openid")
        );
        let code = |h: &str| pushed(&broker, &c, &urn(h), NOW).unwrap_err().code;
        assert_eq!(code("mine"), ErrorCode::InvalidRequestUri, "used once");
        assert_eq!(code("theirs"), ErrorCode::InvalidRequestUri);
        assert_eq!(code("old"), ErrorCode::InvalidRequestUri);
    }
}
