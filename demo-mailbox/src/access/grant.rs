//! A grant: the owner of a mailbox lets another person, named by CPR number, open it with
//! read access or read and write access, in the folders the owner chose, with a password
//! the owner hands over outside the system.

use serde::{Deserialize, Serialize};

use super::cpr::Cpr;
use super::password::{AccessPassword, MAX_FAILED_ATTEMPTS};
use crate::id::id_type;
use crate::post::{FolderId, MailboxId, UnixTime};

id_type! {
    /// A grant's id: random, so it says nothing about the mailbox or the people.
    pub struct GrantId;
    /// An id as it came in a URL or form (it may name no grant).
    pub fn new;
}

/// What a helper may do (Digital Post's *læseadgang* and *læse- og skriveadgang*); the full
/// table is [`super::Access::allows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read, move, mark read/unread, forward, create folders, see the activity log.
    Read,
    /// Also write, reply, drafts, delete to "Slettet", rename and delete folders.
    ReadWrite,
}

impl Permission {
    /// The form value.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::ReadWrite => "read_write",
        }
    }

    /// The permission named by its form value.
    pub fn from_slug(slug: &str) -> Option<Self> {
        match slug {
            "read" => Some(Self::Read),
            "read_write" => Some(Self::ReadWrite),
            _ => None,
        }
    }

    /// The Danish name.
    pub fn danish_name(self) -> &'static str {
        match self {
            Self::Read => "Læseadgang",
            Self::ReadWrite => "Læse- og skriveadgang",
        }
    }

    /// The English name.
    pub fn english_name(self) -> &'static str {
        match self {
            Self::Read => "Read access",
            Self::ReadWrite => "Read and write access",
        }
    }
}

/// The folders a helper sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FolderScope {
    /// Every folder, also ones made later.
    All,
    /// Only these (folders the helper creates are added).
    Only(Vec<FolderId>),
}

impl FolderScope {
    /// Whether the folder `id` is in scope.
    pub fn includes(&self, id: &FolderId) -> bool {
        match self {
            Self::All => true,
            Self::Only(ids) => ids.contains(id),
        }
    }
}

/// Where a grant stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantStatus {
    /// The helper may open the mailbox with the password.
    Active,
    /// Too many wrong passwords: nobody opens it until the owner sets a new password.
    Locked,
    /// The owner ended it: it opens nothing, and sessions using it are refused.
    Revoked,
}

/// Access to one mailbox for one other person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Its id.
    pub id: GrantId,
    /// The mailbox it opens.
    pub mailbox: MailboxId,
    /// The helper, by CPR number.
    pub grantee: Cpr,
    /// The helper's name as the owner typed it (the owner's label; the activity log shows
    /// the name from the helper's own login).
    pub grantee_name: String,
    /// Whether `grantee_name` is the name the broker knows for the CPR number (else it is the
    /// name the owner typed, unchecked).
    pub name_checked: bool,
    /// The owner's name, shown to the helper when choosing a mailbox.
    pub owner_name: String,
    /// What the helper may do.
    pub permission: Permission,
    /// Which folders the helper sees.
    pub folders: FolderScope,
    /// The access password's hash.
    pub password: AccessPassword,
    /// Wrong passwords since the last right one (or the last new password).
    pub failed_attempts: u32,
    /// Bumped by every new password, so sessions opened with the old one are refused.
    pub version: u32,
    /// When it was made, by the mailbox's clock.
    pub created_at: UnixTime,
    /// When the owner revoked it.
    pub revoked_at: Option<UnixTime>,
}

impl Grant {
    /// A new, active grant.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        mailbox: MailboxId,
        grantee: Cpr,
        grantee_name: String,
        owner_name: String,
        permission: Permission,
        folders: FolderScope,
        password: AccessPassword,
        now: UnixTime,
    ) -> Self {
        Self {
            id: GrantId::random(),
            mailbox,
            grantee,
            grantee_name,
            name_checked: false,
            owner_name,
            permission,
            folders,
            password,
            failed_attempts: 0,
            version: 1,
            created_at: now,
            revoked_at: None,
        }
    }

    /// Active, locked or revoked.
    pub fn status(&self) -> GrantStatus {
        if self.revoked_at.is_some() {
            GrantStatus::Revoked
        } else if self.failed_attempts >= MAX_FAILED_ATTEMPTS {
            GrantStatus::Locked
        } else {
            GrantStatus::Active
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_round_trip_their_slug() {
        for permission in [Permission::Read, Permission::ReadWrite] {
            assert_eq!(Permission::from_slug(permission.slug()), Some(permission));
        }
        assert_eq!(Permission::from_slug("admin"), None);
    }

    #[test]
    fn a_scope_of_some_folders_includes_only_those() {
        let a = FolderId::random();
        assert!(FolderScope::All.includes(&a));
        assert!(FolderScope::Only(vec![a.clone()]).includes(&a));
        assert!(!FolderScope::Only(vec![a]).includes(&FolderId::random()));
    }

    #[test]
    fn status_follows_revocation_and_failed_attempts() {
        let mut grant = Grant::new(
            MailboxId::random(),
            Cpr::parse("7204901236").unwrap(),
            "Bo".to_owned(),
            "Anna".to_owned(),
            Permission::Read,
            FolderScope::All,
            AccessPassword::from_stored("$argon2id$x".to_owned()),
            0,
        );
        assert_eq!(grant.status(), GrantStatus::Active);
        grant.failed_attempts = MAX_FAILED_ATTEMPTS - 1;
        assert_eq!(grant.status(), GrantStatus::Active);
        grant.failed_attempts = MAX_FAILED_ATTEMPTS;
        assert_eq!(grant.status(), GrantStatus::Locked);
        grant.revoked_at = Some(1);
        assert_eq!(grant.status(), GrantStatus::Revoked);
    }
}
