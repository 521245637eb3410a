use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Level;

/// The `claims` request parameter (OIDC Core 5.5): individual claims asked for in the ID
/// token and from userinfo, beside (and beyond) what the scopes release.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaimsRequest {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub userinfo: BTreeMap<String, ClaimRequest>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub id_token: BTreeMap<String, ClaimRequest>,
}

/// How one claim is asked for: `null` on the wire is the default (voluntary, any value).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaimRequest {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub essential: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
}

impl ClaimRequest {
    /// The string values asked for through `value` and `values`, in order.
    pub fn wanted_strings(&self) -> Vec<&str> {
        self.value
            .iter()
            .chain(self.values.iter().flatten())
            .filter_map(Value::as_str)
            .collect()
    }

    /// Whether specific values were asked for.
    pub fn has_values(&self) -> bool {
        self.value.is_some() || self.values.as_ref().is_some_and(|v| !v.is_empty())
    }
}

impl ClaimsRequest {
    /// The `acr` asked for in the ID token, if any.
    pub fn acr(&self) -> Option<&ClaimRequest> {
        self.id_token.get("acr")
    }

    /// The value of `acr` to put in an ID token for a login that reached `achieved`. When the
    /// client asked for `acr` as essential with values, the answer must be one of them (OIDC
    /// Core 5.5.1.1): the highest requested level the login meets. The NSIS levels nest, so a
    /// High login meets a request for Substantial.
    pub fn acr_for(&self, achieved: Level) -> Level {
        match self.acr() {
            Some(acr) if acr.essential => acr
                .wanted_strings()
                .into_iter()
                .filter_map(Level::from_uri)
                .filter(|l| *l <= achieved)
                .max()
                .unwrap_or(achieved),
            _ => achieved,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn essential(values: &[Level]) -> ClaimsRequest {
        let mut request = ClaimsRequest::default();
        request.id_token.insert(
            "acr".into(),
            ClaimRequest {
                essential: true,
                value: None,
                values: Some(values.iter().map(|l| json!(l.uri())).collect()),
            },
        );
        request
    }

    #[test]
    fn an_essential_acr_is_answered_with_a_requested_value_the_login_meets() {
        let asked = essential(&[Level::Low, Level::Substantial]);
        assert_eq!(asked.acr_for(Level::High), Level::Substantial);
        assert_eq!(asked.acr_for(Level::Low), Level::Low);
        // No essential request: the level reached.
        assert_eq!(ClaimsRequest::default().acr_for(Level::High), Level::High);
    }

    #[test]
    fn value_and_values_are_both_read() {
        let request = ClaimRequest {
            essential: false,
            value: Some(json!("a")),
            values: Some(vec![json!("b"), json!(3)]),
        };
        assert_eq!(request.wanted_strings(), vec!["a", "b"]);
        assert!(request.has_values());
        assert!(!ClaimRequest::default().has_values());
    }
}
