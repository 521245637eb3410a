//! Client metadata (RFC 7591 section 2, OpenID Connect Dynamic Client Registration 1.0
//! section 2), parsed into the values the broker honours. Unknown members are ignored (RFC 7591
//! section 2); members the broker understands but does not support are refused, so a client
//! never believes it registered something that has no effect.

use keys::{Alg, Jwks};
use serde_json::{json, Map, Value};
use url::Url;

use crate::error::{ErrorCode, OAuthError};
use crate::model::{AuthMethod, ClientDefaults, ClientJose, Level, SubjectType};
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

/// Metadata the broker understands but does not implement: refused, not ignored.
const UNSUPPORTED: &[&str] = &[
    "userinfo_encrypted_response_alg",
    "userinfo_encrypted_response_enc",
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "request_object_encryption_alg",
    "request_object_encryption_enc",
];

/// Informational members kept and echoed as sent (after a type check).
const INFO_URIS: &[&str] = &["logo_uri", "client_uri", "policy_uri", "tos_uri"];
const INFO_STRINGS: &[&str] = &["software_id", "software_version", "scope"];

/// Validated client metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    pub redirect_uris: Vec<String>,
    pub response_types: Vec<String>,
    pub grant_types: Vec<String>,
    pub application_type: String,
    pub client_name: String,
    pub token_endpoint_auth_method: AuthMethod,
    pub id_token_signed_response_alg: Alg,
    /// Keys and JWS algorithms (`jwt_secret` is never set here).
    pub jose: ClientJose,
    pub subject_type: SubjectType,
    pub sector_identifier_uri: Option<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    pub backchannel_logout_session_required: bool,
    /// OIDC Front-Channel Logout 1.0 section 2: same origin as one of the redirect URIs.
    pub frontchannel_logout_uri: Option<String>,
    pub frontchannel_logout_session_required: bool,
    pub defaults: ClientDefaults,
    /// Informational members (contacts, logo_uri, ...), echoed back.
    pub info: Map<String, Value>,
}

fn bad(description: impl Into<String>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidClientMetadata, description.into())
}

fn bad_redirect(description: impl Into<String>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRedirectUri, description.into())
}

struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    /// A member that is absent or JSON null counts as not sent.
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    fn string(&self, name: &str) -> Result<Option<String>, OAuthError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(format!("{name} must be a string"))),
        }
    }

    fn strings(&self, name: &str) -> Result<Option<Vec<String>>, OAuthError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| bad(format!("{name} must be an array of strings")))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(bad(format!("{name} must be an array of strings"))),
        }
    }

    fn boolean(&self, name: &str) -> Result<bool, OAuthError> {
        match self.get(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(bad(format!("{name} must be true or false"))),
        }
    }
}

/// An absolute URL without a fragment.
fn absolute(uri: &str) -> Option<Url> {
    Url::parse(uri)
        .ok()
        .filter(|u| u.fragment().is_none() && !u.cannot_be_a_base())
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
        _ if native => Ok(()),
        scheme => Err(bad_redirect(format!(
            "redirect_uri {uri:?}: the scheme {scheme} needs application_type native"
        ))),
    }
}

/// A response type as a sorted set of words, so `id_token code` equals `code id_token`.
fn words(response_type: &str) -> Vec<&str> {
    let mut w: Vec<&str> = response_type.split_whitespace().collect();
    w.sort_unstable();
    w
}

fn check_response_and_grant_types(
    response_types: &[String],
    grant_types: &[String],
) -> Result<(), OAuthError> {
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
fn parse_jwks(value: &Value) -> Result<Jwks, OAuthError> {
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

fn check_alg(value: &str, allowed: &[&str], name: &str) -> Result<(), OAuthError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(bad(format!(
            "{name} {value:?} is not supported; use one of {}",
            allowed.join(", ")
        )))
    }
}

/// The client's keys and JWS algorithms (`jwks`, `jwks_uri`, `token_endpoint_auth_signing_alg`,
/// `request_object_signing_alg`), checked against `method`. Also used by the control API.
pub fn jose(body: &Value, method: AuthMethod) -> Result<ClientJose, OAuthError> {
    let map = body
        .as_object()
        .ok_or_else(|| bad("client metadata must be a JSON object"))?;
    parse_jose(&Fields(map), method)
}

