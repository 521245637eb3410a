//! Token endpoint responses: success (RFC 6749 5.1, OIDC Core 3.1.3.3) and error (RFC 6749
//! 5.2).

use serde_json::Value;

use super::{Answer, Check, Findings, Violation};

/// The checks on a successful token response; returns the JSON body when it is one.
pub fn check_success(
    answer: &Answer,
    expect_id_token: bool,
    findings: &mut Findings,
) -> Option<Value> {
    if !findings.fail(check_status_200(answer)) {
        return None;
    }
    findings.fail(check_json(answer));
    findings.fail(check_no_store(answer));
    findings.warn(check_pragma(answer));
    let body = answer.json()?;
    findings.fail(check_access_token(&body));
    findings.fail(check_token_type(&body));
    findings.fail(check_expires_in(&body));
    if expect_id_token {
        findings.fail(check_id_token_present(&body));
    }
    Some(body)
}

pub fn check_status_200(answer: &Answer) -> Check {
    if answer.status == 200 {
        return Ok(());
    }
    Err(Violation::new(
        "CheckIfTokenEndpointResponseError",
        "RFC6749-5.1",
        format!(
            "the token endpoint answered {}: {}",
            answer.status,
            short(&answer.body)
        ),
    ))
}

/// RFC 6749 5.1: the parameters are in an `application/json` body.
pub fn check_json(answer: &Answer) -> Check {
    let ok = answer.media_type().as_deref() == Some("application/json")
        && matches!(answer.json(), Some(Value::Object(_)));
    if ok {
        return Ok(());
    }
    Err(Violation::new(
        "CheckTokenEndpointReturnedJsonContentType",
        "RFC6749-5.1",
        format!(
            "content-type {:?}, body {}",
            answer.header("content-type"),
            short(&answer.body)
        ),
    ))
}

/// RFC 6749 5.1: `Cache-Control: no-store` on every response carrying tokens.
pub fn check_no_store(answer: &Answer) -> Check {
    let ok = answer.header("cache-control").is_some_and(|v| {
        v.split(',')
            .any(|d| d.trim().eq_ignore_ascii_case("no-store"))
    });
    if ok {
        return Ok(());
    }
    Err(Violation::new(
        "CheckTokenEndpointCacheHeaders",
        "RFC6749-5.1",
        format!(
            "Cache-Control is {:?}, not no-store",
            answer.header("cache-control")
        ),
    ))
}

/// RFC 6749 5.1 also asks for `Pragma: no-cache`. A warning only: RFC 9111 5.4 deprecates
/// `Pragma`, and `Cache-Control: no-store` (checked as a failure) is what caches obey.
pub fn check_pragma(answer: &Answer) -> Check {
    if answer
        .header("pragma")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("no-cache"))
    {
        return Ok(());
    }
    Err(Violation::new(
        "CheckTokenEndpointPragmaHeader",
        "RFC6749-5.1",
        "no Pragma: no-cache",
    ))
}

pub fn check_access_token(body: &Value) -> Check {
    match body.get("access_token") {
        Some(Value::String(t)) if !t.is_empty() => Ok(()),
        _ => Err(Violation::new(
            "CheckForAccessTokenValue",
            "RFC6749-5.1",
            "no access_token in the token response",
        )),
    }
}

/// OIDC Core 3.1.3.3: `token_type` MUST be `Bearer` (compared without case, RFC 6749 5.1).
pub fn check_token_type(body: &Value) -> Check {
    match body.get("token_type").and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("bearer") => Ok(()),
        other => Err(Violation::new(
            "CheckTokenTypeIsBearer",
            "OIDCC-3.1.3.3",
            format!("token_type {other:?}"),
        )),
    }
}

/// RFC 6749 5.1: `expires_in`, when present, is a positive number of seconds.
pub fn check_expires_in(body: &Value) -> Check {
    match body.get("expires_in") {
        None => Ok(()),
        Some(Value::Number(n)) if n.as_f64().is_some_and(|s| s > 0.0) => Ok(()),
        Some(other) => Err(Violation::new(
            "ValidateExpiresIn",
            "RFC6749-5.1",
            format!("expires_in {other} is not a positive number"),
        )),
    }
}

