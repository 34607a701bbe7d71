//! The ledger's conformance story against PostgreSQL, one schema per test
//! so that tests run in parallel.
//!
//! The server is named by `CASUS_TEST_POSTGRES_URL`. When `CI` is set and
//! the variable is not, every test fails: CI must never pass by skipping
//! the database. Locally the default is the machine's own server.

use casus_ledger::conformance::Backend;
use casus_ledger::store::{RawStore, Store};
use casus_store_postgres::PgStore;

const LOCAL_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/test";

pub fn url() -> String {
    match std::env::var("CASUS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => {
            panic!("CASUS_TEST_POSTGRES_URL is not set: CI must run the PostgreSQL tests")
        }
        _ => LOCAL_DEFAULT.to_string(),
    }
}

struct Postgres {
    url: String,
}

/// A schema name for a test name: `casus_t_` and the last path segment,
/// with a hash of the whole name so that names stay unique within 63 bytes.
fn schema(name: &str) -> String {
    let hash = name.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3));
    let tail: String =
        name.rsplit("::").next().unwrap_or(name).chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).take(36).collect();
    format!("casus_t_{tail}_{:08x}", hash as u32)
}

impl Backend for Postgres {
    fn fresh(&self, name: &str) -> Result<(), String> {
        PgStore::drop_schema(&self.url, &schema(name)).map_err(|e| e.to_string())?;
        PgStore::open(&self.url, &schema(name)).map(drop).map_err(|e| e.to_string())
    }
    fn open(&self, name: &str) -> Result<Box<dyn Store>, String> {
        Ok(Box::new(PgStore::open(&self.url, &schema(name)).map_err(|e| e.to_string())?))
    }
    fn raw(&self, name: &str) -> Result<Box<dyn RawStore>, String> {
        Ok(Box::new(PgStore::open(&self.url, &schema(name)).map_err(|e| e.to_string())?))
    }
}

casus_ledger::conformance_tests!(Postgres { url: url() });

/// Appenders in separate processes would be separate connections; so are
/// these threads. Many small appends race for the head: the log must come
/// out as one unbroken line.
#[test]
fn many_connections_race_for_the_head() {
    use casus_ledger::Ledger;
    use casus_ledger::conformance::{Keys, act, day, seeded};
    use casus_model::{ActKind, Symbols};
    let backend = Postgres { url: url() };
    let name = "race_for_the_head";
    let keys = Keys::new();
    seeded(&backend, name, &keys, &mut Symbols::new()).unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            let (backend, keys) = (&backend, &keys);
            s.spawn(move || {
                let mut symbols = Symbols::new();
                let mut l = Ledger::open(backend.open(name).unwrap());
                for n in 0..15 {
                    let a = act(&mut symbols, &format!("r{t}_{n}"), "ARM", ActKind::Request, 300, false);
                    l.append_act(&a, &symbols, &keys.arm, day(300)).unwrap();
                }
            });
        }
    });
    let report = Ledger::open(backend.open(name).unwrap()).verify(&mut |_, _| {}).unwrap();
    assert_eq!(report.entries, 10 + 4 * 15);
}

/// Opening an existing ledger never creates one: a mistyped schema is an
/// error and leaves no schema behind.
#[test]
fn opening_an_existing_ledger_never_creates_one() {
    let base = url();
    let typo = "casus_t_no_such_ledger_typo";
    PgStore::drop_schema(&base, typo).unwrap();
    let e = PgStore::open_existing_url(&format!("{base}#{typo}")).err().expect("a missing schema is an error");
    assert!(e.to_string().contains("no ledger in schema"), "{e}");
    let mut client = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    let n: i64 = client.query_one("SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1", &[&typo]).unwrap().get(0);
    assert_eq!(n, 0, "opening for reading created the schema");
    // An existing one opens.
    let backend = Postgres { url: base.clone() };
    backend.fresh("open_existing").unwrap();
    PgStore::open_existing_url(&format!("{base}#{}", schema("open_existing"))).expect("an existing ledger opens");
}

/// Replicas of one ledger learn of each other's appends by LISTEN/NOTIFY:
/// a listener is told once as soon as it listens, then after each commit
/// by another connection, with the log's size; a rolled-back append tells
/// nobody.
#[test]
fn a_listener_hears_of_each_commit_and_not_of_a_rollback() {
    use std::sync::mpsc;
    use std::time::Duration;
    let base = url();
    let name = "a_listener_hears_of_each_commit";
    let backend = Postgres { url: base.clone() };
    backend.fresh(name).unwrap();
    let listen_url = format!("{base}#{}", schema(name));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = casus_store_postgres::listen(&listen_url, &mut |size| tx.send(size).is_ok());
    });
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)).unwrap(), None, "the first call comes as soon as it listens");
    let mut writer = backend.open(name).unwrap();
    writer.append_checkpointed(&mut |_, _| Ok((vec![b"one".to_vec(), b"two".to_vec()], None))).unwrap();
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)).unwrap(), Some(2));
    // An append that fails inside its transaction is rolled back: no news.
    let refused = writer.append_checkpointed(&mut |_, _| Err(casus_ledger::LedgerError::store("refused".to_string())));
    assert!(refused.is_err());
    writer.append_checkpointed(&mut |_, _| Ok((vec![b"three".to_vec()], None))).unwrap();
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)).unwrap(), Some(3), "the refused append told nothing; the next one did");
    PgStore::drop_schema(&base, &schema(name)).unwrap();
}
