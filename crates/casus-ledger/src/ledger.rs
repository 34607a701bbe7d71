//! The ledger: appends acts and key changes, signs checkpoints, verifies the
//! whole log, and reads acts as known at a record time.
//!
//! One [`Replay`] walks entries in order and checks everything about them
//! except signatures: position, hash chain, record time, and who may sign
//! what ([`entry::apply`]). Appending uses it (so a refused act is never
//! written), opening uses it (so a reader sees the same log `verify` does),
//! and `verify` uses it and adds batched signature checks on both cores and
//! the checkpoints. Every failure names the first bad entry and the kind of
//! tampering.

use std::ops::Range;

use casus_model::{Act, Attestation, Record, Symbols, Time};
use ed25519_dalek::{Signature, VerifyingKey};

use crate::checkpoint_note::{self, TreeHead};
use crate::encode::{ActFields, encode_act};
use crate::entry::{self, Checkpoint, Entry, EntryKind, EntryView, Genesis, KeyChange, Mode};
use crate::keys::{self, KeyId, KeyRegistration, KeyRegistry, KeyRole, KeyState, SecretKey};
use crate::merkle::{self, Frontier, Hash};
use crate::note::Note;
use crate::store::{Store, StoreRead};
use crate::{LedgerError, MAX_BATCH_ENTRIES, MAX_LEDGER_ENTRIES, Result, Tamper, sha256};

/// Entries read from the store at a time.
pub const READ_CHUNK: u64 = 4096;
/// Signatures per batch verification.
pub const SIGNATURE_BATCH: usize = 128;
/// How far ahead `verify` looks to tell a reordered entry from a missing one.
const REORDER_WINDOW: usize = READ_CHUNK as usize;

/// The state of a log after replaying a prefix of it.
#[derive(Clone, Debug, Default)]
pub struct Replay {
    pub size: u64,
    /// Link hash of the last entry (SHA-256 of its signed bytes; zeros
    /// before the genesis).
    pub prev: Hash,
    pub last_record_time: i64,
    pub registry: KeyRegistry,
    pub frontier: Frontier,
    /// Every leaf hash, if kept (for proofs).
    pub leaves: Option<Vec<Hash>>,
    /// Positions of the genesis and key entries.
    pub key_entries: Vec<u64>,
    /// The genesis entry's leaf hash, once replayed: the ledger's identity,
    /// from which its origin derives ([`checkpoint_note::ledger_origin`]).
    pub genesis_leaf: Option<Hash>,
}

/// A replay's state to roll back to ([`Replay::mark`]).
pub struct Mark {
    size: u64,
    prev: Hash,
    last_record_time: i64,
    registry: KeyRegistry,
    frontier: Frontier,
    key_entries: usize,
}

impl Replay {
    pub fn new(keep_leaves: bool) -> Replay {
        Replay { leaves: keep_leaves.then(Vec::new), last_record_time: i64::MIN, ..Replay::default() }
    }

    /// The state to return to with [`Replay::rollback`] if what follows is refused.
    pub fn mark(&self) -> Mark {
        Mark {
            size: self.size,
            prev: self.prev,
            last_record_time: self.last_record_time,
            registry: self.registry.clone(),
            frontier: self.frontier.clone(),
            key_entries: self.key_entries.len(),
        }
    }

    /// Returns to a [`Replay::mark`]: the entries checked since are forgotten.
    pub fn rollback(&mut self, m: Mark) {
        self.size = m.size;
        self.prev = m.prev;
        self.last_record_time = m.last_record_time;
        self.registry = m.registry;
        self.frontier = m.frontier;
        self.key_entries.truncate(m.key_entries);
        if let Some(l) = &mut self.leaves {
            l.truncate(m.size as usize);
        }
        if m.size == 0 {
            self.genesis_leaf = None;
        }
    }

    /// The ledger's C2SP origin, once the genesis entry is replayed.
    pub fn origin(&self) -> Result<String> {
        let genesis = self.genesis_leaf.ok_or_else(|| LedgerError::State("the ledger is empty".into()))?;
        Ok(checkpoint_note::ledger_origin(&genesis))
    }

    /// The operator's checkpoint, in both forms, of the log as replayed:
    /// `casus/checkpoint/v1` (parsed and its bytes) and the C2SP
    /// `tlog-checkpoint` note signed by the same key, whose origin is the
    /// ledger's. `operator` must be the operator key at this size.
    pub fn sign_checkpoint(&self, operator: &SecretKey, time: i64) -> Result<(Checkpoint, Vec<u8>, Note)> {
        self.registry.check_operator(&operator.id(), self.size).map_err(|t| refused(&t))?;
        let root = self.frontier.root();
        let (cp, bytes) = Checkpoint::sign(self.size, root, time, operator);
        let origin = self.origin()?;
        let note = TreeHead::new(&origin, self.size, root).sign(&checkpoint_note::operator_note_signer(&origin, operator)?)?;
        Ok((cp, bytes, note))
    }

