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
    /// A JWT signed with HS256 under the client secret (RFC 7523, OIDC Core 9).
    ClientSecretJwt,
    /// A JWT signed with one of the client's registered keys (RFC 7523, OIDC Core 9).
    PrivateKeyJwt,
    /// A public client: no secret, PKCE required.
    None,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 5] = [
        AuthMethod::ClientSecretBasic,
        AuthMethod::ClientSecretPost,
        AuthMethod::ClientSecretJwt,
        AuthMethod::PrivateKeyJwt,
        AuthMethod::None,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::ClientSecretJwt => "client_secret_jwt",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<AuthMethod> {
        AuthMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Methods that prove a shared secret; `client_secret_jwt` keeps it in clear (see
    /// [`ClientJose::jwt_secret`]).
    pub fn uses_secret(self) -> bool {
        matches!(
            self,
            AuthMethod::ClientSecretBasic
                | AuthMethod::ClientSecretPost
                | AuthMethod::ClientSecretJwt
        )
    }
}

/// A client's keys and JWS preferences: for `private_key_jwt`, signed request objects and
/// `client_secret_jwt`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ClientJose {
    /// The client's public keys, registered by value (RFC 7591 `jwks`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<keys::Jwks>,
    /// Where the client publishes its public keys (RFC 7591 `jwks_uri`); fetched when needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// The only JWS algorithm the client's assertions may use, if it registered one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg: Option<String>,
    /// The only algorithm its request objects may use (`none` included), if it registered one
    /// (OIDC Core 6.1: without one, any supported algorithm and unsigned objects are accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_signing_alg: Option<String>,
    /// The client secret in clear, kept ONLY for clients registered with `client_secret_jwt`:
    /// verifying an HS256 MAC needs the key itself, a hash cannot do it. Every other client's
    /// secret exists only as [`Client::secret_hash`]. Never shown by the control API or the
    /// registration endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_secret: Option<String>,
    /// Sign the userinfo response with this algorithm (OIDC Registration 2
    /// `userinfo_signed_response_alg`; OIDC Core 5.3.2): `application/jwt` with `iss` and `aud`.
    /// Unset: plain JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_signed_response_alg: Option<Alg>,
}

/// What dynamic registration (RFC 7591/7592) keeps about a client it registered.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Registration {
    /// SHA-256 of the registration access token (RFC 7592); the token is shown once.
    pub access_token_hash: String,
    pub issued_at: i64,
    /// The registered metadata as the client configuration endpoint returns it.
    pub metadata: serde_json::Map<String, serde_json::Value>,
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
    #[serde(flatten)]
    pub jose: ClientJose,
    /// Set for clients made by dynamic registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<Registration>,
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
    /// What the client's authentication requests default to (OIDC Registration 2).
    #[serde(flatten)]
    pub defaults: ClientDefaults,
}

/// Registered defaults for authentication requests (OIDC Registration 2): a request's own
/// `max_age`, `acr_values` or `acr` claim request overrides them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ClientDefaults {
    /// `default_max_age`: the session's authentication may be at most this old (seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_max_age: Option<u64>,
    /// `default_acr_values`, in order of preference (known level URIs only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub default_acr_values: Vec<String>,
    /// `require_auth_time`: the ID token must carry `auth_time`, which this broker's always do;
    /// kept to be echoed by the registration endpoints.
    #[serde(default)]
    pub require_auth_time: bool,
}

fn default_response_types() -> Vec<ResponseType> {
    vec![ResponseType::CODE]
}

fn default_alg() -> Alg {
    Alg::RS256
}

impl Client {
    /// A confidential client (`client_secret_basic`, no secret set yet) with everything else
    /// at its default: RS256 ID tokens, public subjects, the `code` response type, no logout
    /// URIs, no keys. Build others with struct update syntax, `Client { .., ..Client::new(..) }`,
    /// so a new field needs no change where clients are made.
    pub fn new(client_id: ClientId, redirect_uris: Vec<String>) -> Client {
        Client {
            client_id,
            name: String::new(),
            secret_hash: None,
            redirect_uris,
            post_logout_redirect_uris: Vec::new(),
            token_endpoint_auth_method: AuthMethod::default(),
            require_pkce: false,
            id_token_signed_response_alg: default_alg(),
            subject_type: SubjectType::default(),
            sector_identifier: None,
            private_service: false,
            backchannel_logout_uri: None,
            backchannel_logout_session_required: false,
            jose: ClientJose::default(),
            registration: None,
            response_types: default_response_types(),
            frontchannel_logout_uri: None,
            frontchannel_logout_session_required: false,
            defaults: ClientDefaults::default(),
        }
    }

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
