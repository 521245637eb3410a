//! The Digital Post pages: the folder list beside every page, a folder's letters, a letter,
//! the confirmation before deleting for good, and managing own folders. Askama escapes every
//! value, so a sender's subject or a folder name with HTML in it shows as text.

use askama::Template;

use crate::post::{display_time, Folder, FolderId, Letter, StandardFolder};
use crate::routes::{
    attachment_path, folder_path, forward_path, letter_path, permanent_delete_path, reply_path,
    send_draft_path, LETTER_DELETE, LETTER_MOVE, LETTER_UNREAD,
};
use crate::session::ActiveSession;

/// What every mailbox page shows around its content: who is logged in, logout, the folders.
pub struct Chrome<'a> {
    /// The person's name.
    pub name: &'a str,
    /// The session's CSRF token, for every form on the page.
    pub csrf_token: &'a str,
    /// The folders, each with its unread count.
    pub nav: Vec<FolderLink>,
    /// Unread letters in the inbox: the "new post" notice shows when there are any.
    pub new_post: usize,
    /// Link to the inbox, for the notice.
    pub inbox_href: String,
    /// The mailbox's address (`cpr:...`/`sub:...`), for the simulated sender and forwarding.
    pub address: String,
}

impl<'a> Chrome<'a> {
    /// The chrome for `session`, with `current` highlighted.
    pub fn new(
        session: &'a ActiveSession,
        folders: &[Folder],
        unread: &[(FolderId, usize)],
        current: Option<&FolderId>,
        address: String,
    ) -> Self {
        let inbox = folders
            .iter()
            .find(|folder| folder.standard_kind() == Some(StandardFolder::Inbox));
        let new_post = inbox
            .and_then(|inbox| unread.iter().find(|(id, _)| *id == inbox.id))
            .map_or(0, |(_, count)| *count);
        let inbox_href = inbox.map_or_else(|| "/".to_owned(), |inbox| folder_path(&inbox.id));
        let nav = folders
            .iter()
            .map(|folder| FolderLink {
                href: folder_path(&folder.id),
                name: folder.display_name().to_owned(),
                english: folder.english_name(),
                unread: unread
                    .iter()
                    .find(|(id, _)| *id == folder.id)
                    .map_or(0, |(_, count)| *count),
                current: current == Some(&folder.id),
            })
            .collect();
        Self {
            name: &session.name,
            csrf_token: &session.csrf_token,
            nav,
            new_post,
            inbox_href,
            address,
        }
    }
}

/// A folder in the folder list.
pub struct FolderLink {
    /// Where it opens.
    pub href: String,
    /// Its (Danish) name.
    pub name: String,
    /// Its English name, for standard folders.
    pub english: Option<&'static str>,
    /// How many unread letters it holds.
    pub unread: usize,
    /// Whether it is the folder being shown.
    pub current: bool,
}

/// A letter in a folder's list.
pub struct LetterRow {
    /// Where it opens.
    pub href: String,
    /// The sender's name, or "Til: ..." for a letter the person wrote.
    pub sender: String,
    /// The subject.
    pub subject: String,
    /// When it arrived.
    pub received: String,
    /// Whether it has been read.
    pub read: bool,
    /// Whether it has attachments.
    pub has_attachments: bool,
}

impl LetterRow {
    /// The row for `letter`.
    pub fn new(letter: &Letter) -> Self {
        Self {
            href: letter_path(&letter.id),
            sender: match &letter.content.sent_to {
                Some(to) => format!("Til / To: {to}"),
                None => letter.content.sender.display_name().to_owned(),
            },
            subject: letter.content.subject.clone(),
            received: display_time(letter.received_at),
            read: letter.read,
            has_attachments: !letter.content.attachments.is_empty(),
        }
    }
}

/// `/` and `/folders/{id}`: a folder's letters, newest first.
#[derive(Template)]
#[template(path = "folder.html")]
pub struct FolderPage<'a> {
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// The folder's (Danish) name.
    pub folder_name: String,
    /// Its English name, for standard folders.
    pub folder_english: Option<&'static str>,
    /// Its letters.
    pub letters: Vec<LetterRow>,
}

/// An attachment as listed on a letter.
pub struct AttachmentView {
    /// Where it downloads.
    pub href: String,
    /// Its file name.
    pub file_name: String,
    /// Its size, e.g. `48 kB`.
    pub size: String,
}

