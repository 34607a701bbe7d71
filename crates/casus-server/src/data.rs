//! The log in memory: every stored entry followed once with the ledger's
//! own [`Follower`] (the rules and signatures `verify` checks) and indexed for the API
//! and the pages: the treaty, the acts in log order, one [`EntryMeta`] per
//! entry, the Merkle leaves, the names acts introduced.
//!
//! Why a file of its own: this is the one place a ledger entry becomes what
//! the server holds, and it needs nothing of HTTP or of the server's state;
//! [`read_into`] is used both when the server opens the log and when it
//! reads what other processes appended.

use std::collections::HashSet;

use casus_ledger::{Candidate, CheckedEntry, EntryContent, EntryKind, FollowedEntry, Follower, KeyChange, KeyId, Mode, Store, hex_encode};
use casus_model::{Act, Precision, Sym, Symbols, Time, Treaty};
use casus_query::KnownNames;
use serde::Serialize;

/// One ledger entry as the API and the ledger page list it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EntryMeta {
    pub seq: u64,
    /// `genesis`, `act`, `key_register`, `key_rotate` or `key_revoke`.
    pub kind: String,
    /// `operator`, `live` (signed by the actor) or `record` (by a recorder).
    pub mode: String,
    /// Who vouches for it: `operator`, `actor` or `recorder`.
    pub attestation: String,
    /// Key id (hex) of the signing key.
    pub signer: String,
    /// What that key is registered for (`party ARM`, `recorder`, `operator`).
    pub signer_role: String,
    pub valid_time: String,
    pub record_time: String,
    /// RFC 6962 leaf hash (hex).
    pub leaf_hash: String,
    /// Size of the stored entry, in bytes.
    pub bytes: usize,
    /// One line for people.
    pub summary: String,
    /// The act's id as reports name it (`act-N` when it has none).
    pub act: Option<String>,
    pub actor: Option<String>,
    pub act_kind: Option<String>,
}

/// The result of a full verification, for the badge.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VerifyBadge {
    pub ok: bool,
    /// Entries verified (the log's size when it was checked).
    pub entries: u64,
    pub checkpoints: u64,
    /// Merkle root (hex) at that size.
    pub root: String,
    pub message: String,
    /// Set when the log's latest record time is ahead of the server's clock
    /// by more than `max_skew_secs`: a fast clock wrote it, and no signer
    /// with a right clock can append until the server's clock catches up.
    pub clock_warning: Option<String>,
}

/// One ledger entry as the server keeps it: what its listing
/// ([`EntryMeta`], a dozen strings) is written from when it is asked for
/// ([`Data::entry`]). A log of a million entries would otherwise hold a
/// million listings, most never read, each written out by the writer
/// thread before it could answer.
#[derive(Clone, Debug)]
struct EntryRow {
    kind: EntryKind,
    mode: Mode,
    signer: KeyId,
    valid_time: i64,
    record_time: i64,
    bytes: usize,
    what: RowContent,
}

/// What an entry holds, for its listing.
#[derive(Clone, Debug)]
enum RowContent {
    /// An act: its index in [`Data::acts`].
    Act(usize),
    /// A genesis or key entry: its one line for people.
    Summary(Box<str>),
}

/// The replayed ledger.
pub struct Data {
    pub treaty: Treaty,
    pub treaty_name: String,
    pub treaty_text: String,
    pub treaty_sha256: String,
    /// The genesis entry's leaf hash (hex): the ledger's identity.
    pub ledger_id: String,
    pub symbols: Symbols,
    /// The symbols as they were once the treaty was loaded: requests parse
    /// acts into a copy of this (small, and its size does not grow with the
    /// log) rather than of `symbols`.
    pub treaty_symbols: Symbols,
    /// Acts in log order, with `attestation` and `recorded` set.
    pub acts: Vec<Act>,
    /// The ledger position of each act of `acts`, kept as entries are read
    /// (explanations cite acts by index and show when each was logged).
    pub act_positions: Vec<u64>,
    /// One row per entry, in log order (see [`Data::entry`]).
    entries: Vec<EntryRow>,
    /// The log as followed: size, root, leaves, keys, proofs; the writer
    /// checks what it stores on a candidate copy of it.
    pub log: Follower,
    /// Names introduced by acts so far (ids, documents, cases), so that a
    /// new act may refer to them.
    pub known: KnownNames,
    /// The ids of acts in the log: an id names one act, so a second act
    /// with the same id is refused.
    pub ids: HashSet<String>,
}

