//! The pages for writing: a new letter to an authority, a reply, a forward. Askama escapes
//! every value, so a subject with HTML in it shows as text in the forms too.

use askama::Template;

use crate::language::Lang;
use crate::pages::post::Chrome;
use crate::pages::FormError;
use crate::paths::{forward_path, letter_path, reply_path, WRITE};
use crate::post::upload::{MAX_UPLOADS, MAX_UPLOAD_BYTES};
use crate::post::{Authority, Letter, SubmissionId, MAX_BODY_CHARS, MAX_SUBJECT_CHARS};

/// The file input of the write and reply forms: what it accepts, and what became of files
/// sent with a form that was refused.
pub struct FileInput {
    /// The most files.
    pub max_files: usize,
    /// The largest file, in MB.
    pub max_mb: usize,
    /// The `accept` attribute (a hint to the browser; the server reads the bytes).
    pub accept: &'static str,
    /// Whether the form came back after files were chosen: a browser cannot refill a file
    /// input, so the page says to choose them again.
    pub dropped: bool,
    /// The names of the files a draft being edited carries already (they stay).
    pub kept: Vec<String>,
}

impl FileInput {
    /// The input of a new form.
    pub fn new() -> Self {
        Self {
            max_files: MAX_UPLOADS,
            max_mb: MAX_UPLOAD_BYTES / (1024 * 1024),
            accept: ".pdf,.png,.jpg,.jpeg,.txt,application/pdf,image/png,image/jpeg,text/plain",
            dropped: false,
            kept: Vec::new(),
        }
    }
}

impl Default for FileInput {
    fn default() -> Self {
        Self::new()
    }
}

/// An authority in the "to" list.
pub struct AuthorityOption {
    /// Its slug (the form value).
    pub slug: &'static str,
    /// Its name.
    pub name: &'static str,
}

/// Every authority of the fixed list, for a `<select>`.
pub fn authority_options() -> Vec<AuthorityOption> {
    Authority::ALL
        .into_iter()
        .map(|authority| AuthorityOption {
            slug: authority.slug(),
            name: authority.display_name(),
        })
        .collect()
}

/// What the write form holds: nothing yet, what was typed (when refused), or a draft's fields.
#[derive(Debug, Clone, Default)]
pub struct WriteFields {
    /// The authority's slug.
    pub authority: String,
    /// The subject.
    pub subject: String,
    /// The text.
    pub body: String,
}

/// `GET /write`: a new letter to an authority (or a draft being edited).
#[derive(Template)]
#[template(path = "write.html")]
pub struct WritePage<'a> {
    /// The page's language.
    pub lang: Lang,
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// Where the form posts.
    pub action: String,
    /// Whether it edits a saved draft (the heading says so).
    pub editing_draft: bool,
    /// The authorities one may write to.
    pub authorities: Vec<AuthorityOption>,
    /// Longest subject.
    pub max_subject: usize,
    /// Longest text.
    pub max_body: usize,
    /// The form's one-time submission id.
    pub submission: SubmissionId,
    /// The fields as filled in.
    pub fields: WriteFields,
    /// The file input.
    pub files: FileInput,
    /// What was refused, next to its field.
    pub error: FormError,
}

impl<'a> WritePage<'a> {
    /// The empty form, with the one-time id `submission`.
    pub fn new(chrome: Chrome<'a>, submission: SubmissionId) -> Self {
        Self::filled(
            chrome,
            submission,
            WriteFields::default(),
            FormError::none(),
        )
    }

    /// The form holding `fields`, with `error` next to the field refused.
    pub fn filled(
        chrome: Chrome<'a>,
        submission: SubmissionId,
        fields: WriteFields,
        error: FormError,
    ) -> Self {
        Self {
            submission,
            lang: chrome.lang,
            chrome,
            action: WRITE.to_owned(),
            editing_draft: false,
            authorities: authority_options(),
            max_subject: MAX_SUBJECT_CHARS,
            max_body: MAX_BODY_CHARS,
            fields,
            files: FileInput::new(),
            error,
        }
    }
}

/// The letter a reply or forward form is about, as its page shows it.
pub struct AboutLetter<'a> {
    /// Who sent it.
    pub sender: &'static str,
    /// Its subject.
    pub subject: &'a str,
    /// Back to the letter.
    pub back_href: String,
}

