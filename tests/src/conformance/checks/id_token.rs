//! ID token validation as OIDC Core 3.1.3.7 tells a client to do it, plus the claim rules of
//! section 2 and the hash claims of 3.1.3.6 and 3.3.2.11.

use serde_json::Value;

use super::{numeric_date, Check, Findings, Violation, CLOCK_SKEW_SECONDS};
use crate::conformance::jose::{half_hash, Jws};

/// What the client knows when an ID token arrives.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The nonce sent in the authentication request, if any.
    pub nonce: Option<&'a str>,
    /// The current time (the OP's, when the runner can read its clock).
    pub now: i64,
    /// The client's registered `id_token_signed_response_alg` (RS256 by default, OIDCR 2).
    pub alg: &'a str,
    /// The access token issued with it (for `at_hash`).
    pub access_token: Option<&'a str>,
    /// The code issued with it (for `c_hash`).
    pub code: Option<&'a str>,
    /// `max_age` was requested (then `auth_time` is required).
    pub max_age: bool,
    /// The token came from the authorization endpoint in an implicit or hybrid flow (then
    /// `at_hash`/`c_hash` are required as OIDC Core 3.2.2.10 and 3.3.2.11 say).
    pub from_authorization_endpoint: bool,
}

/// Every check, failures and warnings into `findings`; the parsed token if it parsed.
pub fn validate(
    token: &str,
    jwks: &Value,
    expected: &Expected,
    findings: &mut Findings,
) -> Option<Jws> {
    let jws = match Jws::parse(token) {
        Ok(jws) => jws,
        Err(e) => {
            findings.fail(Err(Violation::new(
                "ExtractIdTokenFromTokenResponse",
                "OIDCC-2",
                format!("the id_token is not a JWS: {e}"),
            )));
            return None;
        }
    };
    findings.fail(check_alg(&jws, expected.alg));
    findings.fail(check_signature(&jws, jwks));
    findings.fail(check_kid(&jws, jwks));
    findings.fail(check_iss(&jws, expected.issuer));
    findings.fail(check_aud(&jws, expected.client_id));
    findings.fail(check_azp(&jws, expected.client_id));
    findings.fail(check_exp(&jws, expected.now));
    findings.fail(check_iat(&jws, expected.now));
    findings.fail(check_sub(&jws));
    findings.fail(check_nonce(&jws, expected.nonce));
    findings.fail(check_auth_time(&jws, expected.max_age));
    findings.fail(check_acr_amr_types(&jws));
    findings.fail(check_at_hash(
        &jws,
        expected.access_token,
        expected.from_authorization_endpoint,
    ));
    findings.fail(check_c_hash(
        &jws,
        expected.code,
        expected.from_authorization_endpoint,
    ));
    Some(jws)
}

/// OIDC Core 3.1.3.7 step 7: the alg is the registered one (RS256 by default); `none` only
/// when the client registered for it.
pub fn check_alg(jws: &Jws, expected: &str) -> Check {
    match jws.alg() {
        Some(alg) if alg == expected => Ok(()),
        alg => Err(Violation::new(
            "ValidateIdTokenSigningAlg",
            "OIDCC-3.1.3.7-7",
            format!("alg {alg:?}, the client expects {expected}"),
        )),
    }
}

/// OIDC Core 3.1.3.7 step 6: the signature verifies with a key from the OP's `jwks_uri`.
pub fn check_signature(jws: &Jws, jwks: &Value) -> Check {
    if jws.is_unsigned() {
        return Ok(()); // check_alg decides whether an unsigned token was acceptable
    }
    jws.verify_with_jwks(jwks).map(|_| ()).map_err(|e| {
        Violation::new(
            "ValidateIdTokenSignature",
            "OIDCC-3.1.3.7-6",
            format!("the signature does not verify against the OP's JWKS: {e}"),
        )
    })
}

