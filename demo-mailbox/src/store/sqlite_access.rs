//! Access for others in SQLite: grants (what is queried or changes as columns, the rest as
//! JSON), the activity log, and association memberships.

use rusqlite::{params, Connection, Row};
use serde::{Deserialize, Serialize};

use super::sqlite::{db, from_json, to_json};
use super::{ActivityStore, GrantStore, MembershipStore, SqliteStore, StoreResult};
use crate::access::{
    AccessPassword, ActivityEntry, Cpr, FolderScope, Grant, GrantId, Membership, Permission, Role,
};
use crate::post::{FolderId, MailboxId, UnixTime};
use crate::store::StoreError;

/// A grant's JSON data: what is shown, not queried.
#[derive(Serialize, Deserialize)]
struct GrantData {
    grantee_name: String,
    /// Added with the names from the broker; older grants' names are the typed ones.
    #[serde(default)]
    name_checked: bool,
    owner_name: String,
    permission: Permission,
    folders: FolderScope,
}

const GRANT_COLUMNS: &str =
    "id, mailbox_id, grantee_cpr, created_at, revoked_at, failed_attempts, version, password_hash, data";

type GrantRow = (
    String,
    String,
    String,
    UnixTime,
    Option<UnixTime>,
    u32,
    u32,
    String,
    String,
);

fn grant_row(row: &Row<'_>) -> rusqlite::Result<GrantRow> {
    row.try_into()
}

fn grant_from(
    (id, mailbox, grantee, created_at, revoked_at, failed_attempts, version, hash, data): GrantRow,
) -> StoreResult<Grant> {
    let data: GrantData = from_json(&data)?;
    Ok(Grant {
        id: GrantId::new(id),
        mailbox: MailboxId::from_stored(mailbox),
        grantee: Cpr::from_stored(&grantee)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?,
        grantee_name: data.grantee_name,
        name_checked: data.name_checked,
        owner_name: data.owner_name,
        permission: data.permission,
        folders: data.folders,
        password: AccessPassword::from_stored(hash),
        failed_attempts,
        version,
        created_at,
        revoked_at,
    })
}

/// The extra condition for a grant that is not revoked.
const OPEN: &str = " AND revoked_at IS NULL";

impl SqliteStore {
    /// The one read-modify-write of a grant's JSON data: the grant `id` of `mailbox` (and
    /// `also`, e.g. [`OPEN`]), changed by `change` in one transaction. False if there is none.
    fn change_grant_data(
        &self,
        mailbox: &MailboxId,
        id: &GrantId,
        also: &str,
        change: impl FnOnce(&mut GrantData) -> bool,
    ) -> StoreResult<bool> {
        self.change_data(
            "grants",
            id.as_str(),
            &format!("id = ?1 AND mailbox_id = ?2{also}"),
            &[mailbox.as_str()],
            change,
        )
    }

    /// The grants `condition` (over `values`) picks, newest first.
    fn grants_where(&self, condition: &str, values: &[&str]) -> StoreResult<Vec<Grant>> {
        self.query_all(
            &format!(
                "SELECT {GRANT_COLUMNS} FROM grants WHERE {condition}
                 ORDER BY created_at DESC, rowid DESC"
            ),
            rusqlite::params_from_iter(values),
            grant_row,
            grant_from,
        )
    }

    /// The grant `id` that `also` (over `?2`, `value`) picks, if any.
    fn grant_where(&self, id: &GrantId, also: &str, value: &str) -> StoreResult<Option<Grant>> {
        Ok(self
            .grants_where(&format!("id = ?1 AND {also}"), &[id.as_str(), value])?
            .pop())
    }
}

impl GrantStore for SqliteStore {
    fn create(&self, grant: &Grant) -> StoreResult<()> {
        let data = to_json(&GrantData {
            grantee_name: grant.grantee_name.clone(),
            name_checked: grant.name_checked,
            owner_name: grant.owner_name.clone(),
            permission: grant.permission,
            folders: grant.folders.clone(),
        })?;
        self.execute(
            &format!(
                "INSERT INTO grants ({GRANT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                grant.id.as_str(),
                grant.mailbox.as_str(),
                grant.grantee.as_str(),
                grant.created_at,
                grant.revoked_at,
                grant.failed_attempts,
                grant.version,
                grant.password.as_phc(),
                data,
            ],
        )?;
        Ok(())
    }

