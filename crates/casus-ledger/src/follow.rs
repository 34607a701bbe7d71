//! Following a log in memory: a process that reads a ledger's stored
//! entries in order (the server, when it opens a log and as other
//! processes append to it) hands each entry's bytes to a [`Follower`],
//! which checks them with the ledger's own rules ([`Replay`] and a strict
//! signature check, what `verify` accepts) and returns a decoded
//! [`FollowedEntry`]; the follower then answers what such a process asks
//! of the log it holds: size, root, leaves, proofs, keys, checkpoints.
//!
//! Why it exists: without it a follower re-implements the ledger's rules
//! around its internals (parsing entries, checking signatures itself,
//! reading the key registry's fields) and can drift from `verify`. Here
//! the rules stay the ledger's, and a follower names only this small API.

use casus_model::{Act, Symbols};

use crate::bundle::BundleBase;
use crate::encode::ActFields;
use crate::entry::{self, Checkpoint, EntryKind, EntryView, Genesis, KeyChange, Mode, Statement};
use crate::keys::{KeyId, KeyRegistry, KeyRole, SecretKey, verify_strict};
use crate::ledger::act_of_entry;
use crate::merkle::{self, Hash};
use crate::note::Note;
use crate::replay::{Mark, Replay};
use crate::{LedgerError, Result, Tamper};

/// A log followed in memory: the replayed state of every entry given so
/// far, with every leaf hash (for proofs and tiles).
#[derive(Debug)]
pub struct Follower {
    replay: Replay,
}

/// One entry a [`Follower`] accepted, decoded.
#[derive(Clone, Debug)]
pub struct FollowedEntry {
    /// Position in the log.
    pub seq: u64,
    /// Genesis, act or key change.
    pub kind: EntryKind,
    /// Who vouches for it: the operator, the actor (live) or a recorder.
    pub mode: Mode,
    /// Key id of the signing key.
    pub signer: KeyId,
    /// What the signing key is registered for.
    pub signer_role: KeyRole,
    /// Valid time (Unix seconds): when the act happened, by its signer's word.
    pub valid_time: i64,
    /// Record time (Unix seconds): when the ledger wrote it.
    pub record_time: i64,
    /// RFC 6962 leaf hash of the stored bytes.
    pub leaf_hash: Hash,
    /// Size of the stored entry, in bytes.
    pub bytes: usize,
    /// What the entry says.
    pub content: EntryContent,
}

/// What a followed entry says, by kind.
#[derive(Clone, Debug)]
pub enum EntryContent {
    /// The genesis entry: the treaty bound into the ledger.
    Genesis(GenesisContent),
    /// An act, as the engine reads it (attestation and record time set).
    Act(Box<Act>),
    /// A key registered, rotated or revoked.
    Key(KeyChange),
}

/// The treaty a genesis entry binds, and how many keys it registers.
#[derive(Clone, Debug)]
pub struct GenesisContent {
    /// The treaty's file name as bound.
    pub treaty_name: String,
    /// The treaty's text (UTF-8 checked by the reader, not here).
    pub treaty_text: Vec<u8>,
    /// SHA-256 of the treaty text, as the genesis states it.
    pub treaty_sha256: Hash,
    /// Keys the genesis registers (the first is the operator's).
    pub keys: usize,
}

impl Default for Follower {
    fn default() -> Follower {
        Follower::new()
    }
}

impl Follower {
    /// A follower of an empty log.
    pub fn new() -> Follower {
        Follower { replay: Replay::new(true) }
    }

    /// Checks the next stored entry (position [`Follower::size`]) with the
    /// ledger's rules and its signature strictly, then takes it in. An
    /// entry that fails changes nothing; the error names its position and
    /// what is wrong (`LedgerError::Tampered`). Act names are interned into
    /// `symbols`.
    pub fn follow(&mut self, bytes: &[u8], symbols: &mut Symbols) -> Result<FollowedEntry> {
        self.follow_entry(bytes, true, symbols)
    }

    /// As [`Follower::follow`], for an entry a [`Candidate`] of this log
    /// checked and that was then stored: its signature was verified
    /// strictly on the way in (a [`CheckedEntry`] is made nowhere else), so
    /// it is not verified twice; the rules are applied again.
    pub fn follow_checked(&mut self, entry: &CheckedEntry, symbols: &mut Symbols) -> Result<FollowedEntry> {
        self.follow_entry(&entry.bytes, false, symbols)
    }

