//! PKCE (RFC 7636): only S256. `plain` is refused, and so is a challenge without a method
//! (which RFC 7636 4.3 says means plain).

use crate::error::OAuthError;
use crate::model::Client;
use crate::oidc::Params;

pub fn check(client: &Client, params: &Params) -> Result<Option<String>, OAuthError> {
    let challenge = params.get("code_challenge");
    let method = params.get("code_challenge_method");
    match (challenge, method) {
        (None, None) if client.pkce_required() => Err(OAuthError::invalid_request(
            "this client must use PKCE: send code_challenge with code_challenge_method=S256",
        )),
        (None, None) => Ok(None),
        (None, Some(_)) => Err(OAuthError::invalid_request(
            "code_challenge_method was sent without code_challenge",
        )),
        (Some(_), None) | (Some(_), Some("plain")) => Err(OAuthError::invalid_request(
            "PKCE method plain is not supported; use code_challenge_method=S256",
        )),
        (Some(c), Some("S256")) => {
            // base64url of a SHA-256 digest: 43 characters.
            let ok = c.len() == 43
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if ok {
                Ok(Some(c.to_string()))
            } else {
                Err(OAuthError::invalid_request(
                    "code_challenge must be the base64url SHA-256 of the verifier (43 characters)",
                ))
            }
        }
        (Some(_), Some(other)) => Err(OAuthError::invalid_request(format!(
            "code_challenge_method {other} is not supported; use S256"
        ))),
    }
}
