//! `prompt` and `max_age` (OIDC Core 3.1.2.1).

use crate::error::OAuthError;
use crate::model::Prompt;
use crate::oidc::Params;

pub fn check(params: &Params) -> Result<(Vec<Prompt>, Option<i64>), OAuthError> {
    let mut prompts = Vec::new();
    for value in params.get("prompt").unwrap_or("").split(' ') {
        let p = match value {
            "" => continue,
            "none" => Prompt::None,
            "login" => Prompt::Login,
            "consent" => Prompt::Consent,
            "select_account" => Prompt::SelectAccount,
            other => {
                return Err(OAuthError::invalid_request(format!(
                    "prompt value {other} is not supported"
                )))
            }
        };
        if !prompts.contains(&p) {
            prompts.push(p);
        }
    }
    if prompts.contains(&Prompt::None) && prompts.len() > 1 {
        return Err(OAuthError::invalid_request(
            "prompt=none cannot be combined with other values",
        ));
    }
    let max_age = match params.get("max_age") {
        None => None,
        Some(v) => Some(v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            OAuthError::invalid_request("max_age must be a non-negative number of seconds")
        })?),
    };
    Ok((prompts, max_age))
}
