//! `scope` must contain `openid`; unknown scopes are ignored (OIDC Core 3.1.2.1).

use crate::error::{ErrorCode, OAuthError};
use crate::oidc::{Params, SCOPES_SUPPORTED};

/// The known scopes, `openid` first, each once, in request order.
pub fn check(params: &Params) -> Result<Vec<String>, OAuthError> {
    let scope = params
        .get("scope")
        .ok_or_else(|| OAuthError::invalid_request("scope is missing; it must contain openid"))?;
    let requested: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    if !requested.contains(&"openid") {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "scope must contain openid",
        ));
    }
    let mut scopes = vec!["openid".to_string()];
    for s in requested {
        if SCOPES_SUPPORTED.contains(&s) && !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_string());
        }
    }
    Ok(scopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_scopes_dropped_order_kept_openid_first() {
        let p = Params::parse(b"scope=email+foo+openid+profile+email");
        assert_eq!(check(&p).unwrap(), vec!["openid", "email", "profile"]);
    }

    #[test]
    fn scope_without_openid_is_invalid_scope() {
        let p = Params::parse(b"scope=profile");
        assert_eq!(check(&p).unwrap_err().code, ErrorCode::InvalidScope);
    }
}
