//! C2SP signed notes (`c2sp.org/signed-note`), their keys, and C2SP
//! `tlog-cosignature/v1` timestamped Ed25519 cosignatures.
//!
//! A signed note is text ending in a newline, a blank line, and signature
//! lines `— <key name> <base64(key ID ‖ signature)>`. It is the envelope
//! of the transparency-log ecosystem: checkpoints ([`crate::checkpoint_note`])
//! are notes, and witnesses add their cosignatures to them as more
//! signature lines. This module exists so that a casus ledger's
//! checkpoints can be checked, and cosigned, by the same tools and
//! witnesses as any other transparency log.
//!
//! Two signature types are implemented, the two a casus ledger uses:
//!
//! - `0x01`, Ed25519 over the note text (the log operator's key);
//! - `0x04`, the timestamped Ed25519 cosignature `cosignature/v1` of
//!   `c2sp.org/tlog-cosignature`: 8 bytes of big-endian POSIX time, then an
//!   Ed25519 signature over `cosignature/v1\ntime <T>\n<note text>`.
//!
//! Keys are written as in `golang.org/x/mod/sumdb/note`: a verifier key
//! `<name>+<hex key ID>+<base64(type ‖ public key)>`, and a signer key
//! `PRIVATE+KEY+<name>+<hex key ID>+<base64(type ‖ 32-byte seed)>` (the
//! Go package defines the signer key for type `0x01`; a witness's signer
//! key carries `0x04` the same way). Key ID = the first four bytes of
//! SHA-256(name ‖ `\n` ‖ type ‖ public key), big-endian.
//!
//! Why not Cloudflare's `signed_note` crate: it builds on ed25519-dalek 2
//! and sha2 0.10 (a second copy of the curve and hash code beside the
//! workspace's ed25519-dalek 3 and sha2 0.11), and has no `cosignature/v1`
//! type; the format is small enough to implement against the specs, and the
//! tests check it byte for byte against the specs' and the Go package's
//! published examples.
//!
//! Signatures are verified strictly ([`crate::keys::verify_strict`]), as
//! every signature of the ledger is; weak public keys are refused.

use ed25519_dalek::VerifyingKey;

use crate::keys::{SecretKey, verify_strict, verifying_key};
use crate::{LedgerError, Result, base64, hex, sha256};

/// Largest note read, in bytes: a checkpoint with far more signatures than
/// any quorum needs.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;
/// Most signature lines in one note (the spec asks for at least 16).
pub const MAX_NOTE_SIGNATURES: usize = 100;
/// Longest key name, in bytes.
pub const MAX_KEY_NAME_BYTES: usize = 256;

/// The dash that opens a signature line: U+2014 and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";
/// The header line of a `cosignature/v1` signed message.
pub const COSIGNATURE_V1_HEADER: &str = "cosignature/v1";

/// The signature type byte of a key (`c2sp.org/signed-note`, "Signature
/// types"); it enters the key ID, so one key cannot pass for the other type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureType {
    /// `0x01`: Ed25519 over the note text.
    Ed25519,
    /// `0x04`: timestamped Ed25519 checkpoint cosignature, `cosignature/v1`.
    CosignatureV1,
}

impl SignatureType {
    pub fn byte(self) -> u8 {
        match self {
            SignatureType::Ed25519 => 0x01,
            SignatureType::CosignatureV1 => 0x04,
        }
    }
    pub fn from_byte(b: u8) -> Option<SignatureType> {
        match b {
            0x01 => Some(SignatureType::Ed25519),
            0x04 => Some(SignatureType::CosignatureV1),
            _ => None,
        }
    }
    /// Length of the signature after the key ID.
    fn signature_len(self) -> usize {
        match self {
            SignatureType::Ed25519 => 64,
            SignatureType::CosignatureV1 => 8 + 64,
        }
    }
}

/// Whether `name` may name a key: non-empty, no Unicode space, no `+`, no
/// control character, at most [`MAX_KEY_NAME_BYTES`].
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= MAX_KEY_NAME_BYTES && !name.chars().any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

/// SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian.
pub fn key_id(name: &str, signature_type: SignatureType, public_key: &[u8; 32]) -> u32 {
    let mut buf = Vec::with_capacity(name.len() + 2 + 32);
    buf.extend_from_slice(name.as_bytes());
    buf.push(b'\n');
    buf.push(signature_type.byte());
    buf.extend_from_slice(public_key);
    let h = sha256(&buf);
    u32::from_be_bytes([h[0], h[1], h[2], h[3]])
}

