//! Handling the letters of a mailbox at a [`Desk`]: reading one (which marks it read),
//! marking it unread, moving it to another folder, deleting it (to "Slettet", and from there
//! for good), downloading an attachment. What a helper does lands in the activity log.

use super::folder::{Folder, FolderId, StandardFolder};
use super::letter::{Attachment, Letter};
use crate::access::desk::{Desk, Outcome, Refusal};
use crate::access::{ActivityAction, Capability};

/// Moves `letter` to the folder `to`, then logs `action` on `object`: the one way a letter
/// changes folder. Not found, and nothing logged, unless the letter and the folder are both
/// the mailbox's.
pub fn move_and_log(
    desk: &Desk,
    letter: &Letter,
    to: &FolderId,
    action: ActivityAction,
    object: Option<String>,
) -> Outcome<()> {
    if !desk.store.letters.move_to(desk.mailbox, &letter.id, to)? {
        return Err(Refusal::NotFound);
    }
    desk.log(action, object)
}

/// Reads letter `id`: it is marked read, and the reading logged. A helper's reading is only
/// logged: the unread mark (and the notice of new post) is the owner's, so a letter the
/// owner has not read stays unread for them.
pub fn read(desk: &Desk, id: &str) -> Outcome<Letter> {
    desk.require(Capability::Read)?;
    let mut letter = desk.letter(id)?;
    if !letter.read && desk.access.helper().is_none() {
        desk.store
            .letters
            .set_read(desk.mailbox, &letter.id, true)?;
        letter.read = true;
    }
    desk.log(
        ActivityAction::ReadLetter,
        Some(letter.content.subject.clone()),
    )?;
    Ok(letter)
}

/// Marks letter `id` unread; the letter as found.
pub fn mark_unread(desk: &Desk, id: &str) -> Outcome<Letter> {
    desk.require(Capability::MarkUnread)?;
    let letter = desk.letter(id)?;
    if !desk
        .store
        .letters
        .set_read(desk.mailbox, &letter.id, false)?
    {
        return Err(Refusal::NotFound);
    }
    desk.log(
        ActivityAction::MarkedUnread,
        Some(letter.content.subject.clone()),
    )?;
    Ok(letter)
}

/// Moves letter `id` to the folder `folder_id` of the same mailbox; the letter as found (in
/// the folder it left). Moving into "Slettet" is deleting, and takes the right to delete.
/// Received post never goes into "Sendt" or "Kladder" (from there it could be sent as if the
/// person wrote it).
pub fn move_letter(desk: &Desk, id: &str, folder_id: &str) -> Outcome<Letter> {
    desk.require(Capability::Move)?;
    let letter = desk.letter(id)?;
    let target = desk.folder(folder_id)?;
    if !letter.content.is_own()
        && target
            .standard_kind()
            .is_some_and(StandardFolder::holds_only_own_letters)
    {
        return Err(Refusal::ReceivedPostNotMovable);
    }
    if target.standard_kind() == Some(StandardFolder::Deleted) {
        desk.require(Capability::Delete)?;
    }
    let object = format!("{} → {}", letter.content.subject, target.name_in(desk.lang));
    move_and_log(
        desk,
        &letter,
        &target.id,
        ActivityAction::MovedLetter,
        Some(object),
    )?;
    Ok(letter)
}

/// What deleting a letter did.
pub enum Deletion {
    /// It moved to "Slettet"; the letter as found (in the folder it left).
    ToBin(Letter),
    /// It lies in "Slettet" already: deleting it for good is asked for first.
    AlreadyInBin(Letter),
}

/// Deletes letter `id` to "Slettet". A letter already there stays (deleting it for good,
/// which only the owner may do, is asked for first).
pub fn delete(desk: &Desk, id: &str) -> Outcome<Deletion> {
    desk.require(Capability::Delete)?;
    let letter = desk.letter(id)?;
    let bin = desk.standard_folder(StandardFolder::Deleted)?;
    if letter.folder == bin.id {
        desk.require(Capability::DeletePermanently)?;
        return Ok(Deletion::AlreadyInBin(letter));
    }
    move_and_log(
        desk,
        &letter,
        &bin.id,
        ActivityAction::DeletedLetter,
        Some(letter.content.subject.clone()),
    )?;
    Ok(Deletion::ToBin(letter))
}

