//! The ledger's conformance story against SQLite files, one file per test
//! so that tests run in parallel.

use std::path::PathBuf;

use casus_ledger::conformance::Backend;
use casus_ledger::store::{RawStore, Store};
use casus_store_sqlite::SqliteStore;

struct Sqlite {
    dir: PathBuf,
}

impl Sqlite {
    fn new() -> Sqlite {
        let dir = std::env::temp_dir().join(format!("casus-sqlite-conformance-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        Sqlite { dir }
    }
    fn path(&self, name: &str) -> PathBuf {
        let file: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        self.dir.join(format!("{file}.sqlite"))
    }
}

impl Backend for Sqlite {
    fn fresh(&self, name: &str) -> Result<(), String> {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", self.path(name).display()));
            if p.exists() {
                std::fs::remove_file(&p).map_err(|e| e.to_string())?;
            }
        }
        SqliteStore::open(&self.path(name)).map(drop).map_err(|e| e.to_string())
    }
    fn open(&self, name: &str) -> Result<Box<dyn Store>, String> {
        Ok(Box::new(SqliteStore::open(&self.path(name)).map_err(|e| e.to_string())?))
    }
    fn raw(&self, name: &str) -> Result<Box<dyn RawStore>, String> {
        Ok(Box::new(SqliteStore::open(&self.path(name)).map_err(|e| e.to_string())?))
    }
}

casus_ledger::conformance_tests!(Sqlite::new());