/// The message a `cosignature/v1` signs: `cosignature/v1\ntime <T>\n` and
/// the note text (a checkpoint body, with its final newline).
pub fn cosignature_message(timestamp_secs: u64, text: &str) -> String {
    format!("{COSIGNATURE_V1_HEADER}\ntime {timestamp_secs}\n{text}")
}

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: u32,
    /// The bytes after the key ID: for `cosignature/v1`, the timestamp and
    /// the Ed25519 signature.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// `— <name> <base64(key ID ‖ signature)>\n`.
    pub fn line(&self) -> String {
        let mut raw = Vec::with_capacity(4 + self.signature.len());
        raw.extend_from_slice(&self.key_id.to_be_bytes());
        raw.extend_from_slice(&self.signature);
        format!("{SIGNATURE_PREFIX}{} {}\n", self.name, base64::encode(&raw))
    }

    /// Parses one line, without its newline.
    pub fn parse_line(line: &str) -> Result<NoteSignature> {
        let bad = |why: &str| LedgerError::decode("note signature line", why.to_string());
        let rest = line.strip_prefix(SIGNATURE_PREFIX).ok_or_else(|| bad("does not start with `— `"))?;
        let (name, b64) = rest.split_once(' ').ok_or_else(|| bad("no space between key name and signature"))?;
        if !is_valid_key_name(name) {
            return Err(bad("invalid key name"));
        }
        let raw = base64::decode(b64).ok_or_else(|| bad("the signature is not canonical base64"))?;
        if raw.len() < 5 {
            return Err(bad("the signature is shorter than a key ID and one byte"));
        }
        Ok(NoteSignature { name: name.to_string(), key_id: u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]), signature: raw[4..].to_vec() })
    }

    /// The timestamp of a `cosignature/v1` (the first 8 bytes), if the
    /// signature has that length.
    pub fn cosignature_time(&self) -> Option<u64> {
        if self.signature.len() != SignatureType::CosignatureV1.signature_len() {
            return None;
        }
        let mut t = [0u8; 8];
        t.copy_from_slice(&self.signature[..8]);
        Some(u64::from_be_bytes(t))
    }
}

/// A signed note, parsed but not yet verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// The text, with its final newline, without the blank line.
    pub text: String,
    pub signatures: Vec<NoteSignature>,
}

/// A signature that verified, with its time if it is a cosignature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedSignature {
    pub name: String,
    pub key_id: u32,
    pub signature_type: SignatureType,
    /// The cosignature's POSIX time, in seconds (`None` for type `0x01`).
    pub timestamp_secs: Option<u64>,
}

/// What [`Note::verify`] found, signature by signature.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoteVerification {
    /// Signatures from known keys that verify (one per key).
    pub valid: Vec<VerifiedSignature>,
    /// Signatures whose name and key ID match a known key but that do not
    /// verify: the note is malformed (`c2sp.org/signed-note`).
    pub invalid: Vec<(String, u32)>,
    /// Signatures from keys the verifier does not know, ignored.
    pub unknown: usize,
}

/// Checks a note's characters: UTF-8 is given by `&str`; no control
/// characters but newline.
fn check_characters(text: &str) -> Result<()> {
    if let Some(c) = text.chars().find(|&c| c.is_ascii_control() && c != '\n') {
        return Err(LedgerError::decode("signed note", format!("control character U+{:04X}", c as u32)));
    }
    Ok(())
}

