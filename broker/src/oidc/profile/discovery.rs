//! Each profile's discovery document: the members the real broker's document has, and no
//! others, with its values where the simulator honours them (brokers.md; the recorded NEB
//! pre-production and Signicat sandbox documents, docs/research/broker-facts.md A.1 and C.1).
//! Endpoints the real broker publishes but the simulator does not emulate answer 501 and name
//! their ledger entry.

use serde_json::{json, Value};

use crate::app::Issuer;
use crate::model::Profile;

/// Every JWS algorithm NEB lists for client assertions and request objects.
const NEB_ALGS: [&str; 12] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256",
    "HS384", "HS512",
];
const NEB_AUTH_METHODS: [&str; 3] = [
    "client_secret_basic",
    "client_secret_post",
    "private_key_jwt",
];

/// The document of a non-standard profile at `issuer`.
pub fn document(issuer: &Issuer, profile: Profile) -> Value {
    let paths = profile.endpoints();
    let at = |path: &str| issuer.endpoint(path);
    match profile {
        Profile::Neb => json!({
            "issuer": issuer.as_str(),
            "jwks_uri": at(paths.jwks),
            "authorization_endpoint": at(paths.authorize),
            "token_endpoint": at(paths.token),
            "userinfo_endpoint": at(paths.userinfo),
            "end_session_endpoint": at(paths.end_session),
            "backchannel_authentication_endpoint": at("/connect/ciba"),
            "pushed_authorization_request_endpoint": at("/connect/par"),
            "require_pushed_authorization_requests": false,
            "frontchannel_logout_supported": true,
            "frontchannel_logout_session_supported": true,
            "backchannel_logout_supported": true,
            "backchannel_logout_session_supported": true,
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token", "implicit", "urn:openid:params:grant-type:ciba"],
            "response_types_supported": ["code", "token", "id_token", "id_token token", "code id_token", "code token", "code id_token token"],
            "response_modes_supported": ["form_post", "query", "fragment"],
            "token_endpoint_auth_methods_supported": NEB_AUTH_METHODS,
            "token_endpoint_auth_signing_alg_values_supported": NEB_ALGS,
            "revocation_endpoint_auth_methods_supported": NEB_AUTH_METHODS,
            "revocation_endpoint_auth_signing_alg_values_supported": NEB_ALGS,
            "introspection_endpoint_auth_methods_supported": NEB_AUTH_METHODS,
            "introspection_endpoint_auth_signing_alg_values_supported": NEB_ALGS,
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "request_parameter_supported": true,
            "request_object_signing_alg_values_supported": NEB_ALGS,
            "request_uri_parameter_supported": true,
            "prompt_values_supported": ["login", "none", "select_account"],
            "authorization_response_iss_parameter_supported": true,
            "backchannel_token_delivery_modes_supported": ["poll"],
            "backchannel_user_code_parameter_supported": true,
            "backchannel_authentication_request_signing_alg_values_supported": NEB_ALGS,
            "dpop_signing_alg_values_supported": &NEB_ALGS[..9],
            "request_object_encryption_alg_values_supported": ["RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"],
        }),
        // The members Idura's own client library reads (criipto-auth.js OpenIDConfiguration);
        // no full recording exists (ledger: idura.discovery).
        Profile::Idura => json!({
            "issuer": issuer.as_str(),
            "jwks_uri": at(paths.jwks),
            "authorization_endpoint": at(paths.authorize),
            "pushed_authorization_request_endpoint": at("/oauth2/par"),
            "token_endpoint": at(paths.token),
            "userinfo_endpoint": at(paths.userinfo),
            "end_session_endpoint": at(paths.end_session),
            "response_types_supported": ["code", "id_token"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["public"],
            "acr_values_supported": [
                "urn:grn:authn:dk:mitid:low",
                "urn:grn:authn:dk:mitid:substantial",
                "urn:grn:authn:dk:mitid:high",
                "urn:grn:authn:dk:mitid:business",
            ],
            "id_token_signing_alg_values_supported": ["RS256"],
        }),
        Profile::Signicat => {
            let mut doc = json!({
            "issuer": issuer.as_str(),
            "jwks_uri": at(paths.jwks),
            "authorization_endpoint": at(paths.authorize),
            "token_endpoint": at(paths.token),
            "userinfo_endpoint": at(paths.userinfo),
            "end_session_endpoint": at(paths.end_session),
            "check_session_iframe": at("/connect/checksession"),
            "revocation_endpoint": at("/connect/revocation"),
            "introspection_endpoint": at("/connect/introspect"),
            "device_authorization_endpoint": at("/connect/deviceauthorization"),
            "backchannel_authentication_endpoint": at("/connect/ciba"),
            "pushed_authorization_request_endpoint": at("/connect/par"),
            "require_pushed_authorization_requests": false,
            "frontchannel_logout_supported": true,
            "frontchannel_logout_session_supported": true,
            "backchannel_logout_supported": true,
            "backchannel_logout_session_supported": true,
            // Only the MitID scopes and claims: the sandbox lists every e-ID's (ledger:
            // signicat.discovery-lists).
            "scopes_supported": ["openid", "profile", "nin", "idp-id", "mitid-extra", "offline_access"],
            "claims_supported": [
                "sub", "name", "family_name", "given_name", "birthdate", "nin", "nin_type",
                "nin_issuing_country", "idp_id", "mitid_has_cpr", "mitid_transaction_id",
                "mitid_name_and_address_protection", "mitid_ial", "mitid_loa", "mitid_aal",
                "mitid_fal", "mitid_uuid",
            ],
            });
            let more = json!({
                "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code", "urn:openid:params:grant-type:ciba"],
                "response_types_supported": ["code", "code id_token"],
                "response_modes_supported": ["form_post", "query", "fragment"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "id_token_encryption_alg_values_supported": ["RSA-OAEP", "RSA1_5"],
                "id_token_encryption_enc_values_supported": ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"],
                "userinfo_signing_alg_values_supported": ["RS256"],
                "userinfo_encryption_alg_values_supported": ["RSA-OAEP", "RSA1_5"],
                "userinfo_encryption_enc_values_supported": ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"],
                "request_object_signing_alg_values_supported": &NEB_ALGS[..9],
                "request_object_encryption_alg_values_supported": ["RSA-OAEP"],
                "request_object_encryption_enc_values_supported": ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"],
                "subject_types_supported": ["public"],
                "code_challenge_methods_supported": ["S256"],
                "request_parameter_supported": true,
                "prompt_values_supported": ["none", "login", "consent", "select_account"],
                "authorization_response_iss_parameter_supported": true,
                "backchannel_token_delivery_modes_supported": ["poll"],
                "backchannel_user_code_parameter_supported": false,
                "dpop_signing_alg_values_supported": &NEB_ALGS[..9],
                "claims_parameter_supported": false,
                "backchannel_authentication_cancel_endpoint": at("/connect/ciba/cancel"),
            });
            if let (Value::Object(doc), Value::Object(more)) = (&mut doc, more) {
                doc.extend(more);
            }
            doc
        }
        Profile::Standard => json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(profile: Profile) -> Vec<String> {
        let doc = document(&Issuer::new("https://broker.test/x"), profile);
        doc.as_object().unwrap().keys().cloned().collect()
    }

    /// NEB's recorded pre-production document has exactly these 36 members (brokers.md;
    /// docs/research/broker-facts.md A.1): no scopes, claims or acr values supported.
    #[test]
    fn nebs_document_has_the_recorded_members_and_no_others() {
        let mut expected = vec![
            "issuer",
            "jwks_uri",
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "end_session_endpoint",
            "backchannel_authentication_endpoint",
            "pushed_authorization_request_endpoint",
            "require_pushed_authorization_requests",
            "frontchannel_logout_supported",
            "frontchannel_logout_session_supported",
            "backchannel_logout_supported",
            "backchannel_logout_session_supported",
            "grant_types_supported",
            "response_types_supported",
            "response_modes_supported",
            "token_endpoint_auth_methods_supported",
            "token_endpoint_auth_signing_alg_values_supported",
            "revocation_endpoint_auth_methods_supported",
            "revocation_endpoint_auth_signing_alg_values_supported",
            "introspection_endpoint_auth_methods_supported",
            "introspection_endpoint_auth_signing_alg_values_supported",
            "id_token_signing_alg_values_supported",
            "userinfo_signing_alg_values_supported",
            "subject_types_supported",
            "code_challenge_methods_supported",
            "request_parameter_supported",
            "request_object_signing_alg_values_supported",
            "request_uri_parameter_supported",
            "prompt_values_supported",
            "authorization_response_iss_parameter_supported",
            "backchannel_token_delivery_modes_supported",
            "backchannel_user_code_parameter_supported",
            "backchannel_authentication_request_signing_alg_values_supported",
            "dpop_signing_alg_values_supported",
            "request_object_encryption_alg_values_supported",
        ];
        expected.sort_unstable();
        assert_eq!(expected.len(), 36);
        assert_eq!(members(Profile::Neb), expected);
    }

    /// Signicat's recorded sandbox document has 42 members (C.1), among them no
    /// `acr_values_supported` and no `registration_endpoint`.
    #[test]
    fn signicats_document_has_the_recorded_member_count() {
        let members = members(Profile::Signicat);
        assert_eq!(members.len(), 42, "{members:?}");
        for absent in [
            "acr_values_supported",
            "registration_endpoint",
            "request_uri_parameter_supported",
        ] {
            assert!(!members.iter().any(|m| m == absent), "{absent}");
        }
    }

    #[test]
    fn endpoints_sit_below_each_profiles_issuer() {
        let doc = document(&Issuer::new("https://broker.test/op"), Profile::Neb);
        assert_eq!(
            doc["authorization_endpoint"],
            "https://broker.test/op/connect/authorize"
        );
        assert_eq!(
            doc["jwks_uri"],
            "https://broker.test/op/.well-known/openid-configuration/jwks"
        );
        let doc = document(&Issuer::new("https://broker.test/idura"), Profile::Idura);
        assert_eq!(
            doc["token_endpoint"],
            "https://broker.test/idura/oauth2/token"
        );
    }
}
