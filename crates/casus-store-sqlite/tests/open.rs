//! Opening a ledger file: reading never creates, and a created file is
//! private (mode 0600).

use std::path::PathBuf;

use casus_ledger::Ledger;
use casus_ledger::conformance::{Keys, TREATY, day};
use casus_store_sqlite::SqliteStore;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("casus-sqlite-open-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn opening_an_existing_ledger_never_creates_one() {
    let d = dir("existing");
    let missing = d.join("typo.sqlite");
    let e = SqliteStore::open_existing(&missing).err().expect("a missing file is an error");
    assert!(e.to_string().contains("no ledger file at") && e.to_string().contains("ledger init"), "{e}");
    assert!(!missing.exists(), "opening for reading created {}", missing.display());
    for suffix in ["-wal", "-shm", "-journal"] {
        assert!(!PathBuf::from(format!("{}{suffix}", missing.display())).exists(), "left {suffix}");
    }
    // An empty file (as an earlier casus left behind) is not a ledger, and stays empty.
    let empty = d.join("empty.sqlite");
    std::fs::write(&empty, b"").expect("empty file");
    let e = SqliteStore::open_existing(&empty).err().expect("an empty file is an error");
    assert!(e.to_string().contains("not a casus ledger"), "{e}");
    assert_eq!(std::fs::metadata(&empty).expect("empty file").len(), 0);
    // A real ledger opens.
    let real = d.join("real.sqlite");
    let keys = Keys::new();
    Ledger::create(Box::new(SqliteStore::open(&real).expect("create")), "T", TREATY.as_bytes(), &keys.operator, &keys.registrations(), day(100))
        .expect("genesis");
    let mut l = Ledger::open(Box::new(SqliteStore::open_existing(&real).expect("an existing ledger opens")));
    assert_eq!(l.len().expect("len"), 1);
    let _ = std::fs::remove_dir_all(&d);
}

#[cfg(unix)]
#[test]
fn a_created_ledger_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let d = dir("mode");
    let path = d.join("ledger.sqlite");
    let keys = Keys::new();
    Ledger::create(Box::new(SqliteStore::open(&path).expect("create")), "T", TREATY.as_bytes(), &keys.operator, &keys.registrations(), day(100))
        .expect("genesis");
    let mode = std::fs::metadata(&path).expect("ledger file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "ledger file mode {mode:o}");
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    if let Ok(meta) = std::fs::metadata(&wal) {
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "write-ahead log mode");
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// A ledger file of schema version 1 (before checkpoint notes): opening it
/// adds the empty `checkpoint_notes` table and nothing else; its old
/// checkpoint (no note) still verifies, and a new checkpoint gets its note.
#[test]
fn a_version_1_ledger_gains_checkpoint_notes_and_still_verifies() {
    let d = dir("v1");
    let path = d.join("old.sqlite");
    let keys = Keys::new();
    let mut l = Ledger::create(Box::new(SqliteStore::open(&path).expect("create")), "T", TREATY.as_bytes(), &keys.operator, &keys.registrations(), day(100))
        .expect("genesis");
    l.checkpoint(&keys.operator, day(100)).expect("checkpoint");
    drop(l);
    // Make it the file an earlier casus wrote: no notes table, version 1.
    {
        let conn = rusqlite::Connection::open(&path).expect("raw open");
        conn.execute_batch("DROP TABLE checkpoint_notes; PRAGMA user_version = 1;").expect("downgrade");
    }
    let mut l = Ledger::open(Box::new(SqliteStore::open_existing(&path).expect("a version 1 ledger opens")));
    assert!(l.checkpoint_notes().expect("notes").is_empty());
    let report = l.verify(&mut |_, _| {}).expect("the old checkpoint verifies");
    assert_eq!((report.checkpoints, report.checkpoint_notes), (1, 0));
    let bundle = l.proof_bundle(0).expect("bundle");
    assert!(bundle.starts_with(casus_ledger::bundle::BUNDLE_DOMAIN), "a v1 bundle");
    casus_ledger::verify_bundle(&bundle).expect("the v1 bundle verifies");
    l.checkpoint(&keys.operator, day(101)).expect("a new checkpoint");
    let report = l.verify(&mut |_, _| {}).expect("verifies");
    assert_eq!((report.checkpoints, report.checkpoint_notes), (1, 1), "the new checkpoint replaced the old one at size 1, with its note");
    let version: i64 = rusqlite::Connection::open(&path).expect("raw").query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(version, 2);
    let _ = std::fs::remove_dir_all(&d);
}
