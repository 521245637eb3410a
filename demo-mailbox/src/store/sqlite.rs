//! SQLite storage: one connection behind a mutex (SQLite serialises writers anyway, and every
//! statement here is a short indexed lookup). Rows keep what is queried or changes as columns
//! (owner, folder, read) and what never changes as JSON (a letter's content), so the schema
//! stays portable to a server database.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, Params, Row};
use serde::{Deserialize, Serialize};

use super::{FolderDeletion, FolderStore, LetterStore, StoreError, StoreResult};
use crate::post::{
    Folder, FolderId, FolderKind, FolderName, Letter, LetterContent, LetterId, MailboxId,
    StandardFolder, UnixTime,
};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS mailboxes (
    id TEXT PRIMARY KEY,
    owner_kind TEXT NOT NULL,
    owner_key TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (owner_kind, owner_key));
CREATE TABLE IF NOT EXISTS folders (
    id TEXT PRIMARY KEY,
    mailbox_id TEXT NOT NULL REFERENCES mailboxes(id),
    kind TEXT NOT NULL,
    name TEXT,
    position INTEGER NOT NULL,
    UNIQUE (mailbox_id, name));
CREATE TABLE IF NOT EXISTS letters (
    id TEXT PRIMARY KEY,
    mailbox_id TEXT NOT NULL REFERENCES mailboxes(id),
    folder_id TEXT NOT NULL REFERENCES folders(id),
    received_at INTEGER NOT NULL,
    read INTEGER NOT NULL,
    data TEXT NOT NULL,
    deleted_from TEXT);
CREATE INDEX IF NOT EXISTS letters_folder ON letters(mailbox_id, folder_id, received_at);
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    channel TEXT NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS outbox_created ON outbox(created_at);
CREATE TABLE IF NOT EXISTS grants (
    id TEXT PRIMARY KEY,
    mailbox_id TEXT NOT NULL REFERENCES mailboxes(id),
    grantee_cpr TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    failed_attempts INTEGER NOT NULL,
    version INTEGER NOT NULL,
    password_hash TEXT NOT NULL,
    data TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS grants_active ON grants(mailbox_id, grantee_cpr)
    WHERE revoked_at IS NULL;
CREATE INDEX IF NOT EXISTS grants_grantee ON grants(grantee_cpr);
CREATE TABLE IF NOT EXISTS activity (
    id TEXT PRIMARY KEY,
    mailbox_id TEXT NOT NULL REFERENCES mailboxes(id),
    at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS activity_mailbox ON activity(mailbox_id, at);
CREATE TABLE IF NOT EXISTS memberships (
    cpr TEXT NOT NULL,
    cvr TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'member',
    PRIMARY KEY (cpr, cvr));
CREATE TABLE IF NOT EXISTS submissions (
    mailbox_id TEXT NOT NULL REFERENCES mailboxes(id),
    id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    letter_id TEXT,
    PRIMARY KEY (mailbox_id, id));
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL);
"#;

/// The `kind` of an own folder (standard folders store their slug).
const OWN_KIND: &str = "own";
/// Own folders sort after the standard ones.
const OWN_POSITION: i64 = 100;

/// All the mailbox's stores in one SQLite database.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

pub(super) fn db(error: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, ref message) = error {
        if failure.code == rusqlite::ErrorCode::ConstraintViolation {
            return StoreError::Conflict(message.clone().unwrap_or_else(|| "row".into()));
        }
    }
    StoreError::Db(error.to_string())
}

pub(super) fn to_json<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|error| StoreError::Corrupt(error.to_string()))
}

pub(super) fn from_json<T: for<'de> Deserialize<'de>>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|error| StoreError::Corrupt(error.to_string()))
}

