//! Ledger entries and checkpoints: their byte layout and their rules.
//!
//! An entry is what the log stores and hashes. Acts are written as
//! `casus/entry/v3`: a [`Statement`] its actor signs (the ledger's origin,
//! the key's sequence number, kind, mode, valid time, the act), placed by
//! the ledger at a position with a record time ([`sequenced_entry`]). The
//! operator's genesis and key entries are `casus/entry/v2`: a domain
//! string, its position (`seq`), its kind, who signed it and how, its valid
//! and record times, the link hash of the entry before it (SHA-256 of that
//! entry's bytes, its signature excluded), a payload, and an Ed25519
//! signature over all of the preceding bytes. Act entries in v2, which
//! older ledgers hold, are still read and verified, and no longer written.
//! `docs/LEDGER.md` has the tables.
//!
//! Because the link leaves the signature out, the bytes of a whole batch
//! can be laid out in order first and signed afterwards, in parallel
//! ([`Entry::unsigned`] or [`sequenced_entry`] with a zero signature, then
//! [`sign_in_place`]); the Merkle leaf hash still covers the signature.
//!
//! [`EntryView`] reads stored bytes without copying and keeps the exact
//! signed slice, so verification checks the stored bytes themselves.
//! [`apply`] is the single statement of who may sign which entry; the
//! ledger, `verify` and offline bundles all call it.

use crate::encode::{ActFields, Reader, Writer};
use crate::keys::{KeyId, KeyRegistration, KeyRegistry, KeyRole, SecretKey};
use crate::merkle::Hash;
use crate::{LIVE_ACT_MAX_AGE_SECS, LIVE_ACT_MAX_LEAD_SECS, LedgerError, MAX_ENTRY_BYTES, MAX_LIST_ITEMS, MAX_TREATY_BYTES, Result, Tamper, sha256};
use casus_model::Time;

pub const ENTRY_DOMAIN: &[u8] = b"casus/entry/v2\0";
/// An entry the ledger sequences: position and record time, then a
/// statement its signer signed without knowing either.
pub const ENTRY_V3_DOMAIN: &[u8] = b"casus/entry/v3\0";
/// What an independent signer signs: the ledger's origin, its key's
/// sequence number, and the act.
pub const STATEMENT_DOMAIN: &[u8] = b"casus/statement/v1\0";
pub const CHECKPOINT_DOMAIN: &[u8] = b"casus/checkpoint/v1\0";
/// Bytes of an entry that are not payload: domain, header, length, signature.
pub const ENTRY_OVERHEAD: usize = ENTRY_DOMAIN.len() + 8 + 1 + 1 + 8 + 8 + 32 + 32 + 4 + 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    Genesis = 0,
    Act = 1,
    KeyRegister = 2,
    KeyRotate = 3,
    KeyRevoke = 4,
}

impl EntryKind {
    fn from_u8(v: u8) -> Option<EntryKind> {
        Some(match v {
            0 => EntryKind::Genesis,
            1 => EntryKind::Act,
            2 => EntryKind::KeyRegister,
            3 => EntryKind::KeyRotate,
            4 => EntryKind::KeyRevoke,
            _ => return None,
        })
    }
    pub fn is_key_entry(self) -> bool {
        !matches!(self, EntryKind::Act)
    }
}

/// Who signed an entry, in what capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The operator: genesis and key entries.
    Operator = 0,
    /// The actor itself, with a key registered for its code.
    Live = 1,
    /// A recorder, entering a historical act from its sources.
    Record = 2,
}

impl Mode {
    fn from_u8(v: u8) -> Option<Mode> {
        Some(match v {
            0 => Mode::Operator,
            1 => Mode::Live,
            2 => Mode::Record,
            _ => return None,
        })
    }
}

/// The fields of an entry before signing.
#[derive(Clone, Debug)]
pub struct Entry<'p> {
    pub seq: u64,
    pub kind: EntryKind,
    pub mode: Mode,
    pub valid_time: i64,
    pub record_time: i64,
    pub prev: Hash,
    pub payload: &'p [u8],
}

