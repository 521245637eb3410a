//! What a person types when writing, replying and forwarding, checked before anything is
//! stored or sent: required fields, length limits, no control characters in one-line fields.

use super::owner::Owner;
use super::sender::Authority;
use crate::access::{Cpr, CprError};

/// The longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// The longest letter text, in characters.
pub const MAX_BODY_CHARS: usize = 20_000;
/// The longest e-mail address (RFC 5321 §4.5.3.1.3 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// Why a letter's fields were refused. Each says what to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// No subject.
    #[error("the subject is empty")]
    SubjectEmpty,
    /// Over [`MAX_SUBJECT_CHARS`].
    #[error("the subject is too long")]
    SubjectTooLong,
    /// A line break or other control character in the subject.
    #[error("the subject holds a control character")]
    SubjectControl,
    /// No text.
    #[error("the text is empty")]
    BodyEmpty,
    /// Over [`MAX_BODY_CHARS`].
    #[error("the text is too long")]
    BodyTooLong,
    /// A forwarded letter's note over its limit (2,000 characters).
    #[error("the note is too long")]
    NoteTooLong,
    /// Not an authority of the fixed list.
    #[error("unknown authority")]
    UnknownAuthority,
    /// Neither a Digital Post address nor an e-mail address.
    #[error("the recipient is not a CPR number, mailbox address or e-mail address")]
    BadRecipient,
    /// Ten digits as a CPR number has, but the first six are no date of birth.
    #[error("the recipient's CPR number holds no date of birth")]
    RecipientCprNotADate,
    /// An attachment that is not a small PDF.
    #[error("the attachment is not a PDF of at most 512 kB")]
    BadAttachment,
    /// More files than a letter may carry.
    #[error("too many files")]
    TooManyFiles,
    /// A file over the size limit.
    #[error("a file is too large")]
    FileTooLarge,
    /// An empty file.
    #[error("a file is empty")]
    FileEmpty,
    /// A file that is not a PDF, PNG, JPEG or plain text (by its bytes), or whose name says
    /// otherwise.
    #[error("a file is of a kind not allowed")]
    FileTypeNotAllowed,
}

impl ComposeError {
    /// The form field it is about: `subject`, `body`, `authority`, `to`, `note` or `files`.
    pub fn field(self) -> &'static str {
        match self {
            Self::SubjectEmpty | Self::SubjectTooLong | Self::SubjectControl => "subject",
            Self::BodyEmpty | Self::BodyTooLong | Self::BadAttachment => "body",
            Self::NoteTooLong => "note",
            Self::UnknownAuthority => "authority",
            Self::BadRecipient | Self::RecipientCprNotADate => "to",
            Self::TooManyFiles
            | Self::FileTooLarge
            | Self::FileEmpty
            | Self::FileTypeNotAllowed => "files",
        }
    }
}

/// A checked subject line. A tab (pasted from a table, say) becomes a space; a line break or
/// other control character is refused.
pub fn parse_subject(text: &str) -> Result<String, ComposeError> {
    let text = text.replace('\t', " ");
    let text = text.trim();
    if text.is_empty() {
        return Err(ComposeError::SubjectEmpty);
    }
    if text.chars().count() > MAX_SUBJECT_CHARS {
        return Err(ComposeError::SubjectTooLong);
    }
    if text.chars().any(char::is_control) {
        return Err(ComposeError::SubjectControl);
    }
    Ok(text.to_owned())
}

/// A checked letter text, with line breaks normalised to `\n`.
pub fn parse_body(text: &str) -> Result<String, ComposeError> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(ComposeError::BodyEmpty);
    }
    if text.chars().count() > MAX_BODY_CHARS {
        return Err(ComposeError::BodyTooLong);
    }
    Ok(text.to_owned())
}

/// A draft's text: as [`parse_body`], but it may be empty (it is needed when the draft is
/// sent).
pub fn parse_draft_body(text: &str) -> Result<String, ComposeError> {
    match parse_body(text) {
        Err(ComposeError::BodyEmpty) => Ok(String::new()),
        other => other,
    }
}

/// An authority from the fixed list, by its slug.
pub fn parse_authority(slug: &str) -> Result<Authority, ComposeError> {
    Authority::from_slug(slug).ok_or(ComposeError::UnknownAuthority)
}

