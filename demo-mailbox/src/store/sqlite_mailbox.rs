//! Mailboxes in SQLite: the owner as columns (looked up by), the rest as JSON.

use rusqlite::{params, Row};
use serde::{Deserialize, Serialize};

use super::sqlite::{db, from_json, insert_folder, insert_letter, to_json};
use super::{MailboxStore, SqliteStore, StoreResult};
use crate::post::{Mailbox, MailboxId, NewMailbox, Owner, UnixTime};
use crate::store::StoreError;

/// A mailbox's JSON data: what is not a column.
#[derive(Serialize, Deserialize)]
struct MailboxData {
    created_at: UnixTime,
    /// Added with exemptions; older rows have none and are not exempt.
    #[serde(default)]
    exempt: bool,
}

fn owner_from(kind: &str, key: String) -> StoreResult<Owner> {
    Ok(match kind {
        "cpr" => Owner::PersonByCpr(key),
        "sub" => Owner::PersonBySubject(key),
        "cvr" => Owner::Business(key),
        "association" => Owner::Association(key),
        other => return Err(StoreError::Corrupt(format!("owner kind {other}"))),
    })
}

impl MailboxStore for SqliteStore {
    fn create(&self, new: &NewMailbox) -> StoreResult<()> {
        let mut conn = self.conn()?;
        let transaction = conn.transaction().map_err(db)?;
        let mailbox = &new.mailbox;
        transaction
            .execute(
                "INSERT INTO mailboxes (id, owner_kind, owner_key, data) VALUES (?1, ?2, ?3, ?4)",
                params![
                    mailbox.id.as_str(),
                    mailbox.owner.kind(),
                    mailbox.owner.key(),
                    to_json(&MailboxData {
                        created_at: mailbox.created_at,
                        exempt: mailbox.exempt,
                    })?
                ],
            )
            .map_err(db)?;
        for folder in &new.folders {
            insert_folder(&transaction, folder)?;
        }
        for letter in &new.letters {
            insert_letter(&transaction, letter)?;
        }
        transaction.commit().map_err(db)
    }

    fn by_owner(&self, owner: &Owner) -> StoreResult<Option<Mailbox>> {
        self.query_one(
            &format!(
                "SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE owner_kind = ?1 AND owner_key = ?2"
            ),
            params![owner.kind(), owner.key()],
            mailbox_row,
        )?
        .map(mailbox_from)
        .transpose()
    }

    fn get(&self, id: &MailboxId) -> StoreResult<Option<Mailbox>> {
        self.query_one(
            &format!("SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE id = ?1"),
            params![id.as_str()],
            mailbox_row,
        )?
        .map(mailbox_from)
        .transpose()
    }

    fn first_seeding(&self, seed: &str) -> StoreResult<bool> {
        let key = format!("{seed}_seeded");
        Ok(self.execute(
            "INSERT INTO meta (key, value) VALUES (?1, '1') ON CONFLICT (key) DO NOTHING",
            [key.as_str()],
        )? > 0)
    }

    fn set_exempt(&self, id: &MailboxId, exempt: bool) -> StoreResult<bool> {
        self.change_data(
            "mailboxes",
            id.as_str(),
            "id = ?1",
            &[],
            |data: &mut MailboxData| {
                data.exempt = exempt;
                true
            },
        )
    }
}

const MAILBOX_COLUMNS: &str = "id, owner_kind, owner_key, data";

fn mailbox_row(row: &Row<'_>) -> rusqlite::Result<(String, String, String, String)> {
    row.try_into()
}

fn mailbox_from((id, kind, key, data): (String, String, String, String)) -> StoreResult<Mailbox> {
    let data: MailboxData = from_json(&data)?;
    Ok(Mailbox {
        id: MailboxId::from_stored(id),
        owner: owner_from(&kind, key)?,
        created_at: data.created_at,
        exempt: data.exempt,
    })
}
