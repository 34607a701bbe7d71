//! `cargo bench -p casus-store-sqlite`: the ledger benchmark against
//! SQLite files with durable commits. Sizes come from the environment:
//! `CASUS_BENCH_ENTRIES` (ledger size for full verification, default
//! 100000; 1000000 for the published figure) and `CASUS_BENCH_REPEATS`.

use casus_ledger::bench::{BenchOptions, run};
use casus_store_sqlite::SqliteStore;

fn main() {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let mut opts = BenchOptions::default();
    if let Some(n) = env("CASUS_BENCH_ENTRIES") {
        opts.ledger_entries = n;
    }
    if let Some(n) = env("CASUS_BENCH_REPEATS") {
        opts.repeats = n as usize;
    }
    let dir = std::env::temp_dir().join(format!("casus-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let mut n = 0;
    let result = run(&opts, &mut || {
        n += 1;
        Ok(Box::new(SqliteStore::open(&dir.join(format!("bench{n}.sqlite")))?))
    });
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(report) => print!("{report}"),
        Err(e) => {
            eprintln!("benchmark failed: {e}");
            std::process::exit(1);
        }
    }
}
