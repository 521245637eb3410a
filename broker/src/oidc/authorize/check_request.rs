//! Repeated parameters (RFC 6749 3.1: request parameters must not be included more than
//! once). Request objects are resolved before this check (see `check_request_object`).

use crate::error::OAuthError;
use crate::oidc::Params;

pub fn check(params: &Params) -> Result<(), OAuthError> {
    if let Some(name) = params.first_repeated() {
        return Err(OAuthError::invalid_request(format!(
            "{name} was sent more than once"
        )));
    }
    Ok(())
}
