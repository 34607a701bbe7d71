//! Outputs for alliance researchers: `casus export atop` (a treaty's coding
//! in ATOP's variables), `casus export dyads` (directed dyad-years),
//! `casus report --reliability` (the share of duties fulfilled under each
//! reading) and `casus report --coverage-md` (the generated
//! `docs/COVERAGE.md`). The analysis crate computes; this file reads the
//! files and prints.

use crate::cmd_analysis::{escape, pairs_in, verdict_or_none};
use crate::input::{self, Loaded};
use anyhow::{Context, Result, bail};
use casus_analysis::coverage::{ExpectedObligation, Shipped};
use casus_analysis::reliability::{ReadingShare, Reliability};
use casus_model::Time;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    Json,
    Csv,
}

#[derive(clap::Subcommand)]
pub enum ExportCommand {
    /// A treaty's coding in ATOP's variables (obligation types, conditions, provisions), each value with the article and text it comes from.
    Atop {
        /// The treaty file.
        treaty: PathBuf,
        /// JSON (one object, phases by version) or CSV (one line per value and piece of evidence).
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
    },
    /// One row per ordered pair of members per year, with the ATOP obligation types in force between them (CSV).
    Dyads {
        /// The treaty file.
        treaty: PathBuf,
        /// A record whose accessions, withdrawals and suspensions change membership (optional).
        record: Option<PathBuf>,
        /// The first year.
        #[arg(long)]
        from: i64,
        /// The last year (included).
        #[arg(long)]
        to: i64,
        /// CSV (the default) or JSON.
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
    },
}