    fn follow_entry(&mut self, bytes: &[u8], verify: bool, symbols: &mut Symbols) -> Result<FollowedEntry> {
        undo_on_error(&mut self.replay, |replay| {
            let (view, leaf_hash) = step_entry(replay, bytes, verify)?;
            followed(&view, &replay.registry, leaf_hash, bytes.len(), symbols)
        })
        .map_err(|(entry, kind)| LedgerError::Tampered { entry, kind })
    }

    /// Entries followed: the log's size.
    pub fn size(&self) -> u64 {
        self.replay.size
    }

    /// The Merkle root of the log followed.
    pub fn root(&self) -> Hash {
        self.replay.frontier.root()
    }

    /// Every leaf hash, in log order.
    pub fn leaves(&self) -> &[Hash] {
        self.replay.leaves.as_deref().unwrap_or_default()
    }

    /// The Merkle root of the first `size` entries, if followed that far.
    pub fn root_at(&self, size: u64) -> Option<Hash> {
        Some(merkle::root(self.leaves().get(..usize::try_from(size).ok()?)?))
    }

    /// The inclusion proof of entry `seq` in the log of its first `size` entries.
    pub fn inclusion_proof(&self, seq: u64, size: u64) -> Option<Vec<Hash>> {
        merkle::inclusion_proof(self.leaves().get(..usize::try_from(size).ok()?)?, usize::try_from(seq).ok()?)
    }

    /// The consistency proof from the log's first `old` entries to its first `new`.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Option<Vec<Hash>> {
        merkle::consistency_proof(self.leaves().get(..usize::try_from(new).ok()?)?, usize::try_from(old).ok()?)
    }

    /// The latest record time followed (`i64::MIN` before any entry).
    pub fn last_record_time(&self) -> i64 {
        self.replay.last_record_time
    }

    /// The link hash of the last entry (zeros before the genesis).
    pub fn prev(&self) -> Hash {
        self.replay.prev
    }

    /// The ledger's C2SP origin, once the genesis is followed.
    pub fn origin(&self) -> Option<&str> {
        self.replay.registry.origin()
    }

    /// Whether `key` is registered (it may have been revoked since).
    pub fn knows_key(&self, key: &KeyId) -> bool {
        self.replay.registry.get(key).is_some()
    }

    /// What `key` is registered for, if it is registered.
    pub fn key_role(&self, key: &KeyId) -> Option<&KeyRole> {
        self.replay.registry.get(key).map(|k| &k.role)
    }

    /// The last statement sequence number `key` signed in this ledger (0 if none).
    pub fn last_sequence(&self, key: &KeyId) -> u64 {
        self.replay.registry.last_sequence(key)
    }

    /// Whether `key` is the operator key in force at the log's current size.
    pub fn is_operator(&self, key: &KeyId) -> bool {
        self.replay.registry.check_operator(key, self.replay.size).is_ok()
    }

    /// The operator's checkpoint of the log followed, in both forms (see
    /// [`Replay::sign_checkpoint`]), dated `time`.
    pub fn sign_checkpoint(&self, operator: &SecretKey, time: i64) -> Result<(Checkpoint, Vec<u8>, Note)> {
        self.replay.sign_checkpoint(operator, time)
    }

    /// The part of proof bundles shared under one checkpoint (`checkpoint_bytes`,
    /// which must be within the log followed); `read` reads a stored entry.
    pub fn bundle_base(&self, checkpoint_bytes: &[u8], read: &mut dyn FnMut(u64) -> Result<Vec<u8>>) -> Result<BundleBase> {
        BundleBase::new(checkpoint_bytes, self.leaves(), &self.replay.key_entries, read)
    }

    /// The offline proof bundle of entry `seq` (its stored bytes `entry`) under `base`.
    pub fn bundle(&self, base: &BundleBase, seq: u64, entry: &[u8]) -> Result<Vec<u8>> {
        base.bundle(seq, entry, self.leaves())
    }

    /// Checks a signed statement (`casus/statement/v1` followed by its
    /// signature, as a client sends it) against this log, in this order:
    /// signed for this ledger, by a key the log knows, with a sequence
    /// number above the key's last (`previous`: the number of the key's
    /// statement before it in the same batch, if any; else the log's), and
    /// its signature verified strictly; the cheap refusals come before the
    /// signature. Whether the key may sign that act, at that time, is the
    /// rules' and is checked (the sequence again, in log order) when a
    /// [`Candidate`] lays the statement out.
    pub fn check_statement(&self, statement: SignedStatement, previous: Option<u64>) -> std::result::Result<CheckedStatement, Tamper> {
        let origin = self.origin().unwrap_or_default();
        if statement.origin != origin {
            return Err(Tamper::WrongLedger { signed_for: statement.origin, this: origin.to_string() });
        }
        let key = self.replay.registry.get(&statement.signer).ok_or(Tamper::UnknownKey)?;
        let last = previous.unwrap_or_else(|| self.last_sequence(&statement.signer));
        if statement.sequence <= last {
            return Err(Tamper::SequenceOutOfOrder { last, found: statement.sequence });
        }
        if !verify_strict(&key.key, &statement.bytes[..statement.statement_len], &statement.signature) {
            return Err(Tamper::BadSignature);
        }
        Ok(CheckedStatement(statement))
    }

    /// A scratch copy of this log's replayed state, without its leaves, on
    /// which a writer checks what it is about to store.
    pub fn candidate(&self) -> Candidate {
        Candidate { replay: self.replay.clone_without_leaves(), base_size: self.replay.size, base_root: self.root(), leaves: Vec::new() }
    }

    /// Takes in `entries`, which `candidate` (made from this follower as it
    /// is now) checked and took in, in this order, and which were then
    /// stored: the candidate's state becomes the follower's, so they are
    /// not stepped through the rules a second time. Each entry's leaf hash
    /// must be the one the candidate computed for it. A candidate made from
    /// another state, or other entries, are refused and nothing changes.
    /// Returns the entries decoded, as [`Follower::follow`] would.
    pub fn adopt(&mut self, candidate: Candidate, entries: &[CheckedEntry], symbols: &mut Symbols) -> Result<Vec<FollowedEntry>> {
        let Candidate { replay, base_size, base_root, leaves } = candidate;
        let not_ours = |why: &str| LedgerError::State(format!("a candidate's entries cannot be adopted: {why}"));
        if base_size != self.replay.size || base_root != self.root() {
            return Err(not_ours("it was made from another state of the log"));
        }
        if entries.len() != leaves.len() || replay.size != base_size + leaves.len() as u64 {
            return Err(not_ours("they are not the entries it took in"));
        }
        let mut decoded = Vec::with_capacity(entries.len());
        for (i, (entry, leaf)) in entries.iter().zip(&leaves).enumerate() {
            let seq = base_size + i as u64;
            if merkle::leaf_hash(&entry.bytes) != *leaf {
                return Err(not_ours(&format!("entry {seq} is not the one it took in")));
            }
            let view = EntryView::parse(&entry.bytes).map_err(|e| LedgerError::Tampered { entry: seq, kind: Tamper::Malformed(e.to_string()) })?;
            let one = followed(&view, &replay.registry, *leaf, entry.bytes.len(), symbols).map_err(|(entry, kind)| LedgerError::Tampered { entry, kind })?;
            decoded.push(one);
        }
        let mut all_leaves = self.replay.leaves.take();
        if let Some(kept) = &mut all_leaves {
            kept.extend(leaves);
        }
        self.replay = Replay { leaves: all_leaves, ..replay };
        Ok(decoded)
    }
}