/// Where letter `letter`, lying in "Slettet", goes back to when restored: the folder it was
/// deleted from, when that is remembered and still exists; else Indbakke for received post and
/// Sendt for the person's own letters (received post never goes into Sendt or Kladder). A
/// folder the access does not show is refused, not swapped for another.
pub fn restore_target(desk: &Desk, letter: &Letter) -> Outcome<Folder> {
    let allowed = |folder: &Folder| match folder.standard_kind() {
        Some(StandardFolder::Deleted) => false,
        Some(standard) if standard.holds_only_own_letters() => letter.content.is_own(),
        _ => true,
    };
    let remembered = match desk.store.letters.deleted_from(desk.mailbox, &letter.id)? {
        Some(id) => desk.store.folders.get(desk.mailbox, &id)?,
        None => None,
    };
    let target = match remembered.filter(allowed) {
        Some(folder) => folder,
        None => desk.standard_folder(if letter.content.is_own() {
            StandardFolder::Sent
        } else {
            StandardFolder::Inbox
        })?,
    };
    if !desk.access.sees_folder(&target.id) {
        return Err(Refusal::NotPermitted);
    }
    Ok(target)
}

/// Restores letter `id` from "Slettet" to the folder it was deleted from (see
/// [`restore_target`]): the letter as found (in "Slettet"), and where it went. Restoring is
/// moving out of "Slettet", and takes the right to move.
pub fn restore(desk: &Desk, id: &str) -> Outcome<(Letter, Folder)> {
    desk.require(Capability::Move)?;
    let letter = desk.letter(id)?;
    let bin = desk.standard_folder(StandardFolder::Deleted)?;
    if letter.folder != bin.id {
        return Err(Refusal::NotInDeleted);
    }
    let target = restore_target(desk, &letter)?;
    let object = format!("{} → {}", letter.content.subject, target.name_in(desk.lang));
    move_and_log(
        desk,
        &letter,
        &target.id,
        ActivityAction::RestoredLetter,
        Some(object),
    )?;
    Ok((letter, target))
}

/// Letter `id`, to be deleted for good: only where that is allowed, and only a letter in
/// "Slettet" (returned with it).
pub fn letter_in_bin(desk: &Desk, id: &str) -> Outcome<(Letter, Folder)> {
    desk.require(Capability::DeletePermanently)?;
    let letter = desk.letter(id)?;
    let bin = desk.standard_folder(StandardFolder::Deleted)?;
    if letter.folder != bin.id {
        return Err(Refusal::NotInDeleted);
    }
    Ok((letter, bin))
}

/// Deletes letter `id`, lying in "Slettet", for good; the letter as it was.
pub fn delete_for_good(desk: &Desk, id: &str) -> Outcome<Letter> {
    let (letter, _) = letter_in_bin(desk, id)?;
    if !desk.store.letters.delete(desk.mailbox, &letter.id)? {
        return Err(Refusal::NotFound);
    }
    tracing::info!("a letter was deleted for good");
    Ok(letter)
}

/// Attachment `index` (from 0) of letter `id`, its download logged. `None` (a number that
/// names no attachment) is not found, like an index past the last one.
pub fn attachment(desk: &Desk, id: &str, index: Option<usize>) -> Outcome<Attachment> {
    desk.require(Capability::Read)?;
    let letter = desk.letter(id)?;
    let attachment = index
        .and_then(|index| letter.content.attachments.into_iter().nth(index))
        .ok_or(Refusal::NotFound)?;
    desk.log(
        ActivityAction::DownloadedAttachment,
        Some(attachment.file_name.clone()),
    )?;
    Ok(attachment)
}
