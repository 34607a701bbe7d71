//! Ed25519 keys: generation, key files, key ids, and the key registry.
//!
//! Every entry names its signer by a key id (SHA-256 of a domain string and
//! the public key), and the registry, replayed from the genesis and key
//! entries, says what that key may sign at that point of the log: acts of
//! one party (live mode), acts from sources (a recorder, record mode), or
//! key entries and checkpoints (the operator). Replaying the registry is the
//! same code for `append`, `verify` and offline bundles, so the three cannot
//! disagree on who may sign what.
//!
//! Key files are small text files so that a person can read which party a
//! key belongs to; the secret is a 32-byte Ed25519 seed in hex.

use std::collections::HashMap;
use std::sync::Arc;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::encode::{Reader, Writer};
use crate::{LedgerError, Result, Tamper, hex, sha256};

/// Domain string hashed with a public key to form its id.
pub const KEY_ID_DOMAIN: &[u8] = b"casus/key/v1\0";

/// SHA-256("casus/key/v1\0" ‖ public key).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 32]);

impl KeyId {
    pub fn of(key: &VerifyingKey) -> KeyId {
        let mut buf = Vec::with_capacity(KEY_ID_DOMAIN.len() + 32);
        buf.extend_from_slice(KEY_ID_DOMAIN);
        buf.extend_from_slice(key.as_bytes());
        KeyId(sha256(&buf))
    }
    pub fn hex(&self) -> String {
        hex::encode(&self.0)
    }
    /// The first 16 hex digits, for messages.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..8])
    }
}

impl std::fmt::Debug for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyId({})", self.short())
    }
}

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.hex())
    }
}

/// What a key may sign.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KeyRole {
    /// Signs the genesis, key entries and checkpoints.
    Operator,
    /// Signs acts whose actor is this party (or organ) code: live mode.
    Party(String),
    /// Signs acts entered from their sources: record mode.
    Recorder,
}

impl KeyRole {
    pub fn encode(&self, w: &mut Writer) {
        match self {
            KeyRole::Operator => w.u8(0),
            KeyRole::Party(p) => {
                w.u8(1);
                w.str(p);
            }
            KeyRole::Recorder => w.u8(2),
        }
    }
    pub fn decode(r: &mut Reader) -> Result<KeyRole> {
        match r.u8()? {
            0 => Ok(KeyRole::Operator),
            1 => {
                let p = r.str_max(64)?;
                if p.is_empty() {
                    return Err(r.err("empty party code"));
                }
                Ok(KeyRole::Party(p.to_string()))
            }
            2 => Ok(KeyRole::Recorder),
            t => Err(r.err(format!("unknown key role {t}"))),
        }
    }
}

impl std::fmt::Display for KeyRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyRole::Operator => f.write_str("operator"),
            KeyRole::Party(p) => write!(f, "party {p}"),
            KeyRole::Recorder => f.write_str("recorder"),
        }
    }
}

/// A public key and the role it is registered for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRegistration {
    pub key: [u8; 32],
    pub role: KeyRole,
}

impl KeyRegistration {
    pub fn encode(&self, w: &mut Writer) {
        w.raw(&self.key);
        self.role.encode(w);
    }
    pub fn decode(r: &mut Reader) -> Result<KeyRegistration> {
        Ok(KeyRegistration { key: r.array()?, role: KeyRole::decode(r)? })
    }
    pub fn id(&self) -> Result<KeyId> {
        Ok(KeyId::of(&verifying_key(&self.key)?))
    }
}

/// Parses a public key, refusing bytes that are not a point and weak
/// (small-order) keys, for which a signature proves nothing.
pub fn verifying_key(bytes: &[u8; 32]) -> Result<VerifyingKey> {
    let key = VerifyingKey::from_bytes(bytes).map_err(|e| LedgerError::decode("public key", e.to_string()))?;
    if key.is_weak() {
        return Err(LedgerError::decode("public key", "a weak (small-order) key"));
    }
    Ok(key)
}

/// A signing key with its id.
#[derive(Clone)]
pub struct SecretKey {
    key: SigningKey,
    id: KeyId,
}

