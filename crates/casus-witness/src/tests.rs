//! The protocol's answers, without HTTP, and once over HTTP on loopback.

use super::*;
use casus_ledger::merkle::{consistency_proof, leaf_hash, root};

const ORIGIN: &str = "csto.example/ledger";

struct Log {
    op: NoteSigner,
    leaves: Vec<Hash>,
}

impl Log {
    fn new() -> Log {
        Log { op: NoteSigner::from_seed(ORIGIN, SignatureType::Ed25519, [1; 32]).unwrap(), leaves: (0u32..64).map(|i| leaf_hash(&i.to_be_bytes())).collect() }
    }
    fn checkpoint(&self, size: usize) -> String {
        TreeHead::new(ORIGIN, size as u64, root(&self.leaves[..size])).sign(&self.op).unwrap().to_text()
    }
    fn proof(&self, old: usize, new: usize) -> Vec<Hash> {
        if old == 0 { Vec::new() } else { consistency_proof(&self.leaves[..new], old).unwrap() }
    }
    fn request(&self, old: usize, new: usize) -> String {
        AddCheckpointRequest::to_body(old as u64, &self.proof(old, new), &self.checkpoint(new))
    }
}

fn witness_key() -> NoteSigner {
    NoteSigner::from_seed("witness.example/arm", SignatureType::CosignatureV1, [2; 32]).unwrap()
}

