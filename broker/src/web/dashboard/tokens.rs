//! Decoded JWTs as the dashboard shows them: the header and the claims, each claim a client
//! must check with a note saying what to check (OIDC Core 3.1.3.7, RFC 9068).

use serde_json::Value;

use super::texts::DashTexts;
use super::utc;

/// One member of a header or of the claims, with what the client should check, if anything.
pub struct Member {
    pub name: String,
    pub value: String,
    /// For times: the same in UTC.
    pub when: String,
    pub check: Option<&'static str>,
}

pub struct Decoded {
    pub header: Vec<Member>,
    pub claims: Vec<Member>,
}

/// What a client checks about a claim of an ID token or a JWT access token.
fn claim_check(t: &'static DashTexts, name: &str, access_token: bool) -> Option<&'static str> {
    Some(match name {
        "iss" => t.check_iss,
        "aud" => t.check_aud,
        "azp" => t.check_azp,
        "exp" => t.check_exp,
        "iat" => t.check_iat,
        "nbf" => t.check_nbf,
        "nonce" => t.check_nonce,
        "acr" => t.check_acr,
        "amr" => t.check_amr,
        "auth_time" => t.check_auth_time,
        "at_hash" => t.check_at_hash,
        "c_hash" => t.check_c_hash,
        "sub" => t.check_sub,
        "sid" => t.check_sid,
        "scope" if access_token => t.check_scope,
        "client_id" if access_token => t.check_client_id,
        _ => return None,
    })
}

fn header_check(t: &'static DashTexts, name: &str, access_token: bool) -> Option<&'static str> {
    Some(match name {
        "alg" => t.check_alg,
        "kid" => t.check_kid,
        "typ" if access_token => t.check_typ,
        "typ" => t.check_typ_id,
        _ => return None,
    })
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn members(
    value: &Value,
    check: impl Fn(&str) -> Option<&'static str>,
    times: bool,
) -> Vec<Member> {
    let Value::Object(map) = value else {
        return Vec::new();
    };
    map.iter()
        .map(|(name, v)| Member {
            when: match (times, name.as_str(), v.as_i64()) {
                (true, "exp" | "iat" | "nbf" | "auth_time", Some(at)) => utc(at),
                _ => String::new(),
            },
            check: check(name),
            name: name.clone(),
            value: text(v),
        })
        .collect()
}

/// A decoded token's header and claims with the notes; `access_token` for a JWT access token.
pub fn decoded(
    t: &'static DashTexts,
    header: &Value,
    claims: &Value,
    access_token: bool,
) -> Decoded {
    Decoded {
        header: members(header, |n| header_check(t, n, access_token), false),
        claims: members(claims, |n| claim_check(t, n, access_token), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::dashboard::texts::EN;
    use serde_json::json;

    #[test]
    fn the_claims_a_client_must_check_carry_a_note_and_times_read_in_utc() {
        let d = decoded(
            &EN,
            &json!({"alg": "RS256", "kid": "k1"}),
            &json!({"iss": "https://op", "aud": "rp", "exp": 0, "nonce": "n", "name": "Anna"}),
            false,
        );
        let note = |name: &str| d.claims.iter().find(|m| m.name == name).unwrap().check;
        for name in ["iss", "aud", "exp", "nonce"] {
            assert!(note(name).is_some(), "{name}");
        }
        assert!(note("name").is_none());
        let exp = d.claims.iter().find(|m| m.name == "exp").unwrap();
        assert_eq!(exp.when, "1970-01-01 00:00:00 UTC");
        assert!(d.header.iter().all(|m| m.check.is_some()));
    }
}
