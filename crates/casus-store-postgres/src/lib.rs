//! The PostgreSQL backend of the casus ledger.
//!
//! Several processes may append to one ledger at once (delegations each
//! running `casus ledger append`). They must never write the same position
//! or interleave a batch, or the log would fork. So `append` runs in one
//! transaction that first locks the single row of the `head` table
//! (`SELECT … FOR UPDATE`); whoever holds it reads the head, lets the ledger
//! sign entries chained to it, inserts them and commits, and only then can
//! the next appender read the new head. The commit is durable
//! (`synchronous_commit` is forced on for the session).
//!
//! Each ledger lives in its own schema (default `casus`), so tests and
//! several ledgers can share a database. The store stores bytes and never
//! interprets them; the ledger verifies.
//!
//! Every append also sends `NOTIFY` on the ledger's channel
//! ([`channel_name`]) inside its transaction, so PostgreSQL delivers it on
//! commit and only then: replicas serving one ledger ([`listen`]) learn of
//! each other's appends as they commit, without polling.

use casus_ledger::store::{BuildCommit, RawStore, Store, StoreRead};
use casus_ledger::{LedgerError, Result};
use postgres::{Client, GenericClient, NoTls};

/// Schema migrations, applied in order; `{s}` is the quoted schema name.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE {s}.entries (
        position BIGINT PRIMARY KEY CHECK (position >= 0),
        bytes    BYTEA NOT NULL
    );
    CREATE TABLE {s}.checkpoints (
        size  BIGINT PRIMARY KEY CHECK (size > 0),
        bytes BYTEA NOT NULL
    );
    CREATE TABLE {s}.head (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        size BIGINT NOT NULL
    );
    INSERT INTO {s}.head (id, size) VALUES (1, 0);
",
    "
    CREATE TABLE {s}.checkpoint_notes (
        size  BIGINT PRIMARY KEY CHECK (size > 0),
        bytes BYTEA NOT NULL
    );
",
];

pub const DEFAULT_SCHEMA: &str = "casus";

/// The channel appends to the ledger in `schema` are announced on: one per
/// ledger, so replicas of another ledger in the same database are not woken.
/// PostgreSQL cuts identifiers at 63 bytes, and a cut name could be
/// another ledger's: a schema too long to fit is named by a hash of itself.
pub fn channel_name(schema: &str) -> String {
    const PREFIX: &str = "casus_appended_";
    const MAX_IDENTIFIER_BYTES: usize = 63;
    if PREFIX.len() + schema.len() <= MAX_IDENTIFIER_BYTES {
        return format!("{PREFIX}{schema}");
    }
    // FNV-1a: stable across builds and platforms, as the name must be.
    let hash = schema.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    format!("{PREFIX}{hash:016x}")
}

/// How long [`listen`] waits for a notification before it checks that the
/// connection is alive (a dead server is then noticed within this time).
const LISTEN_WAKE_SECS: u64 = 5;

/// Listens for appends to the ledger `url` (`postgres://…[#schema]`) by any
/// process: calls `appended` once as soon as it listens (so that the caller
/// reads whatever came before without a gap), then after each commit it
/// hears of, with the log's size after it (several commits may be told as
/// one, with the latest size). Returns on an error (the connection lost),
/// after which the caller calls it again; `appended` returning `false` stops it.
pub fn listen(url: &str, appended: &mut dyn FnMut(Option<u64>) -> bool) -> Result<()> {
    let (conn, schema) = split_url(url);
    if !valid_schema(schema) {
        return Err(LedgerError::store(format!("postgres: invalid schema name {schema:?}")));
    }
    let mut client = Client::connect(conn, NoTls).map_err(db)?;
    client.batch_execute(&format!("LISTEN \"{}\"", channel_name(schema))).map_err(db)?;
    if !appended(None) {
        return Ok(());
    }
    loop {
        let mut latest: Option<u64> = None;
        {
            use postgres::fallible_iterator::FallibleIterator;
            let mut notes = client.notifications();
            // The first notification (or the timeout), then whatever else
            // has already arrived, told as one.
            let first = notes.timeout_iter(std::time::Duration::from_secs(LISTEN_WAKE_SECS)).next().map_err(db)?;
            let mut rest = notes.iter();
            let mut next = first;
            while let Some(n) = next {
                let size = n.payload().parse::<u64>().unwrap_or(0);
                latest = Some(latest.map_or(size, |l| l.max(size)));
                next = rest.next().map_err(db)?;
            }
        }
        match latest {
            Some(size) => {
                if !appended(Some(size)) {
                    return Ok(());
                }
            }
            // Quiet: make sure the connection still stands.
            None => {
                client.simple_query("").map_err(db)?;
            }
        }
    }
}

