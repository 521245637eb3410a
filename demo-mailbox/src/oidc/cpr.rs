//! The `dk.cpr` claim, which the broker may put in the ID token of a person's login.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::CoreIdToken;

/// The claim's name, as the Danish brokers send it.
pub const CPR_CLAIM: &str = "dk.cpr";

/// The `dk.cpr` claim of an ID token that has **already been verified**, if it carries one.
///
/// The `openidconnect` claims type drops claims it does not know, so this reads the payload
/// of the same compact JWT again; it checks nothing itself, and must only see a token that
/// passed verification.
pub fn cpr_claim(verified: &CoreIdToken) -> Option<String> {
    let compact = verified.to_string();
    let payload = compact.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get(CPR_CLAIM)?
        .as_str()
        .map(str::trim)
        .filter(|cpr| !cpr.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn unsigned(payload: &str) -> CoreIdToken {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        let payload = URL_SAFE_NO_PAD.encode(payload);
        CoreIdToken::from_str(&format!("{header}.{payload}.")).unwrap()
    }

    #[test]
    fn reads_dk_cpr_when_present() {
        let base = r#""iss":"http://b","aud":"demo-mailbox","sub":"s","exp":2,"iat":1"#;
        let with = unsigned(&format!(r#"{{{base},"dk.cpr":"6101701234"}}"#));
        assert_eq!(cpr_claim(&with).as_deref(), Some("6101701234"));
        let without = unsigned(&format!("{{{base}}}"));
        assert_eq!(cpr_claim(&without), None);
    }
}
