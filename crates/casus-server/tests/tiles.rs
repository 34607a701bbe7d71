//! The server's C2SP `tlog-tiles` endpoints, in process: `/checkpoint`
//! is the latest note (signed by the operator); every tile of the tree
//! rebuilds the note's root, every upper-level hash is the root of the
//! leaves below it, every bundle's entries hash to the level-0 tiles; tiles
//! carry immutable cache headers and stay the same as the log grows; a tile
//! the log does not have yet is 404, a malformed path 400; a bundle holding
//! an entry over 65,535 bytes is 422 at the spec's URL and served with
//! `u32` lengths at `/casus/entries/`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use casus_ledger::checkpoint_note::{TreeHead, operator_note_verifier};
use casus_ledger::note::Note;
use casus_ledger::tiles::{self, BundleFormat, TileKind, TilePath};
use casus_ledger::{Ledger, MemStore, SecretKey, Store, merkle};
use casus_model::{Symbols, Time};
use casus_server::{AppState, Config, StoreOpener, app};
use http_body_util::BodyExt;
use tower::ServiceExt;

const TREATY: (&str, &str) = ("treaties/cst.md", include_str!("../../../treaties/cst.md"));
const RECORD: (&str, &str) = ("records/csto-2021-2025.md", include_str!("../../../records/csto-2021-2025.md"));

/// A demo ledger with the record imported `1 + extra` times (record mode,
/// by the operator), checkpointed; the treaty text as given.
fn ledger(treaty_text: &str, extra: usize) -> (MemStore, SecretKey) {
    let store = MemStore::new();
    let operator = SecretKey::from_seed([1; 32]);
    let parties = vec![("ARM".to_string(), SecretKey::from_seed([2; 32]))];
    let now = Time(casus_server::state::system_now() - 60);
    casus_server::demo::create(Box::new(store.clone()), (TREATY.0, treaty_text), RECORD, &operator, &parties, now).expect("demo ledger");
    let mut symbols = Symbols::new();
    let (t, _) = casus_lang::load_treaty(TREATY.0, treaty_text, &mut symbols);
    let (record, _) = casus_lang::load_record(RECORD.0, RECORD.1, &t, &mut symbols);
    let mut l = Ledger::open(Box::new(store.clone()));
    for _ in 0..extra {
        l.import(&record, &symbols, &operator, now).expect("import");
    }
    l.checkpoint(&operator, now).expect("checkpoint");
    (store, operator)
}

fn state(store: &MemStore) -> AppState {
    let s2 = store.clone();
    let opener: StoreOpener = Arc::new(move || Ok(Box::new(s2.clone()) as Box<dyn Store>));
    AppState::open(opener, Config::default()).expect("open")
}

async fn get(state: &AppState, uri: &str) -> (StatusCode, Vec<u8>, Option<String>, Option<String>) {
    let resp = app(state.clone()).oneshot(Request::get(uri).body(Body::empty()).expect("request")).await.expect("response");
    let status = resp.status();
    let header = |h| resp.headers().get(h).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (ctype, cache) = (header(header::CONTENT_TYPE), header(header::CACHE_CONTROL));
    let body = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
    (status, body, ctype, cache)
}

