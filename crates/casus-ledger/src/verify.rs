//! Verifying a whole store: every entry's rules (by [`Replay`]) and
//! signature, in batches on every core or strictly one by one, and every
//! checkpoint and checkpoint note against the log at its size. The first
//! failure is named: the entry (or checkpoint) and the kind of tampering.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::checkpoint_note::{self, TreeHead};
use crate::entry::{Checkpoint, EntryKind, EntryView, Genesis};
use crate::keys::{self, KeyId, KeyRegistry};
use crate::merkle::{self, Hash};
use crate::note::Note;
use crate::parallel::{PARALLEL_SIGN_MIN, workers};
use crate::replay::{READ_CHUNK, Replay, step_rows};
use crate::store::Store;
use crate::{LedgerError, Result, Tamper};

/// Signatures per batch verification.
pub const SIGNATURE_BATCH: usize = 128;

/// What `verify` checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: u64,
    pub acts: u64,
    pub key_entries: u64,
    pub checkpoints: u64,
    /// Checkpoint notes checked (each signed by the operator, for a stored
    /// checkpoint of the same size and root, with the ledger's origin).
    pub checkpoint_notes: u64,
    pub root: Hash,
    /// The genesis entry's leaf hash: the ledger's identity.
    pub genesis: Hash,
    pub treaty_sha256: Hash,
    /// The size of the largest checkpoint: entries from this position on
    /// are covered by no checkpoint yet (so cutting them off the log would
    /// go unseen). Equal to `entries` when all are covered.
    pub covered: u64,
    /// The last entry's record time: a verifier compares it with its own
    /// clock (the library reads none).
    pub last_record_time: i64,
}

/// One signature to check: entry position, signed bytes, signature, key.
pub(crate) struct SigItem<'a> {
    pub seq: u64,
    pub signed: &'a [u8],
    pub signature: [u8; 64],
    pub key: VerifyingKey,
}

/// The index of the first item whose signature fails strict verification,
/// checked one by one on [`workers`] threads.
pub(crate) fn first_bad_signature_strict(items: &[SigItem]) -> Option<usize> {
    let check = |part: &[SigItem], offset: usize| part.iter().position(|i| !keys::verify_strict(&i.key, i.signed, &i.signature)).map(|p| offset + p);
    let n = workers();
    if n < 2 || items.len() < 2 * PARALLEL_SIGN_MIN {
        return check(items, 0);
    }
    let per = items.len().div_ceil(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(per).enumerate().map(|(i, part)| s.spawn(move || check(part, i * per))).collect();
        // A panic in a helper thread is a bug; treat it as a failure there.
        handles.into_iter().enumerate().filter_map(|(i, h)| h.join().unwrap_or(Some(i * per))).min()
    })
}

/// The index of the first item whose signature fails, checking in batches
/// on [`workers`] threads. A failing batch is re-checked one by one, strictly.
fn first_bad_signature(items: &[SigItem]) -> Option<usize> {
    fn check(items: &[SigItem], offset: usize) -> Option<usize> {
        for (b, batch) in items.chunks(SIGNATURE_BATCH).enumerate() {
            let msgs: Vec<&[u8]> = batch.iter().map(|i| i.signed).collect();
            let sigs: Vec<Signature> = batch.iter().map(|i| Signature::from_bytes(&i.signature)).collect();
            let keys: Vec<VerifyingKey> = batch.iter().map(|i| i.key).collect();
            if ed25519_dalek::verify_batch(&msgs, &sigs, &keys).is_err() {
                let bad = batch.iter().position(|i| !keys::verify_strict(&i.key, i.signed, &i.signature));
                // A batch failure that strict checks do not reproduce is
                // reported at the batch's first entry rather than ignored.
                return Some(offset + b * SIGNATURE_BATCH + bad.unwrap_or(0));
            }
        }
        None
    }
    let n = workers();
    if n < 2 || items.len() < 2 * SIGNATURE_BATCH {
        return check(items, 0);
    }
    // Whole batches per thread, so that batch boundaries do not depend on n.
    let per = items.len().div_ceil(n).div_ceil(SIGNATURE_BATCH) * SIGNATURE_BATCH;
    std::thread::scope(|s| {
        let mut parts = items.chunks(per).enumerate();
        let first = parts.next();
        let handles: Vec<_> = parts.map(|(i, part)| (i * per, s.spawn(move || check(part, i * per)))).collect();
        let mut bad = first.and_then(|(_, part)| check(part, 0));
        for (offset, h) in handles {
            // A panic in a helper thread is a bug; treat it as a failure there.
            let r = h.join().unwrap_or(Some(offset));
            bad = bad.or(r);
        }
        bad
    })
}

