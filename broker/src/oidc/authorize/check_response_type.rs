//! `response_type` (OIDC Core 3.1.2.1, 3.2.2.1, 3.3.2.1): the code flow, the implicit flow
//! (`id_token`, `id_token token`) and the hybrid flow (`code id_token`, `code token`,
//! `code id_token token`). A client may only ask for a type it registered (RFC 7591 2), and
//! every type but `code` needs a `nonce`, which binds the ID token (or, for `code token`, the
//! one from the token endpoint) to the browser's session (OIDC Core 3.2.2.1, 3.3.2.11).

use crate::error::{ErrorCode, OAuthError};
use crate::model::{Client, ResponseType};
use crate::oidc::Params;

pub fn check(client: &Client, params: &Params) -> Result<ResponseType, OAuthError> {
    let value = params
        .get("response_type")
        .ok_or_else(|| OAuthError::invalid_request("response_type is missing"))?;
    let response_type = ResponseType::parse(value).ok_or_else(|| {
        OAuthError::new(
            ErrorCode::UnsupportedResponseType,
            format!(
                "response_type {value} is not supported; use code, id_token, id_token token, \
                 code id_token, code token or code id_token token"
            ),
        )
    })?;
    if !client.response_types.contains(&response_type) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            format!("this client is not registered for response_type {response_type}"),
        ));
    }
    if !response_type.is_code_flow() && params.get("nonce").is_none() {
        return Err(OAuthError::invalid_request(format!(
            "nonce is required with response_type {response_type}"
        )));
    }
    Ok(response_type)
}

/// The response type to answer errors with, before the request is checked: the one asked
/// for if the broker knows it, else `code`.
pub fn lenient(params: &Params) -> ResponseType {
    params
        .get("response_type")
        .and_then(ResponseType::parse)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ClientId;

    fn client(response_types: &[&str]) -> Client {
        Client {
            response_types: response_types
                .iter()
                .filter_map(|r| ResponseType::parse(r))
                .collect(),
            ..Client::new(ClientId::new("c"), vec!["https://c.example/cb".into()])
        }
    }

    fn code_of(client: &Client, query: &str) -> ErrorCode {
        check(client, &Params::parse(query.as_bytes()))
            .unwrap_err()
            .code
    }

    #[test]
    fn a_registered_type_is_accepted_in_any_order() {
        let c = client(&["code", "code id_token token"]);
        let p = Params::parse(b"response_type=token+code+id_token&nonce=n");
        assert_eq!(check(&c, &p).unwrap().as_str(), "code id_token token");
        let p = Params::parse(b"response_type=code");
        assert_eq!(check(&c, &p).unwrap(), ResponseType::CODE);
    }

    #[test]
    fn an_unregistered_type_is_unauthorized_client() {
        let c = client(&["code"]);
        assert_eq!(
            code_of(&c, "response_type=id_token&nonce=n"),
            ErrorCode::UnauthorizedClient
        );
    }

    #[test]
    fn unknown_types_are_unsupported_and_a_missing_one_invalid() {
        let c = client(&["code"]);
        for q in [
            "response_type=token",
            "response_type=none",
            "response_type=x",
        ] {
            assert_eq!(code_of(&c, q), ErrorCode::UnsupportedResponseType, "{q}");
        }
        assert_eq!(code_of(&c, "nonce=n"), ErrorCode::InvalidRequest);
    }

    #[test]
    fn every_type_but_code_needs_a_nonce() {
        let all: Vec<&str> = ResponseType::ALL.iter().map(|r| r.as_str()).collect();
        let c = client(&all);
        for rt in &ResponseType::ALL[1..] {
            let q = format!("response_type={}", rt.as_str().replace(' ', "+"));
            assert_eq!(code_of(&c, &q), ErrorCode::InvalidRequest, "{rt}");
            assert!(check(&c, &Params::parse(format!("{q}&nonce=n").as_bytes())).is_ok());
        }
        assert!(check(&c, &Params::parse(b"response_type=code")).is_ok());
    }

    #[test]
    fn errors_use_the_asked_type_when_it_parses() {
        let p = Params::parse(b"response_type=id_token");
        assert_eq!(lenient(&p).as_str(), "id_token");
        assert_eq!(
            lenient(&Params::parse(b"response_type=bogus")),
            ResponseType::CODE
        );
    }
}