fn open(dir: &Path, log: &Log) -> Witness {
    Witness::open(witness_key(), vec![(ORIGIN.to_string(), vec![log.op.verifier()])], dir).unwrap()
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("casus-witness-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn cosigns_a_growing_log_and_the_cosignature_verifies() {
    let dir = tempdir("grow");
    let log = Log::new();
    let w = open(&dir, &log);
    let mut old = 0;
    for (new, t) in [(1, 100), (5, 101), (5, 102), (17, 103), (64, 104)] {
        let lines = w.add_checkpoint(log.request(old, new).as_bytes(), t).unwrap();
        let cosigned = format!("{}{lines}", log.checkpoint(new));
        let (_, valid) = Note::open(cosigned.as_bytes(), &[w.verifier()]).unwrap();
        assert_eq!(valid[0].timestamp_secs, Some(t));
        old = new;
    }
    let latest = w.latest(ORIGIN).unwrap();
    let (note, valid) = Note::open(latest.as_bytes(), &[log.op.verifier(), w.verifier()]).unwrap();
    assert_eq!(TreeHead::parse_body(&note.text).unwrap().size, 64);
    assert_eq!(valid.len(), 2, "the log's signature and the witness's cosignature");
    // Monitors find it by the hash of the origin.
    assert_eq!(w.latest_by_hash(&state::origin_hash(ORIGIN)), Some(latest));
    assert_eq!(w.latest_by_hash(&state::origin_hash("other.example/log")), None);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn refuses_stale_sizes_rollbacks_forks_and_bad_proofs() {
    let dir = tempdir("refuse");
    let log = Log::new();
    let w = open(&dir, &log);
    w.add_checkpoint(log.request(0, 8).as_bytes(), 1).unwrap();
    // A client that does not know the witness's size learns it (409).
    assert!(matches!(w.add_checkpoint(log.request(0, 9).as_bytes(), 2), Err(WitnessError::Conflict { known_size: 8 })));
    // A rollback: a smaller checkpoint, from the size the witness holds, cannot be sent (old > size).
    let rollback = AddCheckpointRequest::to_body(8, &[], &log.checkpoint(4));
    assert_eq!(w.add_checkpoint(rollback.as_bytes(), 2).unwrap_err().status(), StatusCode::BAD_REQUEST);
    // Nor from an older size (409).
    assert!(matches!(w.add_checkpoint(log.request(2, 4).as_bytes(), 2), Err(WitnessError::Conflict { known_size: 8 })));
    // A fork: another tree of size 8, signed by the operator.
    let mut forked = log.leaves.clone();
    forked[3] = leaf_hash(b"rewritten");
    let fork_cp = TreeHead::new(ORIGIN, 8, root(&forked[..8])).sign(&log.op).unwrap().to_text();
    let err = w.add_checkpoint(AddCheckpointRequest::to_body(8, &[], &fork_cp).as_bytes(), 3).unwrap_err();
    assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    // A forked extension, with a proof from the forked tree.
    let fork_ext = TreeHead::new(ORIGIN, 12, root(&forked[..12])).sign(&log.op).unwrap().to_text();
    let fork_proof = consistency_proof(&forked[..12], 8).unwrap();
    let err = w.add_checkpoint(AddCheckpointRequest::to_body(8, &fork_proof, &fork_ext).as_bytes(), 3).unwrap_err();
    assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(std::fs::read_dir(dir.join("evidence")).unwrap().count(), 2, "both forks are kept as evidence");
    // A bad proof.
    let mut proof = log.proof(8, 12);
    proof[0][0] ^= 1;
    let err = w.add_checkpoint(AddCheckpointRequest::to_body(8, &proof, &log.checkpoint(12)).as_bytes(), 3).unwrap_err();
    assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // None of this moved the witness.
    assert!(w.latest(ORIGIN).unwrap().contains("\n8\n"));
    w.add_checkpoint(log.request(8, 12).as_bytes(), 4).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn refuses_unknown_logs_and_bad_signatures() {
    let dir = tempdir("sigs");
    let log = Log::new();
    let w = open(&dir, &log);
    let stranger = NoteSigner::from_seed("other.example/log", SignatureType::Ed25519, [5; 32]).unwrap();
    let other = TreeHead::new("other.example/log", 1, log.leaves[0]).sign(&stranger).unwrap().to_text();
    let err = w.add_checkpoint(AddCheckpointRequest::to_body(0, &[], &other).as_bytes(), 1).unwrap_err();
    assert_eq!(err.status(), StatusCode::NOT_FOUND);
    // Signed by another key under the log's name: no trusted signature.
    let impostor = NoteSigner::from_seed(ORIGIN, SignatureType::Ed25519, [6; 32]).unwrap();
    let forged = TreeHead::new(ORIGIN, 1, log.leaves[0]).sign(&impostor).unwrap().to_text();
    let err = w.add_checkpoint(AddCheckpointRequest::to_body(0, &[], &forged).as_bytes(), 1).unwrap_err();
    assert_eq!(err.status(), StatusCode::FORBIDDEN);
    // The operator's key ID with a corrupted signature.
    let good = log.checkpoint(1);
    let at = good.rfind(' ').unwrap() + 5;
    let mut bytes = good.into_bytes();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let err = w.add_checkpoint(AddCheckpointRequest::to_body(0, &[], std::str::from_utf8(&bytes).unwrap()).as_bytes(), 1).unwrap_err();
    assert_eq!(err.status(), StatusCode::FORBIDDEN, "{err}");
    // Size 0 must carry the empty root; a proof from 0 must be empty.
    let zero = TreeHead::new(ORIGIN, 0, [7; 32]).sign(&log.op).unwrap().to_text();
    assert_eq!(w.add_checkpoint(AddCheckpointRequest::to_body(0, &[], &zero).as_bytes(), 1).unwrap_err().status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = w.add_checkpoint(AddCheckpointRequest::to_body(0, &[[1; 32]], &log.checkpoint(3)).as_bytes(), 1).unwrap_err();
    assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for garbage in ["", "old\n\n", "old 01\n\nx", "old 1\nnot base64\n\n", "old 1\n"] {
        assert_eq!(w.add_checkpoint(garbage.as_bytes(), 1).unwrap_err().status(), StatusCode::BAD_REQUEST, "{garbage:?}");
    }
    assert!(w.latest(ORIGIN).is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn state_survives_reopening_and_a_tampered_state_file_stops_the_witness() {
    let dir = tempdir("state");
    let log = Log::new();
    {
        let w = open(&dir, &log);
        w.add_checkpoint(log.request(0, 10).as_bytes(), 50).unwrap();
    }
    let w = open(&dir, &log);
    assert!(matches!(w.add_checkpoint(log.request(0, 12).as_bytes(), 60), Err(WitnessError::Conflict { known_size: 10 })));
    // The clock went back: the cosignature keeps the last time.
    let lines = w.add_checkpoint(log.request(10, 12).as_bytes(), 40).unwrap();
    assert_eq!(NoteSignature::parse_line(lines.trim_end()).unwrap().cosignature_time(), Some(50));
    drop(w);
    // A byte changed in a whole record (the size 12 made 13): the checksum
    // catches it, and the witness does not start.
    let file = state_log(&dir);
    let bytes = std::fs::read(&file).unwrap();
    let at = bytes.windows(4).rposition(|w| w == b"\n12\n").unwrap();
    let mut tampered = bytes.clone();
    tampered[at + 2] = b'3';
    std::fs::write(&file, &tampered).unwrap();
    let err = Witness::open(witness_key(), vec![(ORIGIN.to_string(), vec![log.op.verifier()])], &dir).err().unwrap();
    assert!(matches!(&err, WitnessError::CorruptState { why, .. } if why.contains("checksum")), "{err}");
    // A record rewritten with a matching checksum but not this witness's
    // cosignature: refused too.
    let forged = TreeHead::new(ORIGIN, 12, root(&log.leaves[..12])).sign(&log.op).unwrap().to_text();
    let mut rewritten = state::STATE_LOG_MAGIC.to_vec();
    rewritten.extend_from_slice(&state::encode_record(forged.as_bytes()));
    std::fs::write(&file, &rewritten).unwrap();
    let err = Witness::open(witness_key(), vec![(ORIGIN.to_string(), vec![log.op.verifier()])], &dir).err().unwrap();
    assert!(matches!(&err, WitnessError::CorruptState { why, .. } if why.contains("cosignature")), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn state_log(dir: &Path) -> std::path::PathBuf {
    dir.join("logs").join(format!("{}.log", state::origin_hash(ORIGIN)))
}

#[test]
fn a_torn_last_record_is_dropped_and_damage_before_it_stops_the_witness() {
    let dir = tempdir("torn");
    let log = Log::new();
    {
        let w = open(&dir, &log);
        w.add_checkpoint(log.request(0, 10).as_bytes(), 50).unwrap();
        w.add_checkpoint(log.request(10, 20).as_bytes(), 51).unwrap();
    }
    let file = state_log(&dir);
    let whole = std::fs::read(&file).unwrap();
    assert_eq!(state::replay(&whole).unwrap().records, 2);
    // The witness killed while appending the checkpoint of size 30 (which
    // it never answered for): every cut of that record, and a zero-filled
    // tail, leaves it at size 20.
    let record = state::encode_record(Note::parse(log.checkpoint(30).as_bytes()).unwrap().to_text().as_bytes());
    let cuts = [1, state::RECORD_HEADER_BYTES - 1, state::RECORD_HEADER_BYTES, state::RECORD_HEADER_BYTES + 5, record.len() - 1];
    for (i, cut) in cuts.into_iter().enumerate() {
        let mut torn = whole.clone();
        torn.extend_from_slice(&record[..cut]);
        if i == 0 {
            torn.extend_from_slice(&[0; 300]);
        }
        std::fs::write(&file, &torn).unwrap();
        let w = open(&dir, &log);
        assert_eq!(Note::parse(w.latest(ORIGIN).unwrap().as_bytes()).unwrap().text, Note::parse(log.checkpoint(20).as_bytes()).unwrap().text, "cut at {cut}");
        drop(w);
        assert_eq!(std::fs::read(&file).unwrap(), whole, "the torn bytes are dropped (cut at {cut})");
    }
    // After a torn record, the next append and a reopening work.
    std::fs::write(&file, [&whole[..], &record[..9]].concat()).unwrap();
    {
        let w = open(&dir, &log);
        w.add_checkpoint(log.request(20, 30).as_bytes(), 52).unwrap();
    }
    let w = open(&dir, &log);
    assert!(matches!(w.add_checkpoint(log.request(0, 31).as_bytes(), 53), Err(WitnessError::Conflict { known_size: 30 })));
    drop(w);
    // A damaged record followed by a whole one is not a torn tail: the
    // witness stops.
    let mut damaged = std::fs::read(&file).unwrap();
    damaged[state::STATE_LOG_MAGIC.len() + state::RECORD_HEADER_BYTES + 3] ^= 1;
    std::fs::write(&file, &damaged).unwrap();
    let err = Witness::open(witness_key(), vec![(ORIGIN.to_string(), vec![log.op.verifier()])], &dir).err().unwrap();
    assert!(matches!(&err, WitnessError::CorruptState { why, .. } if why.contains("record 1")), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_state_log_is_compacted_and_a_legacy_state_file_is_taken_over() {
    let dir = tempdir("compact");
    let mut log = Log::new();
    log.leaves = (0u32..(state::MAX_STATE_LOG_RECORDS as u32 + 10)).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let file = state_log(&dir);
    {
        let w = open(&dir, &log);
        for size in 1..=state::MAX_STATE_LOG_RECORDS as usize + 2 {
            let body = AddCheckpointRequest::to_body(size as u64 - 1, &log.proof(size - 1, size), &log.checkpoint(size));
            w.add_checkpoint(body.as_bytes(), 50).unwrap();
        }
    }
    // Record MAX+1 replaced the log whole; MAX+2 was appended to it.
    assert_eq!(state::replay(&std::fs::read(&file).unwrap()).unwrap().records, 2);
    let top = state::MAX_STATE_LOG_RECORDS + 2;
    let w = open(&dir, &log);
    assert!(matches!(w.add_checkpoint(log.request(0, 3).as_bytes(), 60), Err(WitnessError::Conflict { known_size }) if known_size == top));
    // The state file of before the state log (one note): read, and replaced by a state log.
    let latest = w.latest(ORIGIN).unwrap();
    drop(w);
    std::fs::remove_file(&file).unwrap();
    let legacy = file.with_extension("checkpoint");
    std::fs::write(&legacy, &latest).unwrap();
    let w = open(&dir, &log);
    assert_eq!(w.latest(ORIGIN), Some(latest));
    assert!(!legacy.exists() && file.exists());
    drop(w);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn serves_add_checkpoint_over_http() {
    let dir = tempdir("http");
    let log = Log::new();
    let w = Arc::new(open(&dir, &log));
    let verifier = w.verifier();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move { axum::serve(listener, router(w)).await });
    let mut client = client::WitnessClient::new(&format!("http://{addr}"), std::time::Duration::from_secs(5)).unwrap();
    let cp = log.checkpoint(3);
    let client::AddCheckpointResponse::Cosigned(sigs) = client.add_checkpoint(0, &[], &cp).unwrap() else { panic!("not cosigned") };
    let cosigned = Note { text: Note::parse(cp.as_bytes()).unwrap().text, signatures: sigs };
    assert_eq!(cosigned.verify(&[verifier]).valid.len(), 1);
    assert_eq!(client.add_checkpoint(0, &[], &log.checkpoint(4)).unwrap(), client::AddCheckpointResponse::Conflict(3));
    let proof = log.proof(3, 4);
    assert!(matches!(client.add_checkpoint(3, &proof, &log.checkpoint(4)).unwrap(), client::AddCheckpointResponse::Cosigned(_)));
    assert!(matches!(client.add_checkpoint(4, &[], &log.checkpoint(5)).unwrap(), client::AddCheckpointResponse::Refused { status: 422, .. }));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_operator_endpoint_learns_the_witness_size_from_a_409() {
    let dir = tempdir("endpoint");
    let log = Log::new();
    let w = Arc::new(open(&dir, &log));
    // The witness already cosigned size 8 (say, before the operator restarted).
    w.add_checkpoint(log.request(0, 8).as_bytes(), 1).unwrap();
    let verifier = w.verifier();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move { axum::serve(listener, router(w)).await });
    let url = format!("http://{addr}");
    let mut endpoints = vec![client::WitnessEndpoint::new(&url, verifier.clone(), std::time::Duration::from_secs(5)).unwrap()];
    let cp = Note::parse(log.checkpoint(20).as_bytes()).unwrap();
    let proof = |old: u64| (old <= 20).then(|| log.proof(old as usize, 20));
    let answers = client::collect_cosignatures(&mut endpoints, &cp, 20, &proof);
    let sig = answers.into_iter().next().unwrap().unwrap();
    assert!(matches!(verifier.verify(&cp.text, &sig.signature), Some(Some(t)) if t > 1), "a verified cosignature with the clock's time");
    assert_eq!(endpoints[0].known_size(), Some(20));
    // A checkpoint smaller than what the witness holds is refused on the client side too.
    let small = Note::parse(log.checkpoint(10).as_bytes()).unwrap();
    let proof = |old: u64| (old <= 10).then(|| log.proof(old as usize, 10));
    let mut fresh = client::WitnessEndpoint::new(&url, verifier.clone(), std::time::Duration::from_secs(5)).unwrap();
    assert!(matches!(fresh.cosign(&small, 10, &proof), Err(WitnessError::Inconsistent(_))));
    assert_eq!(fresh.known_size(), Some(20));
    // A key that is not the witness's: its answer does not verify.
    let wrong = NoteSigner::from_seed("witness.example/arm", SignatureType::CosignatureV1, [3; 32]).unwrap().verifier();
    let mut impostor = client::WitnessEndpoint::new(&url, wrong, std::time::Duration::from_secs(5)).unwrap();
    let cp = Note::parse(log.checkpoint(21).as_bytes()).unwrap();
    let proof = |old: u64| (old <= 21).then(|| log.proof(old as usize, 21));
    assert!(impostor.cosign(&cp, 21, &proof).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn concurrent_requests_from_one_size_cosign_exactly_one() {
    // The race the spec warns of: two requests checked against the same
    // old size must not both pass, or the later write rolls the witness back.
    let dir = tempdir("race");
    let log = Log::new();
    let w = open(&dir, &log);
    w.add_checkpoint(log.request(0, 8).as_bytes(), 1).unwrap();
    let sizes = [9, 10, 11, 12, 13, 14, 15, 16];
    let results: Vec<(u64, Result<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = sizes
            .iter()
            .map(|&n| {
                let (w, body) = (&w, log.request(8, n));
                s.spawn(move || (n as u64, w.add_checkpoint(body.as_bytes(), 2)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<u64> = results.iter().filter(|r| r.1.is_ok()).map(|r| r.0).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    // Every other request learns the winner's size (409), nothing else.
    for (n, r) in &results {
        if *n != winners[0] {
            assert!(matches!(r, Err(WitnessError::Conflict { known_size }) if *known_size == winners[0]), "{n}: {r:?}");
        }
    }
    let latest = w.latest(ORIGIN).unwrap();
    let head = TreeHead::parse_body(&Note::parse(latest.as_bytes()).unwrap().text).unwrap();
    assert_eq!(head.size, winners[0]);
    std::fs::remove_dir_all(&dir).unwrap();
}
