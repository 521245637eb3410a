//! The authentication request (OpenID Connect Core §3.1.2.1): code flow, PKCE S256, state and
//! nonce, with the scopes, the level (Substantial) and the offer of MitID Erhverv in the
//! broker's dialect ([`super::dialect`]). The standard's: scopes `openid profile ssn nemlogin`
//! (`ssn` for `dk.cpr`: Digital Post keys a person's mailbox on the CPR number, and grants name
//! helpers by it; `nemlogin` for the business of a MitID Erhverv login), `acr_values` NSIS
//! Substantial, and `idp_values=mitid mitid_erhverv`: MitID first and MitID Erhverv second, so
//! a person with a business identity may choose it at login (and a login decided without a
//! person stays private).

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthenticationContextClass, CsrfToken, LanguageTag, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    Scope,
};
use url::Url;

use super::{Provider, RelyingParty};

/// What the callback needs to finish a login; kept server-side only.
pub struct PendingLogin {
    /// The `state` sent to the broker (binds the callback to this login).
    pub state: CsrfToken,
    /// The `nonce` the ID token must carry.
    pub nonce: Nonce,
    /// The PKCE verifier for the token request.
    pub pkce_verifier: PkceCodeVerifier,
    /// The S256 challenge derived from the verifier, sent with the authentication request.
    pkce_challenge: PkceCodeChallenge,
}

impl PendingLogin {
    /// Fresh random state, nonce and PKCE verifier.
    pub fn new_random() -> Self {
        let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
        Self {
            state: CsrfToken::new_random(),
            nonce: Nonce::new_random(),
            pkce_verifier,
            pkce_challenge,
        }
    }
}

impl RelyingParty {
    /// The broker's authorization URL for `login`, in the configured dialect, asking for its
    /// pages in `ui_locale` (`da` or `en`: OpenID Connect Core §3.1.2.1 `ui_locales`).
    pub fn authorization_url(
        &self,
        provider: &Provider,
        login: &PendingLogin,
        ui_locale: &str,
    ) -> Url {
        let state = login.state.clone();
        let nonce = login.nonce.clone();
        let dialect = self.dialect;
        let mut request = provider
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || state,
                move || nonce,
            )
            .add_scopes(
                dialect
                    .scopes
                    .iter()
                    .map(|scope| Scope::new((*scope).to_owned())),
            );
        for (name, value) in dialect.params {
            request = request.add_extra_param(*name, *value);
        }
        for acr in dialect.acr_values {
            request =
                request.add_auth_context_value(AuthenticationContextClass::new((*acr).to_owned()));
        }
        let (url, _, _) = request
            .add_ui_locale(LanguageTag::new(ui_locale.to_owned()))
            .set_pkce_challenge(login.pkce_challenge.clone())
            .url();
        url
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;
    use std::time::SystemTime;

    use openidconnect::core::{CoreClient, CoreJsonWebKeySet};
    use openidconnect::{ClientId, ProviderMetadataWithLogout};

    use super::*;
    use crate::clock::SystemClock;
    use crate::config::{BrokerProfile, Config};

    fn provider(relying_party: &RelyingParty) -> Provider {
        let issuer = relying_party.issuer.as_str().trim_end_matches('/');
        let metadata: ProviderMetadataWithLogout = serde_json::from_value(serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/authorize"),
            "jwks_uri": format!("{issuer}/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }))
        .unwrap();
        let client = CoreClient::from_provider_metadata(
            metadata.set_jwks(CoreJsonWebKeySet::new(Vec::new())),
            ClientId::new("demo-mailbox".to_owned()),
            None,
        )
        .set_redirect_uri(relying_party.redirect_uri.clone());
        Provider {
            issuer: issuer.to_string(),
            client,
            end_session_endpoint: None,
            userinfo_endpoint: None,
            jwks: CoreJsonWebKeySet::new(Vec::new()),
            discovered_at: SystemTime::UNIX_EPOCH,
            fresh_until: None,
        }
    }

    /// The query of the authorization URL the mailbox makes for `profile`.
    fn request(profile: BrokerProfile) -> HashMap<String, String> {
        let config = Config {
            broker_profile: profile,
            ..Config::default()
        };
        let relying_party = RelyingParty::new(&config, Arc::new(SystemClock)).unwrap();
        let url = relying_party.authorization_url(
            &provider(&relying_party),
            &PendingLogin::new_random(),
            "da",
        );
        let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
        for name in ["state", "nonce", "code_challenge", "redirect_uri"] {
            assert!(query.contains_key(name), "{profile}: {name} in {url}");
        }
        assert_eq!(query["response_type"], "code", "{profile}");
        assert_eq!(query["code_challenge_method"], "S256", "{profile}");
        query
    }

    #[test]
    fn standard_asks_its_scopes_the_nsis_level_and_both_identity_providers() {
        let query = request(BrokerProfile::Standard);
        assert_eq!(query["scope"], "openid profile ssn nemlogin");
        assert_eq!(
            query["acr_values"],
            "https://data.gov.dk/concept/core/nsis/Substantial"
        );
        assert_eq!(query["idp_values"], "mitid mitid_erhverv");
        assert_eq!(query.get("idp_params"), None);
    }

    #[test]
    fn neb_asks_its_own_scopes_and_the_level_in_idp_params() {
        let query = request(BrokerProfile::Neb);
        assert_eq!(query["scope"], "openid mitid ssn nemlogin");
        assert_eq!(query.get("acr_values"), None);
        assert_eq!(query["idp_values"], "mitid mitid_erhverv");
        let idp_params: serde_json::Value = serde_json::from_str(&query["idp_params"]).unwrap();
        assert_eq!(
            idp_params,
            serde_json::json!({"mitid": {"loa_value": "substantial"}})
        );
    }

    #[test]
    fn idura_asks_its_level_urn_and_offers_business_by_login_hint() {
        let query = request(BrokerProfile::Idura);
        assert_eq!(query["scope"], "openid ssn");
        assert_eq!(query["acr_values"], "urn:grn:authn:dk:mitid:substantial");
        assert_eq!(query["login_hint"], "business_optional");
        assert_eq!(query.get("idp_values"), None);
    }

    #[test]
    fn signicat_names_mitid_and_the_level_in_acr_values() {
        let query = request(BrokerProfile::Signicat);
        assert_eq!(query["scope"], "openid profile nin idp-id mitid-extra");
        assert_eq!(query["acr_values"], "idp:mitid loa:substantial");
        assert_eq!(query.get("idp_values"), None);
        assert_eq!(query.get("login_hint"), None);
    }
}
