//! `casus bench`: benchmarks that print their figures. Medians over
//! repeated runs, because this machine is shared and noisy.

use anyhow::Result;
use casus_model::{Symbols, Time};
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Subcommand)]
pub enum Which {
    /// Replay a synthetic record: acts per second on one core, and memory per act.
    Replay {
        /// Acts in the synthetic record.
        #[arg(long, default_value_t = 1_000_000)]
        acts: usize,
        /// Parties of the synthetic treaty.
        #[arg(long, default_value_t = 32)]
        parties: usize,
        /// How many timed runs (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// The ledger: Ed25519 bounds, durable appends (single, group commit, batches) into SQLite, full verification, proofs.
    Ledger {
        /// Entries in the ledger that is built and then fully verified.
        #[arg(long, default_value_t = 1_000_000)]
        entries: u64,
        /// Concurrent clients of the group commit.
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Runs of each measurement (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Directory for the SQLite files (on the disk to measure; default: the system temporary directory).
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
    },
    /// What-if on a synthetic record: time per what-if, focused and in full.
    Whatif {
        /// Acts in the synthetic record.
        #[arg(long, default_value_t = 100_000)]
        acts: usize,
        /// Parties of the synthetic treaty.
        #[arg(long, default_value_t = 32)]
        parties: usize,
        /// How many timed runs (the median is reported).
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// The smallest blocking coalitions of a qualified-majority vote.
    Blockers {
        /// Members of the voting organ.
        #[arg(long, default_value_t = 32)]
        parties: usize,
        /// How many timed runs (the median is reported).
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// Replicas of one PostgreSQL ledger (`casus serve` children): reads per
    /// second with one, two, three… replicas, and the time for an act written
    /// through one to reach another's event stream.
    Replicas {
        /// The PostgreSQL database (a fresh schema is created in it and dropped).
        #[arg(long, default_value = "postgres://postgres:postgres@127.0.0.1:5432/test")]
        postgres: String,
        /// The most replicas (reads are measured with 1..=N).
        #[arg(long, default_value_t = 3)]
        replicas: usize,
        /// Concurrent keep-alive clients.
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
        /// How many timed runs (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Six `casus witness serve` processes on loopback: time to collect a 6-of-6
    /// quorum of cosignatures (p50/p99/max), with one durable state write alone
    /// and the quorum with state on tmpfs for reference.
    Witness {
        /// Checkpoints the ledger grows over, each cosigned by all six.
        #[arg(long, default_value_t = 300)]
        checkpoints: usize,
        /// Directory for the witnesses' state (on the disk to measure; default: the system temporary directory).
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
    },
    /// Parse a synthetic record file: acts per second.
    Parse {
        /// Acts in the synthetic record file.
        #[arg(long, default_value_t = 200_000)]
        acts: usize,
        /// How many timed runs (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() { 0.0 } else { v[v.len() / 2] }
}

/// The `p` quantile of `v` (0 < p ≤ 1) by nearest rank: the smallest value
/// with at least a share `p` of the values at or below it (`1.0` gives the
/// largest). The one definition every benchmark's percentiles use.
pub fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() { 0.0 } else { v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1] }
}

pub fn run(which: Which) -> Result<ExitCode> {
    match which {
        Which::Replay { acts, parties, runs } => replay(acts, parties, runs),
        Which::Parse { acts, runs } => parse(acts, runs),
        Which::Whatif { acts, parties, runs } => crate::bench_analysis::whatif(acts, parties, runs),
        Which::Blockers { parties, runs } => crate::bench_analysis::blockers(parties, runs),
        Which::Ledger { entries, clients, runs, dir } => ledger(entries, clients, runs, dir),
        Which::Replicas { postgres, replicas, clients, seconds, runs } => crate::bench_replicas::run(&postgres, replicas, clients, seconds, runs),
        Which::Witness { checkpoints, dir } => crate::bench_witness::run(checkpoints, dir),
    }
}

fn replay(n: usize, parties: usize, runs: usize) -> Result<ExitCode> {
    anyhow::ensure!(n > 0, "--acts must be at least 1");
    let spec = casus_synth::Spec { parties, acts: n, seed: 1 };
    let mut symbols = Symbols::new();
    let (treaty, diags) = casus_lang::load_treaty("synthetic.md", &casus_synth::treaty_text(&spec), &mut symbols);
    anyhow::ensure!(!diags.iter().any(|d| d.is_error()), "the synthetic treaty has errors: {diags:?}");
    let before = crate::alloc::current();
    let acts = casus_synth::acts(&spec, &mut symbols);
    let acts_bytes = crate::alloc::current().saturating_sub(before);
    let at = acts.last().map(|a| a.time).unwrap_or(Time(0)).end_of_day();
    let query = casus_engine::Query { at, readings: Default::default() };
    let mut seconds = Vec::new();
    let mut peak_extra = 0usize;
    let mut summary = (0, 0, 0);
    for _ in 0..runs.max(1) {
        let base = crate::alloc::current();
        crate::alloc::reset_peak();
        let start = Instant::now();
        let state = casus_engine::derive(&treaty, &acts, &query);
        seconds.push(start.elapsed().as_secs_f64());
        peak_extra = peak_extra.max(crate::alloc::peak().saturating_sub(base));
        summary = (state.cases.len(), state.cases.iter().map(|c| c.obligations.len()).sum::<usize>(), state.documents.len());
        drop(state);
    }
    let med = median(seconds.clone());
    let per_act = (acts_bytes + peak_extra) as f64 / n as f64;
    println!("replay benchmark: {n} synthetic acts, {parties} parties, {runs} runs (one core)");
    println!("  derived: {} cases, {} obligations, {} documents", summary.0, summary.1, summary.2);
    println!(
        "  time per replay: median {:.3} s (min {:.3} s, max {:.3} s)",
        med,
        seconds.iter().cloned().fold(f64::MAX, f64::min),
        seconds.iter().cloned().fold(0.0, f64::max)
    );
    println!("  throughput: {:.0} acts/s (median)   [goal: >= 1,000,000 acts/s]", n as f64 / med);
    println!(
        "  memory: acts {:.0} B/act + engine peak {:.0} B/act = {:.0} B/act   [goal: < 300 B/act]",
        acts_bytes as f64 / n as f64,
        peak_extra as f64 / n as f64,
        per_act
    );
    Ok(ExitCode::SUCCESS)
}

fn parse(n: usize, runs: usize) -> Result<ExitCode> {
    let spec = casus_synth::Spec { parties: 32, acts: n, seed: 1 };
    let mut symbols = Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("synthetic.md", &casus_synth::treaty_text(&spec), &mut symbols);
    let mut text = Vec::new();
    casus_synth::write_record(&spec, &mut text)?;
    let text = String::from_utf8(text)?;
    let mut seconds = Vec::new();
    for _ in 0..runs.max(1) {
        let mut s = symbols.clone();
        let start = Instant::now();
        let (record, diags) = casus_lang::load_record("synthetic.acts", &text, &treaty, &mut s);
        seconds.push(start.elapsed().as_secs_f64());
        anyhow::ensure!(!diags.iter().any(|d| d.is_error()) && record.acts.len() == n, "the synthetic record did not parse cleanly");
    }
    let med = median(seconds);
    println!("parse benchmark: {n} acts, {} bytes; median {:.3} s: {:.0} acts/s, {:.1} MB/s", text.len(), med, n as f64 / med, text.len() as f64 / med / 1e6);
    Ok(ExitCode::SUCCESS)
}

/// `casus bench ledger`: the figures of `casus_ledger::bench`, against fresh
/// SQLite files (durable commits) in a directory removed afterwards.
fn ledger(entries: u64, clients: usize, runs: usize, dir: Option<std::path::PathBuf>) -> Result<ExitCode> {
    let base = dir.unwrap_or_else(std::env::temp_dir).join(format!("casus-bench-ledger-{}", std::process::id()));
    std::fs::create_dir_all(&base)?;
    let opts =
        casus_ledger::bench::BenchOptions { ledger_entries: entries.max(2), clients: clients.clamp(1, 1024), repeats: runs.max(1), ..Default::default() };
    eprintln!("ledger benchmark in {}: {} entries, {} clients, {} runs", base.display(), opts.ledger_entries, opts.clients, opts.repeats);
    let mut n = 0;
    let result = casus_ledger::bench::run(&opts, &mut || {
        n += 1;
        Ok(Box::new(casus_store_sqlite::SqliteStore::open(&base.join(format!("bench{n}.sqlite")))?))
    });
    let _ = std::fs::remove_dir_all(&base);
    print!("{}", result?);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(v.clone(), 0.50), 50.0);
        assert_eq!(percentile(v.clone(), 0.99), 99.0);
        assert_eq!(percentile(v.clone(), 1.0), 100.0);
        assert_eq!(percentile(vec![3.0, 1.0, 2.0], 0.5), 2.0);
        assert_eq!(percentile(vec![7.0], 0.99), 7.0);
        assert_eq!(percentile(Vec::new(), 0.5), 0.0);
    }
}