pub fn run(c: ExportCommand) -> Result<ExitCode> {
    match c {
        ExportCommand::Atop { treaty, format } => {
            let loaded = input::load_treaty_only(&treaty)?;
            let coding = casus_analysis::atop::atop_coding(&loaded.treaty, &loaded.symbols);
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&coding)?),
                Format::Csv => print!("{}", casus_analysis::atop::csv(&coding)),
            }
        }
        ExportCommand::Dyads { treaty, record, from, to, format } => {
            let loaded = match &record {
                Some(r) => input::load_files(&treaty, r)?,
                None => input::load_treaty_only(&treaty)?,
            };
            let rows = casus_analysis::dyads::dyads(&loaded.treaty, &loaded.record.acts, &loaded.symbols, from, to)?;
            match format {
                Format::Csv => print!("{}", casus_analysis::dyads::csv(&rows)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `casus report --reliability`: every pair's counts under each reading.
pub fn reliability(pairs: &[(PathBuf, PathBuf)], at: Time, json: bool, html: bool) -> Result<ExitCode> {
    let mut treaties = Vec::new();
    for (t, r) in pairs {
        let loaded = input::load_files(t, r)?;
        treaties.push(casus_analysis::reliability::treaty_reliability(&loaded.treaty, &r.display().to_string(), &loaded.record.acts, &loaded.symbols, at));
    }
    let rel = casus_analysis::reliability::reliability(treaties, at);
    if json {
        println!("{}", serde_json::to_string_pretty(&rel)?);
    } else if html {
        print!("{}", reliability_html(&rel));
    } else {
        print!("{}", reliability_markdown(&rel));
    }
    Ok(ExitCode::SUCCESS)
}

const RELIABILITY_COLUMNS: [&str; 11] = [
    "treaty",
    "record",
    "reading",
    "invocations engaging a duty",
    "duties engaged",
    "fulfilled",
    "breached",
    "pending",
    "undetermined",
    "not triggered",
    "share fulfilled",
];

/// A share as a percentage with its n: "3 of 12 (25%)".
fn share_text(s: &ReadingShare) -> String {
    match s.share_fulfilled {
        Some(p) => format!("{} of {} ({:.0}%)", s.fulfilled, s.engaged, p * 100.0),
        None => "no duty engaged".to_string(),
    }
}

fn reliability_rows(rel: &Reliability) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for t in &rel.treaties {
        for (label, r) in t.distinct() {
            rows.push(vec![
                t.treaty.clone(),
                t.record.clone(),
                label,
                format!("{} of {}", r.invocations_engaging, t.invocations),
                r.engaged.to_string(),
                r.fulfilled.to_string(),
                r.breached.to_string(),
                r.pending.to_string(),
                r.undetermined.to_string(),
                r.not_triggered.to_string(),
                share_text(r),
            ]);
        }
    }
    rows
}

/// The lines under the table: the range, and how much it rests on.
fn reliability_summary(rel: &Reliability) -> Vec<String> {
    let invocations: usize = rel.treaties.iter().map(|t| t.invocations).sum();
    let no_duty: usize = rel.treaties.iter().map(|t| t.no_duty).sum();
    vec![
        format!(
            "Each treaty read the way that gives its lowest share: {} duties fulfilled. Read the way that gives its highest: {}.",
            share_text(&rel.lowest),
            share_text(&rel.highest)
        ),
        format!(
            "These rest on {invocations} invocations in {} records ({no_duty} engaging no duty under any reading) and {} to {} duties: small numbers, to be read as counts of cases, not as rates of a population.",
            rel.treaties.len(),
            rel.lowest.engaged.min(rel.highest.engaged),
            rel.lowest.engaged.max(rel.highest.engaged)
        ),
        "A duty counts once per debtor. \"Engaged\" duties arose under the reading (every status but not triggered); pending and undetermined ones count in the denominator, as not (yet) shown fulfilled. A reading under which no duty arises has no share: the text, so read, asked nothing.".to_string(),
    ]
}

fn reliability_markdown(rel: &Reliability) -> String {
    let mut out = format!("# Duties fulfilled under each reading, as of {}\n\n", rel.at);
    out.push_str(&format!("| {} |\n|{}\n", RELIABILITY_COLUMNS.join(" | "), "---|".repeat(RELIABILITY_COLUMNS.len())));
    for r in reliability_rows(rel) {
        let _ = writeln!(out, "| {} |", r.join(" | "));
    }
    out.push('\n');
    for line in reliability_summary(rel) {
        let _ = writeln!(out, "{line}\n");
    }
    out
}

/// Bars of the share fulfilled, one per record and distinct reading, then
/// the two totals: the swing between readings, seen at a glance.
fn reliability_svg(rel: &Reliability) -> String {
    // Each bar's label: the treaty and record, then the reading in the
    // treaty's words, wrapped, so that a long option text never runs under the bar.
    let mut bars: Vec<(Vec<String>, &ReadingShare)> = Vec::new();
    for t in &rel.treaties {
        for (label, r) in t.distinct() {
            let mut lines = vec![format!("{} {}", t.treaty, t.record)];
            lines.extend(wrap(&label, LABEL_CHARS));
            bars.push((lines, r));
        }
    }
    bars.push((vec!["every record, read for its lowest share".to_string()], &rel.lowest));
    bars.push((vec!["every record, read for its highest share".to_string()], &rel.highest));
    let (width, label_w, line_h) = (900.0, 430.0, 14.0);
    let bar_w = width - label_w - 130.0;
    let height: f64 = bars.iter().map(|(l, _)| line_h * l.len() as f64 + 10.0).sum::<f64>() + 10.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Share of duties fulfilled under each reading\">"
    );
    let mut y = 5.0;
    for (lines, r) in &bars {
        for (k, line) in lines.iter().enumerate() {
            let (size, fill) = if k == 0 { (11, "#000") } else { (10, "#555") };
            let _ = write!(svg, "<text x=\"0\" y=\"{:.1}\" font-size=\"{size}\" fill=\"{fill}\">{}</text>", y + 12.0 + line_h * k as f64, escape(line));
        }
        let _ = write!(svg, "<rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{bar_w}\" height=\"16\" fill=\"#eee\"/>");
        if let Some(p) = r.share_fulfilled {
            let _ = write!(svg, "<rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"16\" fill=\"#1a7f37\"/>", p * bar_w);
        }
        let _ = write!(svg, "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>", label_w + bar_w + 6.0, y + 13.0, escape(&share_text(r)));
        y += line_h * lines.len() as f64 + 10.0;
    }
    svg.push_str("</svg>");
    svg
}

/// The most characters of a bar's label on one line (about the label
/// column's width at the label's size).
const LABEL_CHARS: usize = 70;

/// `text` in lines of at most `width` characters, broken at spaces (a
/// longer word stands alone on its line).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn reliability_html(rel: &Reliability) -> String {
    let head: String = RELIABILITY_COLUMNS.iter().map(|c| format!("<th>{}</th>", escape(c))).collect();
    let body: String =
        reliability_rows(rel).iter().map(|r| format!("<tr>{}</tr>", r.iter().map(|c| format!("<td>{}</td>", escape(c))).collect::<String>())).collect();
    let notes: String = reliability_summary(rel).iter().map(|l| format!("<p>{}</p>", escape(l))).collect();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>casus: duties fulfilled under each reading, as of {at}</title><style>body{{font-family:system-ui,sans-serif;margin:1rem;max-width:80rem}}table{{border-collapse:collapse;font-size:.9rem}}td,th{{border:1px solid #ccc;padding:.3rem;vertical-align:top;text-align:left}}svg{{width:100%;height:auto}}</style></head><body><h1>Duties fulfilled under each reading, as of {at}</h1>{svg}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}</body></html>\n",
        at = escape(&rel.at),
        svg = reliability_svg(rel)
    )
}

/// One shipped file set, loaded: the treaty, its record (if any) and the
/// record's obligation expectations.
struct Loaded1 {
    treaty_file: String,
    record_file: Option<String>,
    loaded: Loaded,
    expectations: Vec<ExpectedObligation>,
}

fn load_pair(t: &Path, r: &Path) -> Result<Loaded1> {
    let loaded = input::load_files(t, r)?;
    let name = r.display().to_string();
    let text = input::read(r)?;
    let (groups, _) = casus_lang::load_expectations(&name, &text, &loaded.treaty, &loaded.record, &loaded.symbols);
    let expectations = groups
        .iter()
        .flat_map(|g| g.expectations.iter())
        .filter_map(|e| match &e.what {
            casus_lang::expect::Expected::Obligation { duty, .. } => Some(ExpectedObligation { duty: duty.clone(), text: e.text.clone() }),
            _ => None,
        })
        .collect();
    Ok(Loaded1 { treaty_file: t.display().to_string(), record_file: Some(name), loaded, expectations })
}

/// `casus report --coverage-md`: `docs/COVERAGE.md`, from the shipped
/// treaties, records and examples (run from the repository).
pub fn coverage_md() -> Result<ExitCode> {
    let mut sets: Vec<Loaded1> = Vec::new();
    let mut pairs = pairs_in("treaties", "records")?;
    pairs.extend(pairs_in("examples", "examples")?);
    for (t, r) in &pairs {
        sets.push(load_pair(t, r).with_context(|| format!("loading {} with {}", t.display(), r.display()))?);
    }
    // Treaties with no record still state obligations.
    for dir in ["treaties", "examples"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("reading {dir}/ (run from the repository)"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        files.sort();
        for f in files {
            let text = input::read(&f)?;
            if input::block_kind(&f.display().to_string(), &text) == "acts" || pairs.iter().any(|(t, _)| *t == f) {
                continue;
            }
            let loaded = input::load_treaty_only(&f)?;
            sets.push(Loaded1 { treaty_file: f.display().to_string(), record_file: None, loaded, expectations: Vec::new() });
        }
    }
    if sets.is_empty() {
        bail!("no shipped treaties found under treaties/ and examples/");
    }
    let shipped: Vec<Shipped> = sets
        .iter()
        .map(|s| Shipped {
            treaty_file: s.treaty_file.clone(),
            treaty: &s.loaded.treaty,
            symbols: &s.loaded.symbols,
            record_file: s.record_file.clone(),
            acts: &s.loaded.record.acts,
            expectations: s.expectations.clone(),
        })
        .collect();
    print!("{}", casus_analysis::coverage::markdown(&shipped, &|r| verdict_or_none(r).join("<br>")));
    Ok(ExitCode::SUCCESS)
}
