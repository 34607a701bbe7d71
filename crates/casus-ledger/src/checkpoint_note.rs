//! C2SP `tlog-checkpoint` bodies: the origin, the tree size and the base64
//! Merkle root, one per line, then optional extension lines.
//!
//! A checkpoint is a [`crate::note::Note`] whose text is this body, signed
//! by the log's operator and cosigned by witnesses. This module exists so
//! that a tree head has one textual form that any transparency-log tool
//! reads; parsing is strict (no leading zeros, canonical base64, a 32-byte
//! root), so each tree head has exactly one body.

use crate::merkle::{Hash, empty_root};
use crate::note::{Note, NoteSigner, NoteVerifier, SignatureType, VerifiedSignature};
use crate::{LedgerError, Result, base64};

/// Longest origin line, in bytes.
pub const MAX_ORIGIN_BYTES: usize = 1024;
/// Most extension lines in one checkpoint.
pub const MAX_EXTENSION_LINES: usize = 16;

/// The tree head a checkpoint states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeHead {
    /// The log's unique name (its first line), e.g. `csto.example/ledger`.
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// Opaque lines after the root (the spec recommends none).
    pub extensions: Vec<String>,
}

impl TreeHead {
    pub fn new(origin: &str, size: u64, root: Hash) -> TreeHead {
        TreeHead { origin: origin.to_string(), size, root, extensions: Vec::new() }
    }

