//! The discovery document (OpenID Connect Discovery 1.0 section 3), built from the same path
//! constants as the router.

use serde_json::{json, Value};

use crate::app::Issuer;
use crate::config::Config;
use crate::model::Profile;
use crate::model::{AuthMethod, Level, ResponseMode, ResponseType};
use crate::oidc::registration::rules::{ASSERTION_ALGS, REQUEST_OBJECT_ALGS};
use crate::oidc::{CLAIMS_SUPPORTED, SCOPES_SUPPORTED};

pub fn document(issuer: &Issuer, config: &Config, profile: Profile) -> Value {
    if profile != Profile::Standard {
        return crate::oidc::profile::discovery::document(issuer, profile);
    }
    let paths = profile.endpoints();
    let mut doc = json!({
        "issuer": issuer.as_str(),
        "authorization_endpoint": issuer.endpoint(paths.authorize),
        "token_endpoint": issuer.endpoint(paths.token),
        "userinfo_endpoint": issuer.endpoint(paths.userinfo),
        "jwks_uri": issuer.endpoint(paths.jwks),
        "end_session_endpoint": issuer.endpoint(paths.end_session),
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "frontchannel_logout_supported": true,
        "frontchannel_logout_session_supported": true,
        "response_types_supported": ResponseType::ALL.map(|r| r.as_str()),
        "response_modes_supported": ResponseMode::ALL.map(|m| m.as_str()),
        "grant_types_supported": ["authorization_code", "implicit", "refresh_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": keys::Alg::ALL.map(|a| a.as_str()),
        "userinfo_signing_alg_values_supported": keys::Alg::ALL.map(|a| a.as_str()),
        "scopes_supported": SCOPES_SUPPORTED,
        "claims_supported": CLAIMS_SUPPORTED,
        "claim_types_supported": ["normal"],
        "token_endpoint_auth_methods_supported": AuthMethod::ALL.map(|m| m.as_str()),
        "revocation_endpoint_auth_methods_supported": AuthMethod::ALL.map(|m| m.as_str()),
        "introspection_endpoint_auth_methods_supported": AuthMethod::ALL.map(|m| m.as_str()),
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "revocation_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "introspection_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": Level::ALL.map(|l| l.uri()),
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "ui_locales_supported": ["da", "en"],
        "claims_parameter_supported": true,
        "claims_locales_supported": crate::oidc::authorize::CLAIMS_LOCALES,
        "display_values_supported": crate::oidc::authorize::DISPLAY_VALUES,
        "request_parameter_supported": true,
        "request_uri_parameter_supported": true,
        "require_request_uri_registration": false,
        "request_object_signing_alg_values_supported": REQUEST_OBJECT_ALGS,
        "require_pushed_authorization_requests": config.par.required,
        "authorization_response_iss_parameter_supported": true,
    });
    if let Some(map) = doc.as_object_mut() {
        let optional = [
            ("revocation_endpoint", paths.revocation),
            ("introspection_endpoint", paths.introspection),
            ("pushed_authorization_request_endpoint", paths.par),
            (
                "registration_endpoint",
                paths.register.filter(|_| config.registration.enabled),
            ),
        ];
        for (member, path) in optional {
            if let Some(path) = path {
                map.insert(member.into(), json!(issuer.endpoint(path)));
            }
        }
    }
    doc
}