/// OIDC Core 10.1: with more than one key in the JWKS, the JWS names its key with `kid`, and
/// a `kid` names a key that exists.
pub fn check_kid(jws: &Jws, jwks: &Value) -> Check {
    if jws.is_unsigned() {
        return Ok(());
    }
    let keys = jwks
        .get("keys")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    match jws.kid() {
        Some(kid)
            if keys
                .iter()
                .any(|k| k.get("kid").and_then(Value::as_str) == Some(kid)) =>
        {
            Ok(())
        }
        Some(kid) => Err(Violation::new(
            "ValidateIdTokenSignatureUsingKid",
            "OIDCC-10.1",
            format!("kid {kid:?} is not in the OP's JWKS"),
        )),
        None if keys.len() > 1 => Err(Violation::new(
            "ValidateIdTokenSignatureUsingKid",
            "OIDCC-10.1",
            "the JWKS holds several keys but the ID token names none with kid",
        )),
        None => Ok(()),
    }
}

/// OIDC Core 3.1.3.7 step 2: `iss` is exactly the issuer from discovery.
pub fn check_iss(jws: &Jws, issuer: &str) -> Check {
    match jws.claims.get("iss") {
        Some(Value::String(iss)) if iss == issuer => Ok(()),
        other => Err(Violation::new(
            "ValidateIdTokenIssuer",
            "OIDCC-3.1.3.7-2",
            format!("iss {other:?}, expected {issuer:?}"),
        )),
    }
}