async fn get_ok(state: &AppState, uri: &str) -> Vec<u8> {
    let (status, body, ctype, cache) = get(state, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {}", String::from_utf8_lossy(&body));
    assert_eq!(ctype.as_deref(), Some("application/octet-stream"), "{uri}");
    assert_eq!(cache.as_deref(), Some(casus_server::tiles::IMMUTABLE), "{uri}");
    body
}

#[tokio::test]
async fn tiles_rebuild_the_checkpoint_and_the_entries() {
    let (store, operator) = ledger(TREATY.1, 12);
    let st = state(&store);
    let (status, note, ctype, cache) = get(&st, "/checkpoint").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ctype.as_deref(), Some("text/plain; charset=utf-8"));
    assert_eq!(cache.as_deref(), Some(casus_server::tiles::CHECKPOINT_CACHE));
    let parsed = Note::parse(&note).expect("note");
    let head = TreeHead::parse_body(&parsed.text).expect("checkpoint");
    let vkey = operator_note_verifier(&head.origin, &operator.public()).expect("verifier");
    Note::open(&note, &[vkey]).expect("signed by the operator");
    let n = head.size;
    assert!(n > 512 && n < 65_536, "{n} entries: two full level-0 tiles and a partial one");

    // The level-0 tiles give the leaves, which hash to the checkpoint's root.
    let mut leaves = Vec::new();
    let all = tiles::tiles_for_size(n);
    for t in all.iter().filter(|t| t.kind == TileKind::Hashes(0)) {
        leaves.extend(tiles::parse_hash_tile(&get_ok(&st, &format!("/{}", t.path())).await, t.width).expect("tile"));
    }
    assert_eq!(leaves.len() as u64, n);
    assert_eq!(merkle::root(&leaves), head.root);
    // Upper levels: each hash is the root of the 256^level leaves below it.
    for t in all.iter().filter(|t| t.level() > 0) {
        let hashes = tiles::parse_hash_tile(&get_ok(&st, &format!("/{}", t.path())).await, t.width).expect("tile");
        let range = t.leaf_range().expect("range");
        let per = (range.end - range.start) as usize / hashes.len();
        for (i, h) in hashes.iter().enumerate() {
            let s = range.start as usize + i * per;
            assert_eq!(*h, merkle::root(&leaves[s..s + per]), "{} hash {i}", t.path());
        }
    }
    // Bundles: every entry hashes to its leaf; partial ones of an earlier size too.
    for b in tiles::bundles_for_range(0, n).into_iter().chain([TilePath::entries(0, 3), TilePath::entries(1, 200)]) {
        let bytes = get_ok(&st, &format!("/{}", b.path())).await;
        let entries = tiles::decode_bundle(&bytes, BundleFormat::Narrow, b.width).expect("bundle");
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(merkle::leaf_hash(e), leaves[(b.index * 256) as usize + i], "{} entry {i}", b.path());
        }
    }
    // A partial tile of an earlier size is the prefix of the full one.
    let full = get_ok(&st, "/tile/0/000").await;
    assert_eq!(get_ok(&st, "/tile/0/000.p/5").await, full[..5 * 32]);

    // What the log does not have yet is 404; a malformed path is 400.
    let partial = all.iter().find(|t| t.level() == 0 && !t.is_full()).expect("a partial tile");
    for missing in [
        TilePath::hashes(0, partial.index, partial.width + 1).path(),
        TilePath::hashes(0, partial.index + 1, 1).path(),
        TilePath::hashes(2, 0, 1).path(),
        TilePath::entries(partial.index, partial.width + 1).path(),
    ] {
        assert_eq!(get(&st, &format!("/{missing}")).await.0, StatusCode::NOT_FOUND, "{missing}");
    }
    for bad in ["/tile/0/1", "/tile/00/000", "/tile/0/000.p/0", "/tile/0/000.p/256", "/tile/64/000", "/tile/entries/x000/001", "/casus/entries/1"] {
        assert_eq!(get(&st, bad).await.0, StatusCode::BAD_REQUEST, "{bad}");
    }

    // The log grows: old tiles stay the same, the new ones appear.
    let mut symbols = Symbols::new();
    let (t, _) = casus_lang::load_treaty(TREATY.0, TREATY.1, &mut symbols);
    let (record, _) = casus_lang::load_record(RECORD.0, RECORD.1, &t, &mut symbols);
    let mut l = Ledger::open(Box::new(store.clone()));
    l.import(&record, &symbols, &operator, Time(casus_server::state::system_now())).expect("import");
    st.sync().expect("sync");
    let grown = st.data().expect("data").size();
    assert_eq!(get_ok(&st, "/tile/0/000").await, full);
    for t in tiles::tiles_grown(n, grown) {
        get_ok(&st, &format!("/{}", t.path())).await;
    }
    // The checkpoint is the latest stored note, not the log's head.
    l.checkpoint(&operator, Time(casus_server::state::system_now())).expect("checkpoint");
    std::thread::sleep(casus_server::tiles::CHECKPOINT_REREAD);
    let note = get(&st, "/checkpoint").await.1;
    assert_eq!(TreeHead::parse_body(&Note::parse(&note).expect("note").text).expect("head").size, grown);
}

#[tokio::test]
async fn a_bundle_with_a_long_entry_is_served_with_u32_lengths_elsewhere() {
    // The treaty with a long prose appendix: its genesis entry is over 64 KiB.
    let long = format!("{}\n\n## Appendix\n\n{}\n", TREATY.1, "The parties reaffirm their commitments. ".repeat(2000));
    let (store, _) = ledger(&long, 0);
    let st = state(&store);
    let (status, body, _, _) = get(&st, "/tile/entries/000.p/1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&body));
    let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(json["error"]["code"], "entry_too_long");
    let wide = get_ok(&st, "/casus/entries/000.p/1").await;
    let entries = tiles::decode_bundle(&wide, BundleFormat::Wide, 1).expect("wide bundle");
    assert!(entries[0].len() > tiles::MAX_NARROW_ENTRY_BYTES);
    let leaf0 = tiles::parse_hash_tile(&get_ok(&st, "/tile/0/000.p/1").await, 1).expect("tile")[0];
    assert_eq!(merkle::leaf_hash(entries[0]), leaf0);
}
