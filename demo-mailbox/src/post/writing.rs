//! Writing at a [`Desk`]: a new letter to an authority of the fixed list, a reply, sending a
//! saved draft, forwarding. The authority's side is not simulated: a letter written is only
//! kept in the mailbox, in "Sendt" (or "Kladder", for a draft). A helper with read and write
//! access writes on the owner's behalf: the letter shows who helped.
//!
//! Writing, replying and forwarding happen once per form submission: the form's one-time
//! [`SubmissionId`] is claimed first (see [`once`]), so the same form sent twice files one
//! letter, and the second answers with the letter the first filed.
//!
//! Forwarding sends a copy to another Digital Post recipient (into their inbox, or on paper
//! if they are exempt) or to an e-mail address (it leaves Digital Post: recorded in the
//! simulated outbox); a copy of what was sent lands in the person's own "Sendt".

use super::compose::{
    parse_authority, parse_body, parse_draft_body, parse_subject, ComposeError, ForwardTarget,
    MAX_SUBJECT_CHARS,
};
use super::delivery::{deliver, file_own_letter};
use super::folder::{Folder, StandardFolder};
use super::handling::move_and_log;
use super::letter::{Attachment, Letter, LetterContent};
use super::outbox::{Channel, OutboxEntry};
use super::sender::Authority;
use super::submission::{Claim, SubmissionId};
use super::upload::{check_uploads, Upload, MAX_UPLOADS};
use crate::access::desk::{Desk, Outcome, Refusal};
use crate::access::{ActivityAction, Capability};

/// The longest note added to a forwarded letter, in characters.
const MAX_NOTE_CHARS: usize = 2_000;

/// What kind of letter is sent or saved (for the activity log).
enum Composed {
    /// A new letter.
    New,
    /// A reply.
    Reply,
}

/// What a person typed into the form of a letter: its subject and text, the files chosen,
/// and whether to save it as a draft rather than send it.
pub struct Typed<'a> {
    /// The subject.
    pub subject: &'a str,
    /// The text.
    pub body: &'a str,
    /// Save to "Kladder" rather than send.
    pub draft: bool,
    /// The files attached (checked before anything is filed, see [`check_uploads`]).
    pub files: &'a [Upload],
}

/// Runs `send` once per form submission: without a `submission` id (a request not made from
/// the mailbox's own form) it simply runs. Otherwise the id is claimed first: the first claim
/// runs `send` (and gives the claim up again when `send` is refused, so the corrected form can
/// be sent); a later one sends nothing and answers with the letter the first filed, or
/// [`Refusal::AlreadySubmitted`] while that is not to be found.
pub fn once(
    desk: &Desk,
    submission: Option<&SubmissionId>,
    send: impl FnOnce() -> Outcome<Letter>,
) -> Outcome<Letter> {
    let Some(submission) = submission else {
        return send();
    };
    match desk
        .store
        .submissions
        .claim(desk.mailbox, submission, desk.now)?
    {
        Claim::New => {}
        Claim::Taken(Some(letter)) => {
            tracing::info!("a form sent again was not sent twice");
            return desk
                .letter(letter.as_str())
                .map_err(|_| Refusal::AlreadySubmitted);
        }
        Claim::Taken(None) => return Err(Refusal::AlreadySubmitted),
    }
    match send() {
        Ok(letter) => {
            desk.store
                .submissions
                .complete(desk.mailbox, submission, &letter.id)?;
            Ok(letter)
        }
        Err(refusal) => {
            if let Err(error) = desk.store.submissions.release(desk.mailbox, submission) {
                tracing::error!(%error, "a refused submission could not be released");
            }
            Err(refusal)
        }
    }
}

/// Writes a new letter to the authority `authority` (its slug): sent, or saved as a draft
/// when `typed.draft`; once per `submission`. The letter as filed.
pub fn write(
    desk: &Desk,
    submission: Option<&SubmissionId>,
    authority: &str,
    typed: &Typed,
) -> Outcome<Letter> {
    desk.require(Capability::Compose)?;
    let authority = parse_authority(authority).map_err(Refusal::BadLetter)?;
    let attachments = check_uploads(typed.files).map_err(Refusal::BadLetter)?;
    once(desk, submission, || {
        send_or_save(desk, Composed::New, authority, typed, attachments)
    })
}