    /// Checks and applies the next entry (position `self.size`), except its
    /// signature. Returns the parsed entry and its leaf hash.
    pub fn step<'a>(&mut self, bytes: &'a [u8]) -> Result<(EntryView<'a>, Hash), (u64, Tamper)> {
        let view = EntryView::parse(bytes).map_err(|e| (self.size, Tamper::Malformed(e.to_string())))?;
        self.advance(&view)?;
        let leaf = merkle::leaf_hash(bytes);
        self.push_leaf(leaf);
        Ok((view, leaf))
    }

    /// The rules part of [`Replay::step`]: position, link, record time, who
    /// may sign what. Advances `size` and `prev` but not the Merkle tree,
    /// whose leaf needs the signature: [`Replay::push_leaf`] follows, once
    /// the entry is signed (appends lay out and check a whole group first,
    /// then sign it in parallel, then push the leaves).
    fn advance(&mut self, view: &EntryView) -> Result<(), (u64, Tamper)> {
        let seq = self.size;
        if view.seq != seq {
            let kind = if view.seq < seq { Tamper::Reordered { found: view.seq } } else { Tamper::MissingEntry };
            return Err((seq, kind));
        }
        // A v3 entry names no predecessor: the tree and the checkpoints
        // bind its place.
        if view.prev.is_some_and(|p| p != self.prev) {
            return Err((seq, Tamper::BrokenChain));
        }
        if view.record_time < self.last_record_time {
            return Err((seq, Tamper::RecordTimeBackwards));
        }
        entry::apply(&mut self.registry, view).map_err(|t| (seq, t))?;
        if view.kind.is_key_entry() {
            self.key_entries.push(seq);
        }
        self.prev = entry::link_hash(view.unsigned);
        self.last_record_time = view.record_time;
        self.size += 1;
        Ok(())
    }

    /// Adds the next leaf to the tree (see [`Replay::advance`]).
    fn push_leaf(&mut self, leaf: Hash) {
        if self.frontier.size() == 0 {
            self.genesis_leaf = Some(leaf);
            self.registry.set_origin(checkpoint_note::ledger_origin(&leaf));
        }
        self.frontier.push(leaf);
        if let Some(l) = &mut self.leaves {
            l.push(leaf);
        }
    }
}

/// Steps through stored rows, telling missing and reordered entries apart.
fn step_rows<'a>(
    replay: &mut Replay,
    rows: &'a [(u64, Vec<u8>)],
    mut each: impl FnMut(&Replay, usize, &EntryView<'a>) -> Result<()>,
) -> Result<Option<(u64, Tamper)>> {
    for (i, (pos, bytes)) in rows.iter().enumerate() {
        let expected = replay.size;
        let misplaced = *pos != expected || EntryView::parse(bytes).is_ok_and(|v| v.seq != expected);
        if misplaced {
            let found = EntryView::parse(bytes).map(|v| v.seq).unwrap_or(*pos);
            let later = rows[i..].iter().take(REORDER_WINDOW).skip(1).any(|(_, b)| EntryView::parse(b).is_ok_and(|v| v.seq == expected));
            let kind = if *pos == expected && (later || found < expected) { Tamper::Reordered { found } } else { Tamper::MissingEntry };
            return Ok(Some((expected, kind)));
        }
        match replay.step(bytes) {
            Ok((view, _)) => each(replay, i, &view)?,
            Err(failure) => return Ok(Some(failure)),
        }
    }
    Ok(None)
}

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

/// The treaty bound into the genesis entry.
#[derive(Clone, Debug)]
pub struct TreatyInfo {
    pub name: String,
    pub text: Vec<u8>,
    pub sha256: Hash,
}

/// The consistency proof from an older tree size to a checkpoint's (empty
/// from 0 and from the same size; `None` from a larger size).
pub type ConsistencyProofs<'a> = dyn Fn(u64) -> Option<Vec<Hash>> + Sync + 'a;

/// Has a checkpoint note cosigned: `(note, size, proofs)` to the note with
/// the cosignatures added (see [`Ledger::checkpoint_cosigned`]).
pub type Cosign<'a> = dyn FnMut(&Note, u64, &ConsistencyProofs<'_>) -> Result<Note> + 'a;

/// A ledger over a store.
pub struct Ledger {
    store: Box<dyn Store>,
    replay: Replay,
}

impl Ledger {
    /// Opens a ledger; nothing is read until it is needed.
    pub fn open(store: Box<dyn Store>) -> Ledger {
        Ledger { store, replay: Replay::new(true) }
    }

    /// Writes the genesis entry of an empty store: the treaty, the operator
    /// key (which signs it) and the first party and recorder keys.
    pub fn create(
        store: Box<dyn Store>,
        treaty_name: &str,
        treaty_text: &[u8],
        operator: &SecretKey,
        keys: &[KeyRegistration],
        record_time: Time,
    ) -> Result<Ledger> {
        Ledger::create_valid_from(store, treaty_name, treaty_text, operator, keys, record_time, record_time)
    }