fn parse_jose(
    f: &Fields,
    token_endpoint_auth_method: AuthMethod,
) -> Result<ClientJose, OAuthError> {
    let token_endpoint_auth_signing_alg = f.string("token_endpoint_auth_signing_alg")?;
    if let Some(alg) = &token_endpoint_auth_signing_alg {
        let allowed: &[&str] = match token_endpoint_auth_method {
            AuthMethod::ClientSecretJwt => &["HS256"],
            AuthMethod::PrivateKeyJwt => &["RS256", "PS256", "ES256"],
            _ => ASSERTION_ALGS,
        };
        check_alg(alg, allowed, "token_endpoint_auth_signing_alg")?;
    }
    let jwks = f.get("jwks").map(parse_jwks).transpose()?;
    let jwks_uri = f.string("jwks_uri")?;
    if jwks.is_some() && jwks_uri.is_some() {
        return Err(bad("jwks and jwks_uri must not both be sent (RFC 7591 2)"));
    }
    if let Some(uri) = &jwks_uri {
        fetch::fetchable(uri).map_err(|e| bad(format!("jwks_uri: {e}")))?;
    }
    let has_keys = jwks.is_some() || jwks_uri.is_some();
    if token_endpoint_auth_method == AuthMethod::PrivateKeyJwt && !has_keys {
        return Err(bad("private_key_jwt needs jwks or jwks_uri"));
    }

    let request_object_signing_alg = f.string("request_object_signing_alg")?;
    if let Some(alg) = &request_object_signing_alg {
        check_alg(alg, REQUEST_OBJECT_ALGS, "request_object_signing_alg")?;
        if alg != "none" && !has_keys {
            return Err(bad(format!(
                "request_object_signing_alg {alg} needs jwks or jwks_uri"
            )));
        }
    }

    let userinfo_signed_response_alg = f
        .string("userinfo_signed_response_alg")?
        .map(|a| supported_alg(&a, "userinfo_signed_response_alg"))
        .transpose()?;

    Ok(ClientJose {
        jwks,
        jwks_uri,
        token_endpoint_auth_signing_alg,
        request_object_signing_alg,
        jwt_secret: None,
        userinfo_signed_response_alg,
    })
}

/// One of the algorithms the broker signs with (its ID tokens, userinfo, logout tokens).
fn supported_alg(alg: &str, name: &str) -> Result<Alg, OAuthError> {
    Alg::parse(alg).ok_or_else(|| {
        bad(format!(
            "{name} {alg:?} is not supported; use one of {}",
            Alg::ALL.map(Alg::as_str).join(", ")
        ))
    })
}

