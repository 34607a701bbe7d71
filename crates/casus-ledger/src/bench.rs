//! The ledger's benchmark: figures that `casus bench ledger` prints.
//!
//! Four measurements, each repeated and reported as a median (the machine
//! is shared and noisy, so ratios between figures taken in the same run say
//! more than absolute numbers):
//!
//! - (a) raw Ed25519 verifications per second: one by one (strict), in
//!   batches on one core, and in batches on two cores;
//! - (b) appends per second into a durable store: one client, one act per
//!   commit; N concurrent clients, one act per request, through the group
//!   commit of [`crate::group`]; and batches of acts in one commit (each
//!   append numbers each act with its key's next sequence number, checks the
//!   signer's rules and signs the statements, on every core: every act is a
//!   `casus/entry/v3` entry, as every writer writes them; until 1 December
//!   2026 these figures were of v2 entries, 80 bytes shorter each); and
//!   statements signed elsewhere, verified strictly as they are appended;
//! - (c) full verification of a ledger of N entries, in entries per second
//!   (rules, chain, signatures in batches on every core, checkpoints),
//!   after building it in batches (the build time is reported too): its
//!   acts are v3 entries;
//! - (d) proof bundle size and offline verification time, and inclusion
//!   proof size and verification time.
//!
//! Because the machine is shared, each of (b) batched and (c) is also
//! compared with the bound measured just before and after each of its runs
//! (paired ratios), which cancels most of the load other processes add.
//!
//! The durable store comes from the caller (`make_store`) because this
//! crate knows no backend; the clock is read here only to time things.

use std::time::Instant;

use casus_model::{ActKind, Symbols};
use ed25519_dalek::{Signature, VerifyingKey};

use crate::conformance::{Keys, TREATY, act, day};
use crate::store::Store;
use crate::{Ledger, Result, merkle, verify_bundle};

/// What to measure, and how much.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Entries in the ledger that (c) verifies.
    pub ledger_entries: u64,
    /// Appends timed one per commit in (b).
    pub single_appends: u64,
    /// Acts per commit in the batched part of (b).
    pub batch: usize,
    /// Batches timed in (b).
    pub batches: u64,
    /// Signatures per run of (a).
    pub signatures: usize,
    /// Concurrent clients of the group commit in (b).
    pub clients: usize,
    /// Acts appended by all clients together, per run of the group commit.
    pub group_appends: u64,
    /// Runs of each measurement; the median is reported.
    pub repeats: usize,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions { ledger_entries: 100_000, single_appends: 1000, batch: 1000, batches: 5, signatures: 4096, clients: 32, group_appends: 4000, repeats: 5 }
    }
}

/// The figures, as medians.
#[derive(Clone, Debug, Default)]
pub struct BenchReport {
    pub verify_single_per_s: f64,
    pub verify_batch_per_s: f64,
    pub verify_batch_2core_per_s: f64,
    pub sign_per_s: f64,
    pub sign_parallel_per_s: f64,
    pub append_single_per_s: f64,
    pub append_group_per_s: f64,
    /// Mean requests per commit in the group-commit runs.
    pub group_mean_size: f64,
    pub append_batch_per_s: f64,
    /// Batched appends as a percentage of the bound (one core, two cores)
    /// measured just before and after each run; medians over runs.
    pub append_batch_paired_pct: (f64, f64),
    /// Verified appends of entries signed by their actor elsewhere (the
    /// server's ingest): one per commit, and in batches.
    pub signed_single_per_s: f64,
    pub signed_batch_per_s: f64,
    pub signed_batch_paired_pct: (f64, f64),
    /// The same, paired with the two-core strict-verification bound
    /// measured around each run (every such append verifies strictly).
    pub signed_batch_strict_pct: f64,
    /// Strict verifications per second on two cores (around those runs).
    pub verify_strict_2core_per_s: f64,
    pub ledger_entries: u64,
    pub ledger_build_s: f64,
    pub ledger_verify_per_s: f64,
    /// Full verification against the bound around each run, as above.
    pub verify_paired_pct: (f64, f64),
    pub bundle_bytes: usize,
    pub bundle_verify_ms: f64,
    pub inclusion_hashes: usize,
    pub inclusion_verify_us: f64,
    pub options: Option<BenchOptions>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() { 0.0 } else { v[v.len() / 2] }
}

