//! `casus whatif`, `casus blockers` and `casus report`: the analysis crate's
//! answers, read from files and printed for people or machines.

use crate::input::{self, Loaded};
use crate::state_args::{self, FactArgs, StateArgs, state_input};
use anyhow::{Context, Result, bail};
use casus_analysis::text_table::table;
use casus_analysis::{Change, WhatIf, invocation_report};
use casus_model::Symbols;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct WhatIfArgs {
    #[command(flatten)]
    pub state: StateArgs,
    /// A file of acts (record format) to add, as if they had happened (repeatable).
    #[arg(long, value_name = "ACTFILE")]
    pub add: Vec<PathBuf>,
    /// The id of an act to remove, as if it had not happened (repeatable).
    #[arg(long, value_name = "ACT_ID")]
    pub remove: Vec<String>,
    /// An organ's rule replaced, as ORGAN=RULE (all its rules, for example `CSC=2/3 of members`) or ORGAN:KIND=RULE (its rule for one kind of proposal) (repeatable).
    #[arg(long, value_name = "ORGAN=RULE")]
    pub rule: Vec<String>,
    /// Print the changes as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Reads an ACTFILE against the treaty; references to documents and cases
/// of the base record are allowed.
fn added_acts(path: &Path, loaded: &mut Loaded) -> Result<Vec<casus_model::Act>> {
    let name = path.display().to_string();
    let text = input::read(path)?;
    let known = casus_query::KnownNames::of(&loaded.record.acts, &loaded.symbols);
    let (record, diags) = known.load_after(&name, &text, &loaded.treaty, &mut loaded.symbols);
    let errors: Vec<_> = diags.into_iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        eprint!("{}", casus_lang::render(&errors, &name, &text));
        bail!("{name} has errors");
    }
    Ok(record.acts)
}