    /// As [`Ledger::create`], with the genesis entry's valid time
    /// `valid_from`: the treaty's first version (its entry into force). No
    /// live act may be dated before it ([`entry::check_live_time`]).
    pub fn create_valid_from(
        store: Box<dyn Store>,
        treaty_name: &str,
        treaty_text: &[u8],
        operator: &SecretKey,
        keys: &[KeyRegistration],
        valid_from: Time,
        record_time: Time,
    ) -> Result<Ledger> {
        let mut all = vec![KeyRegistration { key: operator.public(), role: KeyRole::Operator }];
        all.extend(keys.iter().cloned());
        let payload = Genesis { treaty_sha256: sha256(treaty_text), treaty_name, treaty_text, keys: all }.encode()?;
        let mut ledger = Ledger::open(store);
        let p: &[u8] = &payload;
        ledger.append_one(record_time, None, &mut move |replay| {
            if replay.size != 0 {
                return Err(LedgerError::State("the ledger exists already".into()));
            }
            Ok(vec![Spec { kind: EntryKind::Genesis, mode: Mode::Operator, valid_time: valid_from.0, payload: p, key: operator }])
        })?;
        Ok(ledger)
    }

    /// Reads entries appended since the last sync (by this or another
    /// process), checking them as `verify` does except for signatures.
    pub fn sync(&mut self) -> Result<u64> {
        let len = self.store.len()?;
        let Ledger { store, replay } = self;
        catch_up(&mut **store, replay, len)?;
        Ok(replay.size)
    }

    pub fn len(&mut self) -> Result<u64> {
        self.sync()
    }

    pub fn is_empty(&mut self) -> Result<bool> {
        Ok(self.sync()? == 0)
    }

    /// The state replayed so far (after [`Ledger::sync`]).
    pub fn replay(&self) -> &Replay {
        &self.replay
    }

    /// The keys, as of the head.
    pub fn keys(&mut self) -> Result<Vec<(KeyId, KeyState)>> {
        self.sync()?;
        Ok(self.replay.registry.all().into_iter().map(|(k, s)| (k, s.clone())).collect())
    }

    /// The treaty the genesis entry binds.
    pub fn treaty(&mut self) -> Result<TreatyInfo> {
        let rows = self.store.read_range(0, 1)?;
        let Some((0, bytes)) = rows.first() else {
            return Err(LedgerError::State("the ledger has no genesis entry".into()));
        };
        let view = EntryView::parse(bytes)?;
        let g = Genesis::decode(view.payload)?;
        Ok(TreatyInfo { name: g.treaty_name.to_string(), text: g.treaty_text.to_vec(), sha256: g.treaty_sha256 })
    }

    /// Appends one act, signed by `key`: in live mode if the key is
    /// registered for the act's actor, in record mode if it is a recorder's.
    pub fn append_act(&mut self, act: &Act, symbols: &Symbols, key: &SecretKey, record_time: Time) -> Result<u64> {
        Ok(self.append_acts(std::slice::from_ref(act), symbols, key, record_time)?.start)
    }

    /// Appends acts in one atomic, durable commit.
    pub fn append_acts(&mut self, acts: &[Act], symbols: &Symbols, key: &SecretKey, record_time: Time) -> Result<Range<u64>> {
        let payloads = encode_acts(acts, symbols)?;
        self.append_one(record_time, None, &mut |replay| act_specs(replay, key, &payloads))
    }

    /// Imports a record's acts in record mode, signed by a recorder key (or
    /// the operator's, which may record too), in one commit. Every act must carry a source.
    pub fn import(&mut self, record: &Record, symbols: &Symbols, key: &SecretKey, record_time: Time) -> Result<Range<u64>> {
        self.import_inner(record, symbols, key, None, record_time)
    }

    /// As [`Ledger::import`], and `operator` signs a checkpoint of the log
    /// after the import in the same commit, so that the import is covered
    /// (and provable) from the moment it is written.
    pub fn import_checkpointed(&mut self, record: &Record, symbols: &Symbols, key: &SecretKey, operator: &SecretKey, record_time: Time) -> Result<Range<u64>> {
        self.import_inner(record, symbols, key, Some(operator), record_time)
    }

    fn import_inner(&mut self, record: &Record, symbols: &Symbols, key: &SecretKey, operator: Option<&SecretKey>, record_time: Time) -> Result<Range<u64>> {
        self.sync()?;
        match self.replay.registry.active(&key.id(), self.replay.size) {
            Ok(KeyState { role: KeyRole::Recorder | KeyRole::Operator, .. }) => {}
            Ok(s) => return Err(LedgerError::Refused(format!("import needs a recorder key; this key is registered for {}", s.role))),
            Err(t) => return Err(refused(&t)),
        }
        let payloads = encode_acts(&record.acts, symbols)?;
        self.append_one(record_time, operator, &mut |replay| act_specs(replay, key, &payloads))
    }

