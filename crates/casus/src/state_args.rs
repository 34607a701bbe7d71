//! The question every state command asks, parsed once: the treaty and the
//! acts (from files, or from a ledger as known at a record time), the date
//! and the readings. `replay`, `readings`, `explain`, `whatif` and
//! `blockers` all take it.

use anyhow::{Result, bail};
use std::path::PathBuf;

use crate::{cmd_ledger, input};

#[derive(clap::Args, Clone)]
pub struct StateArgs {
    /// The treaty file (literate Markdown). Not with `--ledger`, which holds its treaty.
    pub treaty: Option<PathBuf>,
    /// The record of acts (literate Markdown with ```acts blocks); without it, no acts. Not with `--ledger`.
    pub record: Option<PathBuf>,
    /// Read the acts (and the treaty) from a ledger instead: a SQLite file or a postgres:// URL.
    #[arg(long, conflicts_with_all = ["treaty", "record"])]
    pub ledger: Option<String>,
    /// With `--ledger`: the state as the ledger knew it at this record time
    /// (a date means the end of that day). By default, everything recorded.
    #[arg(long, requires = "ledger")]
    pub as_of: Option<String>,
    /// The date (or date and time, UTC) to derive the state on; by default today.
    #[arg(long)]
    pub at: Option<String>,
    /// A reading of the text, as QUESTION=OPTION (repeatable); other questions take their default.
    #[arg(long = "interpretation", short = 'i', value_name = "QUESTION=OPTION")]
    pub interpretations: Vec<String>,
}

/// The arguments of a command about one fact (`explain`, `blockers`):
/// `TREATY RECORD FACT`, or `FACT` alone with `--ledger`, and the question.
#[derive(clap::Args, Clone)]
pub struct FactArgs {
    /// TREATY RECORD FACT, or FACT alone with `--ledger`. A fact's id is as
    /// `replay` lists it (for example `obligation/arm_2022_09_art4/assist_victim/RUS`).
    #[arg(num_args = 1..=3, required = true, value_name = "TREATY RECORD FACT")]
    pub items: Vec<String>,
    /// Read the acts (and the treaty) from a ledger: a SQLite file or a postgres:// URL.
    #[arg(long)]
    pub ledger: Option<String>,
    /// With `--ledger`: the state as the ledger knew it at this record time.
    #[arg(long, requires = "ledger")]
    pub as_of: Option<String>,
    /// The date (or date and time, UTC) to derive the state on; by default today.
    #[arg(long)]
    pub at: Option<String>,
    /// A reading of the text, as QUESTION=OPTION (repeatable); other questions take their default.
    #[arg(long = "interpretation", short = 'i', value_name = "QUESTION=OPTION")]
    pub interpretations: Vec<String>,
}

impl FactArgs {
    /// The state's arguments and the fact, for `casus COMMAND`.
    pub fn split(self, command: &str) -> Result<(StateArgs, String)> {
        let (treaty, record, fact) = match (self.items.as_slice(), self.ledger.is_some()) {
            ([t, r, f], false) => (Some(PathBuf::from(t)), Some(PathBuf::from(r)), f.clone()),
            ([f], true) => (None, None, f.clone()),
            _ => bail!("write `casus {command} TREATY RECORD FACT`, or `casus {command} --ledger LEDGER FACT`"),
        };
        Ok((StateArgs { treaty, record, ledger: self.ledger, as_of: self.as_of, at: self.at, interpretations: self.interpretations }, fact))
    }
}

/// The treaty, the acts and the query a state command works on: from files,
/// or from a ledger as known at a record time.
pub fn state_input(args: &StateArgs) -> Result<(input::Loaded, casus_engine::Query)> {
    let loaded = match (&args.ledger, &args.treaty, &args.record) {
        (Some(ledger), _, _) => {
            let as_of = args.as_of.as_deref().map(|s| input::parse_at(Some(s))).transpose()?;
            cmd_ledger::load_state_input(ledger, as_of)?
        }
        (None, Some(treaty), Some(record)) => input::load_files(treaty, record).map_err(|e| swapped_hint(e, treaty, record))?,
        (None, Some(treaty), None) => input::load_treaty_only(treaty)?,
        _ => bail!("name a treaty file and a record file, or a ledger with --ledger"),
    };
    let readings = casus_engine::Query::readings_from(&loaded.treaty, &loaded.symbols, &args.interpretations)?;
    let at = input::parse_at(args.at.as_deref())?;
    Ok((loaded, casus_engine::Query { at, readings }))
}

/// A failed load whose two files look swapped (the first holds act blocks,
/// the second rule blocks) says so.
fn swapped_hint(e: anyhow::Error, treaty: &std::path::Path, record: &std::path::Path) -> anyhow::Error {
    let holds = |p: &std::path::Path, fence: &str| std::fs::read_to_string(p).is_ok_and(|t| t.contains(fence));
    if holds(treaty, "```acts") && !holds(treaty, "```casus") && holds(record, "```casus") {
        anyhow::anyhow!("{e:#}\nhint: {} looks like a record and {} like a treaty; name the treaty first: TREATY RECORD", treaty.display(), record.display())
    } else {
        e
    }
}
