//! Client metadata (RFC 7591 section 2, OpenID Connect Dynamic Client Registration 1.0
//! section 2), parsed into the values the broker honours. Unknown members are ignored (RFC 7591
//! section 2); members the broker understands but does not support are refused, so a client
//! never believes it registered something that has no effect.
//!
//! Both doors a client comes in by parse here, with the rules of [`super::rules`]: dynamic
//! registration and the control API ([`Door`] says where they differ), and both build the
//! stored [`Client`] with [`Metadata::client`].

use keys::Alg;
use serde_json::{json, Map, Value};
use url::Url;

use super::rules::{
    absolute, bad, bad_redirect, check_alg, check_redirect_uri, check_response_and_grant_types,
    implied_grant_types, parse_jwks, supported_alg, web_uri, ASSERTION_ALGS, FORBIDDEN_SCHEMES,
    REQUEST_OBJECT_ALGS,
};
use crate::error::OAuthError;
use crate::model::{
    AuthMethod, Client, ClientDefaults, ClientId, ClientJose, Level, Registration, ResponseType,
    SubjectType,
};
use crate::oidc::fetch;
use crate::secrets;

/// The door a client comes in by. The rules are the same but where stated here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// Dynamic registration (RFC 7591), open to whoever reaches the broker: every rule.
    Registration,
    /// The control API, a test's own setup. Redirect, post-logout and back-channel logout URIs
    /// need only be absolute URLs without a fragment (a test network may name any host over
    /// http); grant types follow from the response types; the name is `name`; there is no
    /// `sector_identifier_uri` (the sector is given directly), so the pairwise one-host rule
    /// does not apply; informational members are not taken.
    ControlApi,
}

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

/// Parses and checks a registration request's metadata. Does not fetch anything: the caller
/// checks `sector_identifier_uri` with [`super::rules::check_sector_document`].
pub fn parse(body: &Value) -> Result<Metadata, OAuthError> {
    parse_for(body, Door::Registration)
}

