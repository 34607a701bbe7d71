//! `casus bench witness`: the time for a log's operator to collect a 6-of-6
//! quorum of cosignatures from six member-state witnesses on loopback
//! (issue 11's aim: p99 under 20 ms).
//!
//! The witnesses are this binary run as six children (`casus witness
//! serve`, one per CSTO member, keys made by `casus witness keys new`), each
//! with its own state directory; the operator's side is the client code an
//! operator runs (`collect_cosignatures`, every answer verified). A ledger
//! grows over N checkpoints and each is taken to all six at once. In the
//! same run, for reference: one durable state write alone on the same disk
//! (the state log's append + fdatasync that each witness makes before it
//! answers, and the whole-file replacement it used before), and the same
//! quorum with the witnesses' state on tmpfs, where a sync costs nothing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use casus_ledger::checkpoint_note::TreeHead;
use casus_ledger::merkle::{Hash, consistency_proof, leaf_hash, root};
use casus_ledger::note::{NoteSigner, NoteVerifier, SignatureType};
use casus_witness::client::{WitnessEndpoint, collect_cosignatures};

use crate::bench::percentile;
use crate::bench_replicas::{Serving, exe, start_serving};
use std::process::ExitCode;

/// The members whose witnesses make the quorum.
const MEMBERS: [&str; 6] = ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"];
/// The origin of the benchmark's ledger.
const ORIGIN: &str = "csto.example/bench-ledger";
/// Longest a witness may take to print its address.
/// How long the operator waits for one witness's answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// Most entries one checkpoint adds (the log grows by 1..=this).
const MAX_GROWTH: usize = 5;
/// Bytes of the state write probe: about one cosigned checkpoint.
const PROBE_RECORD_BYTES: usize = 400;
/// Most checkpoints per run.
pub const MAX_CHECKPOINTS: usize = 100_000;

/// `casus witness keys new` for each member; returns the key files and verifiers.
fn make_keys(dir: &Path) -> Result<Vec<(PathBuf, NoteVerifier)>> {
    let mut keys = Vec::new();
    for m in MEMBERS {
        let key = dir.join(format!("{m}.key"));
        let name = format!("witness.{}.example/csto", m.to_lowercase());
        let out =
            Command::new(exe()?).args(["witness", "keys", "new", "--name", &name, "--out"]).arg(&key).output().context("running casus witness keys new")?;
        if !out.status.success() {
            bail!("casus witness keys new: {}", String::from_utf8_lossy(&out.stderr));
        }
        let vkey = String::from_utf8_lossy(&out.stdout).trim().to_string();
        keys.push((key, NoteVerifier::parse(&vkey).with_context(|| format!("the verifier key of {m}"))?));
    }
    Ok(keys)
}

fn spawn_witness(key: &Path, state: &Path, log_vkey: &str) -> Result<Serving> {
    let mut command = Command::new(exe()?);
    command.args(["witness", "serve", "--listen", "127.0.0.1:0", "--log"]).arg(format!("{ORIGIN}={log_vkey}")).arg("--key").arg(key).arg("--state").arg(state);
    start_serving(command, "witness")
}

fn figures(sorted: &[Duration]) -> String {
    let ms: Vec<f64> = sorted.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    format!("p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms", percentile(ms.clone(), 0.50), percentile(ms.clone(), 0.99), percentile(ms, 1.0))
}