impl SqliteStore {
    /// Opens (and creates on first use) the database file.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open(path).map_err(db)?;
        // WAL with synchronous=NORMAL: every commit survives a crash of the mailbox process,
        // and an operating-system crash or power loss can lose the latest commits but cannot
        // corrupt the database. The syncs are SQLite's own checkpoints' (one per 1,000 pages
        // written): a mailbox writes a few pages per page view, so they are rare, unlike the
        // broker's under a login load (which takes them on a thread of its own).
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        )
        .map_err(db)?;
        Self::init(conn)
    }

    /// A private in-memory database (tests, and a mailbox without a data directory).
    pub fn in_memory() -> StoreResult<Self> {
        Self::init(Connection::open_in_memory().map_err(db)?)
    }

    fn init(conn: Connection) -> StoreResult<Self> {
        conn.execute_batch("PRAGMA foreign_keys=ON;").map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        // Databases from before roles: every membership was a plain one.
        let has_role: bool = conn
            .query_row(
                "SELECT COUNT(*) > 0 FROM pragma_table_info('memberships') WHERE name = 'role'",
                [],
                |row| row.get(0),
            )
            .map_err(db)?;
        if !has_role {
            conn.execute_batch(
                "ALTER TABLE memberships ADD COLUMN role TEXT NOT NULL DEFAULT 'member';",
            )
            .map_err(db)?;
        }
        // Databases from before restoring: letters in Slettet there are restored to the
        // standard folder of their kind.
        add_column_if_missing(&conn, "letters", "deleted_from", "TEXT")?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    pub(super) fn conn(&self) -> StoreResult<MutexGuard<'_, Connection>> {
        self.conn
            .lock()
            .map_err(|_| StoreError::Db("connection lock poisoned".into()))
    }

    /// Runs one (cached) statement; how many rows it changed.
    pub(super) fn execute(&self, sql: &str, params: impl Params) -> StoreResult<usize> {
        self.conn()?
            .prepare_cached(sql)
            .and_then(|mut statement| statement.execute(params))
            .map_err(db)
    }

    /// The row `sql` selects, read by `row`; `None` if there is none.
    pub(super) fn query_one<T>(
        &self,
        sql: &str,
        params: impl Params,
        row: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> StoreResult<Option<T>> {
        self.conn()?
            .prepare_cached(sql)
            .and_then(|mut statement| statement.query_row(params, row).optional())
            .map_err(db)
    }

    /// Every row `sql` selects, read by `row` and made a value by `value`.
    pub(super) fn query_all<R, T>(
        &self,
        sql: &str,
        params: impl Params,
        row: impl FnMut(&Row<'_>) -> rusqlite::Result<R>,
        mut value: impl FnMut(R) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let conn = self.conn()?;
        let mut statement = conn.prepare_cached(sql).map_err(db)?;
        let rows = statement.query_map(params, row).map_err(db)?;
        rows.map(|read| value(read.map_err(db)?)).collect()
    }

    /// Changes the JSON `data` of one row of `table` in one transaction: the row with `id`
    /// that `condition` picks (`?1` is the id, `?2`... are `scope`) is read, `change` edits its
    /// data and answers whether it changed anything, and only then is it written back. False
    /// if no row matched.
    pub(super) fn change_data<T: Serialize + for<'de> Deserialize<'de>>(
        &self,
        table: &str,
        id: &str,
        condition: &str,
        scope: &[&str],
        change: impl FnOnce(&mut T) -> bool,
    ) -> StoreResult<bool> {
        let mut conn = self.conn()?;
        let transaction = conn.transaction().map_err(db)?;
        let data: Option<String> = transaction
            .query_row(
                &format!("SELECT data FROM {table} WHERE {condition}"),
                rusqlite::params_from_iter(std::iter::once(id).chain(scope.iter().copied())),
                |row| row.get(0),
            )
            .optional()
            .map_err(db)?;
        let Some(data) = data else {
            return Ok(false);
        };
        let mut data: T = from_json(&data)?;
        if change(&mut data) {
            transaction
                .execute(
                    &format!("UPDATE {table} SET data = ?2 WHERE id = ?1"),
                    params![id, to_json(&data)?],
                )
                .map_err(db)?;
            transaction.commit().map_err(db)?;
        }
        Ok(true)
    }
}

/// Adds `column` (of SQL type `kind`) to `table` unless it has it already (a database made by
/// an older mailbox). `table`, `column` and `kind` are constants of this file, never input.
fn add_column_if_missing(
    conn: &Connection,
    table: &str,
    column: &str,
    kind: &str,
) -> StoreResult<()> {
    let has: bool = conn
        .query_row(
            "SELECT COUNT(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
            params![table, column],
            |row| row.get(0),
        )
        .map_err(db)?;
    if !has {
        conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind};"))
            .map_err(db)?;
    }
    Ok(())
}

