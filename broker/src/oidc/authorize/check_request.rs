//! Parameters the broker does not support yet, and repeated parameters (RFC 6749 3.1: request
//! parameters must not be included more than once).

use crate::error::{ErrorCode, OAuthError};
use crate::oidc::Params;

pub fn check(params: &Params) -> Result<(), OAuthError> {
    if let Some(name) = params.first_repeated() {
        return Err(OAuthError::invalid_request(format!(
            "{name} was sent more than once"
        )));
    }
    if params.get("request").is_some() {
        return Err(OAuthError::new(
            ErrorCode::RequestNotSupported,
            "request objects are not supported",
        ));
    }
    if params.get("request_uri").is_some() {
        return Err(OAuthError::new(
            ErrorCode::RequestUriNotSupported,
            "request_uri is not supported",
        ));
    }
    Ok(())
}
