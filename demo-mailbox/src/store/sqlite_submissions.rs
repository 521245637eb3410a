//! One-time form submissions in SQLite: `(mailbox_id, id)` is the primary key, so a second
//! claim of the same id in the same mailbox never inserts.

use rusqlite::{params, OptionalExtension};

use super::sqlite::db;
use super::{SqliteStore, StoreResult, SubmissionStore};
use crate::post::{Claim, LetterId, MailboxId, SubmissionId, UnixTime};

impl SubmissionStore for SqliteStore {
    fn claim(&self, mailbox: &MailboxId, id: &SubmissionId, now: UnixTime) -> StoreResult<Claim> {
        // One connection, one lock: the insert and the look-up see the same row.
        let conn = self.conn()?;
        let inserted = conn
            .execute(
                "INSERT INTO submissions (mailbox_id, id, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (mailbox_id, id) DO NOTHING",
                params![mailbox.as_str(), id.as_str(), now],
            )
            .map_err(db)?;
        if inserted == 1 {
            return Ok(Claim::New);
        }
        let letter: Option<Option<String>> = conn
            .query_row(
                "SELECT letter_id FROM submissions WHERE mailbox_id = ?1 AND id = ?2",
                params![mailbox.as_str(), id.as_str()],
                |row| row.get(0),
            )
            .optional()
            .map_err(db)?;
        Ok(Claim::Taken(letter.flatten().map(LetterId::new)))
    }

    fn complete(
        &self,
        mailbox: &MailboxId,
        id: &SubmissionId,
        letter: &LetterId,
    ) -> StoreResult<()> {
        self.execute(
            "UPDATE submissions SET letter_id = ?3 WHERE mailbox_id = ?1 AND id = ?2",
            params![mailbox.as_str(), id.as_str(), letter.as_str()],
        )?;
        Ok(())
    }

    fn release(&self, mailbox: &MailboxId, id: &SubmissionId) -> StoreResult<()> {
        self.execute(
            "DELETE FROM submissions WHERE mailbox_id = ?1 AND id = ?2 AND letter_id IS NULL",
            params![mailbox.as_str(), id.as_str()],
        )?;
        Ok(())
    }
}
