//! `casus bench whatif` and `casus bench blockers`: the analysis
//! benchmarks of issue "Every way an alliance decides", with medians and the
//! ratio to a full derivation measured in the same run.

use crate::bench::median;
use anyhow::Result;
use casus_analysis::Change;
use casus_engine::Query;
use casus_model::{Act, ActKind, Precision, Symbols, Time};
use std::process::ExitCode;
use std::time::Instant;

pub fn whatif(n: usize, parties: usize, runs: usize) -> Result<ExitCode> {
    anyhow::ensure!(n > 0, "--acts must be at least 1");
    let spec = casus_synth::Spec { parties, acts: n, seed: 1 };
    let mut symbols = Symbols::new();
    let (treaty, diags) = casus_lang::load_treaty("synthetic.md", &casus_synth::treaty_text(&spec), &mut symbols);
    anyhow::ensure!(!diags.iter().any(|d| d.is_error()), "the synthetic treaty has errors");
    let acts = casus_synth::acts(&spec, &mut symbols);
    let at = acts.last().map(|a| a.time).unwrap_or(Time(0)).end_of_day();
    let query = Query { at, readings: Default::default() };
    let start = Instant::now();
    let base = casus_query::report(&treaty, &acts, &symbols, &casus_engine::derive(&treaty, &acts, &query));
    let base_seconds = start.elapsed().as_secs_f64();
    // Different what-ifs: assistance that was not given, a request that was
    // not made, a refusal of a document.
    let mut whatifs: Vec<Change> = Vec::new();
    for i in 0..runs.max(1) * 3 {
        let a = &acts[(i * 7919 + 13) % acts.len()];
        let victim = symbols.intern(&casus_synth::party_code(i % parties.max(2)));
        let helper = symbols.intern(&casus_synth::party_code((i * 5 + 1) % parties.max(2)));
        whatifs.push(match i % 3 {
            0 => Change::Add(Act { time: a.time, precision: Precision::Second, actor: helper, kind: ActKind::Assistance, to: victim, ..Act::default() }),
            1 => match acts.iter().skip(i * 101).find(|x| x.kind == ActKind::Request) {
                Some(r) => Change::Remove(r.id),
                None => Change::Add(Act { time: a.time, precision: Precision::Second, actor: helper, kind: ActKind::Statement, ..Act::default() }),
            },
            _ => match acts.iter().skip(i * 101).find(|x| x.kind == ActKind::Propose) {
                Some(p) => Change::Add(Act {
                    time: Time(p.time.0 + 1),
                    precision: Precision::Second,
                    actor: helper,
                    kind: ActKind::Refuse,
                    document: p.document,
                    ..Act::default()
                }),
                None => Change::Add(Act { time: a.time, precision: Precision::Second, actor: helper, kind: ActKind::Statement, ..Act::default() }),
            },
        });
    }
    let mut focused = Vec::new();
    let mut changed = 0;
    let mut all_focused = true;
    for c in &whatifs {
        let start = Instant::now();
        let w = casus_analysis::what_if(&treaty, &acts, &symbols, &query, &base, std::slice::from_ref(c));
        focused.push(start.elapsed().as_secs_f64());
        changed += w.facts.len();
        all_focused &= w.focused;
    }
    let mut full = Vec::new();
    for c in whatifs.iter().take(runs.max(1)) {
        let start = Instant::now();
        let (t2, a2) = casus_analysis::whatif::apply(&treaty, &acts, std::slice::from_ref(c));
        let after = casus_query::report(&t2, &a2, &symbols, &casus_engine::derive(&t2, &a2, &query));
        let _ = casus_analysis::whatif::diff(&base, &after);
        full.push(start.elapsed().as_secs_f64());
    }
    let (mf, mu) = (median(focused.clone()), median(full.clone()));
    println!("what-if benchmark: {n} synthetic acts, {parties} parties, {} what-ifs", whatifs.len());
    println!("  base derivation (once): {:.1} ms", base_seconds * 1e3);
    println!(
        "  per what-if, focused:   median {:.2} ms (max {:.2} ms){}   [goal: < 100 ms]",
        mf * 1e3,
        focused.iter().cloned().fold(0.0, f64::max) * 1e3,
        if all_focused { "" } else { " (some fell back to a full derivation)" }
    );
    println!("  per what-if, full re-derivation for comparison: median {:.2} ms; focused is {:.1}x faster", mu * 1e3, mu / mf.max(1e-9));
    println!("  {changed} fact changes found in all");
    Ok(ExitCode::SUCCESS)
}

pub fn blockers(parties: usize, runs: usize) -> Result<ExitCode> {
    anyhow::ensure!((1..=200).contains(&parties), "--parties must be between 1 and 200");
    let mut treaty_text =
        String::from("treaty Q \"Qualified majority\"\n  in-force 2000-01-01\n\norgan BIG \"Assembly\"\n  seats    every party\n  decides  2/3 of members\n");
    let mut record = String::from("2001-01-01 BIG propose\n  document motion\n  to BIG\n  source \"bench\"\n\n");
    let yes = (parties * 2).div_ceil(3);
    for i in 0..parties {
        treaty_text.push_str(&format!("\nparty P{i:02} \"P{i:02}\"\n  joins    2000-01-01  source \"bench\"\n"));
        let how = if i < yes {
            "yes"
        } else if i % 3 == 0 {
            "abstain"
        } else {
            "no"
        };
        record.push_str(&format!("2001-01-02 P{i:02} vote {how}\n  document motion\n  source \"bench\"\n\n"));
    }
    let mut symbols = Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("q.casus", &treaty_text, &mut symbols);
    let (rec, diags) = casus_lang::load_record("q.acts", &record, &treaty, &mut symbols);
    anyhow::ensure!(!diags.iter().any(|d| d.is_error()), "the benchmark record has errors");
    let state = casus_engine::derive(&treaty, &rec.acts, &Query { at: Time::from_date(2001, 2, 1), readings: Default::default() });
    let mut seconds = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        last = casus_analysis::blockers(&treaty, &rec.acts, &symbols, &state, "document/motion");
        seconds.push(start.elapsed().as_secs_f64());
    }
    let b = last.ok_or_else(|| anyhow::anyhow!("no document"))?;
    println!("blockers benchmark: a 2/3-of-members vote among {parties} parties ({yes} yes), {runs} runs");
    println!("  time to find and describe the smallest coalitions: median {:.3} ms   [goal: < 1 s]", median(seconds) * 1e3);
    println!("  verdict: {}", b.verdict);
    for c in &b.coalitions {
        println!("  - {}", c.description);
    }
    Ok(ExitCode::SUCCESS)
}
