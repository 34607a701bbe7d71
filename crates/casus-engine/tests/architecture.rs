//! Architecture invariant: the engine is pure. Its only dependencies are the
//! model and serialization; no IO, database, clock or async crate may creep
//! in (see ARCHITECTURE.md).

#[test]
fn the_engine_depends_on_the_model_and_serde_only() {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).expect("Cargo.toml");
    let mut in_deps = false;
    let mut deps = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && !line.is_empty() && !line.starts_with('#') {
            deps.push(line.split(['=', '.']).next().unwrap_or("").trim().to_string());
        }
    }
    deps.sort();
    assert_eq!(deps, ["casus-model", "serde"]);
}

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
