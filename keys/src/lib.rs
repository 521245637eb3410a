//! Key material for the broker: RSA and EC signing keys, generated on first use and kept in a
//! [`KeyStore`]; `kid` is the RFC 7638 thumbprint; a JWKS of the published keys, newest first;
//! compact JWS signing and verification (RS256, PS256, ES256).
//!
//! Keys move through [`KeyState`]s: `next` (published, not yet signing), `active` (signs),
//! `retired` (published so older tokens still verify, never signs). Removing a retired key
//! stops publishing it.
//!
//! Signing uses aws-lc-rs with the parsed key held in memory (constant-time and about five
//! times faster than the pure-Rust `rsa` crate); `rsa` generates keys and reads JWK members.

mod error;
mod jwk;
mod jws;
mod key;
mod manager;
mod store;

pub use error::KeyError;
pub use jwk::{Jwk, Jwks};
pub use jws::{
    decode_unverified_header, sign_compact, split as split_compact, JwsHeader,
    Parts as CompactParts,
};
pub use key::{Alg, KeyKind, KeyState, Kid, SigningKey};
pub use manager::{KeyInfo, KeyManager};
pub use store::{FileKeyStore, KeyStore, MemoryKeyStore, StoredKey};
