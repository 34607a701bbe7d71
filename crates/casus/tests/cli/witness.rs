//! `casus witness` as real processes on 127.0.0.1: a witness cosigns a
//! growing log, refuses a fork and a rollback, and keeps its state across
//! a SIGKILL; six witnesses (one per CSTO member) give a 6-of-6 quorum,
//! every one refuses a fork, and the time to collect the quorum is printed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::child::{Running, listening};
use casus_ledger::checkpoint_note::TreeHead;
use casus_ledger::merkle::{Hash, consistency_proof, leaf_hash, root};
use casus_ledger::note::{Note, NoteSigner, NoteVerifier, SignatureType};
use casus_witness::client::{AddCheckpointResponse, WitnessClient, WitnessEndpoint, collect_cosignatures};

const ORIGIN: &str = "csto.example/ledger";
const MEMBERS: [&str; 6] = ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"];

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("casus-cli-witness-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A witness process, killed when dropped.
fn spawn_witness(key: &Path, state: &Path, log_vkey: &str) -> Running {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casus"));
    cmd.args(["witness", "serve", "--listen", "127.0.0.1:0", "--log"]).arg(format!("{ORIGIN}={log_vkey}")).arg("--key").arg(key).arg("--state").arg(state);
    listening(cmd)
}

/// `casus witness keys new`; returns the key file and its verifier.
fn new_witness_key(dir: &Path, member: &str) -> (PathBuf, NoteVerifier) {
    let key = dir.join(format!("{member}.key"));
    let name = format!("witness.{}.example/csto", member.to_lowercase());
    let out = super::casus(&["witness", "keys", "new", "--out", key.to_str().expect("utf-8"), "--name", &name]);
    assert!(out.status.success(), "{}", super::stderr(&out));
    let vkey = std::fs::read_to_string(dir.join(format!("{member}.key.pub"))).expect("the .pub file");
    assert_eq!(vkey.trim(), super::stdout(&out).trim(), "the printed key is the .pub file's");
    (key, NoteVerifier::parse(vkey.trim()).expect("a verifier key"))
}

/// The operator's side: a log and its note key.
struct Log {
    op: NoteSigner,
    leaves: Vec<Hash>,
}

impl Log {
    fn new() -> Log {
        Log { op: NoteSigner::from_seed(ORIGIN, SignatureType::Ed25519, [11; 32]).expect("key"), leaves: Vec::new() }
    }
    fn grow(&mut self, to: usize) {
        while self.leaves.len() < to {
            self.leaves.push(leaf_hash(&(self.leaves.len() as u64).to_be_bytes()));
        }
    }
    fn checkpoint(&self, size: usize) -> String {
        TreeHead::new(ORIGIN, size as u64, root(&self.leaves[..size])).sign(&self.op).expect("sign").to_text()
    }
    fn proof(&self, old: usize, new: usize) -> Vec<Hash> {
        if old == 0 { Vec::new() } else { consistency_proof(&self.leaves[..new], old).expect("proof") }
    }
    /// Another history of `size` entries (entry 0 rewritten), signed by the same operator.
    fn fork(&self, size: usize) -> String {
        let mut forked = self.leaves[..size].to_vec();
        forked[0] = leaf_hash(b"rewritten");
        TreeHead::new(ORIGIN, size as u64, root(&forked)).sign(&self.op).expect("sign").to_text()
    }
}

fn client(w: &Running) -> WitnessClient {
    WitnessClient::new(&w.url, Duration::from_secs(10)).expect("client")
}

/// Asks for a cosignature and checks it with the witness's verifier key.
fn cosign(c: &mut WitnessClient, v: &NoteVerifier, log: &Log, old: usize, new: usize) -> u64 {
    let cp = log.checkpoint(new);
    match c.add_checkpoint(old as u64, &log.proof(old, new), &cp).expect("add-checkpoint") {
        AddCheckpointResponse::Cosigned(sigs) => {
            let text = Note::parse(cp.as_bytes()).expect("note").text;
            let checked = Note { text, signatures: sigs }.verify(std::slice::from_ref(v));
            assert!(checked.invalid.is_empty() && checked.valid.len() == 1, "{old} -> {new}: {checked:?}");
            checked.valid[0].timestamp_secs.expect("a cosignature has a time")
        }
        other => panic!("{old} -> {new}: {other:?}"),
    }
}

#[test]
fn a_witness_process_cosigns_refuses_forks_and_rollbacks_and_survives_sigkill() {
    let dir = tempdir("one");
    let (key, verifier) = new_witness_key(&dir, "ARM");
    let state = dir.join("state");
    let mut log = Log::new();
    log.grow(40);
    let vkey = log.op.verifier().to_string();
    let w = spawn_witness(&key, &state, &vkey);
    let mut c = client(&w);
    let mut old = 0;
    for new in [1, 2, 7, 20] {
        cosign(&mut c, &verifier, &log, old, new);
        old = new;
    }
    // A fork: another checkpoint of size 20, signed by the operator.
    let fork = log.fork(20);
    assert!(matches!(c.add_checkpoint(20, &[], &fork).unwrap(), AddCheckpointResponse::Refused { status: 422, .. }));
    // A rollback: size 7 again, from what the witness holds (400) or from before (409 with its size).
    assert!(matches!(c.add_checkpoint(20, &[], &log.checkpoint(7)).unwrap(), AddCheckpointResponse::Refused { status: 400, .. }));
    assert_eq!(c.add_checkpoint(2, &log.proof(2, 7), &log.checkpoint(7)).unwrap(), AddCheckpointResponse::Conflict(20));
    // An unknown log, and a checkpoint not signed by the operator.
    let stranger = NoteSigner::from_seed(ORIGIN, SignatureType::Ed25519, [12; 32]).unwrap();
    let forged = TreeHead::new(ORIGIN, 21, [0; 32]).sign(&stranger).unwrap().to_text();
    assert!(matches!(c.add_checkpoint(20, &[], &forged).unwrap(), AddCheckpointResponse::Refused { status: 403, .. }));
    let other = NoteSigner::from_seed("other.example/log", SignatureType::Ed25519, [13; 32]).unwrap();
    let other_cp = TreeHead::new("other.example/log", 1, [0; 32]).sign(&other).unwrap().to_text();
    assert!(matches!(c.add_checkpoint(0, &[], &other_cp).unwrap(), AddCheckpointResponse::Refused { status: 404, .. }));

    // Killed and restarted on the same state: it still holds size 20.
    drop(c);
    drop(w);
    let w = spawn_witness(&key, &state, &vkey);
    let mut c = client(&w);
    assert_eq!(c.add_checkpoint(0, &[], &log.checkpoint(25)).unwrap(), AddCheckpointResponse::Conflict(20));
    assert!(matches!(c.add_checkpoint(20, &[], &fork).unwrap(), AddCheckpointResponse::Refused { status: 422, .. }));
    cosign(&mut c, &verifier, &log, 20, 40);
    drop(w);
    assert_eq!(std::fs::read_dir(state.join("evidence")).unwrap().count(), 1, "the fork is kept as evidence");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn witness_commands_refuse_bad_input() {
    let dir = tempdir("bad");
    let (key, _) = new_witness_key(&dir, "KAZ");
    let key_s = key.to_str().unwrap();
    let again = super::casus(&["witness", "keys", "new", "--out", key_s, "--name", "w.example/x"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(super::stderr(&again).contains("never overwritten"), "{}", super::stderr(&again));
    let bad_name = dir.join("bad.key");
    let out = super::casus(&["witness", "keys", "new", "--out", bad_name.to_str().unwrap(), "--name", "a+b"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!bad_name.exists());
    let state = dir.join("state");
    let state_s = state.to_str().unwrap();
    let log_vkey = Log::new().op.verifier().to_string();
    let cases: [(&[&str], &str); 4] = [
        (&["--log", "no-equals-sign"], "ORIGIN=VERIFIER_KEY"),
        (&["--log", "csto.example/ledger=csto.example/ledger+00000000+AYqI"], "verifier key"),
        // A witness key given as a log's key: the wrong type.
        (&["--log", &format!("csto.example/ledger={}", std::fs::read_to_string(dir.join("KAZ.key.pub")).unwrap().trim())], "type 0x01"),
        (&["--log", &format!("csto.example/ledger={log_vkey}"), "--key", "Cargo.toml"], "PRIVATE+KEY"),
    ];
    for (args, want) in cases {
        let mut all = vec!["witness", "serve", "--state", state_s, "--listen", "127.0.0.1:0"];
        if !args.contains(&"--key") {
            all.extend(["--key", key_s]);
        }
        all.extend_from_slice(args);
        let out = super::casus(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(super::stderr(&out).contains(want), "{args:?}: {}", super::stderr(&out));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// Six witnesses with their state under `state_base`; the log grows over
/// `rounds` checkpoints and the operator collects all six cosignatures of
/// each in parallel, as it would at each checkpoint. Returns the sorted
/// times to the sixth cosignature, after checking that each witness
/// refuses a fork at the size all six cosigned.
fn six_witness_quorum(keys: &Path, state_base: &Path, rounds: usize) -> Vec<Duration> {
    let mut log = Log::new();
    let vkey = log.op.verifier().to_string();
    let mut witnesses = Vec::new();
    for m in MEMBERS {
        let key = keys.join(format!("{m}.key"));
        let vkey_file = std::fs::read_to_string(keys.join(format!("{m}.key.pub"))).expect("the .pub file");
        let w = spawn_witness(&key, &state_base.join(format!("state-{m}")), &vkey);
        witnesses.push((w, NoteVerifier::parse(vkey_file.trim()).expect("a verifier key")));
    }
    // The operator's side, as it will run at each checkpoint: every
    // witness asked at once, each answer verified.
    let mut endpoints: Vec<WitnessEndpoint> =
        witnesses.iter().map(|(w, v)| WitnessEndpoint::new(&w.url, v.clone(), Duration::from_secs(10)).expect("endpoint")).collect();
    let mut times = Vec::with_capacity(rounds);
    let mut old = 0;
    for round in 0..rounds {
        let new = old + 1 + round % 5;
        log.grow(new);
        let cp = Note::parse(log.checkpoint(new).as_bytes()).expect("note");
        // The proof from the size the witnesses last cosigned is made once,
        // before the clock starts, as an operator would; any other is made on demand.
        let usual = log.proof(old, new);
        let proof = |from: u64| {
            if from as usize == old { Some(usual.clone()) } else { (from as usize <= new).then(|| log.proof(from as usize, new)) }
        };
        let start = Instant::now();
        let answers = collect_cosignatures(&mut endpoints, &cp, new as u64, &proof);
        times.push(start.elapsed());
        let cosigned = answers.iter().filter(|a| a.is_ok()).count();
        assert_eq!(cosigned, 6, "round {round}: every witness cosigns: {answers:?}");
        old = new;
    }
    let mut clients: Vec<WitnessClient> = witnesses.iter().map(|(w, _)| client(w)).collect();
    // A fork at the size all six cosigned: every one refuses it.
    let fork = log.fork(old);
    for c in &mut clients {
        assert!(matches!(c.add_checkpoint(old as u64, &[], &fork).unwrap(), AddCheckpointResponse::Refused { status: 422, .. }));
    }
    times.sort();
    times
}

#[test]
fn six_member_witnesses_give_a_quorum_and_each_refuses_a_fork() {
    let dir = tempdir("six");
    for m in MEMBERS {
        new_witness_key(&dir, m);
    }
    const ROUNDS: usize = 300;
    let times = six_witness_quorum(&dir, &dir, ROUNDS);
    // For reference, in the same run: one durable state write alone
    // (temporary file, fsync, rename, fsync of the directory), which each
    // witness makes before it answers; and the same quorum with the state
    // on tmpfs, where fsync costs nothing, which leaves the protocol, the
    // signatures and the processes' scheduling.
    let probe = dir.join("probe");
    std::fs::create_dir_all(&probe).unwrap();
    let mut writes: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            casus_witness::state::write_durably(&probe.join("state.checkpoint"), &[b'x'; 400]).expect("durable write");
            start.elapsed()
        })
        .collect();
    writes.sort();
    let shm = Path::new("/dev/shm");
    let in_memory = shm.is_dir().then(|| {
        let base = shm.join(format!("casus-cli-witness-{}", std::process::id()));
        let t = six_witness_quorum(&dir, &base, ROUNDS);
        let _ = std::fs::remove_dir_all(&base);
        t
    });
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    eprintln!(
        "witness quorum: 6-of-6 cosignatures over loopback, six witness processes, {ROUNDS} checkpoints: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
        ms(times[times.len() - 1]),
    );
    eprintln!(
        "  same run, one durable state write alone on this disk: p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&writes, 0.50)),
        ms(percentile(&writes, 0.99)),
    );
    if let Some(t) = in_memory {
        eprintln!(
            "  same run, the quorum with the witnesses' state on tmpfs: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            ms(percentile(&t, 0.50)),
            ms(percentile(&t, 0.99)),
            ms(t[t.len() - 1]),
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