    /// The note text: `<origin>\n<size>\n<base64 root>\n[extensions\n]`.
    pub fn body(&self) -> String {
        let mut s = format!("{}\n{}\n{}\n", self.origin, self.size, base64::encode(&self.root));
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Parses a checkpoint body (a note's text).
    pub fn parse_body(text: &str) -> Result<TreeHead> {
        let bad = |why: String| LedgerError::decode("checkpoint", why);
        let lines = text.strip_suffix('\n').ok_or_else(|| bad("the body must end in a newline".into()))?;
        let mut lines = lines.split('\n');
        let origin = lines.next().unwrap_or("");
        if origin.is_empty() || origin.len() > MAX_ORIGIN_BYTES || origin.chars().any(char::is_control) {
            return Err(bad(format!("the origin must be one non-empty line of at most {MAX_ORIGIN_BYTES} bytes")));
        }
        let size = lines.next().ok_or_else(|| bad("no tree size line".into()))?;
        let size = parse_decimal(size).ok_or_else(|| bad(format!("tree size `{size}` is not a decimal without leading zeros")))?;
        let root = lines.next().ok_or_else(|| bad("no root hash line".into()))?;
        let root = base64::decode_array::<32>(root).ok_or_else(|| bad("the root hash is not 32 bytes of canonical base64".into()))?;
        let mut extensions = Vec::new();
        for line in lines {
            if line.is_empty() || line.chars().any(char::is_control) {
                return Err(bad("an extension line must be non-empty".into()));
            }
            if extensions.len() == MAX_EXTENSION_LINES {
                return Err(bad(format!("more than {MAX_EXTENSION_LINES} extension lines")));
            }
            extensions.push(line.to_string());
        }
        Ok(TreeHead { origin: origin.to_string(), size, root, extensions })
    }

    /// A checkpoint of size zero must carry the empty tree's root.
    pub fn is_well_formed_empty(&self) -> bool {
        self.size != 0 || self.root == empty_root()
    }

    /// The signed checkpoint note, signed by `signer` (the log's key).
    pub fn sign(&self, signer: &NoteSigner) -> Result<Note> {
        let body = self.body();
        let sig = signer.sign(&body)?;
        Ok(Note { text: body, signatures: vec![sig] })
    }
}

/// What a casus ledger's origin starts with; the lowercase hex of the
/// genesis entry's leaf hash follows.
pub const LEDGER_ORIGIN_PREFIX: &str = "casus.ledger/";

/// A casus ledger's origin (the first line of its checkpoint notes, and the
/// name of the operator's note key): [`LEDGER_ORIGIN_PREFIX`] followed by
/// the 64 lowercase hex digits of the genesis entry's leaf hash. It is
/// fixed by the genesis entry, so every ledger has one from its first entry
/// on (those written before notes existed included), no two ledgers share
/// one, and nothing new is stored to keep it.
pub fn ledger_origin(genesis_leaf: &Hash) -> String {
    format!("{LEDGER_ORIGIN_PREFIX}{}", crate::hex::encode(genesis_leaf))
}

/// The operator's note signer for a ledger: the operator's Ed25519 key
/// (the same seed that signs entries and `casus/checkpoint/v1`), named by
/// the ledger's origin, signature type Ed25519 (`0x01`).
pub fn operator_note_signer(origin: &str, operator: &crate::SecretKey) -> Result<NoteSigner> {
    NoteSigner::from_seed(origin, SignatureType::Ed25519, operator.seed())
}

/// The verifier key of an operator's public key for a ledger (what
/// witnesses are configured with, `--log ORIGIN=VERIFIER_KEY`).
pub fn operator_note_verifier(origin: &str, operator_public: &[u8; 32]) -> Result<NoteVerifier> {
    NoteVerifier::new(origin, SignatureType::Ed25519, operator_public)
}

/// A checkpoint verified against a log's keys and a witness policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosignedCheckpoint {
    pub head: TreeHead,
    /// The witnesses' valid cosignatures, one per witness key, with their times.
    pub cosignatures: Vec<VerifiedSignature>,
}

/// Verifies a cosigned checkpoint note: a valid signature by one of
/// `log_keys` (Ed25519 note keys), and valid `cosignature/v1` signatures by
/// at least `quorum` distinct keys of `witnesses`. A signature by a known
/// key that fails refuses the note; unknown signatures are ignored. This is
/// the check a client makes before trusting an inclusion proof against the
/// checkpoint's root.
pub fn verify_cosigned(note: &[u8], log_keys: &[NoteVerifier], witnesses: &[NoteVerifier], quorum: usize) -> Result<CosignedCheckpoint> {
    let parsed = Note::parse(note)?;
    let head = TreeHead::parse_body(&parsed.text)?;
    let mut known: Vec<NoteVerifier> = log_keys.iter().filter(|k| k.signature_type == SignatureType::Ed25519).cloned().collect();
    let log_count = known.len();
    known.extend(witnesses.iter().filter(|w| w.signature_type == SignatureType::CosignatureV1).cloned());
    if log_count == 0 {
        return Err(LedgerError::Refused("no Ed25519 key is configured for the log".into()));
    }
    let checked = parsed.verify(&known);
    if let Some((name, id)) = checked.invalid.first() {
        return Err(LedgerError::Refused(format!("the signature of key {name}+{id:08x} does not verify")));
    }
    if !checked.valid.iter().any(|v| v.signature_type == SignatureType::Ed25519) {
        return Err(LedgerError::Refused(format!("the checkpoint of {} is not signed by the log's key", head.origin)));
    }
    let cosignatures: Vec<VerifiedSignature> = checked.valid.into_iter().filter(|v| v.signature_type == SignatureType::CosignatureV1).collect();
    if cosignatures.len() < quorum {
        return Err(LedgerError::Refused(format!("the checkpoint has {} valid witness cosignature(s); the quorum is {quorum}", cosignatures.len())));
    }
    Ok(CosignedCheckpoint { head, cosignatures })
}

/// An ASCII decimal with no leading zeros (`0` alone for zero), as
/// checkpoints and witness requests write sizes.
pub fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_BODY: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    #[test]
    fn spec_example_parses_and_round_trips() {
        // c2sp.org/tlog-checkpoint, the example checkpoint (its log key is not published).
        let note = format!(
            "{SPEC_BODY}\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
        );
        let note = Note::parse(note.as_bytes()).unwrap();
        let head = TreeHead::parse_body(&note.text).unwrap();
        assert_eq!(head.origin, "example.com/behind-the-sofa");
        assert_eq!(head.size, 20852163);
        assert_eq!(&head.root[..4], &[0x0a, 0xc5, 0x18, 0x6a]);
        assert_eq!(head.body(), SPEC_BODY);
        assert_eq!(note.signatures[0].key_id, 0x033de0ae);
        assert_eq!(note.signatures[0].signature.len(), 64);
    }