/// A signed statement, decoded but not yet checked (see
/// [`Follower::check_statement`]).
#[derive(Clone, Debug)]
pub struct SignedStatement {
    /// The statement's bytes, then its 64-byte signature.
    bytes: Vec<u8>,
    statement_len: usize,
    /// Where the act's bytes start (they end the statement).
    payload_at: usize,
    signature: [u8; 64],
    /// The ledger the statement was signed for.
    pub origin: String,
    /// The signing key.
    pub signer: KeyId,
    /// The key's sequence number for this statement.
    pub sequence: u64,
    /// What the statement records (only acts are sent by clients).
    pub kind: EntryKind,
    /// When the act happened, by its signer's word (Unix seconds).
    pub valid_time: i64,
}

impl SignedStatement {
    /// Decodes a statement and its signature (docs/LEDGER.md).
    pub fn parse(bytes: Vec<u8>) -> Result<SignedStatement> {
        let (statement, signature) = entry::split_signed_statement(&bytes)?;
        let (st, signer) = Statement::parse(statement)?;
        let (statement_len, payload_at) = (statement.len(), statement.len() - st.payload.len());
        let (origin, sequence, kind, valid_time) = (st.origin.to_string(), st.sequence, st.kind, st.valid_time);
        Ok(SignedStatement { statement_len, payload_at, signature, origin, signer, sequence, kind, valid_time, bytes })
    }

    /// The act's canonical bytes, as signed.
    pub fn act_payload(&self) -> &[u8] {
        &self.bytes[self.payload_at..self.statement_len]
    }
}

/// A signed statement whose signature a [`Follower`] verified (see
/// [`Follower::check_statement`]).
#[derive(Clone, Debug)]
pub struct CheckedStatement(SignedStatement);

