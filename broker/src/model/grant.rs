use serde::{Deserialize, Serialize};

use super::{Assurance, ClaimsRequest, ClientId, GrantId, IdentityId, Level, Profile, Sid, TxnId};
use crate::clock::UnixTime;

/// What a login granted a client: carried by the code, then by every token it led to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub id: GrantId,
    /// The issuer that made the grant: only its token and userinfo endpoints honour it.
    #[serde(default)]
    pub profile: Profile,
    pub client_id: ClientId,
    pub identity_id: IdentityId,
    pub scopes: Vec<String>,
    pub auth_time: UnixTime,
    pub acr: Level,
    pub amr: Vec<String>,
    /// The identity provider, `ial` and `aal` behind `acr`.
    #[serde(default)]
    pub assurance: Assurance,
    pub sid: Sid,
    /// The MitID Erhverv identity the person logged in as (its professional UUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business: Option<String>,
    /// The login that made the grant (`mitid.transaction_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_id: Option<TxnId>,
    /// The claims the authorization request asked for individually (OIDC Core 5.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<ClaimsRequest>,
    /// The scopes in the profile's words (`AuthRequest::dialect_scopes`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dialect_scopes: Vec<String>,
}

impl Grant {
    /// Whether the client asked for `scope` in its profile's words.
    pub fn has_dialect_scope(&self, scope: &str) -> bool {
        self.dialect_scopes.iter().any(|s| s == scope)
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// An authorization code, stored by its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthCode {
    pub hash: String,
    pub grant: Grant,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub expires_at: UnixTime,
}

/// An opaque access token, stored by its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessToken {
    pub hash: String,
    pub grant: Grant,
    pub issued_at: UnixTime,
    pub expires_at: UnixTime,
}

/// A refresh token, stored by its hash; rotated on every use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshToken {
    pub hash: String,
    pub grant: Grant,
    pub issued_at: UnixTime,
    pub expires_at: UnixTime,
}

/// A browser's session at the broker (single sign-on). The cookie holds a secret whose hash
/// is stored; `sid` is the public id sent in tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub sid: Sid,
    /// The issuer the person logged in at: only its authorization endpoint reuses the session.
    #[serde(default)]
    pub profile: Profile,
    pub cookie_hash: String,
    pub identity_id: IdentityId,
    pub auth_time: UnixTime,
    pub acr: Level,
    pub amr: Vec<String>,
    #[serde(default)]
    pub assurance: Assurance,
    /// The MitID Erhverv identity the person logged in as (its professional UUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business: Option<String>,
    pub expires_at: UnixTime,
    /// The clients that got a code through this session: told when it ends (back-channel
    /// logout).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<ClientId>,
}
