//! The explanation of every verdict of every shipped record, read as a
//! reader reads it: snapshots of each case and obligation under every
//! reading (reviewed for prose), and a check over every fact of every record
//! that no explanation shows rule syntax (`$variable`, backticks, statuses
//! written with an underscore).

use casus_engine::{all_readings, derive, explain, report, Explanation, Query};
use casus_model::{Precision, Symbols, Time};
use std::fmt::Write;

/// Each shipped record with its treaty and the dates its verdicts are read on.
const PAIRS: [(&str, &str, &[&str]); 4] = [
    ("cst.md", "csto-2021-2025.md", &["2021-06-30", "2022-12-01", "2025-12-31"]),
    ("north-atlantic.md", "nato-2001.md", &["2001-09-20", "2001-12-01"]),
    ("exercise-majority.md", "exercise-majority.md", &["2031-01-01"]),
    ("exercise-silence.md", "exercise-silence.md", &["2031-01-01"]),
];

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Loaded {
    symbols: Symbols,
    treaty: casus_model::Treaty,
    acts: Vec<casus_model::Act>,
}

fn load(treaty: &str, record: &str) -> Loaded {
    let mut symbols = Symbols::new();
    let t_text = std::fs::read_to_string(root().join("treaties").join(treaty)).expect("treaty file");
    let (t, diags) = casus_lang::load_treaty(treaty, &t_text, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, treaty, &t_text));
    let r_text = std::fs::read_to_string(root().join("records").join(record)).expect("record file");
    let (r, diags) = casus_lang::load_record(record, &r_text, &t, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, record, &r_text));
    Loaded { symbols, treaty: t, acts: r.acts }
}

fn end_of(date: &str) -> Time {
    match Time::parse(date).expect("a date") {
        (t, Precision::Day) => t.end_of_day(),
        (t, _) => t,
    }
}

/// The explanation as plain text, in the order a reader checks it.
fn render(e: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n  (fact {})", e.statement, e.fact);
    for r in &e.rules {
        let _ = writeln!(out, "  Text: {}{}", r.heading.as_deref().unwrap_or(&r.kind), r.version.as_ref().map(|v| format!(", \"{}\" in force since {}", v.title, v.in_force)).unwrap_or_default());
        if let Some(q) = &r.quote {
            let _ = writeln!(out, "    > {}", q.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    for (i, r) in e.reasons.iter().enumerate() {
        let _ = writeln!(out, "  {}. {r}", i + 1);
    }
    for r in &e.readings {
        let _ = writeln!(out, "  Reading: {} {}{}", r.question_text, r.option_text, if r.default { " (the default)" } else { "" });
    }
    for a in &e.acts {
        let _ = writeln!(out, "  Act {} ({}): {}: {}; attested by {}", a.id, a.role, a.date, a.summary, a.attested_by);
    }
    out
}

/// Every fact of the state, for the checks below.
fn facts(r: &casus_engine::Report) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    out.extend(r.parties.iter().map(|p| p.fact.clone()));
    out.extend(r.chairs.iter().map(|c| c.fact.clone()));
    out.extend(r.documents.iter().map(|d| d.fact.clone()));
    for c in &r.cases {
        out.push(c.fact.clone());
        out.extend(c.obligations.iter().map(|o| o.fact.clone()));
    }
    out
}

const RULE_SYNTAX: [&str; 6] = ["$", "`", "not_triggered", "opted_out", "voted_yes", "voted_no"];

#[test]
fn explanations_of_cases_and_obligations() {
    for (treaty, record, dates) in PAIRS {
        let l = load(treaty, record);
        for date in dates {
            let mut text = String::new();
            for readings in all_readings(&l.treaty, 64) {
                let state = derive(&l.treaty, &l.acts, &Query { at: end_of(date), readings: readings.clone() });
                let r = report(&l.treaty, &l.acts, &l.symbols, &state);
                if r.cases.is_empty() {
                    continue;
                }
                let words: Vec<String> = r.readings.iter().map(|x| x.option_text.clone()).collect();
                let _ = writeln!(text, "=== Readings: {}\n", words.join("; "));
                for c in &r.cases {
                    let mut ids = vec![c.fact.clone()];
                    ids.extend(c.obligations.iter().map(|o| o.fact.clone()));
                    for fact in ids {
                        let e = explain(&l.treaty, &l.acts, &l.symbols, &state, &fact).unwrap_or_else(|| panic!("no explanation of {fact}"));
                        let _ = writeln!(text, "{}", render(&e));
                    }
                }
            }
            if text.is_empty() {
                continue;
            }
            let name = format!("{}__{date}", record.trim_end_matches(".md"));
            insta::with_settings!({ snapshot_suffix => name, prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!("explanations", text);
            });
        }
    }
}

#[test]
fn no_explanation_shows_rule_syntax() {
    let mut checked = 0;
    for (treaty, record, dates) in PAIRS {
        let l = load(treaty, record);
        for date in dates {
            for readings in all_readings(&l.treaty, 64) {
                let state = derive(&l.treaty, &l.acts, &Query { at: end_of(date), readings });
                let r = report(&l.treaty, &l.acts, &l.symbols, &state);
                for fact in facts(&r) {
                    let e = explain(&l.treaty, &l.acts, &l.symbols, &state, &fact).unwrap_or_else(|| panic!("no explanation of {fact}"));
                    let mut words = vec![e.statement.clone()];
                    words.extend(e.reasons.iter().cloned());
                    words.extend(e.acts.iter().map(|a| a.summary.clone()));
                    for w in words {
                        for bad in RULE_SYNTAX {
                            assert!(!w.contains(bad), "{record} on {date}, {fact}: {bad:?} in {w:?}");
                        }
                    }
                    checked += 1;
                }
                for c in &r.cases {
                    assert!(!c.title.contains('_') && !c.title.is_empty(), "case title {:?}", c.title);
                    for o in &c.obligations {
                        assert!(!o.status_text.contains('_') && !o.duty_title.contains('_'), "{o:?}");
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} facts checked");
}
