//! The SQLite store's checkpointer: a thread with a connection of its own that copies the WAL
//! into the database file, off the request path.
//!
//! The database runs at `synchronous=NORMAL`: a commit appends to the WAL without an `fsync`,
//! and a checkpoint syncs the WAL before it copies it and the database file after. Those
//! syncs take 6-18 ms on an SSD under load (docs/benchmarks.md, "Durability, measured"). Taken
//! by the request connection, every request would wait for them; taken here, a PASSIVE
//! checkpoint holds no writer off. Under constant load, though, the WAL is never all copied at
//! a moment no write is under way, so it would never start over: past [`RESTART_PAST`] frames
//! a RESTART follows, which holds writers off only while it copies and syncs what was written
//! since the PASSIVE one.
//!
//! Between checkpoints the thread syncs the WAL every [`TICK`] while it is written, so that a
//! checkpoint's own sync of it finds little left to write: a long sync of the WAL held up the
//! requests' appends to it (measured: the 8-client p99 1-3 ms lower with it). Commits so reach
//! the disk within about that time, too.

use rusqlite::Connection;
use std::fs::File;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the checkpointer syncs the WAL.
pub(super) const TICK: Duration = Duration::from_millis(20);

/// Every how many ticks it also copies the WAL into the database file (240 ms).
const CHECKPOINT_TICKS: u32 = 12;

/// WAL frames (pages of 4 KiB) past which a checkpoint also restarts the WAL: 32 MB, about
/// two seconds of the benchmark's load.
pub(super) const RESTART_PAST: i64 = 8192;

/// WAL pages at which a commit checkpoints by itself, on the request path, should the
/// checkpointer fall behind or stop: twice what it lets the WAL grow to.
pub(super) const BACKSTOP: u32 = 16_384;

/// What one checkpoint did, as `PRAGMA wal_checkpoint` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// Frames in the WAL.
    pub wal_frames: i64,
    /// Of those, the frames now in the database file.
    pub copied: i64,
    /// Whether the WAL starts over at the next commit.
    pub restarted: bool,
}

type Reply = mpsc::Sender<rusqlite::Result<Checkpoint>>;

