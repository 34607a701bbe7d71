//! The ledger: appends acts and key changes, signs checkpoints, verifies the
//! whole log, and reads acts as known at a record time.
//!
//! The facade over a store: [`Ledger`] lays out, checks (with the
//! [`Replay`] of [`crate::replay`]), signs (on every core, [`crate::parallel`])
//! and commits; whole-store verification is [`crate::verify`]. Every failure
//! names the first bad entry and the kind of tampering.
//!
//! Acts are written as statements (`casus/entry/v3`): a local key signs
//! each act with the ledger's origin and its next sequence number, as a
//! client does, and the ledger places it. The operator's genesis and key
//! entries stay `casus/entry/v2`. Old v2 act entries are read and verified
//! (and copied by mirrors through [`Ledger::append_signed`]), not written.

use std::ops::Range;

use casus_model::{Act, Attestation, Record, Symbols, Time};

use crate::checkpoint_note;
use crate::encode::{ActFields, encode_act};
use crate::entry::{self, Checkpoint, Entry, EntryKind, EntryView, Genesis, KeyChange, Mode};
use crate::keys::{KeyId, KeyRegistration, KeyRole, KeyState, SecretKey};
use crate::merkle::{self, Hash};
use crate::note::Note;
use crate::parallel::sign_all;
pub use crate::parallel::workers;
pub use crate::replay::{Mark, READ_CHUNK, Replay};
use crate::replay::{catch_up, refused};
use crate::store::Store;
pub use crate::verify::{SIGNATURE_BATCH, VerifyReport, check_checkpoint, check_checkpoint_note, verify_store, verify_store_with};
use crate::verify::{SigItem, first_bad_signature_strict};
use crate::{LedgerError, MAX_BATCH_ENTRIES, MAX_LEDGER_ENTRIES, Result, Tamper, sha256};

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
    /// The key signs the act as a statement (`casus/entry/v3`) for this
    /// ledger's origin, numbered with the key's next sequence number, as a
    /// client would ([`signed_act_statements`]), and the entry is checked as
    /// [`Ledger::append_statements`] checks a client's.
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

    /// Appends entries signed elsewhere (a mirror's copy of another log's
    /// entries, old `casus/entry/v2` acts among them; the stored bytes are
    /// the bytes their signers signed), in one durable commit. Each must
    /// extend the log as `verify` requires: position, link, record time,
    /// who may sign what; and every signature is checked strictly, on every
    /// core, before anything is written. A refusal writes nothing and names
    /// the first bad entry ([`LedgerError::Rejected`]).
    pub fn append_signed(&mut self, entries: &[Vec<u8>]) -> Result<Range<u64>> {
        if entries.len() > MAX_BATCH_ENTRIES {
            return Err(LedgerError::TooLarge { what: "entries in one commit", size: entries.len(), max: MAX_BATCH_ENTRIES });
        }
        if let Some(big) = entries.iter().find(|e| e.len() > crate::MAX_ENTRY_BYTES) {
            return Err(LedgerError::TooLarge { what: "entry", size: big.len(), max: crate::MAX_ENTRY_BYTES });
        }
        self.append_checked(&mut |_| Ok(entries.to_vec()))
    }

    /// Appends signed statements (`casus/entry/v3`: each the statement's
    /// bytes, then its signer's 64-byte signature) as the next entries,
    /// with `record_time` (raised to the log's last if earlier), in one
    /// durable commit, checked as [`Ledger::append_signed`] checks entries:
    /// the origin, each key's sequence, who may sign what, every signature.
    /// Positions are given under the store's write lock, after what other
    /// processes appended. The server sequences concurrent clients'
    /// statements itself, in group commits; this is the same for one caller.
    pub fn append_statements(&mut self, statements: &[Vec<u8>], record_time: Time) -> Result<Range<u64>> {
        if statements.len() > MAX_BATCH_ENTRIES {
            return Err(LedgerError::TooLarge { what: "entries in one commit", size: statements.len(), max: MAX_BATCH_ENTRIES });
        }
        let signed = statements.iter().map(|s| entry::split_signed_statement(s)).collect::<Result<Vec<_>>>()?;
        self.append_checked(&mut |replay| {
            let time = record_time.0.max(replay.last_record_time);
            signed.iter().enumerate().map(|(i, (statement, signature))| entry::sequenced_entry(replay.size + i as u64, time, statement, signature)).collect()
        })
    }

    /// Holding the store's write lock: catches up with the stored log,
    /// builds the entries to append after it with `build`, checks each with
    /// the rules ([`Replay::advance`]) and every signature strictly, and
    /// commits them; a refusal writes nothing.
    fn append_checked(&mut self, build: &mut (dyn FnMut(&Replay) -> Result<Vec<Vec<u8>>> + '_)) -> Result<Range<u64>> {
        let Ledger { store, replay } = self;
        let mut mark = None;
        let mut range = 0..0;
        let result = store.append(&mut |reader, len| {
            catch_up(reader, replay, len)?;
            mark = Some(replay.mark());
            let start = replay.size;
            let entries = build(replay)?;
            let mut items = Vec::with_capacity(entries.len());
            for bytes in &entries {
                let seq = replay.size;
                let view = replay.check_next(bytes).map_err(|(entry, kind)| LedgerError::Rejected { entry, kind })?;
                let key = replay.registry.get(&view.signer).map(|s| s.key).ok_or(LedgerError::Rejected { entry: seq, kind: Tamper::UnknownKey })?;
                items.push(SigItem { seq, signed: view.signed, signature: view.signature, key });
            }
            // Strictly, one by one (on every core): a batch check would let a
            // key holder slip in a signature whose R has a small-order part,
            // which strict checks and proof bundles reject.
            if let Some(bad) = first_bad_signature_strict(&items) {
                return Err(LedgerError::Rejected { entry: items[bad].seq, kind: Tamper::BadSignature });
            }
            drop(items);
            for bytes in &entries {
                replay.push_leaf(merkle::leaf_hash(bytes));
            }
            range = start..replay.size;
            Ok(entries)
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
    /// lays out and checks each request's entries in order, each act a
    /// statement numbered after the ones before it in the group (a refused
    /// request is rolled back alone, its numbers unused, and the
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
        Ok(self.positioned_acts_as_of(record_time, symbols)?.0)
    }

    /// As [`Ledger::acts_as_of`], with each act's entry position beside it
    /// (for what is known of an entry rather than of its act: the
    /// witnesses' proof of when it was logged).
    pub fn positioned_acts_as_of(&mut self, record_time: Option<Time>, symbols: &mut Symbols) -> Result<(Vec<Act>, Vec<u64>)> {
        let size = self.sync()?;
        let (mut acts, mut positions) = (Vec::new(), Vec::new());
        let mut start = 0;
        while start < size {
            let end = (start + READ_CHUNK).min(size);
            for (pos, bytes) in self.store.read_range(start, end)? {
                let view = EntryView::parse(&bytes).map_err(|e| LedgerError::Tampered { entry: pos, kind: Tamper::Malformed(e.to_string()) })?;
                if let Some(r) = record_time
                    && view.record_time > r.0
                {
                    // Record times never decrease: nothing later qualifies.
                    return Ok((acts, positions));
                }
                if view.kind != EntryKind::Act {
                    continue;
                }
                acts.push(act_of_entry(&view, symbols).map_err(|kind| LedgerError::Tampered { entry: pos, kind })?);
                positions.push(pos);
            }
            start = end;
        }
        Ok((acts, positions))
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

/// Old-format act entries (`casus/entry/v2`), which no writer writes any
/// more (acts are statements: [`signed_act_statements`]): kept so that
/// tests can build the logs older ledgers hold, v2 acts among v3 ones, and
/// check that they still verify. They extend a log of `size` entries whose
/// last entry's link hash is `prev` ([`Ledger::append_signed`]): one act
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

/// Lays out one request's entries after the replayed log, unsigned (acts
/// as statements numbered with their key's next sequence numbers, the
/// operator's entries as v2), and checks them with [`Replay::check_next`],
/// as `append_statements` checks a client's and `verify` will (everything
/// but the signatures, which the ledger itself makes). On error the caller
/// rolls the replay back.
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
        let bytes = match spec.kind {
            EntryKind::Act => unsigned_statement_entry(replay, &spec, time)?,
            _ => Entry {
                seq: replay.size,
                kind: spec.kind,
                mode: spec.mode,
                valid_time: spec.valid_time,
                record_time: time.0,
                prev: replay.prev,
                payload: spec.payload,
            }
            .unsigned(&spec.key.id())?,
        };
        replay.check_next(&bytes).map_err(|(_, t)| refused(&t))?;
        pending.push((bytes, spec.key));
    }
    Ok(start..replay.size)
}

/// An act as its signer's statement (`casus/entry/v3`), laid out at the
/// replay's next position with a zero signature ([`entry::sign_in_place`]
/// fills it): the statement names the ledger's origin and the key's next
/// sequence number, read from the replay under the store's write lock, so
/// that concurrent appenders with the same key never take the same number.
/// The same statement and entry bytes as a client's
/// ([`signed_act_statements`], then [`Ledger::append_statements`]).
fn unsigned_statement_entry(replay: &Replay, spec: &Spec<'_>, time: Time) -> Result<Vec<u8>> {
    let origin = replay.registry.origin().ok_or_else(|| LedgerError::Refused("an act before the ledger's genesis".into()))?;
    let signer = spec.key.id();
    let sequence =
        replay.registry.last_sequence(&signer).checked_add(1).ok_or_else(|| LedgerError::Refused("the key's sequence numbers are used up".into()))?;
    let statement =
        entry::Statement { origin, sequence, kind: spec.kind, mode: spec.mode, valid_time: spec.valid_time, payload: spec.payload }.encode(&signer)?;
    entry::sequenced_entry(replay.size, time.0, &statement, &[0u8; 64])
}
