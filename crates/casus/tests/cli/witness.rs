//! `casus witness` as real processes on 127.0.0.1: a witness cosigns a
//! growing log, refuses a fork and a rollback, and keeps its state across
//! a SIGKILL; six witnesses (one per CSTO member) give a 6-of-6 quorum,
//! every one refuses a fork, and a quorum one short is refused. (The time
//! to collect the quorum is a benchmark: `casus bench witness`.)

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::child::{Running, listening};
use casus_ledger::checkpoint_note::TreeHead;
use casus_ledger::merkle::{Hash, consistency_proof, leaf_hash, root};
use casus_ledger::note::{Note, NoteSigner, NoteVerifier, SignatureType};
use casus_witness::client::{AddCheckpointResponse, NamedWitness, WitnessClient, WitnessEndpoint, collect_cosignatures, cosign_with_quorum};

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

/// Six witnesses (one per member); the log grows over `ROUNDS`
/// checkpoints and the operator collects all six cosignatures of each in
/// parallel, as it does at each checkpoint. Then every witness refuses a
/// fork at the size all six cosigned, and with one witness down a 6-of-6
/// quorum is refused while 5-of-6 is met. (The time to the quorum is
/// measured by `casus bench witness`.)
#[test]
fn six_member_witnesses_give_a_quorum_and_each_refuses_a_fork() {
    const ROUNDS: usize = 12;
    let dir = tempdir("six");
    let mut log = Log::new();
    let vkey = log.op.verifier().to_string();
    let mut witnesses = Vec::new();
    for m in MEMBERS {
        let (key, verifier) = new_witness_key(&dir, m);
        witnesses.push((spawn_witness(&key, &dir.join(format!("state-{m}")), &vkey), verifier));
    }
    let mut endpoints: Vec<WitnessEndpoint> =
        witnesses.iter().map(|(w, v)| WitnessEndpoint::new(&w.url, v.clone(), Duration::from_secs(10)).expect("endpoint")).collect();
    let mut old = 0;
    for round in 0..ROUNDS {
        let new = old + 1 + round % 5;
        log.grow(new);
        let cp = Note::parse(log.checkpoint(new).as_bytes()).expect("note");
        let proof = |from: u64| (from as usize <= new).then(|| log.proof(from as usize, new));
        let answers = collect_cosignatures(&mut endpoints, &cp, new as u64, &proof);
        assert_eq!(answers.iter().filter(|a| a.is_ok()).count(), 6, "round {round}: every witness cosigns: {answers:?}");
        old = new;
    }
    let mut clients: Vec<WitnessClient> = witnesses.iter().map(|(w, _)| client(w)).collect();
    // A fork at the size all six cosigned: every one refuses it.
    let fork = log.fork(old);
    for c in &mut clients {
        assert!(matches!(c.add_checkpoint(old as u64, &[], &fork).unwrap(), AddCheckpointResponse::Refused { status: 422, .. }));
    }
    drop(clients);
    // One witness down (TJK): the next checkpoint gets five cosignatures,
    // which meets a quorum of 5 and not one of 6.
    witnesses.pop();
    let mut named: Vec<NamedWitness> = MEMBERS.iter().zip(endpoints).map(|(m, endpoint)| NamedWitness { name: m.to_string(), endpoint }).collect();
    let new = old + 3;
    log.grow(new);
    let cp = Note::parse(log.checkpoint(new).as_bytes()).expect("note");
    let proof = |from: u64| (from as usize <= new).then(|| log.proof(from as usize, new));
    let Err(err) = cosign_with_quorum(&mut named, 6, &cp, new as u64, &proof) else { panic!("no 6-of-6 quorum with one witness down") };
    assert!(err.to_string().contains("5 of 6 witnesses") && err.to_string().contains("TJK"), "{err}");
    let new = new + 1;
    log.grow(new);
    let cp = Note::parse(log.checkpoint(new).as_bytes()).expect("note");
    let proof = |from: u64| (from as usize <= new).then(|| log.proof(from as usize, new));
    let (cosigned, signed) = cosign_with_quorum(&mut named, 5, &cp, new as u64, &proof).expect("5-of-6");
    assert_eq!(signed, ["ARM", "BLR", "KAZ", "KGZ", "RUS"]);
    assert_eq!(cosigned.verify(&witnesses.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>()).valid.len(), 5);
    drop(witnesses);
    std::fs::remove_dir_all(&dir).unwrap();
}
