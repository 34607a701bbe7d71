//! The committed test vectors of docs/LEDGER.md: act → canonical bytes →
//! entry bytes → SHA-256 leaf hash and link hash → Ed25519 signature, with
//! fixed seeds. The second entry's `prev` is the first entry's link hash.
//!
//! The vectors in `tests/vectors/*.txt` are the contract with every other
//! implementation: if this test fails, the byte layout changed, and that
//! needs a new version string, not new vectors. The test checks both ways:
//! encoding the fixed inputs gives the committed bytes, and the committed
//! bytes verify on their own (signature over the stored bytes, never over
//! a re-serialization). `CASUS_BLESS=1` rewrites the files (for a new
//! version only).

use std::collections::BTreeMap;
use std::path::PathBuf;

use casus_ledger::encode::{ActFields, encode_act};
use casus_ledger::entry::{Checkpoint, Entry, EntryKind, EntryView, Mode, Statement, sequenced_entry};
use casus_ledger::keys::{self, SecretKey};
use casus_ledger::{hex, merkle, sha256};
use casus_model::{Act, ActKind, Citation, Precision, Symbols, Time};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// The two acts of the vectors: a bare live act, and a recorded act with
/// every field set (non-ASCII text, lists, optional times).
fn acts(s: &mut Symbols) -> Vec<(&'static str, Act, Mode)> {
    let mut i = |x: &str| s.intern(x);
    let live = Act {
        id: i("arm_live_1"),
        time: Time::from_date(2022, 9, 13),
        actor: i("ARM"),
        kind: ActKind::Request,
        subject: i("assistance"),
        under: i("art4"),
        to: i("CSC"),
        ..Act::default()
    };
    let full = Act {
        id: i("kaz_2022_01_deploy"),
        time: Time::parse("2022-01-06T10:30").unwrap().0,
        precision: Precision::Second,
        actor: i("CSC"),
        kind: ActKind::Deployment,
        subject: i("peacekeeping"),
        under: i("art4"),
        to: i("KAZ"),
        against: i("X"),
        about: i("KAZ"),
        from: vec![i("RUS"), i("BLR"), i("ARM"), i("TJK"), i("KGZ")].into(),
        document: i("doc1"),
        means: i("military"),
        case: i("kaz_2022_01"),
        organ: i("CSC"),
        personnel: 2030,
        extra: Some(Box::new(casus_model::ActExtra {
            start: Some(Time::from_date(2022, 1, 6)),
            end: Some(Time::from_date(2022, 1, 19)),
            ..Default::default()
        })),
        title: i("Коллективные миротворческие силы"),
        reason: i("r"),
        condition: i("c"),
        text: i("t \"quoted\""),
        note: i("n"),
        sources: vec![Citation { url: i("https://example.org/a"), title: i("Example A") }, Citation { url: i(""), title: i("Title only") }].into(),
        ..Act::default()
    };
    vec![("act-live", live, Mode::Live), ("act-record", full, Mode::Record)]
}

fn compute() -> Vec<(String, BTreeMap<&'static str, String>)> {
    let mut s = Symbols::new();
    let key = SecretKey::from_seed([0x42; 32]);
    let mut out = Vec::new();
    let mut prev = [0u8; 32];
    let mut leaves = Vec::new();
    for (n, (name, act, mode)) in acts(&mut s).into_iter().enumerate() {
        let payload = encode_act(&act, &s).unwrap();
        let entry = Entry {
            seq: 7 + n as u64,
            kind: EntryKind::Act,
            mode,
            valid_time: act.time.0,
            record_time: Time::from_date(2026, 11, 1).0 + n as i64,
            prev,
            payload: &payload,
        }
        .sign(&key)
        .unwrap();
        let leaf = merkle::leaf_hash(&entry);
        let link = casus_ledger::entry::link_hash(&entry[..entry.len() - 64]);
        let mut v = BTreeMap::new();
        v.insert("seed", hex::encode(&[0x42; 32]));
        v.insert("public_key", hex::encode(&key.public()));
        v.insert("key_id", key.id().hex());
        v.insert("act", hex::encode(&payload));
        v.insert("act_sha256", hex::encode(&sha256(&payload)));
        v.insert("entry", hex::encode(&entry));
        v.insert("leaf_hash", hex::encode(&leaf));
        v.insert("link_hash", hex::encode(&link));
        v.insert("prev", hex::encode(&prev));
        v.insert("signature", hex::encode(&entry[entry.len() - 64..]));
        out.push((name.to_string(), v));
        prev = link;
        leaves.push(leaf);
    }
    // The checkpoint's layout did not change with entry v2: its vector
    // signs the same fields as before (the last leaf hash as its root).
    let (_, cp) = Checkpoint::sign(9, *leaves.last().unwrap_or(&[0; 32]), Time::from_date(2026, 11, 2).0, &key);
    let mut v = BTreeMap::new();
    v.insert("seed", hex::encode(&[0x42; 32]));
    v.insert("public_key", hex::encode(&key.public()));
    v.insert("checkpoint", hex::encode(&cp));
    v.insert("signature", hex::encode(&cp[cp.len() - 64..]));
    out.push(("checkpoint".to_string(), v));
    out
}