impl Data {
    pub(crate) fn empty() -> Data {
        Data {
            treaty: Treaty::default(),
            treaty_name: String::new(),
            treaty_text: String::new(),
            treaty_sha256: String::new(),
            ledger_id: String::new(),
            symbols: Symbols::new(),
            treaty_symbols: Symbols::new(),
            acts: Vec::new(),
            act_positions: Vec::new(),
            entries: Vec::new(),
            log: Follower::new(),
            known: KnownNames::default(),
            ids: HashSet::new(),
        }
    }

    /// Follows one stored entry (the ledger checks its rules and its
    /// signature, strictly, before it changes anything) and indexes it. An
    /// entry that breaks a rule is an error: the log is not what `verify`
    /// would accept.
    pub fn ingest(&mut self, bytes: &[u8]) -> Result<u64, String> {
        let entry = self.log.follow(bytes, &mut self.symbols).map_err(does_not_verify)?;
        self.index(entry)
    }

    /// As [`Data::ingest`], for an entry this server's writer checked
    /// (its signature too) before storing it: it is not verified twice.
    pub fn ingest_checked(&mut self, checked: &CheckedEntry) -> Result<u64, String> {
        let entry = self.log.follow_checked(checked, &mut self.symbols).map_err(does_not_verify)?;
        self.index(entry)
    }

    /// As [`Data::ingest_checked`], for every entry `candidate` (made from
    /// this log as it is now) took in, in order, once they are stored: the
    /// candidate's state is adopted rather than the rules applied again
    /// ([`Follower::adopt`]). Should the candidate not be this log's, the
    /// entries are followed one by one instead.
    pub fn ingest_adopted(&mut self, candidate: Candidate, entries: &[CheckedEntry]) -> Result<Vec<u64>, String> {
        match self.log.adopt(candidate, entries, &mut self.symbols) {
            Ok(followed) => followed.into_iter().map(|f| self.index(f)).collect(),
            Err(e) => {
                tracing::warn!("{e}; following the entries one by one");
                entries.iter().map(|e| self.ingest_checked(e)).collect()
            }
        }
    }

    /// Indexes an entry the follower accepted; returns its position.
    fn index(&mut self, entry: FollowedEntry) -> Result<u64, String> {
        let what = match entry.content {
            EntryContent::Genesis(g) => {
                let text = String::from_utf8(g.treaty_text).map_err(|_| "the ledger's treaty is not UTF-8".to_string())?;
                let treaty = casus_query::load_treaty(&g.treaty_name, &text, &mut self.symbols)
                    .map_err(|e| format!("the treaty bound in the ledger does not load:\n{}", e.render()))?;
                self.treaty = treaty;
                self.treaty_symbols = self.symbols.clone();
                self.treaty_text = text;
                self.treaty_sha256 = hex_encode(&g.treaty_sha256);
                self.ledger_id = hex_encode(&entry.leaf_hash);
                let summary = format!("genesis: treaty {} (sha256 {}…), {} keys", g.treaty_name, &self.treaty_sha256[..12], g.keys);
                self.treaty_name = g.treaty_name;
                RowContent::Summary(summary.into())
            }
            EntryContent::Act(act) => {
                if act.id.is_some() {
                    self.ids.insert(self.symbols.name(act.id).to_string());
                }
                self.known.add(&act, &self.symbols);
                self.acts.push(*act);
                self.act_positions.push(entry.seq);
                RowContent::Act(self.acts.len() - 1)
            }
            EntryContent::Key(change) => RowContent::Summary(
                match change {
                    KeyChange::Register(reg) => format!("register key {} for {}", short_id(&reg.key), reg.role),
                    KeyChange::Rotate { old, new } => format!("rotate key {} to {}", old.short(), short_id(&new)),
                    KeyChange::Revoke { key, reason } => {
                        format!("revoke key {}{}", key.short(), if reason.is_empty() { String::new() } else { format!(": {reason}") })
                    }
                }
                .into(),
            ),
        };
        self.entries.push(EntryRow {
            kind: entry.kind,
            mode: entry.mode,
            signer: entry.signer,
            valid_time: entry.valid_time,
            record_time: entry.record_time,
            bytes: entry.bytes,
            what,
        });
        Ok(entry.seq)
    }

