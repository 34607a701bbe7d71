//! The signed, tamper-evident ledger of acts.
//!
//! This crate exists so that any member can prove what was signed, refused
//! or recorded, and catch any tampering offline, without trusting whoever
//! runs the log. It knows bytes, hashes, keys and storage; it knows nothing
//! of treaties beyond the SHA-256 and text bound into the genesis entry, and
//! nothing of the engine. `docs/LEDGER.md` specifies every byte.
//!
//! The pieces, from the bottom up:
//!
//! - [`encode`]: the canonical binary layout of acts and entries, and the
//!   only place bytes are written or read. Verification always works on the
//!   stored bytes; nothing is re-serialized to be checked.
//! - [`merkle`]: the RFC 6962 Merkle tree: roots, inclusion and consistency
//!   proofs.
//! - [`keys`]: Ed25519 keys, key files, key ids, and the key registry that
//!   replays key entries (who may sign what, from which entry on).
//! - [`store`]: the storage trait each backend crate implements, and an
//!   in-memory store for tests and benchmarks.
//! - [`ledger`]: the [`Ledger`]: append, import, checkpoint, verify,
//!   bitemporal reads.
//! - [`group`]: group commit: many concurrent appenders, one writer, one
//!   durable commit per group, each appender acknowledged after it.
//! - [`bundle`]: offline proof bundles for one entry.
//! - [`follow`]: the [`Follower`], the small API of a process that follows
//!   a log in memory (the server): each stored entry checked as `verify`
//!   checks it and decoded, and the questions such a process asks.
//! - [`note`], [`checkpoint_note`]: C2SP signed notes, `tlog-checkpoint`
//!   bodies and `cosignature/v1` witness cosignatures.
//! - [`tiles`]: the log as C2SP `tlog-tiles` (tile paths, hash tiles,
//!   entry bundles), for the server and `casus ledger mirror`.
//! - `conformance`: the one story every store must pass (feature `conformance`).
//! - `bench`: the figures `casus bench ledger` prints (feature `bench`).
//!
//! The conformance story (`conformance`, feature `conformance`) and the
//! benchmark are not in the default build: store crates enable the first
//! in their tests, the CLI the second for `casus bench ledger`.
//!
//! Time is always injected by the caller (`record_time` arguments): the
//! library never reads a clock, so the same inputs give the same bytes.

pub mod base64;
#[cfg(feature = "bench")]
pub mod bench;
pub mod bundle;
pub mod checkpoint_note;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod encode;
pub mod entry;
pub mod follow;
pub mod group;
pub mod hex;
pub mod keys;
pub mod ledger;
pub mod merkle;
pub mod note;
pub mod parallel;
pub mod replay;
pub mod store;
pub mod tiles;
pub mod verify;
pub mod witness_policy;

// What a process built on the ledger (the server) names: crate-root items
// only, so that the modules above stay free to change.
pub use bundle::{BundleBase, BundleReport, verify_bundle, verify_bundle_witnessed};
pub use encode::{ActFields, encode_act};
pub use entry::{Checkpoint, Entry, EntryKind, KeyChange, Mode, Statement};
pub use follow::{Candidate, CandidateMark, CheckedEntry, CheckedStatement, EntryContent, FollowedEntry, Follower, GenesisContent, SignedStatement};
pub use group::{AppendHandle, Appended, GroupAppender};
pub use hex::{decode as hex_decode, decode_array as hex_decode_array, encode as hex_encode};
pub use keys::{KeyFile, KeyId, KeyRegistration, KeyRole, PublicKeyFile, SecretKey, verifying_key};
pub use ledger::{Ledger, VerifyReport, signed_act_entries, signed_act_statements, verify_store};
pub use merkle::{Hash, leaf_hash};
pub use note::Note;
pub use store::{CheckpointRow, MemStore, Store, StoreRead};
pub use tiles::{BundleFormat, TileHashes, TileKind, TilePath, encode_bundle, fits_narrow};

