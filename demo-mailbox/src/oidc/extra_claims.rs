//! The claims of a verified ID token as JSON. The `openidconnect` claims type drops what it
//! does not know (the MitID brokers' `dk.cpr`, `idp`, `sid`, Idura's `loA` and
//! `cprNumberIdentifier`, ...), so the dialects read the payload of the same compact JWT again.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::CoreIdToken;
use serde_json::{Map, Value};

/// Every claim of an ID token that has **already been verified**; empty if the payload cannot
/// be read (it could, or verification would have failed).
///
/// This checks nothing itself, and must only see a token that passed verification.
pub fn verified_claims(verified: &CoreIdToken) -> Map<String, Value> {
    let compact = verified.to_string();
    compact
        .split('.')
        .nth(1)
        .and_then(|payload| URL_SAFE_NO_PAD.decode(payload).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
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
    fn reads_the_claims_the_typed_token_drops() {
        let token = unsigned(
            r#"{"iss":"http://b","aud":"demo-mailbox","sub":"s","exp":2,"iat":1,"dk.cpr":"6101701234","idp":"mitid_erhverv","loA":"SUBSTANTIAL"}"#,
        );
        let claims = verified_claims(&token);
        assert_eq!(claims["dk.cpr"], "6101701234");
        assert_eq!(claims["idp"], "mitid_erhverv");
        assert_eq!(claims["loA"], "SUBSTANTIAL");
        assert_eq!(claims["exp"], 2);
    }
}