impl Note {
    /// Parses a signed note (syntax only: see [`Note::verify`]).
    pub fn parse(bytes: &[u8]) -> Result<Note> {
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(LedgerError::TooLarge { what: "signed note", size: bytes.len(), max: MAX_NOTE_BYTES });
        }
        let msg = std::str::from_utf8(bytes).map_err(|_| LedgerError::decode("signed note", "not UTF-8"))?;
        check_characters(msg)?;
        let split = msg.rfind("\n\n").ok_or_else(|| LedgerError::decode("signed note", "no blank line before the signatures"))?;
        let (text, sigs) = (&msg[..split + 1], &msg[split + 2..]);
        if sigs.is_empty() || !sigs.ends_with('\n') {
            return Err(LedgerError::decode("signed note", "the signatures must be lines ending in a newline"));
        }
        let mut signatures = Vec::new();
        for line in sigs[..sigs.len() - 1].split('\n') {
            if signatures.len() == MAX_NOTE_SIGNATURES {
                return Err(LedgerError::decode("signed note", format!("more than {MAX_NOTE_SIGNATURES} signatures")));
            }
            signatures.push(NoteSignature::parse_line(line)?);
        }
        Ok(Note { text: text.to_string(), signatures })
    }

    /// The note's bytes: text, blank line, signature lines.
    pub fn to_text(&self) -> String {
        let mut s = String::with_capacity(self.text.len() + 1 + self.signatures.len() * 110);
        s.push_str(&self.text);
        s.push('\n');
        for sig in &self.signatures {
            s.push_str(&sig.line());
        }
        s
    }

    /// Verifies every signature made by one of `known`; signatures of
    /// other keys are counted and ignored. A key signing twice counts once.
    pub fn verify(&self, known: &[NoteVerifier]) -> NoteVerification {
        let mut out = NoteVerification::default();
        for sig in &self.signatures {
            let Some(v) = known.iter().find(|v| v.name == sig.name && v.key_id == sig.key_id) else {
                out.unknown += 1;
                continue;
            };
            if out.valid.iter().any(|s| s.name == sig.name && s.key_id == sig.key_id) {
                continue;
            }
            match v.verify(&self.text, &sig.signature) {
                Some(timestamp_secs) => {
                    out.valid.push(VerifiedSignature { name: sig.name.clone(), key_id: sig.key_id, signature_type: v.signature_type, timestamp_secs })
                }
                None => out.invalid.push((sig.name.clone(), sig.key_id)),
            }
        }
        out
    }

    /// Parses and verifies, as `golang.org/x/mod/sumdb/note.Open` does: an
    /// error if a known key's signature fails, or if no known key signed.
    pub fn open(bytes: &[u8], known: &[NoteVerifier]) -> Result<(Note, Vec<VerifiedSignature>)> {
        let note = Note::parse(bytes)?;
        let v = note.verify(known);
        if let Some((name, id)) = v.invalid.first() {
            return Err(LedgerError::Refused(format!("invalid signature for key {name}+{id:08x}")));
        }
        if v.valid.is_empty() {
            return Err(LedgerError::Refused("the note has no signature from a known key".into()));
        }
        Ok((note, v.valid))
    }
}

/// A public key that verifies note signatures of one type, under one name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteVerifier {
    pub name: String,
    pub key_id: u32,
    pub signature_type: SignatureType,
    pub key: VerifyingKey,
}

impl NoteVerifier {
    pub fn new(name: &str, signature_type: SignatureType, public_key: &[u8; 32]) -> Result<NoteVerifier> {
        if !is_valid_key_name(name) {
            return Err(LedgerError::decode("verifier key", format!("invalid key name `{name}`")));
        }
        let key = verifying_key(public_key)?;
        Ok(NoteVerifier { name: name.to_string(), key_id: key_id(name, signature_type, public_key), signature_type, key })
    }

    /// Parses `<name>+<hex key ID>+<base64(type ‖ public key)>`.
    pub fn parse(vkey: &str) -> Result<NoteVerifier> {
        let bad = |why: &str| LedgerError::decode("verifier key", why.to_string());
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(key64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected <name>+<hex key ID>+<base64 key>"));
        };
        let id = parse_key_id(id_hex).ok_or_else(|| bad("the key ID must be 8 lowercase hex digits"))?;
        let raw = base64::decode(key64).ok_or_else(|| bad("the key is not canonical base64"))?;
        let (&type_byte, public) = raw.split_first().ok_or_else(|| bad("empty key"))?;
        let signature_type = SignatureType::from_byte(type_byte)
            .ok_or_else(|| bad(&format!("unsupported signature type 0x{type_byte:02x} (0x01 Ed25519 and 0x04 cosignature/v1 are)")))?;
        let public: [u8; 32] = public.try_into().map_err(|_| bad("an Ed25519 key is 32 bytes"))?;
        let v = NoteVerifier::new(name, signature_type, &public)?;
        if v.key_id != id {
            return Err(bad("the key ID does not match the name and key"));
        }
        Ok(v)
    }