impl std::ops::Deref for CheckedStatement {
    type Target = SignedStatement;
    fn deref(&self) -> &SignedStatement {
        &self.0
    }
}

impl CheckedStatement {
    /// The act's id, if it has one.
    pub fn act_id(&self) -> Option<String> {
        act_id(self.act_payload())
    }
}

/// An entry checked by a [`Candidate`] (the rules, and its signature
/// strictly), ready to store and then to follow with
/// [`Follower::follow_checked`].
#[derive(Clone, Debug)]
pub struct CheckedEntry {
    bytes: Vec<u8>,
    act_id: Option<String>,
}

impl CheckedEntry {
    /// The entry's bytes, as stored.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// The id of the act the entry records, if it is an act with an id.
    pub fn act_id(&self) -> Option<&str> {
        self.act_id.as_deref()
    }
}

fn act_id(payload: &[u8]) -> Option<String> {
    ActFields::decode(payload).ok().map(|f| f.id.to_string()).filter(|id| !id.is_empty())
}

/// A writer's scratch copy of a log's replayed state ([`Follower::candidate`]):
/// it takes the entries other processes stored since (checking them as a
/// follower does), lays out checked statements as entries at the next
/// positions, and rolls back a request the rules refuse, before anything is
/// stored.
pub struct Candidate {
    replay: Replay,
    /// The follower's size and root when the candidate was made from it.
    base_size: u64,
    base_root: Hash,
    /// The leaf hashes of the entries taken in since, in order.
    leaves: Vec<Hash>,
}

/// A point a [`Candidate`] can roll back to.
pub struct CandidateMark(Mark);

impl Candidate {
    /// Entries checked so far: the position of the next.
    pub fn size(&self) -> u64 {
        self.replay.size
    }

    /// The last record time checked (Unix seconds).
    pub fn last_record_time(&self) -> i64 {
        self.replay.last_record_time
    }

    /// Checks a stored entry written by another process (the rules, and
    /// its signature strictly) and takes it in.
    pub fn catch_up(&mut self, bytes: Vec<u8>) -> std::result::Result<CheckedEntry, (u64, Tamper)> {
        self.take(bytes, true)
    }

    /// Lays out a checked statement as the entry at the next position,
    /// recorded at `record_time`, and checks it with the rules (who may sign
    /// what, honest time, the key's sequence). A refused statement changes
    /// nothing.
    pub fn lay_out(&mut self, statement: &CheckedStatement, record_time: i64) -> std::result::Result<CheckedEntry, (u64, Tamper)> {
        let seq = self.replay.size;
        let statement = &statement.0;
        let bytes = entry::sequenced_entry(seq, record_time, &statement.bytes[..statement.statement_len], &statement.signature)
            .map_err(|e| (seq, Tamper::BadEntry(e.to_string())))?;
        self.take(bytes, false)
    }

    /// Takes the next entry in (the rules, and the signature if `verify`);
    /// a refused entry changes nothing.
    fn take(&mut self, bytes: Vec<u8>, verify: bool) -> std::result::Result<CheckedEntry, (u64, Tamper)> {
        let (act_id, leaf) = undo_on_error(&mut self.replay, |replay| {
            let (view, leaf) = step_entry(replay, &bytes, verify)?;
            Ok((if view.kind == EntryKind::Act { act_id(view.payload) } else { None }, leaf))
        })?;
        self.leaves.push(leaf);
        Ok(CheckedEntry { bytes, act_id })
    }

    /// The point to roll back to before a request's entries.
    pub fn mark(&self) -> CandidateMark {
        CandidateMark(self.replay.mark())
    }

    /// Forgets every entry taken or laid out since `mark`.
    pub fn rollback(&mut self, mark: CandidateMark) {
        self.replay.rollback(mark.0);
        self.leaves.truncate((self.replay.size - self.base_size) as usize);
    }
}

/// Runs `step` on `replay`; if it fails, `replay` is as it was before.
fn undo_on_error<T>(replay: &mut Replay, step: impl FnOnce(&mut Replay) -> std::result::Result<T, (u64, Tamper)>) -> std::result::Result<T, (u64, Tamper)> {
    let mark = replay.mark();
    let stepped = step(replay);
    if stepped.is_err() {
        replay.rollback(mark);
    }
    stepped
}