/// Six witnesses with their state under `state_base`; the ledger grows over
/// `checkpoints` checkpoints, each taken to all six at once. Returns the
/// sorted times to the sixth verified cosignature.
fn quorum(keys: &[(PathBuf, NoteVerifier)], state_base: &Path, checkpoints: usize) -> Result<Vec<Duration>> {
    let operator = NoteSigner::from_seed(ORIGIN, SignatureType::Ed25519, [11; 32])?;
    let log_vkey = operator.verifier().to_string();
    let mut witnesses = Vec::new();
    for ((key, _), m) in keys.iter().zip(MEMBERS) {
        witnesses.push(spawn_witness(key, &state_base.join(format!("state-{m}")), &log_vkey)?);
    }
    let mut endpoints = witnesses.iter().zip(keys).map(|(w, (_, v))| WitnessEndpoint::new(&w.url, v.clone(), ANSWER_TIMEOUT)).collect::<Result<Vec<_>, _>>()?;
    let mut leaves: Vec<Hash> = Vec::new();
    let mut times = Vec::with_capacity(checkpoints);
    let mut old = 0;
    for n in 0..checkpoints {
        let new = old + 1 + n % MAX_GROWTH;
        while leaves.len() < new {
            leaves.push(leaf_hash(&(leaves.len() as u64).to_be_bytes()));
        }
        let checkpoint = TreeHead::new(ORIGIN, new as u64, root(&leaves)).sign(&operator)?;
        // The proof from the size the witnesses last cosigned is made once,
        // before the clock starts, as an operator does; any other on demand.
        let usual = if old == 0 { Vec::new() } else { consistency_proof(&leaves, old).context("a consistency proof")? };
        let proof = |from: u64| -> Option<Vec<Hash>> {
            let from = from as usize;
            if from == old {
                Some(usual.clone())
            } else if from == 0 {
                Some(Vec::new())
            } else {
                consistency_proof(&leaves, from)
            }
        };
        let start = Instant::now();
        let answers = collect_cosignatures(&mut endpoints, &checkpoint, new as u64, &proof);
        times.push(start.elapsed());
        for (answer, m) in answers.iter().zip(MEMBERS) {
            if let Err(e) = answer {
                bail!("checkpoint {} (size {new}): {m}'s witness did not cosign: {e}", n + 1);
            }
        }
        old = new;
    }
    drop(witnesses);
    times.sort();
    Ok(times)
}

/// One durable state write alone, `count` times, in `dir`: the state log's
/// append + fdatasync, and the whole-file replacement (temporary file,
/// fsync, rename, fsync of the directory).
fn state_writes(dir: &Path, count: usize) -> Result<(Vec<Duration>, Vec<Duration>)> {
    std::fs::create_dir_all(dir)?;
    let payload = [b'x'; PROBE_RECORD_BYTES];
    let path = dir.join("probe.log");
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
    let mut appends = Vec::with_capacity(count);
    for _ in 0..count {
        let start = Instant::now();
        casus_witness::state::append_durably(&mut file, &path, &payload)?;
        appends.push(start.elapsed());
    }
    let mut replaces = Vec::with_capacity(count);
    for _ in 0..count {
        let start = Instant::now();
        casus_witness::state::write_durably(&dir.join("probe.checkpoint"), &payload)?;
        replaces.push(start.elapsed());
    }
    appends.sort();
    replaces.sort();
    Ok((appends, replaces))
}

/// `casus bench witness`.
pub fn run(checkpoints: usize, dir: Option<PathBuf>) -> Result<ExitCode> {
    ensure!((1..=MAX_CHECKPOINTS).contains(&checkpoints), "--checkpoints must be 1 to {MAX_CHECKPOINTS}");
    let base = dir.unwrap_or_else(std::env::temp_dir).join(format!("casus-bench-witness-{}", std::process::id()));
    std::fs::create_dir_all(&base).with_context(|| format!("creating {}", base.display()))?;
    let shm = Path::new("/dev/shm");
    let shm_base = shm.join(format!("casus-bench-witness-{}", std::process::id()));
    let result = measure(&base, shm.is_dir().then_some(shm_base.as_path()), checkpoints);
    let _ = std::fs::remove_dir_all(&base);
    let _ = std::fs::remove_dir_all(&shm_base);
    result
}

fn measure(base: &Path, shm_base: Option<&Path>, checkpoints: usize) -> Result<ExitCode> {
    let keys = make_keys(base)?;
    eprintln!("witness benchmark in {}: six witness processes on 127.0.0.1, {checkpoints} checkpoints", base.display());
    let on_disk = quorum(&keys, base, checkpoints)?;
    let (appends, replaces) = state_writes(&base.join("probe"), checkpoints)?;
    let on_tmpfs = match shm_base {
        Some(b) => Some(quorum(&keys, b, checkpoints)?),
        None => None,
    };
    println!("witness benchmark: 6-of-6 cosignatures over loopback, six `casus witness serve` processes, {checkpoints} checkpoints");
    println!("  time to the sixth verified cosignature, state on this disk: {}   [aim: p99 < 20 ms]", figures(&on_disk));
    println!("  same run, one state log append + fdatasync alone on this disk: {}", figures(&appends));
    println!("  same run, one whole-file replacement (fsync, rename, fsync of the directory) alone: {}", figures(&replaces));
    match on_tmpfs {
        Some(t) => println!("  same run, the quorum with the witnesses' state on tmpfs (/dev/shm): {}", figures(&t)),
        None => println!("  (no /dev/shm: the quorum on tmpfs is not measured)"),
    }
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("  load average (1, 5, 15 min) at the end: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    }
    Ok(ExitCode::SUCCESS)
}
