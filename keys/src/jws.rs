//! Compact JWS (RFC 7515 section 7.1): `base64url(header) . base64url(payload) . base64url(sig)`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::key::{Alg, SigningKey};
use crate::{Jwks, KeyError};

/// The protected header the broker writes and reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwsHeader {
    pub alg: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
}

/// Signs `payload` (already JSON) with `key`, writing `alg`, `kid` and `typ` in the header.
pub fn sign_compact(
    key: &SigningKey,
    alg: Alg,
    typ: &str,
    payload: &[u8],
) -> Result<String, KeyError> {
    sign_compact_as(key, key.kid().as_str(), alg, typ, payload)
}

/// [`sign_compact`] with `kid` in the header as given, or no `kid` at all (the RP test kit's
/// faults: a name the JWKS does not have, or none).
pub(crate) fn sign_compact_named(
    key: &SigningKey,
    kid: Option<&str>,
    alg: Alg,
    typ: &str,
    payload: &[u8],
) -> Result<String, KeyError> {
    let header = JwsHeader {
        alg: alg.as_str().into(),
        kid: kid.map(str::to_owned),
        typ: Some(typ.into()),
    };
    let header = serde_json::to_vec(&header).map_err(|e| KeyError::Sign(format!("header: {e}")))?;
    let mut out = String::with_capacity(payload.len() * 4 / 3 + 400);
    B64.encode_string(header, &mut out);
    out.push('.');
    B64.encode_string(payload, &mut out);
    let sig = key.sign(alg, out.as_bytes())?;
    out.push('.');
    B64.encode_string(sig, &mut out);
    Ok(out)
}

/// [`sign_compact`] with the key named `kid` in the header (its certificate's thumbprint,
/// say).
pub(crate) fn sign_compact_as(
    key: &SigningKey,
    kid: &str,
    alg: Alg,
    typ: &str,
    payload: &[u8],
) -> Result<String, KeyError> {
    sign_compact_named(key, Some(kid), alg, typ, payload)
}

/// A compact JWS taken apart, nothing verified yet.
#[derive(Debug, Clone)]
pub struct Parts<'a> {
    /// `base64url(header) . base64url(payload)`: what the signature covers.
    pub signing_input: &'a str,
    pub header: JwsHeader,
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
}

/// Splits a compact JWS into its decoded parts without verifying anything; the caller picks
/// the key and checks the signature (for example with [`crate::Jwk::verify`]).
pub fn split(token: &str) -> Result<Parts<'_>, KeyError> {
    let mut it = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(KeyError::Malformed("a compact JWS has three parts"));
    };
    let header = B64
        .decode(h)
        .map_err(|_| KeyError::Malformed("header is not base64url"))?;
    let header: JwsHeader =
        serde_json::from_slice(&header).map_err(|_| KeyError::Malformed("header is not JSON"))?;
    Ok(Parts {
        signing_input: &token[..h.len() + 1 + p.len()],
        header,
        payload: B64
            .decode(p)
            .map_err(|_| KeyError::Malformed("payload is not base64url"))?,
        signature: B64
            .decode(s)
            .map_err(|_| KeyError::Malformed("signature is not base64url"))?,
    })
}

/// Reads a token's header without verifying anything.
pub fn decode_unverified_header(token: &str) -> Result<JwsHeader, KeyError> {
    split(token).map(|p| p.header)
}

/// Verifies a compact JWS against `jwks` (by `kid`) and returns its payload bytes.
/// Checks only the signature: the caller checks the claims.
pub(crate) fn verify_compact(jwks: &Jwks, token: &str) -> Result<Vec<u8>, KeyError> {
    let parts = split(token)?;
    let alg =
        Alg::parse(&parts.header.alg).ok_or(KeyError::UnsupportedAlg(parts.header.alg.clone()))?;
    let kid = parts
        .header
        .kid
        .as_deref()
        .ok_or(KeyError::Malformed("header has no kid"))?;
    let jwk = jwks
        .find(kid)
        .ok_or_else(|| KeyError::UnknownKid(kid.to_string()))?;
    jwk.verify(alg, parts.signing_input.as_bytes(), &parts.signature)?;
    Ok(parts.payload)
}
