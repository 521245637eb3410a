//! The OP's metadata (OIDC Discovery 1.0 sections 3 and 4, RFC 8414 section 2) and its JWKS
//! (RFC 7517, RFC 7518).

use serde_json::Value;
use url::Url;

use super::{Answer, Check, Findings, Violation};

/// OIDC Discovery 4.2: the configuration is a 200 answer with an `application/json` body.
pub fn check_answer(answer: &Answer) -> Check {
    if answer.status != 200 {
        return Err(Violation::new(
            "EnsureDiscoveryEndpointResponseStatusCodeIs200",
            "OIDCD-4",
            format!("the discovery endpoint answered {}", answer.status),
        ));
    }
    let json = answer.media_type().as_deref() == Some("application/json");
    if !json || !matches!(answer.json(), Some(Value::Object(_))) {
        return Err(Violation::new(
            "CheckDiscoveryEndpointReturnedJsonContentType",
            "OIDCD-4.2",
            format!(
                "content-type {:?}, or the body is no JSON object",
                answer.header("content-type")
            ),
        ));
    }
    Ok(())
}

/// OIDC Discovery 4.3: `issuer` is identical to the issuer the configuration was fetched for.
pub fn check_issuer(doc: &Value, issuer: &str) -> Check {
    match doc.get("issuer").and_then(Value::as_str) {
        Some(i) if i == issuer => Ok(()),
        other => Err(Violation::new(
            "CheckDiscEndpointIssuer",
            "OIDCD-4.3",
            format!("issuer {other:?}, fetched for {issuer:?}"),
        )),
    }
}

/// OIDC Discovery 3: the issuer is an https URL with no query or fragment.
pub fn check_issuer_url(doc: &Value) -> Check {
    let issuer = doc.get("issuer").and_then(Value::as_str).unwrap_or("");
    match Url::parse(issuer) {
        // The scheme is check_all_https's to report.
        Ok(u) if u.query().is_none() && u.fragment().is_none() => Ok(()),
        _ => Err(Violation::new(
            "CheckDiscEndpointIssuerIsValidUrl",
            "OIDCD-3",
            format!("issuer {issuer:?} is not a URL without query and fragment"),
        )),
    }
}

fn string_array<'a>(doc: &'a Value, member: &str) -> Option<Vec<&'a str>> {
    doc.get(member)?
        .as_array()?
        .iter()
        .map(Value::as_str)
        .collect()
}

/// OIDC Discovery 3: a REQUIRED member is a non-empty array of strings.
fn required_array<'a>(
    doc: &'a Value,
    member: &str,
    condition: &'static str,
) -> Result<Vec<&'a str>, Violation> {
    match string_array(doc, member) {
        Some(values) if !values.is_empty() => Ok(values),
        _ => Err(Violation::new(
            condition,
            "OIDCD-3",
            format!("{member} is REQUIRED as a non-empty array of strings"),
        )),
    }
}

/// OIDC Discovery 3: `response_types_supported`; a dynamic OP MUST support `code`,
/// `id_token` and `id_token token`; any OP here must offer `code` (OIDC Core 3.1).
pub fn check_response_types(doc: &Value, dynamic: bool) -> Check {
    let condition = if dynamic {
        "OIDCCCheckDiscEndpointResponseTypesSupportedDynamic"
    } else {
        "OIDCCCheckDiscEndpointResponseTypesSupported"
    };
    let values = required_array(doc, "response_types_supported", condition)?;
    let has = |t: &str| {
        values.iter().any(|v| {
            let mut a: Vec<&str> = v.split(' ').collect();
            let mut b: Vec<&str> = t.split(' ').collect();
            a.sort_unstable();
            b.sort_unstable();
            a == b
        })
    };
    let needed: &[&str] = if dynamic {
        &["code", "id_token", "id_token token"]
    } else {
        &["code"]
    };
    for t in needed {
        if !has(t) {
            return Err(Violation::new(
                condition,
                if dynamic { "OIDCD-3" } else { "OIDCC-3" },
                format!("response_types_supported lacks {t:?}"),
            ));
        }
    }
    Ok(())
}

