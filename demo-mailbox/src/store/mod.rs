//! Storage: one trait per artefact, each stating the security rule it keeps.
//! [`SqliteStore`] implements them all (a file in the data directory, or in memory for tests);
//! `contract` holds the one test suite every implementation must pass.
//!
//! The store keeps the data types of [`crate::post`] and [`crate::access`] (as their `mod.rs`
//! re-export them) and uses none of their operations: those use the store.
//!
//! Security rule for every lookup: a folder or letter is only ever found *through its
//! mailbox*. Every method that takes an object id also takes the [`MailboxId`] the session
//! works in, and answers "not found" for an object of another mailbox, exactly as for one that
//! does not exist. Grants follow the same rule from two sides: the owner finds a grant only
//! through their mailbox, the helper only through their own CPR number.

#[cfg(test)]
mod contract;
mod sqlite;
mod sqlite_access;
mod sqlite_mailbox;
mod sqlite_outbox;
mod sqlite_submissions;

pub use sqlite::SqliteStore;

use std::path::Path;
use std::sync::Arc;

use crate::access::{
    AccessPassword, ActivityEntry, Cpr, FolderScope, Grant, GrantId, Membership, Permission,
};
use crate::post::{
    Claim, Folder, FolderId, FolderName, Letter, LetterId, Mailbox, MailboxId, NewMailbox,
    OutboxEntry, Owner, SubmissionId, UnixTime,
};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("database: {0}")]
    Db(String),
    /// A row could not be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A unique value is already taken.
    #[error("{0} already exists")]
    Conflict(String),
}

/// A store answer.
pub type StoreResult<T> = Result<T, StoreError>;

/// Mailboxes, one per owner.
pub trait MailboxStore: Send + Sync {
    /// Stores a mailbox with its folders and letters in one transaction. A second mailbox for
    /// the same owner is a [`StoreError::Conflict`] and writes nothing.
    fn create(&self, new: &NewMailbox) -> StoreResult<()>;
    /// The mailbox of `owner`.
    fn by_owner(&self, owner: &Owner) -> StoreResult<Option<Mailbox>>;
    /// The mailbox `id` (only ever called with the logged-in person's own mailbox id).
    fn get(&self, id: &MailboxId) -> StoreResult<Option<Mailbox>>;
    /// Marks the mailbox exempt from Digital Post, or not; false if there is no mailbox `id`.
    fn set_exempt(&self, id: &MailboxId, exempt: bool) -> StoreResult<bool>;
    /// True the first time this database is asked about `seed` (atomically), false ever after:
    /// what a new database starts with is added once, and stays changed or removed.
    fn first_seeding(&self, seed: &str) -> StoreResult<bool>;
}

/// The simulated notification outbox. Entries are only ever added, never changed.
pub trait OutboxStore: Send + Sync {
    /// Records a message that would have been sent.
    fn record(&self, entry: &OutboxEntry) -> StoreResult<()>;
    /// The newest `limit` messages, newest first.
    fn latest(&self, limit: usize) -> StoreResult<Vec<OutboxEntry>>;
}

/// What became of a request to delete a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderDeletion {
    /// It was deleted.
    Deleted,
    /// It holds letters, so it was kept.
    NotEmpty,
    /// A standard folder, which is never deleted.
    Standard,
    /// No such folder in this mailbox.
    NotFound,
}

/// Folders of mailboxes.
pub trait FolderStore: Send + Sync {
    /// Adds a folder. An own folder's name is unique within its mailbox
    /// ([`StoreError::Conflict`]).
    fn create(&self, folder: &Folder) -> StoreResult<()>;
    /// The folder `id` of `mailbox`.
    fn get(&self, mailbox: &MailboxId, id: &FolderId) -> StoreResult<Option<Folder>>;
    /// The folders of `mailbox`: the standard ones in their fixed order, then own ones by name.
    fn list(&self, mailbox: &MailboxId) -> StoreResult<Vec<Folder>>;
    /// Renames an own folder of `mailbox`; false if there is none with `id` (standard folders
    /// cannot be renamed). A name taken by another own folder is a conflict.
    fn rename(&self, mailbox: &MailboxId, id: &FolderId, name: &FolderName) -> StoreResult<bool>;
    /// Deletes an own folder of `mailbox`, only when no letter lies in it (checked and done in
    /// one transaction, so a letter moved in meanwhile is never lost).
    fn delete_if_empty(&self, mailbox: &MailboxId, id: &FolderId) -> StoreResult<FolderDeletion>;
}