/// Parses and checks a client's metadata as it comes in by `door`.
pub fn parse_for(body: &Value, door: Door) -> Result<Metadata, OAuthError> {
    let registration = door == Door::Registration;
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
    let grant_types = if registration {
        f.strings("grant_types")?
            .unwrap_or_else(|| vec!["authorization_code".into()])
    } else {
        implied_grant_types(&response_types)
    };
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
        if registration {
            check_redirect_uri(uri, native, implicit)?;
        } else if absolute(uri).is_none_or(|u| FORBIDDEN_SCHEMES.contains(&u.scheme())) {
            return Err(bad_redirect(format!(
                "redirect_uri {uri:?} must be an absolute URL without a fragment, and not \
                 javascript:, data:, vbscript: or file:"
            )));
        }
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
    let sector_identifier_uri = if registration {
        f.string("sector_identifier_uri")?
    } else {
        None
    };
    if let Some(uri) = &sector_identifier_uri {
        let url = fetch::fetchable(uri).map_err(|e| bad(format!("sector_identifier_uri: {e}")))?;
        if url.scheme() != "https" && !fetch::is_loopback(&url) {
            return Err(bad("sector_identifier_uri must use https"));
        }
    } else if registration && subject_type == SubjectType::Pairwise {
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
        if web_uri(uri).is_none() {
            return Err(bad(format!(
                "post_logout_redirect_uri {uri:?} must be an absolute http(s) URL without a \
                 fragment"
            )));
        }
    }
    let backchannel_logout_uri = f.string("backchannel_logout_uri")?;
    if let Some(uri) = &backchannel_logout_uri {
        if registration {
            fetch::fetchable(uri).map_err(|e| bad(format!("backchannel_logout_uri: {e}")))?;
        } else if web_uri(uri).is_none() {
            return Err(bad(format!(
                "backchannel_logout_uri {uri:?} must be an absolute http(s) URL without a \
                 fragment"
            )));
        }
    }
    let backchannel_logout_session_required = f.boolean("backchannel_logout_session_required")?;
    let frontchannel_logout_uri = f.string("frontchannel_logout_uri")?;
    if let Some(uri) = &frontchannel_logout_uri {
        crate::oidc::frontchannel::check_registration(uri, &redirect_uris).map_err(bad)?;
    }
    let frontchannel_logout_session_required = f.boolean("frontchannel_logout_session_required")?;

    let mut info = Map::new();
    for name in INFO_URIS.iter().filter(|_| registration) {
        if let Some(uri) = f.string(name)? {
            if absolute(&uri).is_none() {
                return Err(bad(format!("{name} must be an absolute URL")));
            }
            info.insert(name.to_string(), json!(uri));
        }
    }
    for name in INFO_STRINGS.iter().filter(|_| registration) {
        if let Some(s) = f.string(name)? {
            info.insert(name.to_string(), json!(s));
        }
    }
    if let Some(contacts) = f.strings("contacts")?.filter(|_| registration) {
        info.insert("contacts".into(), json!(contacts));
    }

    Ok(Metadata {
        redirect_uris,
        response_types,
        grant_types,
        application_type,
        client_name: f
            .string(if registration { "client_name" } else { "name" })?
            .unwrap_or_default(),
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

/// A client's secret as stored: the hash, and the clear secret only for `client_secret_jwt`
/// (an HS256 MAC needs the key itself).
pub struct Secret {
    pub hash: Option<String>,
    pub jwt_secret: Option<String>,
    /// A secret made now, to show once.
    pub shown: Option<String>,
}

impl Secret {
    /// The secret a client with `method` gets: `given` (the control API may set one), else a
    /// new random one, shown once; none for a method without a secret.
    pub fn new(method: AuthMethod, given: Option<String>) -> Result<Secret, OAuthError> {
        if !method.uses_secret() {
            if given.is_some() {
                return Err(bad(format!(
                    "a client with token_endpoint_auth_method {} has no secret",
                    method.as_str()
                )));
            }
            return Ok(Secret {
                hash: None,
                jwt_secret: None,
                shown: None,
            });
        }
        let shown = given.is_none().then(secrets::random_token);
        let secret = given.or_else(|| shown.clone()).unwrap_or_default();
        Ok(Secret {
            hash: Some(secrets::hash(&secret)),
            jwt_secret: (method == AuthMethod::ClientSecretJwt).then(|| secret.clone()),
            shown,
        })
    }
}

impl Metadata {
    /// The client these metadata describe, as stored. `sector` is the pairwise sector;
    /// `registration` what dynamic registration keeps (none for the control API).
    pub fn client(
        &self,
        client_id: ClientId,
        sector: Option<String>,
        secret: &Secret,
        registration: Option<Registration>,
    ) -> Client {
        Client {
            client_id,
            name: self.client_name.clone(),
            secret_hash: secret.hash.clone(),
            redirect_uris: self.redirect_uris.clone(),
            post_logout_redirect_uris: self.post_logout_redirect_uris.clone(),
            token_endpoint_auth_method: self.token_endpoint_auth_method,
            require_pkce: false,
            id_token_signed_response_alg: self.id_token_signed_response_alg,
            subject_type: self.subject_type,
            sector_identifier: sector,
            private_service: false,
            backchannel_logout_uri: self.backchannel_logout_uri.clone(),
            backchannel_logout_session_required: self.backchannel_logout_session_required,
            jose: ClientJose {
                jwt_secret: secret.jwt_secret.clone(),
                ..self.jose.clone()
            },
            registration,
            // Checked against the supported list when the metadata were parsed.
            response_types: self
                .response_types
                .iter()
                .filter_map(|r| ResponseType::parse(r))
                .collect(),
            frontchannel_logout_uri: self.frontchannel_logout_uri.clone(),
            frontchannel_logout_session_required: self.frontchannel_logout_session_required,
            defaults: self.defaults.clone(),
        }
    }

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
mod tests;