/// OIDC Discovery 3: `subject_types_supported` is REQUIRED; values are `public`/`pairwise`.
pub fn check_subject_types(doc: &Value) -> Check {
    let values = required_array(
        doc,
        "subject_types_supported",
        "CheckDiscEndpointSubjectTypesSupported",
    )?;
    match values.iter().find(|v| **v != "public" && **v != "pairwise") {
        None => Ok(()),
        Some(v) => Err(Violation::new(
            "CheckDiscEndpointSubjectTypesSupported",
            "OIDCD-3",
            format!("unknown subject type {v:?}"),
        )),
    }
}

/// OIDC Discovery 3: `id_token_signing_alg_values_supported` is REQUIRED and includes RS256.
pub fn check_id_token_algs(doc: &Value) -> Check {
    let values = required_array(
        doc,
        "id_token_signing_alg_values_supported",
        "OIDCCCheckDiscEndpointIdTokenSigningAlgValuesSupported",
    )?;
    if values.contains(&"RS256") {
        return Ok(());
    }
    Err(Violation::new(
        "OIDCCCheckDiscEndpointIdTokenSigningAlgValuesSupported",
        "OIDCD-3",
        "id_token_signing_alg_values_supported MUST include RS256",
    ))
}

/// OIDC Discovery 3: an endpoint member is an https URL. `required` members must be present.
pub fn check_endpoint(
    doc: &Value,
    member: &'static str,
    condition: &'static str,
    required: bool,
) -> Check {
    match doc.get(member) {
        None if required => Err(Violation::new(
            condition,
            "OIDCD-3",
            format!("{member} is REQUIRED"),
        )),
        None => Ok(()),
        Some(Value::String(s)) => match Url::parse(s) {
            // The scheme is check_all_https's to report, once for every endpoint.
            Ok(_) => Ok(()),
            Err(_) => Err(Violation::new(
                condition,
                "OIDCD-3",
                format!("{member} {s:?} is not a URL"),
            )),
        },
        Some(other) => Err(Violation::new(
            condition,
            "OIDCD-3",
            format!("{member} is {other}, not a URL"),
        )),
    }
}

/// OIDC Discovery 3: the OP MUST support the `openid` scope; `scopes_supported` is
/// RECOMMENDED (its absence is the caller's warning).
pub fn check_scopes(doc: &Value) -> Check {
    let Some(values) = string_array(doc, "scopes_supported") else {
        return Err(Violation::new(
            "CheckDiscEndpointScopesSupportedContainsOpenId",
            "OIDCD-3",
            "scopes_supported is missing (RECOMMENDED) or not an array of strings",
        ));
    };
    if !values.contains(&"openid") {
        return Err(Violation::new(
            "CheckDiscEndpointScopesSupportedContainsOpenId",
            "OIDCD-3",
            "scopes_supported lacks openid",
        ));
    }
    // RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    let bad = values.iter().find(|s| {
        s.is_empty()
            || !s
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
    });
    match bad {
        None => Ok(()),
        Some(s) => Err(Violation::new(
            "CheckDiscEndpointScopesSupportedSyntax",
            "RFC6749-3.3",
            format!("scope {s:?} is not a scope-token"),
        )),
    }
}

/// OIDC Discovery 3: `claims_supported` is RECOMMENDED.
pub fn check_claims_supported(doc: &Value) -> Check {
    match string_array(doc, "claims_supported") {
        Some(v) if !v.is_empty() => Ok(()),
        _ => Err(Violation::new(
            "OIDCCCheckDiscEndpointClaimsSupported",
            "OIDCD-3",
            "claims_supported is missing (RECOMMENDED)",
        )),
    }
}