    /// Registers, rotates or revokes a key, signed by the operator, who
    /// also signs a checkpoint of the log after it in the same commit: a
    /// key change no checkpoint covers could be cut off the log with
    /// everything after it, and a revoked key would sign again unseen.
    /// The operator's own key rotates with [`Ledger::rotate_operator`].
    pub fn change_key(&mut self, change: &KeyChange, operator: &SecretKey, record_time: Time) -> Result<u64> {
        if let KeyChange::Rotate { old, .. } = change
            && *old == operator.id()
        {
            return Err(LedgerError::Refused("rotating the operator key needs the new operator key, which signs the checkpoint covering the rotation".into()));
        }
        self.key_entry(change, operator, operator, record_time)
    }

    /// Replaces the operator key `old` by `new`: `old` signs the rotation
    /// and `new` the checkpoint after it, in the same commit.
    pub fn rotate_operator(&mut self, old: &SecretKey, new: &SecretKey, record_time: Time) -> Result<u64> {
        self.key_entry(&KeyChange::Rotate { old: old.id(), new: new.public() }, old, new, record_time)
    }

    fn key_entry(&mut self, change: &KeyChange, signer: &SecretKey, checkpointer: &SecretKey, record_time: Time) -> Result<u64> {
        let payload = change.encode();
        let kind = change.kind();
        let p: &[u8] = &payload;
        Ok(self
            .append_one(record_time, Some(checkpointer), &mut move |_| {
                Ok(vec![Spec { kind, mode: Mode::Operator, valid_time: record_time.0, payload: p, key: signer }])
            })?
            .start)
    }

    /// Appends entries signed elsewhere (by their actors, in live mode: the
    /// stored bytes are the bytes they signed), in one durable commit. Each
    /// must extend the log as `verify` requires: position, link, record
    /// time, who may sign what; and every signature is checked strictly, on
    /// every core, before anything is written. A refusal writes nothing
    /// and names the first bad entry ([`LedgerError::Rejected`]).
    pub fn append_signed(&mut self, entries: &[Vec<u8>]) -> Result<Range<u64>> {
        if entries.len() > MAX_BATCH_ENTRIES {
            return Err(LedgerError::TooLarge { what: "entries in one commit", size: entries.len(), max: MAX_BATCH_ENTRIES });
        }
        if let Some(big) = entries.iter().find(|e| e.len() > crate::MAX_ENTRY_BYTES) {
            return Err(LedgerError::TooLarge { what: "entry", size: big.len(), max: crate::MAX_ENTRY_BYTES });
        }
        let Ledger { store, replay } = self;
        let mut mark = None;
        let mut range = 0..0;
        let result = store.append(&mut |reader, len| {
            catch_up(reader, replay, len)?;
            mark = Some(replay.mark());
            let start = replay.size;
            let mut items = Vec::with_capacity(entries.len());
            for bytes in entries {
                let seq = replay.size;
                let view = EntryView::parse(bytes).map_err(|e| LedgerError::Rejected { entry: seq, kind: Tamper::Malformed(e.to_string()) })?;
                replay.advance(&view).map_err(|(entry, kind)| LedgerError::Rejected { entry, kind })?;
                let key = replay.registry.get(&view.signer).map(|s| s.key).ok_or(LedgerError::Rejected { entry: seq, kind: Tamper::UnknownKey })?;
                items.push(SigItem { seq, signed: view.signed, signature: view.signature, key });
            }
            // Strictly, one by one (on every core): a batch check would let a
            // key holder slip in a signature whose R has a small-order part,
            // which strict checks and proof bundles reject.
            if let Some(bad) = first_bad_signature_strict(&items) {
                return Err(LedgerError::Rejected { entry: items[bad].seq, kind: Tamper::BadSignature });
            }
            for bytes in entries {
                replay.push_leaf(merkle::leaf_hash(bytes));
            }
            range = start..replay.size;
            Ok(entries.to_vec())
        });
        match result {
            Ok(_) => Ok(range),
            Err(e) => {
                if let Some(m) = mark {
                    replay.rollback(m);
                }
                Err(e)
            }
        }
    }

