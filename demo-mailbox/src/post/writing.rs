//! Writing at a [`Desk`]: a new letter to an authority of the fixed list, a reply, sending a
//! saved draft, forwarding. The authority's side is not simulated: a letter written is only
//! kept in the mailbox, in "Sendt" (or "Kladder", for a draft). A helper with read and write
//! access writes on the owner's behalf: the letter shows who helped.
//!
//! Forwarding sends a copy to another Digital Post recipient (into their inbox, or on paper
//! if they are exempt) or to an e-mail address (it leaves Digital Post: recorded in the
//! simulated outbox); a copy of what was sent lands in the person's own "Sendt".

use super::compose::{
    parse_authority, parse_body, parse_subject, ComposeError, ForwardTarget, MAX_SUBJECT_CHARS,
};
use super::delivery::{deliver, file_own_letter};
use super::folder::{Folder, StandardFolder};
use super::handling::move_and_log;
use super::letter::{Letter, LetterContent};
use super::outbox::{Channel, OutboxEntry};
use super::sender::Authority;
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

/// Writes a new letter to the authority `authority` (its slug): sent, or saved as a draft
/// when `draft`. The letter as filed.
pub fn write(
    desk: &Desk,
    authority: &str,
    subject: &str,
    body: &str,
    draft: bool,
) -> Outcome<Letter> {
    desk.require(Capability::Compose)?;
    let authority = parse_authority(authority).map_err(Refusal::BadLetter)?;
    send_or_save(desk, Composed::New, authority, subject, body, draft)
}

/// Replies to letter `id`, only where its sender accepts replies: sent, or saved as a draft
/// when `draft`. The reply as filed.
pub fn reply(desk: &Desk, id: &str, subject: &str, body: &str, draft: bool) -> Outcome<Letter> {
    desk.require(Capability::Compose)?;
    let letter = desk.letter(id)?;
    if !letter.content.accepts_replies {
        return Err(Refusal::RepliesNotAccepted);
    }
    send_or_save(
        desk,
        Composed::Reply,
        letter.content.sender,
        subject,
        body,
        draft,
    )
}

/// Checks subject and text, then files the letter to `authority` in "Sendt", or in "Kladder"
/// when `draft`.
fn send_or_save(
    desk: &Desk,
    composed: Composed,
    authority: Authority,
    subject: &str,
    body: &str,
    draft: bool,
) -> Outcome<Letter> {
    let content = LetterContent {
        sender: authority,
        subject: parse_subject(subject).map_err(Refusal::BadLetter)?,
        body: parse_body(body).map_err(Refusal::BadLetter)?,
        accepts_replies: false,
        attachments: Vec::new(),
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

/// Sends the draft `id`: a letter the person wrote, lying in "Kladder", moves to "Sendt"
/// (returned). Any other letter of the mailbox is refused, received post above all (it may
/// lie in "Kladder" from before moving it there was refused).
pub fn send_draft(desk: &Desk, id: &str) -> Outcome<Folder> {
    desk.require(Capability::Compose)?;
    let letter = desk.letter(id)?;
    let drafts = desk.standard_folder(StandardFolder::Drafts)?;
    if letter.folder != drafts.id || !letter.content.is_own() {
        return Err(Refusal::NotADraft);
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
        Some(Ok(note)) if note.chars().count() > MAX_NOTE_CHARS => Err(ComposeError::BodyTooLong),
        Some(note) => note.map(Some),
    }
}

/// Forwards letter `id` to `to` (a Digital Post recipient or an e-mail address) with an
/// optional `note`. The copy filed in "Sendt".
pub fn forward(desk: &Desk, id: &str, to: &str, note: Option<&str>) -> Outcome<Letter> {
    desk.require(Capability::Forward)?;
    let letter = desk.letter(id)?;
    let target = ForwardTarget::parse(to).map_err(Refusal::BadLetter)?;
    let note = parse_note(note).map_err(Refusal::BadLetter)?;
    let original = letter.content;
    let subject: String = format!("Vs: {}", original.subject)
        .chars()
        .take(MAX_SUBJECT_CHARS)
        .collect();
    let body = match &note {
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
    match &target {
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