/// A URL `postgres://…[#schema]` as the connection URL and the schema.
fn split_url(url: &str) -> (&str, &str) {
    match url.rsplit_once('#') {
        Some((conn, schema)) => (conn, schema),
        None => (url, DEFAULT_SCHEMA),
    }
}

fn db(e: postgres::Error) -> LedgerError {
    LedgerError::store(format!("postgres: {e}"))
}

pub struct PgStore {
    client: Client,
    /// The quoted schema name, checked to be a plain identifier.
    schema: String,
    /// The channel appends are announced on ([`channel_name`]).
    channel: String,
}

/// Checks a schema name: lowercase letters, digits and `_`, at most 63.
pub fn valid_schema(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit()
}

impl PgStore {
    /// Opens a ledger from a URL `postgres://…`, with an optional `#schema`
    /// fragment naming the schema (default `casus`).
    pub fn open_url(url: &str) -> Result<PgStore> {
        let (conn, schema) = split_url(url);
        PgStore::open(conn, schema)
    }

    /// As [`PgStore::open_url`], but the ledger's schema must exist: creates
    /// nothing (a mistyped schema name is an error, not a new empty ledger).
    pub fn open_existing_url(url: &str) -> Result<PgStore> {
        let (conn, schema) = split_url(url);
        PgStore::open_existing(conn, schema)
    }

    /// Connects to the ledger in `schema`, which must exist, and migrates it.
    pub fn open_existing(url: &str, schema: &str) -> Result<PgStore> {
        if !valid_schema(schema) {
            return Err(LedgerError::store(format!("postgres: invalid schema name {schema:?}")));
        }
        let mut client = Client::connect(url, NoTls).map_err(db)?;
        let exists = client.query_one("SELECT to_regclass($1) IS NOT NULL", &[&format!("\"{schema}\".casus_schema")]).map_err(db)?.get::<_, bool>(0);
        if !exists {
            return Err(LedgerError::store(format!("postgres: no ledger in schema {schema} (create one with `casus ledger init`)")));
        }
        drop(client);
        PgStore::open(url, schema)
    }

    /// Connects and creates or migrates the ledger in `schema`.
    pub fn open(url: &str, schema: &str) -> Result<PgStore> {
        if !valid_schema(schema) {
            return Err(LedgerError::store(format!("postgres: invalid schema name {schema:?}")));
        }
        let client = Client::connect(url, NoTls).map_err(db)?;
        let mut store = PgStore { client, schema: format!("\"{schema}\""), channel: channel_name(schema) };
        store.client.batch_execute("SET synchronous_commit = on").map_err(db)?;
        store.migrate(schema)?;
        Ok(store)
    }

    /// Drops the schema and everything in it (for tests).
    pub fn drop_schema(url: &str, schema: &str) -> Result<()> {
        if !valid_schema(schema) {
            return Err(LedgerError::store(format!("postgres: invalid schema name {schema:?}")));
        }
        let mut client = Client::connect(url, NoTls).map_err(db)?;
        client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")).map_err(db)
    }

    fn migrate(&mut self, schema: &str) -> Result<()> {
        let s = self.schema.clone();
        let mut tx = self.client.transaction().map_err(db)?;
        // Serializes concurrent first opens of the same schema.
        tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&format!("casus-migrate:{schema}")]).map_err(db)?;
        tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {s}; CREATE TABLE IF NOT EXISTS {s}.casus_schema (version INTEGER NOT NULL);")).map_err(db)?;
        let version: i32 = tx.query_opt(&format!("SELECT version FROM {s}.casus_schema"), &[]).map_err(db)?.map_or(0, |r| r.get(0));
        if version as usize > MIGRATIONS.len() {
            return Err(LedgerError::store(format!("postgres: schema {schema} has version {version}, newer than this casus ({})", MIGRATIONS.len())));
        }
        for sql in MIGRATIONS.iter().skip(version as usize) {
            tx.batch_execute(&sql.replace("{s}", &s)).map_err(db)?;
        }
        let new = MIGRATIONS.len() as i32;
        tx.execute(&format!("DELETE FROM {s}.casus_schema"), &[]).map_err(db)?;
        tx.execute(&format!("INSERT INTO {s}.casus_schema (version) VALUES ($1)"), &[&new]).map_err(db)?;
        tx.commit().map_err(db)
    }
}