impl Entry<'_> {
    /// The signed, stored bytes.
    pub fn sign(&self, key: &SecretKey) -> Result<Vec<u8>> {
        let mut bytes = self.unsigned(&key.id())?;
        sign_in_place(&mut bytes, key);
        Ok(bytes)
    }

    /// The entry's bytes with 64 zero bytes where the signature goes: the
    /// signed part is final (so its link hash is known), the signature is
    /// added by [`sign_in_place`].
    pub fn unsigned(&self, signer: &KeyId) -> Result<Vec<u8>> {
        let size = ENTRY_OVERHEAD + self.payload.len();
        if size > MAX_ENTRY_BYTES {
            return Err(LedgerError::TooLarge { what: "entry", size, max: MAX_ENTRY_BYTES });
        }
        let mut w = Writer { buf: Vec::with_capacity(size) };
        w.raw(ENTRY_DOMAIN);
        w.u64(self.seq);
        w.u8(self.kind as u8);
        w.u8(self.mode as u8);
        w.i64(self.valid_time);
        w.i64(self.record_time);
        w.raw(&self.prev);
        w.raw(&signer.0);
        w.bytes(self.payload);
        w.raw(&[0u8; 64]);
        debug_assert_eq!(w.buf.len(), size);
        Ok(w.buf)
    }
}

/// Signs an entry laid out with 64 zero bytes for its signature (by
/// [`Entry::unsigned`], or [`sequenced_entry`] around a statement): the last
/// 64 bytes become the Ed25519 signature of what the entry's signer signs,
/// everything before them in a v2 entry, the statement in a v3 entry.
pub fn sign_in_place(bytes: &mut [u8], key: &SecretKey) {
    let Some(split) = bytes.len().checked_sub(64) else { return };
    let (unsigned, signature) = bytes.split_at_mut(split);
    let signed = if unsigned.starts_with(ENTRY_V3_DOMAIN) { unsigned.get(ENTRY_V3_HEADER..).unwrap_or_default() } else { unsigned };
    signature.copy_from_slice(&key.sign(signed));
}

/// The link hash of an entry: SHA-256 of its signed bytes (everything but
/// the signature). The next entry's `prev` field holds it.
pub fn link_hash(signed: &[u8]) -> Hash {
    sha256(signed)
}

/// What an actor signs for a `casus/entry/v3` entry: no position and no
/// predecessor, so that independent signers never race for the head. The
/// origin names the ledger (a signature cannot be moved to another one) and
/// `sequence` orders the key's statements (one cannot be replayed): each
/// must be greater than the last the ledger accepted from that key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement<'p> {
    pub origin: &'p str,
    pub sequence: u64,
    pub kind: EntryKind,
    pub mode: Mode,
    pub valid_time: i64,
    pub payload: &'p [u8],
}

/// Most bytes of an origin in a statement (as in a C2SP checkpoint).
pub const MAX_ORIGIN_BYTES: usize = 1024;

impl<'p> Statement<'p> {
    /// The statement's bytes, which `signer` signs.
    pub fn encode(&self, signer: &KeyId) -> Result<Vec<u8>> {
        if self.origin.len() > MAX_ORIGIN_BYTES {
            return Err(LedgerError::TooLarge { what: "origin", size: self.origin.len(), max: MAX_ORIGIN_BYTES });
        }
        let size = STATEMENT_DOMAIN.len() + 4 + self.origin.len() + 32 + 8 + 1 + 1 + 8 + 4 + self.payload.len();
        if size + ENTRY_V3_OVERHEAD > MAX_ENTRY_BYTES {
            return Err(LedgerError::TooLarge { what: "entry", size: size + ENTRY_V3_OVERHEAD, max: MAX_ENTRY_BYTES });
        }
        let mut w = Writer { buf: Vec::with_capacity(size) };
        w.raw(STATEMENT_DOMAIN);
        w.str(self.origin);
        w.raw(&signer.0);
        w.u64(self.sequence);
        w.u8(self.kind as u8);
        w.u8(self.mode as u8);
        w.i64(self.valid_time);
        w.bytes(self.payload);
        Ok(w.buf)
    }

    /// The statement's bytes signed by `key`: statement ‖ 64-byte signature,
    /// as a client sends it.
    pub fn sign(&self, key: &SecretKey) -> Result<Vec<u8>> {
        let mut bytes = self.encode(&key.id())?;
        let signature = key.sign(&bytes);
        bytes.extend_from_slice(&signature);
        Ok(bytes)
    }

