//! The authorization response at the redirect URI (RFC 6749 section 4.1.2, OIDC Core 3.1.2.5
//! and 3.1.2.6, RFC 9207).

use std::collections::BTreeMap;

use super::{Check, Violation};

/// The parameters the OP sent to the redirect URI (query, fragment or form post).
pub type Params = BTreeMap<String, String>;

/// RFC 6749 4.1.2: `state` is echoed exactly when the client sent one.
pub fn check_state(params: &Params, sent: Option<&str>) -> Check {
    let got = params.get("state").map(String::as_str);
    if got == sent {
        return Ok(());
    }
    Err(Violation::new(
        "CheckMatchingStateParameter",
        "RFC6749-4.1.2",
        format!("state sent {sent:?}, returned {got:?}"),
    ))
}

/// A successful response has no `error` (RFC 6749 4.1.2.1).
pub fn check_no_error(params: &Params) -> Check {
    match params.get("error") {
        None => Ok(()),
        Some(error) => Err(Violation::new(
            "CheckIfAuthorizationEndpointError",
            "RFC6749-4.1.2.1",
            format!(
                "the OP returned error {error} ({})",
                params
                    .get("error_description")
                    .map(String::as_str)
                    .unwrap_or("no description")
            ),
        )),
    }
}

/// RFC 6749 4.1.2: a successful code response carries `code`.
pub fn check_code(params: &Params) -> Check {
    match params.get("code") {
        Some(code) if !code.is_empty() => Ok(()),
        _ => Err(Violation::new(
            "ExtractAuthorizationCodeFromAuthorizationResponse",
            "RFC6749-4.1.2",
            "no code in the authorization response",
        )),
    }
}

/// RFC 9207 2.4: an OP that advertises `authorization_response_iss_parameter_supported` sends
/// `iss`; whenever `iss` is sent it is the issuer identifier.
pub fn check_iss(params: &Params, issuer: &str, advertised: bool) -> Check {
    match params.get("iss") {
        Some(iss) if iss == issuer => Ok(()),
        Some(iss) => Err(Violation::new(
            "ValidateIssInAuthorizationResponse",
            "RFC9207-2.4",
            format!("iss {iss:?} is not the issuer {issuer:?}"),
        )),
        None if advertised => Err(Violation::new(
            "ValidateIssInAuthorizationResponse",
            "RFC9207-2.4",
            "authorization_response_iss_parameter_supported is true but no iss was returned",
        )),
        None => Ok(()),
    }
}

/// An error response names one of `allowed` (RFC 6749 4.1.2.1, OIDC Core 3.1.2.6) and no code.
pub fn check_error_is(
    params: &Params,
    allowed: &[&str],
    condition: &'static str,
    spec: &'static str,
) -> Check {
    if params.contains_key("code") {
        return Err(Violation::new(
            condition,
            spec,
            "the OP issued a code where it had to return an error",
        ));
    }
    match params.get("error") {
        Some(error) if allowed.contains(&error.as_str()) => Ok(()),
        Some(error) => Err(Violation::new(
            condition,
            spec,
            format!("error {error}, expected one of {}", allowed.join(", ")),
        )),
        None => Err(Violation::new(
            condition,
            spec,
            format!("no error, expected one of {}", allowed.join(", ")),
        )),
    }
}

/// OIDC Core 3.3.2.5 / OAuth Multiple Response Types 5: in the default response mode of a
/// response type other than `code`, nothing comes in the query.
pub fn check_nothing_in_query(query: &Params) -> Check {
    for name in ["code", "error", "id_token", "access_token"] {
        if query.contains_key(name) {
            return Err(Violation::new(
                "RejectAuthCodeInUrlQuery",
                "OIDCC-3.3.2.5",
                format!("{name} was returned in the query instead of the fragment"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_changed_state_fails_check_matching_state() {
        let p = params(&[("code", "c"), ("state", "other")]);
        let v = check_state(&p, Some("mine")).unwrap_err();
        assert_eq!(v.condition, "CheckMatchingStateParameter");
        assert!(check_state(&params(&[("state", "mine")]), Some("mine")).is_ok());
    }

    #[test]
    fn a_missing_or_foreign_iss_fails_rfc9207() {
        let issuer = "https://op.example";
        let v = check_iss(&params(&[("code", "c")]), issuer, true).unwrap_err();
        assert_eq!(v.spec, "RFC9207-2.4");
        assert!(check_iss(&params(&[("iss", "https://evil.example")]), issuer, false).is_err());
        assert!(check_iss(&params(&[("code", "c")]), issuer, false).is_ok());
    }

    #[test]
    fn a_code_where_an_error_was_due_fails() {
        let v = check_error_is(
            &params(&[("code", "c")]),
            &["login_required"],
            "CheckErrorFromAuthorizationEndpointLoginRequired",
            "OIDCC-3.1.2.6",
        )
        .unwrap_err();
        assert!(v.message.contains("issued a code"));
        assert!(check_error_is(
            &params(&[("error", "login_required")]),
            &["login_required"],
            "x",
            "y"
        )
        .is_ok());
    }

    #[test]
    fn an_error_in_a_success_fails() {
        let v = check_no_error(&params(&[("error", "access_denied")])).unwrap_err();
        assert_eq!(v.condition, "CheckIfAuthorizationEndpointError");
        assert!(check_code(&params(&[])).is_err());
    }
}
