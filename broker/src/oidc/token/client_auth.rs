//! Client authentication at the token, revocation, introspection and PAR endpoints (RFC 6749
//! 2.3.1, OIDC Core 9): `client_secret_basic`, `client_secret_post`, `client_secret_jwt` and
//! `private_key_jwt` (RFC 7523 2.2 client assertions, see [`super::client_assertion`]), or
//! `none` for public clients. A client must use the method it registered.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{AuthMethod, Client, ClientId};
use crate::oidc::Params;
use crate::secrets;

use super::client_assertion;

#[derive(Debug)]
pub struct ClientAuthError {
    pub error: OAuthError,
    pub used_basic: bool,
}

struct Presented {
    client_id: String,
    secret: Option<String>,
    /// `client_assertion` (RFC 7523 2.2).
    assertion: Option<String>,
    method: AuthMethod,
}

fn fail(description: &'static str, used_basic: bool) -> ClientAuthError {
    ClientAuthError {
        error: OAuthError::invalid_client(description),
        used_basic,
    }
}

/// Parses `Authorization: Basic base64(urlencode(id):urlencode(secret))`.
fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, value) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(value.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

fn presented(params: &Params, authorization: Option<&str>) -> Result<Presented, ClientAuthError> {
    let basic = match authorization {
        Some(h) if h.trim_start().to_ascii_lowercase().starts_with("basic ") => Some(
            parse_basic(h)
                .ok_or_else(|| fail("the Basic authorization header is malformed", true))?,
        ),
        _ => None,
    };
    let post_secret = params.get("client_secret");
    if let Some(assertion) =
        client_assertion::presented(params).map_err(|error| ClientAuthError {
            error,
            used_basic: false,
        })?
    {
        if basic.is_some() || post_secret.is_some() {
            return Err(ClientAuthError {
                error: OAuthError::invalid_request("use one client authentication method, not two"),
                used_basic: basic.is_some(),
            });
        }
        return Ok(Presented {
            client_id: assertion.client_id,
            secret: None,
            assertion: Some(assertion.jwt),
            method: assertion.method,
        });
    }
    match (basic, post_secret) {
        (Some(_), Some(_)) => Err(ClientAuthError {
            error: OAuthError::invalid_request("use one client authentication method, not two"),
            used_basic: true,
        }),
        (Some((id, secret)), None) => {
            if params.get("client_id").is_some_and(|p| p != id) {
                return Err(ClientAuthError {
                    error: OAuthError::invalid_request(
                        "client_id in the body differs from the Basic credentials",
                    ),
                    used_basic: true,
                });
            }
            Ok(Presented {
                client_id: id,
                secret: Some(secret),
                assertion: None,
                method: AuthMethod::ClientSecretBasic,
            })
        }
        (None, Some(secret)) => Ok(Presented {
            client_id: params
                .get("client_id")
                .ok_or_else(|| fail("client_secret was sent without client_id", false))?
                .to_string(),
            secret: Some(secret.to_string()),
            assertion: None,
            method: AuthMethod::ClientSecretPost,
        }),
        (None, None) => Ok(Presented {
            client_id: params
                .get("client_id")
                .ok_or_else(|| fail("client authentication is missing", false))?
                .to_string(),
            secret: None,
            assertion: None,
            method: AuthMethod::None,
        }),
    }
}

/// The client a request names or presents credentials for, unverified (which origins may read
/// the answer: [`crate::oidc::cors`]).
pub fn claimed_client_id(params: &Params, authorization: Option<&str>) -> Option<String> {
    presented(params, authorization).ok().map(|p| p.client_id)
}

/// Authenticates the client making a request to `endpoint` (a path from [`crate::paths`]; an
/// assertion's `aud` may name it, the token endpoint or the issuer).
pub async fn authenticate(
    broker: &Broker,
    params: &Params,
    authorization: Option<&str>,
    endpoint: &str,
    now: UnixTime,
) -> Result<Client, ClientAuthError> {
    let p = presented(params, authorization)?;
    let used_basic = p.method == AuthMethod::ClientSecretBasic;
    let client = broker
        .store
        .clients
        .get(&ClientId::new(&p.client_id))
        .map_err(|e| ClientAuthError {
            error: e.into(),
            used_basic,
        })?
        .ok_or_else(|| fail("client authentication failed", used_basic))?;
    if client.token_endpoint_auth_method != p.method {
        return Err(ClientAuthError {
            error: OAuthError::invalid_client(format!(
                "this client is registered for {}",
                client.token_endpoint_auth_method.as_str()
            )),
            used_basic,
        });
    }
    if let Some(secret) = &p.secret {
        let ok = client
            .secret_hash
            .as_deref()
            .is_some_and(|h| secrets::constant_time_eq(h, &secrets::hash(secret)));
        if !ok {
            return Err(fail("client authentication failed", used_basic));
        }
    }
    if let Some(jwt) = &p.assertion {
        client_assertion::verify(broker, &client, jwt, endpoint, now)
            .await
            .map_err(|error| ClientAuthError {
                error,
                used_basic: false,
            })?;
    }
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_urlencoded() {
        // "a b:p%3Aw" -> id "a b", secret "p:w"
        let header = format!("Basic {}", STANDARD.encode("a+b:p%3Aw"));
        assert_eq!(
            parse_basic(&header),
            Some(("a b".to_string(), "p:w".to_string()))
        );
        assert_eq!(parse_basic("Bearer abc"), None);
        assert_eq!(parse_basic("Basic !!!"), None);
    }
}