/// OIDC Discovery 3: `grant_types_supported`, when present, an array; a dynamic OP MUST
/// support `authorization_code` and `implicit` (absent means both, by the default).
pub fn check_grant_types(doc: &Value, dynamic: bool) -> Check {
    let condition = if dynamic {
        "OIDCCCheckDiscEndpointGrantTypesSupportedDynamic"
    } else {
        "OIDCCCheckDiscEndpointGrantTypesSupported"
    };
    let Some(value) = doc.get("grant_types_supported") else {
        return Ok(());
    };
    let Some(values) = string_array(doc, "grant_types_supported") else {
        return Err(Violation::new(
            condition,
            "OIDCD-3",
            format!("grant_types_supported is {value}"),
        ));
    };
    let needed: &[&str] = if dynamic {
        &["authorization_code", "implicit"]
    } else {
        &["authorization_code"]
    };
    match needed.iter().find(|g| !values.contains(g)) {
        None => Ok(()),
        Some(g) => Err(Violation::new(
            condition,
            "OIDCD-3",
            format!("grant_types_supported lacks {g}"),
        )),
    }
}

/// RFC 8414 2: members ending in `_supported` that the spec defines as arrays are arrays;
/// boolean members are booleans.
pub fn check_member_types(doc: &Value) -> Check {
    for member in [
        "code_challenge_methods_supported",
        "response_modes_supported",
        "token_endpoint_auth_methods_supported",
        "ui_locales_supported",
        "claims_locales_supported",
        "acr_values_supported",
    ] {
        if let Some(v) = doc.get(member) {
            if string_array(doc, member).is_none() {
                return Err(Violation::new(
                    "EnsureServerConfigurationArrayMembers",
                    "RFC8414-2",
                    format!("{member} is {v}, not an array of strings"),
                ));
            }
        }
    }
    for member in [
        "claims_parameter_supported",
        "request_parameter_supported",
        "request_uri_parameter_supported",
        "require_request_uri_registration",
        "backchannel_logout_supported",
        "backchannel_logout_session_supported",
        "frontchannel_logout_supported",
        "frontchannel_logout_session_supported",
        "authorization_response_iss_parameter_supported",
    ] {
        if let Some(v) = doc.get(member) {
            if !v.is_boolean() {
                return Err(Violation::new(
                    "EnsureServerConfigurationBooleanMembers",
                    "OIDCD-3",
                    format!("{member} is {v}, not a boolean"),
                ));
            }
        }
    }
    Ok(())
}

/// RFC 8414 2 (BCP 47 language tags): `ui_locales_supported` and `claims_locales_supported`.
pub fn check_locales(doc: &Value) -> Check {
    for member in ["ui_locales_supported", "claims_locales_supported"] {
        for tag in string_array(doc, member).unwrap_or_default() {
            let ok = !tag.is_empty()
                && tag.split('-').all(|p| {
                    (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())
                });
            if !ok {
                return Err(Violation::new(
                    "CheckDiscEndpointLocalesSyntax",
                    "RFC8414-2",
                    format!("{member} holds {tag:?}, not a BCP 47 tag"),
                ));
            }
        }
    }
    Ok(())
}

/// OIDC Discovery 3: the issuer, `jwks_uri` and every endpoint use https (every member ending
/// in `_endpoint`). One finding naming all that do not.
pub fn check_all_https(doc: &Value) -> Check {
    let Some(map) = doc.as_object() else {
        return Ok(());
    };
    let plain: Vec<&str> = map
        .iter()
        .filter(|(m, _)| m.ends_with("_endpoint") || *m == "jwks_uri" || *m == "issuer")
        .filter(|(_, v)| v.as_str().is_some_and(|s| !s.starts_with("https://")))
        .map(|(m, _)| m.as_str())
        .collect();
    if plain.is_empty() {
        return Ok(());
    }
    Err(Violation::new(
        "CheckDiscEndpointAllEndpointsAreHttps",
        "OIDCD-3",
        format!("https required: {} use another scheme", plain.join(", ")),
    ))
}

