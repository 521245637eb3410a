//! Logged-in sessions, kept in memory and keyed by the `mailbox_session` cookie.
//!
//! A session ends after `session_idle_secs` without a request, and `session_max_secs` after
//! login whatever happens. Every login gets a fresh random id (no session fixation).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use openidconnect::core::CoreIdToken;

use crate::access::{Access, Cpr, GrantId};
use crate::language::Lang;
use crate::notice::Notice;
use crate::post::MailboxId;
use crate::random::random_token;

/// Who logged in, as the broker told us. Fixed for the session's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The person's name, for display.
    pub name: String,
    /// The person's CPR number (`dk.cpr`), when the broker sent one: it names them in grants
    /// and memberships.
    pub cpr: Option<Cpr>,
    /// The business identity the person logged in with (MitID Erhverv), if any.
    pub business: Option<BusinessLogin>,
    /// The person's own mailbox (opened, or created, at login).
    pub own_mailbox: MailboxId,
}

/// The business a MitID Erhverv login was for (`nemlogin.cvr`, `nemlogin.org_name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessLogin {
    /// Its CVR number.
    pub cvr: String,
    /// Its name.
    pub name: String,
    /// The person may represent the business (`nemlogin.auth_to_repr`: a signatory, not an
    /// employee), so may give others access to its mailbox.
    pub may_represent: bool,
}

/// How the session opened the mailbox it works in; checked again on every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// The person's own mailbox.
    Own,
    /// The business's mailbox of a MitID Erhverv login.
    Business,
    /// An association's mailbox, as a member.
    Association {
        /// The association's CVR number.
        cvr: String,
    },
    /// Another person's mailbox, through a grant opened with its password.
    Grant {
        /// The grant.
        id: GrantId,
        /// The grant's version when it was opened: a new password ends this way in.
        version: u32,
    },
}

/// The mailbox a session works in, and how it got there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    /// The mailbox.
    pub mailbox: MailboxId,
    /// How it was opened.
    pub via: Via,
}

/// The broker's side of a login, from the verified ID token: what a back-channel logout
/// names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerSession {
    /// The ID token's `sub`.
    pub sub: String,
    /// The ID token's `sid` (the broker's session), when it carried one.
    pub sid: Option<String>,
}

impl BrokerSession {
    /// Whether a logout token with `sid` and `sub` ends this session (Back-Channel Logout 1.0
    /// §2.7): the same broker session (and person, when it names one), or, without a `sid`,
    /// every session of the person.
    fn is_named_by(&self, sid: Option<&str>, sub: Option<&str>) -> bool {
        let same_person = sub.is_none_or(|sub| sub == self.sub);
        match sid {
            Some(sid) => self.sid.as_deref() == Some(sid) && same_person,
            None => sub.is_some() && same_person,
        }
    }
}

/// A login to start a session for.
pub struct NewSession {
    /// Who logged in.
    pub person: Person,
    /// The broker's session and subject it came from.
    pub broker: BrokerSession,
    /// The mailbox the session starts in.
    pub current: Current,
    /// The ID token, kept as `id_token_hint` for logout at the broker.
    pub id_token: CoreIdToken,
}

/// A session that passed the idle and lifetime checks on this request. No `Debug`: it holds
/// the session id and CSRF token.
#[derive(Clone)]
pub struct LiveSession {
    /// The session id (the cookie value).
    pub id: String,
    /// Who logged in.
    pub person: Person,
    /// The mailbox the session works in.
    pub current: Current,
    /// The token every form must echo back.
    pub csrf_token: String,
}

/// A live session working in a mailbox it may still open ([`crate::logged_in::LoggedIn`]
/// checked that on this request). No `Debug`: it holds the session id and CSRF token.
#[derive(Clone)]
pub struct ActiveSession {
    /// The session id (the cookie value): where a notice for the next page is kept.
    pub id: String,
    /// The notice of the last action, taken for this page (see [`SessionStore::take_notice`]).
    pub notice: Option<Notice>,
    /// The person's name, for display and as the one who acted.
    pub name: String,
    /// Who logged in.
    pub person: Person,
    /// The mailbox this session works in; every object id is checked against it.
    pub mailbox: MailboxId,
    /// What the person may do in it, worked out on this request.
    pub access: Access,
    /// The mailbox's name, for display (the owner's, business's or association's).
    pub mailbox_name: String,
    /// The token every form must echo back.
    pub csrf_token: String,
    /// The language of the pages.
    pub lang: Lang,
}

/// A session that has just been ended.
pub struct EndedSession {
    /// The ID token, for `id_token_hint`.
    pub id_token: CoreIdToken,
}

