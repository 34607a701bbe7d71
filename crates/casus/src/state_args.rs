//! The question every state command asks, as flags: the treaty and the
//! acts (from files, or from a ledger as known at a record time), the date
//! and the readings. `replay`, `readings`, `explain`, `whatif` and
//! `blockers` all take it. The flags are declared here once; what they
//! mean (dates, readings, limits, today) is `casus-query`'s.

use anyhow::{Result, bail};
use casus_query::{Book, Question};
use std::path::PathBuf;

use crate::{cmd_ledger, input};

/// `--at`, `--as-of` and the readings: the question, as flags.
#[derive(clap::Args, Clone)]
pub struct QuestionArgs {
    /// With `--ledger`: the state as the ledger knew it at this record time
    /// (a date means the end of that day). By default, everything recorded.
    #[arg(long, requires = "ledger")]
    pub as_of: Option<String>,
    /// The date (the end of that day) or date and time (UTC) to derive the state on; by default today.
    #[arg(long)]
    pub at: Option<String>,
    /// A reading of the text, as QUESTION=OPTION (repeatable); other questions take their default.
    #[arg(long = "reading", short = 'i', visible_alias = "interpretation", value_name = "QUESTION=OPTION")]
    pub readings: Vec<String>,
}

impl QuestionArgs {
    /// The question the flags ask.
    pub fn question(&self) -> Result<Question> {
        Ok(Question::parse(self.at.as_deref(), self.as_of.as_deref(), &self.readings)?)
    }
}

#[derive(clap::Args, Clone)]
pub struct StateArgs {
    /// The treaty file (literate Markdown). Not with `--ledger`, which holds its treaty.
    pub treaty: Option<PathBuf>,
    /// The record of acts (literate Markdown with ```acts blocks); without it, no acts. Not with `--ledger`.
    pub record: Option<PathBuf>,
    /// Read the acts (and the treaty) from a ledger instead: a SQLite file or a postgres:// URL.
    #[arg(long, conflicts_with_all = ["treaty", "record"])]
    pub ledger: Option<String>,
    #[command(flatten)]
    pub question: QuestionArgs,
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
    #[command(flatten)]
    pub question: QuestionArgs,
}

impl FactArgs {
    /// The state's arguments and the fact, for `casus COMMAND`.
    pub fn split(self, command: &str) -> Result<(StateArgs, String)> {
        let (treaty, record, fact) = match (self.items.as_slice(), self.ledger.is_some()) {
            ([t, r, f], false) => (Some(PathBuf::from(t)), Some(PathBuf::from(r)), f.clone()),
            ([f], true) => (None, None, f.clone()),
            _ => bail!("write `casus {command} TREATY RECORD FACT`, or `casus {command} --ledger LEDGER FACT`"),
        };
        Ok((StateArgs { treaty, record, ledger: self.ledger, question: self.question }, fact))
    }
}

/// The book a question is asked of: from a ledger as known at the
/// question's `as_of`, or from files.
pub fn book(ledger: Option<&str>, files: Option<(&std::path::Path, Option<&std::path::Path>)>, question: &Question) -> Result<Book> {
    Ok(match (ledger, files) {
        (Some(ledger), _) => cmd_ledger::load_state_input(ledger, question.as_of)?,
        (None, Some((treaty, Some(record)))) => input::load_files(treaty, record).map_err(|e| swapped_hint(e, treaty, record))?,
        (None, Some((treaty, None))) => input::load_treaty_only(treaty)?,
        (None, None) => bail!("name a treaty file and a record file, or a ledger with --ledger"),
    })
}

/// The book and the engine's query a state command works on.
pub fn state_input(args: &StateArgs) -> Result<(Book, casus_engine::Query)> {
    let question = args.question.question()?;
    let files = args.treaty.as_deref().map(|t| (t, args.record.as_deref()));
    let book = book(args.ledger.as_deref(), files, &question)?;
    let resolved = question.resolve(&book.treaty, &book.symbols, casus_query::system_now())?;
    Ok((book, resolved.query()))
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