pub fn whatif(args: WhatIfArgs) -> Result<ExitCode> {
    let (mut loaded, query) = state_input(&args.state)?;
    let mut changes = Vec::new();
    for path in &args.add {
        changes.extend(added_acts(path, &mut loaded)?.into_iter().map(Change::Add));
    }
    for id in &args.remove {
        let sym = loaded.symbols.get(id).filter(|s| loaded.record.acts.iter().any(|a| a.id == *s)).with_context(|| format!("no act `{id}` in the record"))?;
        changes.push(Change::Remove(sym));
    }
    for r in &args.rule {
        let Some((target, rule)) = r.split_once('=') else { bail!("`{r}` is not ORGAN=RULE or ORGAN:KIND=RULE") };
        // `ORGAN=RULE` replaces all the organ's rules; `ORGAN:KIND=RULE`
        // its rule for one kind of proposal.
        let (organ, kind) = match target.split_once(':') {
            Some((o, k)) => (o.trim(), Some(k.trim())),
            None => (target.trim(), None),
        };
        let organ_sym = loaded.symbols.get(organ).filter(|s| loaded.treaty.organ(*s).is_some()).with_context(|| format!("no organ `{organ}` in the treaty"))?;
        let kind_sym = match kind {
            None => casus_model::Sym::NONE,
            Some(k) => loaded
                .symbols
                .get(k)
                .filter(|s| loaded.treaty.organ(organ_sym).is_some_and(|o| o.kinds.iter().any(|r| r.kind == *s)))
                .with_context(|| format!("organ `{organ}` has no rule for proposals of kind `{k}`"))?,
        };
        // Only the parts the new rule states replace the organ's own.
        let said = casus_analysis::whatif::RuleParts::stated_in(rule);
        let rule = casus_lang::parse_decision_rule(rule).map_err(|e| anyhow::anyhow!("rule `{rule}`: {e}"))?;
        changes.push(Change::Rule { organ: organ_sym, kind: kind_sym, rule, said });
    }
    if changes.is_empty() {
        bail!("nothing to change: give --add ACTFILE, --remove ACT_ID or --rule ORGAN=RULE");
    }
    let state = casus_engine::derive(&loaded.treaty, &loaded.record.acts, &query);
    let base = casus_query::report(&loaded.treaty, &loaded.record.acts, &loaded.symbols, &state);
    let result = casus_analysis::what_if(&loaded.treaty, &loaded.record.acts, &loaded.symbols, &query, &base, &changes);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print!("{}", render_whatif(&result));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn render_whatif(w: &WhatIf) -> String {
    let mut out = format!("What if, on {}:\n", w.at);
    for c in &w.changes {
        let _ = writeln!(out, "  {c}");
    }
    out.push('\n');
    if w.facts.is_empty() {
        out.push_str("No verdict changes.\n");
    } else {
        // Verdicts in words ("not triggered"); the fact ids stay, since they are what `explain` takes.
        let rows: Vec<Vec<String>> = w.facts.iter().map(|f| vec![f.fact.clone(), f.before.replace('_', " "), f.after.replace('_', " ")]).collect();
        out.push_str(&table(&["fact", "as recorded", "what if"], &rows));
    }
    out
}

#[derive(clap::Args)]
pub struct BlockersArgs {
    #[command(flatten)]
    pub fact: FactArgs,
    /// Print the sets of acts as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn blockers(args: BlockersArgs) -> Result<ExitCode> {
    let (state_args, fact) = args.fact.split("blockers")?;
    let (loaded, query) = state_input(&state_args)?;
    let state = casus_engine::derive(&loaded.treaty, &loaded.record.acts, &query);
    let Some(b) = casus_analysis::blockers(&loaded.treaty, &loaded.record.acts, &loaded.symbols, &state, &fact) else {
        bail!("no document or obligation `{fact}` on that date");
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&b)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}: {}", b.fact, b.verdict);
    if let Some(note) = &b.note {
        println!("  {note}");
    }
    if !b.coalitions.is_empty() {
        println!(
            "The smallest sets of acts that would have changed it ({} act{} each):",
            b.coalitions[0].size,
            if b.coalitions[0].size == 1 { "" } else { "s" }
        );
        for c in &b.coalitions {
            println!("  - {}", c.description);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// TREATY RECORD pairs; by default every record under records/ with the
    /// treaty under treaties/ that its header names.
    pub files: Vec<PathBuf>,
    /// Read a treaty and its acts from a ledger (a SQLite file or a
    /// postgres:// URL) as well as, or instead of, files (repeatable).
    #[arg(long)]
    pub ledger: Vec<String>,
    /// With `--ledger`: the acts as each ledger knew them at this record time
    /// (a date means the end of that day). By default, everything recorded.
    #[arg(long, requires = "ledger")]
    pub as_of: Option<String>,
    /// The date (the end of that day) or date and time (UTC) to report on; by default today.
    #[arg(long)]
    pub at: Option<String>,
    /// Print the rows as JSON.
    #[arg(long, conflicts_with = "html")]
    pub json: bool,
    /// An HTML page with an SVG timeline.
    #[arg(long)]
    pub html: bool,
    /// Instead of the rows: the share of duties fulfilled under each reading of each treaty, side by side.
    #[arg(long, conflicts_with = "coverage_md")]
    pub reliability: bool,
    /// Instead of the rows: docs/COVERAGE.md (ATOP's typology against the language, and every invocation), from the shipped files.
    #[arg(long)]
    pub coverage_md: bool,
}

/// The shipped pairs: each record with the treaty its header names.
fn shipped_pairs() -> Result<Vec<(PathBuf, PathBuf)>> {
    pairs_in("treaties", "records")
}

/// Each record under `record_dir` with the treaty under `treaty_dir` that its header names.
pub(crate) fn pairs_in(treaty_dir: &str, record_dir: &str) -> Result<Vec<(PathBuf, PathBuf)>> {
    let list = |dir: &str| -> Result<Vec<PathBuf>> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("reading {dir}/ (run from the repository, or name TREATY RECORD pairs)"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        v.sort();
        Ok(v)
    };
    let treaties: Vec<(String, PathBuf)> = list(treaty_dir)?
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let mut s = Symbols::new();
            let (t, _) = casus_lang::load_treaty(&p.display().to_string(), &text, &mut s);
            Some((s.name(t.id).to_string(), p))
        })
        .collect();
    let mut pairs = Vec::new();
    for r in list(record_dir)? {
        let text = std::fs::read_to_string(&r)?;
        let named = crate::cmd_test::record_treaty(&r.display().to_string(), &text);
        if let Some(t) = named.and_then(|id| treaties.iter().find(|(tid, _)| *tid == id)) {
            pairs.push((t.1.clone(), r));
        }
    }
    Ok(pairs)
}

pub fn report(args: ReportArgs) -> Result<ExitCode> {
    if args.coverage_md {
        return crate::cmd_export::coverage_md();
    }
    let pairs: Vec<(PathBuf, PathBuf)> = if args.files.is_empty() && !args.ledger.is_empty() {
        Vec::new()
    } else if args.files.is_empty() {
        shipped_pairs()?
    } else if args.files.len().is_multiple_of(2) {
        args.files.chunks(2).map(|c| (c[0].clone(), c[1].clone())).collect()
    } else {
        bail!("name TREATY RECORD pairs");
    };
    let question = casus_query::Question::parse(args.at.as_deref(), args.as_of.as_deref(), &[])?;
    let at = question.at_or_today(casus_query::system_now());
    if args.reliability {
        return crate::cmd_export::reliability(&pairs, at, args.json, args.html);
    }
    let mut books = Vec::with_capacity(args.ledger.len() + pairs.len());
    for l in &args.ledger {
        books.push(state_args::book(Some(l), None, &question)?);
    }
    for (t, r) in &pairs {
        books.push(state_args::book(None, Some((t, Some(r))), &question)?);
    }
    let mut rows = Vec::new();
    for loaded in &books {
        rows.extend(casus_analysis::case_rows(&loaded.treaty, &loaded.record.acts, &loaded.symbols, at));
    }
    rows.sort_by(|a, b| a.date.cmp(&b.date).then(a.treaty.cmp(&b.treaty)));
    if args.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "at": casus_query::report_date(at), "rows": rows }))?);
    } else if args.html {
        print!("{}", invocation_report::html(&rows, at));
    } else {
        print!("{}", invocation_report::markdown(&rows, at));
    }
    Ok(ExitCode::SUCCESS)
}
