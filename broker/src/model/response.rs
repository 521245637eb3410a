//! What the authorization endpoint returns (`response_type`) and how (`response_mode`): OIDC
//! Core 3, OAuth 2.0 Multiple Response Type Encoding Practices, OAuth 2.0 Form Post Response
//! Mode.

use serde::{Deserialize, Serialize};

/// A `response_type`: which of an authorization code, an ID token and an access token the
/// authorization endpoint returns. Only the combinations OIDC defines exist: `code`,
/// `id_token`, `id_token token`, `code id_token`, `code token`, `code id_token token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResponseType {
    code: bool,
    id_token: bool,
    token: bool,
}

impl ResponseType {
    pub const CODE: ResponseType = ResponseType {
        code: true,
        id_token: false,
        token: false,
    };

    /// Every response type the broker supports, in the order OIDC Core lists them.
    pub const ALL: [ResponseType; 6] = [
        ResponseType::CODE,
        ResponseType::new(false, true, false),
        ResponseType::new(false, true, true),
        ResponseType::new(true, true, false),
        ResponseType::new(true, false, true),
        ResponseType::new(true, true, true),
    ];

    const fn new(code: bool, id_token: bool, token: bool) -> ResponseType {
        ResponseType {
            code,
            id_token,
            token,
        }
    }

    /// Parses a space-separated set of values; their order does not matter (Multiple Response
    /// Type Encoding Practices, section 5). `None` for anything the broker does not support:
    /// `none`, bare `token` (OAuth implicit without an ID token), unknown or repeated values.
    pub fn parse(value: &str) -> Option<ResponseType> {
        let mut rt = ResponseType::new(false, false, false);
        for part in value.split(' ').filter(|p| !p.is_empty()) {
            let slot = match part {
                "code" => &mut rt.code,
                "id_token" => &mut rt.id_token,
                "token" => &mut rt.token,
                _ => return None,
            };
            if *slot {
                return None;
            }
            *slot = true;
        }
        ResponseType::ALL.contains(&rt).then_some(rt)
    }

    /// An authorization code is returned.
    pub fn code(self) -> bool {
        self.code
    }

    /// An ID token is returned from the authorization endpoint.
    pub fn id_token(self) -> bool {
        self.id_token
    }

    /// An access token is returned from the authorization endpoint.
    pub fn token(self) -> bool {
        self.token
    }

    /// The authorization code flow: nothing but a code from the authorization endpoint.
    pub fn is_code_flow(self) -> bool {
        self == ResponseType::CODE
    }

    /// The canonical spelling: `code`, then `id_token`, then `token`.
    pub fn as_str(self) -> &'static str {
        match (self.code, self.id_token, self.token) {
            (true, false, false) => "code",
            (false, true, false) => "id_token",
            (false, true, true) => "id_token token",
            (true, true, false) => "code id_token",
            (true, false, true) => "code token",
            (true, true, true) => "code id_token token",
            // Not constructible: parse only yields the combinations above.
            (false, _, _) => "token",
        }
    }

    /// The default response mode: query for the code flow, fragment whenever a token comes
    /// from the authorization endpoint (Multiple Response Type Encoding Practices, section 5).
    pub fn default_mode(self) -> ResponseMode {
        if self.is_code_flow() {
            ResponseMode::Query
        } else {
            ResponseMode::Fragment
        }
    }
}

impl Default for ResponseType {
    fn default() -> ResponseType {
        ResponseType::CODE
    }
}

impl TryFrom<String> for ResponseType {
    type Error = String;
    fn try_from(value: String) -> Result<ResponseType, String> {
        ResponseType::parse(&value).ok_or_else(|| format!("unsupported response type {value:?}"))
    }
}

impl From<ResponseType> for String {
    fn from(rt: ResponseType) -> String {
        rt.as_str().to_string()
    }
}

impl std::fmt::Display for ResponseType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the response parameters reach the client's redirect URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    /// In the query string (RFC 6749 4.1.2).
    #[default]
    Query,
    /// In the fragment, which the browser keeps from the client's server (RFC 6749 4.2.2).
    Fragment,
    /// As an HTML form the browser POSTs to the redirect URI (OAuth 2.0 Form Post Response
    /// Mode).
    FormPost,
}

impl ResponseMode {
    pub const ALL: [ResponseMode; 3] = [
        ResponseMode::Query,
        ResponseMode::Fragment,
        ResponseMode::FormPost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::Query => "query",
            ResponseMode::Fragment => "fragment",
            ResponseMode::FormPost => "form_post",
        }
    }

    pub fn parse(value: &str) -> Option<ResponseMode> {
        ResponseMode::ALL.into_iter().find(|m| m.as_str() == value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_types_parse_in_any_order_to_one_spelling() {
        for rt in ResponseType::ALL {
            assert_eq!(ResponseType::parse(rt.as_str()), Some(rt));
        }
        let hybrid = ResponseType::parse("token id_token  code").unwrap();
        assert_eq!(hybrid.as_str(), "code id_token token");
        assert!(hybrid.code() && hybrid.id_token() && hybrid.token());
        assert_eq!(
            ResponseType::parse("id_token code").unwrap().as_str(),
            "code id_token"
        );
    }

    #[test]
    fn unsupported_response_types_do_not_parse() {
        for bad in [
            "",
            "token",
            "none",
            "code code",
            "code id_token id_token",
            "code foo",
            "Code",
        ] {
            assert_eq!(ResponseType::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn fragment_is_the_default_whenever_a_token_comes_from_the_authorization_endpoint() {
        assert_eq!(ResponseType::CODE.default_mode(), ResponseMode::Query);
        for rt in &ResponseType::ALL[1..] {
            assert_eq!(rt.default_mode(), ResponseMode::Fragment, "{rt}");
        }
    }

    #[test]
    fn response_types_serialize_as_their_spelling() {
        let rt = ResponseType::parse("id_token token").unwrap();
        assert_eq!(serde_json::to_string(&rt).unwrap(), "\"id_token token\"");
        let back: Vec<ResponseType> = serde_json::from_str(r#"["token code"]"#).unwrap();
        assert_eq!(back[0].as_str(), "code token");
        assert!(serde_json::from_str::<ResponseType>("\"token\"").is_err());
    }
}
