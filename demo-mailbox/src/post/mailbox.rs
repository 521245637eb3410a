//! Mailboxes: whose, since when, and whether exempt from Digital Post.

use super::owner::Owner;
use super::time::UnixTime;
use crate::id::id_type;

id_type! {
    /// A mailbox's id: random, never derived from the owner's CPR.
    pub struct MailboxId;
    /// An id read back from the store.
    pub(crate) fn from_stored;
}

/// A Digital Post mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// Its id.
    pub id: MailboxId,
    /// Whose it is.
    pub owner: Owner,
    /// When it was created, by the mailbox's clock.
    pub created_at: UnixTime,
    /// Exempt from Digital Post (*fritaget*): post to the owner goes on paper, not here.
    pub exempt: bool,
}