pub(super) fn insert_folder(conn: &Connection, folder: &Folder) -> StoreResult<()> {
    let (kind, name, position) = match &folder.kind {
        FolderKind::Standard(which) => {
            let position = StandardFolder::ALL
                .iter()
                .position(|standard| standard == which)
                .unwrap_or_default();
            (which.slug(), None, i64::try_from(position).unwrap_or(0))
        }
        FolderKind::Own(name) => (OWN_KIND, Some(name.as_str()), OWN_POSITION),
    };
    conn.prepare_cached(
        "INSERT INTO folders (id, mailbox_id, kind, name, position) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            folder.id.as_str(),
            folder.mailbox.as_str(),
            kind,
            name,
            position
        ])
    })
    .map_err(db)?;
    Ok(())
}

pub(super) fn insert_letter(conn: &Connection, letter: &Letter) -> StoreResult<()> {
    let data = to_json(&letter.content)?;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO letters (id, mailbox_id, folder_id, received_at, read, data)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6
             WHERE EXISTS (SELECT 1 FROM folders WHERE id = ?3 AND mailbox_id = ?2)",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                letter.id.as_str(),
                letter.mailbox.as_str(),
                letter.folder.as_str(),
                letter.received_at,
                letter.read,
                data,
            ])
        })
        .map_err(db)?;
    if inserted == 0 {
        return Err(StoreError::Db(
            "the letter's folder is not in its mailbox".to_owned(),
        ));
    }
    Ok(())
}

const FOLDER_COLUMNS: &str = "id, mailbox_id, kind, name";

fn folder_row(row: &Row<'_>) -> rusqlite::Result<(String, String, String, Option<String>)> {
    row.try_into()
}

fn folder_from(
    (id, mailbox, kind, name): (String, String, String, Option<String>),
) -> StoreResult<Folder> {
    let kind = match (StandardFolder::from_slug(&kind), name) {
        (Some(which), _) => FolderKind::Standard(which),
        (None, Some(name)) if kind == OWN_KIND => FolderKind::Own(
            FolderName::parse(&name).map_err(|error| StoreError::Corrupt(error.to_string()))?,
        ),
        _ => return Err(StoreError::Corrupt(format!("folder kind {kind}"))),
    };
    Ok(Folder {
        id: FolderId::new(id),
        mailbox: MailboxId::from_stored(mailbox),
        kind,
    })
}

const LETTER_COLUMNS: &str = "id, mailbox_id, folder_id, received_at, read, data";

type LetterRow = (String, String, String, UnixTime, bool, String);

fn letter_row(row: &Row<'_>) -> rusqlite::Result<LetterRow> {
    row.try_into()
}

fn letter_from((id, mailbox, folder, received_at, read, data): LetterRow) -> StoreResult<Letter> {
    Ok(Letter {
        id: LetterId::new(id),
        mailbox: MailboxId::from_stored(mailbox),
        folder: FolderId::new(folder),
        received_at,
        read,
        content: from_json::<LetterContent>(&data)?,
    })
}

impl FolderStore for SqliteStore {
    fn create(&self, folder: &Folder) -> StoreResult<()> {
        insert_folder(&*self.conn()?, folder)
    }

    fn get(&self, mailbox: &MailboxId, id: &FolderId) -> StoreResult<Option<Folder>> {
        self.query_one(
            &format!("SELECT {FOLDER_COLUMNS} FROM folders WHERE id = ?1 AND mailbox_id = ?2"),
            params![id.as_str(), mailbox.as_str()],
            folder_row,
        )?
        .map(folder_from)
        .transpose()
    }