/// Applies the next stored entry to `replay` with the rules, then, if
/// `verify`, checks its signature strictly under its signer's key (which
/// the rules just registered, for a genesis). Rolling back is the caller's.
fn step_entry<'a>(replay: &mut Replay, bytes: &'a [u8], verify: bool) -> std::result::Result<(EntryView<'a>, Hash), (u64, Tamper)> {
    let (view, leaf) = replay.step(bytes)?;
    if verify {
        let key = replay.registry.get(&view.signer).ok_or((view.seq, Tamper::UnknownKey))?;
        if !verify_strict(&key.key, view.signed, &view.signature) {
            return Err((view.seq, Tamper::BadSignature));
        }
    }
    Ok((view, leaf))
}

/// An entry as followed: its view, its signer's role in `registry`, its
/// leaf hash and size, its content decoded (act names interned into `symbols`).
fn followed(
    view: &EntryView<'_>,
    registry: &KeyRegistry,
    leaf_hash: Hash,
    bytes: usize,
    symbols: &mut Symbols,
) -> std::result::Result<FollowedEntry, (u64, Tamper)> {
    let signer_role = registry.get(&view.signer).map(|k| k.role.clone()).ok_or((view.seq, Tamper::UnknownKey))?;
    let content = content_of(view, symbols).map_err(|kind| (view.seq, kind))?;
    Ok(FollowedEntry {
        seq: view.seq,
        kind: view.kind,
        mode: view.mode,
        signer: view.signer,
        signer_role,
        valid_time: view.valid_time,
        record_time: view.record_time,
        leaf_hash,
        bytes,
        content,
    })
}

fn content_of(view: &EntryView<'_>, symbols: &mut Symbols) -> std::result::Result<EntryContent, Tamper> {
    let malformed = |e: LedgerError| Tamper::Malformed(e.to_string());
    Ok(match view.kind {
        EntryKind::Genesis => {
            let g = Genesis::decode(view.payload).map_err(malformed)?;
            EntryContent::Genesis(GenesisContent {
                treaty_name: g.treaty_name.to_string(),
                treaty_text: g.treaty_text.to_vec(),
                treaty_sha256: g.treaty_sha256,
                keys: g.keys.len(),
            })
        }
        EntryKind::Act => EntryContent::Act(Box::new(act_of_entry(view, symbols)?)),
        kind => EntryContent::Key(KeyChange::decode(kind, view.payload).map_err(malformed)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, StoreRead};
    use crate::{Ledger, MemStore};
    use casus_model::Time;

    /// The stored entries of a ledger of a genesis and one live act, and its root.
    fn ledger() -> (Vec<Vec<u8>>, Hash) {
        let operator = SecretKey::from_seed([1; 32]);
        let arm = SecretKey::from_seed([2; 32]);
        let store = MemStore::new();
        let mut reader = store.clone();
        let keys = [crate::keys::KeyRegistration { key: arm.public(), role: KeyRole::Party("ARM".into()) }];
        let day = Time::from_date(2022, 1, 1);
        let mut ledger = Ledger::create(Box::new(store), "T", b"treaty T", &operator, &keys, day).expect("create");
        let mut symbols = Symbols::new();
        let act = Act { actor: symbols.intern("ARM"), kind: casus_model::ActKind::Request, time: day, ..Act::default() };
        ledger.append_act(&act, &symbols, &arm, day).expect("append");
        let len = reader.len().expect("len");
        let rows = reader.read_range(0, len).expect("read").into_iter().map(|(_, b)| b).collect();
        (rows, ledger.replay().frontier.root())
    }

    #[test]
    fn follows_what_the_ledger_wrote_and_refuses_a_changed_signature() {
        let (rows, root) = ledger();
        let mut symbols = Symbols::new();
        let mut f = Follower::new();
        for (i, bytes) in rows.iter().enumerate() {
            let e = f.follow(bytes, &mut symbols).expect("follows");
            assert_eq!(e.seq, i as u64);
            assert_eq!(e.leaf_hash, f.leaves()[i]);
            match (&e.content, i) {
                (EntryContent::Genesis(g), 0) => assert_eq!(g.treaty_name, "T"),
                (EntryContent::Act(a), 1) => assert_eq!(symbols.name(a.actor), "ARM"),
                (other, _) => panic!("entry {i}: {other:?}"),
            }
        }
        assert_eq!(f.root(), root);
        assert_eq!(f.size(), rows.len() as u64);

        let mut g = Follower::new();
        let mut forged = rows[0].clone();
        let last = forged.len() - 1;
        forged[last] ^= 1;
        let err = g.follow(&forged, &mut symbols).expect_err("a changed signature is refused");
        assert!(matches!(err.tamper(), Some(Tamper::BadSignature)), "{err}");
        assert_eq!(g.size(), 0, "a refused entry changes nothing");
        assert!(g.follow(&rows[0], &mut symbols).is_ok());
    }
}