fn audiences(jws: &Jws) -> Option<Vec<&str>> {
    match jws.claims.get("aud") {
        Some(Value::String(s)) => Some(vec![s.as_str()]),
        Some(Value::Array(a)) => a.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

/// OIDC Core 3.1.3.7 step 3: `aud` contains the client_id (a string or an array of strings).
pub fn check_aud(jws: &Jws, client_id: &str) -> Check {
    match audiences(jws) {
        Some(aud) if aud.contains(&client_id) => Ok(()),
        _ => Err(Violation::new(
            "ValidateIdTokenAudience",
            "OIDCC-3.1.3.7-3",
            format!(
                "aud {:?} does not contain the client_id {client_id:?}",
                jws.claims.get("aud")
            ),
        )),
    }
}

/// OIDC Core 3.1.3.7 steps 4 and 5: several audiences need `azp`; an `azp` is the client.
pub fn check_azp(jws: &Jws, client_id: &str) -> Check {
    let several = audiences(jws).is_some_and(|a| a.len() > 1);
    match jws.claims.get("azp") {
        Some(Value::String(azp)) if azp == client_id => Ok(()),
        Some(other) => Err(Violation::new(
            "ValidateIdTokenAzp",
            "OIDCC-3.1.3.7-5",
            format!("azp {other} is not the client_id {client_id:?}"),
        )),
        None if several => Err(Violation::new(
            "ValidateIdTokenAzp",
            "OIDCC-3.1.3.7-4",
            "several audiences but no azp",
        )),
        None => Ok(()),
    }
}

/// OIDC Core 3.1.3.7 step 9 and section 2: `exp` is a number, and the token has not expired.
pub fn check_exp(jws: &Jws, now: i64) -> Check {
    match numeric_date(jws.claims.get("exp")) {
        Some(exp) if exp + CLOCK_SKEW_SECONDS > now => Ok(()),
        Some(exp) => Err(Violation::new(
            "ValidateIdTokenExp",
            "OIDCC-3.1.3.7-9",
            format!("the ID token expired at {exp}, it is now {now}"),
        )),
        None => Err(Violation::new(
            "ValidateIdTokenExp",
            "OIDCC-2",
            "exp is missing or not a number",
        )),
    }
}

/// OIDC Core section 2 and 3.1.3.7 step 10: `iat` is a number, not in the future.
pub fn check_iat(jws: &Jws, now: i64) -> Check {
    match numeric_date(jws.claims.get("iat")) {
        Some(iat) if iat <= now + CLOCK_SKEW_SECONDS => Ok(()),
        Some(iat) => Err(Violation::new(
            "ValidateIdTokenIat",
            "OIDCC-3.1.3.7-10",
            format!("iat {iat} is in the future (now {now})"),
        )),
        None => Err(Violation::new(
            "ValidateIdTokenIat",
            "OIDCC-2",
            "iat is missing or not a number",
        )),
    }
}

/// OIDC Core section 2: `sub` is present, at most 255 ASCII characters.
pub fn check_sub(jws: &Jws) -> Check {
    match jws.claims.get("sub") {
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 255 && s.is_ascii() => Ok(()),
        other => Err(Violation::new(
            "CheckForSubjectInIdToken",
            "OIDCC-2",
            format!("sub {other:?} is not a string of 1-255 ASCII characters"),
        )),
    }
}

/// OIDC Core 3.1.3.7 step 11: the nonce sent comes back unchanged; none comes back when none
/// was sent (3.1.2.1: the nonce is passed through unmodified from the request).
pub fn check_nonce(jws: &Jws, sent: Option<&str>) -> Check {
    let got = jws.claims.get("nonce");
    match (sent, got) {
        (Some(s), Some(Value::String(g))) if s == g => Ok(()),
        (None, None) => Ok(()),
        (Some(s), other) => Err(Violation::new(
            "ValidateIdTokenNonce",
            "OIDCC-3.1.3.7-11",
            format!("nonce {other:?}, the request sent {s:?}"),
        )),
        (None, Some(other)) => Err(Violation::new(
            "ValidateIdTokenNonce",
            "OIDCC-2",
            format!("nonce {other} although the request sent none"),
        )),
    }
}

/// OIDC Core section 2: `auth_time` is a number; REQUIRED when `max_age` was requested
/// (3.1.2.1).
pub fn check_auth_time(jws: &Jws, max_age: bool) -> Check {
    match jws.claims.get("auth_time") {
        None if max_age => Err(Violation::new(
            "CheckIdTokenAuthTimeClaimPresent",
            "OIDCC-3.1.2.1",
            "max_age was requested but the ID token has no auth_time",
        )),
        None => Ok(()),
        value if numeric_date(value).is_some() => Ok(()),
        Some(other) => Err(Violation::new(
            "CheckIdTokenAuthTimeClaimPresent",
            "OIDCC-2",
            format!("auth_time {other} is not a number"),
        )),
    }
}

/// OIDC Core section 2: `acr` is a string, `amr` an array of strings.
pub fn check_acr_amr_types(jws: &Jws) -> Check {
    if let Some(acr) = jws.claims.get("acr") {
        if !acr.is_string() {
            return Err(Violation::new(
                "ValidateIdTokenACRClaim",
                "OIDCC-2",
                format!("acr {acr} is not a string"),
            ));
        }
    }
    if let Some(amr) = jws.claims.get("amr") {
        let ok = amr
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string));
        if !ok {
            return Err(Violation::new(
                "ValidateIdTokenAMRClaim",
                "OIDCC-2",
                format!("amr {amr} is not an array of strings"),
            ));
        }
    }
    Ok(())
}

fn check_half_hash(
    jws: &Jws,
    claim: &str,
    value: Option<&str>,
    required: bool,
    condition: &'static str,
    spec: &'static str,
) -> Check {
    let Some(value) = value else {
        return Ok(());
    };
    match jws.claims.get(claim) {
        None if required => Err(Violation::new(condition, spec, format!("no {claim}"))),
        None => Ok(()),
        Some(got) => {
            let alg = jws.alg().unwrap_or("");
            let want = half_hash(alg, value);
            if want.is_some() && got.as_str() == want.as_deref() {
                Ok(())
            } else {
                Err(Violation::new(
                    condition,
                    spec,
                    format!("{claim} {got} does not match the {alg} half-hash {want:?}"),
                ))
            }
        }
    }
}

