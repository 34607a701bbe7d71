//! The storage trait every backend implements, and an in-memory store.
//!
//! A store keeps opaque entry bytes at positions 0, 1, 2, … and checkpoint
//! bytes and checkpoint notes by tree size; it never interprets them, so a store cannot make a
//! tampered log look valid: the ledger checks what it reads. What a store
//! must guarantee is that `append` is atomic and durable (it returns only
//! after the commit) and that concurrent appenders serialize on the head,
//! so the log never forks: `append` runs the caller's `build` closure while
//! holding the write lock, handing it the current length and a reader of
//! the same transaction.
//!
//! [`RawStore`] bypasses every rule: it exists so that the conformance suite
//! can tamper with a log the way an attacker with database access would.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::{LedgerError, Result};

/// A stored checkpoint: its tree size, its bytes, and the checkpoint note
/// stored under the same size, if any ([`Store::checkpoint_rows_tail`]).
pub type CheckpointRow = (u64, Vec<u8>, Option<Vec<u8>>);

/// Reads stored entries.
pub trait StoreRead {
    /// The entries stored at positions `start..end`, in position order, as
    /// `(position, bytes)`. Positions with no entry are simply absent.
    fn read_range(&mut self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>>;
}

/// What `build` returns to [`Store::append_checkpointed`]: the entries to
/// store, and a checkpoint to store with them.
pub type Commit = (Vec<Vec<u8>>, Option<CheckpointRows>);

/// A checkpoint as stored: its tree size, its `casus/checkpoint/v1` bytes
/// and its C2SP checkpoint note.
pub type CheckpointRows = (u64, Vec<u8>, Vec<u8>);

/// What a store's writer calls under its lock: given a reader and the
/// current length, the entries and checkpoint to commit.
pub type BuildCommit<'a> = dyn FnMut(&mut dyn StoreRead, u64) -> Result<Commit> + 'a;

/// As [`BuildCommit`], entries without a checkpoint.
pub type BuildEntries<'a> = dyn FnMut(&mut dyn StoreRead, u64) -> Result<Vec<Vec<u8>>> + 'a;

/// What the ledger needs from a backend.
pub trait Store: StoreRead + Send {
    /// One past the highest position stored (0 when empty).
    fn len(&mut self) -> Result<u64>;