fn to_i64(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| LedgerError::store("position out of range"))
}

fn read_range(c: &mut impl GenericClient, s: &str, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>> {
    if start >= end {
        return Ok(Vec::new());
    }
    let rows = c
        .query(&format!("SELECT position, bytes FROM {s}.entries WHERE position >= $1 AND position < $2 ORDER BY position"), &[&to_i64(start)?, &to_i64(end)?])
        .map_err(db)?;
    Ok(rows.into_iter().map(|r| (r.get::<_, i64>(0) as u64, r.get::<_, Vec<u8>>(1))).collect())
}

fn len(c: &mut impl GenericClient, s: &str) -> Result<u64> {
    let max: Option<i64> = c.query_one(&format!("SELECT MAX(position) FROM {s}.entries"), &[]).map_err(db)?.get(0);
    Ok(max.map_or(0, |m| m as u64 + 1))
}

fn put_checkpoint_note(c: &mut impl GenericClient, s: &str, size: u64, bytes: &[u8]) -> Result<()> {
    c.execute(
        &format!("INSERT INTO {s}.checkpoint_notes (size, bytes) VALUES ($1, $2) ON CONFLICT (size) DO UPDATE SET bytes = EXCLUDED.bytes"),
        &[&to_i64(size)?, &bytes],
    )
    .map_err(db)?;
    Ok(())
}

fn put_checkpoint(c: &mut impl GenericClient, s: &str, size: u64, bytes: &[u8]) -> Result<()> {
    c.execute(
        &format!("INSERT INTO {s}.checkpoints (size, bytes) VALUES ($1, $2) ON CONFLICT (size) DO UPDATE SET bytes = EXCLUDED.bytes"),
        &[&to_i64(size)?, &bytes],
    )
    .map_err(db)?;
    Ok(())
}

struct TxReader<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
    schema: &'a str,
}

impl StoreRead for TxReader<'_, '_> {
    fn read_range(&mut self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>> {
        read_range(self.tx, self.schema, start, end)
    }
}

impl StoreRead for PgStore {
    fn read_range(&mut self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>> {
        read_range(&mut self.client, &self.schema, start, end)
    }
}

impl Store for PgStore {
    fn len(&mut self) -> Result<u64> {
        len(&mut self.client, &self.schema)
    }

    fn append_checkpointed(&mut self, build: &mut BuildCommit) -> Result<u64> {
        let s = self.schema.as_str();
        let mut tx = self.client.transaction().map_err(db)?;
        // The lock every appender queues on: held until commit or rollback.
        tx.query_one(&format!("SELECT size FROM {s}.head WHERE id = 1 FOR UPDATE"), &[]).map_err(db)?;
        // Read after taking the lock, so the head includes every commit
        // that released it (READ COMMITTED takes a new snapshot per statement).
        let head = len(&mut tx, s)?;
        let (entries, checkpoint) = build(&mut TxReader { tx: &mut tx, schema: s }, head)?;
        let insert = tx.prepare(&format!("INSERT INTO {s}.entries (position, bytes) VALUES ($1, $2)")).map_err(db)?;
        let mut pos = head;
        for bytes in &entries {
            tx.execute(&insert, &[&to_i64(pos)?, bytes]).map_err(db)?;
            pos += 1;
        }
        tx.execute(&format!("UPDATE {s}.head SET size = $1 WHERE id = 1"), &[&to_i64(pos)?]).map_err(db)?;
        // Delivered to listeners on commit, never on rollback.
        tx.execute("SELECT pg_notify($1, $2)", &[&self.channel, &pos.to_string()]).map_err(db)?;
        if let Some((size, bytes, note)) = checkpoint {
            put_checkpoint(&mut tx, s, size, &bytes)?;
            put_checkpoint_note(&mut tx, s, size, &note)?;
        }
        tx.commit().map_err(db)?;
        Ok(pos)
    }

