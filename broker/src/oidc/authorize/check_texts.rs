//! The texts the person sees in the app (Signaturgruppen's parameters): `action_text`, the
//! header verb (`LOG_ON`, `APPROVE`, `CONFIRM`, `ACCEPT`, `SIGN`; log on by default), and
//! `reference_text`, a short text naming what is approved (at most 130 characters).

use crate::error::OAuthError;
use crate::model::ActionText;
use crate::oidc::Params;

pub const MAX_REFERENCE_TEXT: usize = 130;

pub fn check(params: &Params) -> Result<(ActionText, Option<String>), OAuthError> {
    let action = match params.get("action_text") {
        None => ActionText::LogOn,
        Some(value) => ActionText::parse(value).ok_or_else(|| {
            OAuthError::invalid_request(format!(
                "action_text {value:?} is not one of LOG_ON, APPROVE, CONFIRM, ACCEPT, SIGN"
            ))
        })?,
    };
    let reference = params.get("reference_text").map(str::trim);
    if let Some(text) = reference {
        if text.chars().count() > MAX_REFERENCE_TEXT || text.chars().any(char::is_control) {
            return Err(OAuthError::invalid_request(format!(
                "reference_text must be at most {MAX_REFERENCE_TEXT} characters without control characters"
            )));
        }
    }
    Ok((
        action,
        reference.filter(|t| !t.is_empty()).map(str::to_string),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_on_is_the_default_and_the_other_verbs_parse() {
        let (action, reference) = check(&Params::parse(b"")).unwrap();
        assert_eq!((action, reference), (ActionText::LogOn, None));
        let (action, reference) = check(&Params::parse(
            b"action_text=SIGN&reference_text=Lejekontrakt+2026",
        ))
        .unwrap();
        assert_eq!(action, ActionText::Sign);
        assert_eq!(reference.as_deref(), Some("Lejekontrakt 2026"));
    }

    #[test]
    fn unknown_verbs_and_long_texts_are_invalid_requests() {
        assert!(check(&Params::parse(b"action_text=sign")).is_err());
        let long = format!("reference_text={}", "x".repeat(131));
        assert!(check(&Params::parse(long.as_bytes())).is_err());
        let ok = format!("reference_text={}", "æ".repeat(130));
        assert!(check(&Params::parse(ok.as_bytes())).is_ok());
    }
}
