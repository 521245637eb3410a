//! Only the authorization code flow: `response_type=code` (OIDC Core 3.1.2.1).

use crate::error::{ErrorCode, OAuthError};
use crate::oidc::Params;

pub fn check(params: &Params) -> Result<(), OAuthError> {
    match params.get("response_type") {
        None => Err(OAuthError::invalid_request("response_type is missing")),
        Some("code") => Ok(()),
        Some(other) => Err(OAuthError::new(
            ErrorCode::UnsupportedResponseType,
            format!("response_type {other} is not supported; use code"),
        )),
    }
}
