//! The `casus` command line. Argument handling and glue only: the work is
//! done by `casus-lang` (reading files), `casus-engine` (deriving the state)
//! and the ledger crates.
//!
//! Exit codes (a contract, see README): 0 success; 1 the input has errors
//! (diagnostics, a failed verification, a file `fmt --check` would change);
//! 2 the command could not run (bad arguments, unreadable file).

mod alloc;
mod bench;
mod bench_analysis;
mod bench_replicas;
mod bench_witness;
mod cmd_act;
mod cmd_analysis;
mod cmd_exercise;
mod cmd_export;
mod cmd_keys;
mod cmd_ledger;
mod cmd_mirror;
mod cmd_serve;
mod cmd_test;
mod cmd_witness;
mod input;
mod state_args;
mod text;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use state_args::{FactArgs, StateArgs, state_input};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "casus", version, about = "Executable collective-security treaties: check treaties, replay records, explain verdicts.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a treaty file, and a record file against it; report every problem at once.
    Check {
        /// The treaty file (literate Markdown with ```casus blocks); it comes first.
        treaty: PathBuf,
        /// A record of acts to check against the treaty (literate Markdown with ```acts blocks).
        record: Option<PathBuf>,
        /// One line per diagnostic instead of rustc-like blocks.
        #[arg(long)]
        short: bool,
    },
    /// Rewrite the rule or act blocks of a file in canonical form.
    Fmt {
        /// The treaty or record files to format.
        files: Vec<PathBuf>,
        /// Change nothing; exit 1 if a file is not in canonical form.
        #[arg(long)]
        check: bool,
        /// Print the formatted text instead of writing the file.
        #[arg(long)]
        stdout: bool,
    },
    /// Derive the state on a date: parties, chairs, documents, cases and obligations.
    Replay {
        #[command(flatten)]
        args: StateArgs,
        /// Print the state as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Explain a derived fact: the rule, its text, the acts and their sources, the readings.
    ///
    /// `casus explain TREATY RECORD FACT`, or `casus explain --ledger LEDGER FACT`.
    Explain {
        #[command(flatten)]
        args: FactArgs,
        /// Print the explanation as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The verdicts under every combination of readings, side by side.
    Readings {
        #[command(flatten)]
        args: StateArgs,
        /// Print the table as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Replay the shipped CSTO case (the Collective Security Treaty and the 2021–2025 record).
    Demo {
        /// The date to show the state on.
        #[arg(long, default_value = "2022-12-01")]
        at: String,
    },
    /// Write a synthetic treaty and record (for benchmarks and exercises).
    Synth {
        /// How many parties the synthetic treaty has.
        #[arg(long, default_value_t = 32)]
        parties: usize,
        /// How many acts the synthetic record has.
        #[arg(long, default_value_t = 100_000)]
        acts: usize,
        /// The seed of the generator: the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Directory to write `treaty.md` and `record.acts` into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Replay a record with acts added or removed, or an organ's rule replaced, and show what changes.
    Whatif(cmd_analysis::WhatIfArgs),
    /// The smallest sets of acts by parties that would have changed a document's or obligation's verdict.
    Blockers(cmd_analysis::BlockersArgs),
    /// One row per invocation across treaties and records (Markdown, HTML with a timeline, or JSON).
    Report(cmd_analysis::ReportArgs),
    /// Exports for alliance researchers: a treaty's ATOP coding, directed dyad-years.
    #[command(subcommand)]
    Export(cmd_export::ExportCommand),
    /// Make and inspect Ed25519 key files.
    #[command(subcommand)]
    Keys(cmd_keys::KeysCommand),
    /// Create, append to, verify and prove a signed ledger of acts.
    #[command(subcommand)]
    Ledger(cmd_ledger::LedgerCommand),
    /// Serve the API and the dashboard over a ledger (or the demo): `casus serve --demo`.
    Serve(cmd_serve::ServeArgs),
    /// Run a C2SP tlog-witness that cosigns a ledger's checkpoints, and make its keys.
    #[command(subcommand)]
    Witness(cmd_witness::WitnessCommand),
    /// Sign the acts of an ACT file and append them through a server.
    Act {
        #[command(flatten)]
        target: cmd_act::Target,
        /// A file of acts in the record format (`.md` literate Markdown, or one acts block).
        act: PathBuf,
    },
    /// Sign a document, as the key's party, through a server.
    Sign {
        #[command(flatten)]
        target: cmd_act::Target,
        /// The document's id, as `replay` lists it (for example `yerevan_declaration`).
        document: String,
    },
    /// Refuse to sign a document, as the key's party, with a reason and a condition.
    Refuse {
        #[command(flatten)]
        target: cmd_act::Target,
        /// The document's id, as `replay` lists it.
        document: String,
        /// Why the party refuses.
        #[arg(long)]
        reason: Option<String>,
        /// On what condition it would sign.
        #[arg(long)]
        condition: Option<String>,
    },
    /// Live crisis exercises: create one from a scenario, its MSEL as CSV, clone it.
    #[command(subcommand)]
    Exercise(cmd_exercise::ExerciseCmd),
    /// Check the verdicts that records' ```expect blocks state against what the engine derives.
    Test(cmd_test::TestArgs),
    /// Run a benchmark and print its figures.
    Bench {
        #[command(subcommand)]
        which: bench::Which,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A command whose output is piped into `head` should stop quietly when
    // the pipe closes, as Unix tools do, not panic in `println!`. Not for
    // the server, which must survive a client closing its socket.
    #[cfg(unix)]
    if !matches!(cli.command, Command::Serve(_) | Command::Witness(_)) {
        // SAFETY: called once, before any thread starts; it only restores
        // the default disposition of SIGPIPE.
        #[allow(unsafe_code)]
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Check { treaty, record: None, short } if cmd_exercise::is_scenario(&treaty) => cmd_exercise::check(&treaty, short),
        Command::Check { treaty, record, short } => input::check(&treaty, record.as_deref(), short),
        Command::Exercise(c) => cmd_exercise::run(c),
        Command::Fmt { files, check, stdout } => fmt(&files, check, stdout),
        Command::Replay { args, json } => {
            let (loaded, query) = state_input(&args)?;
            let state = casus_engine::derive(&loaded.treaty, &loaded.record.acts, &query);
            let report = casus_query::report(&loaded.treaty, &loaded.record.acts, &loaded.symbols, &state);
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", text::report(&report));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { args, json } => {
            let (args, fact) = args.split("explain")?;
            let (loaded, query) = state_input(&args)?;
            let state = casus_engine::derive(&loaded.treaty, &loaded.record.acts, &query);
            // A string that is no fact id gets the same help as a fact the state lacks.
            let found =
                casus_query::FactId::parse(&fact).and_then(|f| casus_query::explain_fact(&loaded.treaty, &loaded.record.acts, &loaded.symbols, &state, &f));
            let Some(mut e) = found else {
                let report = casus_query::report(&loaded.treaty, &loaded.record.acts, &loaded.symbols, &state);
                if let Some(near) = text::suggest_fact(&report, &fact) {
                    bail!("no fact {fact} on {}; did you mean {near}?", report.at);
                }
                bail!("no fact {fact} on {}; facts look like {}", report.at, text::example_facts(&report));
            };
            loaded.attach_logged(&mut e);
            if json {
                println!("{}", serde_json::to_string_pretty(&e)?);
            } else {
                print!("{}", text::explanation(&e));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Readings { args, json } => {
            let (loaded, query) = state_input(&args)?;
            let table = casus_analysis::Readings::derive(&loaded.treaty, &loaded.record.acts, &loaded.symbols, query.at);
            if json {
                println!("{}", serde_json::to_string_pretty(&table)?);
            } else {
                print!("{}", table.render());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { at } => demo(&at),
        Command::Synth { parties, acts, seed, out } => {
            let spec = casus_synth::Spec { parties, acts, seed };
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            std::fs::write(out.join("treaty.md"), casus_synth::treaty_text(&spec))?;
            let mut f = std::io::BufWriter::new(std::fs::File::create(out.join("record.acts"))?);
            casus_synth::write_record(&spec, &mut f)?;
            eprintln!("wrote {} and {}", out.join("treaty.md").display(), out.join("record.acts").display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Whatif(a) => cmd_analysis::whatif(a),
        Command::Blockers(a) => cmd_analysis::blockers(a),
        Command::Report(a) => cmd_analysis::report(a),
        Command::Export(c) => cmd_export::run(c),
        Command::Keys(c) => cmd_keys::run(c),
        Command::Ledger(c) => cmd_ledger::run(c),
        Command::Bench { which } => bench::run(which),
        Command::Test(a) => cmd_test::run(a),
        Command::Serve(args) => cmd_serve::run(args),
        Command::Witness(c) => cmd_witness::run(c),
        Command::Act { target, act } => cmd_act::act(target, act),
        Command::Sign { target, document } => cmd_act::position(target, "sign", &document, None, None),
        Command::Refuse { target, document, reason, condition } => cmd_act::position(target, "refuse", &document, reason.as_deref(), condition.as_deref()),
    }
}

fn fmt(files: &[PathBuf], check: bool, stdout: bool) -> Result<ExitCode> {
    if files.is_empty() {
        bail!("name one or more files to format");
    }
    let mut changed = false;
    let mut failed = false;
    for path in files {
        let name = path.display().to_string();
        let text = input::read(path)?;
        let info = input::block_kind(&name, &text);
        match casus_lang::format_file(&name, &text, info) {
            Ok(formatted) => {
                if stdout {
                    print!("{formatted}");
                } else if formatted != text {
                    changed = true;
                    if check {
                        eprintln!("{name}: not in canonical form");
                    } else {
                        std::fs::write(path, formatted).with_context(|| format!("writing {name}"))?;
                        eprintln!("{name}: formatted");
                    }
                }
            }
            Err(diags) => {
                failed = true;
                eprint!("{}", casus_lang::render(&diags, &name, &text));
                eprintln!("{name}: not formatted, fix the errors first");
            }
        }
    }
    Ok(if failed || (check && changed) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The shipped data, compiled in so that the demo runs from anywhere.
pub const CST_TREATY: (&str, &str) = ("treaties/cst.md", include_str!("../../../treaties/cst.md"));
pub const CSTO_RECORD: (&str, &str) = ("records/csto-2021-2025.md", include_str!("../../../records/csto-2021-2025.md"));

fn demo(at: &str) -> Result<ExitCode> {
    let loaded = input::load_texts(CST_TREATY, CSTO_RECORD)?;
    let query = casus_query::Question::parse(Some(at), None, &[])?.resolve(&loaded.treaty, &loaded.symbols, casus_query::system_now())?.query();
    let at = query.at;
    let state = casus_engine::derive(&loaded.treaty, &loaded.record.acts, &query);
    let report = casus_query::report(&loaded.treaty, &loaded.record.acts, &loaded.symbols, &state);
    println!("casus demo: the Collective Security Treaty and the CSTO record of 2021–2025 ({} acts).", loaded.record.acts.len());
    println!("Files: {} and {} (compiled into this binary).\n", CST_TREATY.0, CSTO_RECORD.0);
    print!("{}", text::report(&report));
    println!("\nEvery reading of the text, side by side:\n");
    print!("{}", casus_analysis::Readings::derive(&loaded.treaty, &loaded.record.acts, &loaded.symbols, at).render());
    println!("\nMembership on chosen dates:\n");
    print!("{}", text::membership_over_time(&loaded, &["1995-01-01", "2000-01-01", "2007-01-01", "2013-01-01", "2024-01-01"]));
    println!("\nChairs of the Collective Security Council:\n");
    print!("{}", text::chairs_over_time(&loaded, &["2022-06-01", "2023-06-01", "2024-06-01", "2025-06-01", "2026-06-01"]));
    println!("\nAsk why: casus explain {} {} obligation/arm_2022_09_art4/assist_victim/RUS --at {}", CST_TREATY.0, CSTO_RECORD.0, report.at);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every argument of every subcommand says what it is for in `--help`.
    #[test]
    fn every_argument_has_a_help_line() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if a.get_help().is_none() && a.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "casus", &mut missing);
        assert!(missing.is_empty(), "arguments without a help line:\n{}", missing.join("\n"));
    }
}