/// Parses and checks a registration request's metadata. Does not fetch anything: the caller
/// checks `sector_identifier_uri` with [`check_sector_document`].
pub fn parse(body: &Value) -> Result<Metadata, OAuthError> {
    let map = body
        .as_object()
        .ok_or_else(|| bad("the registration request must be a JSON object"))?;
    let f = Fields(map);
    for name in UNSUPPORTED {
        if f.get(name).is_some() {
            return Err(bad(format!("{name} is not supported by this broker")));
        }
    }

    let application_type = f
        .string("application_type")?
        .unwrap_or_else(|| "web".into());
    if application_type != "web" && application_type != "native" {
        return Err(bad("application_type must be web or native"));
    }
    let native = application_type == "native";

    let response_types = f
        .strings("response_types")?
        .unwrap_or_else(|| vec!["code".into()]);
    let grant_types = f
        .strings("grant_types")?
        .unwrap_or_else(|| vec!["authorization_code".into()]);
    check_response_and_grant_types(&response_types, &grant_types)?;
    let implicit = grant_types.iter().any(|g| g == "implicit");

    let redirect_uris = match f.get("redirect_uris") {
        None => return Err(bad_redirect("redirect_uris is required")),
        Some(Value::Array(a)) if a.is_empty() => {
            return Err(bad_redirect("redirect_uris must name at least one URI"))
        }
        Some(_) => f
            .strings("redirect_uris")
            .map_err(|_| bad_redirect("redirect_uris must be an array of strings"))?
            .unwrap_or_default(),
    };
    for uri in &redirect_uris {
        check_redirect_uri(uri, native, implicit)?;
    }

    let token_endpoint_auth_method = match f.string("token_endpoint_auth_method")? {
        None => AuthMethod::ClientSecretBasic,
        Some(m) => AuthMethod::parse(&m).ok_or_else(|| {
            bad(format!(
                "token_endpoint_auth_method {m:?} is not supported; use one of {}",
                AuthMethod::ALL.map(AuthMethod::as_str).join(", ")
            ))
        })?,
    };
    let jose = parse_jose(&f, token_endpoint_auth_method)?;

    let id_token_signed_response_alg = match f.string("id_token_signed_response_alg")? {
        None => Alg::RS256,
        Some(a) => supported_alg(&a, "id_token_signed_response_alg")?,
    };

    let subject_type = match f.string("subject_type")?.as_deref() {
        None | Some("public") => SubjectType::Public,
        Some("pairwise") => SubjectType::Pairwise,
        Some(other) => {
            return Err(bad(format!(
                "subject_type {other:?} is not supported; use public or pairwise"
            )))
        }
    };
    let sector_identifier_uri = f.string("sector_identifier_uri")?;
    if let Some(uri) = &sector_identifier_uri {
        let url = fetch::fetchable(uri).map_err(|e| bad(format!("sector_identifier_uri: {e}")))?;
        if url.scheme() != "https" && !fetch::is_loopback(&url) {
            return Err(bad("sector_identifier_uri must use https"));
        }
    } else if subject_type == SubjectType::Pairwise {
        // OIDC Core 8.1: without a sector document, the redirect URIs must share one host.
        let mut hosts: Vec<String> = redirect_uris
            .iter()
            .filter_map(|u| Url::parse(u).ok()?.host_str().map(str::to_string))
            .collect();
        hosts.sort_unstable();
        hosts.dedup();
        if hosts.len() > 1 {
            return Err(bad(
                "pairwise subjects with redirect_uris on several hosts need a \
                 sector_identifier_uri (OIDC Core 8.1)",
            ));
        }
    }

    let post_logout_redirect_uris = f.strings("post_logout_redirect_uris")?.unwrap_or_default();
    for uri in &post_logout_redirect_uris {
        if absolute(uri).is_none() {
            return Err(bad(format!(
                "post_logout_redirect_uri {uri:?} must be an absolute URI without a fragment"
            )));
        }
    }
    let backchannel_logout_uri = f.string("backchannel_logout_uri")?;
    if let Some(uri) = &backchannel_logout_uri {
        fetch::fetchable(uri).map_err(|e| bad(format!("backchannel_logout_uri: {e}")))?;
    }
    let backchannel_logout_session_required = f.boolean("backchannel_logout_session_required")?;
    let frontchannel_logout_uri = f.string("frontchannel_logout_uri")?;
    if let Some(uri) = &frontchannel_logout_uri {
        crate::oidc::frontchannel::check_registration(uri, &redirect_uris).map_err(bad)?;
    }
    let frontchannel_logout_session_required = f.boolean("frontchannel_logout_session_required")?;

    let mut info = Map::new();
    for name in INFO_URIS {
        if let Some(uri) = f.string(name)? {
            if absolute(&uri).is_none() {
                return Err(bad(format!("{name} must be an absolute URL")));
            }
            info.insert(name.to_string(), json!(uri));
        }
    }
    for name in INFO_STRINGS {
        if let Some(s) = f.string(name)? {
            info.insert(name.to_string(), json!(s));
        }
    }
    if let Some(contacts) = f.strings("contacts")? {
        info.insert("contacts".into(), json!(contacts));
    }

    Ok(Metadata {
        redirect_uris,
        response_types,
        grant_types,
        application_type,
        client_name: f.string("client_name")?.unwrap_or_default(),
        token_endpoint_auth_method,
        id_token_signed_response_alg,
        jose,
        subject_type,
        sector_identifier_uri,
        post_logout_redirect_uris,
        backchannel_logout_uri,
        backchannel_logout_session_required,
        frontchannel_logout_uri,
        frontchannel_logout_session_required,
        defaults: parse_defaults(&f)?,
        info,
    })
}

/// `default_max_age`, `default_acr_values` and `require_auth_time` (OIDC Registration 2).
/// Also used by the control API.
pub fn defaults(body: &Value) -> Result<ClientDefaults, OAuthError> {
    let map = body
        .as_object()
        .ok_or_else(|| bad("client metadata must be a JSON object"))?;
    parse_defaults(&Fields(map))
}

