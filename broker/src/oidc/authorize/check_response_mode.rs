//! `response_mode` (OAuth 2.0 Multiple Response Type Encoding Practices 2.1, OAuth 2.0 Form
//! Post Response Mode): `query`, `fragment` or `form_post`; by default query for the code flow
//! and fragment for the rest. `query` is refused for a response type that returns tokens from
//! the authorization endpoint: tokens in a query string end up in server logs and `Referer`.

use crate::error::OAuthError;
use crate::model::{ResponseMode, ResponseType};
use crate::oidc::Params;

pub fn check(params: &Params, response_type: ResponseType) -> Result<ResponseMode, OAuthError> {
    let Some(value) = params.get("response_mode") else {
        return Ok(response_type.default_mode());
    };
    let mode = ResponseMode::parse(value).ok_or_else(|| {
        OAuthError::invalid_request(format!(
            "response_mode {value} is not supported; use query, fragment or form_post"
        ))
    })?;
    if mode == ResponseMode::Query && !response_type.is_code_flow() {
        return Err(OAuthError::invalid_request(format!(
            "response_mode query cannot carry the tokens of response_type {response_type}; \
             use fragment or form_post"
        )));
    }
    Ok(mode)
}

/// The mode to answer errors in, before the request is checked: the one asked for if it is
/// usable, else the response type's default.
pub fn lenient(params: &Params, response_type: ResponseType) -> ResponseMode {
    check(params, response_type).unwrap_or_else(|_| response_type.default_mode())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_token() -> ResponseType {
        ResponseType::parse("id_token").unwrap()
    }

    #[test]
    fn the_default_follows_the_response_type() {
        let none = Params::parse(b"");
        assert_eq!(
            check(&none, ResponseType::CODE).unwrap(),
            ResponseMode::Query
        );
        assert_eq!(check(&none, id_token()).unwrap(), ResponseMode::Fragment);
    }

    #[test]
    fn every_mode_is_accepted_for_the_code_flow() {
        for mode in ResponseMode::ALL {
            let p = Params::parse(format!("response_mode={}", mode.as_str()).as_bytes());
            assert_eq!(check(&p, ResponseType::CODE).unwrap(), mode);
        }
    }

    #[test]
    fn query_is_refused_for_tokens_and_unknown_modes_are_invalid() {
        let query = Params::parse(b"response_mode=query");
        assert!(check(&query, id_token()).is_err());
        assert_eq!(lenient(&query, id_token()), ResponseMode::Fragment);
        let post = Params::parse(b"response_mode=form_post");
        assert_eq!(check(&post, id_token()).unwrap(), ResponseMode::FormPost);
        let bad = Params::parse(b"response_mode=web_message");
        assert!(check(&bad, ResponseType::CODE).is_err());
        assert_eq!(lenient(&bad, ResponseType::CODE), ResponseMode::Query);
    }
}
