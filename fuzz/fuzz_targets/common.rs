//! A demo ledger in memory, built once per fuzzing process: the CST treaty
//! and the CSTO record imported and checkpointed, so that the targets
//! start from real checkpoints, bundles and a real server state.
#![allow(dead_code)] // each target uses part of the demo

use std::sync::{Arc, OnceLock};

use casus_ledger::{Ledger, MemStore, SecretKey, Store};
use casus_model::Time;
use casus_server::{AppState, Config, StoreOpener};

pub const TREATY: (&str, &str) = ("treaties/cst.md", include_str!("../../treaties/cst.md"));
pub const RECORD: (&str, &str) = ("records/csto-2021-2025.md", include_str!("../../records/csto-2021-2025.md"));

pub struct Demo {
    pub store: MemStore,
    pub state: AppState,
    /// The stored bytes of the demo's last checkpoint.
    pub checkpoint: Vec<u8>,
    /// A proof bundle of an act the checkpoint covers.
    pub bundle: Vec<u8>,
    /// The ledger replayed: its key registry and every leaf hash.
    pub replay: casus_ledger::ledger::Replay,
    /// A request that `POST /api/acts` would accept now: Armenia signs the
    /// Yerevan declaration, with Armenia's demo key.
    pub request: casus_server::ingest::SignedActs,
}

pub fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let store = MemStore::new();
        let operator = SecretKey::from_seed([1; 32]);
        let parties: Vec<(String, SecretKey)> = ["ARM", "KAZ", "RUS", "BLR"].iter().enumerate().map(|(i, c)| (c.to_string(), SecretKey::from_seed([10 + i as u8; 32]))).collect();
        let now = Time(casus_server::state::system_now() - 60);
        casus_server::demo::create(Box::new(store.clone()), TREATY, RECORD, &operator, &parties, now).expect("demo ledger");
        let mut ledger = Ledger::open(Box::new(store.clone()));
        ledger.sync().expect("sync");
        let bundle = ledger.proof_bundle(5).expect("bundle");
        let replay = ledger.replay().clone();
        let checkpoint = store.clone().checkpoints().expect("checkpoints").pop().expect("a checkpoint");
        let s2 = store.clone();
        let opener: StoreOpener = Arc::new(move || Ok(Box::new(s2.clone()) as Box<dyn Store>));
        let state = AppState::open(opener, Config { operator: Some(operator), ..Config::default() }).expect("open");
        let request = signed_request(&state);
        Demo { store, state, checkpoint, bundle, replay, request }
    })
}

/// `valid` with the edits `data` describes: each three bytes are a
/// position (two bytes, modulo the length) and a byte to XOR there. Small
/// changes to a valid input reach deeper than random bytes do.
pub fn mutate(valid: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = valid.to_vec();
    for edit in data.chunks_exact(3) {
        if out.is_empty() {
            break;
        }
        let at = u16::from_le_bytes([edit[0], edit[1]]) as usize % out.len();
        out[at] ^= edit[2];
    }
    out
}

fn signed_request(state: &AppState) -> casus_server::ingest::SignedActs {
    use casus_ledger::{KeyFile, KeyRole};
    use casus_server::client;
    let head = casus_server::api::head_body(state, None).expect("the head");
    let mut symbols = casus_model::Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("cst.md", TREATY.1, &mut symbols);
    let key = KeyFile { key: SecretKey::from_seed([10; 32]), role: Some(KeyRole::Party("ARM".into())) };
    let now = casus_server::state::system_now();
    let text = client::position_act(now, "ARM", "sign", "yerevan_declaration", None, None);
    client::sign_acts(&client::ClientTreaty { treaty, symbols }, &head, &key, "act.acts", &text, now).expect("a signed request")
}