    /// Verifies `signature` (the bytes after the key ID) over `text`; for a
    /// cosignature, returns `Some(Some(time))`. `None` if it does not verify.
    pub fn verify(&self, text: &str, signature: &[u8]) -> Option<Option<u64>> {
        if signature.len() != self.signature_type.signature_len() {
            return None;
        }
        match self.signature_type {
            SignatureType::Ed25519 => {
                let sig: &[u8; 64] = signature.try_into().ok()?;
                verify_strict(&self.key, text.as_bytes(), sig).then_some(None)
            }
            SignatureType::CosignatureV1 => {
                let (time, sig) = signature.split_at(8);
                let time = u64::from_be_bytes(time.try_into().ok()?);
                if time > i64::MAX as u64 {
                    return None;
                }
                let sig: &[u8; 64] = sig.try_into().ok()?;
                verify_strict(&self.key, cosignature_message(time, text).as_bytes(), sig).then_some(Some(time))
            }
        }
    }
}

impl std::fmt::Display for NoteVerifier {
    /// The verifier key string.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut raw = vec![self.signature_type.byte()];
        raw.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{:08x}+{}", self.name, self.key_id, base64::encode(&raw))
    }
}

fn parse_key_id(s: &str) -> Option<u32> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    let b = hex::decode_array::<4>(s)?;
    Some(u32::from_be_bytes(b))
}

/// A secret key that signs notes of one type under one name.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    key_id: u32,
    signature_type: SignatureType,
    key: SecretKey,
}

const SIGNER_PREFIX: &str = "PRIVATE+KEY+";

impl NoteSigner {
    pub fn from_seed(name: &str, signature_type: SignatureType, seed: [u8; 32]) -> Result<NoteSigner> {
        if !is_valid_key_name(name) {
            return Err(LedgerError::decode("signer key", format!("invalid key name `{name}`")));
        }
        let key = SecretKey::from_seed(seed);
        verifying_key(&key.public())?;
        Ok(NoteSigner { name: name.to_string(), key_id: key_id(name, signature_type, &key.public()), signature_type, key })
    }

    /// A new key from the operating system's random source.
    pub fn generate(name: &str, signature_type: SignatureType) -> Result<NoteSigner> {
        NoteSigner::from_seed(name, signature_type, SecretKey::generate()?.seed())
    }

    /// Parses `PRIVATE+KEY+<name>+<hex key ID>+<base64(type ‖ seed)>`,
    /// checking the key ID against the public key the seed derives.
    pub fn parse(skey: &str) -> Result<NoteSigner> {
        let bad = |why: &str| LedgerError::decode("signer key", why.to_string());
        let rest = skey.strip_prefix(SIGNER_PREFIX).ok_or_else(|| bad("does not start with PRIVATE+KEY+"))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(key64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected PRIVATE+KEY+<name>+<hex key ID>+<base64 key>"));
        };
        let id = parse_key_id(id_hex).ok_or_else(|| bad("the key ID must be 8 lowercase hex digits"))?;
        let raw = base64::decode(key64).ok_or_else(|| bad("the key is not canonical base64"))?;
        let (&type_byte, seed) = raw.split_first().ok_or_else(|| bad("empty key"))?;
        let signature_type = SignatureType::from_byte(type_byte).ok_or_else(|| bad(&format!("unsupported signature type 0x{type_byte:02x}")))?;
        let seed: [u8; 32] = seed.try_into().map_err(|_| bad("an Ed25519 seed is 32 bytes"))?;
        let s = NoteSigner::from_seed(name, signature_type, seed)?;
        if s.key_id != id {
            return Err(bad("the key ID does not match the name and key"));
        }
        Ok(s)
    }

    /// The signer key string (secret: write it only to a private file).
    pub fn to_secret_string(&self) -> String {
        let mut raw = vec![self.signature_type.byte()];
        raw.extend_from_slice(&self.key.seed());
        format!("{SIGNER_PREFIX}{}+{:08x}+{}", self.name, self.key_id, base64::encode(&raw))
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn key_id(&self) -> u32 {
        self.key_id
    }
    pub fn signature_type(&self) -> SignatureType {
        self.signature_type
    }

    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier { name: self.name.clone(), key_id: self.key_id, signature_type: self.signature_type, key: self.key.verifying_key() }
    }

