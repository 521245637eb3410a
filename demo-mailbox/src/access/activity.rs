//! The activity log: what helpers did in a mailbox (who, what, which letter or folder, when),
//! for the owner to see. Entries are only ever added.

use serde::{Deserialize, Serialize};

use super::grant::GrantId;
use crate::post::{MailboxId, UnixTime};
use crate::random::random_token;

/// What a helper did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityAction {
    /// Opened the mailbox with the password.
    OpenedMailbox,
    /// Typed a wrong password.
    WrongPassword,
    /// Typed the last wrong password: the grant is locked.
    Locked,
    /// Read a letter.
    ReadLetter,
    /// Downloaded an attachment.
    DownloadedAttachment,
    /// Marked a letter unread.
    MarkedUnread,
    /// Moved a letter to another folder.
    MovedLetter,
    /// Deleted a letter to "Slettet".
    DeletedLetter,
    /// Restored a letter from "Slettet".
    RestoredLetter,
    /// Forwarded a letter.
    ForwardedLetter,
    /// Replied to a letter.
    Replied,
    /// Wrote a new letter.
    WroteLetter,
    /// Saved a draft.
    SavedDraft,
    /// Sent a draft.
    SentDraft,
    /// Created a folder.
    CreatedFolder,
    /// Renamed a folder.
    RenamedFolder,
    /// Deleted a folder.
    DeletedFolder,
    /// The owner changed what a helper may do, or which folders they see.
    ChangedAccess,
}

impl ActivityAction {
    /// What it says in Danish.
    pub fn danish(self) -> &'static str {
        match self {
            Self::OpenedMailbox => "Åbnede postkassen",
            Self::WrongPassword => "Forkert adgangskode",
            Self::Locked => "Adgangen blev låst efter for mange forkerte adgangskoder",
            Self::ReadLetter => "Læste brev",
            Self::DownloadedAttachment => "Hentede bilag",
            Self::MarkedUnread => "Markerede brev som ulæst",
            Self::MovedLetter => "Flyttede brev",
            Self::DeletedLetter => "Slettede brev (til Slettet)",
            Self::RestoredLetter => "Gendannede brev fra Slettet",
            Self::ForwardedLetter => "Videresendte brev",
            Self::Replied => "Svarede på brev",
            Self::WroteLetter => "Skrev nyt brev",
            Self::SavedDraft => "Gemte kladde",
            Self::SentDraft => "Sendte kladde",
            Self::CreatedFolder => "Oprettede mappe",
            Self::RenamedFolder => "Omdøbte mappe",
            Self::DeletedFolder => "Slettede mappe",
            Self::ChangedAccess => "Ændrede en adgang",
        }
    }

    /// What it says in English.
    pub fn english(self) -> &'static str {
        match self {
            Self::OpenedMailbox => "Opened the mailbox",
            Self::WrongPassword => "Wrong password",
            Self::Locked => "Access was locked after too many wrong passwords",
            Self::ReadLetter => "Read a letter",
            Self::DownloadedAttachment => "Downloaded an attachment",
            Self::MarkedUnread => "Marked a letter unread",
            Self::MovedLetter => "Moved a letter",
            Self::DeletedLetter => "Deleted a letter (to Deleted)",
            Self::RestoredLetter => "Restored a letter from Deleted",
            Self::ForwardedLetter => "Forwarded a letter",
            Self::Replied => "Replied to a letter",
            Self::WroteLetter => "Wrote a new letter",
            Self::SavedDraft => "Saved a draft",
            Self::SentDraft => "Sent a draft",
            Self::CreatedFolder => "Created a folder",
            Self::RenamedFolder => "Renamed a folder",
            Self::DeletedFolder => "Deleted a folder",
            Self::ChangedAccess => "Changed an access",
        }
    }
}

/// One line of a mailbox's activity log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// Its id.
    pub id: String,
    /// The mailbox it happened in.
    pub mailbox: MailboxId,
    /// When, by the mailbox's (injected) clock.
    pub at: UnixTime,
    /// Who: the helper's name from their own login.
    pub actor: String,
    /// Through which grant.
    pub grant: GrantId,
    /// What.
    pub action: ActivityAction,
    /// On what: the letter's subject, the folder's name, where it went (as it was then).
    pub object: Option<String>,
}

impl ActivityEntry {
    /// A new entry with a random id.
    pub fn new(
        mailbox: MailboxId,
        at: UnixTime,
        actor: impl Into<String>,
        grant: GrantId,
        action: ActivityAction,
        object: Option<String>,
    ) -> Self {
        Self {
            id: random_token(),
            mailbox,
            at,
            actor: actor.into(),
            grant,
            action,
            object,
        }
    }
}