/// Replies to letter `id`, only where its sender accepts replies: sent, or saved as a draft
/// when `typed.draft`; once per `submission`. The reply as filed.
pub fn reply(
    desk: &Desk,
    submission: Option<&SubmissionId>,
    id: &str,
    typed: &Typed,
) -> Outcome<Letter> {
    desk.require(Capability::Compose)?;
    let letter = desk.letter(id)?;
    if !letter.content.accepts_replies {
        return Err(Refusal::RepliesNotAccepted);
    }
    let attachments = check_uploads(typed.files).map_err(Refusal::BadLetter)?;
    once(desk, submission, || {
        send_or_save(
            desk,
            Composed::Reply,
            letter.content.sender,
            typed,
            attachments,
        )
    })
}

/// Checks subject and text (a draft may have none yet), then files the letter to `authority`
/// with `attachments` in "Sendt", or in "Kladder" when `draft`.
fn send_or_save(
    desk: &Desk,
    composed: Composed,
    authority: Authority,
    typed: &Typed,
    attachments: Vec<Attachment>,
) -> Outcome<Letter> {
    let draft = typed.draft;
    let content = LetterContent {
        sender: authority,
        subject: parse_subject(typed.subject).map_err(Refusal::BadLetter)?,
        body: if draft {
            parse_draft_body(typed.body)
        } else {
            parse_body(typed.body)
        }
        .map_err(Refusal::BadLetter)?,
        accepts_replies: false,
        attachments,
        sent_to: Some(authority.display_name().to_owned()),
        forwarded_by: None,
        helped_by: desk.helped_by(),
    };
    let folder = if draft {
        StandardFolder::Drafts
    } else {
        StandardFolder::Sent
    };
    let letter = file_own_letter(desk.store, desk.mailbox, folder, content, desk.now)?;
    let action = match (draft, composed) {
        (true, _) => ActivityAction::SavedDraft,
        (false, Composed::New) => ActivityAction::WroteLetter,
        (false, Composed::Reply) => ActivityAction::Replied,
    };
    desk.log(action, Some(letter.content.subject.clone()))?;
    Ok(letter)
}

/// The draft `id`: a letter the person wrote, lying in "Kladder". Any other letter of the
/// mailbox is refused, received post above all (it may lie in "Kladder" from before moving it
/// there was refused).
pub fn own_draft(desk: &Desk, id: &str) -> Outcome<Letter> {
    desk.require(Capability::Compose)?;
    let letter = desk.letter(id)?;
    let drafts = desk.standard_folder(StandardFolder::Drafts)?;
    if letter.folder != drafts.id || !letter.content.is_own() {
        return Err(Refusal::NotADraft);
    }
    Ok(letter)
}

/// Saves the draft `id` again with what was typed (to `authority`), or sends it when
/// `typed.draft` is false; once per `submission`. The draft's attachments stay, and the files
/// chosen now join them (at most [`MAX_UPLOADS`] in all). The letter is filed anew (in "Kladder" or
/// "Sendt") before the old draft is deleted, so a failure between the two leaves both rather
/// than neither. The letter as filed.
///
/// The draft is looked up once the submission is claimed: the same form sent again finds the
/// draft gone (the first one replaced it) and answers with the letter the first filed.
pub fn edit_draft(
    desk: &Desk,
    submission: Option<&SubmissionId>,
    id: &str,
    authority: &str,
    typed: &Typed,
) -> Outcome<Letter> {
    desk.require(Capability::Compose)?;
    let authority = parse_authority(authority).map_err(Refusal::BadLetter)?;
    let added = check_uploads(typed.files).map_err(Refusal::BadLetter)?;
    once(desk, submission, || {
        let draft = own_draft(desk, id)?;
        let mut attachments = draft.content.attachments.clone();
        attachments.extend(added);
        if attachments.len() > MAX_UPLOADS {
            return Err(Refusal::BadLetter(ComposeError::TooManyFiles));
        }
        let filed = send_or_save(desk, Composed::New, authority, typed, attachments)?;
        desk.store.letters.delete(desk.mailbox, &draft.id)?;
        Ok(filed)
    })
}