/// Letters, each in one folder of its mailbox.
pub trait LetterStore: Send + Sync {
    /// Delivers a letter; its folder must belong to its mailbox.
    fn put(&self, letter: &Letter) -> StoreResult<()>;
    /// The letter `id` of `mailbox`.
    fn get(&self, mailbox: &MailboxId, id: &LetterId) -> StoreResult<Option<Letter>>;
    /// The letters in `folder` of `mailbox`, newest first.
    fn list(&self, mailbox: &MailboxId, folder: &FolderId) -> StoreResult<Vec<Letter>>;
    /// How many unread letters each folder of `mailbox` holds (folders with none left out).
    fn unread_counts(&self, mailbox: &MailboxId) -> StoreResult<Vec<(FolderId, usize)>>;
    /// Marks the letter read or unread; false if `mailbox` has no letter `id`.
    fn set_read(&self, mailbox: &MailboxId, id: &LetterId, read: bool) -> StoreResult<bool>;
    /// Moves the letter to `folder`. False, and nothing moves, unless both the letter and the
    /// folder belong to `mailbox`: a letter never reaches another person's folder.
    /// Moving into "Slettet" remembers the folder the letter left ([`LetterStore::deleted_from`]);
    /// moving anywhere else forgets it.
    fn move_to(&self, mailbox: &MailboxId, id: &LetterId, folder: &FolderId) -> StoreResult<bool>;
    /// For a letter of `mailbox` lying in "Slettet": the folder it was moved there from, if that
    /// was remembered (not for letters put there directly, or deleted by an older mailbox).
    fn deleted_from(&self, mailbox: &MailboxId, id: &LetterId) -> StoreResult<Option<FolderId>>;
    /// Deletes the letter for good; false if `mailbox` has no letter `id`.
    fn delete(&self, mailbox: &MailboxId, id: &LetterId) -> StoreResult<bool>;
}

/// Access for others: grants of a mailbox to other people, by CPR number.
pub trait GrantStore: Send + Sync {
    /// Stores a new grant. A second grant of the same mailbox to the same person while the
    /// first is not revoked is a [`StoreError::Conflict`].
    fn create(&self, grant: &Grant) -> StoreResult<()>;
    /// The grant `id` of `mailbox` (the owner's view), revoked or not.
    fn get(&self, mailbox: &MailboxId, id: &GrantId) -> StoreResult<Option<Grant>>;
    /// The grants of `mailbox`, newest first, revoked ones included.
    fn list(&self, mailbox: &MailboxId) -> StoreResult<Vec<Grant>>;
    /// The grant `id` given to `grantee` (the helper's view), revoked or not; `None` for a
    /// grant given to anyone else, exactly as for one that does not exist.
    fn get_for_grantee(&self, grantee: &Cpr, id: &GrantId) -> StoreResult<Option<Grant>>;
    /// The grants given to `grantee` that are not revoked, newest first.
    fn for_grantee(&self, grantee: &Cpr) -> StoreResult<Vec<Grant>>;
    /// Revokes the grant at `now`; false if `mailbox` has no such grant or it is revoked
    /// already. A revoked grant never opens anything again.
    fn revoke(&self, mailbox: &MailboxId, id: &GrantId, now: UnixTime) -> StoreResult<bool>;
    /// A new password for a grant that is not revoked: the failed attempts go back to zero
    /// (which unlocks it) and its version goes up (which ends sessions opened with the old
    /// password). False if there is no such grant.
    fn set_password(
        &self,
        mailbox: &MailboxId,
        id: &GrantId,
        password: &AccessPassword,
    ) -> StoreResult<bool>;
    /// The owner's change of what a grant that is not revoked allows and which folders it
    /// shows; the helper's next request works with it (no new password, so sessions stay).
    /// False if `mailbox` has no such grant, or it is revoked.
    fn change(
        &self,
        mailbox: &MailboxId,
        id: &GrantId,
        permission: Permission,
        folders: &FolderScope,
    ) -> StoreResult<bool>;
    /// Reserves one attempt at the grant `id` given to `grantee`, before its password is
    /// checked: atomically, the count of wrong attempts in a row goes up by one if it is below
    /// `limit`, and the count after is answered. `None` when there is no such grant that is not
    /// revoked, or it is locked (the count is at `limit`): then the password is not checked.
    /// Security rule: parallel guesses cannot pass the limit, since each is counted before it
    /// is checked; a right password clears the count ([`GrantStore::clear_failed_attempts`]).
    fn reserve_attempt(&self, grantee: &Cpr, id: &GrantId, limit: u32) -> StoreResult<Option<u32>>;
    /// A right password: the grant's failed attempts go back to zero.
    fn clear_failed_attempts(&self, grantee: &Cpr, id: &GrantId) -> StoreResult<()>;
    /// Adds `folder` to the folders of a grant of `mailbox` that lists its folders (a folder
    /// the helper created); nothing for a grant of all folders or no such grant.
    fn add_folder(&self, mailbox: &MailboxId, id: &GrantId, folder: &FolderId) -> StoreResult<()>;
}

