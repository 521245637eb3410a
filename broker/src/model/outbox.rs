use serde::{Deserialize, Serialize};

use crate::clock::UnixTime;

/// How a simulated message reaches the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A text message to a phone number (a temporary PIN, say).
    Sms,
    /// A letter by post (an activation letter with a code viewer's serial, say).
    Letter,
}

impl Channel {
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Letter => "letter",
        }
    }

    pub fn parse(value: &str) -> Option<Channel> {
        [Channel::Sms, Channel::Letter]
            .into_iter()
            .find(|c| c.as_str() == value)
    }
}

/// A message the simulator "sent": nothing leaves the machine; the outbox page and the control
/// API show it, which is how a person or a test reads a PIN or an activation code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: String,
    pub channel: Channel,
    /// The phone number, or the addressee's name and address.
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: UnixTime,
}