    fn list(&self, mailbox: &MailboxId) -> StoreResult<Vec<Folder>> {
        self.query_all(
            &format!(
                "SELECT {FOLDER_COLUMNS} FROM folders WHERE mailbox_id = ?1
                 ORDER BY position, name COLLATE NOCASE, id"
            ),
            [mailbox.as_str()],
            folder_row,
            folder_from,
        )
    }

    fn rename(&self, mailbox: &MailboxId, id: &FolderId, name: &FolderName) -> StoreResult<bool> {
        let changed = self.execute(
            "UPDATE folders SET name = ?3 WHERE id = ?1 AND mailbox_id = ?2 AND kind = ?4",
            params![id.as_str(), mailbox.as_str(), name.as_str(), OWN_KIND],
        )?;
        Ok(changed > 0)
    }

    fn delete_if_empty(&self, mailbox: &MailboxId, id: &FolderId) -> StoreResult<FolderDeletion> {
        let mut conn = self.conn()?;
        let transaction = conn.transaction().map_err(db)?;
        let kind: Option<String> = transaction
            .query_row(
                "SELECT kind FROM folders WHERE id = ?1 AND mailbox_id = ?2",
                params![id.as_str(), mailbox.as_str()],
                |row| row.get(0),
            )
            .optional()
            .map_err(db)?;
        let outcome = match kind.as_deref() {
            None => FolderDeletion::NotFound,
            Some(OWN_KIND) => {
                let letters: i64 = transaction
                    .query_row(
                        "SELECT COUNT(*) FROM letters WHERE folder_id = ?1 AND mailbox_id = ?2",
                        params![id.as_str(), mailbox.as_str()],
                        |row| row.get(0),
                    )
                    .map_err(db)?;
                if letters > 0 {
                    FolderDeletion::NotEmpty
                } else {
                    transaction
                        .execute(
                            "DELETE FROM folders WHERE id = ?1 AND mailbox_id = ?2",
                            params![id.as_str(), mailbox.as_str()],
                        )
                        .map_err(db)?;
                    FolderDeletion::Deleted
                }
            }
            Some(_) => FolderDeletion::Standard,
        };
        transaction.commit().map_err(db)?;
        Ok(outcome)
    }
}

impl LetterStore for SqliteStore {
    fn put(&self, letter: &Letter) -> StoreResult<()> {
        insert_letter(&*self.conn()?, letter)
    }

    fn get(&self, mailbox: &MailboxId, id: &LetterId) -> StoreResult<Option<Letter>> {
        self.query_one(
            &format!("SELECT {LETTER_COLUMNS} FROM letters WHERE id = ?1 AND mailbox_id = ?2"),
            params![id.as_str(), mailbox.as_str()],
            letter_row,
        )?
        .map(letter_from)
        .transpose()
    }

    fn list(&self, mailbox: &MailboxId, folder: &FolderId) -> StoreResult<Vec<Letter>> {
        self.query_all(
            &format!(
                "SELECT {LETTER_COLUMNS} FROM letters WHERE mailbox_id = ?1 AND folder_id = ?2
                 ORDER BY received_at DESC, id"
            ),
            params![mailbox.as_str(), folder.as_str()],
            letter_row,
            letter_from,
        )
    }

