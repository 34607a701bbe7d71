//! Replaying a log: the one walk over entries in order that checks
//! everything about them but signatures (position, the hash chain, record
//! time, who may sign what: [`entry::apply`]), for appending (a refused act
//! is never written), opening (a reader sees the log `verify` sees),
//! `verify` (which adds the signatures and checkpoints) and bundles.

use crate::checkpoint_note::{self, TreeHead};
use crate::entry::{self, Checkpoint, EntryView};
use crate::keys::{KeyRegistry, SecretKey};
use crate::merkle::{self, Frontier, Hash};
use crate::note::Note;
use crate::store::StoreRead;
use crate::{LedgerError, Result, Tamper};

/// Entries read from the store at a time.
pub const READ_CHUNK: u64 = 4096;
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
    /// A copy of this state without its leaves (a writer's scratch copy:
    /// the frontier gives the root, and the leaves can be many).
    pub fn clone_without_leaves(&self) -> Replay {
        Replay {
            size: self.size,
            prev: self.prev,
            last_record_time: self.last_record_time,
            registry: self.registry.clone(),
            frontier: self.frontier.clone(),
            leaves: None,
            key_entries: self.key_entries.clone(),
            genesis_leaf: self.genesis_leaf,
        }
    }

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
        let view = self.check_next(bytes)?;
        let leaf = merkle::leaf_hash(bytes);
        self.push_leaf(leaf);
        Ok((view, leaf))
    }

    /// Parses the next entry (position `self.size`) and checks and applies
    /// it as [`Replay::advance`] does: what every append runs on each entry
    /// before it is written, whoever signed it (a client's statement, a
    /// mirror's copy, a local key's statement laid out before its signature).
    pub(crate) fn check_next<'a>(&mut self, bytes: &'a [u8]) -> Result<EntryView<'a>, (u64, Tamper)> {
        let view = EntryView::parse(bytes).map_err(|e| (self.size, Tamper::Malformed(e.to_string())))?;
        self.advance(&view)?;
        Ok(view)
    }

    /// The rules part of [`Replay::step`]: position, link, record time, who
    /// may sign what. Advances `size` and `prev` but not the Merkle tree,
    /// whose leaf needs the signature: [`Replay::push_leaf`] follows, once
    /// the entry is signed (appends lay out and check a whole group first,
    /// then sign it in parallel, then push the leaves).
    pub(crate) fn advance(&mut self, view: &EntryView) -> Result<(), (u64, Tamper)> {
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
        if seq == 0 && self.registry.origin().is_none() {
            // The origin is the genesis's leaf hash: known as soon as the
            // genesis is checked, so that statements checked in the same
            // batch (a mirror's first fetch) find it before leaves are added.
            let genesis = [view.unsigned, &view.signature[..]].concat();
            self.registry.set_origin(checkpoint_note::ledger_origin(&crate::merkle::leaf_hash(&genesis)));
        }
        if view.kind.is_key_entry() {
            self.key_entries.push(seq);
        }
        self.prev = entry::link_hash(view.unsigned);
        self.last_record_time = view.record_time;
        self.size += 1;
        Ok(())
    }

    /// Adds the next leaf to the tree (see [`Replay::advance`]).
    pub(crate) fn push_leaf(&mut self, leaf: Hash) {
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
pub(crate) fn step_rows<'a>(
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

/// Replays stored entries from `replay.size` up to `len`.
pub(crate) fn catch_up(store: &mut dyn StoreRead, replay: &mut Replay, len: u64) -> Result<()> {
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

pub(crate) fn refused(t: &Tamper) -> LedgerError {
    LedgerError::Refused(t.to_string())
}
