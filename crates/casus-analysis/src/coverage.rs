//! `docs/COVERAGE.md`, generated: how far the language reaches into what
//! alliance research codes, and every invocation in the shipped records.
//!
//! One row per ATOP obligation type, condition and provision: the construct
//! that expresses it, the shipped files whose treaty states it (found by
//! coding each treaty with [`crate::atop`], not listed by hand) and the
//! expectations their records carry for the duties that state it; or, where
//! the language cannot yet say it, that it cannot. Then one row per
//! invocation in the shipped records with its verdict under each reading.
//! The file is generated so that it cannot drift from the code: a test
//! compares the committed file with what this module renders.

use crate::atop::{self, CONDITIONS, Found, OTHER_CONDITIONS, Obligation, PROVISIONS, atop_coding};
use crate::cases::case_rows;
use crate::invocation_report::verdict_or_none;
use casus_model::*;
use std::fmt::Write;

/// The date the invocation table is derived on, for a record whose last
/// act is earlier (a later record is derived at the end of its last act's
/// day): fixed, so that the generated file changes only when the data or
/// the code does.
pub const COVERAGE_AT: &str = "2026-01-01";

/// At most this many expectations are quoted per row (the count is given).
const QUOTED_EXPECTATIONS: usize = 2;

/// An `obligation …` expectation of a record, by the duty it names.
#[derive(Clone, Debug)]
pub struct ExpectedObligation {
    pub duty: String,
    /// The expectation as written.
    pub text: String,
}

/// One shipped treaty file with one of its records (or none).
pub struct Shipped<'a> {
    pub treaty_file: String,
    pub treaty: &'a Treaty,
    pub symbols: &'a Symbols,
    pub record_file: Option<String>,
    pub acts: &'a [Act],
    pub expectations: Vec<ExpectedObligation>,
}

/// A provision with no ATOP variable we could verify: its name, its
/// construct, and whether a shipped file uses it.
type Unverified = (&'static str, &'static str, fn(&Shipped) -> bool);

/// Provisions the issue names that have no ATOP variable we could verify:
/// rows of the table, with the shipped files that state them.
const UNVERIFIED_PROVISIONS: &[Unverified] = &[
    ("duration (a fixed term)", "`term DURATION` on the `treaty` declaration", |s| s.treaty.provisions.term.is_some()),
    ("automatic renewal", "`renews DURATION unless notice DURATION before end`", |s| s.treaty.provisions.renewal.is_some()),
    ("suspension between two parties only", "a `suspension` by one party `against` another: duties between the two lapse, the others stand", |s| {
        s.acts.iter().any(|a| a.kind == ActKind::Suspension && a.against.is_some())
    }),
];

/// Where a variable is stated: for each shipped file coding it 1, the
/// duties that carry it.
fn stated_in(shipped: &[Shipped], variable: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for (i, s) in shipped.iter().enumerate() {
        let coding = atop_coding(s.treaty, s.symbols);
        let mut duties: Vec<String> = coding
            .phases
            .iter()
            .flat_map(|p| p.values.iter().chain(&p.other_conditions))
            .filter(|v| v.variable == variable && v.value == Some(1))
            .flat_map(|v| v.evidence.iter().map(|e| e.duty.clone()))
            .collect();
        duties.sort();
        duties.dedup();
        if !duties.is_empty() {
            out.push((i, duties));
        }
    }
    out
}

