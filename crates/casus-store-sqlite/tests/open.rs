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
