//! The simulator's own pages: the simulated sender and the notification outbox. They are
//! tools for demonstrating the mailbox, not part of Digital Post, and say so at the top.

use askama::Template;

use crate::language::Lang;
use crate::pages::compose::{authority_options, AuthorityOption};
use crate::post::{display_time, OutboxEntry};

/// `GET /sender`: deliver a letter to a recipient's mailbox.
#[derive(Template)]
#[template(path = "sim_sender.html")]
pub struct SenderPage {
    /// The page's language.
    pub lang: Lang,
    /// The page's CSRF token (also in the `sim_sender_csrf` cookie).
    pub csrf_token: String,
    /// The authorities a letter may come from.
    pub authorities: Vec<AuthorityOption>,
    /// What became of the last letter sent.
    pub result: Option<String>,
}

impl SenderPage {
    /// The form, with the outcome of the last submission if any.
    pub fn new(lang: Lang, csrf_token: String, result: Option<String>) -> Self {
        Self {
            lang,
            csrf_token,
            authorities: authority_options(),
            result,
        }
    }
}

/// A message in the outbox, as shown.
pub struct OutboxRow {
    /// When.
    pub time: String,
    /// `email`, `sms` or `paper`.
    pub channel: &'static str,
    /// To whom.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Text.
    pub text: String,
}

/// `GET /_sim/outbox`: what would have been sent.
#[derive(Template)]
#[template(path = "sim_outbox.html")]
pub struct OutboxPage {
    /// The page's language.
    pub lang: Lang,
    /// Newest first.
    pub entries: Vec<OutboxRow>,
}

impl OutboxPage {
    /// The page listing `entries`.
    pub fn new(lang: Lang, entries: &[OutboxEntry]) -> Self {
        Self {
            lang,
            entries: entries
                .iter()
                .map(|entry| OutboxRow {
                    time: display_time(entry.created_at),
                    channel: entry.channel.slug(),
                    to: entry.to.clone(),
                    subject: entry.subject.clone(),
                    text: entry.text.clone(),
                })
                .collect(),
        }
    }
}
