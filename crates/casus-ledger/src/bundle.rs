//! Offline proof bundles: everything needed to check one entry without the
//! ledger, its operator or a network.
//!
//! A bundle holds a signed checkpoint, the entry with its inclusion proof,
//! and every key entry (genesis, register, rotate, revoke) before the
//! checkpoint, each with its own inclusion proof. The verifier replays the
//! key entries with the same rules as the ledger ([`entry::apply`]), so it
//! knows which key was the operator's when the checkpoint was signed and
//! what the entry's signer was registered for when it signed.
//!
//! What a bundle cannot prove: that the operator included *every* key entry
//! (a hidden revocation). Only a full `verify` of the log, or a witness
//! holding an earlier checkpoint and a consistency proof, shows that. The
//! report gives the genesis hash and operator key so that the reader can
//! compare them with the ones they trust.

use crate::checkpoint_note::{self, TreeHead};
use crate::encode::{ActFields, Reader, Writer};
use crate::entry::{self, Checkpoint, EntryKind, EntryView, Genesis, Mode};
use crate::keys::{self, KeyId, KeyRegistry, KeyRole};
use crate::merkle::{self, Hash, MAX_PROOF_HASHES};
use crate::note::{MAX_NOTE_BYTES, Note, NoteVerifier, VerifiedSignature};
use crate::replay::Replay;
use crate::store::Store;
use crate::{LedgerError, MAX_BUNDLE_BYTES, MAX_BUNDLE_KEY_ENTRIES, MAX_ENTRY_BYTES, Result};

pub const BUNDLE_DOMAIN: &[u8] = b"casus/bundle/v1\0";
/// A bundle that also carries the checkpoint's C2SP note, with the
/// witnesses' cosignatures (written when the checkpoint has a note).
pub const BUNDLE_DOMAIN_V2: &[u8] = b"casus/bundle/v2\0";

/// What a verified bundle proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleReport {
    pub seq: u64,
    pub kind: EntryKind,
    pub mode: Mode,
    pub signer: KeyId,
    pub signer_role: KeyRole,
    pub valid_time: i64,
    pub record_time: i64,
    /// For an act: its actor, kind keyword and id.
    pub act: Option<(String, String, String)>,
    pub checkpoint: Checkpoint,
    pub operator: KeyId,
    /// The ledger's identity: the genesis entry's leaf hash.
    pub genesis: Hash,
    pub treaty_name: String,
    pub treaty_sha256: Hash,
    /// The entry's leaf hash.
    pub leaf: Hash,
    /// The ledger's C2SP origin (from the genesis leaf hash).
    pub origin: String,
    /// The checkpoint's C2SP note as carried (v2 bundles), its operator
    /// signature checked; `None` in a v1 bundle.
    pub note: Option<String>,
    /// The witnesses' valid cosignatures, as counted under the policy
    /// given to [`verify_bundle_witnessed`] (empty without one).
    pub cosignatures: Vec<VerifiedSignature>,
}

fn write_proven(w: &mut Writer, seq: u64, bytes: &[u8], proof: &[Hash]) {
    w.u64(seq);
    w.bytes(bytes);
    w.u8(proof.len() as u8);
    for h in proof {
        w.raw(h);
    }
}

struct Proven<'a> {
    seq: u64,
    bytes: &'a [u8],
    proof: Vec<Hash>,
}

fn read_proven<'a>(r: &mut Reader<'a>) -> Result<Proven<'a>> {
    let seq = r.u64()?;
    let bytes = r.bytes(MAX_ENTRY_BYTES)?;
    let n = r.u8()? as usize;
    if n > MAX_PROOF_HASHES {
        return Err(r.err(format!("proof of {n} hashes")));
    }
    let mut proof = Vec::with_capacity(n);
    for _ in 0..n {
        proof.push(r.array()?);
    }
    Ok(Proven { seq, bytes, proof })
}

fn read_entry(store: &mut dyn Store, seq: u64) -> Result<Vec<u8>> {
    match store.read_range(seq, seq + 1)?.pop() {
        Some((pos, bytes)) if pos == seq => Ok(bytes),
        _ => Err(LedgerError::Tampered { entry: seq, kind: crate::Tamper::MissingEntry }),
    }
}

/// The part of a bundle that every entry under one checkpoint shares: the
/// signed checkpoint and the key entries before it, with their inclusion
/// proofs. A server builds it once per checkpoint from the leaf hashes it
/// holds, then each bundle costs one inclusion proof and one entry read.
#[derive(Clone, Debug)]
pub struct BundleBase {
    pub checkpoint: Checkpoint,
    checkpoint_bytes: Vec<u8>,
    /// The checkpoint's C2SP note (with its cosignatures), if it has one.
    note: Option<Vec<u8>>,
    /// The key entries' count and records, as the bundle format writes them.
    key_section: Vec<u8>,
}

