//! Claims the `openidconnect` types drop: the MitID brokers' `dk.cpr` (userinfo, scope `ssn`;
//! some brokers put it in the ID token too), `idp` in the ID token (`mitid_erhverv` for a
//! business login), and `nemlogin.cvr` / `nemlogin.org_name` (userinfo, scope `nemlogin`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::CoreIdToken;
use openidconnect::AdditionalClaims;
use serde::{Deserialize, Serialize};

/// The CPR claim's name, as the Danish brokers send it.
pub const CPR_CLAIM: &str = "dk.cpr";
/// The identity provider the person logged in with.
pub const IDP_CLAIM: &str = "idp";
/// The broker's session id (OpenID Connect Back-Channel Logout 1.0 §2.1).
pub const SID_CLAIM: &str = "sid";
/// `idp` of a MitID Erhverv (business) login.
pub const IDP_BUSINESS: &str = "mitid_erhverv";

/// The userinfo claims the mailbox reads beyond the standard ones.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MitIdUserInfo {
    /// The CPR number, ten digits.
    #[serde(rename = "dk.cpr", default, skip_serializing_if = "Option::is_none")]
    pub cpr: Option<String>,
    /// The business's CVR number, after a MitID Erhverv login.
    #[serde(
        rename = "nemlogin.cvr",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cvr: Option<String>,
    /// The business's name, after a MitID Erhverv login.
    #[serde(
        rename = "nemlogin.org_name",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub org_name: Option<String>,
    /// Whether the person may represent the business (a signatory), after a MitID Erhverv
    /// login: a boolean, or the strings `"true"`/`"false"` of string-typed brokers.
    #[serde(
        rename = "nemlogin.auth_to_repr",
        default,
        deserialize_with = "bool_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub auth_to_repr: Option<bool>,
}

/// `true`/`false`, as JSON booleans or strings; anything else is no answer.
fn bool_or_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<bool>, D::Error> {
    Ok(
        match Option::<serde_json::Value>::deserialize(deserializer)? {
            Some(serde_json::Value::Bool(value)) => Some(value),
            Some(serde_json::Value::String(text)) => match text.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        },
    )
}

impl AdditionalClaims for MitIdUserInfo {}

/// The string claim `name` of an ID token that has **already been verified**, if it carries
/// one.
///
/// The `openidconnect` claims type drops claims it does not know, so this reads the payload
/// of the same compact JWT again; it checks nothing itself, and must only see a token that
/// passed verification.
pub fn verified_string_claim(verified: &CoreIdToken, name: &str) -> Option<String> {
    let compact = verified.to_string();
    let payload = compact.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get(name)?
        .as_str()
        .map(str::trim)
        .filter(|value| !value.is_empty())
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
    fn reads_dk_cpr_and_idp_when_present() {
        let base = r#""iss":"http://b","aud":"demo-mailbox","sub":"s","exp":2,"iat":1"#;
        let with = unsigned(&format!(
            r#"{{{base},"dk.cpr":"6101701234","idp":"mitid_erhverv"}}"#
        ));
        assert_eq!(
            verified_string_claim(&with, CPR_CLAIM).as_deref(),
            Some("6101701234")
        );
        assert_eq!(
            verified_string_claim(&with, IDP_CLAIM).as_deref(),
            Some(IDP_BUSINESS)
        );
        let without = unsigned(&format!("{{{base}}}"));
        assert_eq!(verified_string_claim(&without, CPR_CLAIM), None);
    }

    #[test]
    fn userinfo_claims_parse_with_their_dotted_names() {
        let claims: MitIdUserInfo = serde_json::from_str(
            r#"{"dk.cpr":"7204901236","nemlogin.cvr":"12345674","nemlogin.org_name":"Firma ApS"}"#,
        )
        .unwrap();
        assert_eq!(claims.cpr.as_deref(), Some("7204901236"));
        assert_eq!(claims.cvr.as_deref(), Some("12345674"));
        assert_eq!(claims.org_name.as_deref(), Some("Firma ApS"));
        assert_eq!(claims.auth_to_repr, None);
    }

    #[test]
    fn auth_to_repr_is_a_boolean_or_its_string() {
        let parse = |json: &str| {
            serde_json::from_str::<MitIdUserInfo>(json)
                .unwrap()
                .auth_to_repr
        };
        assert_eq!(parse(r#"{"nemlogin.auth_to_repr":true}"#), Some(true));
        assert_eq!(parse(r#"{"nemlogin.auth_to_repr":"false"}"#), Some(false));
        assert_eq!(parse(r#"{"nemlogin.auth_to_repr":"ja"}"#), None);
        assert_eq!(parse(r#"{"nemlogin.auth_to_repr":1}"#), None);
    }
}