    /// Signs a note's text (type `0x01`). The text must end in a newline.
    pub fn sign(&self, text: &str) -> Result<NoteSignature> {
        if self.signature_type != SignatureType::Ed25519 {
            return Err(LedgerError::Refused("a cosignature key signs with a timestamp (cosign)".into()));
        }
        check_text(text)?;
        Ok(NoteSignature { name: self.name.clone(), key_id: self.key_id, signature: self.key.sign(text.as_bytes()).to_vec() })
    }

    /// Cosigns a checkpoint's text at `timestamp_secs` (type `0x04`): the
    /// signature is the big-endian time followed by the Ed25519 signature
    /// of [`cosignature_message`].
    pub fn cosign(&self, text: &str, timestamp_secs: u64) -> Result<NoteSignature> {
        if self.signature_type != SignatureType::CosignatureV1 {
            return Err(LedgerError::Refused("an Ed25519 note key does not cosign".into()));
        }
        if timestamp_secs == 0 || timestamp_secs > i64::MAX as u64 {
            return Err(LedgerError::Refused(format!("cosignature time {timestamp_secs} is out of range")));
        }
        check_text(text)?;
        let mut signature = timestamp_secs.to_be_bytes().to_vec();
        signature.extend_from_slice(&self.key.sign(cosignature_message(timestamp_secs, text).as_bytes()));
        Ok(NoteSignature { name: self.name.clone(), key_id: self.key_id, signature })
    }
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NoteSigner({}+{:08x})", self.name, self.key_id)
    }
}