/// Names a bad signature: swapped with another entry's in the same chunk
/// (its own stored signature may be bad too, or not yet checked), or just bad.
fn classify_bad_signature(rows: &[(u64, Vec<u8>)], registry: &KeyRegistry, bad_seq: u64, signature: &[u8; 64]) -> Tamper {
    for (pos, bytes) in rows {
        let Ok(view) = EntryView::parse(bytes) else { continue };
        if *pos == bad_seq {
            continue;
        }
        if let Some(state) = registry.get(&view.signer)
            && keys::verify_strict(&state.key, view.signed, signature)
        {
            return Tamper::SwappedSignature { other: *pos };
        }
    }
    Tamper::BadSignature
}

/// Verifies a whole store (see [`Ledger::verify`](crate::Ledger::verify)), signatures in batches.
pub fn verify_store(store: &mut dyn Store, progress: &mut dyn FnMut(u64, u64)) -> Result<VerifyReport> {
    verify_store_with(store, progress, false)
}

/// Verifies a whole store; `strict` checks every signature one by one.
pub fn verify_store_with(store: &mut dyn Store, progress: &mut dyn FnMut(u64, u64), strict: bool) -> Result<VerifyReport> {
    let len = store.len()?;
    let mut checkpoints = Vec::new();
    for (stored_at, bytes) in store.checkpoint_rows()? {
        match Checkpoint::parse(&bytes) {
            Ok((cp, _)) if cp.size != stored_at => {
                return Err(LedgerError::TamperedCheckpoint { size: stored_at, kind: Tamper::MisfiledCheckpoint { stored_at, signed: cp.size } });
            }
            Ok((cp, _)) => checkpoints.push((cp, bytes)),
            Err(e) => return Err(LedgerError::TamperedCheckpoint { size: stored_at, kind: Tamper::BadCheckpoint(e.to_string()) }),
        }
    }
    checkpoints.sort_by_key(|(cp, _)| cp.size);
    let mut next_cp = 0;
    let mut replay = Replay::new(false);
    let mut report = VerifyReport {
        entries: 0,
        acts: 0,
        key_entries: 0,
        checkpoints: 0,
        checkpoint_notes: 0,
        root: merkle::empty_root(),
        genesis: [0; 32],
        treaty_sha256: [0; 32],
        covered: 0,
        last_record_time: i64::MIN,
    };
    if len == 0 {
        return Err(LedgerError::State("the ledger is empty".into()));
    }
    // Checkpoint notes: each beside the checkpoint of its size, checked
    // with it (by the operator key in force at that size).
    let origin = match store.read_range(0, 1)?.pop() {
        Some((0, genesis)) => checkpoint_note::ledger_origin(&merkle::leaf_hash(&genesis)),
        _ => return Err(LedgerError::Tampered { entry: 0, kind: Tamper::MissingEntry }),
    };
    // A note with no checkpoint beside it (a mirror keeps notes only:
    // tiles serve no `casus/checkpoint/v1`) stands alone: checked when the
    // replay reaches its size, against the root there and the operator key
    // then in force.
    let mut notes = std::collections::BTreeMap::new();
    let mut lone = Vec::new();
    for (stored_at, bytes) in store.checkpoint_note_rows()? {
        if checkpoints.iter().any(|(cp, _)| cp.size == stored_at) {
            notes.insert(stored_at, bytes);
        } else {
            lone.push((stored_at, bytes));
        }
    }
    let mut next_lone = 0;
    while replay.size < len {
        let start = replay.size;
        let rows = store.read_range(start, (start + READ_CHUNK).min(len))?;
        if rows.is_empty() {
            return Err(LedgerError::Tampered { entry: start, kind: Tamper::MissingEntry });
        }
        let mut items: Vec<SigItem> = Vec::with_capacity(rows.len());
        // Checkpoint failures found in this chunk: (size, kind).
        let mut cp_failure: Option<(u64, Tamper)> = None;
        let structural = step_rows(&mut replay, &rows, |replay, i, view| {
            let key = replay.registry.get(&view.signer).map(|s| s.key);
            // `apply` succeeded, so the signer is registered.
            let Some(key) = key else { return Err(LedgerError::State("signer vanished from the registry".into())) };
            items.push(SigItem { seq: start + i as u64, signed: view.signed, signature: view.signature, key });
            match view.kind {
                EntryKind::Act => report.acts += 1,
                EntryKind::Genesis => {
                    report.genesis = merkle::leaf_hash(&rows[i].1);
                    report.treaty_sha256 = Genesis::decode(view.payload)?.treaty_sha256;
                    report.key_entries += 1;
                }
                _ => report.key_entries += 1,
            }
            while cp_failure.is_none() && next_cp < checkpoints.len() && checkpoints[next_cp].0.size <= replay.size {
                let (cp, bytes) = &checkpoints[next_cp];
                if let Err(kind) = check_checkpoint(&replay.registry, replay.size, &replay.frontier.root(), cp, bytes) {
                    cp_failure = Some((cp.size, kind));
                } else if let Some(note) = notes.get(&cp.size) {
                    match check_checkpoint_note(&replay.registry, &origin, cp.size, &cp.signer, &cp.root, note) {
                        Ok(()) => report.checkpoint_notes += 1,
                        Err(kind) => cp_failure = Some((cp.size, kind)),
                    }
                }
                next_cp += 1;
                report.checkpoints += 1;
                report.covered = replay.size;
            }
            while cp_failure.is_none() && next_lone < lone.len() && lone[next_lone].0 <= replay.size {
                let (size, bytes) = &lone[next_lone];
                let checked = match replay.registry.operator() {
                    Some(op) if *size == replay.size => check_checkpoint_note(&replay.registry, &origin, *size, &op, &replay.frontier.root(), bytes),
                    _ => Err(Tamper::BadCheckpoint(format!("checkpoint note of size {size}: no operator key at that size"))),
                };
                match checked {
                    Ok(()) => {
                        report.checkpoint_notes += 1;
                        report.covered = replay.size;
                    }
                    Err(kind) => cp_failure = Some((*size, kind)),
                }
                next_lone += 1;
            }
            Ok(())
        })?;
        // The first failure wins: a bad signature at or before a structural
        // failure explains it (a changed byte breaks the next entry's chain).
        let structural_at = structural.as_ref().map_or(u64::MAX, |(e, _)| *e);
        let bad = if strict { first_bad_signature_strict(&items) } else { first_bad_signature(&items) };
        if let Some(bad) = bad {
            let seq = items[bad].seq;
            if seq <= structural_at {
                let kind = classify_bad_signature(&rows, &replay.registry, seq, &items[bad].signature);
                return Err(LedgerError::Tampered { entry: seq, kind });
            }
        }
        if let Some((entry, kind)) = structural {
            return Err(LedgerError::Tampered { entry, kind });
        }
        if let Some((size, kind)) = cp_failure {
            return Err(LedgerError::TamperedCheckpoint { size, kind });
        }
        progress(replay.size, len);
    }
    if let Some((cp, _)) = checkpoints.get(next_cp) {
        // A signed checkpoint of a longer log than the store holds.
        return Err(LedgerError::Tampered { entry: len, kind: Tamper::Truncated { checkpoint_size: cp.size, log_size: len } });
    }
    if let Some((size, bytes)) = lone.get(next_lone) {
        // A note of a longer log than the store holds (if it is a note of this ledger at all).
        let kind = match Note::parse(bytes).ok().and_then(|n| TreeHead::parse_body(&n.text).ok()) {
            Some(head) if head.origin == origin && head.size == *size => Tamper::Truncated { checkpoint_size: *size, log_size: len },
            Some(head) if head.size != *size => Tamper::MisfiledCheckpoint { stored_at: *size, signed: head.size },
            _ => Tamper::BadCheckpoint(format!("checkpoint note of size {size}: not a checkpoint of this ledger")),
        };
        return Err(LedgerError::TamperedCheckpoint { size: *size, kind });
    }
    report.entries = replay.size;
    report.root = replay.frontier.root();
    report.last_record_time = replay.last_record_time;
    Ok(report)
}