impl BundleBase {
    /// Checks that the signed checkpoint `checkpoint_bytes` is the root of
    /// the first `size` of `leaves`, and proves every key entry (positions
    /// `key_entries`, read with `read`) under it.
    pub fn new(checkpoint_bytes: &[u8], leaves: &[Hash], key_entries: &[u64], read: &mut dyn FnMut(u64) -> Result<Vec<u8>>) -> Result<BundleBase> {
        let (cp, _) = Checkpoint::parse(checkpoint_bytes)?;
        let size = usize::try_from(cp.size).map_err(|_| LedgerError::State("checkpoint size out of range".into()))?;
        if size > leaves.len() || merkle::root(&leaves[..size]) != cp.root {
            return Err(LedgerError::State(format!("the checkpoint of size {} does not match the log", cp.size)));
        }
        let tree = &leaves[..size];
        let keys: Vec<u64> = key_entries.iter().copied().filter(|&k| k < cp.size).collect();
        if keys.len() > MAX_BUNDLE_KEY_ENTRIES {
            return Err(LedgerError::TooLarge { what: "key entries in a bundle", size: keys.len(), max: MAX_BUNDLE_KEY_ENTRIES });
        }
        let mut w = Writer::new();
        w.u32(keys.len() as u32);
        for k in keys {
            let proof = merkle::inclusion_proof(tree, k as usize).unwrap_or_default();
            write_proven(&mut w, k, &read(k)?, &proof);
        }
        Ok(BundleBase { checkpoint: cp, checkpoint_bytes: checkpoint_bytes.to_vec(), note: None, key_section: w.buf })
    }

    /// Adds the checkpoint's C2SP note (stored beside it), so that bundles
    /// carry its cosignatures; it must state this checkpoint's size and root.
    pub fn with_note(mut self, note: &[u8]) -> Result<BundleBase> {
        let parsed = Note::parse(note)?;
        let head = TreeHead::parse_body(&parsed.text)?;
        if head.size != self.checkpoint.size || head.root != self.checkpoint.root {
            return Err(LedgerError::State(format!("the checkpoint note of size {} does not match its checkpoint", head.size)));
        }
        self.note = Some(note.to_vec());
        Ok(self)
    }

    /// The bundle of entry `seq` (stored bytes `entry`), which this
    /// checkpoint must cover; `leaves` are the same the base was built on.
    pub fn bundle(&self, seq: u64, entry: &[u8], leaves: &[Hash]) -> Result<Vec<u8>> {
        if seq >= self.checkpoint.size {
            return Err(LedgerError::State(format!("no checkpoint covers entry {seq} yet: sign one with the operator key")));
        }
        let tree = leaves.get(..self.checkpoint.size as usize).ok_or_else(|| LedgerError::State("fewer leaves than the checkpoint".into()))?;
        let proof = merkle::inclusion_proof(tree, seq as usize).unwrap_or_default();
        let mut w = Writer::new();
        match &self.note {
            Some(note) => {
                w.raw(BUNDLE_DOMAIN_V2);
                w.bytes(&self.checkpoint_bytes);
                w.bytes(note);
            }
            None => {
                w.raw(BUNDLE_DOMAIN);
                w.bytes(&self.checkpoint_bytes);
            }
        }
        write_proven(&mut w, seq, entry, &proof);
        w.raw(&self.key_section);
        if w.buf.len() > MAX_BUNDLE_BYTES {
            return Err(LedgerError::TooLarge { what: "bundle", size: w.buf.len(), max: MAX_BUNDLE_BYTES });
        }
        Ok(w.buf)
    }
}