/// OIDC Core 3.1.3.8 (code flow, optional) and 3.2.2.10 (required in the implicit flow):
/// `at_hash` is the left half of the access token's hash.
pub fn check_at_hash(jws: &Jws, access_token: Option<&str>, required: bool) -> Check {
    check_half_hash(
        jws,
        "at_hash",
        access_token,
        required,
        "ValidateAtHash",
        "OIDCC-3.1.3.8",
    )
}

/// OIDC Core 3.3.2.11: `c_hash` (required in an ID token from the authorization endpoint
/// with a code) is the left half of the code's hash.
pub fn check_c_hash(jws: &Jws, code: Option<&str>, required: bool) -> Check {
    check_half_hash(
        jws,
        "c_hash",
        code,
        required,
        "ValidateCHash",
        "OIDCC-3.3.2.11",
    )
}

/// OIDC Core 12.2: an ID token from a refresh has the original's `iss`, `sub`, `aud`, `azp`
/// and `auth_time`, and a newer `iat`.
pub fn check_refreshed(original: &Jws, refreshed: &Jws) -> Check {
    for claim in ["iss", "sub", "aud", "azp", "auth_time"] {
        if original.claims.get(claim) != refreshed.claims.get(claim) {
            return Err(Violation::new(
                "CheckRefreshedIdTokenClaims",
                "OIDCC-12.2",
                format!(
                    "{claim} changed on refresh: {:?} then {:?}",
                    original.claims.get(claim),
                    refreshed.claims.get(claim)
                ),
            ));
        }
    }
    let before = numeric_date(original.claims.get("iat"));
    let after = numeric_date(refreshed.claims.get("iat"));
    match (before, after) {
        (Some(b), Some(a)) if a >= b => Ok(()),
        _ => Err(Violation::new(
            "CheckRefreshedIdTokenClaims",
            "OIDCC-12.2",
            format!("iat of the refreshed ID token {after:?} is not newer than {before:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::jose::SigningKey;
    use serde_json::json;

    const ISS: &str = "https://op.example";
    const NOW: i64 = 1_800_000_000;

    fn good_claims() -> Value {
        json!({"iss": ISS, "sub": "u1", "aud": "rp", "exp": NOW + 60, "iat": NOW, "nonce": "n"})
    }

    fn expected() -> Expected<'static> {
        Expected {
            issuer: ISS,
            client_id: "rp",
            nonce: Some("n"),
            now: NOW,
            alg: "RS256",
            access_token: None,
            code: None,
            max_age: false,
            from_authorization_endpoint: false,
        }
    }

    /// Signs `claims`, validates, and returns the failed conditions.
    fn failed(claims: Value, expected: &Expected) -> Vec<&'static str> {
        let key = SigningKey::generate().unwrap();
        let token = key.sign(&claims).unwrap();
        let jwks = json!({"keys": [key.public_jwk()]});
        let mut findings = Findings::default();
        validate(&token, &jwks, expected, &mut findings);
        findings.failures().iter().map(|v| v.condition).collect()
    }

    #[test]
    fn a_good_token_passes_every_check() {
        assert_eq!(failed(good_claims(), &expected()), Vec::<&str>::new());
    }

    #[test]
    fn each_bad_claim_fails_its_own_condition() {
        let cases: [(&str, Value, &str); 9] = [
            (
                "iss",
                json!("https://evil.example"),
                "ValidateIdTokenIssuer",
            ),
            ("aud", json!("someone-else"), "ValidateIdTokenAudience"),
            ("azp", json!("someone-else"), "ValidateIdTokenAzp"),
            ("exp", json!(NOW - 1000), "ValidateIdTokenExp"),
            ("exp", json!("tomorrow"), "ValidateIdTokenExp"),
            ("iat", json!(NOW + 1000), "ValidateIdTokenIat"),
            ("sub", json!(""), "CheckForSubjectInIdToken"),
            ("nonce", json!("other"), "ValidateIdTokenNonce"),
            (
                "auth_time",
                json!("yesterday"),
                "CheckIdTokenAuthTimeClaimPresent",
            ),
        ];
        for (claim, value, condition) in cases {
            let mut claims = good_claims();
            claims[claim] = value;
            assert_eq!(failed(claims, &expected()), vec![condition], "{claim}");
        }
    }

    #[test]
    fn missing_iss_sub_and_nonce_fail() {
        for (claim, condition) in [
            ("iss", "ValidateIdTokenIssuer"),
            ("sub", "CheckForSubjectInIdToken"),
            ("nonce", "ValidateIdTokenNonce"),
            ("exp", "ValidateIdTokenExp"),
            ("iat", "ValidateIdTokenIat"),
        ] {
            let mut claims = good_claims();
            claims.as_object_mut().unwrap().remove(claim);
            assert_eq!(failed(claims, &expected()), vec![condition], "{claim}");
        }
    }

    #[test]
    fn several_audiences_without_azp_fail() {
        let mut claims = good_claims();
        claims["aud"] = json!(["rp", "other"]);
        assert_eq!(failed(claims, &expected()), vec!["ValidateIdTokenAzp"]);
    }

    #[test]
    fn max_age_needs_auth_time() {
        let e = Expected {
            max_age: true,
            ..expected()
        };
        assert_eq!(
            failed(good_claims(), &e),
            vec!["CheckIdTokenAuthTimeClaimPresent"]
        );
    }

    #[test]
    fn a_token_signed_by_another_key_fails_the_signature() {
        let key = SigningKey::generate().unwrap();
        let other = SigningKey::generate().unwrap();
        let token = other.sign(&good_claims()).unwrap();
        let mut jwk = key.public_jwk();
        jwk["kid"] = json!(other.kid); // same kid, wrong key
        let jwks = json!({"keys": [jwk]});
        let mut findings = Findings::default();
        validate(&token, &jwks, &expected(), &mut findings);
        let failed: Vec<_> = findings.failures().iter().map(|v| v.condition).collect();
        assert_eq!(failed, vec!["ValidateIdTokenSignature"]);
    }

    #[test]
    fn an_unsigned_token_fails_the_alg_check() {
        let token = crate::conformance::jose::unsigned(&good_claims());
        let mut findings = Findings::default();
        validate(&token, &json!({"keys": []}), &expected(), &mut findings);
        let failed: Vec<_> = findings.failures().iter().map(|v| v.condition).collect();
        assert_eq!(failed, vec!["ValidateIdTokenSigningAlg"]);
    }

    #[test]
    fn a_wrong_at_hash_fails() {
        let mut claims = good_claims();
        claims["at_hash"] = json!("AAAAAAAAAAAAAAAAAAAAAA");
        let e = Expected {
            access_token: Some("token"),
            ..expected()
        };
        assert_eq!(failed(claims, &e), vec!["ValidateAtHash"]);
    }

    #[test]
    fn refresh_must_keep_sub_and_not_go_back_in_time() {
        let key = SigningKey::generate().unwrap();
        let first = Jws::parse(&key.sign(&good_claims()).unwrap()).unwrap();
        let mut claims = good_claims();
        claims["sub"] = json!("u2");
        let changed = Jws::parse(&key.sign(&claims).unwrap()).unwrap();
        assert_eq!(
            check_refreshed(&first, &changed).unwrap_err().spec,
            "OIDCC-12.2"
        );
        let mut claims = good_claims();
        claims["iat"] = json!(NOW - 10);
        let older = Jws::parse(&key.sign(&claims).unwrap()).unwrap();
        assert!(check_refreshed(&first, &older).is_err());
        assert!(check_refreshed(&first, &first).is_ok());
    }
}
