//! Signicat (brokers.md, "Signicat"; developer.signicat.com: the eID hub's MitID attributes
//! and levels of assurance).
//!
//! Its request grammar: `acr_values` names the e-ID (`idp:mitid`) and the level (`loa:<level>`);
//! its scopes are `openid profile idp-id nin mitid-extra`, translated into the standard's
//! (`idp-id` and `mitid-extra` release the MitID facts, `nin` the CPR number).

use super::{Dialect, Refusal, Rewrite};
use crate::error::OAuthError;
use crate::model::Level;
use crate::oidc::Params;

/// Signicat's scopes and what each is in the standard's terms.
pub const SCOPES: &[(&str, &str)] = &[
    ("openid", "openid"),
    ("profile", "profile"),
    ("idp-id", "mitid"),
    ("nin", "ssn"),
    ("mitid-extra", "mitid"),
];

fn invalid(description: impl Into<String>) -> Refusal {
    Refusal::ToClient(OAuthError::invalid_request(description.into()))
}

pub fn request(params: &Params) -> Result<Dialect, Refusal> {
    let mut rewrite = Rewrite::default();
    let mut level = None;
    for value in params.get("acr_values").unwrap_or("").split_whitespace() {
        match value.split_once(':') {
            Some(("idp", "mitid")) => {}
            Some(("idp", other)) => {
                return Err(invalid(format!(
                    "acr_values idp:{other} is not simulated; only idp:mitid is"
                )))
            }
            Some(("loa", name)) => {
                level = Some(Level::from_name(name).ok_or_else(|| {
                    invalid(format!(
                        "acr_values loa:{name} is not low, substantial or high"
                    ))
                })?);
            }
            _ => return Err(invalid(format!("acr_values {value:?} is not idp: or loa:"))),
        }
    }
    match level {
        Some(level) => rewrite.set("acr_values", level.uri()),
        None => rewrite.remove("acr_values"),
    }
    for name in ["idp_values", "action_text", "reference_text"] {
        rewrite.remove(name);
    }
    let mut scopes: Vec<&str> = Vec::new();
    for scope in params.get("scope").unwrap_or("").split_whitespace() {
        let standard = SCOPES
            .iter()
            .find(|(s, _)| *s == scope)
            .map(|(_, standard)| *standard)
            .ok_or_else(|| {
                Refusal::ToClient(OAuthError::new(
                    crate::error::ErrorCode::InvalidScope,
                    format!(
                        "the scope {scope} is not one of openid, profile, idp-id, nin, mitid-extra"
                    ),
                ))
            })?;
        if !scopes.contains(&standard) {
            scopes.push(standard);
        }
    }
    rewrite.set("scope", scopes.join(" "));
    Ok(Dialect {
        params: Some(rewrite.apply(params)),
        simulation: None,
    })
}
