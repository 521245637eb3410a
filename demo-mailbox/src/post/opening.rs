//! Opening an owner's mailbox: at login, when switching to a business's or association's, and
//! when post is delivered. A mailbox is created, with its folders and first post, the first
//! time: in Digital Post everyone with a CPR number has one.

use super::first_mailbox::NewMailbox;
use super::mailbox::Mailbox;
use super::owner::Owner;
use super::time::UnixTime;
use crate::store::{Store, StoreError, StoreResult};

/// The mailbox of `owner`, created with its first post if this is the first login (or the
/// first letter sent to the owner: in Digital Post everyone with a CPR has a mailbox).
pub fn open_own_mailbox(store: &Store, owner: Owner, now: UnixTime) -> StoreResult<Mailbox> {
    if let Some(mailbox) = store.mailboxes.by_owner(&owner)? {
        return Ok(mailbox);
    }
    let new = NewMailbox::for_owner(owner.clone(), now);
    match store.mailboxes.create(&new) {
        Ok(()) => {
            tracing::info!(kind = owner.kind(), "created a mailbox at first login");
            Ok(new.mailbox)
        }
        // Two first logins at once: the other one created it.
        Err(StoreError::Conflict(_)) => store
            .mailboxes
            .by_owner(&owner)?
            .ok_or_else(|| StoreError::Db("the mailbox vanished after a conflict".to_owned())),
        Err(error) => Err(error),
    }
}