/// Where a letter is forwarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardTarget {
    /// Another Digital Post mailbox.
    DigitalPost(Owner),
    /// An e-mail address (the letter leaves Digital Post: it goes to the outbox).
    Email(String),
}

impl ForwardTarget {
    /// As typed: an e-mail address if it holds `@`, else a mailbox address or CPR number.
    pub fn parse(text: &str) -> Result<Self, ComposeError> {
        let text = text.trim();
        if text.contains('@') {
            return parse_email(text).map(Self::Email);
        }
        Owner::parse_address(text)
            .map(Self::DigitalPost)
            .ok_or_else(|| recipient_error(text))
    }

    /// Shown as the recipient of the copy in "Sendt".
    pub fn describe(&self) -> String {
        match self {
            Self::DigitalPost(owner) => format!("Digital Post: {}", owner.address()),
            Self::Email(address) => format!("e-mail: {address}"),
        }
    }
}

/// Why `text` names no recipient: a CPR number whose date is impossible is told apart, so the
/// person checks the date rather than the form of the number.
fn recipient_error(text: &str) -> ComposeError {
    let number = text
        .split_once(':')
        .filter(|(kind, _)| kind.trim().eq_ignore_ascii_case("cpr"))
        .map_or(text, |(_, number)| number);
    match Cpr::parse(number) {
        Err(CprError::ImpossibleDate) => ComposeError::RecipientCprNotADate,
        _ => ComposeError::BadRecipient,
    }
}

/// A plausible e-mail address: one `@`, a non-empty local part, a dotted domain, no spaces.
fn parse_email(text: &str) -> Result<String, ComposeError> {
    let (local, domain) = text.split_once('@').ok_or(ComposeError::BadRecipient)?;
    let plausible = !local.is_empty()
        && text.chars().count() <= MAX_EMAIL_CHARS
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && text
            .chars()
            .all(|c| c.is_ascii_graphic() && !"<>\"(),;[]\\".contains(c));
    if plausible {
        Ok(text.to_owned())
    } else {
        Err(ComposeError::BadRecipient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_and_body_are_required_and_bounded() {
        assert_eq!(parse_subject("  Hej "), Ok("Hej".to_owned()));
        assert_eq!(parse_subject(" "), Err(ComposeError::SubjectEmpty));
        assert_eq!(
            parse_subject(&"x".repeat(201)),
            Err(ComposeError::SubjectTooLong)
        );
        assert_eq!(parse_subject("a\nb"), Err(ComposeError::SubjectControl));
        assert_eq!(parse_subject("Sag\t42 "), Ok("Sag 42".to_owned()));
        assert_eq!(parse_body("a\r\n\r\nb"), Ok("a\n\nb".to_owned()));
        assert_eq!(parse_body("\n"), Err(ComposeError::BodyEmpty));
        assert_eq!(parse_draft_body(" \n"), Ok(String::new()));
        assert_eq!(
            parse_draft_body(&"x".repeat(20_001)),
            Err(ComposeError::BodyTooLong)
        );
        assert_eq!(
            parse_body(&"x".repeat(20_001)),
            Err(ComposeError::BodyTooLong)
        );
    }

    #[test]
    fn forward_targets_are_mailboxes_or_email_addresses() {
        assert_eq!(
            ForwardTarget::parse("6101701234"),
            Ok(ForwardTarget::DigitalPost(Owner::PersonByCpr(
                "6101701234".to_owned()
            )))
        );
        assert_eq!(
            ForwardTarget::parse(" anna@example.test "),
            Ok(ForwardTarget::Email("anna@example.test".to_owned()))
        );
        for impossible in ["320190-1234", "cpr:0113901234", "0000000000"] {
            assert_eq!(
                ForwardTarget::parse(impossible),
                Err(ComposeError::RecipientCprNotADate),
                "{impossible}"
            );
        }
        for bad in ["anna@", "@x.dk", "a@b", "a b@x.dk", "a@x.dk\"<", "hej", ""] {
            assert_eq!(
                ForwardTarget::parse(bad),
                Err(ComposeError::BadRecipient),
                "{bad}"
            );
        }
    }
}
