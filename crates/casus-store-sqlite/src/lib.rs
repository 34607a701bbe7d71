//! The SQLite backend of the casus ledger.
//!
//! One file holds the log: entries by position, checkpoints and checkpoint
//! notes by tree size.
//! The file is opened in WAL mode with `synchronous = FULL`, so `append`
//! returns only once its transaction is durably committed, and a process
//! killed at any moment leaves the log as of its last acknowledged append
//! (tested by `tests/crash.rs`). Writers serialize on SQLite's write lock:
//! `append` opens an IMMEDIATE transaction, reads the head and calls the
//! ledger's closure inside it, so two processes can never write the same
//! position.
//!
//! The store stores bytes and never interprets them; the ledger verifies.
//!
//! Two ways in: [`SqliteStore::open`] creates the file when it is missing
//! (for `ledger init` and the demo), with mode 0600 whatever the umask, as
//! the log may hold acts not yet public; [`SqliteStore::open_existing`]
//! never creates anything, so a mistyped path in a reading or appending
//! command is an error, not a new empty database left behind.

use std::path::Path;
use std::time::Duration;

use casus_ledger::store::{BuildCommit, RawStore, Store, StoreRead};
use casus_ledger::{LedgerError, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

/// Schema migrations, applied in order; the index + 1 is the version.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE entries (
        position INTEGER PRIMARY KEY CHECK (position >= 0),
        bytes    BLOB NOT NULL
    );
    CREATE TABLE checkpoints (
        size  INTEGER PRIMARY KEY CHECK (size > 0),
        bytes BLOB NOT NULL
    );
",
    "
    CREATE TABLE checkpoint_notes (
        size  INTEGER PRIMARY KEY CHECK (size > 0),
        bytes BLOB NOT NULL
    );
",
];

/// How long a writer waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

fn db(e: rusqlite::Error) -> LedgerError {
    LedgerError::store(format!("sqlite: {e}"))
}

pub struct SqliteStore {
    conn: Connection,
}

/// Mode of a ledger file this store creates: read and written by its owner only.
pub const LEDGER_FILE_MODE: u32 = 0o600;

impl SqliteStore {
    /// Opens the ledger file at `path`, creating it (mode 0600) if it is
    /// missing, and migrates it.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        create_private(path)?;
        SqliteStore::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX, false)
    }

    /// Opens the ledger file at `path`, which must exist and be a casus
    /// ledger; creates nothing, and changes nothing in a file that is not one.
    pub fn open_existing(path: &Path) -> Result<SqliteStore> {
        if !path.is_file() {
            return Err(LedgerError::store(format!("no ledger file at {} (create one with `casus ledger init`)", path.display())));
        }
        SqliteStore::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX, true)
    }

    fn connect(path: &Path, flags: OpenFlags, must_be_ledger: bool) -> Result<SqliteStore> {
        let conn = Connection::open_with_flags(path, flags).map_err(db)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
        if must_be_ledger {
            let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db)?;
            if version == 0 {
                return Err(LedgerError::store(format!("{} is not a casus ledger (no ledger schema in it)", path.display())));
            }
        }
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(db)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(LedgerError::store(format!("sqlite: cannot use WAL (journal mode {mode})")));
        }
        conn.pragma_update(None, "synchronous", "FULL").map_err(db)?;
        let mut store = SqliteStore { conn };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db)?;
        if version as usize > MIGRATIONS.len() {
            return Err(LedgerError::store(format!("sqlite: the ledger file has schema version {version}, newer than this casus ({})", MIGRATIONS.len())));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql).map_err(db)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(db)?;
        }
        tx.commit().map_err(db)
    }
}

/// Creates an empty file at `path` with [`LEDGER_FILE_MODE`] if none is
/// there (SQLite then gives its write-ahead log the same mode). The mode is
/// set explicitly, so a permissive umask does not widen it.
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(LEDGER_FILE_MODE);
    }
    match options.open(path) {
        Ok(file) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                file.set_permissions(std::fs::Permissions::from_mode(LEDGER_FILE_MODE))
                    .map_err(|e| LedgerError::Io { context: format!("setting the mode of {}", path.display()), source: e })?;
            }
            drop(file);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(LedgerError::Io { context: format!("creating {}", path.display()), source: e }),
    }
}

fn read_range(conn: &Connection, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>> {
    if start >= end {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached("SELECT position, bytes FROM entries WHERE position >= ?1 AND position < ?2 ORDER BY position").map_err(db)?;
    let rows = stmt.query_map(params![to_i64(start)?, to_i64(end)?], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Vec<u8>>(1)?))).map_err(db)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db)
}

fn len(conn: &Connection) -> Result<u64> {
    // Asked at the start of every append: the statement is prepared once.
    let max: Option<i64> = conn.prepare_cached("SELECT MAX(position) FROM entries").and_then(|mut st| st.query_row([], |r| r.get(0))).map_err(db)?;
    Ok(max.map_or(0, |m| m as u64 + 1))
}

fn to_i64(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| LedgerError::store("position out of range"))
}