/// Checks a stored checkpoint note (stored under `stored_at`): the size it
/// states, the ledger's origin, the `root` of the log at that size (the
/// root of the `casus/checkpoint/v1` checkpoint beside it, already checked
/// against the log, or the log's own root for a note that stands alone),
/// and a valid signature by `signer`, the operator key at that size (the
/// one that signed the checkpoint beside it, or the operator then).
/// Cosignatures are not checked here: which witnesses count is the
/// reader's policy (`verify-bundle --witness … --quorum K`).
pub fn check_checkpoint_note(registry: &KeyRegistry, origin: &str, stored_at: u64, signer: &KeyId, root: &Hash, bytes: &[u8]) -> Result<(), Tamper> {
    let bad = |why: String| Tamper::BadCheckpoint(format!("checkpoint note: {why}"));
    let note = Note::parse(bytes).map_err(|e| bad(e.to_string()))?;
    let head = TreeHead::parse_body(&note.text).map_err(|e| bad(e.to_string()))?;
    if head.size != stored_at {
        return Err(Tamper::MisfiledCheckpoint { stored_at, signed: head.size });
    }
    if head.origin != origin {
        return Err(bad(format!("origin `{}` is not this ledger's", head.origin)));
    }
    if &head.root != root {
        return Err(Tamper::ForkAfterCheckpoint { checkpoint_size: stored_at });
    }
    let state = registry.check_operator(signer, stored_at).map_err(|t| bad(t.to_string()))?;
    let verifier = checkpoint_note::operator_note_verifier(origin, &state.key.to_bytes()).map_err(|e| bad(e.to_string()))?;
    Note::open(bytes, &[verifier]).map_err(|e| bad(e.to_string()))?;
    Ok(())
}

/// Checks one checkpoint against the log replayed to `size` entries.
pub fn check_checkpoint(registry: &KeyRegistry, size: u64, root: &Hash, cp: &Checkpoint, bytes: &[u8]) -> Result<(), Tamper> {
    let (_, signed) = Checkpoint::parse(bytes).map_err(|e| Tamper::BadCheckpoint(e.to_string()))?;
    let state = registry.check_operator(&cp.signer, size).map_err(|t| Tamper::BadCheckpoint(t.to_string()))?;
    if !keys::verify_strict(&state.key, signed, &cp.signature) {
        return Err(Tamper::BadCheckpoint("bad signature".into()));
    }
    if cp.size != size {
        return Err(Tamper::BadCheckpoint(format!("checked at size {size}, signed for {}", cp.size)));
    }
    if &cp.root != root {
        return Err(Tamper::ForkAfterCheckpoint { checkpoint_size: cp.size });
    }
    Ok(())
}
