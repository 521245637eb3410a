//! The person's own folders, at a [`Desk`]: creating, renaming and deleting one (only when it
//! is empty). A folder a helper creates joins the folders their grant shows them.

use super::folder::{Folder, FolderName};
use crate::access::desk::{Desk, Outcome, Refusal};
use crate::access::{ActivityAction, Capability};
use crate::store::{FolderDeletion, StoreError};

/// Another own folder already has the name.
fn name_taken(error: StoreError) -> Refusal {
    match error {
        StoreError::Conflict(_) => Refusal::FolderNameTaken,
        other => Refusal::Storage(other),
    }
}

/// Creates an own folder called `name`.
pub fn create(desk: &Desk, name: &str) -> Outcome<Folder> {
    desk.require(Capability::CreateFolder)?;
    let name = FolderName::parse(name).map_err(Refusal::BadFolderName)?;
    let folder = Folder::own(desk.mailbox, name);
    desk.store.folders.create(&folder).map_err(name_taken)?;
    if let Some(helper) = desk.access.helper() {
        desk.store
            .grants
            .add_folder(desk.mailbox, &helper.grant, &folder.id)?;
    }
    desk.log(
        ActivityAction::CreatedFolder,
        Some(folder.display_name().to_owned()),
    )?;
    Ok(folder)
}

/// Renames the own folder `id` to `name` (a standard folder keeps its name); the new name.
pub fn rename(desk: &Desk, id: &str, name: &str) -> Outcome<FolderName> {
    desk.require(Capability::ManageFolders)?;
    let folder = desk.folder(id)?;
    if !folder.is_own() {
        return Err(Refusal::StandardFolder);
    }
    let name = FolderName::parse(name).map_err(Refusal::BadFolderName)?;
    let renamed = desk
        .store
        .folders
        .rename(desk.mailbox, &folder.id, &name)
        .map_err(name_taken)?;
    if !renamed {
        return Err(Refusal::NotFound);
    }
    desk.log(
        ActivityAction::RenamedFolder,
        Some(format!("{} → {}", folder.display_name(), name.as_str())),
    )?;
    Ok(name)
}

/// Deletes the own folder `id`, only when no letter lies in it; the folder deleted.
pub fn delete(desk: &Desk, id: &str) -> Outcome<Folder> {
    desk.require(Capability::ManageFolders)?;
    let folder = desk.folder(id)?;
    match desk
        .store
        .folders
        .delete_if_empty(desk.mailbox, &folder.id)?
    {
        FolderDeletion::Deleted => {
            desk.log(
                ActivityAction::DeletedFolder,
                Some(folder.display_name().to_owned()),
            )?;
            Ok(folder)
        }
        FolderDeletion::NotEmpty => Err(Refusal::FolderNotEmpty),
        FolderDeletion::Standard => Err(Refusal::StandardFolder),
        FolderDeletion::NotFound => Err(Refusal::NotFound),
    }
}