    fn checkpoint_rows(&mut self) -> Result<Vec<(u64, Vec<u8>)>> {
        let rows = self.client.query(&format!("SELECT size, bytes FROM {}.checkpoints ORDER BY size", self.schema), &[]).map_err(db)?;
        Ok(rows.into_iter().map(|r| (r.get::<_, i64>(0) as u64, r.get(1))).collect())
    }

    fn checkpoint_rows_tail(&mut self, before: u64, limit: usize) -> Result<Vec<casus_ledger::CheckpointRow>> {
        let sql = format!(
            "SELECT c.size, c.bytes, n.bytes FROM {0}.checkpoints c LEFT JOIN {0}.checkpoint_notes n ON n.size = c.size \
             WHERE c.size < $1 ORDER BY c.size DESC LIMIT $2",
            self.schema
        );
        let before = i64::try_from(before).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.client.query(&sql, &[&before, &limit]).map_err(db)?;
        Ok(rows.into_iter().rev().map(|r| (r.get::<_, i64>(0) as u64, r.get(1), r.get::<_, Option<Vec<u8>>>(2))).collect())
    }

    fn put_checkpoint(&mut self, size: u64, bytes: &[u8]) -> Result<()> {
        put_checkpoint(&mut self.client, &self.schema, size, bytes)
    }

    fn checkpoint_note_rows(&mut self) -> Result<Vec<(u64, Vec<u8>)>> {
        let rows = self.client.query(&format!("SELECT size, bytes FROM {}.checkpoint_notes ORDER BY size", self.schema), &[]).map_err(db)?;
        Ok(rows.into_iter().map(|r| (r.get::<_, i64>(0) as u64, r.get::<_, Vec<u8>>(1))).collect())
    }

    fn put_checkpoint_note(&mut self, size: u64, bytes: &[u8]) -> Result<()> {
        put_checkpoint_note(&mut self.client, &self.schema, size, bytes)
    }
}

impl RawStore for PgStore {
    fn raw_get(&mut self, position: u64) -> Result<Option<Vec<u8>>> {
        let row = self.client.query_opt(&format!("SELECT bytes FROM {}.entries WHERE position = $1", self.schema), &[&to_i64(position)?]).map_err(db)?;
        Ok(row.map(|r| r.get(0)))
    }
    fn raw_put(&mut self, position: u64, bytes: &[u8]) -> Result<()> {
        self.client
            .execute(
                &format!("INSERT INTO {}.entries (position, bytes) VALUES ($1, $2) ON CONFLICT (position) DO UPDATE SET bytes = EXCLUDED.bytes", self.schema),
                &[&to_i64(position)?, &bytes],
            )
            .map_err(db)?;
        Ok(())
    }
    fn raw_delete(&mut self, position: u64) -> Result<()> {
        self.client.execute(&format!("DELETE FROM {}.entries WHERE position = $1", self.schema), &[&to_i64(position)?]).map_err(db)?;
        Ok(())
    }
    fn raw_delete_checkpoint(&mut self, size: u64) -> Result<()> {
        self.client.execute(&format!("DELETE FROM {}.checkpoints WHERE size = $1", self.schema), &[&to_i64(size)?]).map_err(db)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::channel_name;

    #[test]
    fn channel_names_fit_an_identifier_and_stay_apart() {
        assert_eq!(channel_name("casus"), "casus_appended_casus");
        let long_a = "a".repeat(63);
        let long_b = format!("{}b", "a".repeat(62));
        assert!(channel_name(&long_a).len() <= 63 && channel_name(&long_b).len() <= 63);
        assert_ne!(channel_name(&long_a), channel_name(&long_b), "two long schemas sharing a prefix get two channels");
    }

    #[test]
    fn schema_names() {
        for ok in ["casus", "casus_test_1", "a"] {
            assert!(super::valid_schema(ok), "{ok}");
        }
        for bad in ["", "Casus", "a-b", "1a", "a\"; drop", &"a".repeat(64)] {
            assert!(!super::valid_schema(bad), "{bad}");
        }
    }
}
