//! The Digital Post pages: the folder list beside every page, a folder's letters, a letter,
//! the confirmation before deleting for good, and managing own folders. Askama escapes every
//! value, so a sender's subject or a folder name with HTML in it shows as text. Each page is
//! in the session's language; the actions shown are the ones the session's access allows.

use askama::Template;

use super::listing::{ListNav, SearchBox};
use crate::access::{Access, Capability, Permission};
use crate::language::Lang;
use crate::pages::FormError;
use crate::paths::{
    attachment_path, edit_draft_path, folder_path, forward_path, letter_path,
    permanent_delete_path, reply_path, send_draft_path, LETTER_DELETE, LETTER_MOVE, LETTER_UNREAD,
};
use crate::post::upload::FileKind;
use crate::post::{display_time, Folder, FolderId, Letter, StandardFolder};
use crate::session::ActiveSession;

/// How the session's access is described next to the mailbox's name, if at all.
fn access_role(access: &Access, lang: Lang) -> Option<&'static str> {
    match access {
        Access::Owner => None,
        Access::Business { .. } => Some(lang.t("virksomhed", "business")),
        Access::Member { .. } => Some(lang.t("forening", "association")),
        Access::Helper(helper) => Some(match helper.permission {
            Permission::Read => lang.t("læseadgang", "read access"),
            Permission::ReadWrite => lang.t("læse- og skriveadgang", "read and write access"),
        }),
    }
}

/// What every mailbox page shows around its content: who is logged in, logout, which mailbox
/// this is, the folders the session sees.
pub struct Chrome<'a> {
    /// The page's language.
    pub lang: Lang,
    /// The person's name.
    pub name: &'a str,
    /// The session's CSRF token, for every form on the page.
    pub csrf_token: &'a str,
    /// The current mailbox's name (the owner's, business's or association's).
    pub mailbox_name: &'a str,
    /// How the person opens it, when it is not their own.
    pub role: Option<&'static str>,
    /// Whether the person is a helper in someone else's mailbox.
    pub is_helper: bool,
    /// Whether the person may write and reply.
    pub can_compose: bool,
    /// Whether the person may grant access to others.
    pub can_manage_access: bool,
    /// Whether the person may see the activity log.
    pub can_see_activity: bool,
    /// The folders, each with its unread count.
    pub nav: Vec<FolderLink>,
    /// Unread letters in the inbox: the "new post" notice shows when there are any.
    pub new_post: usize,
    /// Link to the inbox, for the notice.
    pub inbox_href: String,
    /// The mailbox's address (`cpr:...`/`sub:...`), for the simulated sender and forwarding.
    /// Not shown to a helper: it may hold the owner's CPR number.
    pub address: Option<String>,
    /// What the last action did, shown once.
    pub notice: Option<String>,
    /// Whether the mailbox's owner is exempt from Digital Post (every page says so).
    pub exempt: bool,
    /// For whoever may give access: the helpers whose access locked after too many wrong
    /// passwords (every page says so until a new password or a revoke).
    pub locked_grants: Vec<String>,
}

impl<'a> Chrome<'a> {
    /// The chrome for `session`, whose visible folders are `folders`, with `current`
    /// highlighted.
    pub fn new(
        session: &'a ActiveSession,
        folders: &[Folder],
        unread: &[(FolderId, usize)],
        current: Option<&FolderId>,
        address: String,
    ) -> Self {
        let lang = session.lang;
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
                name: folder.name_in(lang),
                unread: unread
                    .iter()
                    .find(|(id, _)| *id == folder.id)
                    .map_or(0, |(_, count)| *count),
                current: current == Some(&folder.id),
            })
            .collect();
        let access = &session.access;
        Self {
            lang,
            name: &session.name,
            csrf_token: &session.csrf_token,
            mailbox_name: &session.mailbox_name,
            role: access_role(access, lang),
            is_helper: access.helper().is_some(),
            can_compose: access.allows(Capability::Compose),
            can_manage_access: access.allows(Capability::ManageAccess),
            can_see_activity: access.allows(Capability::SeeActivity),
            nav,
            new_post,
            inbox_href,
            address: access.helper().is_none().then_some(address),
            notice: session.notice.as_ref().map(|notice| notice.text(lang)),
            exempt: false,
            locked_grants: Vec::new(),
        }
    }
}