/// A folder the letter can be moved to.
pub struct MoveTarget {
    /// The folder's id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// `/letters/{id}`: one letter with its actions.
#[derive(Template)]
#[template(path = "letter.html")]
pub struct LetterPage<'a> {
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// The sender's name.
    pub sender: &'static str,
    /// The subject.
    pub subject: &'a str,
    /// When it arrived.
    pub received: String,
    /// The body's paragraphs.
    pub paragraphs: Vec<&'a str>,
    /// Whether the sender accepts replies.
    pub accepts_replies: bool,
    /// For a letter the person wrote: whom it went to.
    pub sent_to: Option<&'a str>,
    /// For a forwarded letter: who forwarded it.
    pub forwarded_by: Option<&'a str>,
    /// The reply page.
    pub reply_href: String,
    /// The forward page.
    pub forward_href: String,
    /// Its attachments.
    pub attachments: Vec<AttachmentView>,
    /// The folder it lies in: name and link.
    pub folder_name: String,
    /// Link to that folder.
    pub folder_href: String,
    /// The other folders it may move to.
    pub move_targets: Vec<MoveTarget>,
    /// Whether it lies in "Slettet" (delete then means for good).
    pub in_deleted: bool,
    /// Form action for sending a draft, when the letter is one (in "Kladder").
    pub send_draft_action: Option<String>,
    /// Form actions.
    pub unread_action: String,
    /// Form action for moving.
    pub move_action: String,
    /// Form action for deleting.
    pub delete_action: String,
}

impl<'a> LetterPage<'a> {
    /// The page for `letter`, lying in `folder`, in a mailbox with `folders`.
    pub fn new(
        chrome: Chrome<'a>,
        letter: &'a Letter,
        folder: &Folder,
        folders: &[Folder],
    ) -> Self {
        let id = letter.id.as_str();
        Self {
            chrome,
            sender: letter.content.sender.display_name(),
            subject: &letter.content.subject,
            received: display_time(letter.received_at),
            paragraphs: letter.paragraphs(),
            accepts_replies: letter.content.accepts_replies,
            sent_to: letter.content.sent_to.as_deref(),
            forwarded_by: letter.content.forwarded_by.as_deref(),
            reply_href: reply_path(&letter.id),
            forward_href: forward_path(&letter.id),
            attachments: letter
                .content
                .attachments
                .iter()
                .enumerate()
                .map(|(index, attachment)| AttachmentView {
                    href: attachment_path(&letter.id, index + 1),
                    file_name: attachment.file_name.clone(),
                    size: format!("{} kB", attachment.size_bytes.div_ceil(1000)),
                })
                .collect(),
            folder_name: folder.display_name().to_owned(),
            folder_href: folder_path(&folder.id),
            move_targets: folders
                .iter()
                .filter(|target| target.id != folder.id)
                .map(|target| MoveTarget {
                    id: target.id.as_str().to_owned(),
                    name: target.display_name().to_owned(),
                })
                .collect(),
            in_deleted: folder.standard_kind() == Some(StandardFolder::Deleted),
            send_draft_action: (folder.standard_kind() == Some(StandardFolder::Drafts))
                .then(|| send_draft_path(&letter.id)),
            unread_action: LETTER_UNREAD.replace("{letter_id}", id),
            move_action: LETTER_MOVE.replace("{letter_id}", id),
            delete_action: LETTER_DELETE.replace("{letter_id}", id),
        }
    }
}

/// `/letters/{id}/delete-permanently`: are you sure?
#[derive(Template)]
#[template(path = "confirm_delete.html")]
pub struct ConfirmDeletePage<'a> {
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// The letter's subject.
    pub subject: &'a str,
    /// Where the form posts.
    pub action: String,
    /// Back to the letter.
    pub cancel_href: String,
}

impl<'a> ConfirmDeletePage<'a> {
    /// The confirmation for `letter`.
    pub fn new(chrome: Chrome<'a>, letter: &'a Letter) -> Self {
        Self {
            chrome,
            subject: &letter.content.subject,
            action: permanent_delete_path(&letter.id),
            cancel_href: letter_path(&letter.id),
        }
    }
}

/// An own folder on the folders page.
pub struct OwnFolderView {
    /// Its name.
    pub name: String,
    /// Link to it.
    pub href: String,
    /// Rename form action.
    pub rename_action: String,
    /// Delete form action.
    pub delete_action: String,
}

/// `/folders`: create, rename and delete own folders.
#[derive(Template)]
#[template(path = "folders.html")]
pub struct FoldersPage<'a> {
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// The person's own folders.
    pub own: Vec<OwnFolderView>,
}

impl<'a> FoldersPage<'a> {
    /// The page for a mailbox with `folders`.
    pub fn new(chrome: Chrome<'a>, folders: &[Folder]) -> Self {
        let own = folders
            .iter()
            .filter(|folder| folder.is_own())
            .map(|folder| {
                let href = folder_path(&folder.id);
                OwnFolderView {
                    name: folder.display_name().to_owned(),
                    rename_action: format!("{href}/rename"),
                    delete_action: format!("{href}/delete"),
                    href,
                }
            })
            .collect();
        Self { chrome, own }
    }
}
