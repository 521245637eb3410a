//! Folders: the four standard ones every mailbox has, and the person's own.

use serde::{Deserialize, Serialize};

use super::mailbox::MailboxId;
use crate::id::id_type;
use crate::language::Lang;

id_type! {
    /// A folder's id: random, so one mailbox's ids say nothing about another's.
    pub struct FolderId;
    /// An id as it came in a URL or form (it may name no folder).
    pub fn new;
}

/// The folders every mailbox has, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StandardFolder {
    /// New post arrives here.
    Inbox,
    /// Letters the person sent.
    Sent,
    /// Letters being written.
    Drafts,
    /// Deleted letters, until deleted for good.
    Deleted,
}

impl StandardFolder {
    /// All of them, in display order.
    pub const ALL: [StandardFolder; 4] = [Self::Inbox, Self::Sent, Self::Drafts, Self::Deleted];

    /// The `kind` column.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Inbox => "inbox",
            Self::Sent => "sent",
            Self::Drafts => "drafts",
            Self::Deleted => "deleted",
        }
    }

    /// The standard folder stored as `slug`.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|folder| folder.slug() == slug)
    }

    /// The Danish name.
    pub fn danish_name(self) -> &'static str {
        match self {
            Self::Inbox => "Indbakke",
            Self::Sent => "Sendt",
            Self::Drafts => "Kladder",
            Self::Deleted => "Slettet",
        }
    }

    /// Whether only letters the person wrote belong here ("Sendt" and "Kladder"): received
    /// post is never moved in, so it can never be sent as a draft or look sent.
    pub fn holds_only_own_letters(self) -> bool {
        matches!(self, Self::Sent | Self::Drafts)
    }

    /// The English name.
    pub fn english_name(self) -> &'static str {
        match self {
            Self::Inbox => "Inbox",
            Self::Sent => "Sent",
            Self::Drafts => "Drafts",
            Self::Deleted => "Deleted",
        }
    }
}

/// What a folder is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderKind {
    /// One of the four every mailbox has; cannot be renamed or deleted.
    Standard(StandardFolder),
    /// One the person made.
    Own(FolderName),
}

/// A folder of a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// Its id.
    pub id: FolderId,
    /// The mailbox it belongs to.
    pub mailbox: MailboxId,
    /// Standard or the person's own.
    pub kind: FolderKind,
}

impl Folder {
    /// A new standard folder of `mailbox`.
    pub fn standard(mailbox: &MailboxId, which: StandardFolder) -> Self {
        Self {
            id: FolderId::random(),
            mailbox: mailbox.clone(),
            kind: FolderKind::Standard(which),
        }
    }

    /// A new folder of the person's own.
    pub fn own(mailbox: &MailboxId, name: FolderName) -> Self {
        Self {
            id: FolderId::random(),
            mailbox: mailbox.clone(),
            kind: FolderKind::Own(name),
        }
    }

    /// The name shown (Danish for standard folders).
    pub fn display_name(&self) -> &str {
        match &self.kind {
            FolderKind::Standard(which) => which.danish_name(),
            FolderKind::Own(name) => name.as_str(),
        }
    }

    /// The name shown in `lang` (an own folder has only the name the person gave it).
    pub fn name_in(&self, lang: Lang) -> String {
        match &self.kind {
            FolderKind::Standard(which) => {
                lang.t(which.danish_name(), which.english_name()).to_owned()
            }
            FolderKind::Own(name) => name.as_str().to_owned(),
        }
    }

    /// Which standard folder this is, if any.
    pub fn standard_kind(&self) -> Option<StandardFolder> {
        match &self.kind {
            FolderKind::Standard(which) => Some(*which),
            FolderKind::Own(_) => None,
        }
    }

    /// Whether the person may rename or delete it.
    pub fn is_own(&self) -> bool {
        matches!(self.kind, FolderKind::Own(_))
    }
}

/// The longest own folder name, in characters.
pub const MAX_FOLDER_NAME_CHARS: usize = 60;

/// The name of an own folder: trimmed, 1 to 60 characters, no control characters, and not
/// the name of a standard folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderName(String);

/// Why a folder name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FolderNameError {
    /// Empty after trimming.
    #[error("the folder name is empty")]
    Empty,
    /// Over [`MAX_FOLDER_NAME_CHARS`].
    #[error("the folder name is too long")]
    TooLong,
    /// Holds a control character (a line break, a tab, ...).
    #[error("the folder name holds a control character")]
    ControlCharacter,
    /// The name of a standard folder.
    #[error("the folder name is taken by a standard folder")]
    Reserved,
}

impl FolderName {
    /// Parses a name the person typed.
    pub fn parse(name: &str) -> Result<Self, FolderNameError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(FolderNameError::Empty);
        }
        if name.chars().count() > MAX_FOLDER_NAME_CHARS {
            return Err(FolderNameError::TooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(FolderNameError::ControlCharacter);
        }
        let reserved = StandardFolder::ALL.iter().any(|folder| {
            name.eq_ignore_ascii_case(folder.danish_name())
                || name.eq_ignore_ascii_case(folder.english_name())
        });
        if reserved {
            return Err(FolderNameError::Reserved);
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_are_trimmed_and_checked() {
        assert_eq!(FolderName::parse("  Skat  ").unwrap().as_str(), "Skat");
        assert_eq!(FolderName::parse(" "), Err(FolderNameError::Empty));
        assert_eq!(
            FolderName::parse(&"x".repeat(61)),
            Err(FolderNameError::TooLong)
        );
        assert!(FolderName::parse(&"æ".repeat(60)).is_ok());
        assert_eq!(
            FolderName::parse("a\nb"),
            Err(FolderNameError::ControlCharacter)
        );
        assert_eq!(
            FolderName::parse("indbakke"),
            Err(FolderNameError::Reserved)
        );
    }

    #[test]
    fn standard_folders_round_trip_their_slug() {
        for folder in StandardFolder::ALL {
            assert_eq!(StandardFolder::from_slug(folder.slug()), Some(folder));
        }
        assert_eq!(StandardFolder::from_slug("own"), None);
    }
}
