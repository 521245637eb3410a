use keys::Alg;
use serde::{Deserialize, Serialize};

use super::{ClientId, ResponseType};

/// How a client authenticates at the token endpoint (OIDC Core section 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    #[default]
    ClientSecretBasic,
    ClientSecretPost,
    /// A public client: no secret, PKCE required.
    None,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 3] = [
        AuthMethod::ClientSecretBasic,
        AuthMethod::ClientSecretPost,
        AuthMethod::None,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::None => "none",
        }
    }
}

/// `public`: `sub` is the identity's UUID. `pairwise`: `sub` differs per sector (OIDC Core 8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SubjectType {
    #[default]
    Public,
    Pairwise,
}

/// A registered relying party.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Client {
    pub client_id: ClientId,
    #[serde(default)]
    pub name: String,
    /// SHA-256 of the secret (base64url); the secret itself is never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    pub token_endpoint_auth_method: AuthMethod,
    /// Refuse authorization requests without a PKCE challenge.
    #[serde(default)]
    pub require_pkce: bool,
    #[serde(default = "default_alg")]
    pub id_token_signed_response_alg: Alg,
    #[serde(default)]
    pub subject_type: SubjectType,
    /// Sector for pairwise `sub`; defaults to the host of the first redirect URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector_identifier: Option<String>,
    /// A private service (not a public authority): asking for the `ssn` scope makes the person
    /// type their CPR number, which the broker matches (the brokers' CPR match).
    #[serde(default)]
    pub private_service: bool,
    /// OIDC Back-Channel Logout 1.0: where the broker POSTs a logout token when a session the
    /// client logged in through ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_uri: Option<String>,
    /// The logout token must carry `sid`. This broker always sends it.
    #[serde(default)]
    pub backchannel_logout_session_required: bool,
    /// The response types the client may ask for (RFC 7591 2); `code` only by default.
    #[serde(default = "default_response_types")]
    pub response_types: Vec<ResponseType>,
    /// OIDC Front-Channel Logout 1.0: a page of the client the broker loads in an invisible
    /// iframe when a session the client logged in through ends at the end-session endpoint.
    /// Same scheme, host and port as one of `redirect_uris` (section 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frontchannel_logout_uri: Option<String>,
    /// The iframe's URL carries `iss` and `sid` query parameters.
    #[serde(default)]
    pub frontchannel_logout_session_required: bool,
}

fn default_response_types() -> Vec<ResponseType> {
    vec![ResponseType::CODE]
}

fn default_alg() -> Alg {
    Alg::RS256
}

impl Client {
    /// PKCE is required for public clients and for clients registered as requiring it.
    pub fn pkce_required(&self) -> bool {
        self.require_pkce || self.token_endpoint_auth_method == AuthMethod::None
    }

    pub fn sector(&self) -> String {
        if let Some(sector) = &self.sector_identifier {
            return sector.clone();
        }
        self.redirect_uris
            .first()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| self.client_id.to_string())
    }
}
