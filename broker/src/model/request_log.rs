//! The request log's entries: one per request to an OpenID Provider endpoint, with every secret
//! already redacted (`crate::requests::redact`), so an entry can be stored, listed and shown as
//! it is.

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
    /// The query's and the form body's parameters in the order sent, secrets redacted.
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
    /// The ID token the answer carried, decoded (header and claims; never the signature).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<DecodedJwt>,
    /// The access token, when it is a JWT, decoded likewise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<DecodedJwt>,
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

/// A JWT's JOSE header and claims, without its signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedJwt {
    pub header: Value,
    pub claims: Value,
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