/// A note text must end in a newline, hold no blank line at its end (it
/// would move the split) and no control characters.
fn check_text(text: &str) -> Result<()> {
    if !text.ends_with('\n') || text.ends_with("\n\n") || text == "\n" {
        return Err(LedgerError::decode("note text", "must end in exactly one newline"));
    }
    check_characters(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    // From golang.org/x/mod/sumdb/note/note_test.go.
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PETER_SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    #[test]
    fn go_signer_key_signs_the_published_note_byte_for_byte() {
        let signer = NoteSigner::parse(PETER_SKEY).unwrap();
        assert_eq!(signer.key_id(), 0xc74f20a3);
        assert_eq!(signer.to_secret_string(), PETER_SKEY);
        assert_eq!(signer.verifier().to_string(), PETER_VKEY);
        let note = Note { text: TEXT.into(), signatures: vec![signer.sign(TEXT).unwrap()] };
        assert_eq!(note.to_text(), format!("{TEXT}\n{PETER_SIG}"));
    }

    #[test]
    fn go_verifier_keys_parse_and_round_trip() {
        for vkey in [PETER_VKEY, ENOCH_VKEY] {
            assert_eq!(NoteVerifier::parse(vkey).unwrap().to_string(), vkey);
        }
        // Every truncation and every changed byte is refused, as in Go's test.
        let b = PETER_VKEY.as_bytes();
        for i in 0..b.len() {
            assert!(NoteVerifier::parse(&PETER_VKEY[..i]).is_err());
            let mut m = b.to_vec();
            m[i] = m[i].wrapping_add(1);
            if let Ok(s) = std::str::from_utf8(&m) {
                assert!(NoteVerifier::parse(s).is_err(), "{s}");
            }
        }
        // Go's examples of a wrong length and an unknown algorithm, each with an adjusted key hash.
        assert!(NoteVerifier::parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==").is_err());
        assert!(NoteVerifier::parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_err());
    }

    #[test]
    fn go_published_note_opens_with_one_or_both_keys() {
        let peter = NoteVerifier::parse(PETER_VKEY).unwrap();
        let enoch = NoteVerifier::parse(ENOCH_VKEY).unwrap();
        let msg = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        let (note, valid) = Note::open(msg.as_bytes(), std::slice::from_ref(&peter)).unwrap();
        assert_eq!(note.text, TEXT);
        assert_eq!(valid.len(), 1);
        assert_eq!(note.verify(std::slice::from_ref(&peter)).unknown, 1);
        let (_, valid) = Note::open(msg.as_bytes(), &[peter.clone(), enoch]).unwrap();
        assert_eq!(valid.iter().map(|v| v.key_id).collect::<Vec<_>>(), [0xc74f20a3, 0xaf0cfe78]);
        assert!(Note::open(msg.as_bytes(), &[]).is_err(), "no known key");
        // A corrupted signature from a known key fails the whole note.
        let corrupt = format!("{TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
        assert!(Note::open(corrupt.as_bytes(), std::slice::from_ref(&peter)).is_err());
    }

    #[test]
    fn malformed_notes_are_refused() {
        let bad = [
            TEXT.to_string(),
            format!("{TEXT}\n"),
            format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
            format!("\x01{TEXT}\n{PETER_SIG}"),
            format!("{TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"),
            format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
            format!("{TEXT}\n{}", PETER_SIG.repeat(MAX_NOTE_SIGNATURES + 1)),
        ];
        for msg in bad {
            assert!(Note::parse(msg.as_bytes()).is_err(), "{msg:?}");
        }
        assert!(Note::parse(b"\xff\n\n- x\n").is_err());
    }

    #[test]
    fn signed_note_spec_example_verifies() {
        // c2sp.org/signed-note, "Example".
        let v = NoteVerifier::parse("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k").unwrap();
        let msg =
            "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
        let (note, valid) = Note::open(msg.as_bytes(), &[v]).unwrap();
        assert_eq!(note.text, "This is an example message.\n");
        assert_eq!(valid[0].timestamp_secs, None);
        assert_eq!(note.to_text(), msg);
    }

    #[test]
    fn cosignature_spec_example_carries_its_timestamp() {
        // c2sp.org/tlog-cosignature: the example cosignature line's
        // timestamp is the `time 1679315147` of the example signed message.
        let line = "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==";
        let sig = NoteSignature::parse_line(line).unwrap();
        assert_eq!(sig.name, "witness.example.com/w1");
        assert_eq!(sig.key_id, 0x8d66cf3f);
        assert_eq!(sig.cosignature_time(), Some(1679315147));
        assert_eq!(sig.line(), format!("{line}\n"));
        let body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        assert_eq!(
            cosignature_message(1679315147, body),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
    }

    #[test]
    fn cosignatures_verify_and_bind_time_type_and_text() {
        let w = NoteSigner::from_seed("witness.example/arm", SignatureType::CosignatureV1, [9; 32]).unwrap();
        let v = NoteVerifier::parse(&w.verifier().to_string()).unwrap();
        assert_eq!(v.signature_type, SignatureType::CosignatureV1);
        // The key ID uses type byte 0x04, so the same key as 0x01 has another ID.
        let as_note_key = NoteSigner::from_seed("witness.example/arm", SignatureType::Ed25519, [9; 32]).unwrap();
        assert_ne!(as_note_key.key_id(), w.key_id());
        assert_eq!(w.key_id(), key_id("witness.example/arm", SignatureType::CosignatureV1, &v.key.to_bytes()));
        let body = "casus.example/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let sig = w.cosign(body, 1_700_000_000).unwrap();
        assert_eq!(sig.signature.len(), 72);
        assert_eq!(sig.cosignature_time(), Some(1_700_000_000));
        assert_eq!(v.verify(body, &sig.signature), Some(Some(1_700_000_000)));
        let mut later = sig.signature.clone();
        later[7] ^= 1;
        assert_eq!(v.verify(body, &later), None, "the time is signed");
        assert_eq!(v.verify(&body.replace('5', "6"), &sig.signature), None, "the text is signed");
        assert!(w.cosign(body, 0).is_err(), "a zero time is refused");
        assert!(w.sign(body).is_err() && as_note_key.cosign(body, 1).is_err(), "a key signs only its own type");
    }

    #[test]
    fn signer_keys_refuse_mangling() {
        let b = PETER_SKEY.as_bytes();
        for i in 0..b.len() {
            assert!(NoteSigner::parse(&PETER_SKEY[..i]).is_err());
            let mut m = b.to_vec();
            m[i] = m[i].wrapping_add(1);
            if let Ok(s) = std::str::from_utf8(&m) {
                assert!(NoteSigner::parse(s).is_err(), "{s}");
            }
        }
        for name in ["", "a b", "a+b", "a\u{2003}b"] {
            assert!(NoteSigner::from_seed(name, SignatureType::Ed25519, [1; 32]).is_err(), "{name:?}");
        }
    }
}