impl SecretKey {
    pub fn from_seed(seed: [u8; 32]) -> SecretKey {
        let key = SigningKey::from_bytes(&seed);
        let id = KeyId::of(&key.verifying_key());
        SecretKey { key, id }
    }
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<SecretKey> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| LedgerError::Io { context: "reading the system random source".into(), source: std::io::Error::other(e.to_string()) })?;
        Ok(SecretKey::from_seed(seed))
    }
    pub fn id(&self) -> KeyId {
        self.id
    }
    pub fn public(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }
    pub fn seed(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// Strict single verification (rejects small-order and non-canonical R).
pub fn verify_strict(key: &VerifyingKey, message: &[u8], signature: &[u8; 64]) -> bool {
    key.verify_strict(message, &Signature::from_bytes(signature)).is_ok()
}

/// The secret key file: `casus-secret-key v1`, `seed HEX`, and an optional
/// `party CODE`, `recorder` or `operator` line naming its role.
#[derive(Clone)]
pub struct KeyFile {
    pub key: SecretKey,
    pub role: Option<KeyRole>,
}

const SECRET_HEADER: &str = "casus-secret-key v1";
const PUBLIC_HEADER: &str = "casus-public-key v1";
/// Largest key file read.
pub const MAX_KEY_FILE_BYTES: usize = 4096;

fn role_line(role: &Option<KeyRole>) -> String {
    match role {
        None => String::new(),
        Some(KeyRole::Party(p)) => format!("party {p}\n"),
        Some(KeyRole::Recorder) => "recorder\n".into(),
        Some(KeyRole::Operator) => "operator\n".into(),
    }
}

fn parse_lines(text: &str, header: &str, what: &'static str) -> Result<(HashMap<String, String>, Option<KeyRole>)> {
    if text.len() > MAX_KEY_FILE_BYTES {
        return Err(LedgerError::TooLarge { what: "key file", size: text.len(), max: MAX_KEY_FILE_BYTES });
    }
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
    if lines.next() != Some(header) {
        return Err(LedgerError::decode(what, format!("the first line must be `{header}`")));
    }
    let mut fields = HashMap::new();
    let mut role = None;
    for line in lines {
        let (k, v) = line.split_once(' ').map(|(k, v)| (k, v.trim())).unwrap_or((line, ""));
        let new_role = match (k, v) {
            ("party", p) if !p.is_empty() && p.len() <= 64 && !p.contains(char::is_whitespace) => Some(KeyRole::Party(p.to_string())),
            ("recorder", "") => Some(KeyRole::Recorder),
            ("operator", "") => Some(KeyRole::Operator),
            ("seed" | "key" | "id", v) if !v.is_empty() => {
                fields.insert(k.to_string(), v.to_string());
                None
            }
            _ => return Err(LedgerError::decode(what, format!("unexpected line `{line}`"))),
        };
        if new_role.is_some() {
            if role.is_some() {
                return Err(LedgerError::decode(what, "more than one role line"));
            }
            role = new_role;
        }
    }
    Ok((fields, role))
}

impl KeyFile {
    pub fn to_text(&self) -> String {
        format!("# casus secret key: keep this file private.\n{SECRET_HEADER}\nseed {}\n{}", hex::encode(&self.key.seed()), role_line(&self.role))
    }
    pub fn parse(text: &str) -> Result<KeyFile> {
        let (fields, role) = parse_lines(text, SECRET_HEADER, "secret key file")?;
        let seed = fields
            .get("seed")
            .and_then(|s| hex::decode_array::<32>(s))
            .ok_or_else(|| LedgerError::decode("secret key file", "needs a `seed` line of 64 hex digits"))?;
        Ok(KeyFile { key: SecretKey::from_seed(seed), role })
    }
    pub fn public(&self) -> PublicKeyFile {
        PublicKeyFile { key: self.key.public(), role: self.role.clone() }
    }
}

/// The public key file written beside a key file (`KEYFILE.pub`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyFile {
    pub key: [u8; 32],
    pub role: Option<KeyRole>,
}

impl PublicKeyFile {
    pub fn id(&self) -> Result<KeyId> {
        Ok(KeyId::of(&verifying_key(&self.key)?))
    }
    pub fn to_text(&self) -> Result<String> {
        Ok(format!("{PUBLIC_HEADER}\nkey {}\nid {}\n{}", hex::encode(&self.key), self.id()?.hex(), role_line(&self.role)))
    }
    pub fn parse(text: &str) -> Result<PublicKeyFile> {
        let (fields, role) = parse_lines(text, PUBLIC_HEADER, "public key file")?;
        let key = fields
            .get("key")
            .and_then(|s| hex::decode_array::<32>(s))
            .ok_or_else(|| LedgerError::decode("public key file", "needs a `key` line of 64 hex digits"))?;
        let file = PublicKeyFile { key, role };
        let id = file.id()?;
        if let Some(stated) = fields.get("id")
            && *stated != id.hex()
        {
            return Err(LedgerError::decode("public key file", "the `id` line does not match the key"));
        }
        Ok(file)
    }
}