/// OIDC Core 3.1.3.3: the token response of an OpenID request carries an `id_token`.
pub fn check_id_token_present(body: &Value) -> Check {
    match body.get("id_token") {
        Some(Value::String(t)) if !t.is_empty() => Ok(()),
        _ => Err(Violation::new(
            "ExtractIdTokenFromTokenResponse",
            "OIDCC-3.1.3.3",
            "no id_token in the token response",
        )),
    }
}

/// RFC 6749 5.2: an error is 400 (401 for `invalid_client`) with a JSON `error` from
/// `allowed`.
pub fn check_error(
    answer: &Answer,
    allowed: &[&str],
    condition: &'static str,
    spec: &'static str,
) -> Check {
    if answer.status == 200 {
        return Err(Violation::new(
            condition,
            spec,
            format!("the token endpoint answered 200: {}", short(&answer.body)),
        ));
    }
    let error = answer
        .json()
        .and_then(|b| b.get("error").and_then(Value::as_str).map(str::to_string));
    let Some(error) = error else {
        return Err(Violation::new(
            "CheckTokenEndpointErrorResponse",
            "RFC6749-5.2",
            format!(
                "answer {} without a JSON error: {}",
                answer.status,
                short(&answer.body)
            ),
        ));
    };
    if !allowed.contains(&error.as_str()) {
        return Err(Violation::new(
            condition,
            spec,
            format!("error {error}, expected one of {}", allowed.join(", ")),
        ));
    }
    let status_ok = answer.status == 400 || (error == "invalid_client" && answer.status == 401);
    if !status_ok {
        return Err(Violation::new(
            "CheckTokenEndpointHttpStatus400",
            "RFC6749-5.2",
            format!("error {error} came with status {}", answer.status),
        ));
    }
    Ok(())
}

pub(crate) fn short(text: &str) -> String {
    let mut s: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn good() -> Value {
        json!({"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "id_token": "x.y.z"})
    }

    fn failed(answer: &Answer) -> Vec<&'static str> {
        let mut f = Findings::default();
        check_success(answer, true, &mut f);
        f.failures().iter().map(|v| v.condition).collect()
    }

    #[test]
    fn a_good_response_passes() {
        assert!(failed(&Answer::json_answer(200, &good())).is_empty());
    }

    #[test]
    fn a_cacheable_token_response_fails() {
        let mut answer = Answer::json_answer(200, &good());
        answer.headers.retain(|(n, _)| n != "cache-control");
        assert_eq!(failed(&answer), vec!["CheckTokenEndpointCacheHeaders"]);
    }

    #[test]
    fn each_bad_member_fails_its_condition() {
        for (member, value, condition) in [
            ("token_type", json!("mac"), "CheckTokenTypeIsBearer"),
            ("expires_in", json!(-5), "ValidateExpiresIn"),
            ("access_token", json!(""), "CheckForAccessTokenValue"),
            ("id_token", json!(null), "ExtractIdTokenFromTokenResponse"),
        ] {
            let mut body = good();
            body[member] = value;
            assert_eq!(
                failed(&Answer::json_answer(200, &body)),
                vec![condition],
                "{member}"
            );
        }
    }

    #[test]
    fn a_reused_code_must_be_invalid_grant_with_400() {
        let allowed = ["invalid_grant"];
        let ok = Answer::json_answer(400, &json!({"error": "invalid_grant"}));
        assert!(check_error(&ok, &allowed, "C", "RFC6749-5.2").is_ok());
        let accepted = Answer::json_answer(200, &good());
        assert_eq!(
            check_error(&accepted, &allowed, "C", "S")
                .unwrap_err()
                .condition,
            "C"
        );
        let wrong_status = Answer::json_answer(500, &json!({"error": "invalid_grant"}));
        assert_eq!(
            check_error(&wrong_status, &allowed, "C", "S")
                .unwrap_err()
                .condition,
            "CheckTokenEndpointHttpStatus400"
        );
    }
}
