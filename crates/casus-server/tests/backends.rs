//! The server's story on both real stores, SQLite and PostgreSQL: open a
//! ledger created elsewhere, take a signed act, see an append made by
//! another process (another store handle), verify, and prove an entry.
//!
//! PostgreSQL is named by `CASUS_TEST_POSTGRES_URL` (scripts/test sets it);
//! under `CI` a missing variable fails the test rather than skipping it.

use std::sync::Arc;

use casus_ledger::{KeyFile, KeyRole, Ledger, SecretKey, Store};
use casus_model::{Symbols, Time};
use casus_server::api::HeadBody;
use casus_server::client::{self, ClientTreaty};
use casus_server::{AppState, Config, StoreOpener};

const TREATY: (&str, &str) = ("treaties/cst.md", include_str!("../../../treaties/cst.md"));
const RECORD: (&str, &str) = ("records/csto-2021-2025.md", include_str!("../../../records/csto-2021-2025.md"));

fn postgres_url() -> String {
    match std::env::var("CASUS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => panic!("CASUS_TEST_POSTGRES_URL is not set: CI must run the PostgreSQL tests"),
        _ => "postgres://postgres:postgres@127.0.0.1:5432/test".to_string(),
    }
}

fn head_of(state: &AppState) -> HeadBody {
    casus_server::api::head_body(state, None).expect("the head")
}

fn story(opener: StoreOpener) {
    let operator = SecretKey::from_seed([1; 32]);
    let arm = SecretKey::from_seed([2; 32]);
    let kaz = SecretKey::from_seed([3; 32]);
    let now = casus_server::state::system_now();
    let parties = [("ARM".to_string(), arm.clone()), ("KAZ".to_string(), kaz.clone())];
    casus_server::demo::create(opener().unwrap(), TREATY, RECORD, &operator, &parties, Time(now - 60)).unwrap();
    let state = AppState::open(opener.clone(), Config { operator: Some(operator.clone()), ..Config::default() }).unwrap();
    let size = state.data().unwrap().size();

    // A signed act through the server's append path.
    let mut symbols = Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("cst.md", TREATY.1, &mut symbols);
    let t = ClientTreaty { treaty, symbols };
    let key = KeyFile { key: arm, role: Some(KeyRole::Party("ARM".into())) };
    let text = client::position_act(now, "ARM", "sign", "yerevan_declaration", None, None);
    let signed = client::sign_acts(&t, &head_of(&state), &key, "a.acts", &text, now).unwrap();
    let appended = casus_server::ingest::append(&state, &signed).unwrap();
    assert_eq!((appended.first, appended.size), (size, size + 1));

    // Another process appends on its own handle; the server catches up.
    let mut other = Ledger::open(opener().unwrap());
    let mut syms = Symbols::new();
    let (tr, _) = casus_lang::load_treaty("cst.md", TREATY.1, &mut syms);
    let text = client::position_act(now, "KAZ", "sign", "yerevan_declaration", None, None);
    let (rec, _) = casus_lang::load_record("k.acts", &text, &tr, &mut syms);
    // At its own clock: the server gave its entry the record time of its commit, which may be a second after `now`.
    other.append_acts(&rec.acts, &syms, &kaz, Time(casus_server::state::system_now())).unwrap();
    assert_eq!(state.sync().unwrap(), size + 2);
    let data = state.data().unwrap();
    assert_eq!(data.entry(data.size() - 1).unwrap().summary, "KAZ sign yerevan_declaration");

    // A checkpoint, a full verification and an offline bundle.
    assert_eq!(state.checkpoint_if_grown().unwrap(), Some(size + 2));
    let badge = state.verify().unwrap();
    assert!(badge.ok, "{}", badge.message);
    let bundle = Ledger::open(opener().unwrap()).proof_bundle(size).unwrap();
    assert_eq!(casus_ledger::verify_bundle(&bundle).unwrap().seq, size);
    // Reopened from the store, the server sees the same log.
    let again = AppState::open(opener, Config::default()).unwrap();
    assert_eq!(again.data().unwrap().size(), size + 2);
}

#[test]
fn the_story_on_sqlite() {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("casus-server-sqlite-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("l.sqlite");
    let opener: StoreOpener = Arc::new(move || Ok(Box::new(casus_store_sqlite::SqliteStore::open(&path)?) as Box<dyn Store>));
    story(opener);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_story_on_postgres() {
    let url = postgres_url();
    let schema = format!("casus_t_server_story_{}", std::process::id());
    let _ = casus_store_postgres::PgStore::drop_schema(&url, &schema);
    let (u, s) = (url.clone(), schema.clone());
    let opener: StoreOpener = Arc::new(move || Ok(Box::new(casus_store_postgres::PgStore::open(&u, &s)?) as Box<dyn Store>));
    story(opener);
    casus_store_postgres::PgStore::drop_schema(&url, &schema).unwrap();
}
