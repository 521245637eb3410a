//! The rules a client must keep, whichever door it comes in by: dynamic registration (RFC 7591,
//! OIDC Registration) or the control API. Each takes typed values and answers
//! `invalid_client_metadata` or `invalid_redirect_uri` with a message that says what to send.

use keys::{Alg, Jwks};
use serde_json::Value;
use url::Url;

use crate::error::{ErrorCode, OAuthError};
use crate::oidc::fetch;

/// Response types a client may register (OIDC Core 3; each compared as a set of words).
pub const RESPONSE_TYPES: &[&str] = &[
    "code",
    "id_token",
    "id_token token",
    "code id_token",
    "code token",
    "code id_token token",
];
/// Grant types a client may register.
pub const GRANT_TYPES: &[&str] = &["authorization_code", "implicit", "refresh_token"];
/// Algorithms a client may sign its token endpoint assertions with.
pub const ASSERTION_ALGS: &[&str] = &["HS256", "RS256", "PS256", "ES256"];
/// Algorithms a request object may use (`none`: unsigned, OIDC Core 6.1).
pub const REQUEST_OBJECT_ALGS: &[&str] = &["none", "RS256", "PS256", "ES256"];

pub fn bad(description: impl Into<String>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidClientMetadata, description.into())
}

pub fn bad_redirect(description: impl Into<String>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRedirectUri, description.into())
}

/// An absolute URL without a fragment.
pub fn absolute(uri: &str) -> Option<Url> {
    Url::parse(uri)
        .ok()
        .filter(|u| u.fragment().is_none() && !u.cannot_be_a_base())
}

/// Schemes that run script or read what is local: never a redirect, logout or link target,
/// from either door (a `javascript:` post-logout URI would run on the broker's origin).
pub const FORBIDDEN_SCHEMES: &[&str] = &["javascript", "data", "vbscript", "file", "blob", "about"];

/// An absolute http(s) URL without a fragment: what a logout or notification URI must be.
pub fn web_uri(uri: &str) -> Option<Url> {
    absolute(uri).filter(|u| matches!(u.scheme(), "http" | "https"))
}

/// One redirect URI (RFC 7591 2, OIDC Registration 2 `application_type`, RFC 8252 7.3).
pub fn check_redirect_uri(uri: &str, native: bool, implicit: bool) -> Result<(), OAuthError> {
    let Some(url) = Url::parse(uri).ok().filter(|u| u.fragment().is_none()) else {
        return Err(bad_redirect(format!(
            "redirect_uri {uri:?} must be an absolute URI without a fragment"
        )));
    };
    let loopback = fetch::is_loopback(&url);
    match url.scheme() {
        "https" if !native && implicit && loopback => Err(bad_redirect(format!(
            "redirect_uri {uri:?}: a web client using the implicit flow may not redirect to \
             localhost (OIDC Registration 2)"
        ))),
        "https" => Ok(()),
        "http" if loopback && (native || !implicit) => Ok(()),
        "http" => Err(bad_redirect(format!(
            "redirect_uri {uri:?} must use https (http only to localhost, and not for the \
             implicit flow of a web client)"
        ))),
        scheme if FORBIDDEN_SCHEMES.contains(&scheme) => Err(bad_redirect(format!(
            "redirect_uri {uri:?}: the scheme {scheme} is never a redirect target"
        ))),
        _ if native => Ok(()),
        scheme => Err(bad_redirect(format!(
            "redirect_uri {uri:?}: the scheme {scheme} needs application_type native"
        ))),
    }
}

/// A response type as a sorted set of words, so `id_token code` equals `code id_token`.
pub fn words(response_type: &str) -> Vec<&str> {
    let mut w: Vec<&str> = response_type.split_whitespace().collect();
    w.sort_unstable();
    w
}

/// The grant types a set of response types needs (RFC 7591 2.1), for a door that does not
/// take grant types.
pub fn implied_grant_types(response_types: &[String]) -> Vec<String> {
    let uses = |w: &str| response_types.iter().any(|rt| words(rt).contains(&w));
    let mut grants = Vec::new();
    if uses("code") {
        grants.push("authorization_code".to_string());
    }
    if uses("id_token") || uses("token") {
        grants.push("implicit".to_string());
    }
    grants
}