/// The activity log. Entries are only ever added, never changed.
pub trait ActivityStore: Send + Sync {
    /// Adds an entry.
    fn record(&self, entry: &ActivityEntry) -> StoreResult<()>;
    /// The newest `limit` entries of `mailbox`, newest first.
    fn for_mailbox(&self, mailbox: &MailboxId, limit: usize) -> StoreResult<Vec<ActivityEntry>>;
}

/// Who is a member of which association.
pub trait MembershipStore: Send + Sync {
    /// Adds a membership, or changes the role of one that exists; true when it is new. The
    /// name is the association's: every membership of that CVR number takes it.
    fn add(&self, membership: &Membership) -> StoreResult<bool>;
    /// Adds `memberships` the first time a database is opened, never again: a membership
    /// removed later stays removed across restarts.
    fn seed(&self, memberships: &[Membership]) -> StoreResult<()>;
    /// Every membership, by association name, then CVR and CPR number.
    fn list(&self) -> StoreResult<Vec<Membership>>;
    /// Ends the membership of `cpr` in association `cvr`; false if there was none. The
    /// person's next request in the association's mailbox is refused.
    fn remove(&self, cpr: &Cpr, cvr: &str) -> StoreResult<bool>;
    /// The associations `cpr` is a member of, by name.
    fn of_person(&self, cpr: &Cpr) -> StoreResult<Vec<Membership>>;
    /// The membership of `cpr` in the association `cvr`, if any.
    fn get(&self, cpr: &Cpr, cvr: &str) -> StoreResult<Option<Membership>>;
}

/// The one-time ids of the forms that send letters, per mailbox.
pub trait SubmissionStore: Send + Sync {
    /// Claims submission `id` in `mailbox`. Security rule: atomically, so of any number of
    /// claims of one id (in parallel or not) exactly one is [`Claim::New`]; the others are
    /// [`Claim::Taken`] with the letter the first filed, once it is recorded.
    fn claim(&self, mailbox: &MailboxId, id: &SubmissionId, now: UnixTime) -> StoreResult<Claim>;
    /// Records the letter the submission `id` filed.
    fn complete(
        &self,
        mailbox: &MailboxId,
        id: &SubmissionId,
        letter: &LetterId,
    ) -> StoreResult<()>;
    /// Gives up the claim of a submission that filed nothing (it was refused), so the form
    /// can be corrected and sent again; a completed one stays.
    fn release(&self, mailbox: &MailboxId, id: &SubmissionId) -> StoreResult<()>;
}

/// Every store the mailbox uses.
#[derive(Clone)]
pub struct Store {
    /// Mailboxes.
    pub mailboxes: Arc<dyn MailboxStore>,
    /// Folders.
    pub folders: Arc<dyn FolderStore>,
    /// Letters.
    pub letters: Arc<dyn LetterStore>,
    /// The simulated notification outbox.
    pub outbox: Arc<dyn OutboxStore>,
    /// Grants of access for others.
    pub grants: Arc<dyn GrantStore>,
    /// The activity log.
    pub activity: Arc<dyn ActivityStore>,
    /// Association memberships.
    pub memberships: Arc<dyn MembershipStore>,
    /// One-time form submissions.
    pub submissions: Arc<dyn SubmissionStore>,
}

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "mailbox.sqlite";

impl Store {
    /// Every store backed by one SQLite database.
    pub fn from_sqlite(db: SqliteStore) -> Self {
        let db = Arc::new(db);
        Self {
            mailboxes: db.clone(),
            folders: db.clone(),
            letters: db.clone(),
            outbox: db.clone(),
            grants: db.clone(),
            activity: db.clone(),
            memberships: db.clone(),
            submissions: db,
        }
    }

    /// The database in `data_dir` (created with the directory on first start), or a private
    /// in-memory one when there is no data directory.
    pub fn open(data_dir: Option<&Path>) -> StoreResult<Self> {
        let db = match data_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|error| {
                    StoreError::Db(format!("cannot create {}: {error}", dir.display()))
                })?;
                SqliteStore::open(&dir.join(DATABASE_FILE))?
            }
            None => SqliteStore::in_memory()?,
        };
        Ok(Self::from_sqlite(db))
    }
}