    fn get(&self, mailbox: &MailboxId, id: &GrantId) -> StoreResult<Option<Grant>> {
        self.grant_where(id, "mailbox_id = ?2", mailbox.as_str())
    }

    fn list(&self, mailbox: &MailboxId) -> StoreResult<Vec<Grant>> {
        self.grants_where("mailbox_id = ?1", &[mailbox.as_str()])
    }

    fn get_for_grantee(&self, grantee: &Cpr, id: &GrantId) -> StoreResult<Option<Grant>> {
        self.grant_where(id, "grantee_cpr = ?2", grantee.as_str())
    }

    fn for_grantee(&self, grantee: &Cpr) -> StoreResult<Vec<Grant>> {
        self.grants_where(
            "grantee_cpr = ?1 AND revoked_at IS NULL",
            &[grantee.as_str()],
        )
    }

    fn revoke(&self, mailbox: &MailboxId, id: &GrantId, now: UnixTime) -> StoreResult<bool> {
        let changed = self.execute(
            "UPDATE grants SET revoked_at = ?3
             WHERE id = ?1 AND mailbox_id = ?2 AND revoked_at IS NULL",
            params![id.as_str(), mailbox.as_str(), now],
        )?;
        Ok(changed > 0)
    }

    fn set_password(
        &self,
        mailbox: &MailboxId,
        id: &GrantId,
        password: &AccessPassword,
    ) -> StoreResult<bool> {
        let changed = self.execute(
            "UPDATE grants SET password_hash = ?3, failed_attempts = 0, version = version + 1
             WHERE id = ?1 AND mailbox_id = ?2 AND revoked_at IS NULL",
            params![id.as_str(), mailbox.as_str(), password.as_phc()],
        )?;
        Ok(changed > 0)
    }

    fn reserve_attempt(&self, grantee: &Cpr, id: &GrantId, limit: u32) -> StoreResult<Option<u32>> {
        self.query_one(
            "UPDATE grants SET failed_attempts = failed_attempts + 1
             WHERE id = ?1 AND grantee_cpr = ?2 AND revoked_at IS NULL AND failed_attempts < ?3
             RETURNING failed_attempts",
            params![id.as_str(), grantee.as_str(), limit],
            |row| row.get(0),
        )
    }

    fn clear_failed_attempts(&self, grantee: &Cpr, id: &GrantId) -> StoreResult<()> {
        self.execute(
            "UPDATE grants SET failed_attempts = 0 WHERE id = ?1 AND grantee_cpr = ?2",
            params![id.as_str(), grantee.as_str()],
        )?;
        Ok(())
    }

    fn change(
        &self,
        mailbox: &MailboxId,
        id: &GrantId,
        permission: Permission,
        folders: &FolderScope,
    ) -> StoreResult<bool> {
        self.change_grant_data(mailbox, id, OPEN, |data| {
            data.permission = permission;
            data.folders = folders.clone();
            true
        })
    }

    fn add_folder(&self, mailbox: &MailboxId, id: &GrantId, folder: &FolderId) -> StoreResult<()> {
        self.change_grant_data(mailbox, id, "", |data| match &mut data.folders {
            FolderScope::Only(folders) if !folders.contains(folder) => {
                folders.push(folder.clone());
                true
            }
            _ => false,
        })?;
        Ok(())
    }
}

impl ActivityStore for SqliteStore {
    fn record(&self, entry: &ActivityEntry) -> StoreResult<()> {
        let data = to_json(entry)?;
        self.execute(
            "INSERT INTO activity (id, mailbox_id, at, data) VALUES (?1, ?2, ?3, ?4)",
            params![entry.id, entry.mailbox.as_str(), entry.at, data],
        )?;
        Ok(())
    }