    /// Parses statement bytes; returns the statement and its signer.
    pub fn parse(bytes: &'p [u8]) -> Result<(Statement<'p>, KeyId)> {
        let mut r = Reader::new(bytes, "statement");
        r.expect(STATEMENT_DOMAIN)?;
        let origin = r.str_max(MAX_ORIGIN_BYTES)?;
        let signer = KeyId(r.array()?);
        let sequence = r.u64()?;
        let kind = r.u8()?;
        let kind = EntryKind::from_u8(kind).ok_or_else(|| r.err(format!("unknown entry kind {kind}")))?;
        let mode = r.u8()?;
        let mode = Mode::from_u8(mode).ok_or_else(|| r.err(format!("unknown mode {mode}")))?;
        let valid_time = r.i64()?;
        let payload = r.bytes(MAX_ENTRY_BYTES)?;
        r.finish()?;
        Ok((Statement { origin, sequence, kind, mode, valid_time, payload }, signer))
    }
}

/// Bytes of a `casus/entry/v3` entry before its statement: domain,
/// position, record time, the statement's length.
pub const ENTRY_V3_HEADER: usize = ENTRY_V3_DOMAIN.len() + 8 + 8 + 4;
/// Bytes of a `casus/entry/v3` entry around its statement: its header and
/// the signature.
pub const ENTRY_V3_OVERHEAD: usize = ENTRY_V3_HEADER + 64;

/// A `casus/entry/v3` entry: the ledger puts the signed statement (its
/// bytes, then its 64-byte signature) at position `seq` with `record_time`.
pub fn sequenced_entry(seq: u64, record_time: i64, statement: &[u8], signature: &[u8; 64]) -> Result<Vec<u8>> {
    let size = ENTRY_V3_OVERHEAD + statement.len();
    if size > MAX_ENTRY_BYTES {
        return Err(LedgerError::TooLarge { what: "entry", size, max: MAX_ENTRY_BYTES });
    }
    let mut w = Writer { buf: Vec::with_capacity(size) };
    w.raw(ENTRY_V3_DOMAIN);
    w.u64(seq);
    w.i64(record_time);
    w.bytes(statement);
    w.raw(signature);
    Ok(w.buf)
}

/// Splits a client's signed statement (statement ‖ 64-byte signature).
pub fn split_signed_statement(bytes: &[u8]) -> Result<(&[u8], [u8; 64])> {
    let Some(split) = bytes.len().checked_sub(64) else {
        return Err(LedgerError::decode("statement", "shorter than a signature"));
    };
    let (statement, signature) = bytes.split_at(split);
    let mut sig = [0u8; 64];
    sig.copy_from_slice(signature);
    Ok((statement, sig))
}

/// A stored entry, read in place (`casus/entry/v2` or `casus/entry/v3`).
#[derive(Clone, Debug)]
pub struct EntryView<'a> {
    /// 2 or 3: the entry's version.
    pub version: u8,
    pub seq: u64,
    pub kind: EntryKind,
    pub mode: Mode,
    pub valid_time: i64,
    pub record_time: i64,
    /// The link hash of the entry before (v2); v3 entries name none (the
    /// Merkle tree and the checkpoints bind their order).
    pub prev: Option<Hash>,
    pub signer: KeyId,
    pub payload: &'a [u8],
    /// The bytes the signature covers: everything before it (v2), the
    /// statement (v3).
    pub signed: &'a [u8],
    /// Every byte of the entry but the signature: the next entry's link
    /// hash is SHA-256 of these ([`link_hash`]).
    pub unsigned: &'a [u8],
    pub signature: [u8; 64],
    /// v3: the ledger the statement was signed for, and the key's sequence number.
    pub origin: Option<&'a str>,
    pub sequence: Option<u64>,
}

impl<'a> EntryView<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<EntryView<'a>> {
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(LedgerError::TooLarge { what: "entry", size: bytes.len(), max: MAX_ENTRY_BYTES });
        }
        if bytes.starts_with(ENTRY_V3_DOMAIN) {
            return EntryView::parse_v3(bytes);
        }
        let mut r = Reader::new(bytes, "entry");
        r.expect(ENTRY_DOMAIN)?;
        let seq = r.u64()?;
        let kind = r.u8()?;
        let kind = EntryKind::from_u8(kind).ok_or_else(|| r.err(format!("unknown entry kind {kind}")))?;
        let mode = r.u8()?;
        let mode = Mode::from_u8(mode).ok_or_else(|| r.err(format!("unknown mode {mode}")))?;
        let valid_time = r.i64()?;
        let record_time = r.i64()?;
        let prev = r.array()?;
        let signer = KeyId(r.array()?);
        let payload = r.bytes(MAX_ENTRY_BYTES)?;
        let signed_len = r.position();
        let signature = r.array()?;
        r.finish()?;
        let signed = &bytes[..signed_len];
        Ok(EntryView {
            version: 2,
            seq,
            kind,
            mode,
            valid_time,
            record_time,
            prev: Some(prev),
            signer,
            payload,
            signed,
            unsigned: signed,
            signature,
            origin: None,
            sequence: None,
        })
    }

    fn parse_v3(bytes: &'a [u8]) -> Result<EntryView<'a>> {
        let mut r = Reader::new(bytes, "entry");
        r.expect(ENTRY_V3_DOMAIN)?;
        let seq = r.u64()?;
        let record_time = r.i64()?;
        let statement = r.bytes(MAX_ENTRY_BYTES)?;
        let unsigned_len = r.position();
        let signature = r.array()?;
        r.finish()?;
        let (s, signer) = Statement::parse(statement)?;
        Ok(EntryView {
            version: 3,
            seq,
            kind: s.kind,
            mode: s.mode,
            valid_time: s.valid_time,
            record_time,
            prev: None,
            signer,
            payload: s.payload,
            signed: statement,
            unsigned: &bytes[..unsigned_len],
            signature,
            origin: Some(s.origin),
            sequence: Some(s.sequence),
        })
    }
}

