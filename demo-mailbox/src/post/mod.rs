//! Digital Post: mailboxes, folders and letters, and what happens at a person's first login.
//! No HTTP in here; the routes call these types and the [`crate::store`].

mod first_mailbox;
mod folder;
mod letter;
mod mailbox;
mod owner;
mod sender;
mod time;

pub use folder::{Folder, FolderId, FolderKind, FolderName, FolderNameError, StandardFolder};
pub use letter::{Letter, LetterContent, LetterId};
pub use mailbox::{open_own_mailbox, Mailbox, MailboxId, NewMailbox};
pub use owner::{person_owner, Owner};
#[cfg(test)]
pub use sender::Authority;
pub use time::{display_time, unix_time, UnixTime};
