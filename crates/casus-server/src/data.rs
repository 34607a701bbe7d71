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

use casus_ledger::{CheckedEntry, EntryContent, EntryKind, FollowedEntry, Follower, KeyChange, KeyId, Mode, Store, hex_encode};
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
    pub entries: Vec<EntryMeta>,
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
    pub fn ingest(&mut self, bytes: &[u8]) -> Result<EntryMeta, String> {
        let entry = self.log.follow(bytes, &mut self.symbols).map_err(does_not_verify)?;
        self.index(entry)
    }

    /// As [`Data::ingest`], for an entry this server's writer checked
    /// (its signature too) before storing it: it is not verified twice.
    pub fn ingest_checked(&mut self, checked: &CheckedEntry) -> Result<EntryMeta, String> {
        let entry = self.log.follow_checked(checked, &mut self.symbols).map_err(does_not_verify)?;
        self.index(entry)
    }

    /// Indexes an entry the follower accepted.
    fn index(&mut self, entry: FollowedEntry) -> Result<EntryMeta, String> {
        let mut meta = EntryMeta {
            seq: entry.seq,
            kind: kind_word(entry.kind).into(),
            mode: mode_word(entry.mode).into(),
            attestation: match entry.mode {
                Mode::Operator => "operator",
                Mode::Live => "actor",
                Mode::Record => "recorder",
            }
            .into(),
            signer: entry.signer.hex(),
            signer_role: entry.signer_role.to_string(),
            valid_time: Time(entry.valid_time).display(),
            record_time: Time(entry.record_time).format(Precision::Second),
            leaf_hash: hex_encode(&entry.leaf_hash),
            bytes: entry.bytes,
            summary: String::new(),
            act: None,
            actor: None,
            act_kind: None,
        };
        match entry.content {
            EntryContent::Genesis(g) => {
                let text = String::from_utf8(g.treaty_text).map_err(|_| "the ledger's treaty is not UTF-8".to_string())?;
                let treaty = casus_query::load_treaty(&g.treaty_name, &text, &mut self.symbols)
                    .map_err(|e| format!("the treaty bound in the ledger does not load:\n{}", e.render()))?;
                self.treaty = treaty;
                self.treaty_symbols = self.symbols.clone();
                self.treaty_text = text;
                self.treaty_sha256 = hex_encode(&g.treaty_sha256);
                self.ledger_id = hex_encode(&entry.leaf_hash);
                meta.summary = format!("genesis: treaty {} (sha256 {}…), {} keys", g.treaty_name, &self.treaty_sha256[..12], g.keys);
                self.treaty_name = g.treaty_name;
            }
            EntryContent::Act(act) => {
                let n = |s: Sym| self.symbols.name(s).to_string();
                let id = casus_query::act_name(&act, &self.symbols, self.acts.len());
                let mut summary = format!("{} {}", n(act.actor), act.kind.keyword());
                for s in [act.subject, act.document, act.to, act.against, act.about] {
                    if s.is_some() {
                        summary.push(' ');
                        summary.push_str(self.symbols.name(s));
                    }
                }
                if act.id.is_some() {
                    self.ids.insert(n(act.id));
                }
                self.known.add(&act, &self.symbols);
                meta.summary = summary;
                meta.actor = Some(n(act.actor));
                meta.act_kind = Some(act.kind.keyword().to_string());
                meta.act = Some(id);
                self.acts.push(*act);
                self.act_positions.push(entry.seq);
            }
            EntryContent::Key(change) => {
                meta.summary = match change {
                    KeyChange::Register(reg) => format!("register key {} for {}", short_id(&reg.key), reg.role),
                    KeyChange::Rotate { old, new } => format!("rotate key {} to {}", old.short(), short_id(&new)),
                    KeyChange::Revoke { key, reason } => {
                        format!("revoke key {}{}", key.short(), if reason.is_empty() { String::new() } else { format!(": {reason}") })
                    }
                };
            }
        }
        self.entries.push(meta.clone());
        Ok(meta)
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

/// Reads entries `data.size()..len` from `store` into `data`.
pub fn read_into(store: &mut dyn Store, data: &mut Data, len: u64, each: &mut dyn FnMut(EntryMeta)) -> Result<(), String> {
    while data.size() < len {
        let start = data.size();
        let rows = store.read_range(start, (start + READ_CHUNK).min(len)).map_err(|e| e.to_string())?;
        if rows.is_empty() {
            return Err(format!("entry {start} is missing"));
        }
        for (_, bytes) in rows {
            // The server signs checkpoints over what it holds: the follower
            // checks every signature, strictly, before the entry counts.
            let meta = data.ingest(&bytes)?;
            each(meta);
        }
    }
    Ok(())
}