fn put_checkpoint(conn: &Connection, size: u64, bytes: &[u8]) -> Result<()> {
    conn.execute("INSERT OR REPLACE INTO checkpoints (size, bytes) VALUES (?1, ?2)", params![to_i64(size)?, bytes]).map_err(db)?;
    Ok(())
}

fn put_checkpoint_note(conn: &Connection, size: u64, bytes: &[u8]) -> Result<()> {
    conn.execute("INSERT OR REPLACE INTO checkpoint_notes (size, bytes) VALUES (?1, ?2)", params![to_i64(size)?, bytes]).map_err(db)?;
    Ok(())
}

struct TxReader<'a>(&'a Connection);

impl StoreRead for TxReader<'_> {
    fn read_range(&mut self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>> {
        read_range(self.0, start, end)
    }
}

impl StoreRead for SqliteStore {
    fn read_range(&mut self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>> {
        read_range(&self.conn, start, end)
    }
}

impl Store for SqliteStore {
    fn len(&mut self) -> Result<u64> {
        len(&self.conn)
    }

    fn append_checkpointed(&mut self, build: &mut BuildCommit) -> Result<u64> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
        let head = len(&tx)?;
        let (entries, checkpoint) = build(&mut TxReader(&tx), head)?;
        let mut pos = head;
        {
            let mut stmt = tx.prepare_cached("INSERT INTO entries (position, bytes) VALUES (?1, ?2)").map_err(db)?;
            for bytes in &entries {
                stmt.execute(params![to_i64(pos)?, bytes]).map_err(db)?;
                pos += 1;
            }
        }
        if let Some((size, bytes, note)) = checkpoint {
            put_checkpoint(&tx, size, &bytes)?;
            put_checkpoint_note(&tx, size, &note)?;
        }
        // With synchronous = FULL in WAL mode, commit returns after fsync.
        tx.commit().map_err(db)?;
        Ok(pos)
    }

    fn checkpoint_rows(&mut self) -> Result<Vec<(u64, Vec<u8>)>> {
        let mut stmt = self.conn.prepare_cached("SELECT size, bytes FROM checkpoints ORDER BY size").map_err(db)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Vec<u8>>(1)?))).map_err(db)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db)
    }

    fn checkpoint_rows_tail(&mut self, before: u64, limit: usize) -> Result<Vec<casus_ledger::CheckpointRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.size, c.bytes, n.bytes FROM checkpoints c LEFT JOIN checkpoint_notes n ON n.size = c.size \
                 WHERE c.size < ?1 ORDER BY c.size DESC LIMIT ?2",
            )
            .map_err(db)?;
        let before = i64::try_from(before).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(rusqlite::params![before, limit], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Vec<u8>>(1)?, r.get::<_, Option<Vec<u8>>>(2)?)))
            .map_err(db)?;
        let mut out = rows.collect::<Result<Vec<_>, _>>().map_err(db)?;
        out.reverse();
        Ok(out)
    }

    fn put_checkpoint(&mut self, size: u64, bytes: &[u8]) -> Result<()> {
        put_checkpoint(&self.conn, size, bytes)
    }

    fn checkpoint_note_rows(&mut self) -> Result<Vec<(u64, Vec<u8>)>> {
        let mut stmt = self.conn.prepare_cached("SELECT size, bytes FROM checkpoint_notes ORDER BY size").map_err(db)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Vec<u8>>(1)?))).map_err(db)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db)
    }

    fn put_checkpoint_note(&mut self, size: u64, bytes: &[u8]) -> Result<()> {
        put_checkpoint_note(&self.conn, size, bytes)
    }

    fn latest_checkpoint_note(&mut self) -> Result<Option<(u64, Vec<u8>)>> {
        let mut stmt = self.conn.prepare_cached("SELECT size, bytes FROM checkpoint_notes ORDER BY size DESC LIMIT 1").map_err(db)?;
        stmt.query_row([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Vec<u8>>(1)?))).optional().map_err(db)
    }
}

impl RawStore for SqliteStore {
    fn raw_get(&mut self, position: u64) -> Result<Option<Vec<u8>>> {
        self.conn.query_row("SELECT bytes FROM entries WHERE position = ?1", [to_i64(position)?], |r| r.get(0)).optional().map_err(db)
    }
    fn raw_put(&mut self, position: u64, bytes: &[u8]) -> Result<()> {
        self.conn.execute("INSERT OR REPLACE INTO entries (position, bytes) VALUES (?1, ?2)", params![to_i64(position)?, bytes]).map_err(db)?;
        Ok(())
    }
    fn raw_delete(&mut self, position: u64) -> Result<()> {
        self.conn.execute("DELETE FROM entries WHERE position = ?1", [to_i64(position)?]).map_err(db)?;
        Ok(())
    }
    fn raw_delete_checkpoint(&mut self, size: u64) -> Result<()> {
        self.conn.execute("DELETE FROM checkpoints WHERE size = ?1", [to_i64(size)?]).map_err(db)?;
        Ok(())
    }
}
