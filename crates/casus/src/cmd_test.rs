//! `casus test`: checks the verdicts a record's `expect` blocks state
//! against what the engine derives, as a test suite over data.
//!
//! Each expectation group is derived once (its date and readings), then
//! every expectation in it is compared with the report's fact of the same
//! id. A failure prints what was derived instead, with the engine's own
//! explanation of it: the reason is rendered, never restated here.

use crate::input;
use crate::text;
use anyhow::{Context, Result, bail};
use casus_lang::expect::{Expected, Group};
use casus_lang::{Diagnostic, codes, render};
use casus_model::{Span, Symbols};
use casus_query::FactId;
use casus_query::report::Report;
use std::collections::{BTreeMap, BTreeSet};
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
    /// After the results, list per treaty which duties' triggers, conditions and deadlines, which organs' rules and which readings the expectations exercised.
    #[arg(long)]
    coverage: bool,
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
                let id = symbols.name(treaty.id).to_string();
                // Records name their treaty by id: two files with one id
                // would pair a record with whichever came last.
                if let Some(other) = treaties.insert(id.clone(), f) {
                    bail!("{} and {} both declare treaty {id}: a record naming it could be either; give each treaty its own id", other.name, f.name);
                }
            }
        }
    }
    if records.is_empty() {
        bail!("no record files among the arguments: name a treaty and its record, or a directory of records with the directory of their treaties");
    }
    let mut totals = Totals::default();
    let mut coverage = args.coverage.then(Coverage::default);
    for record in records {
        test_record(record, &treaties, &mut totals, coverage.as_mut());
    }
    if let Some(c) = &coverage {
        print!("{}", c.render());
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
    record_treaty(&record.name, &record.text)
}

/// The treaty id the `record` declaration of a record file's text names,
/// read from its act blocks (never from prose that happens to begin with
/// the word).
pub(crate) fn record_treaty(name: &str, text: &str) -> Option<String> {
    let mut ignored = casus_lang::Diagnostics::muted();
    for range in casus_lang::markdown::block_ranges(name, text, "acts") {
        let block = casus_lang::syntax::parse_block(text, range, &mut ignored);
        for decl in block.decls() {
            if decl.head.tokens.first().is_some_and(|t| t.is_word("record")) {
                return decl.clauses().iter().find(|c| c.line.tokens[0].is_word("treaty")).and_then(|c| c.line.tokens.get(1)).map(|t| t.text.clone());
            }
        }
    }
    None
}

