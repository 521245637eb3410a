//! The simulated notification outbox: what would have left the system by e-mail, SMS or
//! paper. Nothing is ever really sent; the simulator pages show this list.

use serde::{Deserialize, Serialize};

use super::time::UnixTime;
use crate::random::random_token;

/// How a message would have left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// An e-mail: a notice of new post, or a letter forwarded to an e-mail address.
    Email,
    /// An SMS notice of new post (NemSMS).
    Sms,
    /// A printed letter, for a person exempt from Digital Post.
    Paper,
}

impl Channel {
    /// The `channel` column and JSON value.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Paper => "paper",
        }
    }
}

/// One message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Its id.
    pub id: String,
    /// When it would have been sent, by the mailbox's clock.
    pub created_at: UnixTime,
    /// E-mail, SMS or paper.
    pub channel: Channel,
    /// The recipient: a mailbox address (`cpr:...`) or an e-mail address.
    pub to: String,
    /// Its subject line.
    pub subject: String,
    /// Its text.
    pub text: String,
}

impl OutboxEntry {
    /// A new entry with a random id.
    pub fn new(
        created_at: UnixTime,
        channel: Channel,
        to: impl Into<String>,
        subject: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Self {
            id: random_token(),
            created_at,
            channel,
            to: to.into(),
            subject: subject.into(),
            text: text.into(),
        }
    }
}