    /// Appends signed statements (`casus/entry/v3`: each the statement's
    /// bytes, then its signer's 64-byte signature) as the next entries,
    /// with `record_time` (raised to the log's last if earlier), in one
    /// durable commit, checked as [`Ledger::append_signed`] checks entries:
    /// the origin, each key's sequence, who may sign what, every signature.
    /// The server sequences concurrent clients' statements itself, in
    /// group commits; this is the same for one caller.
    pub fn append_statements(&mut self, statements: &[Vec<u8>], record_time: Time) -> Result<Range<u64>> {
        self.sync()?;
        let start = self.replay.size;
        let time = record_time.0.max(self.replay.last_record_time);
        let entries = statements
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (statement, signature) = entry::split_signed_statement(s)?;
                entry::sequenced_entry(start + i as u64, time, statement, &signature)
            })
            .collect::<Result<Vec<_>>>()?;
        self.append_signed(&entries)
    }

    /// Appends one request's entries in one commit, with a checkpoint
    /// signed by `checkpoint` if given; a refusal writes nothing.
    fn append_one<'k>(
        &mut self,
        record_time: Time,
        checkpoint: Option<&SecretKey>,
        make: &mut (dyn FnMut(&Replay) -> Result<Vec<Spec<'k>>> + '_),
    ) -> Result<Range<u64>> {
        let mut requests = [Request { record_time, make }];
        let mut outcomes = self.append_group(&mut requests, false, checkpoint)?;
        match outcomes.pop() {
            Some(outcome) => outcome.map(|(range, _)| range),
            None => Err(LedgerError::State("the append produced no outcome".into())),
        }
    }

    /// Appends a group of requests in one durable commit (the group commit
    /// of [`crate::group`]; a single append is a group of one).
    ///
    /// Holding the store's write lock: catches up with the stored log, then
    /// lays out and checks each request's entries in order, chaining each
    /// to the one before (a refused request is rolled back alone and the
    /// others go on); then signs every laid-out entry in parallel, adds the
    /// leaves to the tree and commits. The outer error means the commit
    /// failed and nothing of the group was written; the inner results are
    /// per request, in order: the positions written and the record time.
    /// With `clamp_time`, a record time earlier than the log's last is
    /// raised to it (concurrent appenders' clocks need not agree); without,
    /// it is refused. With `checkpoint`, that key (the operator's at the new
    /// size) signs a checkpoint of the new log, stored in the same commit.
    pub(crate) fn append_group<'k>(
        &mut self,
        requests: &mut [Request<'_, 'k>],
        clamp_time: bool,
        checkpoint: Option<&SecretKey>,
    ) -> Result<Vec<RequestOutcome>> {
        let Ledger { store, replay } = self;
        let mut outcomes: Vec<RequestOutcome> = Vec::with_capacity(requests.len());
        let mut group_mark = None;
        let mut nothing = false;
        let result = store.append_checkpointed(&mut |reader, len| {
            catch_up(reader, replay, len)?;
            group_mark = Some(replay.mark());
            outcomes.clear();
            let mut pending: Vec<(Vec<u8>, &'k SecretKey)> = Vec::new();
            for request in requests.iter_mut() {
                let mark = replay.mark();
                let before = pending.len();
                let time = if clamp_time { Time(request.record_time.0.max(replay.last_record_time)) } else { request.record_time };
                let outcome = lay_out(replay, request, time, &mut pending);
                if outcome.is_err() {
                    replay.rollback(mark);
                    pending.truncate(before);
                }
                outcomes.push(outcome.map(|range| (range, time)));
            }
            if pending.is_empty() {
                // Every request was refused: write nothing, roll the transaction back.
                nothing = true;
                return Err(LedgerError::State("nothing to append".into()));
            }
            for leaf in sign_all(&mut pending) {
                replay.push_leaf(leaf);
            }
            let signed_head = match checkpoint {
                Some(key) => {
                    let (cp, bytes, note) = replay.sign_checkpoint(key, replay.last_record_time)?;
                    Some((cp.size, bytes, note.to_text().into_bytes()))
                }
                None => None,
            };
            Ok((pending.into_iter().map(|(bytes, _)| bytes).collect(), signed_head))
        });
        match result {
            Ok(_) => Ok(outcomes),
            Err(_) if nothing => Ok(outcomes),
            Err(e) => {
                if let Some(m) = group_mark {
                    replay.rollback(m);
                }
                Err(e)
            }
        }
    }

    /// Signs and stores a checkpoint of the log as it is now, in both
    /// forms (`casus/checkpoint/v1` and its C2SP note), in one transaction.
    pub fn checkpoint(&mut self, operator: &SecretKey, time: Time) -> Result<Checkpoint> {
        Ok(self.checkpoint_cosigned(operator, time, &mut |note, _, _| Ok(note.clone()))?.0)
    }

    /// The ledger's C2SP origin (see [`checkpoint_note::ledger_origin`]).
    pub fn origin(&mut self) -> Result<String> {
        self.sync()?;
        self.replay.origin()
    }

    /// As [`Ledger::checkpoint`], with the note cosigned first:
    /// `cosign(note, size, proof)` gets the operator-signed note and a
    /// function giving the consistency proof from any older size (empty
    /// from 0), and returns the note with the cosignatures it collected
    /// (or an error, and then nothing is stored). The returned note must
    /// have the same text and still carry the operator's valid signature.
    pub fn checkpoint_cosigned(&mut self, operator: &SecretKey, time: Time, cosign: &mut Cosign<'_>) -> Result<(Checkpoint, Note)> {
        self.sync()?;
        let size = self.replay.size;
        if size == 0 {
            return Err(LedgerError::State("the ledger is empty".into()));
        }
        let (cp, bytes, note) = self.replay.sign_checkpoint(operator, time.0)?;
        let leaves = self.replay.leaves.as_deref().ok_or_else(|| LedgerError::State("leaf hashes not kept".into()))?;
        let tree = leaves.get(..size as usize).ok_or_else(|| LedgerError::State("fewer leaves than entries".into()))?;
        let proof = move |old: u64| -> Option<Vec<Hash>> {
            match old {
                0 => Some(Vec::new()),
                o if o == size => Some(Vec::new()),
                o if o > size => None,
                o => merkle::consistency_proof(tree, o as usize),
            }
        };
        let cosigned = cosign(&note, size, &proof)?;
        if cosigned.text != note.text {
            return Err(LedgerError::State("the cosigned note is not the checkpoint's".into()));
        }
        let origin = self.replay.origin()?;
        Note::open(cosigned.to_text().as_bytes(), &[checkpoint_note::operator_note_verifier(&origin, &operator.public())?])?;
        let rows = (size, bytes, cosigned.to_text().into_bytes());
        let mut rows = Some(rows);
        self.store.append_checkpointed(&mut |_, len| {
            if len < size {
                return Err(LedgerError::State(format!("the log has {len} entries, fewer than the checkpoint's {size}")));
            }
            Ok((Vec::new(), rows.take()))
        })?;
        Ok((cp, cosigned))
    }

    /// Stores a checkpoint note signed elsewhere (a mirror's copy of the
    /// log's `/checkpoint`, with its cosignatures) for the log as it is now:
    /// it must state this ledger's origin, its size and root, and carry the
    /// current operator key's valid signature, or nothing is stored. It
    /// stands alone, with no `casus/checkpoint/v1` beside it (`verify`
    /// checks such a note against the log's root at its size).
    pub fn add_checkpoint_note(&mut self, bytes: &[u8]) -> Result<u64> {
        self.sync()?;
        let size = self.replay.size;
        let origin = self.replay.origin()?;
        let operator = self.replay.registry.operator().ok_or_else(|| LedgerError::State("the ledger has no operator key".into()))?;
        check_checkpoint_note(&self.replay.registry, &origin, size, &operator, &self.replay.frontier.root(), bytes)
            .map_err(|kind| LedgerError::TamperedCheckpoint { size, kind })?;
        self.store.put_checkpoint_note(size, bytes)?;
        Ok(size)
    }

    /// The stored checkpoint notes as `(size, note text)`, unverified
    /// (`verify` checks their signature by the operator and their roots).
    pub fn checkpoint_notes(&mut self) -> Result<Vec<(u64, Vec<u8>)>> {
        self.store.checkpoint_note_rows()
    }

    /// The stored checkpoints, parsed (unverified; `verify` checks them).
    pub fn checkpoints(&mut self) -> Result<Vec<Checkpoint>> {
        self.store.checkpoints()?.iter().map(|b| Ok(Checkpoint::parse(b)?.0)).collect()
    }

    /// Verifies the whole log from the store: every entry's rules and
    /// signature, the hash chain, and every checkpoint's signature and root.
    /// `progress(done, total)` is called after each chunk. On failure, the
    /// error names the first bad entry and the kind of tampering.
    pub fn verify(&mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<VerifyReport> {
        verify_store_with(&mut *self.store, progress, false)
    }

    /// As [`Ledger::verify`], but every signature checked strictly, one by
    /// one (on every core): slower than batches, and blind to nothing a
    /// batch could let through (see docs/LEDGER.md).
    pub fn verify_strict(&mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<VerifyReport> {
        verify_store_with(&mut *self.store, progress, true)
    }

    /// An offline proof bundle for entry `seq` (see [`crate::bundle`]).
    pub fn proof_bundle(&mut self, seq: u64) -> Result<Vec<u8>> {
        self.sync()?;
        let checkpoints = self.store.checkpoints()?;
        let notes = self.store.checkpoint_note_rows()?;
        crate::bundle::build(&mut *self.store, &self.replay, &checkpoints, &notes, seq)
    }

    /// The acts recorded at or before `record_time` (all acts if `None`), in
    /// log order, with `attestation` and `recorded` set. Valid time is each
    /// act's own `time`; the engine filters on it. Signatures are not
    /// checked here: run [`Ledger::verify`] for that.
    pub fn acts_as_of(&mut self, record_time: Option<Time>, symbols: &mut Symbols) -> Result<Vec<Act>> {
        let size = self.sync()?;
        let mut acts = Vec::new();
        let mut start = 0;
        while start < size {
            let end = (start + READ_CHUNK).min(size);
            for (pos, bytes) in self.store.read_range(start, end)? {
                let view = EntryView::parse(&bytes).map_err(|e| LedgerError::Tampered { entry: pos, kind: Tamper::Malformed(e.to_string()) })?;
                if let Some(r) = record_time
                    && view.record_time > r.0
                {
                    // Record times never decrease: nothing later qualifies.
                    return Ok(acts);
                }
                if view.kind != EntryKind::Act {
                    continue;
                }
                acts.push(act_of_entry(&view, symbols).map_err(|kind| LedgerError::Tampered { entry: pos, kind })?);
            }
            start = end;
        }
        Ok(acts)
    }
}

/// The act an act entry holds, as the engine reads it: its fields, who
/// vouches for it (the actor for a live entry, else the signing recorder,
/// named by its key id) and its record time. The one function from a
/// ledger entry to an act: `acts_as_of` and the server's replay share it.
pub fn act_of_entry(view: &EntryView<'_>, symbols: &mut Symbols) -> std::result::Result<Act, Tamper> {
    let fields = ActFields::decode(view.payload).map_err(|e| Tamper::Malformed(e.to_string()))?;
    let mut act = fields.to_act(symbols);
    act.attestation = match view.mode {
        Mode::Live => Attestation::Actor,
        _ => Attestation::Recorder(symbols.intern(&view.signer.hex())),
    };
    act.recorded = Some(Time(view.record_time));
    Ok(act)
}

fn refused(t: &Tamper) -> LedgerError {
    LedgerError::Refused(t.to_string())
}

/// The entries a client sends to extend a log of `size` entries whose last
/// signed bytes hash to `prev` (see [`Ledger::append_signed`]): one act
/// entry per act, for the positions that follow, chained, each signed by
/// `key` in `mode` (live with a party's key, record with a recorder's).
pub fn signed_act_entries(size: u64, prev: Hash, acts: &[Act], symbols: &Symbols, key: &SecretKey, mode: Mode, record_time: Time) -> Result<Vec<Vec<u8>>> {
    if acts.len() > MAX_BATCH_ENTRIES {
        return Err(LedgerError::TooLarge { what: "batch of acts", size: acts.len(), max: MAX_BATCH_ENTRIES });
    }
    let mut prev = prev;
    let mut out = Vec::with_capacity(acts.len());
    for (i, act) in acts.iter().enumerate() {
        let payload = encode_act(act, symbols)?;
        let mut bytes = Entry { seq: size + i as u64, kind: EntryKind::Act, mode, valid_time: act.time.0, record_time: record_time.0, prev, payload: &payload }
            .unsigned(&key.id())?;
        prev = entry::link_hash(&bytes[..bytes.len() - 64]);
        entry::sign_in_place(&mut bytes, key);
        out.push(bytes);
    }
    Ok(out)
}

/// The signed statements (`casus/entry/v3`, each statement ‖ signature) a
/// client sends for acts: for the ledger named by `origin`, numbered from
/// `first_sequence` on (above the key's last), each signed by `key` in
/// `mode` (live with a party's key, record with a recorder's). The ledger
/// gives them their positions and record time.
pub fn signed_act_statements(origin: &str, first_sequence: u64, acts: &[Act], symbols: &Symbols, key: &SecretKey, mode: Mode) -> Result<Vec<Vec<u8>>> {
    if acts.len() > MAX_BATCH_ENTRIES {
        return Err(LedgerError::TooLarge { what: "batch of acts", size: acts.len(), max: MAX_BATCH_ENTRIES });
    }
    let mut out = Vec::with_capacity(acts.len());
    for (i, act) in acts.iter().enumerate() {
        let payload = encode_act(act, symbols)?;
        let sequence = first_sequence.checked_add(i as u64).ok_or_else(|| LedgerError::Refused("the key's sequence numbers are used up".into()))?;
        out.push(entry::Statement { origin, sequence, kind: EntryKind::Act, mode, valid_time: act.time.0, payload: &payload }.sign(key)?);
    }
    Ok(out)
}

/// Most threads that sign or verify one batch.
const MAX_WORKERS: usize = 8;
/// Entries below which a batch is signed on the calling thread alone.
const PARALLEL_SIGN_MIN: usize = 16;

/// Threads for signing and verifying: the machine's cores, at most
/// [`MAX_WORKERS`].
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, MAX_WORKERS)
}

