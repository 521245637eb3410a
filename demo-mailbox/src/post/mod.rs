//! Digital Post: mailboxes, folders and letters, and what happens at a person's first login.
//! No HTTP in here; the routes call these types and the [`crate::store`].

mod compose;
mod delivery;
mod first_mailbox;
mod folder;
mod incoming;
mod letter;
mod mailbox;
mod outbox;
mod owner;
mod pdf;
mod sender;
mod time;

pub use compose::{
    parse_authority, parse_body, parse_subject, ComposeError, ForwardTarget, MAX_BODY_CHARS,
    MAX_SUBJECT_CHARS,
};
pub use delivery::{deliver, file_own_letter, mark_exempt, Delivery};
pub use folder::{Folder, FolderId, FolderKind, FolderName, FolderNameError, StandardFolder};
pub use incoming::{IncomingAttachment, IncomingLetter};
#[cfg(test)]
pub use letter::Attachment;
pub use letter::{Letter, LetterContent, LetterId};
pub use mailbox::{open_own_mailbox, Mailbox, MailboxId, NewMailbox};
pub use outbox::{Channel, OutboxEntry};
pub use owner::{person_owner, Owner};
#[cfg(test)]
pub use pdf::text_pdf;
pub use sender::Authority;
pub use time::{display_time, unix_time, UnixTime};
