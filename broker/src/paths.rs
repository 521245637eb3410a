//! Endpoint paths, shared by the router and the discovery document so the two cannot drift.
//! Paths are relative to the issuer's path prefix.

pub const DISCOVERY: &str = "/.well-known/openid-configuration";
pub const AUTHORIZE: &str = "/authorize";
pub const TOKEN: &str = "/token";
pub const USERINFO: &str = "/userinfo";
pub const JWKS: &str = "/jwks";
pub const END_SESSION: &str = "/logout";
pub const REVOCATION: &str = "/token/revoke";
pub const INTROSPECTION: &str = "/token/introspect";
/// Dynamic client registration (RFC 7591); `/register/{client_id}` is the client configuration
/// endpoint (RFC 7592).
pub const REGISTER: &str = "/register";
/// Pushed authorization requests (RFC 9126).
pub const PAR: &str = "/par";

/// The simple login page a person uses to settle a parked login (`/login/{txn}`).
pub const LOGIN: &str = "/login";

/// The control API for tests and tools. Must not face a network.
pub const CONTROL: &str = "/_sim/v1";