/// What the registry knows of one key.
#[derive(Clone, Debug)]
pub struct KeyState {
    pub key: VerifyingKey,
    pub role: KeyRole,
    /// The entry that introduced it (genesis, register or rotate).
    pub introduced_at: u64,
    /// The entry that revoked or rotated it away; it may sign nothing after.
    pub revoked_at: Option<u64>,
    /// Where its last sequence number is kept ([`KeyRegistry::last_sequence`]).
    slot: usize,
}

/// The keys of a ledger as of some entry, replayed from key entries.
///
/// Cheap to copy, because a writer copies it before every request it may
/// have to undo ([`crate::replay::Replay::mark`]): the keys, which only key
/// entries change, are shared until one does; what every act changes, its
/// key's sequence number, is a flat list indexed by the key's slot.
#[derive(Clone, Debug, Default)]
pub struct KeyRegistry {
    keys: Arc<HashMap<KeyId, KeyState>>,
    operator: Option<KeyId>,
    /// The genesis entry's valid time: no live act may be dated before it.
    live_acts_from: Option<i64>,
    /// The ledger's origin, once its genesis entry is hashed.
    origin: Option<Arc<str>>,
    /// The last sequence number each key signed (`casus/entry/v3`), by the
    /// key's slot (0: none yet).
    sequences: Vec<u64>,
}

impl KeyRegistry {
    pub fn get(&self, id: &KeyId) -> Option<&KeyState> {
        self.keys.get(id)
    }
    pub fn operator(&self) -> Option<KeyId> {
        self.operator
    }
    /// The earliest valid time of a live act: the genesis entry's valid
    /// time (the treaty's first version, or the ledger's creation).
    pub fn live_acts_from(&self) -> Option<i64> {
        self.live_acts_from
    }
    /// Sets [`KeyRegistry::live_acts_from`]; the genesis does, once.
    pub(crate) fn set_live_acts_from(&mut self, time: i64) {
        self.live_acts_from = Some(time);
    }
    /// The ledger's origin, which signed statements must name.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }
    /// Sets [`KeyRegistry::origin`]: whoever hashes the genesis entry.
    pub fn set_origin(&mut self, origin: String) {
        self.origin = Some(origin.into());
    }
    /// The last sequence number `id` signed in a statement of this ledger (0: none yet).
    pub fn last_sequence(&self, id: &KeyId) -> u64 {
        self.keys.get(id).and_then(|s| self.sequences.get(s.slot)).copied().unwrap_or(0)
    }
    /// Records `id`'s next statement, numbered `sequence`: it must be above
    /// the key's last.
    pub fn advance_sequence(&mut self, id: &KeyId, sequence: u64) -> Result<(), Tamper> {
        let slot = self.keys.get(id).ok_or(Tamper::UnknownKey)?.slot;
        let last = self.sequences.get(slot).copied().unwrap_or(0);
        if sequence <= last {
            return Err(Tamper::SequenceOutOfOrder { last, found: sequence });
        }
        if self.sequences.len() <= slot {
            self.sequences.resize(slot + 1, 0);
        }
        self.sequences[slot] = sequence;
        Ok(())
    }
    pub fn len(&self) -> usize {
        self.keys.len()
    }
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
    /// All keys, sorted by id (deterministic order for listings).
    pub fn all(&self) -> Vec<(KeyId, &KeyState)> {
        let mut v: Vec<_> = self.keys.iter().map(|(k, s)| (*k, s)).collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }

    /// The key `id`, if it may sign at entry `seq`.
    pub fn active(&self, id: &KeyId, seq: u64) -> Result<&KeyState, Tamper> {
        let state = self.keys.get(id).ok_or(Tamper::UnknownKey)?;
        if state.introduced_at > seq {
            return Err(Tamper::UnknownKey);
        }
        match state.revoked_at {
            Some(r) if r < seq => Err(Tamper::RevokedKey),
            _ => Ok(state),
        }
    }