/// A folder in the folder list.
pub struct FolderLink {
    /// Where it opens.
    pub href: String,
    /// Its name in the page's language.
    pub name: String,
    /// How many unread letters it holds.
    pub unread: usize,
    /// Whether it is the folder being shown.
    pub current: bool,
}

/// A letter in a folder's list.
pub struct LetterRow {
    /// Where it opens.
    pub href: String,
    /// The sender's name, or "To: ..." for a letter the person wrote.
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
    /// The row for `letter` in a folder of kind `columns`.
    pub fn new(letter: &Letter, lang: Lang, columns: Columns) -> Self {
        Self {
            href: letter_path(&letter.id),
            sender: match (&letter.content.sent_to, columns) {
                // The column is headed "Modtager" there.
                (Some(to), Columns::Sent | Columns::Drafts) => to.clone(),
                (Some(to), Columns::Received) => format!("{} {to}", lang.t("Til:", "To:")),
                (None, _) => letter.content.sender.display_name().to_owned(),
            },
            subject: letter.content.subject.clone(),
            received: display_time(letter.received_at),
            read: letter.read,
            has_attachments: !letter.content.attachments.is_empty(),
        }
    }
}

/// What a folder's list heads its columns with: who and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    /// Received post (the inbox, "Slettet", own folders): sender, received.
    Received,
    /// "Sendt": recipient, sent.
    Sent,
    /// "Kladder": recipient, saved.
    Drafts,
}

impl Columns {
    /// The columns of `folder`.
    pub fn of(folder: &Folder) -> Self {
        match folder.standard_kind() {
            Some(StandardFolder::Sent) => Self::Sent,
            Some(StandardFolder::Drafts) => Self::Drafts,
            _ => Self::Received,
        }
    }

    /// The heading of the "who" column, in `lang`.
    pub fn who(self, lang: Lang) -> &'static str {
        match self {
            Self::Received => lang.t("Afsender", "Sender"),
            Self::Sent | Self::Drafts => lang.t("Modtager", "Recipient"),
        }
    }

    /// The heading of the "when" column, in `lang`.
    pub fn when(self, lang: Lang) -> &'static str {
        match self {
            Self::Received => lang.t("Modtaget", "Received"),
            Self::Sent => lang.t("Sendt", "Sent"),
            Self::Drafts => lang.t("Gemt", "Saved"),
        }
    }
}

/// `/` and `/folders/{id}`: a folder's letters, newest first unless sorted otherwise, a page
/// at a time.
#[derive(Template)]
#[template(path = "folder.html")]
pub struct FolderPage<'a> {
    /// The page's language.
    pub lang: Lang,
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// The folder's name.
    pub folder_name: String,
    /// The heading of the "who" column (sender or recipient).
    pub who_heading: &'static str,
    /// The heading of the "when" column (received, sent or saved).
    pub when_heading: &'static str,
    /// Its letters on this page.
    pub letters: Vec<LetterRow>,
    /// The search field (empty).
    pub search: SearchBox,
    /// Sorts and pages.
    pub nav: ListNav,
}

/// `/` when the session sees no folder at all (a grant of folders since deleted).
#[derive(Template)]
#[template(path = "no_folders.html")]
pub struct NoFoldersPage<'a> {
    /// The page's language.
    pub lang: Lang,
    /// Around the content.
    pub chrome: Chrome<'a>,
}

