//! Logout tokens (OpenID Connect Back-Channel Logout 1.0 sections 2.4 to 2.6), checked as
//! section 2.6 tells the RP to validate them.

use serde_json::Value;

use super::{numeric_date, Check, Findings, Violation, CLOCK_SKEW_SECONDS};
use crate::conformance::jose::Jws;

pub const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub now: i64,
    /// The `sid` of the ID token of the session that ended, if it had one.
    pub sid: Option<&'a str>,
    /// The `sub` of that ID token.
    pub sub: &'a str,
    /// The client registered `backchannel_logout_session_required` (section 2.2).
    pub session_required: bool,
}

/// Checks one delivered logout token; returns it parsed.
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
                "ExtractLogoutToken",
                "OIDCBCL-2.4",
                format!("not a JWS: {e}"),
            )));
            return None;
        }
    };
    findings.fail(check_signed(&jws, jwks));
    findings.warn(check_typ(&jws));
    findings.fail(check_claims(&jws, expected));
    Some(jws)
}

/// OIDCBCL 2.6 step 3 and 2.4: signed, never `alg` `none`, verified with the OP's keys.
pub fn check_signed(jws: &Jws, jwks: &Value) -> Check {
    if jws.is_unsigned() || jws.alg().is_none() {
        return Err(Violation::new(
            "ValidateLogoutTokenSignature",
            "OIDCBCL-2.4",
            "a logout token MUST be signed; alg is none",
        ));
    }
    jws.verify_with_jwks(jwks).map(|_| ()).map_err(|e| {
        Violation::new(
            "ValidateLogoutTokenSignature",
            "OIDCBCL-2.6",
            format!("{e}"),
        )
    })
}

/// OIDCBCL 2.4: explicit typing with `typ` `logout+jwt` is RECOMMENDED.
pub fn check_typ(jws: &Jws) -> Check {
    match jws.header.get("typ").and_then(Value::as_str) {
        Some(t)
            if t.eq_ignore_ascii_case("logout+jwt")
                || t.eq_ignore_ascii_case("application/logout+jwt") =>
        {
            Ok(())
        }
        other => Err(Violation::new(
            "CheckLogoutTokenTyp",
            "OIDCBCL-2.4",
            format!("typ {other:?}, logout+jwt is RECOMMENDED"),
        )),
    }
}