/// The genesis payload: the treaty the ledger applies and its first keys.
#[derive(Clone, Debug)]
pub struct Genesis<'a> {
    pub treaty_sha256: Hash,
    pub treaty_name: &'a str,
    pub treaty_text: &'a [u8],
    /// The first is the operator key.
    pub keys: Vec<KeyRegistration>,
}

impl<'a> Genesis<'a> {
    pub fn encode(&self) -> Result<Vec<u8>> {
        if self.treaty_text.len() > MAX_TREATY_BYTES {
            return Err(LedgerError::TooLarge { what: "treaty text", size: self.treaty_text.len(), max: MAX_TREATY_BYTES });
        }
        if self.keys.len() > MAX_LIST_ITEMS {
            return Err(LedgerError::TooLarge { what: "genesis keys", size: self.keys.len(), max: MAX_LIST_ITEMS });
        }
        let mut w = Writer::new();
        w.raw(&self.treaty_sha256);
        w.str(self.treaty_name);
        w.bytes(self.treaty_text);
        w.u32(self.keys.len() as u32);
        for k in &self.keys {
            k.encode(&mut w);
        }
        Ok(w.buf)
    }
    pub fn decode(bytes: &'a [u8]) -> Result<Genesis<'a>> {
        let mut r = Reader::new(bytes, "genesis");
        let treaty_sha256 = r.array()?;
        let treaty_name = r.str()?;
        let treaty_text = r.bytes(MAX_TREATY_BYTES)?;
        let n = r.count()?;
        let mut keys = Vec::with_capacity(n);
        for _ in 0..n {
            keys.push(KeyRegistration::decode(&mut r)?);
        }
        r.finish()?;
        if sha256(treaty_text) != treaty_sha256 {
            return Err(LedgerError::decode("genesis", "the treaty text does not match its SHA-256"));
        }
        Ok(Genesis { treaty_sha256, treaty_name, treaty_text, keys })
    }
}

/// The payload of a key entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyChange {
    Register(KeyRegistration),
    /// Replaces `old` by `new` with the same role.
    Rotate {
        old: KeyId,
        new: [u8; 32],
    },
    Revoke {
        key: KeyId,
        reason: String,
    },
}

impl KeyChange {
    pub fn kind(&self) -> EntryKind {
        match self {
            KeyChange::Register(_) => EntryKind::KeyRegister,
            KeyChange::Rotate { .. } => EntryKind::KeyRotate,
            KeyChange::Revoke { .. } => EntryKind::KeyRevoke,
        }
    }
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        match self {
            KeyChange::Register(reg) => reg.encode(&mut w),
            KeyChange::Rotate { old, new } => {
                w.raw(&old.0);
                w.raw(new);
            }
            KeyChange::Revoke { key, reason } => {
                w.raw(&key.0);
                w.str(reason);
            }
        }
        w.buf
    }
    pub fn decode(kind: EntryKind, bytes: &[u8]) -> Result<KeyChange> {
        let mut r = Reader::new(bytes, "key entry");
        let change = match kind {
            EntryKind::KeyRegister => KeyChange::Register(KeyRegistration::decode(&mut r)?),
            EntryKind::KeyRotate => KeyChange::Rotate { old: KeyId(r.array()?), new: r.array()? },
            EntryKind::KeyRevoke => KeyChange::Revoke { key: KeyId(r.array()?), reason: r.str()?.to_string() },
            _ => return Err(r.err("not a key entry")),
        };
        r.finish()?;
        Ok(change)
    }
}

