//! The pages for access for others and switching mailboxes: choosing a mailbox, managing the
//! grants of one's own mailbox, and the activity log. Askama escapes every value.

use askama::Template;

use crate::access::{ActivityEntry, FolderScope, Grant, GrantStatus, Permission};
use crate::language::Lang;
use crate::pages::post::Chrome;
use crate::pages::FormError;
use crate::paths::{grant_edit_path, grant_password_path, grant_revoke_path, ACCESS};
use crate::post::{display_time, Folder};

/// A mailbox one opens without a password: one's own, one's business's, an association's.
pub struct MailboxChoice {
    /// The switch form's `to` value.
    pub to: String,
    /// The mailbox's name.
    pub name: String,
    /// What kind of mailbox it is.
    pub kind: &'static str,
    /// Whether the session works in it now.
    pub current: bool,
}

/// Another person's mailbox one was given access to.
pub struct DelegatedChoice {
    /// The switch form's `to` value.
    pub to: String,
    /// The owner's name.
    pub owner_name: String,
    /// Read, or read and write.
    pub permission: &'static str,
    /// Too many wrong passwords: the owner must set a new one.
    pub locked: bool,
    /// Whether the session works in it now.
    pub current: bool,
}

/// `GET /mailboxes`: the mailboxes the person may open.
#[derive(Template)]
#[template(path = "mailboxes.html")]
pub struct MailboxesPage<'a> {
    /// The page's language.
    pub lang: Lang,
    /// The person's name.
    pub name: &'a str,
    /// The session's CSRF token.
    pub csrf_token: &'a str,
    /// Where the switch forms post.
    pub action: &'static str,
    /// Own, business and association mailboxes.
    pub choices: Vec<MailboxChoice>,
    /// Other people's mailboxes.
    pub delegated: Vec<DelegatedChoice>,
    /// The login carried no CPR number, so no access from others or memberships can apply.
    pub without_cpr: bool,
    /// The login was not a MitID Erhverv login: say that a business's mailbox needs one.
    pub business_hint: bool,
}

/// A permission in `lang`.
pub fn permission_name(permission: Permission, lang: Lang) -> &'static str {
    lang.t(permission.danish_name(), permission.english_name())
}

/// A grant on the owner's access page.
pub struct GrantView {
    /// Its id.
    pub id: String,
    /// Why its new-password form was refused, if it was.
    pub password_error: FormError,
    /// Why its change form was refused, if it was (the form is then shown open).
    pub edit_error: FormError,
    /// The helper's name: the broker's, or as the owner typed it.
    pub name: String,
    /// Whether the name is the broker's for the CPR number (else unchecked).
    pub name_checked: bool,
    /// The helper's CPR number, `DDMMYY-XXXX`.
    pub cpr: String,
    /// Read, or read and write.
    pub permission: &'static str,
    /// The folders, by name, or "all folders".
    pub folders: String,
    /// Active, locked or revoked, in words.
    pub status: &'static str,
    /// Whether it can still be revoked or given a new password.
    pub open: bool,
    /// Since when.
    pub created: String,
    /// When it was revoked (empty while it is not).
    pub revoked: String,
    /// Where the revoke form posts.
    pub revoke_action: String,
    /// Where the new-password form posts.
    pub password_action: String,
    /// Where the edit form posts.
    pub edit_action: String,
    /// Whether it allows writing (the edit form's choice).
    pub read_write: bool,
    /// Whether it shows every folder (the edit form's choice).
    pub all_folders: bool,
    /// The mailbox's folders, ticked where the grant shows them.
    pub folder_choices: Vec<FolderOption>,
}

impl GrantView {
    /// The row for `grant` of a mailbox with `folders`.
    pub fn new(grant: &Grant, folders: &[Folder], lang: Lang) -> Self {
        let status = grant.status();
        Self {
            id: grant.id.as_str().to_owned(),
            password_error: FormError::none(),
            edit_error: FormError::none(),
            name: grant.grantee_name.clone(),
            name_checked: grant.name_checked,
            cpr: grant.grantee.display(),
            permission: permission_name(grant.permission, lang),
            folders: match &grant.folders {
                FolderScope::All => lang.t("alle mapper", "all folders").to_owned(),
                FolderScope::Only(ids) => folders
                    .iter()
                    .filter(|folder| ids.contains(&folder.id))
                    .map(|folder| folder.name_in(lang))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            status: match status {
                GrantStatus::Active => lang.t("aktiv", "active"),
                GrantStatus::Locked => lang.t(
                    "låst (for mange forkerte adgangskoder)",
                    "locked (too many wrong passwords)",
                ),
                GrantStatus::Revoked => lang.t("tilbagekaldt", "revoked"),
            },
            open: status != GrantStatus::Revoked,
            created: display_time(grant.created_at),
            revoked: grant.revoked_at.map(display_time).unwrap_or_default(),
            revoke_action: grant_revoke_path(&grant.id),
            password_action: grant_password_path(&grant.id),
            edit_action: grant_edit_path(&grant.id),
            read_write: grant.permission == Permission::ReadWrite,
            all_folders: grant.folders == FolderScope::All,
            folder_choices: folders
                .iter()
                .map(|folder| FolderOption {
                    id: folder.id.as_str().to_owned(),
                    name: folder.name_in(lang),
                    checked: match &grant.folders {
                        FolderScope::All => false,
                        FolderScope::Only(ids) => ids.contains(&folder.id),
                    },
                })
                .collect(),
        }
    }
}

/// A folder to tick when granting or changing access.
pub struct FolderOption {
    /// Its id (the form value).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it is ticked.
    pub checked: bool,
}

/// `GET /access`: the owner's grants, and the form for a new one.
#[derive(Template)]
#[template(path = "access.html")]
pub struct AccessPage<'a> {
    /// The page's language.
    pub lang: Lang,
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// Where the new-grant form posts.
    pub action: &'static str,
    /// The grants not revoked, newest first.
    pub grants: Vec<GrantView>,
    /// The revoked grants, newest first: the history.
    pub history: Vec<GrantView>,
    /// The mailbox's folders, ticked as typed.
    pub folders: Vec<FolderOption>,
    /// The new-grant form as typed (empty at first).
    pub typed: NewGrantFields,
    /// What was refused in it, next to its field.
    pub error: FormError,
}