/// RFC 7517 5 and 4: the JWKS is an object with `keys`, each with `kty` and its members.
pub fn check_jwks(jwks: &Value) -> Check {
    let condition = "ValidateServerJWKs";
    let Some(keys) = jwks.get("keys").and_then(Value::as_array) else {
        return Err(Violation::new(
            condition,
            "RFC7517-5",
            "the JWKS has no keys array",
        ));
    };
    if keys.is_empty() {
        return Err(Violation::new(condition, "RFC7517-5", "the JWKS is empty"));
    }
    for key in keys {
        let needed: &[&str] = match key.get("kty").and_then(Value::as_str) {
            Some("RSA") => &["n", "e"],
            Some("EC") => &["crv", "x", "y"],
            Some("OKP") => &["crv", "x"],
            Some("oct") => &[],
            other => {
                return Err(Violation::new(
                    condition,
                    "RFC7517-4.1",
                    format!("kty {other:?}"),
                ));
            }
        };
        if let Some(m) = needed
            .iter()
            .find(|m| key.get(**m).and_then(Value::as_str).is_none())
        {
            return Err(Violation::new(
                condition,
                "RFC7518-6",
                format!("a key lacks {m}: {key}"),
            ));
        }
    }
    Ok(())
}

/// RFC 7518 6.3.2 and 6.4: a published JWKS holds no private or symmetric key material.
pub fn check_jwks_public_only(jwks: &Value) -> Check {
    let keys = jwks
        .get("keys")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for key in keys {
        let private = ["d", "p", "q", "dp", "dq", "qi", "k"]
            .iter()
            .find(|m| key.get(**m).is_some());
        if let Some(m) = private {
            return Err(Violation::new(
                "EnsureServerJwksDoesNotContainPrivateOrSymmetricKeys",
                "RFC7518-6.3.2.1",
                format!("a published key carries the private member {m}"),
            ));
        }
    }
    Ok(())
}

/// RP-Initiated Logout 1.0 section 2.1: `end_session_endpoint`, an https URL.
pub fn check_end_session(doc: &Value) -> Check {
    check_endpoint(
        doc,
        "end_session_endpoint",
        "CheckDiscEndpointEndSessionEndpoint",
        true,
    )
    .map_err(|v| Violation {
        spec: "OIDCRIL-2.1",
        ..v
    })?;
    match doc.get("end_session_endpoint").and_then(Value::as_str) {
        Some(s) if !s.starts_with("https://") => Err(Violation::new(
            "CheckDiscEndpointAllEndpointsAreHttps",
            "OIDCRIL-2.1",
            format!("https required: end_session_endpoint is {s}"),
        )),
        _ => Ok(()),
    }
}

/// Back-Channel Logout 1.0 section 2.1: `backchannel_logout_supported` is true.
pub fn check_backchannel_supported(doc: &Value) -> Check {
    match doc.get("backchannel_logout_supported") {
        Some(Value::Bool(true)) => Ok(()),
        other => Err(Violation::new(
            "CheckDiscBackchannelLogoutSupported",
            "OIDCBCL-2.1",
            format!("backchannel_logout_supported is {other:?}"),
        )),
    }
}

