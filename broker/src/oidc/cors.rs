//! Which web origins may read the protocol endpoints' answers (CORS, for browser apps: a
//! single-page app is a public client that runs PKCE in the page and calls the token endpoint
//! itself).
//!
//! - Discovery and the JWKS are public: any origin.
//! - The token, userinfo and revocation endpoints answer the origins of the redirect URIs of
//!   the client the request speaks for (the client it names or authenticates as, or the client
//!   an access token was issued to). A preflight names no client yet, so it is answered for the
//!   origin of any registered client's redirect URI; the request itself is answered only for
//!   its own client's, or, when it names none (an expired or revoked access token), for any
//!   client's, so the app can read that it must log in again.
//! - Nothing else answers CORS: the login screens, the simulator and the control API never.

use url::Url;

use crate::app::Broker;
use crate::model::{Client, ClientId};
use crate::oidc::token::client_auth;
use crate::oidc::userinfo;
use crate::oidc::Params;
use crate::secrets;

/// The origin (`scheme://host[:port]`) of each http(s) redirect URI of `client`.
pub fn client_origins(client: &Client) -> impl Iterator<Item = String> + '_ {
    client
        .redirect_uris
        .iter()
        .filter_map(|uri| Url::parse(uri).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .map(|url| url.origin().ascii_serialization())
}

/// The client a token, userinfo or revocation request speaks for, as far as the request says
/// (nothing is verified here: the endpoint itself authenticates; this only picks whose
/// origins may read the answer). An access token presented as a bearer names its client.
pub fn request_client(
    broker: &Broker,
    params: &Params,
    authorization: Option<&str>,
) -> Option<ClientId> {
    if let Some(id) = client_auth::claimed_client_id(params, authorization) {
        return Some(ClientId::new(&id));
    }
    let token = userinfo::bearer_token(authorization, Some(params)).ok()?;
    let stored = broker
        .store
        .tokens
        .get_access(&secrets::hash(token))
        .ok()??;
    Some(stored.grant.client_id)
}

/// Whether `origin` may read the answer to a request of `client`.
pub fn client_allows(broker: &Broker, client: &ClientId, origin: &str) -> bool {
    matches!(broker.store.clients.get(client), Ok(Some(c)) if client_origins(&c).any(|o| o == origin))
}

/// Whether `origin` is the origin of some registered client's redirect URI (a preflight,
/// which names no client).
pub fn some_client_allows(broker: &Broker, origin: &str) -> bool {
    broker.store.clients.list().is_ok_and(|clients| {
        clients
            .iter()
            .any(|c| client_origins(c).any(|o| o == origin))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_of_web_redirect_uris() {
        let client = Client::new(
            ClientId::new("spa"),
            vec![
                "http://localhost:5173/callback".into(),
                "https://app.example/cb?x=1".into(),
                "https://app.example:8443/cb".into(),
                "dk.example.app:/oauth".into(),
            ],
        );
        let origins: Vec<String> = client_origins(&client).collect();
        assert_eq!(
            origins,
            [
                "http://localhost:5173",
                "https://app.example",
                "https://app.example:8443"
            ]
        );
    }
}
