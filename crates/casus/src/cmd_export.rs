//! Outputs for alliance researchers: `casus export atop` (a treaty's coding
//! in ATOP's variables), `casus export dyads` (directed dyad-years),
//! `casus report --reliability` (the share of duties fulfilled under each
//! reading) and `casus report --coverage-md` (the generated
//! `docs/COVERAGE.md`). The analysis crate computes; this file reads the
//! files and prints.

use crate::cmd_analysis::pairs_in;
use crate::input::{self, Loaded};
use anyhow::{Context, Result, bail};
use casus_analysis::coverage::{ExpectedObligation, Shipped};
use casus_analysis::reliability_report;
use casus_model::Time;
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
        print!("{}", reliability_report::html(&rel));
    } else {
        print!("{}", reliability_report::markdown(&rel));
    }
    Ok(ExitCode::SUCCESS)
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
    print!("{}", casus_analysis::coverage::markdown(&shipped));
    Ok(ExitCode::SUCCESS)
}