    #[test]
    fn bad_bodies_are_refused() {
        let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
        for body in [
            String::new(),
            "o\n1\n".to_string(),
            format!("o\n01\n{root}\n"),
            format!("o\n-1\n{root}\n"),
            format!("o\n1\n{root}"),
            format!("\n1\n{root}\n"),
            format!("o\n1\n{root}\n\n"),
            "o\n1\nAAAA\n".to_string(),
            format!("o\n18446744073709551616\n{root}\n"),
        ] {
            assert!(TreeHead::parse_body(&body).is_err(), "{body:?}");
        }
        let ext = TreeHead::parse_body(&format!("o\n0\n{root}\nx y\n")).unwrap();
        assert_eq!(ext.extensions, ["x y"]);
        assert!(!ext.is_well_formed_empty());
        assert!(TreeHead::new("o", 0, empty_root()).is_well_formed_empty());
    }

    #[test]
    fn signed_checkpoints_verify_with_the_operator_key_only() {
        let op = NoteSigner::from_seed("casus.example/ledger", SignatureType::Ed25519, [3; 32]).unwrap();
        let head = TreeHead::new("casus.example/ledger", 7, [0xab; 32]);
        let note = head.sign(&op).unwrap();
        let (opened, _) = Note::open(note.to_text().as_bytes(), &[op.verifier()]).unwrap();
        assert_eq!(TreeHead::parse_body(&opened.text).unwrap(), head);
        let other = NoteVerifier::new("casus.example/ledger", SignatureType::Ed25519, &crate::SecretKey::from_seed([4; 32]).public()).unwrap();
        assert!(Note::open(note.to_text().as_bytes(), &[other]).is_err());
    }

