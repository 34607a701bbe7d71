//! Architecture invariant: the engine is pure: no clock, IO, randomness or
//! environment in its source (see ARCHITECTURE.md). Its dependency list is
//! checked with every other crate's in `crates/casus/tests/cli/architecture.rs`.

#[test]
fn the_engine_reads_no_clock_and_does_no_io() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    for entry in std::fs::read_dir(dir).expect("src") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        for banned in ["SystemTime", "Instant::now", "std::fs", "std::net", "thread_rng", "std::env"] {
            assert!(!text.contains(banned), "{} uses {banned}", path.display());
        }
    }
}
