//! The request log's entries: one per request to an OpenID Provider endpoint, with every secret
//! already redacted (`crate::requests::redact`), so an entry can be stored, listed and shown as
//! it is.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ClientId, Profile, TxnId};
use crate::clock::UnixTime;

/// What a secret parameter's value becomes in the log.
pub const REDACTED: &str = "[redacted]";

/// One request to an OpenID Provider endpoint and its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedRequest {
    /// A random id of the entry.
    pub id: String,
    /// When the request arrived, on the broker's clock (seconds since the epoch).
    pub at: UnixTime,
    pub method: String,
    /// The path as requested, without the query.
    pub path: String,
    /// Which endpoint: `authorize`, `par`, `token`, `userinfo`, `end_session`, `revocation`,
    /// `introspection` or `registration`.
    pub endpoint: String,
    /// The issuer's profile that answered.
    pub profile: Profile,
    /// The client, where the request names it (`client_id`, HTTP Basic, a client assertion's
    /// `sub`) or the core found it (the access token's client at userinfo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The login the request belongs to: the one `authorize` made, or the one behind the code,
    /// access token or refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_id: Option<String>,
    /// The query's and the form body's parameters in the order sent, secrets redacted. Stored
    /// as the redacted form-encoded text (`crate::requests::Captured`), or as this list.
    #[serde(deserialize_with = "params_as_list_or_text")]
    pub params: Vec<Param>,
    /// The `Authorization` header's scheme (`Basic`, `Bearer`), never its value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<String>,
    pub status: u16,
    /// The OAuth error code of the answer, if it was an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// Where a redirect sent the browser, with codes and tokens redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The JSON answer of the token, userinfo, introspection and PAR endpoints, with tokens
    /// redacted (a signed userinfo answer as its decoded claims).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
    /// The ID token the answer carried (header and claims; never the signature), decoded when
    /// listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<LoggedJwt>,
    /// The access token, when it is a JWT, likewise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<LoggedJwt>,
    /// How long the broker took to answer, in microseconds (a monotonic timer, not the
    /// broker's clock).
    pub duration_us: u64,
}

/// A request parameter, its value redacted when it is a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    pub value: String,
}

/// The parameters from either stored form: the list, or the redacted form-encoded text.
fn params_as_list_or_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Param>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        List(Vec<Param>),
        Text(String),
    }
    Ok(match Stored::deserialize(deserializer)? {
        Stored::List(list) => list,
        Stored::Text(text) => Param::all_of(&text),
    })
}

impl Param {
    /// The parameters of form-encoded text, decoded, in order.
    pub fn all_of(encoded: &str) -> Vec<Param> {
        url::form_urlencoded::parse(encoded.as_bytes())
            .map(|(name, value)| Param {
                name: name.into_owned(),
                value: value.into_owned(),
            })
            .collect()
    }
}

/// A JWT's JOSE header and claims, without its signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedJwt {
    pub header: Value,
    pub claims: Value,
}

/// A JWT an answer carried, never with its signature. The request path keeps its two unsigned
/// segments as issued (base64url header and claims: no decoding on the way); listing decodes
/// them ([`LoggedJwt::decode`]). Entries stored before this form hold it decoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LoggedJwt {
    Unsigned(String),
    Decoded(DecodedJwt),
}

impl LoggedJwt {
    /// The unsigned part of a compact JWS (`header.claims`); `None` when `token` has not three
    /// parts (an opaque token, a JWE).
    pub fn of(token: &str) -> Option<LoggedJwt> {
        let mut parts = token.splitn(4, '.');
        let (header, claims, _signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || header.is_empty() || claims.is_empty() {
            return None;
        }
        Some(LoggedJwt::Unsigned(format!("{header}.{claims}")))
    }

    /// Its header and claims, when both are base64url JSON objects.
    pub fn decode(&self) -> Option<DecodedJwt> {
        match self {
            LoggedJwt::Decoded(decoded) => Some(decoded.clone()),
            LoggedJwt::Unsigned(unsigned) => {
                let (header, claims) = unsigned.split_once('.')?;
                let decode = |part: &str| -> Option<Value> {
                    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
                    match serde_json::from_slice(&bytes).ok()? {
                        object @ Value::Object(_) => Some(object),
                        _ => None,
                    }
                };
                Some(DecodedJwt {
                    header: decode(header)?,
                    claims: decode(claims)?,
                })
            }
        }
    }

    /// Decoded in place; `None` when it does not decode.
    pub fn decoded(self) -> Option<LoggedJwt> {
        match self {
            decoded @ LoggedJwt::Decoded(_) => Some(decoded),
            unsigned => unsigned.decode().map(LoggedJwt::Decoded),
        }
    }
}

/// A logged request as the store keeps it: the entry's JSON (a [`LoggedRequest`]) and the
/// columns it is found by. The request log builds it off the request path
/// (`crate::requests::Captured`), without an owned [`LoggedRequest`] in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRequest {
    pub at: UnixTime,
    pub client_id: Option<String>,
    pub login_id: Option<String>,
    /// The entry as JSON: what [`LoggedRequest`] deserialises from.
    pub data: String,
}

/// Which logged requests to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    pub client_id: Option<String>,
    pub login_id: Option<String>,
    /// At most this many, newest first.
    pub limit: usize,
}

impl RequestFilter {
    pub fn matches(&self, entry: &LoggedRequest) -> bool {
        let wanted = |want: &Option<String>, have: &Option<String>| {
            want.as_ref().is_none_or(|w| have.as_ref() == Some(w))
        };
        wanted(&self.client_id, &entry.client_id) && wanted(&self.login_id, &entry.login_id)
    }
}

/// Whom a request concerned, as the protocol core found out: the login behind a code or token
/// and the client of an access token. Handlers put it in the response's extensions, where the
/// request log reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BelongsTo {
    pub client: Option<ClientId>,
    pub login: Option<TxnId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry_with(params: Value) -> LoggedRequest {
        serde_json::from_value(serde_json::json!({
            "id": "r1", "at": 1, "method": "GET", "path": "/authorize",
            "endpoint": "authorize", "profile": "standard", "params": params,
            "status": 302, "duration_us": 5
        }))
        .unwrap()
    }

    #[test]
    fn parameters_read_from_the_stored_text_and_from_the_list() {
        let expected = vec![
            Param {
                name: "redirect_uri".into(),
                value: "https://rp/cb".into(),
            },
            Param {
                name: "scope".into(),
                value: "openid profile".into(),
            },
            Param {
                name: "code".into(),
                value: REDACTED.into(),
            },
        ];
        let from_text = entry_with(
            "redirect_uri=https%3A%2F%2Frp%2Fcb&scope=openid+profile&code=[redacted]".into(),
        );
        assert_eq!(from_text.params, expected);
        let from_list = entry_with(serde_json::to_value(&expected).unwrap());
        assert_eq!(from_list.params, expected);
        // Listed, they are the list either way.
        assert_eq!(
            serde_json::to_value(&from_text).unwrap()["params"],
            serde_json::to_value(&expected).unwrap()
        );
        assert!(entry_with("".into()).params.is_empty());
    }
}