    fn unread_counts(&self, mailbox: &MailboxId) -> StoreResult<Vec<(FolderId, usize)>> {
        self.query_all(
            "SELECT folder_id, COUNT(*) FROM letters WHERE mailbox_id = ?1 AND read = 0
             GROUP BY folder_id",
            [mailbox.as_str()],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)),
            |(folder, count)| Ok((FolderId::new(folder), usize::try_from(count).unwrap_or(0))),
        )
    }

    fn set_read(&self, mailbox: &MailboxId, id: &LetterId, read: bool) -> StoreResult<bool> {
        let changed = self.execute(
            "UPDATE letters SET read = ?3 WHERE id = ?1 AND mailbox_id = ?2",
            params![id.as_str(), mailbox.as_str(), read],
        )?;
        Ok(changed > 0)
    }

    fn move_to(&self, mailbox: &MailboxId, id: &LetterId, folder: &FolderId) -> StoreResult<bool> {
        // Into "Slettet", the folder it leaves is remembered (the right-hand sides read the
        // row as it was); out of it, forgotten.
        let changed = self.execute(
            "UPDATE letters SET folder_id = ?3,
                 deleted_from = CASE WHEN (SELECT kind FROM folders WHERE id = ?3) = ?4
                     THEN (CASE WHEN folder_id = ?3 THEN deleted_from ELSE folder_id END)
                     ELSE NULL END
             WHERE id = ?1 AND mailbox_id = ?2
             AND EXISTS (SELECT 1 FROM folders WHERE id = ?3 AND mailbox_id = ?2)",
            params![
                id.as_str(),
                mailbox.as_str(),
                folder.as_str(),
                StandardFolder::Deleted.slug()
            ],
        )?;
        Ok(changed > 0)
    }

    fn deleted_from(&self, mailbox: &MailboxId, id: &LetterId) -> StoreResult<Option<FolderId>> {
        Ok(self
            .query_one(
                "SELECT deleted_from FROM letters WHERE id = ?1 AND mailbox_id = ?2",
                params![id.as_str(), mailbox.as_str()],
                |row| row.get::<_, Option<String>>(0),
            )?
            .flatten()
            .map(FolderId::new))
    }

    fn delete(&self, mailbox: &MailboxId, id: &LetterId) -> StoreResult<bool> {
        let changed = self.execute(
            "DELETE FROM letters WHERE id = ?1 AND mailbox_id = ?2",
            params![id.as_str(), mailbox.as_str()],
        )?;
        Ok(changed > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{seed_memberships, Cpr, Role};
    use crate::store::MembershipStore;

    #[test]
    fn a_database_file_runs_in_wal_at_synchronous_normal() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("mailbox.sqlite")).unwrap();
        let conn = store.conn().unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let synchronous: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        // 1 is NORMAL (0 OFF, 2 FULL).
        assert_eq!(synchronous, 1);
    }

    /// A database from before membership roles: its memberships become plain ones, and the
    /// seeded ones (not yet seeded into it) get their roles.
    #[test]
    fn memberships_from_before_roles_are_plain_members_until_seeded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        let old = Connection::open(&path).unwrap();
        old.execute_batch(
            "CREATE TABLE memberships (
                 cpr TEXT NOT NULL, cvr TEXT NOT NULL, name TEXT NOT NULL,
                 PRIMARY KEY (cpr, cvr));
             INSERT INTO memberships VALUES ('7204901236', '31415926', 'Solsikken');
             INSERT INTO memberships VALUES ('6302014157', '31415926', 'Solsikken');",
        )
        .unwrap();
        drop(old);

        let store = SqliteStore::open(&path).unwrap();
        let anna = Cpr::parse("7204901236").unwrap();
        let carl = Cpr::parse("6302014157").unwrap();
        let role = |cpr: &Cpr| {
            MembershipStore::get(&store, cpr, "31415926")
                .unwrap()
                .map(|m| m.role)
        };
        assert_eq!(role(&anna), Some(Role::Member));
        assert_eq!(role(&carl), Some(Role::Member));
        store.seed(&seed_memberships()).unwrap();
        assert_eq!(
            role(&anna),
            Some(Role::Admin),
            "seeded: Anna administers it"
        );
        assert_eq!(role(&carl), Some(Role::Member), "not seeded: unchanged");
        drop(store);

        // Opened again, nothing is migrated or seeded twice.
        let store = SqliteStore::open(&path).unwrap();
        assert!(store.remove(&anna, "31415926").unwrap());
        store.seed(&seed_memberships()).unwrap();
        assert_eq!(
            MembershipStore::get(&store, &anna, "31415926").unwrap(),
            None
        );
    }
}