// No `Debug`: it holds the ID token.
struct Session {
    person: Person,
    broker: BrokerSession,
    current: Current,
    id_token: CoreIdToken,
    csrf_token: String,
    created: SystemTime,
    last_seen: SystemTime,
    /// What the last action did, until the next page shows it.
    notice: Option<Notice>,
}

/// All sessions of this mailbox process.
pub struct SessionStore {
    idle: Duration,
    max: Duration,
    sessions: Mutex<HashMap<String, Session>>,
}

impl SessionStore {
    /// An empty store whose sessions end after `idle` without use or `max` after login.
    pub fn new(idle: Duration, max: Duration) -> Self {
        Self {
            idle,
            max,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// Starts a session under a new random id and returns the id.
    pub fn create(&self, new: NewSession, now: SystemTime) -> String {
        let id = random_token();
        let session = Session {
            person: new.person,
            broker: new.broker,
            current: new.current,
            id_token: new.id_token,
            csrf_token: random_token(),
            created: now,
            last_seen: now,
            notice: None,
        };
        let mut sessions = self.lock();
        // Forget the sessions nobody came back for, so the map does not grow forever.
        sessions.retain(|_, session| !self.is_expired(session, now));
        sessions.insert(id.clone(), session);
        id
    }

    /// The session `id` if it is still valid at `now`, marking it as used. An expired session
    /// is removed.
    pub fn touch(&self, id: &str, now: SystemTime) -> Option<LiveSession> {
        let mut sessions = self.lock();
        let session = sessions.get_mut(id)?;
        if self.is_expired(session, now) {
            sessions.remove(id);
            return None;
        }
        session.last_seen = now;
        Some(LiveSession {
            id: id.to_owned(),
            person: session.person.clone(),
            current: session.current.clone(),
            csrf_token: session.csrf_token.clone(),
        })
    }

    /// Makes the session `id` work in `current` from its next request on; false if there is
    /// no such session.
    pub fn switch(&self, id: &str, current: Current) -> bool {
        match self.lock().get_mut(id) {
            Some(session) => {
                session.current = current;
                true
            }
            None => false,
        }
    }

    /// Keeps `notice` for the next page the session `id` is shown (replacing one not shown
    /// yet); false if there is no such session.
    pub fn set_notice(&self, id: &str, notice: Notice) -> bool {
        match self.lock().get_mut(id) {
            Some(session) => {
                session.notice = Some(notice);
                true
            }
            None => false,
        }
    }

    /// Takes the notice kept for the session `id`: it is shown once.
    pub fn take_notice(&self, id: &str) -> Option<Notice> {
        self.lock().get_mut(id)?.notice.take()
    }

    /// Ends the session `id`, returning what logout at the broker needs.
    pub fn remove(&self, id: &str) -> Option<EndedSession> {
        self.lock().remove(id).map(|session| EndedSession {
            id_token: session.id_token,
        })
    }

    /// Ends every session a logout token with `sid` and `sub` names; returns how many.
    pub fn end_broker_session(&self, sid: Option<&str>, sub: Option<&str>) -> usize {
        let mut sessions = self.lock();
        let before = sessions.len();
        sessions.retain(|_, session| !session.broker.is_named_by(sid, sub));
        before - sessions.len()
    }

    /// How many sessions are stored (expired ones may linger until the next login).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no session is stored.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn is_expired(&self, session: &Session, now: SystemTime) -> bool {
        elapsed(session.last_seen, now) >= self.idle || elapsed(session.created, now) >= self.max
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Time from `then` to `now`; zero if the clock went backwards.
fn elapsed(then: SystemTime, now: SystemTime) -> Duration {
    now.duration_since(then).unwrap_or(Duration::ZERO)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use openidconnect::core::CoreIdToken;
    use std::str::FromStr;

    /// A syntactically valid but unsigned ID token; the store never verifies it.
    pub(crate) fn dummy_id_token() -> CoreIdToken {
        // {"alg":"none"}.{"iss":"http://localhost:8080","aud":"demo-mailbox","sub":"s","exp":2,"iat":1}.
        CoreIdToken::from_str(
            "eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwOi8vbG9jYWxob3N0OjgwODAiLCJhdWQiOiJkZW1vLW1haWxib3giLCJzdWIiOiJzIiwiZXhwIjoyLCJpYXQiOjF9.",
        )
        .unwrap()
    }

    pub(crate) fn new_session(name: &str) -> NewSession {
        let own_mailbox = MailboxId::random();
        NewSession {
            broker: BrokerSession {
                sub: format!("sub-{name}"),
                sid: Some(format!("sid-{name}")),
            },
            person: Person {
                name: name.to_owned(),
                cpr: None,
                business: None,
                own_mailbox: own_mailbox.clone(),
            },
            current: Current {
                mailbox: own_mailbox,
                via: Via::Own,
            },
            id_token: dummy_id_token(),
        }
    }

    fn store() -> SessionStore {
        SessionStore::new(Duration::from_secs(60), Duration::from_secs(600))
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
    }

    #[test]
    fn each_login_gets_a_new_unguessable_id() {
        let store = store();
        let a = store.create(new_session("A"), at(0));
        let b = store.create(new_session("B"), at(0));
        assert_ne!(a, b);
        assert!(a.len() >= 32, "at least 128 bits as hex");
        assert_eq!(store.touch(&a, at(1)).unwrap().person.name, "A");
    }

    #[test]
    fn switch_changes_the_current_mailbox_of_that_session_only() {
        let store = store();
        let a = store.create(new_session("A"), at(0));
        let b = store.create(new_session("B"), at(0));
        let elsewhere = Current {
            mailbox: MailboxId::random(),
            via: Via::Grant {
                id: GrantId::random(),
                version: 1,
            },
        };
        assert!(store.switch(&a, elsewhere.clone()));
        assert_eq!(store.touch(&a, at(1)).unwrap().current, elsewhere);
        assert_eq!(store.touch(&b, at(1)).unwrap().current.via, Via::Own);
        assert!(!store.switch("nobody", elsewhere));
    }

    #[test]
    fn idle_session_expires_and_is_removed() {
        let store = store();
        let id = store.create(new_session("A"), at(0));
        assert!(store.touch(&id, at(59)).is_some());
        assert!(store.touch(&id, at(59 + 60)).is_none());
        assert!(store.touch(&id, at(59 + 61)).is_none(), "stays gone");
        assert!(store.is_empty());
    }

    #[test]
    fn busy_session_still_ends_at_its_absolute_lifetime() {
        let store = store();
        let id = store.create(new_session("A"), at(0));
        for minute in 1..10 {
            assert!(
                store.touch(&id, at(minute * 59)).is_some(),
                "minute {minute}"
            );
        }
        assert!(store.touch(&id, at(600)).is_none());
    }

    #[test]
    fn a_logout_by_sid_ends_only_that_broker_session() {
        let store = store();
        let a = store.create(new_session("A"), at(0));
        let mut second = new_session("A");
        second.broker.sid = Some("sid-other".to_owned());
        let a_elsewhere = store.create(second, at(0));
        let b = store.create(new_session("B"), at(0));
        // The sid of A's session but another person's sub: not A's session.
        assert_eq!(store.end_broker_session(Some("sid-A"), Some("sub-B")), 0);
        assert_eq!(store.end_broker_session(Some("sid-A"), Some("sub-A")), 1);
        assert!(store.touch(&a, at(1)).is_none());
        assert!(store.touch(&a_elsewhere, at(1)).is_some());
        assert!(store.touch(&b, at(1)).is_some());
    }

    #[test]
    fn a_logout_by_sub_alone_ends_every_session_of_the_person() {
        let store = store();
        let a = store.create(new_session("A"), at(0));
        let mut second = new_session("A");
        second.broker.sid = None;
        let a_elsewhere = store.create(second, at(0));
        let b = store.create(new_session("B"), at(0));
        assert_eq!(store.end_broker_session(None, Some("sub-A")), 2);
        assert!(store.touch(&a, at(1)).is_none());
        assert!(store.touch(&a_elsewhere, at(1)).is_none());
        assert!(store.touch(&b, at(1)).is_some());
        assert_eq!(store.end_broker_session(None, None), 0, "names nobody");
    }

    #[test]
    fn a_notice_is_taken_once_and_only_by_its_session() {
        let store = store();
        let a = store.create(new_session("A"), at(0));
        let b = store.create(new_session("B"), at(0));
        assert!(store.set_notice(&a, Notice::LetterSent));
        assert_eq!(store.take_notice(&b), None);
        assert_eq!(store.take_notice(&a), Some(Notice::LetterSent));
        assert_eq!(store.take_notice(&a), None);
        assert!(!store.set_notice("nobody", Notice::LetterSent));
    }

    #[test]
    fn removed_session_cannot_be_used() {
        let store = store();
        let id = store.create(new_session("A"), at(0));
        assert!(store.remove(&id).is_some());
        assert!(store.touch(&id, at(1)).is_none());
        assert!(store.remove(&id).is_none());
    }
}