/// What one request of a group commit wrote (its positions and record
/// time), or why it was refused.
pub(crate) type RequestOutcome = Result<(Range<u64>, Time)>;

/// One entry to append, before it is laid out and signed.
pub(crate) struct Spec<'k> {
    pub kind: EntryKind,
    pub mode: Mode,
    pub valid_time: i64,
    pub payload: &'k [u8],
    pub key: &'k SecretKey,
}

/// One request of a group commit: its record time, and what builds its
/// entries from the log as replayed up to them (so that a key's role is
/// read where the entries will stand).
pub(crate) struct Request<'a, 'k> {
    pub record_time: Time,
    pub make: &'a mut (dyn FnMut(&Replay) -> Result<Vec<Spec<'k>>> + 'a),
}

/// Encodes acts for appending: `(valid time, act bytes)` each.
pub(crate) fn encode_acts(acts: &[Act], symbols: &Symbols) -> Result<Vec<(i64, Vec<u8>)>> {
    if acts.len() > MAX_BATCH_ENTRIES {
        return Err(LedgerError::TooLarge { what: "batch of acts", size: acts.len(), max: MAX_BATCH_ENTRIES });
    }
    acts.iter().map(|a| Ok((a.time.0, encode_act(a, symbols)?))).collect()
}

/// The entries of acts signed by `key`: live mode if the key is a party's
/// (the rules then check it is the actor's), record mode otherwise.
pub(crate) fn act_specs<'k>(replay: &Replay, key: &'k SecretKey, payloads: &'k [(i64, Vec<u8>)]) -> Result<Vec<Spec<'k>>> {
    let state = replay.registry.active(&key.id(), replay.size).map_err(|t| refused(&t))?;
    let mode = match state.role {
        KeyRole::Party(_) => Mode::Live,
        KeyRole::Recorder | KeyRole::Operator => Mode::Record,
    };
    Ok(payloads.iter().map(|(t, p)| Spec { kind: EntryKind::Act, mode, valid_time: *t, payload: p, key }).collect())
}