/// An attachment as listed on a letter.
pub struct AttachmentView {
    /// Where it downloads.
    pub href: String,
    /// Its file name.
    pub file_name: String,
    /// Its size, e.g. `48 kB`.
    pub size: String,
    /// Its kind, e.g. `PDF`.
    pub kind: &'static str,
}

/// A folder the letter can be moved to.
pub struct MoveTarget {
    /// The folder's id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// `/letters/{id}`: one letter with the actions the session may take.
#[derive(Template)]
#[template(path = "letter.html")]
pub struct LetterPage<'a> {
    /// The page's language.
    pub lang: Lang,
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// The sender's name.
    pub sender: &'static str,
    /// The subject.
    pub subject: &'a str,
    /// When it arrived.
    pub received: String,
    /// The body's paragraphs, each as its lines.
    pub paragraphs: Vec<Vec<&'a str>>,
    /// Whether the sender accepts replies.
    pub accepts_replies: bool,
    /// For a letter the person wrote: whom it went to.
    pub sent_to: Option<&'a str>,
    /// For a forwarded letter: who forwarded it.
    pub forwarded_by: Option<&'a str>,
    /// For a letter a helper wrote: who.
    pub helped_by: Option<&'a str>,
    /// The reply page, when the session may reply and the sender accepts replies.
    pub reply_href: Option<String>,
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
    /// Form action for sending a draft, when the letter is one (the person's own, in
    /// "Kladder") and the session may send.
    pub send_draft_action: Option<String>,
    /// Where the draft opens in the write form, when the letter is one the session may send.
    pub edit_draft_href: Option<String>,
    /// Form actions.
    pub unread_action: String,
    /// Form action for moving.
    pub move_action: String,
    /// Form action for deleting, when the session may (to "Slettet", or for good from there).
    pub delete_action: Option<String>,
    /// In "Slettet": restoring it, when the session may.
    pub restore: Option<Restore>,
}

/// The "Gendan" (restore) button of a letter in "Slettet".
pub struct Restore {
    /// Where its form posts.
    pub action: String,
    /// The name of the folder it goes back to, in the page's language.
    pub to: String,
}

impl<'a> LetterPage<'a> {
    /// The page for `letter`, lying in `folder`, in a mailbox whose visible folders are
    /// `folders`, for a session with `access`.
    pub fn new(
        chrome: Chrome<'a>,
        access: &Access,
        letter: &'a Letter,
        folder: &Folder,
        folders: &[Folder],
    ) -> Self {
        let lang = chrome.lang;
        let id = letter.id.as_str();
        let in_deleted = folder.standard_kind() == Some(StandardFolder::Deleted);
        let may_delete = access.allows(if in_deleted {
            Capability::DeletePermanently
        } else {
            Capability::Delete
        });
        let may_compose = access.allows(Capability::Compose);
        Self {
            lang,
            chrome,
            sender: letter.content.sender.display_name(),
            subject: &letter.content.subject,
            received: display_time(letter.received_at),
            paragraphs: letter.paragraphs(),
            accepts_replies: letter.content.accepts_replies,
            sent_to: letter.content.sent_to.as_deref(),
            forwarded_by: letter.content.forwarded_by.as_deref(),
            helped_by: letter.content.helped_by.as_deref(),
            reply_href: (may_compose && letter.content.accepts_replies)
                .then(|| reply_path(&letter.id)),
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
                    kind: FileKind::from_media_type(&attachment.media_type)
                        .map_or("PDF", FileKind::label),
                })
                .collect(),
            folder_name: folder.name_in(lang),
            folder_href: folder_path(&folder.id),
            move_targets: folders
                .iter()
                .filter(|target| target.id != folder.id)
                .filter(|target| match target.standard_kind() {
                    Some(StandardFolder::Deleted) => access.allows(Capability::Delete),
                    Some(standard) if standard.holds_only_own_letters() => letter.content.is_own(),
                    _ => true,
                })
                .map(|target| MoveTarget {
                    id: target.id.as_str().to_owned(),
                    name: target.name_in(lang),
                })
                .collect(),
            in_deleted,
            send_draft_action: (may_compose
                && letter.content.is_own()
                && folder.standard_kind() == Some(StandardFolder::Drafts))
            .then(|| send_draft_path(&letter.id)),
            edit_draft_href: (may_compose
                && letter.content.is_own()
                && folder.standard_kind() == Some(StandardFolder::Drafts))
            .then(|| edit_draft_path(&letter.id)),
            unread_action: LETTER_UNREAD.replace("{letter_id}", id),
            move_action: LETTER_MOVE.replace("{letter_id}", id),
            delete_action: may_delete.then(|| LETTER_DELETE.replace("{letter_id}", id)),
            restore: None,
        }
    }
}