fn render(name: &str, v: &BTreeMap<&'static str, String>) -> String {
    let mut s = format!(
        "# casus ledger test vector `{name}` (docs/LEDGER.md). One `field hex` per line.\n# Ed25519 seed 0x42 x 32; entry record times 2026-11-01T00:00:0nZ.\n"
    );
    for (k, val) in v {
        s.push_str(&format!("{k} {val}\n"));
    }
    s
}

fn parse(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once(' ').map(|(k, v)| (k.to_string(), v.trim().to_string())))
        .collect()
}

#[test]
fn committed_vectors_match_and_verify() {
    let bless = std::env::var_os("CASUS_BLESS").is_some();
    for (name, v) in compute() {
        let path = dir().join(format!("{name}.txt"));
        if bless {
            std::fs::write(&path, render(&name, &v)).unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let stored = parse(&text);
        // 1. The encoder reproduces the committed bytes.
        for (k, val) in &v {
            assert_eq!(stored.get(*k), Some(val), "{name}: field `{k}` differs from the committed vector");
        }
        // 2. The committed bytes verify by themselves.
        let key = keys::verifying_key(&hex::decode_array(&stored["public_key"]).unwrap()).unwrap();
        if let Some(entry) = stored.get("entry") {
            let bytes = hex::decode(entry).unwrap();
            let view = EntryView::parse(&bytes).unwrap();
            assert!(keys::verify_strict(&key, view.signed, &view.signature), "{name}: signature");
            assert_eq!(hex::encode(&merkle::leaf_hash(&bytes)), stored["leaf_hash"]);
            // The link (the next entry's `prev`) leaves the signature out.
            assert_eq!(hex::encode(&sha256(view.signed)), stored["link_hash"]);
            assert_eq!(hex::encode(&view.prev.unwrap()), stored["prev"]);
            assert_eq!(hex::encode(view.payload), stored["act"]);
            assert!(ActFields::decode(view.payload).is_ok());
        } else {
            let bytes = hex::decode(&stored["checkpoint"]).unwrap();
            let (cp, signed) = Checkpoint::parse(&bytes).unwrap();
            assert!(keys::verify_strict(&key, signed, &cp.signature), "{name}: checkpoint signature");
        }
    }
}

#[test]
fn sha256_and_empty_root_are_the_standard_ones() {
    // `sha256sum` of an empty input; RFC 6962's empty tree.
    assert_eq!(hex::encode(&sha256(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(merkle::empty_root(), sha256(b""));
}

/// The entry-bundle and level-0 tile vector of docs/LEDGER.md ("Tiles"):
/// the two entries of the vectors above as entries 0 and 1 of a log, as the
/// partial bundle `tile/entries/000.p/2` and the tile `tile/0/000.p/2`;
/// hashes computed independently with Python's `hashlib`.
#[test]
fn tile_and_bundle_vectors() {
    use casus_ledger::tiles::{BundleFormat, TileHashes, TilePath, decode_bundle, encode_bundle};
    let entry = |name: &str| {
        let text = std::fs::read_to_string(dir().join(format!("{name}.txt"))).expect("vector file");
        hex::decode(&parse(&text)["entry"]).expect("hex")
    };
    let entries = [entry("act-live"), entry("act-record")];
    let bundle = encode_bundle(&entries, BundleFormat::Narrow).expect("bundle");
    assert_eq!((bundle.len(), &bundle[..2], &bundle[317..319]), (859, &[0x01, 0x3b][..], &[0x02, 0x1c][..]));
    assert_eq!(hex::encode(&sha256(&bundle)), "d74eaaf25df5b536321fa09ddc9f7cac4f1b576d078c0878bb30f64cbfdb1b2a");
    assert_eq!(decode_bundle(&bundle, BundleFormat::Narrow, 2).expect("decode"), [&entries[0][..], &entries[1][..]]);
    let wide = encode_bundle(&entries, BundleFormat::Wide).expect("bundle");
    assert_eq!(hex::encode(&sha256(&wide)), "c40d67185cbfa101e3f794a8265265687015f486142919193d4ecc6319b50021");
    let leaves: Vec<merkle::Hash> = entries.iter().map(|e| merkle::leaf_hash(e)).collect();
    let mut th = TileHashes::new();
    th.update(&leaves).expect("update");
    let tile = th.tile(&leaves, &TilePath::parse("0/000.p/2").expect("path")).expect("tile");
    assert_eq!(hex::encode(&sha256(&tile)), "ee88d8cfa71b4e6ec5eab35d0ff74e046c1d81378e8d0c28376b73fd3787ebcb");
    assert_eq!(hex::encode(&merkle::root(&leaves)), "a50c0515a79f25c46f31eb863085842074c335145564d7eebb70177769c3c1df");
}

/// `casus/entry/v3`: the vector was computed independently (Python's
/// `cryptography` and `hashlib`, from docs/LEDGER.md); casus must encode
/// the same statement, signature, entry, leaf and link hashes, and read
/// the committed entry back.
#[test]
fn statement_v3_vector() {
    let stored = parse(&std::fs::read_to_string(dir().join("act-v3.txt")).unwrap());
    let act = hex::decode(&stored["act"]).unwrap();
    let key = SecretKey::from_seed([0x42; 32]);
    assert_eq!(key.id().hex(), stored["key_id"]);
    let view_time = ActFields::decode(&act).unwrap().time;
    let statement = Statement { origin: &stored["origin"], sequence: 1, kind: EntryKind::Act, mode: Mode::Live, valid_time: view_time, payload: &act };
    let bytes = statement.encode(&key.id()).unwrap();
    assert_eq!(hex::encode(&bytes), stored["statement"]);
    let signed = statement.sign(&key).unwrap();
    assert_eq!(hex::encode(&signed[bytes.len()..]), stored["signature"], "Ed25519 is deterministic");
    let signature: [u8; 64] = hex::decode_array(&stored["signature"]).unwrap();
    let entry = sequenced_entry(5, 1_793_491_200, &bytes, &signature).unwrap();
    assert_eq!(hex::encode(&entry), stored["entry"]);
    assert_eq!(hex::encode(&merkle::leaf_hash(&entry)), stored["leaf_hash"]);
    let view = EntryView::parse(&entry).unwrap();
    assert_eq!((view.version, view.seq, view.record_time, view.sequence, view.origin), (3, 5, 1_793_491_200, Some(1), Some(stored["origin"].as_str())));
    assert_eq!(view.prev, None);
    assert_eq!(view.signer, key.id());
    assert_eq!(view.payload, &act[..]);
    assert_eq!(hex::encode(&sha256(view.unsigned)), stored["link_hash"]);
    let public = keys::verifying_key(&hex::decode_array(&stored["public_key"]).unwrap()).unwrap();
    assert!(keys::verify_strict(&public, view.signed, &view.signature));
    // A byte changed anywhere in the statement breaks the signature.
    let mut bad = entry.clone();
    let at = bad.len() - 70;
    bad[at] ^= 1;
    let v = EntryView::parse(&bad).unwrap();
    assert!(!keys::verify_strict(&public, v.signed, &v.signature));
}
