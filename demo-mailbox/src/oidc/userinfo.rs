//! The UserInfo request (OpenID Connect Core §5.3): the person's claims as the broker's dialect
//! sends them, read as plain JSON. The `openidconnect` userinfo types would refuse a
//! string-typed broker's `"true"` where the standard has a boolean; the dialect reads the
//! values instead ([`super::dialect`]).

use openidconnect::core::CoreTokenResponse;
use openidconnect::OAuth2TokenResponse;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Map, Value};

use super::{Provider, RelyingParty};

impl RelyingParty {
    /// The person's claims from the userinfo endpoint, with the access token as a Bearer
    /// token. The response must be a JSON object whose `sub` is `sub` (Core §5.3.2); a signed
    /// or encrypted response (`application/jwt`) is not read.
    pub(super) async fn fetch_userinfo(
        &self,
        provider: &Provider,
        token_response: &CoreTokenResponse,
        sub: &str,
    ) -> Result<Map<String, Value>, String> {
        let endpoint = provider
            .userinfo_endpoint
            .as_ref()
            .ok_or("the broker announced no userinfo endpoint")?;
        let response = self
            .http
            .get(endpoint.clone())
            .bearer_auth(token_response.access_token().secret())
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|error| format!("request failed: {error}"))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("the userinfo endpoint answered {status}"));
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("application/jwt") {
            return Err("a signed or encrypted userinfo response is not supported".to_owned());
        }
        let body = response
            .bytes()
            .await
            .map_err(|error| format!("reading the response failed: {error}"))?;
        let claims = parse_claims(&body)?;
        check_subject(&claims, sub)?;
        Ok(claims)
    }
}

/// The response body as a JSON object.
fn parse_claims(body: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(claims)) => Ok(claims),
        Ok(_) => Err("the userinfo response is not a JSON object".to_owned()),
        Err(error) => Err(format!("the userinfo response is not JSON: {error}")),
    }
}

/// Core §5.3.2: the `sub` of userinfo must be exactly the ID token's.
fn check_subject(claims: &Map<String, Value>, sub: &str) -> Result<(), String> {
    match claims.get("sub").and_then(Value::as_str) {
        Some(found) if found == sub => Ok(()),
        Some(_) => Err("the userinfo sub is not the ID token's".to_owned()),
        None => Err("the userinfo response has no sub".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_must_be_an_object_for_the_same_subject() {
        let claims = parse_claims(br#"{"sub":"s","mitid.has_cpr":"true"}"#).unwrap();
        assert_eq!(check_subject(&claims, "s"), Ok(()));
        assert!(check_subject(&claims, "t").is_err());
        assert!(check_subject(&parse_claims(br#"{"name":"x"}"#).unwrap(), "s").is_err());
        assert!(check_subject(&parse_claims(br#"{"sub":1}"#).unwrap(), "1").is_err());
        assert!(parse_claims(b"[]").is_err());
        assert!(parse_claims(b"eyJhbGciOi.x.y").is_err());
    }
}
