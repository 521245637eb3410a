//! Letters from public authorities.

use serde::{Deserialize, Serialize};

use super::folder::FolderId;
use super::mailbox::MailboxId;
use super::sender::Authority;
use super::time::UnixTime;
use crate::random::random_token;

/// A letter's id: random, so one mailbox's ids say nothing about another's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LetterId(String);

impl LetterId {
    /// A new random id.
    pub fn random() -> Self {
        Self(random_token())
    }

    /// An id as it came in a URL or form (it may name no letter).
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the sender wrote: never changes once delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterContent {
    /// Who sent it.
    pub sender: Authority,
    /// The subject line.
    pub subject: String,
    /// The text, paragraphs separated by blank lines.
    pub body: String,
    /// Whether the sender accepts a reply to this letter.
    pub accepts_replies: bool,
    /// Attached documents (metadata only for now).
    pub attachments: Vec<Attachment>,
}

/// An attached document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The file name shown.
    pub file_name: String,
    /// Its media type, e.g. `application/pdf`.
    pub media_type: String,
    /// Its size in bytes.
    pub size_bytes: u64,
}

/// A letter in a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// Its id.
    pub id: LetterId,
    /// The mailbox it was delivered to.
    pub mailbox: MailboxId,
    /// The folder it lies in (of the same mailbox).
    pub folder: FolderId,
    /// When it arrived, by the mailbox's clock.
    pub received_at: UnixTime,
    /// Whether the person has read it.
    pub read: bool,
    /// What the sender wrote.
    pub content: LetterContent,
}

impl Letter {
    /// The body split into paragraphs, for display.
    pub fn paragraphs(&self) -> Vec<&str> {
        self.content
            .body
            .split("\n\n")
            .map(str::trim)
            .filter(|paragraph| !paragraph.is_empty())
            .collect()
    }
}