/// The new-grant form as typed, to fill it in again when it was refused. Never the password:
/// it is not sent back to the browser.
#[derive(Debug, Clone)]
pub struct NewGrantFields {
    /// The helper's name.
    pub name: String,
    /// The helper's CPR number.
    pub cpr: String,
    /// Read and write chosen (else read).
    pub read_write: bool,
    /// All folders ticked.
    pub all_folders: bool,
    /// The folder ids ticked.
    pub folders: Vec<String>,
}

impl Default for NewGrantFields {
    /// A new form: read access to all folders.
    fn default() -> Self {
        Self {
            name: String::new(),
            cpr: String::new(),
            read_write: false,
            all_folders: true,
            folders: Vec::new(),
        }
    }
}

/// Which form of a grant was refused.
pub enum RefusedGrantForm {
    /// The new password.
    Password,
    /// The change of access, with what was chosen: read and write, all folders, the folder
    /// ids ticked.
    Change {
        /// Read and write chosen.
        read_write: bool,
        /// All folders ticked.
        all_folders: bool,
        /// The folder ids ticked.
        folders: Vec<String>,
    },
}

impl<'a> AccessPage<'a> {
    /// The page with the `form` of grant `id` refused for `error` (what was chosen kept).
    pub fn refused_for_grant(mut self, id: &str, form: RefusedGrantForm, error: FormError) -> Self {
        if let Some(grant) = self.grants.iter_mut().find(|grant| grant.id == id) {
            match form {
                RefusedGrantForm::Password => grant.password_error = error,
                RefusedGrantForm::Change {
                    read_write,
                    all_folders,
                    folders,
                } => {
                    grant.read_write = read_write;
                    grant.all_folders = all_folders;
                    for folder in &mut grant.folder_choices {
                        folder.checked = folders.contains(&folder.id);
                    }
                    grant.edit_error = error;
                }
            }
        }
        self
    }

    /// The page with its grant form holding `typed`, refused for `error`.
    pub fn refilled(mut self, typed: NewGrantFields, error: FormError) -> Self {
        for folder in &mut self.folders {
            folder.checked = typed.folders.contains(&folder.id);
        }
        self.typed = typed;
        self.error = error;
        self
    }

    /// The page for a mailbox with `grants` and `folders`.
    pub fn new(chrome: Chrome<'a>, grants: &[Grant], folders: &[Folder]) -> Self {
        let lang = chrome.lang;
        Self {
            lang,
            chrome,
            action: ACCESS,
            grants: grants
                .iter()
                .filter(|grant| grant.revoked_at.is_none())
                .map(|grant| GrantView::new(grant, folders, lang))
                .collect(),
            history: grants
                .iter()
                .filter(|grant| grant.revoked_at.is_some())
                .map(|grant| GrantView::new(grant, folders, lang))
                .collect(),
            folders: folders
                .iter()
                .map(|folder| FolderOption {
                    id: folder.id.as_str().to_owned(),
                    name: folder.name_in(lang),
                    checked: false,
                })
                .collect(),
            typed: NewGrantFields::default(),
            error: FormError::none(),
        }
    }
}

/// `GET /access/{id}/revoke`: are you sure?
#[derive(Template)]
#[template(path = "confirm_revoke.html")]
pub struct ConfirmRevokePage<'a> {
    /// The page's language.
    pub lang: Lang,
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// The helper's name.
    pub name: String,
    /// The helper's CPR number, `DDMMYY-XXXX`.
    pub cpr: String,
    /// Read, or read and write.
    pub permission: &'static str,
    /// Where the form posts.
    pub action: String,
    /// Back to the access page.
    pub cancel_href: &'static str,
}

impl<'a> ConfirmRevokePage<'a> {
    /// The confirmation for `grant`.
    pub fn new(chrome: Chrome<'a>, grant: &Grant) -> Self {
        let lang = chrome.lang;
        Self {
            lang,
            chrome,
            name: grant.grantee_name.clone(),
            cpr: grant.grantee.display(),
            permission: permission_name(grant.permission, lang),
            action: grant_revoke_path(&grant.id),
            cancel_href: ACCESS,
        }
    }
}

/// A line of the activity log.
pub struct ActivityRow {
    /// When.
    pub time: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: &'static str,
    /// On what.
    pub object: String,
}

/// `GET /activity`: what helpers did in this mailbox, newest first.
#[derive(Template)]
#[template(path = "activity.html")]
pub struct ActivityPage<'a> {
    /// The page's language.
    pub lang: Lang,
    /// Around the content.
    pub chrome: Chrome<'a>,
    /// The entries.
    pub entries: Vec<ActivityRow>,
}

impl<'a> ActivityPage<'a> {
    /// The page listing `entries`.
    pub fn new(chrome: Chrome<'a>, entries: &[ActivityEntry]) -> Self {
        let lang = chrome.lang;
        Self {
            lang,
            chrome,
            entries: entries
                .iter()
                .map(|entry| ActivityRow {
                    time: display_time(entry.at),
                    actor: entry.actor.clone(),
                    action: lang.t(entry.action.danish(), entry.action.english()),
                    object: entry.object.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }
}
