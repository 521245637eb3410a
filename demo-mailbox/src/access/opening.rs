//! Opening another person's mailbox through a grant: the helper types the password the
//! owner handed over. Wrong passwords are counted; the fifth in a row locks the grant until
//! the owner sets a new password. Each attempt is counted before the password is checked (and
//! the count cleared when it was right), so guesses sent in parallel cannot pass the limit.
//! Every attempt lands in the owner's activity log.

use super::activity::{ActivityAction, ActivityEntry};
use super::cpr::Cpr;
use super::grant::{Grant, GrantId, GrantStatus};
use super::password::MAX_FAILED_ATTEMPTS;
use crate::post::UnixTime;
use crate::store::{Store, StoreResult};

/// What came of an attempt to open a grant.
#[derive(Debug)]
pub enum Opening {
    /// The password was right: the grant as it stands now.
    Opened(Box<Grant>),
    /// The password was wrong; this many attempts are left before the grant locks.
    WrongPassword {
        /// Attempts left.
        attempts_left: u32,
    },
    /// The grant is locked (by this attempt or earlier ones); the password was not checked.
    Locked,
    /// No grant `id` to this person that is not revoked, exactly as for one that never
    /// existed.
    NotFound,
}

/// The person with CPR number `grantee`, called `actor`, tries to open grant `id` with
/// `password` at `now`. Blocking: it hashes (call it off the async runtime).
pub fn open_grant(
    store: &Store,
    grantee: &Cpr,
    actor: &str,
    id: &GrantId,
    password: &str,
    now: UnixTime,
) -> StoreResult<Opening> {
    let Some(grant) = store.grants.get_for_grantee(grantee, id)? else {
        return Ok(Opening::NotFound);
    };
    match grant.status() {
        GrantStatus::Revoked => return Ok(Opening::NotFound),
        GrantStatus::Locked => return Ok(Opening::Locked),
        GrantStatus::Active => {}
    }
    let log = |action| {
        store.activity.record(&ActivityEntry::new(
            grant.mailbox.clone(),
            now,
            actor,
            grant.id.clone(),
            action,
            None,
        ))
    };
    let Some(failed) = store
        .grants
        .reserve_attempt(grantee, id, MAX_FAILED_ATTEMPTS)?
    else {
        // Locked by attempts in parallel, or revoked, since the read.
        return Ok(match store.grants.get_for_grantee(grantee, id)? {
            Some(grant) if grant.status() == GrantStatus::Locked => Opening::Locked,
            _ => Opening::NotFound,
        });
    };
    if grant.password.verify(password) {
        store.grants.clear_failed_attempts(grantee, id)?;
        log(ActivityAction::OpenedMailbox)?;
        return Ok(Opening::Opened(Box::new(Grant {
            failed_attempts: 0,
            ..grant
        })));
    }
    if failed >= MAX_FAILED_ATTEMPTS {
        log(ActivityAction::Locked)?;
        tracing::info!("a grant was locked after too many wrong passwords");
        Ok(Opening::Locked)
    } else {
        log(ActivityAction::WrongPassword)?;
        Ok(Opening::WrongPassword {
            attempts_left: MAX_FAILED_ATTEMPTS - failed,
        })
    }
}
