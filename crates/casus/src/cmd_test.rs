//! `casus test`: checks the verdicts a record's `expect` blocks state
//! against what the engine derives, as a test suite over data.
//!
//! Each expectation group is derived once (its date and readings), then
//! every expectation in it is compared with the report's fact of the same
//! id. A failure prints what was derived instead, with the engine's own
//! explanation of it: the reason is rendered, never restated here.

use crate::input;
use crate::text;
use anyhow::{bail, Context, Result};
use casus_engine::report::Report;
use casus_lang::expect::{Expected, Group};
use casus_lang::{codes, render, Diagnostic};
use casus_model::{Span, Symbols};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The most files one run reads.
const MAX_FILES: usize = 10_000;

#[derive(clap::Args)]
pub struct TestArgs {
    /// Treaty and record files, or directories holding them (their `.md` files). Each record is tested against the treaty its `record` line names, which must be among them.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// A file given to the command, read.
struct File {
    name: String,
    text: String,
}

pub fn run(args: TestArgs) -> Result<ExitCode> {
    let files = read_all(&args.files)?;
    // Treaties by id; a record names its treaty's id.
    let mut treaties: BTreeMap<String, &File> = BTreeMap::new();
    let mut records: Vec<&File> = Vec::new();
    for f in &files {
        if input::block_kind(&f.name, &f.text) == "acts" {
            records.push(f);
        } else {
            let mut symbols = Symbols::new();
            let (treaty, _) = casus_lang::load_treaty(&f.name, &f.text, &mut symbols);
            if treaty.id.is_some() {
                treaties.insert(symbols.name(treaty.id).to_string(), f);
            }
        }
    }
    if records.is_empty() {
        bail!("no record files among the arguments: name a treaty and its record, or a directory of records with the directory of their treaties");
    }
    let mut totals = Totals::default();
    for record in records {
        test_record(record, &treaties, &mut totals);
    }
    println!("{} passed, {} failed", totals.passed, totals.failed);
    if totals.errors > 0 {
        eprintln!("{} file{} could not be tested in full; see the errors above", totals.errors, if totals.errors == 1 { "" } else { "s" });
    }
    Ok(if totals.failed > 0 || totals.errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

#[derive(Default)]
struct Totals {
    passed: usize,
    failed: usize,
    /// Files with errors (unreadable as a record, or malformed expectations).
    errors: usize,
}

/// The files named, directories expanded to their `.md` files in name order.
fn read_all(paths: &[PathBuf]) -> Result<Vec<File>> {
    let mut all: Vec<PathBuf> = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("reading {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "md"))
                .collect();
            inside.sort();
            all.extend(inside);
        } else {
            all.push(p.clone());
        }
        if all.len() > MAX_FILES {
            bail!("more than {MAX_FILES} files to test");
        }
    }
    all.dedup();
    all.iter().map(|p| Ok(File { name: p.display().to_string(), text: input::read(p)? })).collect()
}

/// The treaty id a record's `record` line names (`treaty CST`), if any.
fn treaty_of(record: &File) -> Option<String> {
    let mut ignored = Vec::new();
    for range in casus_lang::markdown::block_ranges(&record.name, &record.text, "acts") {
        let block = casus_lang::syntax::parse_block(&record.text, range, &mut ignored);
        for decl in block.decls() {
            if decl.head.tokens.first().is_some_and(|t| t.is_word("record")) {
                return decl.clauses().iter().find(|c| c.line.tokens[0].is_word("treaty")).and_then(|c| c.line.tokens.get(1)).map(|t| t.text.clone());
            }
        }
    }
    None
}

fn test_record(record: &File, treaties: &BTreeMap<String, &File>, totals: &mut Totals) {
    let Some(id) = treaty_of(record) else {
        eprintln!("error: {}: no `record` line naming its treaty (`treaty ID`)", record.name);
        totals.errors += 1;
        return;
    };
    let Some(treaty) = treaties.get(&id) else {
        eprintln!("error: {} is a record of treaty {id}; name that treaty's file (or its directory) too", record.name);
        totals.errors += 1;
        return;
    };
    let loaded = match input::load_texts((&treaty.name, &treaty.text), (&record.name, &record.text)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e:#}");
            totals.errors += 1;
            return;
        }
    };
    let (groups, diags) = casus_lang::load_expectations(&record.name, &record.text, &loaded.treaty, &loaded.record, &loaded.symbols);
    eprint!("{}", render(&diags, &record.name, &record.text));
    if diags.iter().any(Diagnostic::is_error) {
        totals.errors += 1;
    }
    if groups.is_empty() && diags.is_empty() {
        let d = Diagnostic::warning(codes::NO_EXPECTATIONS, Span::new(0, 0), "no ```expect blocks in this record: nothing in it is tested")
            .help("state what the record should show: ```expect, then `on 2022-12-01` and `  obligation CASE/DUTY/DEBTOR is breached`");
        eprint!("{}", render(&[d], &record.name, &record.text));
        return;
    }
    let index = casus_lang::LineIndex::new(&record.text);
    let (mut passed, mut failed) = (0, 0);
    for group in &groups {
        let query = casus_engine::Query { at: group.at, readings: group.readings.iter().copied().collect() };
        let state = casus_engine::derive(&loaded.treaty, &loaded.record.acts, &query);
        let report = casus_engine::report(&loaded.treaty, &loaded.record.acts, &loaded.symbols, &state);
        for e in &group.expectations {
            match compare(&e.what, &report) {
                Ok(()) => passed += 1,
                Err(derived) => {
                    failed += 1;
                    let (line, col) = index.line_col(e.span.start);
                    let mut out = format!("FAILED {}:{line}:{col}: {}\n", record.name, e.text);
                    let _ = writeln!(out, "  on {}, {}", group.at_text, readings_text(group, &loaded.symbols));
                    let _ = writeln!(out, "  derived instead: {derived}");
                    let fact = e.what.fact();
                    if let Some(x) = casus_engine::explain(&loaded.treaty, &loaded.record.acts, &loaded.symbols, &state, &fact) {
                        let _ = writeln!(out, "  why:");
                        for l in text::explanation(&x).lines() {
                            let _ = writeln!(out, "{}", if l.is_empty() { String::new() } else { format!("    {l}") });
                        }
                    }
                    println!("{out}");
                }
            }
        }
    }
    println!("{}: {passed} passed, {failed} failed", record.name);
    totals.passed += passed;
    totals.failed += failed;
}

/// The group's readings in words: the ones it names, the rest by default.
fn readings_text(group: &Group, symbols: &Symbols) -> String {
    if group.readings.is_empty() {
        return "under the default readings".to_string();
    }
    let named: Vec<String> = group.readings.iter().map(|(q, o)| format!("{} = {}", symbols.name(*q), symbols.name(*o))).collect();
    format!("reading {} (other questions by default)", named.join(", "))
}

/// `Ok` when the report shows what is expected; otherwise what it shows.
fn compare(what: &Expected, report: &Report) -> Result<(), String> {
    let fact = what.fact();
    match what {
        Expected::Obligation { status, .. } => {
            let found = report.cases.iter().flat_map(|c| &c.obligations).find(|o| o.fact == fact);
            match found {
                Some(o) if o.status == *status => Ok(()),
                Some(o) => Err(format!("{} ({})", o.status_text, o.fact)),
                None => Err(format!("no such obligation on {} ({fact}); its case or this debtor's duty is not derived", report.at)),
            }
        }
        Expected::Document { status, blocked_by, .. } => {
            let Some(d) = report.documents.iter().find(|d| d.fact == fact) else {
                return Err(format!("no such document on {} ({fact}); it is not yet proposed or decided", report.at));
            };
            let by_matches = blocked_by.as_ref().is_none_or(|want| {
                let mut want = want.clone();
                let mut got = d.blocked_by.clone();
                want.sort();
                got.sort();
                want == got
            });
            if d.status == *status && by_matches {
                Ok(())
            } else if d.blocked_by.is_empty() {
                Err(d.status.clone())
            } else {
                Err(format!("{} by {}", d.status, d.blocked_by.join(" ")))
            }
        }
        Expected::Party { status, .. } => match report.parties.iter().find(|p| p.fact == fact) {
            Some(p) if p.status == *status => Ok(()),
            Some(p) => Err(format!("{} since {}", p.status, p.since)),
            None => Err(format!("not a party on {}", report.at)),
        },
        Expected::Case { exists, .. } => {
            let found = report.cases.iter().any(|c| c.fact == fact);
            match (found, exists) {
                (true, true) | (false, false) => Ok(()),
                (true, false) => Err(format!("the case exists on {}", report.at)),
                (false, true) => Err(format!("no such case on {}: the act opens none under the treaty in force", report.at)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> File {
        File { name: name.into(), text: text.into() }
    }

    #[test]
    fn a_record_names_its_treaty() {
        let r = file("r.md", "# R\n\n```acts\nrecord \"R\"\n  treaty   CST\n```\n");
        assert_eq!(treaty_of(&r).as_deref(), Some("CST"));
        assert_eq!(treaty_of(&file("r.md", "# R\n")), None);
    }
}
