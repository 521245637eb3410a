//! The OpenID Provider's protocol core. No HTTP types, and nothing above it (`login`, `web`,
//! `enrolment`, `onboarding`): every entry point takes parsed parameters and `now` (the web
//! layer reads the injected clock once per request), and returns what the route should answer.
//!
//! An authorization request ([`authorize::authorize`]) ends in an outcome: a redirect or form
//! post to the client (only once the client and its redirect_uri are verified, see
//! [`authorize::VerifiedRedirect`]), an error page, or `NeedsLogin`. The web layer hands a
//! needed login to `login`, which parks it and, once a person or a test has settled it,
//! completes it through [`authorize::complete`] (a code, tokens and a broker session, or an
//! error). A browser whose broker session already answers the request is completed here at
//! once (single sign-on).

pub mod authorize;
pub mod backchannel;
pub mod claims;
pub mod client_keys;
pub mod cors;
pub mod discovery;
pub mod end_session;
pub mod faults;
pub mod fetch;
pub mod frontchannel;
pub mod id_token;
pub mod introspection;
pub mod jose;
pub mod kit_documents;
pub mod par;
pub mod params;
pub mod profile;
pub mod registration;
pub mod report;
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
