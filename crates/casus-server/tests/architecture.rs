//! Architecture checks: what the server crate must not contain.
//!
//! - It opens no store by itself: the store crates are dev-dependencies
//!   only (the caller injects a `StoreOpener`).
//! - The dashboard loads nothing from the network: no template or asset
//!   names an `http://` or `https://` address (sources in explanations are
//!   data, rendered as links, not written in templates).
//! - Every source file opens with a module doc saying why it exists.
//! - No two modules name each other (directly or round a longer loop):
//!   the state does not depend on the handlers, the writes or the
//!   background work that use it.
//! - It names only crate-root items of the ledger (`casus_ledger::Follower`,
//!   never `casus_ledger::merkle::Hash` nor a module such as `hex`): the
//!   ledger's modules stay free to change behind its small public API.

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

/// The crate's top-level modules each file of `src/` names as
/// `crate::NAME`, comments aside (`src/exercise/` counts as `exercise`; the
/// crate root, which names every module, is left out).
fn module_imports() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut graph: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
    for p in all.iter().filter(|p| p.extension().is_some_and(|e| e == "rs")) {
        let rel = p.strip_prefix(&src).unwrap();
        let module = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(p).unwrap();
        let names = graph.entry(module.clone()).or_default();
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let name: String = line[i + 7..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                if !name.is_empty() && name != module {
                    names.insert(name);
                }
            }
        }
    }
    graph
}

#[test]
fn no_two_modules_name_each_other() {
    let graph = module_imports();
    assert!(graph.get("state").is_some_and(|s| s.contains("data")), "the scan reads no imports: {graph:?}");
    // A depth-first walk from every module: reaching a module still on the
    // path is a loop.
    fn walk(
        m: &str,
        graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) {
        if let Some(i) = path.iter().position(|p| p == m) {
            panic!("modules that name each other: {} -> {m}", path[i..].join(" -> "));
        }
        if !done.insert(m.to_string()) {
            return;
        }
        path.push(m.to_string());
        for next in graph.get(m).into_iter().flatten() {
            walk(next, graph, path, done);
        }
        path.pop();
    }
    let mut done = std::collections::BTreeSet::new();
    for m in graph.keys() {
        walk(m, &graph, &mut Vec::new(), &mut done);
    }
}

/// The public modules of casus-ledger, from its `lib.rs`.
fn ledger_modules() -> Vec<String> {
    let lib = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../casus-ledger/src/lib.rs")).unwrap();
    lib.lines().filter_map(|l| l.trim().strip_prefix("pub mod ")?.strip_suffix(';').map(str::to_string)).collect()
}

/// The paths after each `casus_ledger::` in `text`: one name, or every
/// name of a `casus_ledger::{…}` group (first segment of each).
fn ledger_paths(text: &str) -> Vec<String> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut out = Vec::new();
    for (i, _) in text.match_indices("casus_ledger::") {
        let rest = &text[i + "casus_ledger::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(group.split(',').map(|item| item.trim().to_string()).filter(|item| !item.is_empty()));
        } else {
            let name = ident(rest);
            let after = &rest[name.len()..];
            out.push(if after.starts_with("::") { format!("{name}::") } else { name });
        }
    }
    out
}

#[test]
fn the_server_names_only_crate_root_items_of_the_ledger() {
    let modules = ledger_modules();
    assert!(modules.iter().any(|m| m == "merkle"), "no modules read from casus-ledger's lib.rs: {modules:?}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&root, &mut all);
    let mut found = Vec::new();
    for p in all.iter().filter(|p| p.extension().is_some_and(|e| e == "rs")) {
        let text = std::fs::read_to_string(p).unwrap();
        let file = p.strip_prefix(&root).unwrap().display().to_string();
        for path in ledger_paths(&text) {
            let first: String = path.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            // `casus_ledger::Follower::new` names an item; `casus_ledger::merkle` a module.
            if modules.contains(&first) {
                found.push(format!("{file}: casus_ledger::{path}"));
            }
        }
    }
    assert!(found.is_empty(), "the server names ledger modules; use (or add) crate-root items of casus_ledger instead:\n{}", found.join("\n"));
}

#[test]
fn a_module_path_into_the_ledger_is_found() {
    assert_eq!(ledger_paths("use casus_ledger::merkle::Hash;"), ["merkle::"]);
    assert_eq!(ledger_paths("casus_ledger::{Hash, hex, merkle::root};"), ["Hash", "hex", "merkle::root"]);
    assert_eq!(ledger_paths("casus_ledger::Follower::new()"), ["Follower::"]);
}
