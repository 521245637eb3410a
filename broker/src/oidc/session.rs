//! The broker's single sign-on session: found by the hash of its cookie, reused when it
//! satisfies a request (OIDC Core 3.1.2.1: `prompt`, `max_age`; `login_hint`; `acr_values`).

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::model::{
    Assurance, AuthRequest, ClientId, IdentityId, Level, Profile, Prompt, Session, Sid, UserId,
};
use crate::secrets;
use crate::store::StoreResult;

pub const COOKIE: &str = "broker_session";

/// The session cookie's name at `profile`'s issuer: each issuer keeps its own sessions, as
/// separate brokers would (the standard issuer's cookie, at the base path, is also sent to
/// the others' paths).
pub const fn cookie_name(profile: Profile) -> &'static str {
    match profile {
        Profile::Standard => COOKIE,
        Profile::Neb => "broker_session_neb",
        Profile::Idura => "broker_session_idura",
        Profile::Signicat => "broker_session_signicat",
    }
}

/// The live session behind `cookie` at this issuer, if any.
pub fn find(broker: &Broker, cookie: Option<&str>, now: UnixTime) -> StoreResult<Option<Session>> {
    let Some(cookie) = cookie else {
        return Ok(None);
    };
    Ok(broker
        .store
        .sessions
        .by_cookie(&secrets::hash(cookie))?
        .filter(|s| s.expires_at > now && s.profile == broker.profile))
}

/// Whether `session` may answer `request` without a new login.
pub fn satisfies(
    broker: &Broker,
    session: &Session,
    request: &AuthRequest,
    now: UnixTime,
) -> StoreResult<bool> {
    if request.prompts(Prompt::Login) {
        return Ok(false);
    }
    if let Some(max_age) = request.max_age {
        if now - session.auth_time > max_age {
            return Ok(false);
        }
    }
    // Step-up: a session below the required level (asked, or the default) needs a new login.
    if session.acr < broker.required_level(request) {
        return Ok(false);
    }
    if let Some(hint) = &request.login_hint {
        let hinted = broker.store.identities.by_user_id(&UserId::new(hint))?;
        if hinted.is_some_and(|i| i.id != session.identity_id) {
            return Ok(false);
        }
    }
    // A request for one person (id_token_hint, a sub claim request) needs their session.
    if !is_requested_person(broker, request, &session.identity_id)? {
        return Ok(false);
    }
    // The identity provider the client asked for first must be the session's.
    if request
        .idp_values
        .first()
        .is_some_and(|idp| *idp != session.assurance.idp)
    {
        return Ok(false);
    }
    // The identity may have been deleted, suspended or revoked since: a new login then
    // refuses it.
    Ok(broker
        .store
        .identities
        .get(&session.identity_id)?
        .is_some_and(|identity| identity.status == crate::model::IdentityStatus::Active))
}

/// Whether `identity_id` is the person a request names through `id_token_hint` or a `sub`
/// claim request (their `sub` as this client sees it); true when it names nobody.
pub fn is_requested_person(
    broker: &Broker,
    request: &AuthRequest,
    identity_id: &IdentityId,
) -> StoreResult<bool> {
    let Some(subject) = &request.subject_hint else {
        return Ok(true);
    };
    let client = broker.store.clients.get(&request.client_id)?;
    let identity = broker.store.identities.get(identity_id)?;
    Ok(match (client, identity) {
        (Some(client), Some(identity)) => {
            crate::oidc::claims::subject(broker, &client, &identity) == *subject
        }
        _ => false,
    })
}

/// Starts a session for a completed login, with the client it answers (if any) in it; returns it
/// and the cookie value to set.
#[allow(clippy::too_many_arguments)]
pub fn create(
    broker: &Broker,
    identity_id: &IdentityId,
    acr: Level,
    amr: &[String],
    assurance: Assurance,
    business: Option<String>,
    client: Option<ClientId>,
    now: UnixTime,
) -> StoreResult<(Session, String)> {
    let cookie = secrets::random_token();
    let session = Session {
        sid: Sid::new(secrets::random_id()),
        profile: broker.profile,
        cookie_hash: secrets::hash(&cookie),
        identity_id: identity_id.clone(),
        auth_time: now,
        acr,
        amr: amr.to_vec(),
        assurance,
        business,
        expires_at: now + broker.config.tokens.session_ttl,
        clients: client.into_iter().collect(),
    };
    broker.store.sessions.put(&session)?;
    Ok((session, cookie))
}