fn test_record(record: &File, treaties: &BTreeMap<String, &File>, totals: &mut Totals, mut coverage: Option<&mut Coverage>) {
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
        let report = casus_query::report(&loaded.treaty, &loaded.record.acts, &loaded.symbols, &state);
        if let Some(c) = coverage.as_deref_mut() {
            c.note_group(&loaded, &record.name, &state, group);
        }
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
                    if let Some(x) = casus_query::explain(&loaded.treaty, &loaded.record.acts, &loaded.symbols, &state, &fact) {
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
                Some(o) if o.status.word() == *status => Ok(()),
                Some(o) => Err(format!("{} ({})", o.status_text, o.fact)),
                None => Err(format!("no such obligation on {} ({fact}); its case or this debtor's duty is not derived", report.at)),
            }
        }
        Expected::Document { status, blocked_by, tally, .. } => {
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
            // A count the expectation gives must be the tally's.
            let tally_matches = tally.is_none_or(|want| {
                d.tally
                    .as_ref()
                    .is_some_and(|got| [(want.yes, got.yes), (want.no, got.no), (want.abstain, got.abstain)].iter().all(|(w, g)| w.is_none_or(|w| w == *g)))
            });
            if d.status.word() == *status && by_matches && tally_matches {
                return Ok(());
            }
            let mut derived = d.status.to_string();
            if !d.blocked_by.is_empty() {
                derived.push_str(&format!(" by {}", d.blocked_by.join(" ")));
            }
            if tally.is_some() {
                match &d.tally {
                    Some(t) => derived.push_str(&format!(" with {} for {} against {} abstaining", t.yes, t.no, t.abstain)),
                    None => derived.push_str(&format!(", without a tally ({})", d.procedure)),
                }
            }
            Err(derived)
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

/// What the expectations exercised, per treaty (by id): for `--coverage`.
#[derive(Default)]
struct Coverage {
    treaties: BTreeMap<String, TreatyCoverage>,
}

/// One treaty's rules and decision points, each with the outcomes the
/// expectations saw there.
struct TreatyCoverage {
    title: String,
    records: BTreeSet<String>,
    /// In the treaty's order: one per duty rule (a duty worded in two
    /// versions is two rules).
    duties: Vec<DutyCoverage>,
    organs: Vec<OrganCoverage>,
    /// Question → every option, and those under which an expectation was checked.
    readings: Vec<(String, Vec<String>, BTreeSet<String>)>,
}

struct DutyCoverage {
    id: String,
    versions: String,
    /// Expectations about an obligation of this duty (the trigger matched).
    expectations: usize,
    cases: BTreeSet<String>,
    /// Per condition: the outcomes seen (`met`, `unmet`, `waived`).
    needs: Vec<BTreeSet<&'static str>>,
    /// Per condition: ` (when QUESTION = OPTION)` if it applies only under a reading.
    needs_when: Vec<String>,
    /// Deadline outcomes seen (`not yet due`, `met in time`, `passed`, …).
    deadline: BTreeSet<&'static str>,
}

/// One rule of an organ: its rule without `for` (`kind` empty) or its
/// rule for one kind of proposal.
struct OrganCoverage {
    id: String,
    kind: String,
    rule: String,
    expectations: usize,
    /// Document verdicts seen under the organ's rule.
    statuses: BTreeSet<String>,
}

impl Coverage {
    fn note_group(&mut self, loaded: &input::Loaded, record: &str, state: &casus_engine::State, group: &Group) {
        let (treaty, symbols) = (&loaded.treaty, &loaded.symbols);
        let n = |s: casus_model::Sym| symbols.name(s).to_string();
        let cov = self.treaties.entry(n(treaty.id)).or_insert_with(|| TreatyCoverage {
            title: treaty.title.clone(),
            records: BTreeSet::new(),
            duties: treaty
                .duties
                .iter()
                .map(|d| DutyCoverage {
                    id: n(d.id),
                    versions: d.versions.iter().map(|v| n(*v)).collect::<Vec<_>>().join(" "),
                    expectations: 0,
                    cases: BTreeSet::new(),
                    needs: vec![BTreeSet::new(); d.needs.len()],
                    needs_when: d.needs.iter().map(|x| x.when.map(|(q, o)| format!(" (when {} = {})", n(q), n(o))).unwrap_or_default()).collect(),
                    deadline: BTreeSet::new(),
                })
                .collect(),
            organs: treaty
                .organs
                .iter()
                .flat_map(|o| {
                    let default = (o.has_default || o.kinds.is_empty()).then(|| (String::new(), o.decides.describe()));
                    let kinds = o.kinds.iter().map(|k| (n(k.kind), k.rule.describe()));
                    default.into_iter().chain(kinds).map(|(kind, rule)| OrganCoverage { id: n(o.id), kind, rule, expectations: 0, statuses: BTreeSet::new() })
                })
                .collect(),
            readings: treaty.questions.iter().map(|q| (n(q.id), q.options.iter().map(|o| n(o.id)).collect(), BTreeSet::new())).collect(),
        });
        cov.records.insert(record.to_string());
        if group.expectations.is_empty() {
            return;
        }
        for e in &group.expectations {
            match &e.what {
                Expected::Obligation { case, duty, debtor, creditor, .. } => {
                    // The obligation's whole identity, creditor included: a
                    // debtor may owe one duty in a case to several parties.
                    let expected = FactId::Obligation { case: case.clone(), duty: duty.clone(), debtor: debtor.clone(), creditor: creditor.clone() };
                    let found = state
                        .cases
                        .iter()
                        .filter(|c| case_name(c, &loaded.record.acts, symbols) == *case)
                        .flat_map(|c| c.obligations.iter().map(move |o| (c, o)))
                        .find(|(c, o)| obligation_fact(c, o, case, treaty, symbols) == expected);
                    let Some((c, o)) = found else { continue };
                    let Some(d) = cov.duties.get_mut(o.duty) else {
                        continue;
                    };
                    d.expectations += 1;
                    d.cases.insert(case.clone());
                    if let Some(inst) = c.instances.get(o.instance as usize) {
                        // A reading is tested where a verdict checked
                        // consulted it.
                        for (q, opt) in &inst.readings {
                            if let Some(r) = cov.readings.iter_mut().find(|r| r.0 == symbols.name(*q)) {
                                r.2.insert(n(*opt));
                            }
                        }
                        let met = inst.needs_met.iter().map(|&(i, _)| (i, "met"));
                        let unmet = inst.needs_unmet.iter().map(|&i| (i, "unmet"));
                        let waived = inst.needs_waived.iter().map(|&i| (i, "waived"));
                        for (i, outcome) in met.chain(unmet).chain(waived) {
                            if let Some(seen) = d.needs.get_mut(i) {
                                seen.insert(outcome);
                            }
                        }
                    }
                    use casus_engine::{ObligationStatus as S, Performance as P};
                    let outcome = match (o.status, o.performance) {
                        (S::Pending, _) => Some("not yet due"),
                        (S::Fulfilled, _) => Some("met in time"),
                        (S::Breached, P::Late(_)) => Some("performed late"),
                        (S::Breached, _) => Some("passed unmet"),
                        (S::Undetermined, _) => Some("performed at an unknown time"),
                        (S::NotTriggered, _) => None,
                    };
                    d.deadline.extend(outcome);
                }
                Expected::Document { id, .. } => {
                    let Some(doc) = state.documents.iter().find(|d| symbols.name(d.id) == id) else {
                        continue;
                    };
                    for section in doc.sections() {
                        // The rule the section was decided by: its kind's, or the default.
                        let (organ, kind) = (symbols.name(section.organ), symbols.name(section.kind));
                        if let Some(o) = cov.organs.iter_mut().find(|o| o.id == organ && o.kind == kind) {
                            o.expectations += 1;
                            o.statuses.insert(section.status.word().to_string());
                        }
                    }
                }
                Expected::Party { .. } | Expected::Case { .. } => {}
            }
        }
    }

    fn render(&self) -> String {
        let mut out = String::from("Coverage: what the expectations exercised\n");
        let mark = |seen: &BTreeSet<&'static str>, all: &[&'static str]| -> String {
            let (yes, no): (Vec<&str>, Vec<&str>) = all.iter().partition(|w| seen.contains(*w));
            let yes = if yes.is_empty() { "nothing".to_string() } else { yes.join(", ") };
            if no.is_empty() { format!("seen {yes}") } else { format!("seen {yes}; not seen: {}", no.join(", ")) }
        };
        for (id, t) in &self.treaties {
            let _ = writeln!(out, "\n{} ({id}), in {}", t.title, t.records.iter().cloned().collect::<Vec<_>>().join(", "));
            for d in &t.duties {
                let versions = if d.versions.is_empty() { String::new() } else { format!(" (text {})", d.versions) };
                if d.expectations == 0 {
                    let _ = writeln!(out, "  duty {}{versions}: not exercised", d.id);
                    continue;
                }
                let cases: Vec<&str> = d.cases.iter().map(String::as_str).collect();
                let _ = writeln!(
                    out,
                    "  duty {}{versions}: {} expectation{}, cases {}",
                    d.id,
                    d.expectations,
                    if d.expectations == 1 { "" } else { "s" },
                    cases.join(", ")
                );
                let _ = writeln!(out, "    trigger: exercised");
                for (i, (seen, when)) in d.needs.iter().zip(&d.needs_when).enumerate() {
                    let _ = writeln!(out, "    condition {}{when}: {}", i + 1, mark(seen, &["met", "unmet", "waived"]));
                }
                let _ = writeln!(
                    out,
                    "    deadline: {}",
                    mark(&d.deadline, &["not yet due", "met in time", "passed unmet", "performed late", "performed at an unknown time"])
                );
            }
            for o in &t.organs {
                let id = if o.kind.is_empty() { o.id.clone() } else { format!("{} for {}", o.id, o.kind) };
                if o.expectations == 0 {
                    let _ = writeln!(out, "  organ {id} ({}): not exercised", o.rule);
                } else {
                    let statuses: Vec<&str> = o.statuses.iter().map(String::as_str).collect();
                    let _ = writeln!(
                        out,
                        "  organ {id} ({}): {} expectation{}; verdicts seen: {}",
                        o.rule,
                        o.expectations,
                        if o.expectations == 1 { "" } else { "s" },
                        statuses.join(", ")
                    );
                }
            }
            for (q, options, seen) in &t.readings {
                let tested: Vec<&str> = options.iter().filter(|o| seen.contains(*o)).map(String::as_str).collect();
                let untested: Vec<&str> = options.iter().filter(|o| !seen.contains(*o)).map(String::as_str).collect();
                let tested = if tested.is_empty() { "no option".to_string() } else { tested.join(", ") };
                let untested = if untested.is_empty() { String::new() } else { format!("; not tested: {}", untested.join(", ")) };
                let _ = writeln!(out, "  reading {q}: tested {tested}{untested}");
            }
        }
        out.push('\n');
        out
    }
}

/// The id `replay` gives obligation `o` of case `c` (named `case`): with
/// its creditor where the debtor owes the duty there to several parties.
fn obligation_fact(c: &casus_engine::CaseState, o: &casus_engine::ObligationState, case: &str, treaty: &casus_model::Treaty, symbols: &Symbols) -> FactId {
    FactId::Obligation {
        case: case.to_string(),
        duty: symbols.name(treaty.duties[o.duty].id).to_string(),
        debtor: symbols.name(o.debtor).to_string(),
        creditor: c.owed_to_several(o).then(|| symbols.name(o.creditor).to_string()),
    }
}

/// A case's id as `replay` lists it: its trigger's id, or `act-N`.
fn case_name(c: &casus_engine::CaseState, acts: &[casus_model::Act], symbols: &Symbols) -> String {
    casus_query::act_name(&acts[c.trigger as usize], symbols, c.trigger as usize)
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