/// Sends the draft `id`: a letter the person wrote, lying in "Kladder", moves to "Sendt"
/// (returned). Any other letter of the mailbox is refused. A draft with no text yet is
/// refused for it ([`ComposeError::BodyEmpty`]).
pub fn send_draft(desk: &Desk, id: &str) -> Outcome<Folder> {
    let letter = own_draft(desk, id)?;
    if letter.content.body.trim().is_empty() {
        return Err(Refusal::BadLetter(ComposeError::BodyEmpty));
    }
    let sent = desk.standard_folder(StandardFolder::Sent)?;
    move_and_log(
        desk,
        &letter,
        &sent.id,
        ActivityAction::SentDraft,
        Some(letter.content.subject.clone()),
    )?;
    Ok(sent)
}

/// The note, if any: optional, but bounded like any text.
fn parse_note(note: Option<&str>) -> Result<Option<String>, ComposeError> {
    match note.map(parse_body) {
        None | Some(Err(ComposeError::BodyEmpty)) => Ok(None),
        Some(Ok(note)) if note.chars().count() > MAX_NOTE_CHARS => Err(ComposeError::NoteTooLong),
        // A note is not the letter's text: its own limit, said at its own field.
        Some(Err(ComposeError::BodyTooLong)) => Err(ComposeError::NoteTooLong),
        Some(note) => note.map(Some),
    }
}

/// Forwards letter `id` to `to` (a Digital Post recipient or an e-mail address) with an
/// optional `note`, once per `submission`. The copy filed in "Sendt".
pub fn forward(
    desk: &Desk,
    submission: Option<&SubmissionId>,
    id: &str,
    to: &str,
    note: Option<&str>,
) -> Outcome<Letter> {
    desk.require(Capability::Forward)?;
    let target = ForwardTarget::parse(to).map_err(Refusal::BadLetter)?;
    // Out of Digital Post (to an e-mail address) is sending, as writing is: read access
    // forwards only inside Digital Post. Checked before the letter, as every permission is.
    if matches!(target, ForwardTarget::Email(_)) {
        desk.require(Capability::Compose)?;
    }
    let letter = desk.letter(id)?;
    let note = parse_note(note).map_err(Refusal::BadLetter)?;
    once(desk, submission, || {
        forward_checked(desk, letter, &target, note.as_deref())
    })
}

/// Forwards `letter` to `target`, both checked.
fn forward_checked(
    desk: &Desk,
    letter: Letter,
    target: &ForwardTarget,
    note: Option<&str>,
) -> Outcome<Letter> {
    let original = letter.content;
    let subject: String = format!("Vs: {}", original.subject)
        .chars()
        .take(MAX_SUBJECT_CHARS)
        .collect();
    let body = match note {
        Some(note) => format!(
            "{note}\n\n--- Videresendt brev / Forwarded letter ---\n\n{}",
            original.body
        ),
        None => original.body.clone(),
    };
    let forwarded = LetterContent {
        subject,
        body,
        // The authority answers its addressee, not whoever the letter was forwarded to.
        accepts_replies: false,
        sent_to: None,
        forwarded_by: Some(desk.actor.to_owned()),
        helped_by: None,
        ..original
    };
    match target {
        ForwardTarget::DigitalPost(owner) => {
            deliver(desk.store, owner, forwarded.clone(), desk.now)?;
        }
        ForwardTarget::Email(address) => {
            let names: Vec<&str> = forwarded
                .attachments
                .iter()
                .map(|attachment| attachment.file_name.as_str())
                .collect();
            let text = format!(
                "{} har videresendt et brev fra {} / has forwarded a letter from {}:\n\n{}\n\nBilag / Attachments: {}",
                desk.actor,
                forwarded.sender.display_name(),
                forwarded.sender.display_name(),
                forwarded.body,
                if names.is_empty() { "-".to_owned() } else { names.join(", ") }
            );
            desk.store.outbox.record(&OutboxEntry::new(
                desk.now,
                Channel::Email,
                address,
                &forwarded.subject,
                text,
            ))?;
        }
    }
    let copy = LetterContent {
        sent_to: Some(target.describe()),
        forwarded_by: None,
        helped_by: desk.helped_by(),
        ..forwarded
    };
    let logged = format!("{} → {}", copy.subject, target.describe());
    let filed = file_own_letter(
        desk.store,
        desk.mailbox,
        StandardFolder::Sent,
        copy,
        desk.now,
    )?;
    tracing::info!("a letter was forwarded");
    desk.log(ActivityAction::ForwardedLetter, Some(logged))?;
    Ok(filed)
}