/// Checks the rules of one entry against the registry as it stands before
/// it, and applies the entry's key changes. Signatures are checked
/// elsewhere (in batches); this is everything else about who may sign what.
pub fn apply(registry: &mut KeyRegistry, e: &EntryView) -> Result<(), Tamper> {
    let bad = |e: LedgerError| Tamper::Malformed(e.to_string());
    if e.version == 3 {
        return apply_statement(registry, e);
    }
    match e.kind {
        EntryKind::Genesis => {
            if e.seq != 0 {
                return Err(Tamper::BadEntry("a genesis entry after the first".into()));
            }
            let g = Genesis::decode(e.payload).map_err(bad)?;
            if e.mode != Mode::Operator {
                return Err(Tamper::BadEntry("genesis not in operator mode".into()));
            }
            match g.keys.first() {
                Some(KeyRegistration { role: KeyRole::Operator, .. }) => {}
                _ => return Err(Tamper::BadEntry("the first genesis key must be the operator's".into())),
            }
            for k in &g.keys {
                registry.introduce(k, 0)?;
            }
            registry.check_operator(&e.signer, 0)?;
            registry.set_live_acts_from(e.valid_time);
            Ok(())
        }
        _ if e.seq == 0 => Err(Tamper::BadEntry("the first entry must be the genesis".into())),
        EntryKind::Act => check_act(registry, e),
        kind => {
            let change = KeyChange::decode(kind, e.payload).map_err(bad)?;
            if e.mode != Mode::Operator {
                return Err(Tamper::BadEntry("a key entry not in operator mode".into()));
            }
            registry.check_operator(&e.signer, e.seq)?;
            match change {
                KeyChange::Register(reg) => {
                    if reg.role == KeyRole::Operator {
                        return Err(Tamper::BadEntry("a second operator key; rotate it instead".into()));
                    }
                    registry.introduce(&reg, e.seq)?;
                }
                KeyChange::Rotate { old, new } => {
                    let role = registry.active(&old, e.seq).map_err(|_| Tamper::BadEntry("rotates an inactive key".into()))?.role.clone();
                    registry.revoke(&old, e.seq)?;
                    registry.introduce(&KeyRegistration { key: new, role }, e.seq)?;
                }
                KeyChange::Revoke { key, .. } => {
                    if registry.operator() == Some(key) {
                        return Err(Tamper::BadEntry("revokes the operator key; rotate it instead".into()));
                    }
                    registry.revoke(&key, e.seq)?;
                }
            }
            Ok(())
        }
    }
}

/// The rules of an act entry (either version): its valid time is the
/// act's, and its signer may sign it in its mode (a live act by its actor,
/// at an honest time; a recorded one by a recorder, with a source).
fn check_act(registry: &KeyRegistry, e: &EntryView) -> Result<(), Tamper> {
    let act = ActFields::decode(e.payload).map_err(|e| Tamper::Malformed(e.to_string()))?;
    if act.time != e.valid_time {
        return Err(Tamper::BadEntry("valid time differs from the act's time".into()));
    }
    let state = registry.active(&e.signer, e.seq)?;
    match (e.mode, &state.role) {
        (Mode::Live, KeyRole::Party(p)) if p == act.actor => check_live_time(registry, e),
        (Mode::Live, role) => Err(Tamper::WrongSigner(format!("an act by {} signed with a key registered for {role}", act.actor))),
        // The operator may record history too (it is the recorder of
        // last resort: `ledger import` with the operator key).
        (Mode::Record, KeyRole::Recorder | KeyRole::Operator) if !act.sources.is_empty() => Ok(()),
        (Mode::Record, KeyRole::Recorder | KeyRole::Operator) => Err(Tamper::BadEntry("a recorded act without a source".into())),
        (Mode::Record, role) => Err(Tamper::WrongSigner(format!("a recorded act signed by a {role} key"))),
        (Mode::Operator, _) => Err(Tamper::BadEntry("an act in operator mode".into())),
    }
}