/// The example cell: each treaty file stating the variable once, with the
/// expectations of its records on the duties that state it.
fn examples_cell(shipped: &[Shipped], variable: &str) -> String {
    let found = stated_in(shipped, variable);
    let mut treaties: Vec<&str> = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    for (i, duties) in &found {
        let s = &shipped[*i];
        if !treaties.contains(&s.treaty_file.as_str()) {
            treaties.push(&s.treaty_file);
            parts.push(format!("`{}` ({})", s.treaty_file, duties.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ")));
        }
        if let Some(r) = &s.record_file {
            let exp: Vec<&ExpectedObligation> = s.expectations.iter().filter(|e| duties.contains(&e.duty)).collect();
            if exp.is_empty() {
                parts.push(format!("`{r}`: no expectation yet"));
            } else {
                let mut quoted: Vec<String> = exp.iter().map(|e| format!("`{}`", e.text)).collect();
                quoted.dedup();
                quoted.truncate(QUOTED_EXPECTATIONS);
                parts.push(format!("`{r}`: {} expectation{}, e.g. {}", exp.len(), if exp.len() == 1 { "" } else { "s" }, quoted.join("; ")));
            }
        }
    }
    if parts.is_empty() { "no shipped file states it".to_string() } else { parts.join("<br>") }
}

fn row(out: &mut String, kind: &str, variable: &str, meaning: &str, construct: &str, examples: String) {
    let _ = writeln!(out, "| {kind} | `{variable}` | {meaning} | {construct} | {examples} |");
}

/// Whether a condition's function can find the condition at all (any duty
/// serves: a condition the language cannot express says so for every duty).
fn expressible(find: fn(&Duty, &Symbols) -> Found, shipped: &[Shipped]) -> bool {
    match shipped.iter().flat_map(|s| s.treaty.duties.iter().map(move |d| (d, s.symbols))).next() {
        Some((d, symbols)) => !matches!(find(d, symbols), Found::NotExpressible(_)),
        None => true,
    }
}

/// The ATOP table.
fn atop_table(shipped: &[Shipped]) -> String {
    let mut out = String::from("| kind | ATOP variable | what it codes | casus construct | shipped example and its expectations |\n|---|---|---|---|---|\n");
    for ob in Obligation::ALL {
        row(&mut out, "obligation", ob.variable(), ob.meaning(), ob.construct(), examples_cell(shipped, ob.variable()));
    }
    for c in CONDITIONS {
        let can = expressible(c.find, shipped);
        for ob in c.obligations {
            let variable = format!("{}{}", ob.prefix(), c.suffix);
            let examples = if can { examples_cell(shipped, &variable) } else { "not expressible yet".to_string() };
            row(&mut out, "condition", &variable, &format!("{} ({})", c.meaning, ob.variable()), c.construct, examples);
        }
    }
    for (name, ob) in [("DEFCON", Obligation::Defense), ("OFFCON", Obligation::Offense)] {
        row(
            &mut out,
            "condition",
            name,
            &format!("the {} obligation is conditional", ob.variable()),
            "any condition above, or `needs PATTERN` (such as a determination by an organ)",
            examples_cell(shipped, name),
        );
    }
    for o in OTHER_CONDITIONS {
        let variable = format!("casus:{}", o.name);
        row(&mut out, "condition (no ATOP variable)", &variable, o.meaning, o.construct, examples_cell(shipped, &variable));
    }
    for p in PROVISIONS {
        let can = shipped.first().is_none_or(|s| !matches!((p.find)(s.treaty, s.symbols), Found::NotExpressible(_)));
        let examples = if can { examples_cell(shipped, p.variable) } else { "not expressible yet".to_string() };
        row(&mut out, "provision", p.variable, p.meaning, p.construct, examples);
    }
    for (name, construct, uses) in UNVERIFIED_PROVISIONS {
        let mut files: Vec<String> = shipped.iter().filter(|s| uses(s)).map(|s| format!("`{}`", s.record_file.as_deref().unwrap_or(&s.treaty_file))).collect();
        files.dedup();
        let examples = if files.is_empty() { "no shipped file states it".to_string() } else { files.join("<br>") };
        let _ = writeln!(out, "| provision | (no ATOP variable verified) | {name} | {construct} | {examples} |");
    }
    out
}

/// The invocations table: one row per invocation of every shipped record.
fn invocation_table(shipped: &[Shipped], at: Time) -> String {
    let mut out = String::from("| record | treaty | invocation | requester | date | as of | verdict under each reading |\n|---|---|---|---|---|---|---|\n");
    for s in shipped {
        let Some(record) = &s.record_file else { continue };
        let last = s.acts.iter().map(|a| When::of(a.time, a.precision).latest.end_of_day()).max().unwrap_or(at);
        let at = at.max(last);
        let as_of = casus_query::report_date(at);
        for r in case_rows(s.treaty, s.acts, s.symbols, at) {
            let _ = writeln!(
                out,
                "| `{record}` | {} | `{}` | {} | {} | {as_of} | {} |",
                r.treaty,
                r.case,
                r.requester,
                r.date,
                verdict_or_none(&r).join("<br>").replace('|', "\\|")
            );
        }
    }
    out
}

/// The whole file. Verdicts read as in `casus report`'s table.
pub fn markdown(shipped: &[Shipped]) -> String {
    let at = Time::parse(COVERAGE_AT).map(|(t, _)| t.end_of_day()).unwrap_or(Time(0));
    let mut out = String::from(
        "# Coverage: what the language states of ATOP's typology, and every invocation\n\n\
         <!-- Generated by `casus report --coverage-md`; do not edit. Regenerate with\n\
         `CASUS_UPDATE_COVERAGE=1 cargo test -p casus --test cli coverage`. -->\n\n",
    );
    let _ = writeln!(
        out,
        "The variables are those of {} (names and sources in `docs/ATOP.md`). A row's example is every shipped treaty whose coding \
         (`casus export atop`) gives the variable 1, with its duties, and the expectations its record states about those duties. \
         \"Not expressible yet\" means the language has no construct for it: `casus export atop` then codes it as unknown, never as 0.\n",
        atop::CODEBOOK
    );
    out.push_str("## ATOP obligations, conditions and provisions\n\n");
    out.push_str(&atop_table(shipped));
    let _ = writeln!(out, "\n## Every invocation in the shipped records\n");
    let _ = writeln!(
        out,
        "One row per invocation `casus report` lists (every request, and every case another act opens), derived as of {COVERAGE_AT} or, for a record that runs later, as of the end of its last act's day.\n"
    );
    out.push_str(&invocation_table(shipped, at));
    out
}