fn rate(n: f64, start: Instant) -> f64 {
    n / start.elapsed().as_secs_f64().max(1e-9)
}

/// Runs every measurement. `make_store` returns a new, empty durable store
/// each time it is called (a fresh file, a fresh schema).
pub fn run(opts: &BenchOptions, make_store: &mut dyn FnMut() -> Result<Box<dyn Store>>) -> Result<BenchReport> {
    let repeats = opts.repeats.max(1);
    let mut report = BenchReport { options: Some(opts.clone()), ..BenchReport::default() };

    // (a) Raw verification over messages the size of a typical entry.
    let keys = Keys::new();
    let n = opts.signatures.max(crate::ledger::SIGNATURE_BATCH);
    let msgs: Vec<Vec<u8>> = (0..n).map(|i| format!("{i:0>300}").into_bytes()).collect();
    let sigs: Vec<[u8; 64]> = msgs.iter().map(|m| keys.arm.sign(m)).collect();
    let key = keys.arm.verifying_key();
    let batch_verify = |range: std::ops::Range<usize>| -> bool {
        msgs[range.clone()].chunks(crate::ledger::SIGNATURE_BATCH).zip(sigs[range].chunks(crate::ledger::SIGNATURE_BATCH)).all(|(m, s)| {
            let m: Vec<&[u8]> = m.iter().map(|x| &x[..]).collect();
            let s: Vec<Signature> = s.iter().map(Signature::from_bytes).collect();
            let k: Vec<VerifyingKey> = vec![key; m.len()];
            ed25519_dalek::verify_batch(&m, &s, &k).is_ok()
        })
    };
    let (mut single, mut batch, mut batch2) = (vec![], vec![], vec![]);
    for _ in 0..repeats {
        let t = Instant::now();
        let ok = msgs.iter().zip(&sigs).all(|(m, s)| crate::keys::verify_strict(&key, m, s));
        single.push(rate(n as f64, t));
        let t = Instant::now();
        let ok2 = batch_verify(0..n);
        batch.push(rate(n as f64, t));
        let t = Instant::now();
        let ok3 = std::thread::scope(|s| {
            let h = s.spawn(|| batch_verify(n / 2..n));
            batch_verify(0..n / 2) & h.join().unwrap_or(false)
        });
        batch2.push(rate(n as f64, t));
        if !(ok && ok2 && ok3) {
            return Err(crate::LedgerError::State("benchmark signatures did not verify".into()));
        }
    }
    // Signing, for reference: one core, and every core (as appends sign).
    let (mut sign1, mut sign2) = (vec![], vec![]);
    for _ in 0..repeats {
        let t = Instant::now();
        let one: Vec<[u8; 64]> = msgs.iter().map(|m| keys.arm.sign(m)).collect();
        sign1.push(rate(n as f64, t));
        let t = Instant::now();
        let workers = crate::ledger::workers();
        let per = n.div_ceil(workers);
        let all: Vec<[u8; 64]> = std::thread::scope(|s| {
            let hs: Vec<_> = msgs.chunks(per).map(|c| s.spawn(|| c.iter().map(|m| keys.arm.sign(m)).collect::<Vec<_>>())).collect();
            hs.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
        });
        sign2.push(rate(n as f64, t));
        if one != all || one != sigs {
            return Err(crate::LedgerError::State("benchmark signatures differ".into()));
        }
    }
    report.sign_per_s = median(sign1);
    report.sign_parallel_per_s = median(sign2);
    // One pass of the bound, one core and two cores, for the paired ratios
    // below: the machine is shared, so a figure is compared with the bound
    // measured right around it as well as with the bound's median.
    let bounds = || -> (f64, f64) {
        let t = Instant::now();
        batch_verify(0..n);
        let one = rate(n as f64, t);
        let t = Instant::now();
        std::thread::scope(|s| {
            let h = s.spawn(|| batch_verify(n / 2..n));
            batch_verify(0..n / 2);
            let _ = h.join();
        });
        (one, rate(n as f64, t))
    };
    // The bound of appends that verify each signature strictly: strict
    // verifications per second on two cores.
    let strict_bound = || -> f64 {
        let t = Instant::now();
        let strict = |m: &[Vec<u8>], s: &[[u8; 64]]| m.iter().zip(s).all(|(m, s)| crate::keys::verify_strict(&key, m, s));
        std::thread::scope(|sc| {
            let h = sc.spawn(|| strict(&msgs[n / 2..], &sigs[n / 2..]));
            let _ = strict(&msgs[..n / 2], &sigs[..n / 2]) & h.join().unwrap_or(false);
        });
        rate(n as f64, t)
    };
    report.verify_single_per_s = median(single);
    report.verify_batch_per_s = median(batch);
    report.verify_batch_2core_per_s = median(batch2);

    // (b) Appends into a durable store.
    let mut symbols = Symbols::new();
    // Live acts, dated the day they are recorded (day 101).
    let acts: Vec<_> = (0..opts.batch.max(1)).map(|i| act(&mut symbols, &format!("b{i}"), "ARM", ActKind::Request, 101, false)).collect();
    let (mut one, mut many, mut paired1, mut paired2) = (vec![], vec![], vec![], vec![]);
    for _ in 0..repeats {
        let mut l = Ledger::create(make_store()?, "T", TREATY.as_bytes(), &keys.operator, &keys.registrations(), day(100))?;
        let t = Instant::now();
        for i in 0..opts.single_appends {
            l.append_act(&acts[i as usize % acts.len()], &symbols, &keys.arm, day(101))?;
        }
        one.push(rate(opts.single_appends as f64, t));
        let (b1, b2) = bounds();
        let t = Instant::now();
        for _ in 0..opts.batches {
            l.append_acts(&acts, &symbols, &keys.arm, day(102))?;
        }
        let r = rate((opts.batches as usize * acts.len()) as f64, t);
        let (a1, a2) = bounds();
        many.push(r);
        paired1.push(200.0 * r / (b1 + a1));
        paired2.push(200.0 * r / (b2 + a2));
    }
    report.append_batch_paired_pct = (median(paired1), median(paired2));
    report.append_single_per_s = median(one);
    report.append_batch_per_s = median(many);

    // (b) Verified appends of statements the actor signed elsewhere
    // (`casus/entry/v3`): the ledger gives them positions, checks the rules
    // and every signature strictly (every core), then commits durably.
    // Signing is the client's and is not timed.
    let (mut one, mut many, mut paired1, mut paired2, mut strict_pct, mut strict_bounds) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..repeats {
        let mut l = Ledger::create(make_store()?, "T", TREATY.as_bytes(), &keys.operator, &keys.registrations(), day(100))?;
        let origin = l.origin()?;
        let mut sequence = 1;
        let mut presign = |n: usize| {
            let first = sequence;
            sequence += n as u64;
            crate::signed_act_statements(&origin, first, &acts[..n], &symbols, &keys.arm, crate::entry::Mode::Live)
        };
        let singles = opts.single_appends.min(acts.len() as u64) as usize;
        let mut t_single = 0.0;
        for _ in 0..singles {
            let e = presign(1)?;
            let t = Instant::now();
            l.append_statements(&e, day(101))?;
            t_single += t.elapsed().as_secs_f64();
        }
        one.push(singles as f64 / t_single.max(1e-9));
        let (b1, b2) = bounds();
        let sb = strict_bound();
        let mut timed = 0.0;
        for _ in 0..opts.batches {
            let e = presign(acts.len())?;
            let t = Instant::now();
            l.append_statements(&e, day(101))?;
            timed += t.elapsed().as_secs_f64();
        }
        let r = (opts.batches as usize * acts.len()) as f64 / timed.max(1e-9);
        let (a1, a2) = bounds();
        let sa = strict_bound();
        many.push(r);
        paired1.push(200.0 * r / (b1 + a1));
        paired2.push(200.0 * r / (b2 + a2));
        strict_pct.push(200.0 * r / (sb + sa));
        strict_bounds.push((sb + sa) / 2.0);
    }
    report.signed_batch_strict_pct = median(strict_pct);
    report.verify_strict_2core_per_s = median(strict_bounds);
    report.signed_single_per_s = median(one);
    report.signed_batch_per_s = median(many);
    report.signed_batch_paired_pct = (median(paired1), median(paired2));

    // (b) N concurrent clients, one act per request, through group commit.
    let clients = opts.clients.max(1);
    let each = (opts.group_appends as usize / clients).max(1);
    let (mut grouped, mut sizes) = (vec![], vec![]);
    for _ in 0..repeats {
        let l = Ledger::create(make_store()?, "T", TREATY.as_bytes(), &keys.operator, &keys.registrations(), day(100))?;
        let appender = crate::group::GroupAppender::start(l)?;
        let handles = (0..clients).map(|_| appender.handle()).collect::<Result<Vec<_>>>()?;
        let t = Instant::now();
        let results: Vec<Result<()>> = std::thread::scope(|s| {
            let joins: Vec<_> = handles
                .into_iter()
                .enumerate()
                .map(|(c, h)| {
                    let (acts, symbols, key) = (&acts, &symbols, &keys.arm);
                    s.spawn(move || -> Result<()> {
                        for i in 0..each {
                            h.append_act(&acts[(c * each + i) % acts.len()], symbols, key, day(101))?;
                        }
                        Ok(())
                    })
                })
                .collect();
            joins.into_iter().map(|j| j.join().unwrap_or_else(|_| Err(crate::LedgerError::State("client panicked".into())))).collect()
        });
        grouped.push(rate((clients * each) as f64, t));
        results.into_iter().collect::<Result<Vec<()>>>()?;
        let stats = appender.stats();
        let groups = stats.groups.load(std::sync::atomic::Ordering::Relaxed).max(1);
        sizes.push(stats.requests.load(std::sync::atomic::Ordering::Relaxed) as f64 / groups as f64);
        let mut l = appender.finish()?;
        if l.len()? != 1 + (clients * each) as u64 {
            return Err(crate::LedgerError::State("group commit lost appends".into()));
        }
    }
    report.append_group_per_s = median(grouped);
    report.group_mean_size = median(sizes);

    // (c) Full verification of a ledger of N entries (built in batches).
    let mut l = Ledger::create(make_store()?, "T", TREATY.as_bytes(), &keys.operator, &keys.registrations(), day(100))?;
    let mut left = opts.ledger_entries.saturating_sub(1);
    let built = Instant::now();
    while left > 0 {
        let k = (left as usize).min(acts.len());
        l.append_acts(&acts[..k], &symbols, &keys.arm, day(101))?;
        left -= k as u64;
    }
    l.checkpoint(&keys.operator, day(102))?;
    report.ledger_build_s = built.elapsed().as_secs_f64();
    report.ledger_entries = l.len()?;
    let (mut full, mut paired1, mut paired2) = (vec![], vec![], vec![]);
    for _ in 0..repeats.min(3) {
        let (b1, b2) = bounds();
        let t = Instant::now();
        let r = l.verify(&mut |_, _| {})?;
        let v = rate(r.entries as f64, t);
        let (a1, a2) = bounds();
        full.push(v);
        paired1.push(200.0 * v / (b1 + a1));
        paired2.push(200.0 * v / (b2 + a2));
    }
    report.ledger_verify_per_s = median(full);
    report.verify_paired_pct = (median(paired1), median(paired2));

    // (d) Proofs, for an entry in the middle.
    let seq = report.ledger_entries / 2;
    let bundle = l.proof_bundle(seq)?;
    report.bundle_bytes = bundle.len();
    let mut times = vec![];
    for _ in 0..repeats.max(20) {
        let t = Instant::now();
        verify_bundle(&bundle)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    report.bundle_verify_ms = median(times);
    let leaves = l.replay().leaves.as_deref().unwrap_or(&[]);
    let root = merkle::root(leaves);
    let proof = merkle::inclusion_proof(leaves, seq as usize).unwrap_or_default();
    report.inclusion_hashes = proof.len();
    let reps = 10_000;
    let t = Instant::now();
    let mut ok = true;
    for _ in 0..reps {
        ok &= merkle::verify_inclusion(&leaves[seq as usize], seq, leaves.len() as u64, &proof, &root);
    }
    report.inclusion_verify_us = t.elapsed().as_secs_f64() * 1e6 / reps as f64;
    if !ok {
        return Err(crate::LedgerError::State("benchmark inclusion proof did not verify".into()));
    }
    Ok(report)
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pct = |a: f64, b: f64| if b > 0.0 { 100.0 * a / b } else { 0.0 };
        let (b1, b2) = (self.verify_batch_per_s, self.verify_batch_2core_per_s);
        let o = self.options.clone().unwrap_or_default();
        writeln!(f, "ledger benchmark: medians of {} runs; {} cores used for signing and verifying", o.repeats, crate::ledger::workers())?;
        writeln!(f, "(a) Ed25519 verify, one by one (strict):     {:>10.0} /s", self.verify_single_per_s)?;
        writeln!(f, "    in batches of {}, one core:             {:>10.0} /s", crate::ledger::SIGNATURE_BATCH, b1)?;
        writeln!(f, "    in batches, two cores:                   {:>10.0} /s", b2)?;
        writeln!(f, "    (sign, one core: {:.0} /s; every core: {:.0} /s)", self.sign_per_s, self.sign_parallel_per_s)?;
        writeln!(f, "(b) durable appends, 1 client, 1 act/commit: {:>10.0} /s", self.append_single_per_s)?;
        writeln!(
            f,
            "    {} clients, 1 act/request, group commit: {:>10.0} /s  (target >= 3000; {:.1} requests per commit)",
            o.clients, self.append_group_per_s, self.group_mean_size
        )?;
        writeln!(
            f,
            "    batches of {} acts per commit:          {:>10.0} /s  = {:.0}% of (a) batched one core, {:.0}% of two cores (target >= 80%)",
            o.batch,
            self.append_batch_per_s,
            pct(self.append_batch_per_s, b1),
            pct(self.append_batch_per_s, b2)
        )?;
        writeln!(
            f,
            "      paired with the bound measured around each run: {:.0}% of one core, {:.0}% of two cores",
            self.append_batch_paired_pct.0, self.append_batch_paired_pct.1
        )?;
        writeln!(f, "    verified appends of statements signed by their actor elsewhere (v3), 1 per commit: {:>8.0} /s", self.signed_single_per_s)?;
        writeln!(
            f,
            "    ... in batches of {} per commit:        {:>10.0} /s  = {:.0}% of (a) batched one core, {:.0}% of two cores (target >= 80%)",
            o.batch,
            self.signed_batch_per_s,
            pct(self.signed_batch_per_s, b1),
            pct(self.signed_batch_per_s, b2)
        )?;
        writeln!(
            f,
            "      paired with the bound measured around each run: {:.0}% of one core, {:.0}% of two cores",
            self.signed_batch_paired_pct.0, self.signed_batch_paired_pct.1
        )?;
        writeln!(
            f,
            "      paired with the two-core strict-verification bound ({:.0} /s): {:.0}% (aim >= 50%)",
            self.verify_strict_2core_per_s, self.signed_batch_strict_pct
        )?;
        writeln!(
            f,
            "(c) full verify of {} entries:        {:>10.0} /s  = {:.0}% of (a) batched one core, {:.0}% of two cores (target >= 80%)",
            self.ledger_entries,
            self.ledger_verify_per_s,
            pct(self.ledger_verify_per_s, b1),
            pct(self.ledger_verify_per_s, b2)
        )?;
        writeln!(
            f,
            "      paired with the bound measured around each run: {:.0}% of one core, {:.0}% of two cores",
            self.verify_paired_pct.0, self.verify_paired_pct.1
        )?;
        writeln!(
            f,
            "    (built first in batches of {}: {:.1} s, {:.0} entries/s)",
            o.batch,
            self.ledger_build_s,
            self.ledger_entries as f64 / self.ledger_build_s.max(1e-9)
        )?;
        writeln!(
            f,
            "(d) inclusion proof: {} hashes ({} bytes), verified in {:.2} us (target < 1 ms)",
            self.inclusion_hashes,
            self.inclusion_hashes * 32,
            self.inclusion_verify_us
        )?;
        writeln!(f, "    proof bundle: {} bytes, verified offline in {:.3} ms", self.bundle_bytes, self.bundle_verify_ms)
    }
}
