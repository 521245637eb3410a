//! The grant forms of `/access`, read and checked: a new grant (`name`, `cpr`,
//! `permission`, `all_folders` or any number of `folder`, `password`) and a change of one
//! (`permission`, `all_folders` or `folder`...). What a refused form held is kept to fill it
//! in again, never the password.

use crate::access::desk::Desk;
use crate::access::granting;
use crate::access::{Cpr, FolderScope, Permission};
use crate::pages::access::NewGrantFields;
use crate::problem::Problem;
use crate::session::ActiveSession;

/// The longest name the owner may give a helper, in characters.
const MAX_NAME_CHARS: usize = 100;

/// The grant form: `name`, `cpr`, `permission`, `all_folders` or any number of `folder`,
/// `password`. Read as pairs because `folder` repeats.
pub(super) fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The grant form, checked (the password is hashed by the caller, off the runtime).
pub(super) struct GrantForm {
    /// The helper.
    pub grantee: Cpr,
    /// The helper's name: the broker's, or as the owner typed it.
    pub name: String,
    /// Whether `name` is the broker's.
    pub name_checked: bool,
    /// What the helper may do.
    pub permission: Permission,
    /// Which folders the helper sees.
    pub folders: FolderScope,
    /// The access password, as typed.
    pub password: String,
}

/// A grant form refused for what was typed: the field it is about, and why.
pub(super) type Refused = (&'static str, Problem);

/// The form's CPR number, if it is one.
pub(super) fn typed_cpr(form: &[(String, String)]) -> Option<Cpr> {
    Cpr::parse(field(form, "cpr").unwrap_or_default()).ok()
}

/// Checks the grant form against the session's mailbox. `known_name` is the name the broker
/// knows for the CPR number: it is the helper's name, and the one typed is not used (nor
/// checked); without it, the typed name is needed.
pub(super) fn parse_grant(
    desk: &Desk,
    session: &ActiveSession,
    form: &[(String, String)],
    known_name: Option<String>,
) -> Result<GrantForm, Refused> {
    let name_checked = known_name.is_some();
    let name = match known_name {
        Some(name) => name,
        None => {
            let name = field(form, "name").unwrap_or_default().trim().to_owned();
            if name.is_empty()
                || name.chars().count() > MAX_NAME_CHARS
                || name.chars().any(char::is_control)
            {
                return Err(("name", Problem::BadGrantName));
            }
            name
        }
    };
    let grantee = Cpr::parse(field(form, "cpr").unwrap_or_default())
        .map_err(|error| ("cpr", Problem::BadCpr(error)))?;
    if session.person.cpr.as_ref() == Some(&grantee) {
        return Err(("cpr", Problem::GrantToSelf));
    }
    let (permission, folders) = parse_scope(desk, form).map_err(|problem| ("folders", problem))?;
    Ok(GrantForm {
        grantee,
        name,
        name_checked,
        permission,
        folders,
        password: field(form, "password").unwrap_or_default().to_owned(),
    })
}

/// The form's `permission`, and `all_folders` or the `folder`s of the desk's mailbox.
pub(super) fn parse_scope(
    desk: &Desk,
    form: &[(String, String)],
) -> Result<(Permission, FolderScope), Problem> {
    let permission = field(form, "permission")
        .and_then(Permission::from_slug)
        .ok_or(Problem::BadForm)?;
    let chosen: Vec<&str> = form
        .iter()
        .filter(|(key, _)| key == "folder")
        .map(|(_, value)| value.as_str())
        .collect();
    let folders = granting::folder_scope(desk, field(form, "all_folders").is_some(), &chosen)?;
    Ok((permission, folders))
}

/// What the grant form held, to fill it in again (never the password).
pub(super) fn typed_grant(form: &[(String, String)]) -> NewGrantFields {
    NewGrantFields {
        name: field(form, "name").unwrap_or_default().to_owned(),
        cpr: field(form, "cpr").unwrap_or_default().to_owned(),
        read_write: field(form, "permission") == Some(Permission::ReadWrite.slug()),
        all_folders: field(form, "all_folders").is_some(),
        folders: form
            .iter()
            .filter(|(key, _)| key == "folder")
            .map(|(_, value)| value.clone())
            .collect(),
    }
}
