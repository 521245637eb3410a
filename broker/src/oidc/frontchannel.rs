//! OpenID Connect Front-Channel Logout 1.0: when a session ends at the end-session endpoint,
//! the logout page loads each of the session's clients' `frontchannel_logout_uri` in an
//! invisible iframe (with `iss` and `sid` when the client requires them, section 2), so the
//! client can end its own session with the browser's cookies, then continues to the
//! `post_logout_redirect_uri`.

use url::Url;

use crate::app::Broker;
use crate::error::OAuthError;
use crate::model::Session;

/// Section 2: "The domain, port, and scheme of this URL MUST be the same as that of a
/// registered Redirection URI value." Also absolute, without a fragment.
pub fn check_registration(uri: &str, redirect_uris: &[String]) -> Result<(), String> {
    let url = match Url::parse(uri) {
        Ok(url)
            if url.fragment().is_none()
                && url.has_host()
                && matches!(url.scheme(), "http" | "https") =>
        {
            url
        }
        _ => {
            return Err(format!(
                "frontchannel_logout_uri {uri:?} must be an absolute http(s) URL without a fragment"
            ))
        }
    };
    let origin = url.origin();
    let shared = redirect_uris
        .iter()
        .filter_map(|r| Url::parse(r).ok())
        .any(|r| r.origin() == origin);
    if shared {
        Ok(())
    } else {
        Err(format!(
            "frontchannel_logout_uri {uri:?} must have the scheme, host and port of one of the \
             client's redirect_uris"
        ))
    }
}

/// The iframe URLs for the clients of an ended session that registered a front-channel logout
/// URI, in the order they joined the session.
pub fn iframe_urls(broker: &Broker, session: &Session) -> Result<Vec<String>, OAuthError> {
    let mut out = Vec::new();
    for client_id in &session.clients {
        let Some(client) = broker.store.clients.get(client_id)? else {
            continue;
        };
        let Some(uri) = &client.frontchannel_logout_uri else {
            continue;
        };
        let (_, sid) = crate::oidc::profile::session_claim(broker, &session.sid);
        let sid = client
            .frontchannel_logout_session_required
            .then_some(sid.as_str());
        out.push(iframe_url(uri, broker.issuer.as_str(), sid));
    }
    Ok(out)
}

/// `uri` with `iss` and `sid` added to its query (kept as registered otherwise) when `sid` is
/// given.
pub fn iframe_url(uri: &str, issuer: &str, sid: Option<&str>) -> String {
    match (Url::parse(uri), sid) {
        (Ok(mut url), Some(sid)) => {
            url.query_pairs_mut()
                .append_pair("iss", issuer)
                .append_pair("sid", sid);
            url.to_string()
        }
        _ => uri.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirects() -> Vec<String> {
        vec![
            "https://rp.example/callback".into(),
            "http://localhost:9999/cb".into(),
        ]
    }

    #[test]
    fn the_uri_must_share_scheme_host_and_port_with_a_redirect_uri() {
        assert!(check_registration("https://rp.example/logout/front", &redirects()).is_ok());
        assert!(check_registration("https://rp.example:443/fc?x=1", &redirects()).is_ok());
        assert!(check_registration("http://localhost:9999/fc", &redirects()).is_ok());
        for bad in [
            "http://rp.example/fc",       // scheme
            "https://other.example/fc",   // host
            "https://evil.rp.example/fc", // a subdomain is another host
            "https://rp.example:8443/fc", // port
            "http://localhost:9998/fc",   // port
            "https://rp.example/fc#frag", // fragment
            "/fc",                        // relative
        ] {
            assert!(check_registration(bad, &redirects()).is_err(), "{bad}");
        }
        assert!(check_registration("https://rp.example/fc", &[]).is_err());
    }

    #[test]
    fn session_required_adds_iss_and_sid_to_the_query() {
        assert_eq!(
            iframe_url(
                "https://rp.example/fc?tenant=a",
                "https://op.example",
                Some("s 1")
            ),
            "https://rp.example/fc?tenant=a&iss=https%3A%2F%2Fop.example&sid=s+1"
        );
        assert_eq!(
            iframe_url("https://rp.example/fc", "https://op.example", None),
            "https://rp.example/fc"
        );
    }
}
