//! `redirect_uri` must equal one of the client's registered URIs, byte for byte (OIDC Core
//! 3.1.2.1; RFC 9700 2.1). Only this check can make a [`VerifiedRedirect`].

use url::Url;

use crate::app::Issuer;
use crate::error::OAuthError;
use crate::model::{AuthRequest, Client};
use crate::oidc::Params;

/// A redirect URI proven to be registered for the client; the only way to send a response,
/// error or success, back to a client.
#[derive(Debug, Clone)]
pub struct VerifiedRedirect {
    uri: String,
    state: Option<String>,
}

pub fn check(client: &Client, params: &Params) -> Result<VerifiedRedirect, OAuthError> {
    if params.is_repeated("redirect_uri") {
        return Err(OAuthError::invalid_request(
            "redirect_uri was sent more than once",
        ));
    }
    let uri = params
        .get("redirect_uri")
        .ok_or_else(|| OAuthError::invalid_request("redirect_uri is missing"))?;
    if !client.redirect_uris.iter().any(|r| r == uri) {
        return Err(
            OAuthError::invalid_request("redirect_uri is not registered for this client")
                .with_detail(format!("client {} sent {uri:?}", client.client_id)),
        );
    }
    // A repeated `state` cannot be echoed faithfully; refuse it, but on the verified URI.
    Ok(VerifiedRedirect {
        uri: uri.to_string(),
        state: params.get("state").map(str::to_string),
    })
}

impl VerifiedRedirect {
    /// The redirect of a login parked after its request passed [`check`].
    pub(crate) fn of_parked(request: &AuthRequest) -> VerifiedRedirect {
        VerifiedRedirect {
            uri: request.redirect_uri.clone(),
            state: request.state.clone(),
        }
    }

    pub fn uri(&self) -> &str {
        &self.uri
    }

    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// The client's URI with `code`, `state` and `iss` (RFC 9207) added to its query.
    pub fn code(&self, issuer: &Issuer, code: &str) -> String {
        self.with_params(issuer, &[("code", code)])
    }

    /// The client's URI with `error`, `error_description`, `state` and `iss`.
    pub fn error(&self, issuer: &Issuer, error: &OAuthError) -> String {
        self.with_params(
            issuer,
            &[
                ("error", error.code.as_str()),
                ("error_description", &error.description),
            ],
        )
    }

    fn with_params(&self, issuer: &Issuer, pairs: &[(&str, &str)]) -> String {
        // Registered URIs are validated as absolute URLs at registration.
        let Ok(mut url) = Url::parse(&self.uri) else {
            return self.uri.clone();
        };
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in pairs {
                q.append_pair(k, v);
            }
            if let Some(state) = &self.state {
                q.append_pair("state", state);
            }
            q.append_pair("iss", issuer.as_str());
        }
        url.to_string()
    }
}
