//! The OpenID Provider's protocol core. No HTTP types here: every function takes parsed
//! parameters and `now`, and returns what the route should answer.

pub mod authorize;
pub mod backchannel;
pub mod claims;
pub mod client_keys;
pub mod discovery;
pub mod end_session;
pub mod fetch;
pub mod frontchannel;
pub mod id_token;
pub mod introspection;
pub mod jose;
pub mod par;
pub mod params;
pub mod registration;
pub mod revocation;
pub mod session;
pub mod token;
pub mod userinfo;

pub use params::Params;

/// Scopes the standard profile knows; others are ignored (OIDC Core 3.1.2.1 lets an OP ignore
/// scopes it does not understand).
pub const SCOPES_SUPPORTED: &[&str] = &[
    "openid",
    "profile",
    "email",
    "address",
    "phone",
    "offline_access",
    "mitid",
    "ssn",
    "nemid.pid",
    "nemlogin",
];

/// Claims the standard profile can return.
pub const CLAIMS_SUPPORTED: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "azp",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "at_hash",
    "sid",
    "name",
    "given_name",
    "family_name",
    "birthdate",
    "email",
    "email_verified",
    "address",
    "phone_number",
    "phone_number_verified",
    "idp",
    "loa",
    "ial",
    "aal",
    "mitid.uuid",
    "mitid.identity_name",
    "mitid.date_of_birth",
    "mitid.age",
    "mitid.has_cpr",
    "mitid.transaction_id",
    "dk.cpr",
    "nemid.pid",
    "nemid.pid_status",
    "nemlogin.cvr",
    "nemlogin.org_name",
    "nemlogin.persistent_professional_id",
    "nemlogin.nemid.rid",
    "nemlogin.given_name",
    "nemlogin.family_name",
    "nemlogin.name",
    "nemlogin.alias",
    "nemlogin.email",
    "nemlogin.date_of_birth",
    "nemlogin.auth_to_repr",
    "nemlogin.cpr_uuid",
];