pub fn check_response_and_grant_types(
    response_types: &[String],
    grant_types: &[String],
) -> Result<(), OAuthError> {
    if response_types.is_empty() {
        return Err(bad("response_types must name at least one response type"));
    }
    for rt in response_types {
        if !RESPONSE_TYPES.iter().any(|s| words(s) == words(rt)) {
            return Err(bad(format!(
                "response_type {rt:?} is not supported; use one of {}",
                RESPONSE_TYPES.join(", ")
            )));
        }
    }
    for gt in grant_types {
        if !GRANT_TYPES.contains(&gt.as_str()) {
            return Err(bad(format!(
                "grant_type {gt:?} is not supported; use one of {}",
                GRANT_TYPES.join(", ")
            )));
        }
    }
    // RFC 7591 2.1: the two lists must agree.
    let has = |g: &str| grant_types.iter().any(|x| x == g);
    let uses = |w: &str| response_types.iter().any(|rt| words(rt).contains(&w));
    if uses("code") && !has("authorization_code") {
        return Err(bad(
            "response_type code needs grant_type authorization_code (RFC 7591 2.1)",
        ));
    }
    if (uses("id_token") || uses("token")) && !has("implicit") {
        return Err(bad(
            "response_types with id_token or token need grant_type implicit (RFC 7591 2.1)",
        ));
    }
    if has("authorization_code") && !uses("code") {
        return Err(bad(
            "grant_type authorization_code needs a response_type with code (RFC 7591 2.1)",
        ));
    }
    if has("implicit") && !(uses("id_token") || uses("token")) {
        return Err(bad(
            "grant_type implicit needs a response_type with id_token or token (RFC 7591 2.1)",
        ));
    }
    Ok(())
}

/// A JWK Set of public RSA or P-256 keys.
pub fn parse_jwks(value: &Value) -> Result<Jwks, OAuthError> {
    let keys = value
        .get("keys")
        .and_then(Value::as_array)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| bad("jwks must be a JWK Set with at least one key in keys"))?;
    for key in keys {
        if ["d", "p", "q", "dp", "dq", "qi", "k"]
            .iter()
            .any(|m| key.get(m).is_some())
        {
            return Err(bad(
                "jwks holds private key material; register public keys only",
            ));
        }
        match (
            key.get("kty").and_then(Value::as_str),
            key.get("crv").and_then(Value::as_str),
        ) {
            (Some("RSA"), _) | (Some("EC"), Some("P-256")) => {}
            _ => return Err(bad("jwks keys must be RSA or EC P-256 public keys")),
        }
    }
    serde_json::from_value(value.clone()).map_err(|e| bad(format!("jwks is malformed: {e}")))
}

pub fn check_alg(value: &str, allowed: &[&str], name: &str) -> Result<(), OAuthError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(bad(format!(
            "{name} {value:?} is not supported; use one of {}",
            allowed.join(", ")
        )))
    }
}

/// One of the algorithms the broker signs with (its ID tokens, userinfo, logout tokens).
pub fn supported_alg(alg: &str, name: &str) -> Result<Alg, OAuthError> {
    Alg::parse(alg).ok_or_else(|| {
        bad(format!(
            "{name} {alg:?} is not supported; use one of {}",
            Alg::ALL.map(Alg::as_str).join(", ")
        ))
    })
}

/// OIDC Registration 5: the sector document is a JSON array of URIs holding every
/// redirect_uri. Returns the sector (the document's host), used for pairwise subjects.
pub fn check_sector_document(
    uri: &str,
    document: &[u8],
    redirect_uris: &[String],
) -> Result<String, OAuthError> {
    let listed: Vec<String> = serde_json::from_slice(document)
        .map_err(|_| bad("sector_identifier_uri must serve a JSON array of URIs"))?;
    if let Some(missing) = redirect_uris.iter().find(|r| !listed.contains(r)) {
        return Err(bad(format!(
            "redirect_uri {missing:?} is not listed at sector_identifier_uri"
        )));
    }
    Url::parse(uri)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .ok_or_else(|| bad("sector_identifier_uri has no host"))
}
