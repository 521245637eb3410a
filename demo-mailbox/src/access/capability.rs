//! What the person working in a mailbox may do there: the permission table.

use super::grant::{FolderScope, GrantId, Permission};
use crate::post::FolderId;

/// How the person working in the current mailbox may open it. Worked out again on every
/// request (a revoked grant stops working at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// The person's own mailbox.
    Owner,
    /// The mailbox of the business the person logged in for (MitID Erhverv).
    Business {
        /// The login may represent the business (`nemlogin.auth_to_repr`, a signatory): it
        /// may give others access to the mailbox.
        may_represent: bool,
    },
    /// The mailbox of an association the person is a member of.
    Member {
        /// The person administers the association: they may give others access to it.
        administrator: bool,
    },
    /// Another person's mailbox, through a grant.
    Helper(Helper),
}

/// A helper's access: through which grant, with what permission, to which folders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Helper {
    /// The grant.
    pub grant: GrantId,
    /// Read, or read and write.
    pub permission: Permission,
    /// The folders the helper sees.
    pub folders: FolderScope,
}

/// Something a person may or may not do in the current mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Read letters (which marks them read) and download their attachments.
    Read,
    /// Mark a letter unread.
    MarkUnread,
    /// Move a letter between folders (into "Slettet" it also takes [`Capability::Delete`]).
    Move,
    /// Forward a letter to another mailbox or an e-mail address.
    Forward,
    /// Create a folder.
    CreateFolder,
    /// Rename an own folder, or delete an empty one.
    ManageFolders,
    /// Delete a letter to "Slettet".
    Delete,
    /// Write a new letter, reply, save and send drafts.
    Compose,
    /// Delete a letter in "Slettet" for good.
    DeletePermanently,
    /// Grant, revoke and re-password access for others.
    ManageAccess,
    /// See the activity log of what helpers did.
    SeeActivity,
}

#[cfg(test)]
impl Capability {
    /// Every capability, for tables and tests.
    pub const ALL: [Capability; 11] = [
        Self::Read,
        Self::MarkUnread,
        Self::Move,
        Self::Forward,
        Self::CreateFolder,
        Self::ManageFolders,
        Self::Delete,
        Self::Compose,
        Self::DeletePermanently,
        Self::ManageAccess,
        Self::SeeActivity,
    ];
}

impl Access {
    /// The permission table. Following Digital Post (*adgange*): read access reads all post,
    /// moves it, organises folders it creates, marks read/unread, forwards and sees the
    /// activity log, but never deletes (not even to "Slettet"), replies, writes or grants
    /// access; read and write access also writes, replies, deletes to "Slettet" and renames or
    /// deletes folders, but never deletes for good nor grants access. The owner grants access;
    /// so does, for a business's mailbox, a person whose business login may represent it, and
    /// for an association's, its administrator. They also see the activity log; other people
    /// working in a business's or association's mailbox do everything else.
    pub fn allows(&self, capability: Capability) -> bool {
        use Capability::*;
        match self {
            Self::Owner => true,
            Self::Business {
                may_represent: manages,
            }
            | Self::Member {
                administrator: manages,
            } => *manages || !matches!(capability, ManageAccess | SeeActivity),
            Self::Helper(helper) => match capability {
                Read | MarkUnread | Move | Forward | CreateFolder | SeeActivity => true,
                ManageFolders | Delete | Compose => helper.permission == Permission::ReadWrite,
                DeletePermanently | ManageAccess => false,
            },
        }
    }

    /// Whether the folder `id` (of the current mailbox) is visible: a helper sees only the
    /// granted folders.
    pub fn sees_folder(&self, id: &FolderId) -> bool {
        match self {
            Self::Helper(helper) => helper.folders.includes(id),
            _ => true,
        }
    }

    /// The helper's access, if the person is one.
    pub fn helper(&self) -> Option<&Helper> {
        match self {
            Self::Helper(helper) => Some(helper),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper(permission: Permission) -> Access {
        Access::Helper(Helper {
            grant: GrantId::random(),
            permission,
            folders: FolderScope::All,
        })
    }

    /// The table, written out: a change to it must change this test.
    #[test]
    fn the_permission_table() {
        use Capability::*;
        let read = helper(Permission::Read);
        let read_write = helper(Permission::ReadWrite);
        let table = [
            // capability, owner, representative/administrator, employee/member, read, read+write
            (Read, true, true, true, true, true),
            (MarkUnread, true, true, true, true, true),
            (Move, true, true, true, true, true),
            (Forward, true, true, true, true, true),
            (CreateFolder, true, true, true, true, true),
            (ManageFolders, true, true, true, false, true),
            (Delete, true, true, true, false, true),
            (Compose, true, true, true, false, true),
            (DeletePermanently, true, true, true, false, false),
            (ManageAccess, true, true, false, false, false),
            (SeeActivity, true, true, false, true, true),
        ];
        assert_eq!(table.len(), Capability::ALL.len());
        for (capability, owner, manager, organisation, read_only, both) in table {
            assert_eq!(Access::Owner.allows(capability), owner, "{capability:?}");
            for (may, access) in [
                (
                    manager,
                    Access::Business {
                        may_represent: true,
                    },
                ),
                (
                    manager,
                    Access::Member {
                        administrator: true,
                    },
                ),
                (
                    organisation,
                    Access::Business {
                        may_represent: false,
                    },
                ),
                (
                    organisation,
                    Access::Member {
                        administrator: false,
                    },
                ),
            ] {
                assert_eq!(access.allows(capability), may, "{access:?} {capability:?}");
            }
            assert_eq!(read.allows(capability), read_only, "{capability:?}");
            assert_eq!(read_write.allows(capability), both, "{capability:?}");
        }
    }

    #[test]
    fn a_helper_sees_only_granted_folders() {
        let granted = FolderId::random();
        let helper = Access::Helper(Helper {
            grant: GrantId::random(),
            permission: Permission::ReadWrite,
            folders: FolderScope::Only(vec![granted.clone()]),
        });
        assert!(helper.sees_folder(&granted));
        assert!(!helper.sees_folder(&FolderId::random()));
        assert!(Access::Owner.sees_folder(&FolderId::random()));
    }
}