/// Builds the bundle of entry `seq`, using the stored checkpoint that
/// covers it and matches the log whose note carries the most signatures
/// (the most cosigned), the latest among equals; with its note, if any.
pub(crate) fn build(store: &mut dyn Store, replay: &Replay, checkpoints: &[Vec<u8>], notes: &[(u64, Vec<u8>)], seq: u64) -> Result<Vec<u8>> {
    let leaves = replay.leaves.as_deref().ok_or_else(|| LedgerError::State("leaf hashes not kept".into()))?;
    if seq >= replay.size {
        return Err(LedgerError::State(format!("no entry {seq}: the ledger has {} entries", replay.size)));
    }
    let note_of = |size: u64| notes.iter().find(|(s, _)| *s == size).map(|(_, n)| n.as_slice());
    let signatures = |note: Option<&[u8]>| note.and_then(|n| Note::parse(n).ok()).map_or(0, |n| n.signatures.len());
    // (signatures on the note, checkpoint bytes, note bytes)
    type Candidate<'a> = (usize, &'a Vec<u8>, Option<&'a [u8]>);
    let mut chosen: Option<Candidate> = None;
    for bytes in checkpoints.iter().rev() {
        let (cp, _) = Checkpoint::parse(bytes)?;
        if cp.size > seq && cp.size <= replay.size && merkle::root(&leaves[..cp.size as usize]) == cp.root {
            let note = note_of(cp.size);
            let count = signatures(note);
            if chosen.is_none_or(|(best, _, _)| count > best) {
                chosen = Some((count, bytes, note));
            }
        }
    }
    let Some((_, cp_bytes, note)) = chosen else {
        return Err(LedgerError::State(format!("no checkpoint covers entry {seq} yet: sign one with the operator key")));
    };
    let mut base = BundleBase::new(cp_bytes, leaves, &replay.key_entries, &mut |k| read_entry(store, k))?;
    if let Some(note) = note {
        base = base.with_note(note)?;
    }
    base.bundle(seq, &read_entry(store, seq)?, leaves)
}

fn fail(why: impl Into<String>) -> LedgerError {
    LedgerError::Bundle(why.into())
}

/// Checks one entry (signature, rules, key registration) and its inclusion
/// proof, then applies it to the registry.
fn check_entry<'a>(registry: &mut KeyRegistry, p: &Proven<'a>, cp: &Checkpoint) -> Result<(EntryView<'a>, Hash)> {
    let view = EntryView::parse(p.bytes).map_err(|e| fail(format!("entry {}: {e}", p.seq)))?;
    if view.seq != p.seq {
        return Err(fail(format!("entry {} says it is entry {}", p.seq, view.seq)));
    }
    let leaf = merkle::leaf_hash(p.bytes);
    if !merkle::verify_inclusion(&leaf, p.seq, cp.size, &p.proof, &cp.root) {
        return Err(fail(format!("entry {} is not in the checkpointed tree", p.seq)));
    }
    entry::apply(registry, &view).map_err(|t| fail(format!("entry {}: {t}", p.seq)))?;
    if view.kind == EntryKind::Genesis {
        // Statements (`casus/entry/v3`) name the origin this fixes.
        registry.set_origin(checkpoint_note::ledger_origin(&leaf));
    }
    let key = registry.get(&view.signer).ok_or_else(|| fail("signer unknown"))?.key;
    if !keys::verify_strict(&key, view.signed, &view.signature) {
        return Err(fail(format!("entry {}: bad signature", p.seq)));
    }
    Ok((view, leaf))
}

/// Verifies a bundle offline. Succeeds only if the entry's signature, its
/// signer's registration and role, every inclusion proof and the
/// checkpoint's signature by the operator all hold (and, in a v2 bundle,
/// the checkpoint note's: same size and root, the ledger's origin, signed
/// by the same operator key). Counts no cosignature: see
/// [`verify_bundle_witnessed`].
pub fn verify_bundle(bytes: &[u8]) -> Result<BundleReport> {
    verify_bundle_witnessed(bytes, &[], 0)
}

