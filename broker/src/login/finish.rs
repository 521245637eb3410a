//! Finishing a login from the login side: a settled login is completed through the protocol
//! core ([`crate::oidc::authorize::complete`]) exactly once.

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::model::{AuthRequest, Delivered, LoginTxn, ToClient, TxnId};
use crate::oidc::authorize::{self, AuthorizeOutcome, AuthorizeResult, VerifiedRedirect};
use crate::secrets;

/// How a settled login ends at the client.
#[derive(Debug)]
pub enum Finished {
    /// Its answer: the first time, or the same answer again for a repeated request (a double
    /// click, the back button) while its code is unspent and alive.
    Answer(AuthorizeResult),
    /// Finished before, and its answer no longer holds: the page links back to the service.
    Before {
        /// The client's name.
        client: String,
        /// The origin of the client's redirect URI.
        service: String,
    },
}

/// Sends a settled login's outcome to the client, once; a repeated request gets the stored
/// answer while it holds. A pending login gets an error page.
pub fn finish(broker: &Broker, txn: &LoginTxn, now: UnixTime) -> Result<Finished, OAuthError> {
    if txn.status.is_pending() {
        return Ok(Finished::Answer(
            AuthorizeOutcome::ErrorPage(OAuthError::invalid_request(
                "this login is still waiting for a decision",
            ))
            .into(),
        ));
    }
    if !txn.delivered {
        let result = authorize::complete(broker, txn, now)?;
        let response = delivered(&result.outcome, now + broker.config.tokens.code_ttl);
        if broker
            .store
            .logins
            .mark_delivered(&txn.id, response.as_ref())?
        {
            return Ok(Finished::Answer(result));
        }
        // Another request finished it first (the code made here is never sent, and expires):
        // its answer stands.
    }
    let stored = broker.store.logins.get(&txn.id)?;
    let answer = match stored.as_ref().and_then(|t| t.response.as_ref()) {
        Some(d) if still_holds(broker, d, now)? => Some(replay(&d.to_client)),
        _ => None,
    };
    Ok(match answer {
        Some(outcome) => Finished::Answer(AuthorizeResult::from(outcome).for_login(&txn.id)),
        None => Finished::Before {
            client: crate::login::client_name(broker, txn),
            service: origin_of(&txn.request.redirect_uri),
        },
    })
}

/// The answer to keep: a redirect or a form post to the client, with the hash of the code in
/// it (error pages are not kept).
fn delivered(outcome: &AuthorizeOutcome, until: UnixTime) -> Option<Delivered> {
    let (to_client, code) = match outcome {
        AuthorizeOutcome::Redirect(location) => {
            let code = url::Url::parse(location).ok().and_then(|u| {
                let from_query = u.query_pairs().find(|(k, _)| k == "code");
                let from_fragment = u.fragment().and_then(|f| {
                    url::form_urlencoded::parse(f.as_bytes()).find(|(k, _)| k == "code")
                });
                from_query.or(from_fragment).map(|(_, v)| v.into_owned())
            });
            (
                ToClient::Redirect {
                    location: location.clone(),
                },
                code,
            )
        }
        AuthorizeOutcome::FormPost { action, fields } => (
            ToClient::FormPost {
                action: action.clone(),
                fields: fields.clone(),
            },
            fields
                .iter()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.clone()),
        ),
        AuthorizeOutcome::ErrorPage(_) | AuthorizeOutcome::NeedsLogin { .. } => return None,
    };
    Some(Delivered {
        to_client,
        code_hash: code.map(|c| secrets::hash(&c)),
        until,
    })
}

/// A stored answer holds within the code's lifetime while its code is unspent: sending a
/// spent code again would make the client redeem it twice, which revokes the login's tokens.
fn still_holds(broker: &Broker, d: &Delivered, now: UnixTime) -> Result<bool, OAuthError> {
    if now >= d.until {
        return Ok(false);
    }
    Ok(match &d.code_hash {
        Some(hash) => broker.store.codes.is_unspent(hash)?,
        None => true,
    })
}

fn replay(to_client: &ToClient) -> AuthorizeOutcome {
    match to_client {
        ToClient::Redirect { location } => AuthorizeOutcome::Redirect(location.clone()),
        ToClient::FormPost { action, fields } => AuthorizeOutcome::FormPost {
            action: action.clone(),
            fields: fields.clone(),
        },
    }
}

/// `scheme://host[:port]` of a redirect URI (the whole URI when it has no host: a native
/// app's custom scheme).
fn origin_of(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(u) if u.has_host() => u.origin().ascii_serialization(),
        _ => uri.to_string(),
    }
}

/// Where a login stands once the authorization request has been parked.
#[derive(Debug)]
pub enum Started {
    /// Waiting for a person (the login page) or a decision (the control API).
    Waiting(TxnId),
    /// Decided on the spot by the ladder, and completed.
    Finished(AuthorizeResult),
}

/// Parks the login an authorization request needs ([`AuthorizeOutcome::NeedsLogin`]); if the
/// ladder decides it on the spot, completes it at once. An error goes back to the client
/// through `redirect`.
pub fn start(
    broker: &Broker,
    request: AuthRequest,
    redirect: &VerifiedRedirect,
    now: UnixTime,
) -> Started {
    let finished = match super::park(broker, request, now) {
        Ok(txn) if txn.status.is_pending() => return Started::Waiting(txn.id),
        // park stored it as delivered already: this is its one completion.
        Ok(txn) => authorize::complete(broker, &txn, now).map(|r| r.for_login(&txn.id)),
        Err(e) => Err(e),
    };
    Started::Finished(finished.unwrap_or_else(|e| {
        if let Some(detail) = &e.detail {
            tracing::info!(error = e.code.as_str(), detail, "login could not start");
        }
        redirect.error(&broker.issuer, &e).into()
    }))
}
