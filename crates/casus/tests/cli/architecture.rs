//! Architecture invariant: the layers of the workspace, as the dependency
//! lists each crate may have (ARCHITECTURE.md). A new dependency is a
//! decision about the structure, so it must be added here on purpose: the
//! pure core (model, engine, analysis, synth) gets no IO, clock, database
//! or async crate; the ledger never depends on a store; the language knows
//! nothing of the engine.

use std::collections::BTreeSet;

/// Each crate under `crates/` and the `[dependencies]` it may declare.
const ALLOWED: &[(&str, &[&str])] = &[
    ("casus-model", &["serde"]),
    ("casus-lang", &["casus-model", "pulldown-cmark"]),
    // The model only: the statuses' words go on the wire in the layer.
    ("casus-engine", &["casus-model"]),
    // Analysis reads the reports, so it sits on the layer.
    ("casus-analysis", &["casus-model", "casus-engine", "casus-query", "serde"]),
    // The layer between the core and the front ends, with the wire types
    // (the report, the explanation): no IO beyond what the ledger's store
    // does, no async, no HTTP, no command line; utoipa only behind the
    // `openapi` feature.
    ("casus-query", &["casus-model", "casus-lang", "casus-engine", "casus-ledger", "serde", "utoipa"]),
    // Exercises are pure too: scenario files, the clock (the caller passes
    // the time), the MSEL as CSV, the after-action report (from the layer's
    // reports).
    ("casus-exercise", &["casus-model", "casus-lang", "casus-engine", "casus-query", "serde"]),
    ("casus-synth", &["casus-model"]),
    ("casus-ledger", &["casus-model", "ed25519-dalek", "sha2", "getrandom", "thiserror"]),
    ("casus-store-sqlite", &["casus-ledger", "rusqlite"]),
    ("casus-store-postgres", &["casus-ledger", "postgres"]),
    ("casus-witness", &["casus-ledger", "thiserror", "axum", "tokio", "tracing"]),
    (
        "casus-server",
        &[
            "casus-model",
            "casus-lang",
            "casus-engine",
            "casus-query",
            "casus-ledger",
            "casus-exercise",
            "serde",
            "serde_json",
            "thiserror",
            "axum",
            "tokio",
            "tower-http",
            "tower",
            "tracing",
            "askama",
            "utoipa",
            "futures-util",
            "form_urlencoded",
            "hyper",
            "hyper-util",
            "rlimit",
        ],
    ),
    (
        "casus",
        &[
            "casus-model",
            "casus-lang",
            "casus-engine",
            "casus-analysis",
            "casus-query",
            "casus-synth",
            "casus-ledger",
            "casus-store-sqlite",
            "casus-store-postgres",
            "casus-server",
            "casus-witness",
            "casus-exercise",
            "clap",
            "anyhow",
            "serde",
            "serde_json",
            "indicatif",
            "axum",
            "tokio",
            "tracing",
            "tracing-subscriber",
            "libc",
        ],
    ),
];

/// The names in a manifest's `[dependencies]` and
/// `[target.….dependencies]` tables.
fn dependencies(manifest: &str) -> BTreeSet<String> {
    let mut in_deps = false;
    let mut deps = BTreeSet::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            // Platform-specific dependencies count as much as the others.
            in_deps = line == "[dependencies]" || (line.starts_with("[target.") && line.ends_with(".dependencies]"));
            continue;
        }
        if in_deps && !line.is_empty() && !line.starts_with('#') {
            deps.insert(line.split(['=', '.', ' ']).next().unwrap_or("").trim().to_string());
        }
    }
    deps
}

#[test]
fn every_crate_depends_only_on_what_its_layer_allows() {
    let crates = super::root().join("crates");
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(&crates).expect("crates/") {
        let dir = entry.expect("entry").path();
        let name = dir.file_name().expect("name").to_string_lossy().into_owned();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
        let allowed = ALLOWED.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("crate {name} has no entry in ALLOWED"));
        let extra: Vec<_> = dependencies(&manifest).into_iter().filter(|d| !allowed.1.contains(&d.as_str())).collect();
        assert!(extra.is_empty(), "{name} depends on {extra:?}, which its layer does not allow");
        seen.insert(name);
    }
    assert_eq!(seen.len(), ALLOWED.len(), "ALLOWED names a crate that does not exist");
}

#[test]
fn the_manifest_reader_sees_dependencies() {
    let deps = dependencies(
        "[package]\nname = \"x\"\n[dependencies]\na.workspace = true\nb = \"1\"\n# c\n[target.'cfg(unix)'.dependencies]\ne = \"1\"\n[dev-dependencies]\nd = \"1\"\n",
    );
    assert_eq!(deps.into_iter().collect::<Vec<_>>(), ["a", "b", "e"]);
}

/// ARCHITECTURE.md's code map names every source file of every crate (by
/// its name, or by its folder for a module folder's files), so that a file
/// added without a word on why it exists is caught here.
#[test]
fn the_code_map_names_every_source_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut missing = Vec::new();
    let mut seen = 0;
    for krate in std::fs::read_dir(root.join("crates")).expect("crates") {
        let src = krate.expect("crate").path().join("src");
        let mut dirs = vec![src.clone()];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for entry in entries {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                seen += 1;
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
                let folder = path.parent().filter(|p| *p != src).and_then(|p| p.file_name()).and_then(|n| n.to_str()).map(|f| format!("{f}/"));
                let named = map.contains(&format!("`{name}`")) || map.contains(&format!("/{name}`"));
                if !named && !folder.is_some_and(|f| map.contains(&f)) {
                    missing.push(path.strip_prefix(&root).unwrap_or(&path).display().to_string());
                }
            }
        }
    }
    assert!(seen > 100, "only {seen} source files found");
    assert!(missing.is_empty(), "ARCHITECTURE.md's code map does not name: {missing:?}");
}