    /// Whether nothing is stored yet.
    fn is_empty(&mut self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Appends entries atomically. Holding the write lock, calls
    /// `build(reader, len)`; the entries it returns are stored at positions
    /// `len, len + 1, …`, and the checkpoint it returns (if any) under its
    /// tree size (its note too), all in one transaction, committed durably before this
    /// returns the new length. If `build` fails, nothing is written.
    fn append_checkpointed(&mut self, build: &mut BuildCommit) -> Result<u64>;

    /// [`Store::append_checkpointed`] without a checkpoint.
    fn append(&mut self, build: &mut BuildEntries) -> Result<u64> {
        self.append_checkpointed(&mut |reader, len| Ok((build(reader, len)?, None)))
    }

    /// Every stored checkpoint as `(tree size it is stored under, bytes)`,
    /// in size order. `verify` checks that the two sizes agree.
    fn checkpoint_rows(&mut self) -> Result<Vec<(u64, Vec<u8>)>>;

    /// The last `limit` stored checkpoints of tree size below `before`, as
    /// [`Store::checkpoint_rows`] gives them, with the checkpoint note
    /// stored under each size if any: a page of the newest, read without
    /// the rest where the store can.
    fn checkpoint_rows_tail(&mut self, before: u64, limit: usize) -> Result<Vec<CheckpointRow>> {
        let rows = self.checkpoint_rows()?;
        let end = rows.partition_point(|(size, _)| *size < before);
        let page = &rows[end.saturating_sub(limit)..end];
        let mut notes: std::collections::HashMap<u64, Vec<u8>> = match page.first() {
            Some((first, _)) => self.checkpoint_note_rows()?.into_iter().filter(|(size, _)| size >= first).collect(),
            None => Default::default(),
        };
        Ok(page.iter().map(|(size, bytes)| (*size, bytes.clone(), notes.remove(size))).collect())
    }

    /// Every stored checkpoint's bytes, in tree-size order.
    fn checkpoints(&mut self) -> Result<Vec<Vec<u8>>> {
        Ok(self.checkpoint_rows()?.into_iter().map(|(_, b)| b).collect())
    }

    /// Stores a checkpoint for tree size `size` (replacing one of the same size).
    fn put_checkpoint(&mut self, size: u64, bytes: &[u8]) -> Result<()>;

    /// Every stored checkpoint note (the C2SP `tlog-checkpoint` signed by
    /// the operator, with the witnesses' cosignatures if any) as `(tree
    /// size it is stored under, bytes)`, in size order.
    fn checkpoint_note_rows(&mut self) -> Result<Vec<(u64, Vec<u8>)>>;

    /// Stores the checkpoint note for tree size `size` (replacing one of
    /// the same size: a note with more cosignatures replaces one with fewer).
    fn put_checkpoint_note(&mut self, size: u64, bytes: &[u8]) -> Result<()>;

    /// The checkpoint note of the largest tree size, as `(size, bytes)`
    /// (what `/checkpoint` serves): a backend may read it alone.
    fn latest_checkpoint_note(&mut self) -> Result<Option<(u64, Vec<u8>)>> {
        Ok(self.checkpoint_note_rows()?.pop())
    }
}

/// Direct access to stored rows, past every rule: for tests and forensics.
pub trait RawStore: Send {
    fn raw_get(&mut self, position: u64) -> Result<Option<Vec<u8>>>;
    /// Writes (or overwrites) the row at `position`.
    fn raw_put(&mut self, position: u64, bytes: &[u8]) -> Result<()>;
    fn raw_delete(&mut self, position: u64) -> Result<()>;
    /// Deletes the checkpoint stored under tree size `size`.
    fn raw_delete_checkpoint(&mut self, size: u64) -> Result<()>;
}

#[derive(Default)]
struct MemInner {
    entries: BTreeMap<u64, Vec<u8>>,
    checkpoints: BTreeMap<u64, Vec<u8>>,
    checkpoint_notes: BTreeMap<u64, Vec<u8>>,
}

/// An in-memory store. Clones share the same log (one can tamper while the
/// other reads). Not durable: for tests and benchmarks.
#[derive(Clone, Default)]
pub struct MemStore {
    inner: Arc<Mutex<MemInner>>,
}

impl MemStore {
    pub fn new() -> MemStore {
        MemStore::default()
    }
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, MemInner>> {
        self.inner.lock().map_err(|_| LedgerError::store("memory store lock poisoned"))
    }
}

fn next_position(entries: &BTreeMap<u64, Vec<u8>>) -> u64 {
    entries.last_key_value().map_or(0, |(k, _)| k + 1)
}

impl StoreRead for MemInner {
    fn read_range(&mut self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>> {
        if start >= end {
            return Ok(Vec::new());
        }
        Ok(self.entries.range(start..end).map(|(k, v)| (*k, v.clone())).collect())
    }
}

impl StoreRead for MemStore {
    fn read_range(&mut self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>> {
        self.lock()?.read_range(start, end)
    }
}

impl Store for MemStore {
    fn len(&mut self) -> Result<u64> {
        Ok(next_position(&self.lock()?.entries))
    }

    fn append_checkpointed(&mut self, build: &mut BuildCommit) -> Result<u64> {
        let mut inner = self.lock()?;
        let len = next_position(&inner.entries);
        let (new, checkpoint) = build(&mut *inner, len)?;
        let mut pos = len;
        for bytes in new {
            inner.entries.insert(pos, bytes);
            pos += 1;
        }
        if let Some((size, bytes, note)) = checkpoint {
            inner.checkpoints.insert(size, bytes);
            inner.checkpoint_notes.insert(size, note);
        }
        Ok(pos)
    }

    fn checkpoint_rows(&mut self) -> Result<Vec<(u64, Vec<u8>)>> {
        Ok(self.lock()?.checkpoints.iter().map(|(k, v)| (*k, v.clone())).collect())
    }

    fn put_checkpoint(&mut self, size: u64, bytes: &[u8]) -> Result<()> {
        self.lock()?.checkpoints.insert(size, bytes.to_vec());
        Ok(())
    }

    fn checkpoint_note_rows(&mut self) -> Result<Vec<(u64, Vec<u8>)>> {
        Ok(self.lock()?.checkpoint_notes.iter().map(|(k, v)| (*k, v.clone())).collect())
    }

    fn put_checkpoint_note(&mut self, size: u64, bytes: &[u8]) -> Result<()> {
        self.lock()?.checkpoint_notes.insert(size, bytes.to_vec());
        Ok(())
    }
}

impl RawStore for MemStore {
    fn raw_get(&mut self, position: u64) -> Result<Option<Vec<u8>>> {
        Ok(self.lock()?.entries.get(&position).cloned())
    }
    fn raw_put(&mut self, position: u64, bytes: &[u8]) -> Result<()> {
        self.lock()?.entries.insert(position, bytes.to_vec());
        Ok(())
    }
    fn raw_delete(&mut self, position: u64) -> Result<()> {
        self.lock()?.entries.remove(&position);
        Ok(())
    }
    fn raw_delete_checkpoint(&mut self, size: u64) -> Result<()> {
        self.lock()?.checkpoints.remove(&size);
        Ok(())
    }
}
