//! Architecture invariant: the engine is pure: no clock, IO, randomness or
//! environment in its source (see ARCHITECTURE.md). Its dependency list is
//! checked with every other crate's in `crates/casus/tests/cli/architecture.rs`.

#[test]
fn the_engine_reads_no_clock_and_does_no_io() {
    // Every source file, in `src` and its module directories (`derive/`).
    let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    let mut files = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            files += 1;
            for banned in ["SystemTime", "Instant::now", "std::fs", "std::net", "thread_rng", "std::env"] {
                assert!(!text.contains(banned), "{} uses {banned}", path.display());
            }
        }
    }
    assert!(files > 10, "only {files} source files found");
}
