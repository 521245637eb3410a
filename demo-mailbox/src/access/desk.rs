//! A person at work in a mailbox: the [`Desk`] every operation on a mailbox's letters and
//! folders starts from, and [`Refusal`], why one did not happen.
//!
//! Every lookup goes through the desk's mailbox and the folders its access shows: anything
//! else is [`Refusal::NotFound`], whether it exists elsewhere (or in a folder a helper was not
//! given) or not at all. What the access does not allow is [`Refusal::NotPermitted`], decided
//! before any object is looked up, so neither refusal reveals anything about the object.
//!
//! Not re-exported by [`crate::access`]: it uses the store, and the store uses the access
//! types (see the crate docs).

use super::activity::{ActivityAction, ActivityEntry};
use super::capability::{Access, Capability};
use crate::language::Lang;
use crate::post::{
    ComposeError, Folder, FolderId, FolderNameError, Letter, LetterId, MailboxId, StandardFolder,
    UnixTime,
};
use crate::store::{Store, StoreError};

/// Why an operation in a mailbox did not happen. The routes show each as a page
/// ([`crate::problem::Problem`]).
#[derive(Debug)]
pub enum Refusal {
    /// No such letter or folder in the mailbox, or not in a folder the access shows.
    NotFound,
    /// The access does not allow this.
    NotPermitted,
    /// An own folder's new name was refused.
    BadFolderName(FolderNameError),
    /// Another own folder already has that name.
    FolderNameTaken,
    /// A folder with letters in it cannot be deleted.
    FolderNotEmpty,
    /// Standard folders cannot be renamed or deleted.
    StandardFolder,
    /// Only a letter in "Slettet" can be deleted for good.
    NotInDeleted,
    /// A letter's fields were refused.
    BadLetter(ComposeError),
    /// The sender of the letter does not accept replies.
    RepliesNotAccepted,
    /// Only a letter the person wrote, lying in "Kladder", can be sent as a draft.
    NotADraft,
    /// Received post cannot go into "Sendt" or "Kladder".
    ReceivedPostNotMovable,
    /// The form was sent before, and what it sent is being sent or no longer to be found.
    AlreadySubmitted,
    /// A grant to this person exists already.
    GrantExists,
    /// A grant of chosen folders named none of the mailbox's folders.
    NoFoldersChosen,
    /// The store failed.
    Storage(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        Self::Storage(error)
    }
}

/// What an operation in a mailbox answers.
pub type Outcome<T> = Result<T, Refusal>;

/// A person at work in a mailbox: where, with what access, as whom, and when.
pub struct Desk<'a> {
    /// Where everything is kept.
    pub store: &'a Store,
    /// The mailbox; every object id is checked against it.
    pub mailbox: &'a MailboxId,
    /// What the person may do in it.
    pub access: &'a Access,
    /// The person's name from their own login, as the activity log shows who acted.
    pub actor: &'a str,
    /// The language the person works in (a folder named in the activity log is named in it).
    pub lang: Lang,
    /// Now, by the mailbox's clock.
    pub now: UnixTime,
}

impl Desk<'_> {
    /// Refuses unless the access allows `capability`.
    pub fn require(&self, capability: Capability) -> Outcome<()> {
        if self.access.allows(capability) {
            Ok(())
        } else {
            Err(Refusal::NotPermitted)
        }
    }

    /// Letter `id` of the mailbox, lying in a folder the access shows.
    pub fn letter(&self, id: &str) -> Outcome<Letter> {
        self.store
            .letters
            .get(self.mailbox, &LetterId::new(id))?
            .filter(|letter| self.access.sees_folder(&letter.folder))
            .ok_or(Refusal::NotFound)
    }

    /// Folder `id` of the mailbox, if the access shows it.
    pub fn folder(&self, id: &str) -> Outcome<Folder> {
        let id = FolderId::new(id);
        if !self.access.sees_folder(&id) {
            return Err(Refusal::NotFound);
        }
        self.store
            .folders
            .get(self.mailbox, &id)?
            .ok_or(Refusal::NotFound)
    }

    /// The folders of the mailbox that the access shows, in display order.
    pub fn folders(&self) -> Outcome<Vec<Folder>> {
        Ok(self
            .store
            .folders
            .list(self.mailbox)?
            .into_iter()
            .filter(|folder| self.access.sees_folder(&folder.id))
            .collect())
    }

    /// The mailbox's standard folder `which`, shown or not (where letters go when sent, saved
    /// or deleted; the access decides whether the person may then open it).
    pub fn standard_folder(&self, which: StandardFolder) -> Outcome<Folder> {
        self.store
            .folders
            .list(self.mailbox)?
            .into_iter()
            .find(|folder| folder.standard_kind() == Some(which))
            .ok_or(Refusal::NotFound)
    }

    /// How many unread letters each folder the access shows holds (folders with none left
    /// out).
    pub fn unread_counts(&self) -> Outcome<Vec<(FolderId, usize)>> {
        Ok(self
            .store
            .letters
            .unread_counts(self.mailbox)?
            .into_iter()
            .filter(|(folder, _)| self.access.sees_folder(folder))
            .collect())
    }

    /// The mailbox's address (`cpr:...`, `cvr:...`), empty if the mailbox is gone.
    pub fn address(&self) -> Outcome<String> {
        Ok(self
            .store
            .mailboxes
            .get(self.mailbox)?
            .map(|mailbox| mailbox.owner.address())
            .unwrap_or_default())
    }

    /// Whether the mailbox's owner is exempt from Digital Post.
    pub fn exempt(&self) -> Outcome<bool> {
        Ok(self
            .store
            .mailboxes
            .get(self.mailbox)?
            .is_some_and(|mailbox| mailbox.exempt))
    }

    /// The letters in `folder` (found through this desk), newest first.
    pub fn letters_in(&self, folder: &Folder) -> Outcome<Vec<Letter>> {
        Ok(self.store.letters.list(self.mailbox, &folder.id)?)
    }

    /// The newest `limit` entries of the mailbox's activity log, for whoever may see it.
    pub fn activity(&self, limit: usize) -> Outcome<Vec<ActivityEntry>> {
        self.require(Capability::SeeActivity)?;
        Ok(self.store.activity.for_mailbox(self.mailbox, limit)?)
    }

    /// For a letter a helper writes or files on the owner's behalf: the helper's name.
    pub fn helped_by(&self) -> Option<String> {
        self.access.helper().map(|_| self.actor.to_owned())
    }

    /// Adds what a helper just did to the mailbox's activity log. The owner's (and a
    /// business's or association's) own doings are not logged.
    pub fn log(&self, action: ActivityAction, object: Option<String>) -> Outcome<()> {
        let Some(helper) = self.access.helper() else {
            return Ok(());
        };
        self.store.activity.record(&ActivityEntry::new(
            self.mailbox.clone(),
            self.now,
            self.actor,
            helper.grant.clone(),
            action,
            object,
        ))?;
        Ok(())
    }
}
