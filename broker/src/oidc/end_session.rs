//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). With an `id_token_hint` for the
//! browser's own session the broker logs out at once; otherwise it asks the person first.
//! `post_logout_redirect_uri` is used only if registered for the client, and `state` is echoed.

use serde_json::Value;
use url::Url;

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{Client, ClientId, Profile, Session};
use crate::oidc::{session, Params};
use crate::secrets;

#[derive(Debug, PartialEq)]
pub enum EndSessionOutcome {
    /// The request is bad; show this and redirect nowhere.
    ErrorPage(OAuthError),
    /// Ask the person to confirm; the form carries `csrf` and `params` back.
    Confirm {
        csrf: String,
        params: Vec<(String, String)>,
    },
    /// Logged out (the session, if any, has ended); go to `redirect` or show a page. `ended`
    /// is the session this request ended, whose clients are to be told.
    LoggedOut {
        redirect: Option<String>,
        ended: Option<Session>,
    },
}

/// The token that proves a confirmation came from the browser holding the session cookie.
fn confirm_csrf(cookie: &str) -> String {
    secrets::hash(&format!("logout-confirm|{cookie}"))
}

pub fn end_session(
    broker: &Broker,
    params: &Params,
    session_cookie: Option<&str>,
    now: UnixTime,
) -> Result<EndSessionOutcome, OAuthError> {
    use EndSessionOutcome::*;
    if let Some(name) = params.first_repeated() {
        return Ok(ErrorPage(OAuthError::invalid_request(format!(
            "{name} was sent more than once"
        ))));
    }
    let hint = match params.get("id_token_hint") {
        None => None,
        Some(token) => match verify_hint(broker, token) {
            Some(claims) => Some(claims),
            // NEB treats a hint it cannot use as none (brokers.md; STUBID pp/CAP-044).
            None if broker.profile == Profile::Neb => None,
            None => {
                return Ok(ErrorPage(OAuthError::invalid_request(
                    "id_token_hint is not an ID token issued by this broker",
                )))
            }
        },
    };
    // Without a valid id_token_hint NEB ignores post_logout_redirect_uri
    // (sessions-and-sso.md: "A valid ID token sent in the id_token_hint parameter is
    // mandatory"; STUBID pp-session/CAP-027).
    let ignore_redirect = broker.profile == Profile::Neb && hint.is_none();
    let hint_aud = hint.as_ref().and_then(|c| match &c["aud"] {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => a.first().and_then(|v| v.as_str()).map(str::to_string),
        _ => None,
    });
    let client_id = match (params.get("client_id"), hint_aud.as_deref()) {
        (Some(a), Some(b)) if a != b => {
            return Ok(ErrorPage(OAuthError::invalid_request(
                "client_id differs from the audience of id_token_hint",
            )))
        }
        (Some(id), _) | (None, Some(id)) => Some(ClientId::new(id)),
        (None, None) => None,
    };
    let client: Option<Client> = match &client_id {
        Some(id) => broker.store.clients.get(id)?,
        None => None,
    };
    let redirect = match params
        .get("post_logout_redirect_uri")
        .filter(|_| !ignore_redirect)
    {
        None => None,
        Some(uri) => {
            let Some(client) = &client else {
                return Ok(ErrorPage(OAuthError::invalid_request(
                    "post_logout_redirect_uri needs id_token_hint or client_id naming a client",
                )));
            };
            if !client.post_logout_redirect_uris.iter().any(|r| r == uri) {
                return Ok(ErrorPage(OAuthError::invalid_request(
                    "post_logout_redirect_uri is not registered for this client",
                )));
            }
            Some(with_state(uri, params.get("state")))
        }
    };

    let Some(cookie) = session_cookie else {
        return Ok(LoggedOut {
            redirect,
            ended: None,
        });
    };
    let Some(current) = session::find(broker, Some(cookie), now)? else {
        return Ok(LoggedOut {
            redirect,
            ended: None,
        });
    };
    let (sid_claim, sid) = crate::oidc::profile::session_claim(broker, &current.sid);
    let hint_is_this_session = hint
        .as_ref()
        .and_then(|c| c[sid_claim].as_str())
        .is_some_and(|hinted| hinted == sid);
    let confirmed = params.get("confirm") == Some("yes")
        && params
            .get("csrf")
            .is_some_and(|c| secrets::constant_time_eq(c, &confirm_csrf(cookie)));
    if !hint_is_this_session && !confirmed {
        let carry = [
            "id_token_hint",
            "client_id",
            "post_logout_redirect_uri",
            "state",
            "ui_locales",
        ]
        .iter()
        .filter_map(|k| params.get(k).map(|v| (k.to_string(), v.to_string())))
        .collect();
        return Ok(Confirm {
            csrf: confirm_csrf(cookie),
            params: carry,
        });
    }
    let ended = broker.store.sessions.end(&current.sid)?.then_some(current);
    Ok(LoggedOut { redirect, ended })
}

/// The hint's claims if it is an ID token this broker signed for itself (expired ones count:
/// OIDC RP-Initiated Logout 2).
fn verify_hint(broker: &Broker, token: &str) -> Option<Value> {
    let payload = broker.keys.verify_jwt(token).ok()?;
    let claims: Value = serde_json::from_slice(&payload).ok()?;
    (claims["iss"].as_str() == Some(broker.issuer.as_str())).then_some(claims)
}

fn with_state(uri: &str, state: Option<&str>) -> String {
    match (Url::parse(uri), state) {
        (Ok(mut url), Some(state)) => {
            url.query_pairs_mut().append_pair("state", state);
            url.to_string()
        }
        _ => uri.to_string(),
    }
}
