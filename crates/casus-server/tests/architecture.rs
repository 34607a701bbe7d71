//! Architecture checks: what the server crate must not contain.
//!
//! - It opens no store by itself: the store crates are dev-dependencies
//!   only (the caller injects a `StoreOpener`).
//! - The dashboard loads nothing from the network: no template or asset
//!   names an `http://` or `https://` address (sources in explanations are
//!   data, rendered as links, not written in templates).
//! - Every source file opens with a module doc saying why it exists.

use std::path::Path;

fn section<'a>(manifest: &'a str, name: &str) -> &'a str {
    let start = manifest.find(&format!("[{name}]")).unwrap_or(manifest.len());
    let rest = &manifest[start..];
    let end = rest[1..].find("\n[").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

#[test]
fn the_server_opens_no_store_itself() {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let deps = section(&manifest, "dependencies");
    assert!(!deps.contains("casus-store-"), "casus-server must not depend on a store crate:\n{deps}");
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { files(&p, out) } else { out.push(p) }
    }
}

#[test]
fn the_dashboard_loads_nothing_from_the_network() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    files(&root.join("templates"), &mut all);
    files(&root.join("static"), &mut all);
    assert!(all.len() >= 4);
    for p in all {
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(!text.contains("http://") && !text.contains("https://"), "{} names a network address", p.display());
    }
}

#[test]
fn every_source_file_says_why_it_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for d in ["src", "tests", "benches"] {
        files(&root.join(d), &mut all);
    }
    for p in all.iter().filter(|p| p.extension().is_some_and(|e| e == "rs")) {
        let text = std::fs::read_to_string(p).unwrap();
        assert!(text.starts_with("//!"), "{} does not open with a module doc", p.display());
    }
}