impl<'a> AboutLetter<'a> {
    /// How `letter` is shown.
    pub fn new(letter: &'a Letter) -> Self {
        Self {
            sender: letter.content.sender.display_name(),
            subject: &letter.content.subject,
            back_href: letter_path(&letter.id),
        }
    }
}

/// `GET /letters/{id}/reply`: the reply form, or why there is none.
#[derive(Template)]
#[template(path = "reply.html")]
pub struct ReplyPage<'a> {
    /// The page's language.
    pub lang: Lang,
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// The letter answered (its sender gets the reply).
    pub letter: AboutLetter<'a>,
    /// The proposed subject of the reply.
    pub reply_subject: String,
    /// Whether the sender accepts replies (otherwise the page says so, with no form).
    pub accepts_replies: bool,
    /// Where the form posts.
    pub action: String,
    /// Write a new letter instead.
    pub write_href: &'static str,
    /// Longest subject.
    pub max_subject: usize,
    /// Longest text.
    pub max_body: usize,
    /// The form's one-time submission id.
    pub submission: SubmissionId,
    /// The text as typed (empty in a new form).
    pub body: String,
    /// The file input.
    pub files: FileInput,
    /// What was refused, next to its field.
    pub error: FormError,
}

impl<'a> ReplyPage<'a> {
    /// The reply page for `letter`, with the one-time id `submission`.
    pub fn new(chrome: Chrome<'a>, letter: &'a Letter, submission: SubmissionId) -> Self {
        let subject = reply_subject(&letter.content.subject);
        Self::filled(
            chrome,
            letter,
            submission,
            subject,
            String::new(),
            FormError::none(),
        )
    }

    /// The reply form for `letter` holding `subject` and `body` as typed, with `error` next to
    /// the field refused.
    pub fn filled(
        chrome: Chrome<'a>,
        letter: &'a Letter,
        submission: SubmissionId,
        subject: String,
        body: String,
        error: FormError,
    ) -> Self {
        Self {
            submission,
            lang: chrome.lang,
            chrome,
            letter: AboutLetter::new(letter),
            reply_subject: subject,
            body,
            files: FileInput::new(),
            error,
            accepts_replies: letter.content.accepts_replies,
            action: reply_path(&letter.id),
            write_href: WRITE,
            max_subject: MAX_SUBJECT_CHARS,
            max_body: MAX_BODY_CHARS,
        }
    }
}

/// `Sv: {subject}`, cut to the longest subject allowed.
pub fn reply_subject(subject: &str) -> String {
    format!("Sv: {subject}")
        .chars()
        .take(MAX_SUBJECT_CHARS)
        .collect()
}

/// `GET /letters/{id}/forward`: whom to forward to.
#[derive(Template)]
#[template(path = "forward.html")]
pub struct ForwardPage<'a> {
    /// The page's language.
    pub lang: Lang,
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// The letter forwarded.
    pub letter: AboutLetter<'a>,
    /// Where the form posts.
    pub action: String,
    /// The form's one-time submission id.
    pub submission: SubmissionId,
    /// The recipient as typed (empty in a new form).
    pub to: String,
    /// The note as typed.
    pub note: String,
    /// What was refused, next to its field.
    pub error: FormError,
}

impl<'a> ForwardPage<'a> {
    /// The forward page for `letter`, with the one-time id `submission`.
    pub fn new(chrome: Chrome<'a>, letter: &'a Letter, submission: SubmissionId) -> Self {
        Self::filled(
            chrome,
            letter,
            submission,
            String::new(),
            String::new(),
            FormError::none(),
        )
    }

    /// The forward form for `letter` holding `to` and `note` as typed, with `error` next to
    /// the field refused.
    pub fn filled(
        chrome: Chrome<'a>,
        letter: &'a Letter,
        submission: SubmissionId,
        to: String,
        note: String,
        error: FormError,
    ) -> Self {
        Self {
            submission,
            lang: chrome.lang,
            chrome,
            letter: AboutLetter::new(letter),
            action: forward_path(&letter.id),
            to,
            note,
            error,
        }
    }
}