/// Lays out one request's entries after the replayed log, unsigned, and
/// checks them as `verify` will (everything but the signatures, which the
/// ledger itself makes). On error the caller rolls the replay back.
fn lay_out<'k>(replay: &mut Replay, request: &mut Request<'_, 'k>, time: Time, pending: &mut Vec<(Vec<u8>, &'k SecretKey)>) -> Result<Range<u64>> {
    let start = replay.size;
    let specs = (request.make)(replay)?;
    if pending.len() + specs.len() > MAX_BATCH_ENTRIES {
        return Err(LedgerError::TooLarge { what: "entries in one commit", size: pending.len() + specs.len(), max: MAX_BATCH_ENTRIES });
    }
    if replay.size + specs.len() as u64 > MAX_LEDGER_ENTRIES {
        return Err(LedgerError::TooLarge { what: "ledger", size: usize::MAX, max: MAX_LEDGER_ENTRIES as usize });
    }
    for spec in specs {
        let bytes = Entry {
            seq: replay.size,
            kind: spec.kind,
            mode: spec.mode,
            valid_time: spec.valid_time,
            record_time: time.0,
            prev: replay.prev,
            payload: spec.payload,
        }
        .unsigned(&spec.key.id())?;
        let view = EntryView::parse(&bytes)?;
        replay.advance(&view).map_err(|(_, t)| refused(&t))?;
        pending.push((bytes, spec.key));
    }
    Ok(start..replay.size)
}

