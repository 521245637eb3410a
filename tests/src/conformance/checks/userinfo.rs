//! The UserInfo response (OIDC Core 5.3.2) and the standard claims' types (5.1) and scopes
//! (5.4).

use serde_json::{Map, Value};

use super::token::short;
use super::{Answer, Check, Findings, Violation};

/// Checks a userinfo answer against the ID token's `sub`; returns the claims if JSON.
pub fn check_response(
    answer: &Answer,
    id_token_sub: &str,
    findings: &mut Findings,
) -> Option<Map<String, Value>> {
    if answer.status != 200 {
        findings.fail(Err(Violation::new(
            "CallUserInfoEndpoint",
            "OIDCC-5.3.2",
            format!(
                "userinfo answered {}: {}",
                answer.status,
                short(&answer.body)
            ),
        )));
        return None;
    }
    let media = answer.media_type();
    if media.as_deref() == Some("application/jwt") {
        return None; // a signed response: the caller verifies it as a JWS
    }
    if media.as_deref() != Some("application/json") {
        findings.fail(Err(Violation::new(
            "CheckUserInfoEndpointReturnedJsonContentType",
            "OIDCC-5.3.2",
            format!("content-type {:?}", answer.header("content-type")),
        )));
    }
    let Some(Value::Object(claims)) = answer.json() else {
        findings.fail(Err(Violation::new(
            "CheckUserInfoEndpointReturnedJsonContentType",
            "OIDCC-5.3.2",
            format!("the body is not a JSON object: {}", short(&answer.body)),
        )));
        return None;
    };
    findings.fail(check_sub(&claims, id_token_sub));
    findings.fail(check_claim_types(&claims));
    Some(claims)
}

/// OIDC Core 5.3.2: `sub` is always returned and exactly matches the ID token's.
pub fn check_sub(claims: &Map<String, Value>, id_token_sub: &str) -> Check {
    match claims.get("sub") {
        Some(Value::String(s)) if s == id_token_sub => Ok(()),
        other => Err(Violation::new(
            "CheckUserInfoSubMatchesIdToken",
            "OIDCC-5.3.2",
            format!("userinfo sub {other:?}, the ID token's {id_token_sub:?}"),
        )),
    }
}

/// OIDC Core 5.1: the JSON types of the standard claims.
pub fn check_claim_types(claims: &Map<String, Value>) -> Check {
    let strings = [
        "name",
        "given_name",
        "family_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "email",
        "gender",
        "birthdate",
        "zoneinfo",
        "locale",
        "phone_number",
    ];
    for name in strings {
        if let Some(v) = claims.get(name) {
            if !v.is_string() {
                return type_error(name, v, "a string");
            }
        }
    }
    for name in ["email_verified", "phone_number_verified"] {
        if let Some(v) = claims.get(name) {
            if !v.is_boolean() {
                return type_error(name, v, "a boolean");
            }
        }
    }
    if let Some(v) = claims.get("updated_at") {
        if !v.is_number() {
            return type_error("updated_at", v, "a number");
        }
    }
    if let Some(v) = claims.get("address") {
        let ok = v
            .as_object()
            .is_some_and(|a| a.values().all(Value::is_string));
        if !ok {
            return type_error("address", v, "an object of strings");
        }
    }
    Ok(())
}

fn type_error(name: &str, value: &Value, want: &str) -> Check {
    Err(Violation::new(
        "ValidateUserInfoStandardClaims",
        "OIDCC-5.1",
        format!("{name} is {value}, not {want}"),
    ))
}

/// The claims a scope asks for (OIDC Core 5.4).
pub fn scope_claims(scope: &str) -> &'static [&'static str] {
    match scope {
        "profile" => &[
            "name",
            "family_name",
            "given_name",
            "middle_name",
            "nickname",
            "preferred_username",
            "profile",
            "picture",
            "website",
            "gender",
            "birthdate",
            "zoneinfo",
            "locale",
            "updated_at",
        ],
        "email" => &["email", "email_verified"],
        "address" => &["address"],
        "phone" => &["phone_number", "phone_number_verified"],
        _ => &[],
    }
}

/// OIDC Core 5.4: a scope's claims are returned when available. A warning, not a failure:
/// the test person may not have them, and the OP may decline.
pub fn check_scope_claims(scopes: &[&str], claims: &Map<String, Value>) -> Check {
    for scope in scopes {
        let wanted = scope_claims(scope);
        if !wanted.is_empty() && !wanted.iter().any(|c| claims.contains_key(*c)) {
            return Err(Violation::new(
                "VerifyScopesReturnedInUserInfoClaims",
                "OIDCC-5.4",
                format!("scope {scope} was granted but none of its claims came back"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_different_sub_fails() {
        let mut f = Findings::default();
        check_response(
            &Answer::json_answer(200, &json!({"sub": "other"})),
            "u1",
            &mut f,
        );
        assert_eq!(f.failures()[0].condition, "CheckUserInfoSubMatchesIdToken");
    }

    #[test]
    fn string_typed_booleans_fail_the_claim_types() {
        let v = check_claim_types(&map(json!({"sub": "u", "email_verified": "true"}))).unwrap_err();
        assert_eq!(v.condition, "ValidateUserInfoStandardClaims");
        assert!(check_claim_types(&map(json!({"updated_at": "2020"}))).is_err());
        assert!(check_claim_types(&map(json!({"address": "Street 1"}))).is_err());
        assert!(check_claim_types(&map(
            json!({"email_verified": true, "address": {"country": "DK"}})
        ))
        .is_ok());
    }

    #[test]
    fn an_html_answer_fails_the_content_type() {
        let answer = Answer {
            status: 200,
            headers: vec![("content-type".into(), "text/html".into())],
            body: "<html>".into(),
        };
        let mut f = Findings::default();
        check_response(&answer, "u1", &mut f);
        assert_eq!(
            f.failures()[0].condition,
            "CheckUserInfoEndpointReturnedJsonContentType"
        );
    }

    #[test]
    fn a_scope_without_its_claims_is_reported() {
        assert!(check_scope_claims(&["email"], &map(json!({"sub": "u"}))).is_err());
        assert!(check_scope_claims(&["email"], &map(json!({"email": "a@b"}))).is_ok());
    }
}