fn parse_defaults(f: &Fields) -> Result<ClientDefaults, OAuthError> {
    let default_max_age = match f.get("default_max_age") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| bad("default_max_age must be a non-negative number of seconds"))?,
        ),
    };
    let default_acr_values = f.strings("default_acr_values")?.unwrap_or_default();
    if let Some(unknown) = default_acr_values
        .iter()
        .find(|v| Level::from_uri(v).is_none())
    {
        return Err(bad(format!(
            "default_acr_values: {unknown:?} is not a level this broker has; use one of {}",
            Level::ALL.map(|l| l.uri()).join(", ")
        )));
    }
    Ok(ClientDefaults {
        default_max_age,
        default_acr_values,
        require_auth_time: f.boolean("require_auth_time")?,
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

impl Metadata {
    /// The metadata as the registration endpoints return it (RFC 7591 3.2.1).
    pub fn to_json(&self) -> Map<String, Value> {
        let mut m = self.info.clone();
        m.insert("redirect_uris".into(), json!(self.redirect_uris));
        m.insert("response_types".into(), json!(self.response_types));
        m.insert("grant_types".into(), json!(self.grant_types));
        m.insert("application_type".into(), json!(self.application_type));
        if !self.client_name.is_empty() {
            m.insert("client_name".into(), json!(self.client_name));
        }
        m.insert(
            "token_endpoint_auth_method".into(),
            json!(self.token_endpoint_auth_method.as_str()),
        );
        let optional = [
            (
                "token_endpoint_auth_signing_alg",
                &self.jose.token_endpoint_auth_signing_alg,
            ),
            (
                "request_object_signing_alg",
                &self.jose.request_object_signing_alg,
            ),
            ("jwks_uri", &self.jose.jwks_uri),
            ("sector_identifier_uri", &self.sector_identifier_uri),
            ("backchannel_logout_uri", &self.backchannel_logout_uri),
            ("frontchannel_logout_uri", &self.frontchannel_logout_uri),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                m.insert(name.into(), json!(v));
            }
        }
        if let Some(jwks) = &self.jose.jwks {
            m.insert("jwks".into(), json!(jwks));
        }
        if let Some(alg) = self.jose.userinfo_signed_response_alg {
            m.insert("userinfo_signed_response_alg".into(), json!(alg.as_str()));
        }
        if let Some(age) = self.defaults.default_max_age {
            m.insert("default_max_age".into(), json!(age));
        }
        if !self.defaults.default_acr_values.is_empty() {
            m.insert(
                "default_acr_values".into(),
                json!(self.defaults.default_acr_values),
            );
        }
        if self.defaults.require_auth_time {
            m.insert("require_auth_time".into(), json!(true));
        }
        m.insert(
            "id_token_signed_response_alg".into(),
            json!(self.id_token_signed_response_alg.as_str()),
        );
        m.insert(
            "subject_type".into(),
            json!(match self.subject_type {
                SubjectType::Public => "public",
                SubjectType::Pairwise => "pairwise",
            }),
        );
        if !self.post_logout_redirect_uris.is_empty() {
            m.insert(
                "post_logout_redirect_uris".into(),
                json!(self.post_logout_redirect_uris),
            );
        }
        if self.backchannel_logout_uri.is_some() {
            m.insert(
                "backchannel_logout_session_required".into(),
                json!(self.backchannel_logout_session_required),
            );
        }
        if self.frontchannel_logout_uri.is_some() {
            m.insert(
                "frontchannel_logout_session_required".into(),
                json!(self.frontchannel_logout_session_required),
            );
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_with(extra: Value) -> Result<Metadata, OAuthError> {
        let mut body = json!({ "redirect_uris": ["https://rp.example/cb"] });
        if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
            b.extend(e);
        }
        parse(&body)
    }

    fn code_of(r: Result<Metadata, OAuthError>) -> &'static str {
        r.err().map(|e| e.code.as_str()).unwrap_or("ok")
    }

    const RSA_JWK: &str = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"}"#;

    fn jwks() -> Value {
        json!({ "keys": [serde_json::from_str::<Value>(RSA_JWK).unwrap()] })
    }

    #[test]
    fn defaults_follow_rfc7591_and_oidc_registration() {
        let m = parse_with(json!({})).unwrap();
        assert_eq!(m.response_types, ["code"]);
        assert_eq!(m.grant_types, ["authorization_code"]);
        assert_eq!(m.token_endpoint_auth_method, AuthMethod::ClientSecretBasic);
        assert_eq!(m.id_token_signed_response_alg, Alg::RS256);
        assert_eq!(m.application_type, "web");
        assert_eq!(m.subject_type, SubjectType::Public);
    }

    #[test]
    fn redirect_uris_are_required_and_non_empty() {
        assert_eq!(code_of(parse(&json!({}))), "invalid_redirect_uri");
        assert_eq!(
            code_of(parse(&json!({ "redirect_uris": [] }))),
            "invalid_redirect_uri"
        );
        assert_eq!(
            code_of(parse(&json!({ "redirect_uris": "https://rp.example/cb" }))),
            "invalid_redirect_uri"
        );
    }

    #[test]
    fn redirect_uris_must_be_absolute_without_fragment() {
        for uri in ["/cb", "rp.example/cb", "https://rp.example/cb#x"] {
            assert_eq!(
                code_of(parse(&json!({ "redirect_uris": [uri] }))),
                "invalid_redirect_uri",
                "{uri}"
            );
        }
    }

    #[test]
    fn http_redirects_only_to_loopback() {
        assert!(check_redirect_uri("http://localhost:3000/cb", false, false).is_ok());
        assert!(check_redirect_uri("http://127.0.0.1/cb", false, false).is_ok());
        assert!(check_redirect_uri("http://rp.example/cb", false, false).is_err());
        assert!(check_redirect_uri("https://rp.example/cb", false, false).is_ok());
    }

    #[test]
    fn custom_schemes_only_for_native_clients() {
        assert!(check_redirect_uri("com.example.app:/cb", true, false).is_ok());
        assert!(check_redirect_uri("com.example.app:/cb", false, false).is_err());
    }

    #[test]
    fn implicit_web_clients_need_https_not_localhost() {
        assert!(check_redirect_uri("http://localhost/cb", false, true).is_err());
        assert!(check_redirect_uri("https://localhost/cb", false, true).is_err());
        assert!(check_redirect_uri("https://rp.example/cb", false, true).is_ok());
        assert!(check_redirect_uri("http://localhost/cb", true, true).is_ok());
    }

    #[test]
    fn response_types_and_grant_types_must_agree() {
        let ok = json!({ "response_types": ["code id_token"], "grant_types": ["authorization_code", "implicit"] });
        assert_eq!(code_of(parse_with(ok)), "ok");
        let missing_implicit = json!({ "response_types": ["code id_token"] });
        assert_eq!(
            code_of(parse_with(missing_implicit)),
            "invalid_client_metadata"
        );
        let missing_code = json!({ "response_types": ["id_token"], "grant_types": ["authorization_code", "implicit"] });
        assert_eq!(code_of(parse_with(missing_code)), "invalid_client_metadata");
        let implicit_only =
            json!({ "response_types": ["id_token token"], "grant_types": ["implicit"] });
        assert_eq!(code_of(parse_with(implicit_only)), "ok");
    }

    #[test]
    fn unknown_response_and_grant_types_are_refused() {
        assert_eq!(
            code_of(parse_with(json!({ "response_types": ["token code_x"] }))),
            "invalid_client_metadata"
        );
        assert_eq!(
            code_of(parse_with(
                json!({ "grant_types": ["authorization_code", "client_credentials"] })
            )),
            "invalid_client_metadata"
        );
    }

    #[test]
    fn auth_method_must_be_supported() {
        assert_eq!(
            code_of(parse_with(
                json!({ "token_endpoint_auth_method": "tls_client_auth" })
            )),
            "invalid_client_metadata"
        );
        let m = parse_with(json!({ "token_endpoint_auth_method": "client_secret_jwt" })).unwrap();
        assert_eq!(m.token_endpoint_auth_method, AuthMethod::ClientSecretJwt);
    }

    #[test]
    fn private_key_jwt_needs_keys() {
        assert_eq!(
            code_of(parse_with(
                json!({ "token_endpoint_auth_method": "private_key_jwt" })
            )),
            "invalid_client_metadata"
        );
        let m =
            parse_with(json!({ "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks() }))
                .unwrap();
        assert_eq!(m.jose.jwks.unwrap().keys.len(), 1);
    }

    #[test]
    fn signing_alg_must_suit_the_auth_method() {
        assert_eq!(
            code_of(parse_with(json!({
                "token_endpoint_auth_method": "client_secret_jwt",
                "token_endpoint_auth_signing_alg": "RS256"
            }))),
            "invalid_client_metadata"
        );
        assert_eq!(
            code_of(parse_with(json!({
                "token_endpoint_auth_method": "private_key_jwt",
                "token_endpoint_auth_signing_alg": "none",
                "jwks": jwks()
            }))),
            "invalid_client_metadata"
        );
    }

    #[test]
    fn jwks_and_jwks_uri_are_exclusive() {
        assert_eq!(
            code_of(parse_with(
                json!({ "jwks": jwks(), "jwks_uri": "https://rp.example/jwks" })
            )),
            "invalid_client_metadata"
        );
    }

    #[test]
    fn jwks_must_hold_public_keys() {
        let mut private = serde_json::from_str::<Value>(RSA_JWK).unwrap();
        private["d"] = json!("secret");
        assert_eq!(
            code_of(parse_with(json!({ "jwks": { "keys": [private] } }))),
            "invalid_client_metadata"
        );
        assert_eq!(
            code_of(parse_with(json!({ "jwks": { "keys": [] } }))),
            "invalid_client_metadata"
        );
        assert_eq!(
            code_of(parse_with(
                json!({ "jwks": { "keys": [{"kty": "oct", "k": "x"}] } })
            )),
            "invalid_client_metadata"
        );
    }

    #[test]
    fn jwks_uri_must_be_https() {
        assert_eq!(
            code_of(parse_with(json!({ "jwks_uri": "http://rp.example/jwks" }))),
            "invalid_client_metadata"
        );
    }

    #[test]
    fn id_token_alg_must_be_supported() {
        for alg in ["none", "HS256", "RS512"] {
            assert_eq!(
                code_of(parse_with(json!({ "id_token_signed_response_alg": alg }))),
                "invalid_client_metadata",
                "{alg}"
            );
        }
        let m = parse_with(json!({ "id_token_signed_response_alg": "ES256" })).unwrap();
        assert_eq!(m.id_token_signed_response_alg, Alg::ES256);
    }

    #[test]
    fn request_object_alg_needs_keys_unless_none() {
        assert_eq!(
            code_of(parse_with(json!({ "request_object_signing_alg": "RS256" }))),
            "invalid_client_metadata"
        );
        assert_eq!(
            code_of(parse_with(json!({ "request_object_signing_alg": "none" }))),
            "ok"
        );
        assert_eq!(
            code_of(parse_with(json!({ "request_object_signing_alg": "HS512" }))),
            "invalid_client_metadata"
        );
    }

    #[test]
    fn a_userinfo_signing_alg_is_kept_and_echoed_and_an_unknown_one_refused() {
        let m = parse_with(json!({ "userinfo_signed_response_alg": "ES256" })).unwrap();
        assert_eq!(m.jose.userinfo_signed_response_alg, Some(Alg::ES256));
        assert_eq!(m.to_json()["userinfo_signed_response_alg"], "ES256");
        let plain = parse_with(json!({})).unwrap();
        assert_eq!(plain.jose.userinfo_signed_response_alg, None);
        assert!(plain
            .to_json()
            .get("userinfo_signed_response_alg")
            .is_none());
        for alg in ["none", "HS256", "rs256"] {
            assert_eq!(
                code_of(parse_with(json!({ "userinfo_signed_response_alg": alg }))),
                "invalid_client_metadata",
                "{alg}"
            );
        }
    }

    #[test]
    fn request_defaults_are_checked_kept_and_echoed() {
        let high = Level::High.uri();
        let m = parse_with(json!({
            "default_max_age": 300,
            "default_acr_values": [high],
            "require_auth_time": true
        }))
        .unwrap();
        assert_eq!(m.defaults.default_max_age, Some(300));
        assert_eq!(m.defaults.default_acr_values, vec![high.to_string()]);
        assert!(m.defaults.require_auth_time);
        let echoed = m.to_json();
        assert_eq!(echoed["default_max_age"], 300);
        assert_eq!(echoed["default_acr_values"], json!([high]));
        assert_eq!(echoed["require_auth_time"], true);
        let plain = parse_with(json!({})).unwrap();
        assert_eq!(plain.defaults, ClientDefaults::default());
        assert!(plain.to_json().get("default_max_age").is_none());
        for bad in [
            json!({ "default_max_age": -1 }),
            json!({ "default_max_age": "60" }),
            json!({ "default_max_age": 1.5 }),
            json!({ "default_acr_values": ["urn:example:gold"] }),
            json!({ "default_acr_values": high }),
            json!({ "require_auth_time": "yes" }),
        ] {
            assert_eq!(
                code_of(parse_with(bad.clone())),
                "invalid_client_metadata",
                "{bad}"
            );
        }
    }

    #[test]
    fn unsupported_encryption_is_refused_not_ignored() {
        assert_eq!(
            code_of(parse_with(
                json!({ "id_token_encrypted_response_alg": "RSA-OAEP" })
            )),
            "invalid_client_metadata"
        );
    }

    #[test]
    fn wrong_json_types_are_invalid_metadata() {
        assert_eq!(
            code_of(parse_with(json!({ "client_name": 5 }))),
            "invalid_client_metadata"
        );
        assert_eq!(
            code_of(parse_with(json!({ "contacts": "a@example.dk" }))),
            "invalid_client_metadata"
        );
        assert_eq!(
            code_of(parse_with(
                json!({ "backchannel_logout_session_required": "yes" })
            )),
            "invalid_client_metadata"
        );
        assert_eq!(code_of(parse(&json!(["x"]))), "invalid_client_metadata");
    }

    #[test]
    fn pairwise_across_hosts_needs_a_sector_identifier() {
        let two_hosts = json!({
            "subject_type": "pairwise",
            "redirect_uris": ["https://a.example/cb", "https://b.example/cb"]
        });
        assert_eq!(code_of(parse(&two_hosts)), "invalid_client_metadata");
        let mut with_sector = two_hosts.clone();
        with_sector["sector_identifier_uri"] = json!("https://a.example/sector.json");
        assert_eq!(code_of(parse(&with_sector)), "ok");
    }

    #[test]
    fn sector_document_must_list_every_redirect_uri() {
        let uris = vec!["https://a.example/cb".to_string()];
        assert_eq!(
            check_sector_document(
                "https://s.example/s.json",
                br#"["https://a.example/cb"]"#,
                &uris
            )
            .unwrap(),
            "s.example"
        );
        assert!(check_sector_document("https://s.example/s.json", b"[]", &uris).is_err());
        assert!(check_sector_document("https://s.example/s.json", b"{}", &uris).is_err());
    }

    #[test]
    fn other_uris_must_be_absolute() {
        assert_eq!(
            code_of(parse_with(json!({ "logo_uri": "logo.png" }))),
            "invalid_client_metadata"
        );
        assert_eq!(
            code_of(parse_with(json!({ "post_logout_redirect_uris": ["/bye"] }))),
            "invalid_client_metadata"
        );
        assert_eq!(
            code_of(parse_with(
                json!({ "backchannel_logout_uri": "http://rp.example/bc" })
            )),
            "invalid_client_metadata"
        );
    }

    #[test]
    fn a_frontchannel_logout_uri_shares_a_redirect_uris_origin() {
        let m = parse_with(json!({
            "frontchannel_logout_uri": "https://rp.example/fc",
            "frontchannel_logout_session_required": true
        }))
        .unwrap();
        assert_eq!(
            m.frontchannel_logout_uri.as_deref(),
            Some("https://rp.example/fc")
        );
        assert!(m.frontchannel_logout_session_required);
        assert_eq!(
            m.to_json()["frontchannel_logout_session_required"],
            json!(true)
        );
        assert_eq!(
            code_of(parse_with(
                json!({ "frontchannel_logout_uri": "https://other.example/fc" })
            )),
            "invalid_client_metadata"
        );
        assert_eq!(
            code_of(parse_with(
                json!({ "frontchannel_logout_session_required": "yes" })
            )),
            "invalid_client_metadata"
        );
    }

    #[test]
    fn echo_keeps_registered_values_and_drops_unknown_ones() {
        let m = parse_with(json!({
            "client_name": "RP",
            "contacts": ["ops@rp.example"],
            "made_up": 1
        }))
        .unwrap();
        let out = m.to_json();
        assert_eq!(out["client_name"], "RP");
        assert_eq!(out["contacts"], json!(["ops@rp.example"]));
        assert!(!out.contains_key("made_up"));
    }
}