/// Signs laid-out entries and computes their leaf hashes, split over
/// [`workers`] threads. Each entry's link to the one before is already in
/// its signed bytes, so the order in which they are signed does not matter.
fn sign_all(pending: &mut [(Vec<u8>, &SecretKey)]) -> Vec<Hash> {
    fn work(part: &mut [(Vec<u8>, &SecretKey)], leaves: &mut [Hash]) {
        for ((bytes, key), leaf) in part.iter_mut().zip(leaves.iter_mut()) {
            entry::sign_in_place(bytes, key);
            *leaf = merkle::leaf_hash(bytes);
        }
    }
    let mut leaves = vec![[0u8; 32]; pending.len()];
    let n = workers();
    if n < 2 || pending.len() < PARALLEL_SIGN_MIN {
        work(pending, &mut leaves);
        return leaves;
    }
    let chunk = pending.len().div_ceil(n);
    std::thread::scope(|s| {
        let mut parts = pending.chunks_mut(chunk).zip(leaves.chunks_mut(chunk));
        let first = parts.next();
        for (part, l) in parts {
            s.spawn(move || work(part, l));
        }
        if let Some((part, l)) = first {
            work(part, l);
        }
    });
    leaves
}

/// Replays stored entries from `replay.size` up to `len`.
fn catch_up(store: &mut dyn StoreRead, replay: &mut Replay, len: u64) -> Result<()> {
    if len < replay.size {
        return Err(LedgerError::Tampered { entry: len, kind: Tamper::Truncated { checkpoint_size: replay.size, log_size: len } });
    }
    while replay.size < len {
        let start = replay.size;
        let rows = store.read_range(start, (start + READ_CHUNK).min(len))?;
        if rows.is_empty() {
            return Err(LedgerError::Tampered { entry: start, kind: Tamper::MissingEntry });
        }
        if let Some((entry, kind)) = step_rows(replay, &rows, |_, _, _| Ok(()))? {
            return Err(LedgerError::Tampered { entry, kind });
        }
    }
    Ok(())
}

/// One signature to check: entry position, signed bytes, signature, key.
struct SigItem<'a> {
    seq: u64,
    signed: &'a [u8],
    signature: [u8; 64],
    key: VerifyingKey,
}

/// The index of the first item whose signature fails strict verification,
/// checked one by one on [`workers`] threads.
fn first_bad_signature_strict(items: &[SigItem]) -> Option<usize> {
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

/// Verifies a whole store (see [`Ledger::verify`]), signatures in batches.
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
