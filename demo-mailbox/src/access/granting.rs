//! Access for others, for the owner of a mailbox, at a [`Desk`]: the grants, granting access,
//! revoking it (at once: the helper's next request is refused), a new password (which also
//! unlocks a locked grant and ends sessions opened with the old one) and changing what a grant
//! allows and which folders it shows (from the helper's next request on; logged in the
//! activity log). Each takes [`Capability::ManageAccess`]: see [`super::Access::allows`] for
//! who has it.

use super::activity::{ActivityAction, ActivityEntry};
use super::capability::Capability;
use super::cpr::Cpr;
use super::desk::{Desk, Outcome, Refusal};
use super::grant::{FolderScope, Grant, GrantId, GrantStatus, Permission};
use super::password::AccessPassword;
use crate::post::{Folder, FolderId};
use crate::store::StoreError;

/// The mailbox's grants, newest first (revoked ones included), and all its folders.
pub fn grants(desk: &Desk) -> Outcome<(Vec<Grant>, Vec<Folder>)> {
    desk.require(Capability::ManageAccess)?;
    let grants = desk.store.grants.list(desk.mailbox)?;
    let folders = desk.store.folders.list(desk.mailbox)?;
    Ok((grants, folders))
}

/// The folders a grant is to show: all of them, or those of `chosen` (folder ids) that are
/// folders of this mailbox (any other id is ignored). Choosing none is refused.
pub fn folder_scope(desk: &Desk, all: bool, chosen: &[&str]) -> Outcome<FolderScope> {
    if all {
        return Ok(FolderScope::All);
    }
    let chosen: Vec<FolderId> = desk
        .store
        .folders
        .list(desk.mailbox)?
        .into_iter()
        .map(|folder| folder.id)
        .filter(|id| chosen.contains(&id.as_str()))
        .collect();
    if chosen.is_empty() {
        return Err(Refusal::NoFoldersChosen);
    }
    Ok(FolderScope::Only(chosen))
}

/// A grant the owner asked for, its fields checked.
pub struct NewGrant {
    /// The helper, by CPR number.
    pub grantee: Cpr,
    /// The helper's name: the broker's for the CPR number, or as the owner typed it.
    pub name: String,
    /// Whether `name` is the broker's.
    pub name_checked: bool,
    /// What the helper may do.
    pub permission: Permission,
    /// Which folders the helper sees.
    pub folders: FolderScope,
    /// The access password, hashed.
    pub password: AccessPassword,
}

/// Grants `new` access to the mailbox, called `mailbox_name` (the owner's, the business's or
/// the association's name: the helper sees it). A second grant to the same person while the
/// first is not revoked is refused.
pub fn grant(desk: &Desk, new: NewGrant, mailbox_name: &str) -> Outcome<Grant> {
    desk.require(Capability::ManageAccess)?;
    let mut grant = Grant::new(
        desk.mailbox.clone(),
        new.grantee,
        new.name,
        mailbox_name.to_owned(),
        new.permission,
        new.folders,
        new.password,
        desk.now,
    );
    grant.name_checked = new.name_checked;
    desk.store
        .grants
        .create(&grant)
        .map_err(|error| match error {
            StoreError::Conflict(_) => Refusal::GrantExists,
            other => Refusal::Storage(other),
        })?;
    tracing::info!(permission = grant.permission.slug(), "access was granted");
    Ok(grant)
}

/// The names of the helpers whose access to the mailbox is locked (too many wrong passwords),
/// for whoever may give them a new password; nothing for anyone else.
pub fn locked_grants(desk: &Desk) -> Outcome<Vec<String>> {
    if !desk.access.allows(Capability::ManageAccess) {
        return Ok(Vec::new());
    }
    Ok(desk
        .store
        .grants
        .list(desk.mailbox)?
        .into_iter()
        .filter(|grant| grant.status() == GrantStatus::Locked)
        .map(|grant| grant.grantee_name)
        .collect())
}

/// Revokes the grant `id` of the mailbox.
pub fn revoke(desk: &Desk, id: &str) -> Outcome<()> {
    desk.require(Capability::ManageAccess)?;
    if !desk
        .store
        .grants
        .revoke(desk.mailbox, &GrantId::new(id), desk.now)?
    {
        return Err(Refusal::NotFound);
    }
    tracing::info!("access was revoked");
    Ok(())
}

/// The grant `id` of the mailbox, if it is not revoked.
pub fn open_grant_of(desk: &Desk, id: &str) -> Outcome<Grant> {
    desk.require(Capability::ManageAccess)?;
    desk.store
        .grants
        .get(desk.mailbox, &GrantId::new(id))?
        .filter(|grant| grant.revoked_at.is_none())
        .ok_or(Refusal::NotFound)
}

/// A new password for the open grant `id`: it unlocks it and ends the sessions opened with
/// the old one.
pub fn set_password(desk: &Desk, id: &GrantId, password: &AccessPassword) -> Outcome<()> {
    desk.require(Capability::ManageAccess)?;
    if !desk.store.grants.set_password(desk.mailbox, id, password)? {
        return Err(Refusal::NotFound);
    }
    tracing::info!("an access password was changed");
    Ok(())
}

/// Changes what the open `grant` allows and which folders it shows, and logs who changed
/// what (the owner's change is logged too: the helper sees it).
pub fn change(
    desk: &Desk,
    grant: &Grant,
    permission: Permission,
    folders: &FolderScope,
) -> Outcome<()> {
    desk.require(Capability::ManageAccess)?;
    let store = desk.store;
    if !store
        .grants
        .change(desk.mailbox, &grant.id, permission, folders)?
    {
        return Err(Refusal::NotFound);
    }
    let folder_list = store.folders.list(desk.mailbox)?;
    store.activity.record(&ActivityEntry::new(
        desk.mailbox.clone(),
        desk.now,
        desk.actor,
        grant.id.clone(),
        ActivityAction::ChangedAccess,
        Some(describe_change(grant, permission, folders, &folder_list)),
    ))?;
    tracing::info!(permission = permission.slug(), "access was changed");
    Ok(())
}

/// What the log says about a change: the helper, and the access and folders from now on.
fn describe_change(
    grant: &Grant,
    permission: Permission,
    folders: &FolderScope,
    folder_list: &[Folder],
) -> String {
    let folders = match folders {
        FolderScope::All => "alle mapper".to_owned(),
        FolderScope::Only(ids) => folder_list
            .iter()
            .filter(|folder| ids.contains(&folder.id))
            .map(|folder| folder.display_name().to_owned())
            .collect::<Vec<_>>()
            .join(", "),
    };
    format!(
        "{}: {} → {} ({folders})",
        grant.grantee_name,
        grant.permission.danish_name(),
        permission.danish_name()
    )
}
