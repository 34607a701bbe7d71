//! Scenario files: broken ones in `tests/corpus/` against snapshots of
//! their diagnostics (review changes with `cargo insta review`), every code
//! documented, and the shipped scenarios in `exercises/` clean.

use std::path::{Path, PathBuf};

use casus_exercise::{codes, scenario};
use casus_model::Symbols;

const LAKES: &str = include_str!("../../../exercises/exercise-lakes-treaty.md");

fn diagnostics(name: &str, text: &str, treaty_text: &str, record: Option<&str>) -> Vec<casus_lang::Diagnostic> {
    let mut symbols = Symbols::new();
    let (treaty, d) = casus_lang::load_treaty("treaty.md", treaty_text, &mut symbols);
    assert!(!d.iter().any(|d| d.is_error()));
    let (mut s, mut diags) = scenario::parse(name, text);
    let starting = match record {
        Some(r) => {
            let (rec, d) = casus_lang::load_record("record.md", r, &treaty, &mut symbols);
            assert!(!d.iter().any(|d| d.is_error()), "{d:?}");
            scenario::starting_acts(&s, &rec)
        }
        None => Vec::new(),
    };
    let (_, more) = scenario::resolve(&mut s, name, text, &treaty, &mut symbols, &starting);
    diags.extend(more);
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    diags
}

#[test]
fn broken_scenarios() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 3);
    for p in files {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&p).unwrap();
        let diags = diagnostics(&name, &text, LAKES, None);
        assert!(diags.iter().any(|d| d.is_error()), "{name} is meant to be broken");
        insta::assert_snapshot!(format!("scenario__{name}"), casus_lang::render(&diags, &name, &text));
    }
}

#[test]
fn every_code_is_documented_with_an_example() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/DIAGNOSTICS.md")).unwrap();
    for c in codes::ALL {
        assert!(doc.contains(&format!("### {c}")), "{c} is not documented in docs/DIAGNOSTICS.md");
    }
    let mut sorted = codes::ALL.to_vec();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), codes::ALL.len(), "a code is used twice");
    assert!(codes::ALL.iter().all(|c| ("E0120".."E0140").contains(c) || ("W0060".."W0065").contains(c)), "codes stay in their range");
}

#[test]
fn the_shipped_scenarios_are_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut n = 0;
    for e in std::fs::read_dir(root.join("exercises")).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        if !text.contains("```exercise") {
            continue;
        }
        n += 1;
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let (s, _) = scenario::parse(&name, &text);
        let treaty = std::fs::read_to_string(p.parent().unwrap().join(&s.treaty)).unwrap();
        let record = s.record.as_ref().map(|r| std::fs::read_to_string(p.parent().unwrap().join(r)).unwrap());
        let diags = diagnostics(&name, &text, &treaty, record.as_deref());
        assert!(diags.is_empty(), "{}", casus_lang::render(&diags, &name, &text));
        assert_eq!(s.fiction, scenario::named_as_fiction(&name), "{name}: fiction only in files named exercise-*");
    }
    assert!(n >= 3, "two fictional scenarios and the 2022 replay");
}