    /// The listing of entry `seq`, written out now from what is kept.
    pub fn entry(&self, seq: u64) -> Option<EntryMeta> {
        let row = self.entries.get(usize::try_from(seq).ok()?)?;
        let leaf = self.log.leaves().get(seq as usize)?;
        let mut meta = EntryMeta {
            seq,
            kind: kind_word(row.kind).into(),
            mode: mode_word(row.mode).into(),
            attestation: match row.mode {
                Mode::Operator => "operator",
                Mode::Live => "actor",
                Mode::Record => "recorder",
            }
            .into(),
            signer: row.signer.hex(),
            signer_role: self.log.key_role(&row.signer).map(|r| r.to_string()).unwrap_or_default(),
            valid_time: Time(row.valid_time).display(),
            record_time: Time(row.record_time).format(Precision::Second),
            leaf_hash: hex_encode(leaf),
            bytes: row.bytes,
            summary: String::new(),
            act: None,
            actor: None,
            act_kind: None,
        };
        match &row.what {
            RowContent::Summary(summary) => meta.summary = summary.to_string(),
            RowContent::Act(index) => {
                let act = self.acts.get(*index)?;
                let n = |s: Sym| self.symbols.name(s).to_string();
                let mut summary = format!("{} {}", n(act.actor), act.kind.keyword());
                for s in [act.subject, act.document, act.to, act.against, act.about] {
                    if s.is_some() {
                        summary.push(' ');
                        summary.push_str(self.symbols.name(s));
                    }
                }
                meta.summary = summary;
                meta.actor = Some(n(act.actor));
                meta.act_kind = Some(act.kind.keyword().to_string());
                meta.act = Some(casus_query::act_name(act, &self.symbols, *index));
            }
        }
        Some(meta)
    }

    /// The act entry `seq` holds, if it holds one.
    pub fn act_at(&self, seq: u64) -> Option<&Act> {
        match self.entries.get(usize::try_from(seq).ok()?)?.what {
            RowContent::Act(index) => self.acts.get(index),
            RowContent::Summary(_) => None,
        }
    }

    /// The listings of entries `range` (those the log holds).
    pub fn entries(&self, range: std::ops::Range<u64>) -> Vec<EntryMeta> {
        range.filter_map(|seq| self.entry(seq)).collect()
    }

    /// The ledger position of act `index` (of `acts`), for explanations.
    pub fn act_position(&self, index: usize) -> Option<u64> {
        self.act_positions.get(index).copied()
    }

    /// The stored leaf hash count: the log's size.
    pub fn size(&self) -> u64 {
        self.log.size()
    }

    pub fn root(&self) -> casus_ledger::Hash {
        self.log.root()
    }

    pub(crate) fn view_ok(&self) -> bool {
        !self.treaty_name.is_empty()
    }
}

/// The short id of a raw public key, as key listings print it.
fn short_id(key: &[u8; 32]) -> String {
    match casus_ledger::verifying_key(key) {
        Ok(vk) => KeyId::of(&vk).short(),
        Err(_) => "(invalid key)".into(),
    }
}

fn does_not_verify(e: casus_ledger::LedgerError) -> String {
    format!("{e}; the ledger does not verify (run `casus ledger verify`)")
}

pub fn kind_word(k: EntryKind) -> &'static str {
    match k {
        EntryKind::Genesis => "genesis",
        EntryKind::Act => "act",
        EntryKind::KeyRegister => "key_register",
        EntryKind::KeyRotate => "key_rotate",
        EntryKind::KeyRevoke => "key_revoke",
    }
}

pub fn mode_word(m: Mode) -> &'static str {
    match m {
        Mode::Operator => "operator",
        Mode::Live => "live",
        Mode::Record => "record",
    }
}

/// Entries read from a store at a time.
const READ_CHUNK: u64 = 4096;

/// Reads entries `data.size()..len` from `store` into `data`, telling
/// `each` the position of every entry taken in.
pub fn read_into(store: &mut dyn Store, data: &mut Data, len: u64, each: &mut dyn FnMut(u64)) -> Result<(), String> {
    while data.size() < len {
        let start = data.size();
        let rows = store.read_range(start, (start + READ_CHUNK).min(len)).map_err(|e| e.to_string())?;
        if rows.is_empty() {
            return Err(format!("entry {start} is missing"));
        }
        for (_, bytes) in rows {
            // The server signs checkpoints over what it holds: the follower
            // checks every signature, strictly, before the entry counts.
            each(data.ingest(&bytes)?);
        }
    }
    Ok(())
}