/// `/letters/{id}/delete-permanently`: are you sure?
#[derive(Template)]
#[template(path = "confirm_delete.html")]
pub struct ConfirmDeletePage<'a> {
    /// The page's language.
    pub lang: Lang,
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
            lang: chrome.lang,
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
    /// The rename field: its name, or the new name typed when that was refused.
    pub value: String,
    /// Why the new name typed was refused.
    pub error: FormError,
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
    /// The page's language.
    pub lang: Lang,
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// The own folders the session sees.
    pub own: Vec<OwnFolderView>,
    /// Whether the session may rename and delete them (else only create).
    pub can_manage: bool,
    /// The create field: empty, or the name typed when it was refused.
    pub create_value: String,
    /// Why the name typed to create a folder was refused.
    pub create_error: FormError,
}

/// A folder form refused for the name typed: which one, the name, and why.
pub struct RefusedName {
    /// The folder being renamed, or `None` for creating one.
    pub folder: Option<FolderId>,
    /// The name as typed.
    pub typed: String,
    /// Why it was refused.
    pub error: FormError,
}

impl<'a> FoldersPage<'a> {
    /// The page for a mailbox whose visible folders are `folders`; `refused`, the form
    /// refused for the name typed, shown again with it.
    pub fn new(
        chrome: Chrome<'a>,
        folders: &[Folder],
        can_manage: bool,
        refused: Option<RefusedName>,
    ) -> Self {
        let (refused_folder, mut refused) = match refused {
            Some(refused) => (refused.folder.clone(), Some(refused)),
            None => (None, None),
        };
        let own = folders
            .iter()
            .filter(|folder| folder.is_own())
            .map(|folder| {
                let href = folder_path(&folder.id);
                let (value, error) =
                    match refused.take_if(|_| refused_folder.as_ref() == Some(&folder.id)) {
                        Some(refused) => (refused.typed, refused.error),
                        None => (folder.display_name().to_owned(), FormError::none()),
                    };
                OwnFolderView {
                    value,
                    error,
                    name: folder.display_name().to_owned(),
                    rename_action: format!("{href}/rename"),
                    delete_action: format!("{href}/delete"),
                    href,
                }
            })
            .collect();
        let (create_value, create_error) = match refused {
            Some(refused) if refused.folder.is_none() => (refused.typed, refused.error),
            _ => (String::new(), FormError::none()),
        };
        Self {
            lang: chrome.lang,
            chrome,
            own,
            can_manage,
            create_value,
            create_error,
        }
    }
}

/// A letter found by a search: its row, and the folder it lies in.
pub struct SearchRow {
    /// The row as a list shows it.
    pub letter: LetterRow,
    /// The folder's name.
    pub folder: String,
    /// Link to the folder.
    pub folder_href: String,
}

/// `/search?q=...`: the letters that match, across the mailbox's folders.
#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage<'a> {
    /// The page's language.
    pub lang: Lang,
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// The search field, as filled in.
    pub search: SearchBox,
    /// The letters on this page.
    pub rows: Vec<SearchRow>,
    /// Sorts and pages.
    pub nav: ListNav,
}