/// As [`verify_bundle`], and the bundle must carry a checkpoint note with
/// valid cosignatures by at least `quorum` distinct keys of `witnesses`
/// ([`checkpoint_note::verify_cosigned`]; a failing signature by any of
/// them refuses it). With `quorum` 0 and no witnesses, as [`verify_bundle`].
pub fn verify_bundle_witnessed(bytes: &[u8], witnesses: &[NoteVerifier], quorum: usize) -> Result<BundleReport> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(LedgerError::TooLarge { what: "bundle", size: bytes.len(), max: MAX_BUNDLE_BYTES });
    }
    let mut r = Reader::new(bytes, "bundle");
    let v2 = bytes.starts_with(BUNDLE_DOMAIN_V2);
    r.expect(if v2 { BUNDLE_DOMAIN_V2 } else { BUNDLE_DOMAIN })?;
    let cp_bytes = r.bytes(crate::entry::CHECKPOINT_BYTES)?;
    let note_bytes = if v2 { Some(r.bytes(MAX_NOTE_BYTES)?) } else { None };
    let (cp, _) = Checkpoint::parse(cp_bytes)?;
    let target = read_proven(&mut r)?;
    let n = r.u32()? as usize;
    if n > MAX_BUNDLE_KEY_ENTRIES {
        return Err(r.err(format!("{n} key entries")));
    }
    let mut key_entries = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        key_entries.push(read_proven(&mut r)?);
    }
    r.finish()?;
    if target.seq >= cp.size {
        return Err(fail("the checkpoint does not cover the entry"));
    }
    for pair in key_entries.windows(2) {
        if pair[0].seq >= pair[1].seq {
            return Err(fail("key entries out of order"));
        }
    }
    if key_entries.first().map(|p| p.seq) != Some(0) {
        return Err(fail("the bundle lacks the genesis entry"));
    }
    if key_entries.last().is_some_and(|p| p.seq >= cp.size) {
        return Err(fail("a key entry beyond the checkpoint"));
    }

    let mut registry = KeyRegistry::default();
    let mut report = None;
    let mut genesis = None;
    let mut keys_iter = key_entries.iter().peekable();
    loop {
        // Key entries before the target, then the target, then the rest.
        let next_key = keys_iter.peek().map(|p| p.seq);
        if report.is_none() && next_key.is_none_or(|k| k >= target.seq) {
            if next_key == Some(target.seq) {
                let same = keys_iter.next().is_some_and(|p| p.bytes == target.bytes && p.proof == target.proof);
                if !same {
                    return Err(fail("the entry differs from the key entry at its position"));
                }
            }
            let (view, leaf) = check_entry(&mut registry, &target, &cp)?;
            if view.kind == EntryKind::Genesis {
                let g = Genesis::decode(view.payload)?;
                genesis = Some((leaf, g.treaty_name.to_string(), g.treaty_sha256));
            }
            let role = registry.get(&view.signer).map(|s| s.role.clone()).ok_or_else(|| fail("signer unknown"))?;
            let act = if view.kind == EntryKind::Act {
                let f = ActFields::decode(view.payload)?;
                Some((f.actor.to_string(), f.kind.keyword().to_string(), f.id.to_string()))
            } else {
                None
            };
            report = Some((view.seq, view.kind, view.mode, view.signer, role, view.valid_time, view.record_time, act, leaf));
            continue;
        }
        let Some(p) = keys_iter.next() else { break };
        let (view, leaf) = check_entry(&mut registry, p, &cp)?;
        if !view.kind.is_key_entry() {
            return Err(fail(format!("entry {} is listed as a key entry but is an act", p.seq)));
        }
        if view.kind == EntryKind::Genesis {
            let g = Genesis::decode(view.payload)?;
            genesis = Some((leaf, g.treaty_name.to_string(), g.treaty_sha256));
        }
    }
    let operator = registry.operator().ok_or_else(|| fail("no operator key"))?;
    let op_state = registry.check_operator(&cp.signer, cp.size).map_err(|t| fail(format!("checkpoint: {t}")))?;
    let (_, signed) = Checkpoint::parse(cp_bytes)?;
    if !keys::verify_strict(&op_state.key, signed, &cp.signature) {
        return Err(fail("the checkpoint's signature is bad"));
    }
    let (genesis, treaty_name, treaty_sha256) = genesis.ok_or_else(|| fail("the bundle lacks the genesis entry"))?;
    let origin = checkpoint_note::ledger_origin(&genesis);
    let operator_note_key = checkpoint_note::operator_note_verifier(&origin, &op_state.key.to_bytes())?;
    let mut note = None;
    if let Some(nb) = note_bytes {
        let (parsed, _) = Note::open(nb, std::slice::from_ref(&operator_note_key)).map_err(|e| fail(format!("checkpoint note: {e}")))?;
        let head = TreeHead::parse_body(&parsed.text)?;
        if head.origin != origin {
            return Err(fail(format!("the checkpoint note names origin `{}`, not this ledger's `{origin}`", head.origin)));
        }
        if head.size != cp.size || head.root != cp.root {
            return Err(fail("the checkpoint note states another tree than the checkpoint"));
        }
        note = Some(parsed.to_text());
    }
    let mut cosignatures = Vec::new();
    if quorum > 0 || !witnesses.is_empty() {
        let Some(nb) = note_bytes else {
            return Err(fail(format!("the bundle carries no checkpoint note, so no witness cosignature; the quorum is {quorum}")));
        };
        let cosigned =
            checkpoint_note::verify_cosigned(nb, std::slice::from_ref(&operator_note_key), witnesses, quorum).map_err(|e| fail(format!("witnesses: {e}")))?;
        cosignatures = cosigned.cosignatures;
    }
    let Some((seq, kind, mode, signer, signer_role, valid_time, record_time, act, leaf)) = report else {
        return Err(fail("the entry was not checked"));
    };
    Ok(BundleReport {
        seq,
        kind,
        mode,
        signer,
        signer_role,
        valid_time,
        record_time,
        act,
        checkpoint: cp,
        operator,
        genesis,
        treaty_name,
        treaty_sha256,
        leaf,
        origin,
        note,
        cosignatures,
    })
}
