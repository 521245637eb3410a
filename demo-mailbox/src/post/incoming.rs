//! A letter handed to the simulated sender (its page or its JSON API), checked into a
//! recipient and the content to deliver.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;

use super::compose::{parse_authority, parse_body, parse_subject, ComposeError};
use super::letter::{Attachment, LetterContent};
use super::owner::Owner;
use super::pdf::text_pdf;

/// The largest attachment the simulator accepts, in bytes.
pub const MAX_ATTACHMENT_BYTES: usize = 512 * 1024;
/// The longest attachment file name, in characters.
const MAX_FILE_NAME_CHARS: usize = 100;

/// A letter as the simulated sender receives it (also the JSON body of `POST /_sim/v1/letters`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomingLetter {
    /// The recipient: a CPR number, a CVR number, or a mailbox address (`kind:key`).
    pub recipient: String,
    /// The sending authority's slug, e.g. `skattestyrelsen`.
    pub sender: String,
    /// The subject.
    pub subject: String,
    /// The text.
    pub body: String,
    /// Whether the sender accepts replies.
    #[serde(default)]
    pub accepts_replies: bool,
    /// An optional PDF attachment.
    #[serde(default)]
    pub attachment: Option<IncomingAttachment>,
}

/// An attachment handed to the simulated sender.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomingAttachment {
    /// The file name shown.
    pub file_name: String,
    /// The PDF, base64. Without it the simulator writes a one-page PDF with the subject.
    #[serde(default)]
    pub content_base64: Option<String>,
}

impl IncomingLetter {
    /// Checks every field: a known recipient form, an authority of the fixed list, subject
    /// and text within limits, and an attachment that is a small PDF.
    pub fn check(self) -> Result<(Owner, LetterContent), ComposeError> {
        let recipient = Owner::parse_address(&self.recipient).ok_or(ComposeError::BadRecipient)?;
        let sender = parse_authority(&self.sender)?;
        let subject = parse_subject(&self.subject)?;
        let body = parse_body(&self.body)?;
        let attachments = match self.attachment {
            None => Vec::new(),
            Some(attachment) => {
                let file_name = attachment.file_name.trim();
                if file_name.is_empty()
                    || file_name.chars().count() > MAX_FILE_NAME_CHARS
                    || file_name.chars().any(char::is_control)
                {
                    return Err(ComposeError::BadAttachment);
                }
                let bytes = match attachment.content_base64 {
                    Some(content) => STANDARD
                        .decode(content.trim())
                        .map_err(|_| ComposeError::BadAttachment)?,
                    None => text_pdf(
                        &subject,
                        &[
                            sender.display_name(),
                            file_name,
                            "Simuleret dokument - ikke et rigtigt brev.",
                            "Simulated document - not a real letter.",
                        ],
                    ),
                };
                if !bytes.starts_with(b"%PDF-") || bytes.len() > MAX_ATTACHMENT_BYTES {
                    return Err(ComposeError::BadAttachment);
                }
                vec![Attachment::pdf(file_name, bytes)]
            }
        };
        Ok((
            recipient,
            LetterContent {
                sender,
                subject,
                body,
                accepts_replies: self.accepts_replies,
                attachments,
                sent_to: None,
                forwarded_by: None,
                helped_by: None,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming(attachment: Option<IncomingAttachment>) -> IncomingLetter {
        IncomingLetter {
            recipient: "6101701234".to_owned(),
            sender: "su".to_owned(),
            subject: "SU".to_owned(),
            body: "Tekst".to_owned(),
            accepts_replies: true,
            attachment,
        }
    }

    #[test]
    fn a_missing_pdf_is_generated_and_a_non_pdf_is_refused() {
        let (owner, content) = incoming(Some(IncomingAttachment {
            file_name: "SU.pdf".to_owned(),
            content_base64: None,
        }))
        .check()
        .unwrap();
        assert_eq!(owner.address(), "cpr:6101701234");
        assert!(content.attachments[0].bytes.starts_with(b"%PDF-1.4"));
        let html = incoming(Some(IncomingAttachment {
            file_name: "x.pdf".to_owned(),
            content_base64: Some(STANDARD.encode("<html>")),
        }));
        assert_eq!(html.check().unwrap_err(), ComposeError::BadAttachment);
    }
}