/// The checkpointer's thread. Dropping it stops the thread and waits for it.
pub(super) struct Checkpointer {
    asks: Option<mpsc::Sender<Reply>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on `conn` (a connection to the database file of its own): the WAL at
    /// `wal` synced every `tick`, a checkpoint every [`CHECKPOINT_TICKS`] ticks as well,
    /// restarting the WAL past `restart_past` frames. While nothing is written the thread
    /// wakes only for the checkpoints, so an idle broker does not wake a laptop 50 times a
    /// second.
    pub(super) fn start(
        conn: Connection,
        wal: PathBuf,
        tick: Duration,
        restart_past: i64,
    ) -> std::io::Result<Checkpointer> {
        let (asks, asked) = mpsc::channel::<Reply>();
        let mut wal = Wal::new(wal);
        let mut ticks = 0u32;
        let mut idle = false;
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoints".into())
            // Two pragmas deep in SQLite; the default 2 MiB would be mostly untouched anyway.
            .stack_size(256 * 1024)
            .spawn(move || loop {
                let wait = if idle { tick * CHECKPOINT_TICKS } else { tick };
                match asked.recv_timeout(wait) {
                    Ok(reply) => {
                        let _ = reply.send(checkpoint(&conn, restart_past));
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        ticks = if idle { 0 } else { ticks.wrapping_add(1) };
                        idle = !wal.sync();
                        if ticks.is_multiple_of(CHECKPOINT_TICKS) {
                            if let Err(e) = checkpoint(&conn, restart_past) {
                                tracing::warn!(error = %e, "a checkpoint of the database failed; the next one tries again");
                            }
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            })?;
        Ok(Checkpointer {
            asks: Some(asks),
            thread: Some(thread),
        })
    }

    /// Takes a checkpoint now, on the checkpointer's thread, and waits for it; `None` if the
    /// thread has stopped.
    pub(super) fn now(&self) -> Option<rusqlite::Result<Checkpoint>> {
        let (reply, answer) = mpsc::channel();
        self.asks.as_ref()?.send(reply).ok()?;
        answer.recv().ok()
    }
}

/// The WAL file, opened by the thread once it is there. SQLite takes no lock on it, so a
/// descriptor of ours cannot drop one of SQLite's when it closes, and SQLite removes the file
/// only when the last connection closes, the checkpointer's among them.
struct Wal {
    path: PathBuf,
    file: Option<File>,
    /// The file's length and modification time at the last look.
    seen: Option<(u64, std::time::SystemTime)>,
}

impl Wal {
    fn new(path: PathBuf) -> Wal {
        Wal {
            path,
            file: None,
            seen: None,
        }
    }

    /// Syncs the WAL if it was written since the last look; whether it was.
    fn sync(&mut self) -> bool {
        if self.file.is_none() {
            // Not there before the first commit.
            self.file = File::options().write(true).open(&self.path).ok();
        }
        let Some(file) = &self.file else {
            return false;
        };
        let now = file
            .metadata()
            .and_then(|m| Ok((m.len(), m.modified()?)))
            .ok();
        if now.is_some() && now == self.seen {
            return false;
        }
        self.seen = now;
        if let Err(e) = file.sync_data() {
            tracing::warn!(error = %e, "a sync of the database's WAL failed");
        }
        true
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.asks.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A PASSIVE checkpoint, and a RESTART after it when the WAL is past `restart_past` frames.
fn checkpoint(conn: &Connection, restart_past: i64) -> rusqlite::Result<Checkpoint> {
    let passive = run(conn, "PASSIVE")?;
    if passive.wal_frames <= restart_past {
        return Ok(passive);
    }
    run(conn, "RESTART")
}

fn run(conn: &Connection, mode: &str) -> rusqlite::Result<Checkpoint> {
    // Not through the statement cache: the checkpointer's connection runs nothing else.
    let (busy, wal_frames, copied): (i64, i64, i64) =
        conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    Ok(Checkpoint {
        wal_frames,
        copied,
        restarted: mode == "RESTART" && busy == 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;
    use crate::store::MetaStore;
    use std::io::Write;
    use std::path::Path;

    fn keys_in(path: &Path) -> i64 {
        let conn = Connection::open(path).unwrap();
        conn.query_row("SELECT count(*) FROM meta WHERE key LIKE 'k%'", [], |r| {
            r.get(0)
        })
        .unwrap()
    }

    /// The WAL's frames, as a checkpoint that copies nothing more would count them.
    fn wal_frames(path: &Path) -> i64 {
        let conn = SqliteStore::connect(path).unwrap();
        run(&conn, "PASSIVE").unwrap().wal_frames
    }

    #[test]
    fn a_checkpoint_puts_every_commit_in_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broker.sqlite");
        let store = SqliteStore::open(&path).unwrap();
        // The tables, in the database file.
        store.checkpoint().unwrap();
        for i in 0..50 {
            store.get_or_init(&format!("k{i}"), "v").unwrap();
        }
        // The commits are in the WAL, and the database file alone does not hold them: the
        // request connection does not checkpoint below its backstop.
        let copy = dir.path().join("copy.sqlite");
        std::fs::copy(&path, &copy).unwrap();
        assert_eq!(keys_in(&copy), 0);

        let done = store
            .checkpoint()
            .unwrap()
            .expect("a file has a checkpointer");
        assert!(done.wal_frames >= 50, "{done:?}");
        assert_eq!(done.copied, done.wal_frames);
        // Far below the limit, no RESTART (the next commit starts the WAL over by itself when
        // nothing was written meanwhile; under load something always was).
        assert!(!done.restarted);

        // The database file alone, copied without its WAL, now holds every commit.
        std::fs::remove_file(&copy).unwrap();
        std::fs::copy(&path, &copy).unwrap();
        assert_eq!(keys_in(&copy), 50);
    }

    #[test]
    fn past_its_limit_a_checkpoint_restarts_the_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broker.sqlite");
        let store = SqliteStore::open(&path).unwrap();
        let checkpointer = Checkpointer::start(
            SqliteStore::connect(&path).unwrap(),
            SqliteStore::wal_path(&path),
            Duration::from_secs(3600),
            10,
        )
        .unwrap();
        for i in 0..50 {
            store.get_or_init(&format!("k{i}"), "v").unwrap();
        }
        let done = checkpointer.now().unwrap().unwrap();
        assert!(done.restarted, "{done:?}");
        assert_eq!(done.copied, done.wal_frames);
        // The next commit writes from the WAL's start.
        store.get_or_init("after", "v").unwrap();
        assert!(wal_frames(&path) <= 2, "{} frames", wal_frames(&path));
    }

    #[test]
    fn every_file_of_the_store_is_its_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("broker.sqlite")).unwrap();
        store.get_or_init("k", "v").unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "broker.requests.sqlite",
                "broker.requests.sqlite-wal",
                "broker.sqlite",
                "broker.sqlite-wal",
                "broker.sqlite.lock"
            ]
        );
        for name in names {
            let mode = std::fs::metadata(dir.path().join(&name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
    }

    #[test]
    fn the_wal_is_synced_only_when_it_was_written_since_the_last_look() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broker.sqlite-wal");
        let mut wal = Wal::new(path.clone());
        // Not there yet: nothing to sync.
        assert!(!wal.sync());
        std::fs::write(&path, b"frame").unwrap();
        assert!(wal.sync());
        assert!(!wal.sync());
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"another")
            .unwrap();
        assert!(wal.sync());
        assert!(!wal.sync());
    }

    #[test]
    fn both_files_run_at_synchronous_normal() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("broker.sqlite")).unwrap();
        let synchronous = |conn: &Connection| -> i64 {
            conn.query_row("PRAGMA synchronous", [], |r| r.get(0))
                .unwrap()
        };
        // 1 is NORMAL (0 OFF, 2 FULL).
        assert_eq!(synchronous(&store.conn().unwrap()), 1);
        assert_eq!(synchronous(&store.log().unwrap()), 1);
    }

    #[test]
    fn the_checkpointer_closes_its_connection_with_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broker.sqlite");
        let store = SqliteStore::open(&path).unwrap();
        store.get_or_init("k", "v").unwrap();
        store.checkpoint().unwrap();
        let wal = dir.path().join("broker.sqlite-wal");
        assert!(wal.exists());
        // SQLite removes the WAL when the file's last connection closes, so a checkpointer
        // still holding its connection would leave it.
        drop(store);
        assert!(!wal.exists());
        assert_eq!(keys_in(&path), 1);
    }

    #[test]
    fn a_busy_statement_waits_in_short_steps_up_to_its_limit() {
        assert!(crate::store::sqlite::busy(0));
        assert!(crate::store::sqlite::busy(10));
        let limit = crate::store::sqlite::BUSY_WAIT.as_micros() / 100;
        assert!(!crate::store::sqlite::busy(i32::try_from(limit).unwrap()));
        assert!(!crate::store::sqlite::busy(i32::MAX));
    }
}