/// Largest stored entry, in bytes. The genesis entry carries the treaty
/// text, so this is the treaty limit plus room for keys.
pub const MAX_ENTRY_BYTES: usize = MAX_TREATY_BYTES + 256 * 1024;
/// Largest treaty text bound into a genesis entry.
pub const MAX_TREATY_BYTES: usize = 4 * 1024 * 1024;
/// Largest encoded act (payload of an act entry).
pub const MAX_ACT_BYTES: usize = 256 * 1024;
/// Largest string inside an act or key payload.
pub const MAX_STRING_BYTES: usize = 64 * 1024;
/// Most items in one list (sources, `from` parties, genesis keys).
pub const MAX_LIST_ITEMS: usize = 1024;
/// Largest proof bundle accepted by [`verify_bundle`].
pub const MAX_BUNDLE_BYTES: usize = 4 * MAX_ENTRY_BYTES;
/// Most key entries (genesis, register, rotate, revoke) in one bundle.
pub const MAX_BUNDLE_KEY_ENTRIES: usize = 4096;
/// Most entries one append may write in a single commit.
pub const MAX_BATCH_ENTRIES: usize = 100_000;
/// Largest ledger, in entries (a bound for loops and proofs, far above use).
pub const MAX_LEDGER_ENTRIES: u64 = 1 << 40;

/// How long before its record time a live act may be dated, in seconds (one
/// day). A live act is signed by its actor as it acts; a day allows for a
/// signature made at a meeting and uploaded that evening, and for time
/// zones. An act older than that is history, which enters in record mode
/// only (a recorder's key and sources), where it shows as attested by the
/// recorder. Without this bound a party's own key could rewrite the past.
pub const LIVE_ACT_MAX_AGE_SECS: i64 = 24 * 60 * 60;
/// How long after its record time a live act may be dated, in seconds (five
/// minutes, for clocks that disagree): an act cannot be signed before it
/// happens.
pub const LIVE_ACT_MAX_LEAD_SECS: i64 = 5 * 60;
/// How far the log's last record time may stand ahead of the clock of a
/// command that appends to it, and how far ahead of the verifier's clock a
/// record time may be before `verify` warns, in seconds (five minutes, the
/// server's default skew). Beyond it one of the clocks is wrong, and
/// appending would either stamp a false record time or be refused.
pub const CLOCK_SKEW_MAX_SECS: i64 = 5 * 60;

/// How an entry or a log was tampered with, as `verify` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// The entry's bytes do not decode (a flipped byte in its framing).
    Malformed(String),
    /// The signature does not verify over the stored bytes (a flipped byte
    /// in the signed part, or a forged signature).
    BadSignature,
    /// The signature is a valid one, but of another entry (`other`).
    SwappedSignature { other: u64 },
    /// An entry of the sequence is absent.
    MissingEntry,
    /// Entries appear out of order: this position holds entry `found`.
    Reordered { found: u64 },
    /// The log is shorter than a signed checkpoint says it was.
    Truncated { checkpoint_size: u64, log_size: u64 },
    /// The log's root at a checkpoint's size differs from the signed root:
    /// history was rewritten after the checkpoint was published.
    ForkAfterCheckpoint { checkpoint_size: u64 },
    /// The entry does not commit to the entry before it.
    BrokenChain,
    /// The record time goes backwards.
    RecordTimeBackwards,
    /// The signer key was never registered.
    UnknownKey,
    /// The signer key was revoked (or rotated away) before this entry.
    RevokedKey,
    /// The key is registered, but not for this act's actor (live mode) or
    /// not as a recorder (record mode), or not as the operator.
    WrongSigner(String),
    /// A rule of the entry kind is broken (a second genesis, an act with no
    /// source in record mode, a key registered twice).
    BadEntry(String),
    /// A checkpoint's own signature or framing is bad.
    BadCheckpoint(String),
    /// A live act's valid time is outside what its record time allows (see
    /// [`LIVE_ACT_MAX_AGE_SECS`], [`LIVE_ACT_MAX_LEAD_SECS`]), or before the
    /// genesis's valid time (the treaty's first version); the reason says which.
    LiveActTime(String),
    /// A checkpoint is stored under a tree size (`stored_at`) other than the
    /// one it signs (`signed`): the store's row was moved or copied.
    MisfiledCheckpoint { stored_at: u64, signed: u64 },
    /// A signed statement's sequence number is not above the last one its
    /// key signed in this ledger: a replayed or reordered statement.
    SequenceOutOfOrder { last: u64, found: u64 },
    /// A signed statement names another ledger's origin.
    WrongLedger { signed_for: String, this: String },
}

