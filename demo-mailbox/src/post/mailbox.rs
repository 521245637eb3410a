//! Mailboxes, and a new one with its folders and first post.

use super::first_mailbox::first_letters;
use super::folder::{Folder, StandardFolder};
use super::letter::Letter;
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

/// A mailbox with its folders and first letters, stored all at once or not at all.
pub struct NewMailbox {
    /// The mailbox.
    pub mailbox: Mailbox,
    /// Its standard folders.
    pub folders: Vec<Folder>,
    /// Its first post.
    pub letters: Vec<Letter>,
}

impl NewMailbox {
    /// A new mailbox for `owner` with the four standard folders and the first post in the
    /// inbox.
    pub fn for_owner(owner: Owner, now: UnixTime) -> Self {
        let mailbox = Mailbox {
            id: MailboxId::random(),
            owner,
            created_at: now,
            exempt: false,
        };
        let folders: Vec<Folder> = StandardFolder::ALL
            .into_iter()
            .map(|which| Folder::standard(&mailbox.id, which))
            .collect();
        let letters = folders
            .iter()
            .find(|folder| folder.standard_kind() == Some(StandardFolder::Inbox))
            .map(|inbox| first_letters(&mailbox.owner, &mailbox.id, &inbox.id, now))
            .unwrap_or_default();
        Self {
            mailbox,
            folders,
            letters,
        }
    }
}
