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

/// The 2022 replay played with no delegation acting: the report's what-if
/// against history shows the Yerevan declaration adopted at the close
/// (nobody refused) where history has it blocked by Armenia.
#[test]
fn the_replay_reports_where_the_players_left_history() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let (ttext, rtext, stext) = (read("treaties/cst.md"), read("records/csto-2021-2025.md"), read("exercises/csto-autumn-2022.md"));
    let mut symbols = Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("cst.md", &ttext, &mut symbols);
    let (record, _) = casus_lang::load_record("csto-2021-2025.md", &rtext, &treaty, &mut symbols);
    let (mut s, _) = scenario::parse("csto-autumn-2022.md", &stext);
    let starting = scenario::starting_acts(&s, &record);
    let (injects, diags) = scenario::resolve(&mut s, "csto-autumn-2022.md", &stext, &treaty, &mut symbols, &starting);
    assert!(diags.is_empty(), "{diags:?}");
    let (until, end) = (s.until.unwrap(), s.end.unwrap());
    let history: Vec<_> = record.acts.iter().filter(|a| a.time.0 > until && a.time.0 <= end).cloned().collect();
    let mut played = starting.clone();
    played.extend(injects);
    let r = casus_exercise::report::after_action(
        &s,
        &treaty,
        &symbols,
        &casus_exercise::report::Played { acts: &played, exercise_from: starting.len(), at: end, history: Some(&history), observations: &[] },
    );
    let yerevan = r
        .divergences_from_history
        .iter()
        .find(|d| d.what == "the document \u{201c}Declaration of the Collective Security Council\u{201d}")
        .expect("the declaration diverges");
    assert_eq!((yerevan.exercise.as_str(), yerevan.history.as_str()), ("adopted", "blocked by Armenia"));
    let decision = r.decisions.iter().find(|d| d.document == "yerevan_declaration").expect("in the report's decisions");
    assert_eq!(decision.status, "adopted");
    assert!(r.timeline.iter().all(|t| t.by == "control"), "only injects were played");
    // Words for people: dates as prose writes them, each reading's option
    // texts as sentences (none capitalised mid-sentence), sentences capitalised.
    let iso = |s: &str| s.bytes().filter(u8::is_ascii_digit).count() >= 8 && s.contains('-');
    assert!(!iso(&r.at_text) && r.at_text.contains("2022"), "{}", r.at_text);
    assert!(r.timeline.iter().all(|t| !iso(&t.time_text) && t.summary.starts_with(char::is_uppercase)), "{:?}", r.timeline);
    assert!(r.duties.iter().filter_map(|d| d.deadline_text.as_deref()).all(|d| !iso(d)), "{:?}", r.duties);
    let capital_after_semicolon = |s: &str| s.split("; ").skip(1).any(|x| x.starts_with(char::is_uppercase));
    let readings = casus_exercise::report::readings(&treaty, &symbols);
    let default = readings.iter().find(|x| x.id == "default").expect("the default reading");
    assert!(default.text.contains(". The victim") && default.text.ends_with("(the default readings)"), "{}", default.text);
    assert!(readings.iter().all(|x| !capital_after_semicolon(&x.text)), "{:?}", readings.iter().map(|x| &x.text).collect::<Vec<_>>());
}

/// A joint request makes one debtor owe the duty to each requester: the
/// report's rows for that debtor name the creditor, so that a fulfilled
/// and a breached row read apart; a debtor owing one party is not named so.
#[test]
fn a_joint_request_reports_each_creditor() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let mut symbols = Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("exercise-membership.md", &read("examples/exercise-membership.md"), &mut symbols);
    let (record, _) = casus_lang::load_record("exercise-membership-record.md", &read("examples/exercise-membership-record.md"), &treaty, &mut symbols);
    let at = casus_model::Time::parse("2032-05-31").unwrap().0.end_of_day().0;
    let acts: Vec<_> = record.acts.iter().filter(|a| a.time.0 <= at).cloned().collect();
    let played = casus_exercise::report::Played { acts: &acts, exercise_from: 0, at, history: None, observations: &[] };
    let r = casus_exercise::report::after_action(&scenario::Scenario::default(), &treaty, &symbols, &played);
    let rows = |debtor: &str| -> Vec<(Option<String>, String)> {
        r.duties
            .iter()
            .filter(|d| d.reading == "default" && d.case == "joint_request" && d.debtor == debtor)
            .map(|d| (d.owed_to_name.clone(), d.status.clone()))
            .collect()
    };
    assert_eq!(
        rows("QUI"),
        vec![(Some("Orlavia (fictional)".to_string()), "fulfilled".to_string()), (Some("Ravonia (fictional)".to_string()), "breached".to_string())]
    );
    assert_eq!(rows("ORL"), vec![(None, "fulfilled".to_string())]);
}
