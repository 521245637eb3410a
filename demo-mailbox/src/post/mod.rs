//! Digital Post: mailboxes, folders and letters, and what happens at a person's first login.
//! No HTTP in here; the routes call these types and operations.
//!
//! This file re-exports the data types, which the [`crate::store`] keeps. The operations use
//! the store and are used by their path, so that the store's use of the types is no circle:
//! [`opening`] (an owner's mailbox, created the first time), [`delivery`] (post into a
//! mailbox), and, at a [`crate::access::desk::Desk`], [`handling`] (reading, moving,
//! deleting, restoring), [`writing`] (writing, replying, drafts, forwarding), [`listing`]
//! (sorting, paging, searching) and [`own_folders`]; [`upload`] checks the files attached when
//! writing.

mod compose;
pub mod delivery;
mod first_mailbox;
mod folder;
pub mod handling;
mod incoming;
mod letter;
pub mod listing;
mod mailbox;
pub mod opening;
mod outbox;
pub mod own_folders;
mod owner;
mod pdf;
mod sender;
mod submission;
mod time;
pub mod upload;
pub mod writing;

pub use compose::{ComposeError, MAX_BODY_CHARS, MAX_SUBJECT_CHARS};
pub use first_mailbox::NewMailbox;
pub use folder::{Folder, FolderId, FolderKind, FolderName, FolderNameError, StandardFolder};
pub use incoming::{IncomingAttachment, IncomingLetter};
#[cfg(test)]
pub use letter::Attachment;
pub use letter::{Letter, LetterContent, LetterId};
pub use mailbox::{Mailbox, MailboxId};
#[cfg(test)]
pub use outbox::Channel;
pub use outbox::OutboxEntry;
pub use owner::{person_owner, Owner};
#[cfg(test)]
pub use pdf::text_pdf;
pub use sender::Authority;
pub use submission::{Claim, SubmissionId};
pub use time::{display_time, unix_time, UnixTime};