/// OIDCBCL 2.4 and 2.6: `iss`, `aud`, `iat`, `exp`, `jti`, `events` with the back-channel
/// member as an object, `sub` or `sid` (and `sid` when the client requires it, matching the
/// session's), and no `nonce`.
pub fn check_claims(jws: &Jws, e: &Expected) -> Check {
    let c = &jws.claims;
    let fail = |condition: &'static str, spec: &'static str, message: String| {
        Err(Violation::new(condition, spec, message))
    };
    if c.get("iss").and_then(Value::as_str) != Some(e.issuer) {
        return fail(
            "ValidateLogoutTokenIss",
            "OIDCBCL-2.6",
            format!("iss {:?}", c.get("iss")),
        );
    }
    let aud_ok = match c.get("aud") {
        Some(Value::String(a)) => a == e.client_id,
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(e.client_id)),
        _ => false,
    };
    if !aud_ok {
        return fail(
            "ValidateLogoutTokenAud",
            "OIDCBCL-2.6",
            format!("aud {:?}", c.get("aud")),
        );
    }
    match numeric_date(c.get("iat")) {
        Some(iat) if iat <= e.now + CLOCK_SKEW_SECONDS => {}
        other => {
            return fail(
                "ValidateLogoutTokenIat",
                "OIDCBCL-2.4",
                format!("iat {other:?} (now {})", e.now),
            )
        }
    }
    match numeric_date(c.get("exp")) {
        Some(exp) if exp + CLOCK_SKEW_SECONDS > e.now => {}
        other => {
            return fail(
                "ValidateLogoutTokenExp",
                "OIDCBCL-2.4",
                format!("exp {other:?} (now {})", e.now),
            )
        }
    }
    let jti = c.get("jti").and_then(Value::as_str).unwrap_or("");
    if jti.is_empty() {
        return fail(
            "ValidateLogoutTokenJti",
            "OIDCBCL-2.4",
            "jti is REQUIRED".into(),
        );
    }
    let event = c.get("events").and_then(|e| e.get(BACKCHANNEL_EVENT));
    if !event.is_some_and(Value::is_object) {
        return fail(
            "ValidateLogoutTokenEvents",
            "OIDCBCL-2.4",
            format!(
                "events {:?} lacks the member {BACKCHANNEL_EVENT} with an object value",
                c.get("events")
            ),
        );
    }
    if c.get("nonce").is_some() {
        return fail(
            "ValidateLogoutTokenNoNonce",
            "OIDCBCL-2.4",
            "a logout token MUST NOT contain nonce".into(),
        );
    }
    let sub = c.get("sub").and_then(Value::as_str);
    let sid = c.get("sid").and_then(Value::as_str);
    if sub.is_none() && sid.is_none() {
        return fail(
            "ValidateLogoutTokenSubOrSid",
            "OIDCBCL-2.4",
            "neither sub nor sid".into(),
        );
    }
    if let Some(sub) = sub {
        if sub != e.sub {
            return fail(
                "ValidateLogoutTokenSub",
                "OIDCBCL-2.6",
                format!("sub {sub:?}, the session's {:?}", e.sub),
            );
        }
    }
    match (sid, e.sid) {
        (Some(got), Some(want)) if got != want => fail(
            "ValidateLogoutTokenSid",
            "OIDCBCL-2.6",
            format!("sid {got:?}, the ID token's {want:?}"),
        ),
        (None, _) if e.session_required => fail(
            "ValidateLogoutTokenSid",
            "OIDCBCL-2.2",
            "the client requires sid but none was sent".into(),
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::jose::{unsigned, SigningKey};
    use serde_json::json;

    const NOW: i64 = 1_800_000_000;

    fn good() -> Value {
        json!({
            "iss": "https://op.example", "aud": "rp", "iat": NOW, "exp": NOW + 120, "jti": "j1",
            "sid": "s1", "sub": "u1", "events": {BACKCHANNEL_EVENT: {}},
        })
    }

    fn expected() -> Expected<'static> {
        Expected {
            issuer: "https://op.example",
            client_id: "rp",
            now: NOW,
            sid: Some("s1"),
            sub: "u1",
            session_required: true,
        }
    }

    fn failed(claims: Value) -> Vec<&'static str> {
        let key = SigningKey::generate().unwrap();
        let token = key.sign(&claims).unwrap();
        let mut f = Findings::default();
        validate(
            &token,
            &json!({"keys": [key.public_jwk()]}),
            &expected(),
            &mut f,
        );
        f.failures().iter().map(|v| v.condition).collect()
    }

    #[test]
    fn a_good_logout_token_passes() {
        assert!(failed(good()).is_empty());
    }

    #[test]
    fn each_fault_fails_its_condition() {
        let cases: Vec<(&str, Value, &str)> = vec![
            (
                "iss",
                json!("https://evil.example"),
                "ValidateLogoutTokenIss",
            ),
            ("aud", json!("other"), "ValidateLogoutTokenAud"),
            ("jti", json!(null), "ValidateLogoutTokenJti"),
            ("events", json!({"other": {}}), "ValidateLogoutTokenEvents"),
            ("nonce", json!("n"), "ValidateLogoutTokenNoNonce"),
            ("sid", json!("s2"), "ValidateLogoutTokenSid"),
            ("exp", json!(NOW - 1000), "ValidateLogoutTokenExp"),
        ];
        for (claim, value, condition) in cases {
            let mut claims = good();
            claims[claim] = value;
            assert_eq!(failed(claims), vec![condition], "{claim}");
        }
    }

    #[test]
    fn an_unsigned_logout_token_fails() {
        let token = unsigned(&good());
        let mut f = Findings::default();
        validate(&token, &json!({"keys": []}), &expected(), &mut f);
        assert_eq!(f.failures()[0].condition, "ValidateLogoutTokenSignature");
    }
}