/// The Config plan's checks, with the suite's severities.
pub fn verify(doc: &Value, issuer: &str, dynamic: bool, findings: &mut Findings) {
    findings.fail(check_response_types(doc, dynamic));
    findings.fail(check_issuer(doc, issuer));
    findings.fail(check_issuer_url(doc));
    findings.fail(check_subject_types(doc));
    findings.fail(check_id_token_algs(doc));
    findings.fail(check_endpoint(
        doc,
        "authorization_endpoint",
        "CheckDiscEndpointAuthorizationEndpoint",
        true,
    ));
    findings.fail(check_endpoint(
        doc,
        "token_endpoint",
        "CheckDiscEndpointTokenEndpoint",
        true,
    ));
    if doc.get("userinfo_endpoint").is_none() {
        findings.warn(Err(Violation::new(
            "CheckDiscEndpointUserinfoEndpoint",
            "OIDCD-3",
            "userinfo_endpoint is missing (RECOMMENDED)",
        )));
    }
    findings.fail(check_endpoint(
        doc,
        "userinfo_endpoint",
        "CheckDiscEndpointUserinfoEndpoint",
        false,
    ));
    findings.fail(check_endpoint(
        doc,
        "registration_endpoint",
        "CheckDiscEndpointRegistrationEndpoint",
        dynamic,
    ));
    findings.fail(check_endpoint(doc, "jwks_uri", "CheckJwksUri", true));
    match check_scopes(doc) {
        Err(v) if doc.get("scopes_supported").is_none() => findings.warn(Err(v)),
        other => findings.fail(other),
    };
    findings.warn(check_claims_supported(doc));
    findings.fail(check_grant_types(doc, dynamic));
    findings.fail(check_member_types(doc));
    findings.fail(check_locales(doc));
    findings.fail(check_all_https(doc));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ISS: &str = "https://op.example";

    fn good() -> Value {
        json!({
            "issuer": ISS,
            "authorization_endpoint": "https://op.example/authorize",
            "token_endpoint": "https://op.example/token",
            "userinfo_endpoint": "https://op.example/userinfo",
            "jwks_uri": "https://op.example/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile"],
            "claims_supported": ["sub"],
            "code_challenge_methods_supported": ["S256"],
        })
    }

    fn failed(doc: &Value) -> Vec<&'static str> {
        let mut f = Findings::default();
        verify(doc, ISS, false, &mut f);
        f.failures().iter().map(|v| v.condition).collect()
    }

    #[test]
    fn a_good_configuration_passes() {
        assert!(failed(&good()).is_empty(), "{:?}", failed(&good()));
    }

    #[test]
    fn each_fault_fails_its_condition() {
        let cases: Vec<(&str, Value, &str)> = vec![
            (
                "issuer",
                json!("https://other.example"),
                "CheckDiscEndpointIssuer",
            ),
            (
                "id_token_signing_alg_values_supported",
                json!(["ES256"]),
                "OIDCCCheckDiscEndpointIdTokenSigningAlgValuesSupported",
            ),
            (
                "subject_types_supported",
                json!(["secret"]),
                "CheckDiscEndpointSubjectTypesSupported",
            ),
            (
                "response_types_supported",
                json!(["token"]),
                "OIDCCCheckDiscEndpointResponseTypesSupported",
            ),
            (
                "scopes_supported",
                json!(["profile"]),
                "CheckDiscEndpointScopesSupportedContainsOpenId",
            ),
            (
                "code_challenge_methods_supported",
                json!("S256"),
                "EnsureServerConfigurationArrayMembers",
            ),
            (
                "ui_locales_supported",
                json!(["en_GB"]),
                "CheckDiscEndpointLocalesSyntax",
            ),
            (
                "token_endpoint",
                json!("http://op.example/token"),
                "CheckDiscEndpointAllEndpointsAreHttps",
            ),
        ];
        for (member, value, condition) in cases {
            let mut doc = good();
            doc[member] = value;
            assert!(
                failed(&doc).contains(&condition),
                "{member}: {:?}",
                failed(&doc)
            );
        }
    }

    #[test]
    fn an_http_issuer_reports_https_required() {
        let mut doc = good();
        doc["issuer"] = json!("http://op.example");
        let mut f = Findings::default();
        verify(&doc, "http://op.example", false, &mut f);
        assert!(f
            .failures()
            .iter()
            .any(|v| v.message.starts_with("https required")));
    }

    #[test]
    fn a_dynamic_op_needs_implicit_response_types() {
        let v = check_response_types(&good(), true).unwrap_err();
        assert_eq!(
            v.condition,
            "OIDCCCheckDiscEndpointResponseTypesSupportedDynamic"
        );
    }

    #[test]
    fn a_jwks_with_a_private_key_fails() {
        let jwks = json!({"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "secret"}]});
        assert!(check_jwks(&jwks).is_ok());
        assert_eq!(
            check_jwks_public_only(&jwks).unwrap_err().condition,
            "EnsureServerJwksDoesNotContainPrivateOrSymmetricKeys"
        );
        assert!(check_jwks(&json!({"keys": [{"kty": "RSA", "n": "AQAB"}]})).is_err());
    }

    #[test]
    fn logout_metadata_is_checked() {
        assert_eq!(check_end_session(&good()).unwrap_err().spec, "OIDCRIL-2.1");
        assert!(check_backchannel_supported(&good()).is_err());
        let mut doc = good();
        doc["backchannel_logout_supported"] = json!(true);
        assert!(check_backchannel_supported(&doc).is_ok());
    }
}
