//! The authentication request (OpenID Connect Core §3.1.2.1): code flow, PKCE S256, state,
//! nonce, NSIS Substantial as the requested level, and scopes `openid profile ssn nemlogin`:
//! `ssn` for `dk.cpr` (Digital Post keys a person's mailbox on the CPR number, and grants
//! name helpers by it), `nemlogin` for the business of a MitID Erhverv login. `idp_values`
//! offers MitID first and MitID Erhverv second, so a person with a business identity may
//! choose it at login (and a login decided without a person stays private).

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthenticationContextClass, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, Scope,
};
use url::Url;

use super::Provider;
use crate::config::ACR_SUBSTANTIAL;

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

/// The broker's authorization URL for `login`.
pub fn authorization_url(provider: &Provider, login: &PendingLogin) -> Url {
    let state = login.state.clone();
    let nonce = login.nonce.clone();
    let (url, _, _) = provider
        .client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            move || state,
            move || nonce,
        )
        .add_scope(Scope::new("profile".to_owned()))
        .add_scope(Scope::new("ssn".to_owned()))
        .add_scope(Scope::new("nemlogin".to_owned()))
        .add_extra_param("idp_values", "mitid mitid_erhverv")
        .add_auth_context_value(AuthenticationContextClass::new(ACR_SUBSTANTIAL.to_owned()))
        .set_pkce_challenge(login.pkce_challenge.clone())
        .url();
    url
}
