//! RP-Initiated Logout 1.0: where to send the browser to end the session at the broker.

use openidconnect::core::CoreIdToken;
use openidconnect::{CsrfToken, LogoutRequest};
use url::Url;

use super::{Provider, RelyingParty};

impl RelyingParty {
    /// The broker's end-session URL with `id_token_hint`, `client_id`,
    /// `post_logout_redirect_uri` and a fresh `state`; `None` if the broker announced no
    /// `end_session_endpoint`.
    pub fn end_session_url(&self, provider: &Provider, id_token: &CoreIdToken) -> Option<Url> {
        let endpoint = provider.end_session_endpoint.clone()?;
        Some(
            LogoutRequest::from(endpoint)
                .set_id_token_hint(id_token)
                .set_client_id(self.client_id.clone())
                .set_post_logout_redirect_uri(self.post_logout_redirect_uri.clone())
                .set_state(CsrfToken::new_random())
                .http_get_url(),
        )
    }
}