impl std::fmt::Display for Tamper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tamper::Malformed(why) => write!(f, "malformed entry (a byte was changed?): {why}"),
            Tamper::BadSignature => f.write_str("bad signature (a byte was changed, or the signature forged)"),
            Tamper::SwappedSignature { other } => write!(f, "swapped signature: it is the signature of entry {other}"),
            Tamper::MissingEntry => f.write_str("missing entry (deleted from the log)"),
            Tamper::Reordered { found } => write!(f, "entries reordered: entry {found} stands here"),
            Tamper::Truncated { checkpoint_size, log_size } => {
                write!(f, "log truncated: a checkpoint signed {checkpoint_size} entries, the log holds {log_size}")
            }
            Tamper::ForkAfterCheckpoint { checkpoint_size } => {
                write!(f, "history rewritten (fork): the root at size {checkpoint_size} differs from its signed checkpoint")
            }
            Tamper::BrokenChain => f.write_str("broken hash chain: the entry does not commit to the one before"),
            Tamper::RecordTimeBackwards => f.write_str("record time goes backwards"),
            Tamper::UnknownKey => f.write_str("signed by a key that was never registered"),
            Tamper::RevokedKey => f.write_str("signed by a revoked key"),
            Tamper::WrongSigner(why) => write!(f, "wrong signer: {why}"),
            Tamper::BadEntry(why) => write!(f, "invalid entry: {why}"),
            Tamper::BadCheckpoint(why) => write!(f, "bad checkpoint: {why}"),
            Tamper::LiveActTime(why) => write!(f, "dishonest time: {why}"),
            Tamper::MisfiledCheckpoint { stored_at, signed } => {
                write!(f, "misfiled checkpoint: stored as the checkpoint of size {stored_at}, it signs size {signed}")
            }
            Tamper::SequenceOutOfOrder { last, found } => write!(
                f,
                "sequence number {found} of its key, which signed number {last} already: a statement is signed once, with a number above the key's last (a replayed or reordered statement)"
            ),
            Tamper::WrongLedger { signed_for, this } => write!(f, "signed for the ledger `{signed_for}`, not for this one (`{this}`)"),
        }
    }
}

/// The one error type of the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// Bytes that do not decode (an entry, a bundle, a key file).
    #[error("cannot decode {what}: {why}")]
    Decode { what: &'static str, why: String },
    /// A value exceeds one of the limits of this crate.
    #[error("{what} exceeds its limit ({size} > {max})")]
    TooLarge { what: &'static str, size: usize, max: usize },
    /// An append or import that the rules refuse; nothing was written.
    #[error("refused: {0}")]
    Refused(String),
    /// An entry signed elsewhere that breaks the ledger's rules at position
    /// `entry` (see [`Ledger::append_signed`]); nothing was written.
    #[error("refused: entry {entry}: {kind}")]
    Rejected { entry: u64, kind: Tamper },
    /// `verify` found the log tampered with; `entry` is the first bad one
    /// (for a truncation, the first missing position).
    #[error("entry {entry}: {kind}")]
    Tampered { entry: u64, kind: Tamper },
    /// A checkpoint (not an entry) is bad; `size` is its tree size.
    #[error("checkpoint at size {size}: {kind}")]
    TamperedCheckpoint { size: u64, kind: Tamper },
    /// A proof bundle that does not prove what it claims.
    #[error("bundle does not verify: {0}")]
    Bundle(String),
    /// The ledger has no genesis entry yet, or already has one.
    #[error("{0}")]
    State(String),
    /// The storage backend failed.
    #[error("store: {0}")]
    Store(String),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
}

impl LedgerError {
    pub fn store(e: impl std::fmt::Display) -> LedgerError {
        LedgerError::Store(e.to_string())
    }
    pub fn decode(what: &'static str, why: impl Into<String>) -> LedgerError {
        LedgerError::Decode { what, why: why.into() }
    }
    /// The tamper kind, if this error reports tampering.
    pub fn tamper(&self) -> Option<&Tamper> {
        match self {
            LedgerError::Tampered { kind, .. } | LedgerError::TamperedCheckpoint { kind, .. } | LedgerError::Rejected { kind, .. } => Some(kind),
            _ => None,
        }
    }
}

pub type Result<T, E = LedgerError> = std::result::Result<T, E>;

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}