/// The rules of a `casus/entry/v3` entry: an act (key changes are the
/// operator's, in `casus/entry/v2` entries), signed for this ledger's
/// origin, with a sequence number above the last its key signed here, and
/// then every rule of an act. The key's sequence advances only if all hold.
fn apply_statement(registry: &mut KeyRegistry, e: &EntryView) -> Result<(), Tamper> {
    if e.seq == 0 || e.kind != EntryKind::Act {
        return Err(Tamper::BadEntry("a casus/entry/v3 entry holds an act, after the genesis".into()));
    }
    let (Some(origin), Some(sequence)) = (e.origin, e.sequence) else {
        return Err(Tamper::Malformed("a casus/entry/v3 entry without its statement".into()));
    };
    match registry.origin() {
        Some(o) if o == origin => {}
        Some(o) => return Err(Tamper::WrongLedger { signed_for: origin.to_string(), this: o.to_string() }),
        None => return Err(Tamper::BadEntry("a signed statement before the ledger's genesis is known".into())),
    }
    check_act(registry, e)?;
    registry.advance_sequence(&e.signer, sequence)
}

/// The time rules of a live act: the actor signs as it acts, so the act's
/// valid time stands within [`LIVE_ACT_MAX_AGE_SECS`] before its record
/// time and [`LIVE_ACT_MAX_LEAD_SECS`] after it, and not before the
/// genesis's valid time (the treaty's first version). History enters in
/// record mode, attested by a recorder; a live act cannot rewrite it.
pub fn check_live_time(registry: &KeyRegistry, e: &EntryView) -> Result<(), Tamper> {
    // Dates in words only for a refusal: every live entry passes here, on
    // every append and every replay.
    let valid = || Time(e.valid_time).display();
    let recorded = || Time(e.record_time).display();
    // In i128: both times may be anywhere in i64.
    let age = e.record_time as i128 - e.valid_time as i128;
    if age > LIVE_ACT_MAX_AGE_SECS as i128 {
        return Err(Tamper::LiveActTime(format!(
            "a live act dated {}, {} before its record time {} (at most {} allowed); \
             history enters in record mode, signed by a recorder with sources",
            valid(),
            span(age),
            recorded(),
            span(LIVE_ACT_MAX_AGE_SECS as i128)
        )));
    }
    if -age > LIVE_ACT_MAX_LEAD_SECS as i128 {
        return Err(Tamper::LiveActTime(format!(
            "a live act dated {}, {} after its record time {} (at most {} allowed): an act is signed when it happens",
            valid(),
            span(-age),
            recorded(),
            span(LIVE_ACT_MAX_LEAD_SECS as i128)
        )));
    }
    if let Some(from) = registry.live_acts_from()
        && e.valid_time < from
    {
        return Err(Tamper::LiveActTime(format!(
            "a live act dated {}, before the treaty's first version ({}, the genesis entry's valid time)",
            valid(),
            Time(from).display()
        )));
    }
    Ok(())
}

/// A length of time for messages: days, hours, minutes or seconds.
fn span(secs: i128) -> String {
    let (n, unit) = match secs {
        s if s >= 2 * 86_400 => (s / 86_400, "days"),
        s if s >= 2 * 3_600 => (s / 3_600, "hours"),
        s if s >= 2 * 60 => (s / 60, "minutes"),
        s => (s, "seconds"),
    };
    format!("{n} {unit}")
}

/// A signed tree head: the log had `size` entries with this `root`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub size: u64,
    pub root: Hash,
    pub time: i64,
    pub signer: KeyId,
    pub signature: [u8; 64],
}

/// Bytes of a stored checkpoint.
pub const CHECKPOINT_BYTES: usize = CHECKPOINT_DOMAIN.len() + 8 + 32 + 8 + 32 + 64;

impl Checkpoint {
    pub fn sign(size: u64, root: Hash, time: i64, key: &SecretKey) -> (Checkpoint, Vec<u8>) {
        let mut w = Writer { buf: Vec::with_capacity(CHECKPOINT_BYTES) };
        w.raw(CHECKPOINT_DOMAIN);
        w.u64(size);
        w.raw(&root);
        w.i64(time);
        w.raw(&key.id().0);
        let signature = key.sign(&w.buf);
        w.raw(&signature);
        (Checkpoint { size, root, time, signer: key.id(), signature }, w.buf)
    }

    /// Parses stored checkpoint bytes; returns the signed part too.
    pub fn parse(bytes: &[u8]) -> Result<(Checkpoint, &[u8])> {
        let mut r = Reader::new(bytes, "checkpoint");
        r.expect(CHECKPOINT_DOMAIN)?;
        let size = r.u64()?;
        let root = r.array()?;
        let time = r.i64()?;
        let signer = KeyId(r.array()?);
        let signed_len = r.position();
        let signature = r.array()?;
        r.finish()?;
        Ok((Checkpoint { size, root, time, signer, signature }, &bytes[..signed_len]))
    }
}
