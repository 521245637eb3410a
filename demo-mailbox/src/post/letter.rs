//! Letters from public authorities.

use serde::{Deserialize, Serialize};

use super::folder::FolderId;
use super::mailbox::MailboxId;
use super::sender::Authority;
use super::time::UnixTime;
use crate::id::id_type;

id_type! {
    /// A letter's id: random, so one mailbox's ids say nothing about another's.
    pub struct LetterId;
    /// An id as it came in a URL or form (it may name no letter).
    pub fn new;
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
    /// Attached documents.
    pub attachments: Vec<Attachment>,
    /// For a letter the person wrote (sent, or a draft): whom it is addressed to, as shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_to: Option<String>,
    /// For a letter another person forwarded here: that person's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_by: Option<String>,
    /// For a letter a helper wrote on the owner's behalf: the helper's name (Digital Post
    /// shows who helped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helped_by: Option<String>,
}

impl LetterContent {
    /// Whether the person wrote it (a letter sent, a draft, the copy of a forwarded letter),
    /// rather than received it.
    pub fn is_own(&self) -> bool {
        self.sent_to.is_some()
    }
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
    /// The document itself (base64 in the stored JSON; small PDFs only).
    #[serde(default, with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

impl Attachment {
    /// A PDF attachment holding `bytes`.
    pub fn pdf(file_name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self {
            file_name: file_name.into(),
            media_type: "application/pdf".to_owned(),
            size_bytes: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            bytes,
        }
    }
}

/// Bytes as standard base64 text inside JSON.
mod base64_bytes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
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
    /// The body split into paragraphs (at blank lines), each split into its lines, for
    /// display: a single line break is kept as one ("Hej SU" above "Jeg skriver ...").
    pub fn paragraphs(&self) -> Vec<Vec<&str>> {
        self.content
            .body
            .split("\n\n")
            .map(str::trim)
            .filter(|paragraph| !paragraph.is_empty())
            .map(|paragraph| paragraph.lines().map(str::trim_end).collect())
            .collect()
    }
}