    fn for_mailbox(&self, mailbox: &MailboxId, limit: usize) -> StoreResult<Vec<ActivityEntry>> {
        self.query_all(
            "SELECT data FROM activity WHERE mailbox_id = ?1
             ORDER BY at DESC, rowid DESC LIMIT ?2",
            params![mailbox.as_str(), i64::try_from(limit).unwrap_or(i64::MAX)],
            |row| row.get::<_, String>(0),
            |data| from_json(&data),
        )
    }
}

const MEMBERSHIP_COLUMNS: &str = "cpr, cvr, name, role";

fn membership_from(row: &Row<'_>) -> rusqlite::Result<(String, String, String, String)> {
    row.try_into()
}

fn membership((cpr, cvr, name, role): (String, String, String, String)) -> StoreResult<Membership> {
    Ok(Membership {
        cpr: Cpr::from_stored(&cpr).map_err(|error| StoreError::Corrupt(error.to_string()))?,
        cvr,
        name,
        role: Role::from_slug(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("membership role {role:?}")))?,
    })
}

impl SqliteStore {
    fn memberships_where(&self, condition: &str, values: &[&str]) -> StoreResult<Vec<Membership>> {
        self.query_all(
            &format!(
                "SELECT {MEMBERSHIP_COLUMNS} FROM memberships WHERE {condition}
                 ORDER BY name COLLATE NOCASE, cvr, cpr"
            ),
            rusqlite::params_from_iter(values),
            membership_from,
            membership,
        )
    }
}

/// Adds `membership`, or gives the one that exists its name and role.
fn upsert_membership(conn: &Connection, membership: &Membership) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO memberships (cpr, cvr, name, role) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (cpr, cvr) DO UPDATE SET name = excluded.name, role = excluded.role",
        params![
            membership.cpr.as_str(),
            membership.cvr,
            membership.name,
            membership.role.slug(),
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// The `meta` key set once the seeded memberships were added.
const MEMBERSHIPS_SEEDED: &str = "memberships_seeded";

impl MembershipStore for SqliteStore {
    fn add(&self, membership: &Membership) -> StoreResult<bool> {
        let mut conn = self.conn()?;
        let transaction = conn.transaction().map_err(db)?;
        let existed: bool = transaction
            .query_row(
                "SELECT COUNT(*) > 0 FROM memberships WHERE cpr = ?1 AND cvr = ?2",
                params![membership.cpr.as_str(), membership.cvr],
                |row| row.get(0),
            )
            .map_err(db)?;
        upsert_membership(&transaction, membership)?;
        // An association has one name: every member's membership carries it.
        transaction
            .execute(
                "UPDATE memberships SET name = ?2 WHERE cvr = ?1 AND name <> ?2",
                params![membership.cvr, membership.name],
            )
            .map_err(db)?;
        transaction.commit().map_err(db)?;
        Ok(!existed)
    }

    fn seed(&self, memberships: &[Membership]) -> StoreResult<()> {
        let mut conn = self.conn()?;
        let transaction = conn.transaction().map_err(db)?;
        let first = transaction
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, '1') ON CONFLICT (key) DO NOTHING",
                [MEMBERSHIPS_SEEDED],
            )
            .map_err(db)?
            > 0;
        if first {
            for membership in memberships {
                upsert_membership(&transaction, membership)?;
            }
        }
        transaction.commit().map_err(db)
    }

    fn list(&self) -> StoreResult<Vec<Membership>> {
        self.memberships_where("1 = 1", &[])
    }

    fn of_person(&self, cpr: &Cpr) -> StoreResult<Vec<Membership>> {
        self.memberships_where("cpr = ?1", &[cpr.as_str()])
    }

    fn get(&self, cpr: &Cpr, cvr: &str) -> StoreResult<Option<Membership>> {
        Ok(self
            .memberships_where("cpr = ?1 AND cvr = ?2", &[cpr.as_str(), cvr])?
            .pop())
    }

    fn remove(&self, cpr: &Cpr, cvr: &str) -> StoreResult<bool> {
        let removed = self.execute(
            "DELETE FROM memberships WHERE cpr = ?1 AND cvr = ?2",
            params![cpr.as_str(), cvr],
        )?;
        Ok(removed > 0)
    }
}