    /// Checks that `id` is the operator at entry `seq`.
    pub fn check_operator(&self, id: &KeyId, seq: u64) -> Result<&KeyState, Tamper> {
        let state = self.active(id, seq)?;
        if state.role != KeyRole::Operator || self.operator != Some(*id) {
            return Err(Tamper::WrongSigner(format!("key {} is not the operator key", id.short())));
        }
        Ok(state)
    }

    /// Adds a key introduced at `seq`.
    pub fn introduce(&mut self, reg: &KeyRegistration, seq: u64) -> Result<KeyId, Tamper> {
        let key = verifying_key(&reg.key).map_err(|e| Tamper::BadEntry(e.to_string()))?;
        let id = KeyId::of(&key);
        if self.keys.contains_key(&id) {
            return Err(Tamper::BadEntry(format!("key {} is registered already", id.short())));
        }
        if reg.role == KeyRole::Operator {
            if let Some(old) = self.operator
                && self.keys.get(&old).is_some_and(|s| s.revoked_at.is_none())
            {
                return Err(Tamper::BadEntry("a second operator key; rotate the operator key instead".into()));
            }
            self.operator = Some(id);
        }
        let slot = self.keys.len();
        Arc::make_mut(&mut self.keys).insert(id, KeyState { key, role: reg.role.clone(), introduced_at: seq, revoked_at: None, slot });
        Ok(id)
    }

    /// Revokes an active key at `seq`.
    pub fn revoke(&mut self, id: &KeyId, seq: u64) -> Result<(), Tamper> {
        match self.keys.get(id) {
            None => Err(Tamper::BadEntry(format!("revokes unknown key {}", id.short()))),
            Some(state) if state.revoked_at.is_some() => Err(Tamper::BadEntry(format!("key {} is revoked already", id.short()))),
            Some(_) => {
                if let Some(state) = Arc::make_mut(&mut self.keys).get_mut(id) {
                    state.revoked_at = Some(seq);
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_round_trip() {
        let kf = KeyFile { key: SecretKey::from_seed([7; 32]), role: Some(KeyRole::Party("ARM".into())) };
        let back = KeyFile::parse(&kf.to_text()).unwrap();
        assert_eq!(back.key.id(), kf.key.id());
        assert_eq!(back.role, kf.role);
        let pubf = kf.public();
        let text = pubf.to_text().unwrap();
        assert_eq!(PublicKeyFile::parse(&text).unwrap(), pubf);
        let bad_id = text.replace(&pubf.id().unwrap().hex(), &"0".repeat(64));
        assert!(PublicKeyFile::parse(&bad_id).is_err());
    }

    #[test]
    fn key_files_reject_garbage() {
        for text in ["", "casus-secret-key v1\n", "casus-secret-key v1\nseed 00\n", "nope\nseed 00", "casus-secret-key v1\nseed zz\n"] {
            assert!(KeyFile::parse(text).is_err(), "{text:?}");
        }
        let two_roles = format!("casus-secret-key v1\nseed {}\nrecorder\nparty ARM\n", "00".repeat(32));
        assert!(KeyFile::parse(&two_roles).is_err());
    }

    #[test]
    fn weak_keys_are_refused() {
        // The identity point (y = 1) is of small order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(verifying_key(&identity).is_err());
    }

    #[test]
    fn registry_rules() {
        let op = SecretKey::from_seed([1; 32]);
        let arm = SecretKey::from_seed([2; 32]);
        let mut reg = KeyRegistry::default();
        let op_id = reg.introduce(&KeyRegistration { key: op.public(), role: KeyRole::Operator }, 0).unwrap();
        assert!(reg.check_operator(&op_id, 0).is_ok());
        let arm_reg = KeyRegistration { key: arm.public(), role: KeyRole::Party("ARM".into()) };
        let arm_id = reg.introduce(&arm_reg, 3).unwrap();
        assert_eq!(reg.active(&arm_id, 2).unwrap_err(), Tamper::UnknownKey);
        assert!(reg.active(&arm_id, 3).is_ok());
        assert!(matches!(reg.introduce(&arm_reg, 4), Err(Tamper::BadEntry(_))));
        reg.revoke(&arm_id, 5).unwrap();
        assert!(reg.active(&arm_id, 5).is_ok());
        assert_eq!(reg.active(&arm_id, 6).unwrap_err(), Tamper::RevokedKey);
        assert!(matches!(reg.check_operator(&arm_id, 4), Err(Tamper::WrongSigner(_))));
    }
}
