//! SQLite storage: one connection behind a mutex (SQLite serialises writers anyway, and every
//! statement here is a short indexed lookup), and a second one of the checkpointer's
//! ([`checkpoints`]). Rows keep their queryable fields as columns and
//! the rest as JSON, so the schema stays portable to a server database.
//!
//! The request log is a file of its own beside the database ([`SqliteStore::log_path`]), with
//! a connection and a lock of its own: a busy broker writes thousands of entries a second, and
//! in the database's file those writes held every request's statements off and added their
//! pages to the logins' checkpoints (docs/benchmarks.md, "The request log in a file of its
//! own").

use rusqlite::{params, Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::clock::UnixTime;
use crate::model::Grant;
use crate::model::GrantId;
use crate::store::{StoreError, StoreResult, Take};

pub use checkpoints::Checkpoint;
use checkpoints::Checkpointer;

mod cases;
mod checkpoints;
mod clients;
mod decisions;
mod devices;
mod faults;
mod grants;
mod identities;
mod logins;
mod meta;
mod onboardings;
mod outbox;
mod request_log;
mod requests;
mod sessions;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identities (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS logins (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
-- Only pending logins are looked up by status, and most logins are stored settled (decided on
-- the spot): a partial index leaves them out, so storing one writes one index page fewer.
DROP INDEX IF EXISTS logins_status;
CREATE INDEX IF NOT EXISTS logins_pending ON logins(created_at, id) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS codes (
    hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    taken INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS access_tokens (
    hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS access_tokens_grant ON access_tokens(grant_id);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS refresh_tokens_grant ON refresh_tokens(grant_id);
CREATE TABLE IF NOT EXISTS revoked_grants (
    grant_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS sessions (
    sid TEXT PRIMARY KEY,
    cookie_hash TEXT NOT NULL UNIQUE,
    ended INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    client_id TEXT,
    for_user_id TEXT,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS faults (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    remaining INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rp_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL,
    login_id TEXT,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rp_events_login ON rp_events (login_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (identity_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS onboardings (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS assertion_jtis (
    client_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, jti));
CREATE TABLE IF NOT EXISTS pushed_requests (
    uri_hash TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS citizen_service_cases (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    rev INTEGER NOT NULL,
    data TEXT NOT NULL);
-- The request log moved to a file of its own (log_schema); `SqliteStore::open` moves the
-- entries of a database from before.
"#;

/// The request log's table, in the database named `schema` (`main` in its own file, or the
/// name it is attached under). The list's filters (`?1 IS NULL OR client_id = ?1`) scan the
/// newest rows whatever the indexes (EXPLAIN QUERY PLAN: SCAN request_log), so it has none:
/// they would only cost every write.
fn log_schema(schema: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {schema}.request_log (
            seq INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            client_id TEXT,
            login_id TEXT,
            data TEXT NOT NULL);"
    )
}

pub struct SqliteStore {
    /// The checkpointer's thread (none for an in-memory database). First, so that it stops
    /// before the request connection closes.
    checkpoints: Option<Checkpointer>,
    conn: Mutex<Connection>,
    /// The request log's connection ([`log_schema`]).
    log: Mutex<Connection>,
    /// Whether the faults table may hold a row ([`MayHoldRows`]).
    faults: MayHoldRows,
    /// Whether the decisions table may hold a row.
    decisions: MayHoldRows,
    /// The lock file, held while the store is open ([`SqliteStore::open`]). Last, so that it is
    /// let go after both connections have closed.
    _lock: Option<File>,
}

/// Whether a table that is nearly always empty (queued faults, queued decisions) may hold a
/// row, so the take every request makes can skip the database when it cannot. Exact because
/// the file is this process's alone ([`SqliteStore::open`]) and every change of the flag is made
/// under the connection's lock, beside the insert or the look that found the table empty.
struct MayHoldRows(AtomicBool);

impl MayHoldRows {
    /// Unknown at start: the first take looks.
    fn unknown() -> MayHoldRows {
        MayHoldRows(AtomicBool::new(true))
    }
    fn may(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// After an insert, with the connection's lock held.
    fn inserted(&self, _conn: &Connection) {
        self.0.store(true, Ordering::SeqCst);
    }
    /// After a take found nothing, with the connection's lock held: looks whether the table
    /// (named by a `SELECT EXISTS (...)`) is empty.
    fn look(&self, conn: &Connection, exists: &str) -> rusqlite::Result<()> {
        let any: bool = conn.cached_row(exists, [], |r| r.get(0))?;
        self.0.store(any, Ordering::SeqCst);
        Ok(())
    }
}

/// Moves the request log of a database from before it had a file of its own into the file at
/// `log_path` (before that file is opened and held), oldest first, and drops the old table.
/// A crash between the copy and the drop copies the entries again at the next start: they
/// are a log, and nothing else depends on them.
fn move_request_log(conn: &Connection, log_path: &Path) -> StoreResult<()> {
    // Once at open: not worth a place in the statement cache.
    let old: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'request_log')",
            [],
            |r| r.get(0),
        )
        .map_err(db)?;
    if !old {
        return Ok(());
    }
    let path = log_path
        .to_str()
        .ok_or_else(|| StoreError::Db(format!("not a UTF-8 path: {}", log_path.display())))?;
    conn.execute("ATTACH DATABASE ?1 AS log", [path])
        .map_err(db)?;
    let moved = conn.execute_batch(&format!(
        "{}\
         INSERT INTO log.request_log (at, client_id, login_id, data) \
             SELECT at, client_id, login_id, data FROM main.request_log ORDER BY seq;\
         DROP TABLE main.request_log;",
        log_schema("log")
    ));
    let detached = conn.execute_batch("DETACH DATABASE log");
    moved.map_err(db)?;
    detached.map_err(db)
}

/// The JSON `data` of the rows `sql` selects on `conn`, read back.
fn query_data_on<T: DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(db)?;
    let rows = stmt
        .query_map(params, |r| r.get::<_, String>(0))
        .map_err(db)?;
    rows.map(|row| from_json(&row.map_err(db)?)).collect()
}

/// `path` with `suffix` added to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Creates the file at `path` empty (SQLite takes an empty file for a new database) and
/// readable by its owner only, unless it is there.
fn create_owner_only(path: &Path) -> StoreResult<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(|e| StoreError::Db(format!("cannot create {}: {e}", path.display())))
}

/// How long [`SqliteStore::open`] waits for another process to let go of the file.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// How long a statement waits, in steps of [`BUSY_STEP`], while the checkpointer holds the
/// database's writer lock (a RESTART does, for a few milliseconds) before it fails as busy.
/// SQLite's own busy timeout sleeps 1, 2, 5, 10... ms between tries, far longer than that.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
const BUSY_STEP: std::time::Duration = std::time::Duration::from_micros(100);

fn busy(tries: i32) -> bool {
    let waited = BUSY_STEP.saturating_mul(u32::try_from(tries).unwrap_or(u32::MAX));
    if waited >= BUSY_WAIT {
        return false;
    }
    std::thread::sleep(BUSY_STEP);
    true
}

/// The error of opening a file another process holds ([`StoreError::InUse`]), or any other.
fn in_use(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            StoreError::InUse(path.display().to_string())
        }
        _ => db(e),
    }
}

fn db(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, ref msg) = e {
        if f.code == rusqlite::ErrorCode::ConstraintViolation {
            return StoreError::Conflict(msg.clone().unwrap_or_else(|| "row".into()));
        }
    }
    StoreError::Db(e.to_string())
}

/// Statements through the connection's statement cache. Preparing one (parsing and planning
/// it) costs more than running most of ours, and `Connection::query_row` and `execute` prepare
/// afresh every call.
trait Cached {
    fn cached_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>;
    fn cached_execute<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
}

impl Cached for Connection {
    fn cached_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }
    fn cached_execute<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }
}

/// Distinct statements the store runs (about 110) fit, so a login's never leave the cache
/// (rusqlite keeps 16 by default).
const STATEMENT_CACHE: usize = 256;

fn to_json<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl SqliteStore {
    /// Opens (and creates on first use) the database file, and holds it: while this store is
    /// open no other process can open it ([`StoreError::InUse`] for another broker, which
    /// finds the lock file taken).
    ///
    /// WAL with `synchronous=NORMAL`: a commit survives a crash of the broker process, and an
    /// operating-system crash or a power loss can lose the latest commits but cannot corrupt
    /// the database. The syncs are the checkpoints', taken by a thread of their own
    /// ([`checkpoints`]); a commit checkpoints by itself only past a backstop.
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        let lock = SqliteStore::lock(path)?;
        let log_path = SqliteStore::log_path(path);
        // SQLite gives the WAL the database file's mode.
        create_owner_only(path)?;
        create_owner_only(&log_path)?;
        let conn = SqliteStore::connect(path)?;
        conn.pragma_update(None, "wal_autocheckpoint", checkpoints::BACKSTOP)
            .map_err(db)?;
        move_request_log(&conn, &log_path)?;
        let log = SqliteStore::hold(&log_path)?;
        let checkpointer = Checkpointer::start(
            SqliteStore::connect(path)?,
            SqliteStore::wal_path(path),
            checkpoints::TICK,
            checkpoints::RESTART_PAST,
        )
        .map_err(|e| StoreError::Db(format!("cannot start the checkpointer: {e}")))?;
        let mut store = SqliteStore::init(conn, log)?;
        store.checkpoints = Some(checkpointer);
        store._lock = Some(lock);
        Ok(store)
    }

    /// Takes a checkpoint now, on the checkpointer's thread (nothing for an in-memory
    /// database), and waits for it: every commit before it is then in the database file.
    pub fn checkpoint(&self) -> StoreResult<Option<Checkpoint>> {
        let Some(checkpointer) = &self.checkpoints else {
            return Ok(None);
        };
        match checkpointer.now() {
            Some(done) => done.map(Some).map_err(db),
            None => Err(StoreError::Db("the checkpointer has stopped".into())),
        }
    }

    /// SQLite's WAL beside the database at `path`: `broker.sqlite-wal`.
    fn wal_path(path: &Path) -> PathBuf {
        with_suffix(path, "-wal")
    }

    /// The lock file beside the database at `path`: `broker.sqlite.lock`.
    fn lock_path(path: &Path) -> PathBuf {
        with_suffix(path, ".lock")
    }

    /// Takes the lock file (an `flock`, which the kernel lets go of when the process ends,
    /// however it ends), waiting [`LOCK_WAIT`] for a broker that is still shutting down.
    fn lock(path: &Path) -> StoreResult<File> {
        use std::os::unix::fs::OpenOptionsExt;
        let lock_path = SqliteStore::lock_path(path);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)
            .map_err(|e| StoreError::Db(format!("cannot open {}: {e}", lock_path.display())))?;
        const STEP: std::time::Duration = std::time::Duration::from_millis(10);
        let mut waited = std::time::Duration::ZERO;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(TryLockError::WouldBlock) if waited < LOCK_WAIT => {
                    std::thread::sleep(STEP);
                    waited += STEP;
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(StoreError::InUse(path.display().to_string()))
                }
                Err(TryLockError::Error(e)) => {
                    return Err(StoreError::Db(format!(
                        "cannot lock {}: {e}",
                        lock_path.display()
                    )))
                }
            }
        }
    }

    /// A connection to the database file, beside the checkpointer's. Through SQLite's
    /// `unix-excl` VFS: the first connection takes the file's lock for the whole process and
    /// keeps it, so the connections of this process lock each other out in memory only (no
    /// `fcntl` call around every statement, about 40 a login), the WAL index is in the
    /// process's memory and not in a `-shm` file, and other processes cannot open the file.
    fn connect(path: &Path) -> StoreResult<Connection> {
        let conn =
            Connection::open_with_flags_and_vfs(path, rusqlite::OpenFlags::default(), c"unix-excl")
                .map_err(db)?;
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
            .map_err(db)?;
        conn.busy_handler(Some(busy)).map_err(db)?;
        Ok(conn)
    }

    /// The request log's file beside the database at `path`: `broker.requests.sqlite` beside
    /// `broker.sqlite`.
    pub fn log_path(path: &Path) -> PathBuf {
        path.with_extension("requests.sqlite")
    }

    /// Opens the request log's file at `path` and takes its lock for as long as the connection
    /// lives.
    fn hold(path: &Path) -> StoreResult<Connection> {
        let conn = Connection::open(path).map_err(db)?;
        // A broker that is still shutting down gets a moment to let go of the file.
        conn.busy_timeout(LOCK_WAIT).map_err(db)?;
        // Exclusive locking, set before WAL is entered: the file lock is taken once and kept,
        // and the WAL index lives in this process's memory, not in a shared `-shm` file. That
        // saves the `fcntl` lock calls SQLite otherwise makes around every statement. The
        // log's checkpoints are SQLite's own, with their syncs (`synchronous=NORMAL`): they
        // hold up only the log's writer, which no request waits for.
        conn.execute_batch(
            "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        )
        .map_err(|e| in_use(path, e))?;
        // Take the lock now, so a second process is refused here and not at its first write.
        conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;")
            .map_err(|e| in_use(path, e))?;
        Ok(conn)
    }

    /// A private in-memory database, for tests.
    pub fn in_memory() -> StoreResult<SqliteStore> {
        SqliteStore::init(
            Connection::open_in_memory().map_err(db)?,
            Connection::open_in_memory().map_err(db)?,
        )
    }

    fn init(conn: Connection, log: Connection) -> StoreResult<SqliteStore> {
        conn.execute_batch(SCHEMA).map_err(db)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        log.execute_batch(&log_schema("main")).map_err(db)?;
        Ok(SqliteStore {
            checkpoints: None,
            conn: Mutex::new(conn),
            log: Mutex::new(log),
            faults: MayHoldRows::unknown(),
            decisions: MayHoldRows::unknown(),
            _lock: None,
        })
    }

    fn conn(&self) -> StoreResult<MutexGuard<'_, Connection>> {
        self.conn
            .lock()
            .map_err(|_| StoreError::Db("connection lock poisoned".into()))
    }

    fn log(&self) -> StoreResult<MutexGuard<'_, Connection>> {
        self.log
            .lock()
            .map_err(|_| StoreError::Db("request log connection lock poisoned".into()))
    }

    fn query_data<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> StoreResult<Vec<T>> {
        query_data_on(&*self.conn()?, sql, params)
    }

    fn one_data<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> StoreResult<Option<T>> {
        let conn = self.conn()?;
        let data: Option<String> = conn
            .prepare_cached(sql)
            .map_err(db)?
            .query_row(params, |r| r.get(0))
            .optional()
            .map_err(db)?;
        data.map(|d| from_json(&d)).transpose()
    }

    /// Takes a single-use row: `take` marks it used only if still usable and returns its data
    /// (one statement, so the take stays single even across connections); when it takes
    /// nothing, `select` yields (grant_id, state) with state 0 = usable, 1 = already
    /// used, 2 = gone, to tell a replay from a row that is not there.
    fn take_once<T: DeserializeOwned>(
        &self,
        select: &str,
        take: &str,
        hash: &str,
    ) -> StoreResult<Take<T>> {
        let conn = self.conn()?;
        let taken: Option<String> = conn
            .cached_row(take, [hash], |r| r.get(0))
            .optional()
            .map_err(db)?;
        if let Some(data) = taken {
            return Ok(Take::Taken(from_json(&data)?));
        }
        let row: Option<(String, i64)> = conn
            .cached_row(select, [hash], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(db)?;
        match row {
            None | Some((_, 2)) => Ok(Take::NotFound),
            Some((grant, _)) => Ok(Take::AlreadyTaken(GrantId::new(grant))),
        }
    }

    /// Inserts a row of one of the grant-bound tables (codes, access and refresh tokens).
    fn insert_for_grant(
        &self,
        sql: &str,
        hash: &str,
        grant: &Grant,
        expires_at: UnixTime,
        row: &impl Serialize,
    ) -> StoreResult<()> {
        self.exec(
            sql,
            params![hash, grant.id.as_str(), expires_at, to_json(row)?],
        )?;
        Ok(())
    }

    /// Runs `statements`, each with `params`, in one transaction.
    fn exec_all(
        &self,
        statements: &[&str],
        params: impl rusqlite::Params + Copy,
    ) -> StoreResult<()> {
        let conn = self.conn()?;
        let tx = conn.unchecked_transaction().map_err(db)?;
        for sql in statements {
            tx.prepare_cached(sql)
                .map_err(db)?
                .execute(params)
                .map_err(db)?;
        }
        tx.commit().map_err(db)
    }

    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> StoreResult<usize> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(sql).map_err(db)?;
        stmt.execute(params).map_err(db)
    }
}