    #[test]
    fn casus_vector_matches_an_independent_computation() {
        // docs/LEDGER.md, "Signed notes, C2SP checkpoints and cosignatures":
        // computed independently with Python's `cryptography` and `hashlib`.
        use crate::merkle::{leaf_hash, root};
        let op = NoteSigner::from_seed("csto.example/ledger", SignatureType::Ed25519, [1; 32]).unwrap();
        assert_eq!(op.verifier().to_string(), "csto.example/ledger+ffc44cf6+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c");
        assert_eq!(op.to_secret_string(), "PRIVATE+KEY+csto.example/ledger+ffc44cf6+AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB");
        let head = TreeHead::new("csto.example/ledger", 3, root(&[leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")]));
        assert_eq!(head.body(), "csto.example/ledger\n3\nNmQuc8JUCrEh46a/lUWwokmCzYMOsT080Z3jzmwCHsE=\n");
        let note = head.sign(&op).unwrap();
        assert_eq!(
            note.signatures[0].line(),
            "— csto.example/ledger /8RM9lmMry8Lp8cH7jKp63OYtkAq71ofKxh1RbLLoNJkHJOYb+FVSfPao+UJoR1mWNIzy1qiOmc3UjlD/wTWRpRovAA=\n"
        );
        let w = NoteSigner::from_seed("witness.example/arm", SignatureType::CosignatureV1, [2; 32]).unwrap();
        assert_eq!(w.verifier().to_string(), "witness.example/arm+d33d8479+BIE5dw6ofRdfVqNUZsNMfszLjYqRtO43ol32D1uPybOU");
        assert_eq!(w.to_secret_string(), "PRIVATE+KEY+witness.example/arm+d33d8479+BAICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIC");
        assert_eq!(
            w.cosign(&head.body(), 1_764_590_400).unwrap().line(),
            "— witness.example/arm 0z2EeQAAAABpLYNAylAmVr2TyK8q32NaoAufUYmt96TfXfCpWTSWGisfl0GgR9/lkwe6oohup8OT1poVg1+1opVF8YSKGNC/WK9tCg==\n"
        );
    }

    #[test]
    fn ledger_origin_and_operator_note_key_match_an_independent_computation() {
        // docs/LEDGER.md, "Checkpoint notes": a genesis whose bytes are
        // `genesis`, the operator seed 01×32; computed independently with
        // Python's `cryptography` and `hashlib`.
        use crate::merkle::{leaf_hash, root};
        let origin = ledger_origin(&leaf_hash(b"genesis"));
        assert_eq!(origin, "casus.ledger/7b5eabeb1bbd49abd8e501115a1867dd6e979b244839adf2b727a017e4454507");
        let op = crate::SecretKey::from_seed([1; 32]);
        let signer = operator_note_signer(&origin, &op).unwrap();
        assert_eq!(signer.verifier().to_string(), format!("{origin}+0b9ef5d4+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c"));
        assert_eq!(operator_note_verifier(&origin, &op.public()).unwrap(), signer.verifier());
        let head = TreeHead::new(&origin, 3, root(&[leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")]));
        let note = head.sign(&signer).unwrap();
        assert_eq!(
            note.to_text(),
            format!(
                "{origin}\n3\nNmQuc8JUCrEh46a/lUWwokmCzYMOsT080Z3jzmwCHsE=\n\n— {origin} C5711DTdex/cdx8b4ccGqkgr1dNtxQPRSEdOjONQonMnCWlOr4lZxQ3K6B50+NwC2Kiijd6Mshahxj4OH6fsMJmlMg4=\n"
            )
        );
    }

    #[test]
    fn quorum_of_cosignatures_is_counted_per_witness_key() {
        let op = NoteSigner::from_seed("csto.example/ledger", SignatureType::Ed25519, [1; 32]).unwrap();
        let ws: Vec<NoteSigner> =
            (0..3u8).map(|i| NoteSigner::from_seed(&format!("w{i}.example"), SignatureType::CosignatureV1, [10 + i; 32]).unwrap()).collect();
        let wv: Vec<NoteVerifier> = ws.iter().map(NoteSigner::verifier).collect();
        let head = TreeHead::new("csto.example/ledger", 4, [9; 32]);
        let mut note = head.sign(&op).unwrap();
        for (i, w) in ws.iter().take(2).enumerate() {
            note.signatures.push(w.cosign(&note.text, 100 + i as u64).unwrap());
        }
        // A repeated cosignature counts once.
        note.signatures.push(note.signatures[1].clone());
        let bytes = note.to_text();
        let ok = verify_cosigned(bytes.as_bytes(), &[op.verifier()], &wv, 2).unwrap();
        assert_eq!(ok.head, head);
        assert_eq!(ok.cosignatures.iter().map(|c| c.timestamp_secs).collect::<Vec<_>>(), [Some(100), Some(101)]);
        assert!(verify_cosigned(bytes.as_bytes(), &[op.verifier()], &wv, 3).is_err(), "fewer than the quorum");
        assert!(verify_cosigned(bytes.as_bytes(), &[ws[2].verifier()], &wv, 1).is_err(), "not the log's key");
        // A witness's cosignature over another checkpoint fails the note.
        let other = TreeHead::new("csto.example/ledger", 5, [9; 32]).body();
        note.signatures.push(ws[2].cosign(&other, 103).unwrap());
        assert!(verify_cosigned(note.to_text().as_bytes(), &[op.verifier()], &wv, 2).is_err());
    }
}
