//! API tests: every endpoint through `oneshot`, the writing rules (each
//! refusal with its status and code, and nothing written), the one error
//! shape, the OpenAPI document against its committed copy, and one story
//! over a real socket on 127.0.0.1:0 with the server-sent events.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use casus_ledger::entry::KeyChange;
use casus_ledger::keys::KeyRegistration;
use casus_ledger::{KeyFile, KeyRole, Ledger, MemStore, SecretKey, Store, merkle};
use casus_model::{Symbols, Time};
use casus_server::api::HeadBody;
use casus_server::client::{self, ClientTreaty};
use casus_server::ingest::SignedActs;
use casus_server::{AppState, Config, StoreOpener, app};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const TREATY: (&str, &str) = ("treaties/cst.md", include_str!("../../../treaties/cst.md"));
const RECORD: (&str, &str) = ("records/csto-2021-2025.md", include_str!("../../../records/csto-2021-2025.md"));

struct Fixture {
    state: AppState,
    store: MemStore,
    operator: SecretKey,
    keys: Vec<(String, SecretKey)>,
}

fn seed(n: u8) -> SecretKey {
    SecretKey::from_seed([n; 32])
}

fn fixture(token: Option<&str>) -> Fixture {
    let store = MemStore::new();
    let operator = seed(1);
    let keys: Vec<(String, SecretKey)> = ["ARM", "KAZ", "RUS", "BLR"].iter().enumerate().map(|(i, c)| (c.to_string(), seed(10 + i as u8))).collect();
    let now = Time(casus_server::state::system_now() - 60);
    casus_server::demo::create(Box::new(store.clone()), TREATY, RECORD, &operator, &keys, now).expect("demo ledger");
    let s2 = store.clone();
    let opener: StoreOpener = Arc::new(move || Ok(Box::new(s2.clone()) as Box<dyn Store>));
    let config = Config { token: token.map(str::to_string), operator: Some(operator.clone()), ..Config::default() };
    let state = AppState::open(opener, config).expect("open");
    Fixture { state, store, operator, keys }
}

impl Fixture {
    fn key(&self, code: &str) -> KeyFile {
        let k = self.keys.iter().find(|(c, _)| c == code).expect("key").1.clone();
        KeyFile { key: k, role: Some(KeyRole::Party(code.to_string())) }
    }
    async fn call(&self, req: Request<Body>) -> (StatusCode, Vec<u8>) {
        let resp = app(self.state.clone()).oneshot(req).await.expect("response");
        let status = resp.status();
        let body = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
        (status, body)
    }
    async fn get(&self, uri: &str) -> (StatusCode, Value) {
        let (s, b) = self.call(Request::get(uri).body(Body::empty()).unwrap()).await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }
    async fn post(&self, body: Vec<u8>) -> (StatusCode, Value) {
        let req = Request::post("/api/acts").header("content-type", "application/json").body(Body::from(body)).unwrap();
        let (s, b) = self.call(req).await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }
    async fn head(&self) -> HeadBody {
        serde_json::from_value(self.get("/api/head").await.1).expect("head")
    }
    async fn signed(&self, key: &KeyFile, text: &str) -> SignedActs {
        let head = self.head().await;
        client::sign_acts(&client_treaty(), &head, key, "act.acts", text, casus_server::state::system_now()).expect("sign")
    }
}

fn client_treaty() -> ClientTreaty {
    let mut symbols = Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("cst.md", TREATY.1, &mut symbols);
    ClientTreaty { treaty, symbols }
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("(no error shape)")
}

fn assert_error(status: StatusCode, v: &Value, want_status: StatusCode, want_code: &str) {
    assert_eq!(status, want_status, "{v}");
    assert_eq!(error_code(v), want_code, "{v}");
    assert_eq!(v["error"]["status"], want_status.as_u16());
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
}

fn sign_text(party: &str, document: &str) -> String {
    client::position_act(casus_server::state::system_now(), party, "sign", document, None, None)
}

#[tokio::test]
async fn state_is_the_replay_document() {
    let f = fixture(None);
    let (s, v) = f.get("/api/state?at=2022-12-01").await;
    assert_eq!(s, StatusCode::OK);
    // The same document `casus replay --json` prints, from the files.
    let mut symbols = Symbols::new();
    let (t, _) = casus_lang::load_treaty(TREATY.0, TREATY.1, &mut symbols);
    let (r, _) = casus_lang::load_record(RECORD.0, RECORD.1, &t, &mut symbols);
    let at = Time::parse("2022-12-01").unwrap().0.end_of_day();
    let state = casus_engine::derive(&t, &r.acts, &casus_engine::Query { at, readings: Default::default() });
    let want = serde_json::to_value(casus_query::report(&t, &r.acts, &symbols, &state)).unwrap();
    assert_eq!(v, want);
    // The OpenAPI document describes every field the server sends.
    let doc: Value = serde_json::from_str(&casus_server::openapi::document()).unwrap();
    described(&doc, &doc["components"]["schemas"]["Report"], &v, "report");
    let (_, e) = f.get("/api/explain?fact=obligation/arm_2022_09_art4/assist_victim/RUS&at=2022-12-01").await;
    described(&doc, &doc["components"]["schemas"]["Explanation"], &e, "explanation");
}

/// Asserts that `schema` (in `doc`) describes `v`: every object key is a
/// property, every required property is there, arrays' items and
/// nullable alternatives likewise.
fn described(doc: &Value, schema: &Value, v: &Value, at: &str) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        let target = &doc["components"]["schemas"][name];
        assert!(target.is_object(), "{at}: no schema {name}");
        return described(doc, target, v, at);
    }
    if let Some(alts) = schema["oneOf"].as_array() {
        if v.is_null() {
            return assert!(alts.iter().any(|a| a["type"] == "null"), "{at}: null where the schema allows none");
        }
        let alt = alts.iter().find(|a| a["type"] != "null").expect("an alternative");
        return described(doc, alt, v, at);
    }
    match v {
        Value::Object(m) => {
            let props = schema["properties"].as_object().unwrap_or_else(|| panic!("{at}: an object where the schema says {schema}"));
            for (k, x) in m {
                let p = props.get(k).unwrap_or_else(|| panic!("{at}.{k}: sent but not in the schema"));
                described(doc, p, x, &format!("{at}.{k}"));
            }
            for r in schema["required"].as_array().into_iter().flatten() {
                assert!(m.contains_key(r.as_str().unwrap()), "{at}.{r}: required but not sent");
            }
        }
        Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                described(doc, &schema["items"], x, &format!("{at}[{i}]"));
            }
        }
        Value::Null => {
            let t = &schema["type"];
            assert!(t == "null" || t.as_array().is_some_and(|ts| ts.iter().any(|x| x == "null")), "{at}: null where the schema says {schema}");
        }
        // A status is one of the values the schema lists.
        _ => assert!(schema["enum"].as_array().is_none_or(|values| values.contains(v)), "{at}: {v} is not one of {}", schema["enum"]),
    }
}

fn case_statuses(v: &Value, case: &str) -> Vec<String> {
    let c = v["cases"].as_array().unwrap().iter().find(|c| c["id"] == case).expect("case");
    c["obligations"].as_array().unwrap().iter().map(|o| format!("{}:{}", o["debtor"].as_str().unwrap(), o["status"].as_str().unwrap())).collect()
}

#[tokio::test]
async fn readings_change_the_armenian_verdicts_and_as_of_hides_later_acts() {
    let f = fixture(None);
    let (_, by_request) = f.get("/api/cases?at=2022-12-01").await;
    let (_, by_determination) = f.get("/api/cases?at=2022-12-01&reading=art4_trigger%3Ddetermination").await;
    // `interpretation=` is the older name of `reading=`, still accepted.
    let (_, by_old_name) = f.get("/api/cases?at=2022-12-01&interpretation=art4_trigger%3Ddetermination").await;
    assert_eq!(by_old_name, by_determination);
    let a = case_statuses(&by_request, "arm_2022_09_art4");
    let b = case_statuses(&by_determination, "arm_2022_09_art4");
    assert!(a.iter().any(|s| s.ends_with(":breached")), "{a:?}");
    assert!(b.iter().all(|s| s.ends_with(":not_triggered")), "{b:?}");
    let (s, v) = f.get("/api/state?at=2022-12-01&reading=art4_trigger%3Dmaybe").await;
    assert_error(s, &v, StatusCode::BAD_REQUEST, "unknown_reading");
    let (s, v) = f.get("/api/state?at=2022-13-01").await;
    assert_error(s, &v, StatusCode::BAD_REQUEST, "bad_date");
    // Known at a record time before the import: nothing was known.
    let (_, v) = f.get("/api/state?at=2022-12-01&as_of=2000-01-01").await;
    assert_eq!(v["acts_considered"], 0);
}

#[tokio::test]
async fn documents_explanations_and_errors_share_one_shape() {
    let f = fixture(None);
    let (s, v) = f.get("/api/documents/yerevan_declaration?at=2022-12-01").await;
    assert_eq!(s, StatusCode::OK);
    let arm = v["sheet"].as_array().unwrap().iter().find(|r| r["party"] == "ARM").unwrap();
    assert_eq!(arm["position"], "refused");
    assert!(arm["reason"].as_str().unwrap().contains("political assessment"));
    let (s, v) = f.get("/api/explain?fact=obligation/arm_2022_09_art4/assist_victim/RUS&at=2022-12-01").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["rules"][0]["quote"].as_str().is_some());
    let (s, v) = f.get("/api/explain?fact=case/none&at=2022-12-01").await;
    assert_error(s, &v, StatusCode::NOT_FOUND, "not_found");
    let (s, v) = f.get("/api/explain").await;
    assert_error(s, &v, StatusCode::BAD_REQUEST, "bad_request");
    // Not a fact id at all: said so, with the forms ids take.
    let (s, v) = f.get("/api/explain?fact=obligation/arm_2022_09_art4/RUS").await;
    assert_error(s, &v, StatusCode::BAD_REQUEST, "bad_fact");
    assert!(v["error"]["message"].as_str().unwrap().contains("obligation/CASE/DUTY/DEBTOR"), "{v}");
    // A question that is not one is refused before anything is derived.
    let (s, v) = f.get("/api/state?reading=art4_trigger").await;
    assert_error(s, &v, StatusCode::BAD_REQUEST, "unknown_reading");
    let many: String = (0..65).map(|i| format!("&i=q{i}%3Do")).collect();
    let (s, v) = f.get(&format!("/api/state?at=2022-12-01{many}")).await;
    assert_error(s, &v, StatusCode::BAD_REQUEST, "bad_request");
    let (s, v) = f.get("/no/such/page").await;
    assert_error(s, &v, StatusCode::NOT_FOUND, "not_found");
    let (s, v) = f.get("/api/entries?limit=501").await;
    assert_error(s, &v, StatusCode::BAD_REQUEST, "bad_request");
    let (s, v) = f.get("/api/entries?from=x").await;
    assert_error(s, &v, StatusCode::BAD_REQUEST, "bad_request");
    let (s, b) = f.call(Request::delete("/api/state").body(Body::empty()).unwrap()).await;
    assert_error(s, &serde_json::from_slice(&b).unwrap(), StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let (s, v) = f.post(b"{not json".to_vec()).await;
    assert_error(s, &v, StatusCode::BAD_REQUEST, "malformed");
    let (s, v) = f.post(br#"{"text": 3}"#.to_vec()).await;
    assert_error(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "malformed");
    let big = format!(r#"{{"text": "{}", "statements": []}}"#, "x".repeat(casus_server::MAX_BODY_BYTES + 10));
    let (s, v) = f.post(big.into_bytes()).await;
    assert_error(s, &v, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
}

#[tokio::test]
async fn ledger_entries_checkpoints_and_proofs() {
    let f = fixture(None);
    let (_, v) = f.get("/api/entries?from=0&limit=3").await;
    assert_eq!(v["entries"].as_array().unwrap().len(), 3);
    assert_eq!(v["entries"][0]["kind"], "genesis");
    assert_eq!(v["entries"][1]["attestation"], "recorder");
    let size = v["size"].as_u64().unwrap();
    let (_, cps) = f.get("/api/checkpoints").await;
    assert_eq!(cps[0]["size"].as_u64(), Some(size));
    // Pages of the newest, below a size: none below the first; a bad limit is 400.
    let (_, none) = f.get(&format!("/api/checkpoints?before={size}")).await;
    assert_eq!(none.as_array().map(Vec::len), Some(0), "{none}");
    let (s, v) = f.get("/api/checkpoints?limit=0").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, _) = f.get("/api/checkpoints?limit=501").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, p) = f.get("/api/proofs/inclusion?seq=5").await;
    let hash = |s: &Value| casus_ledger::hex::decode_array::<32>(s.as_str().unwrap()).unwrap();
    let path: Vec<[u8; 32]> = p["path"].as_array().unwrap().iter().map(hash).collect();
    assert!(merkle::verify_inclusion(&hash(&p["leaf_hash"]), 5, size, &path, &hash(&p["root"])));
    assert_eq!(p["root"], cps[0]["root"]);
    let (_, c) = f.get("/api/proofs/consistency?from=7").await;
    let path: Vec<[u8; 32]> = c["path"].as_array().unwrap().iter().map(hash).collect();
    assert!(merkle::verify_consistency(7, size, &hash(&c["from_root"]), &hash(&c["to_root"]), &path));
    let (s, b) = f.call(Request::get("/api/proofs/bundle?seq=3").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let report = casus_ledger::verify_bundle(&b).expect("the bundle verifies offline");
    assert_eq!(report.seq, 3);
    let (_, v) = f.get("/api/verify").await;
    assert_eq!(v["ok"], true, "{v}");
    let (s, v) = f.get("/api/proofs/inclusion?seq=5&size=999999").await;
    assert_error(s, &v, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn a_signed_act_is_appended_and_every_bad_one_changes_nothing() {
    let f = fixture(None);
    let before = f.head().await.size;
    let arm = f.key("ARM");
    let good = f.signed(&arm, &sign_text("ARM", "yerevan_declaration")).await;
    let (s, v) = f.post(serde_json::to_vec(&good).unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["first"].as_u64(), Some(before));
    let after = before + 1;
    assert_eq!(f.head().await.size, after);
    let (_, e) = f.get(&format!("/api/entries?from={before}&limit=1")).await;
    assert_eq!(e["entries"][0]["attestation"], "actor");

    // The same request again: its key's sequence number is used.
    let (s, v) = f.post(serde_json::to_vec(&good).unwrap()).await;
    assert_error(s, &v, StatusCode::CONFLICT, "sequence");
    // The same act signed again on the new head: its id is taken.
    let with_id = format!("{}  id       arm_second_sign\n", sign_text("ARM", "yerevan_declaration"));
    let req = f.signed(&arm, &with_id).await;
    let (s, _) = f.post(serde_json::to_vec(&req).unwrap()).await;
    assert_eq!(s, StatusCode::CREATED);
    let req = f.signed(&arm, &with_id).await;
    let (s, v) = f.post(serde_json::to_vec(&req).unwrap()).await;
    assert_error(s, &v, StatusCode::CONFLICT, "duplicate_id");
    let after = after + 1;
    // A party signs only for itself: ARM's act with KAZ's key.
    let kaz_as_arm = KeyFile { key: f.key("KAZ").key, role: Some(KeyRole::Party("ARM".into())) };
    let forged = f.signed(&kaz_as_arm, &sign_text("ARM", "yerevan_declaration")).await;
    let (s, v) = f.post(serde_json::to_vec(&forged).unwrap()).await;
    assert_error(s, &v, StatusCode::FORBIDDEN, "wrong_signer");
    // A key nobody registered.
    let stranger = KeyFile { key: seed(99), role: Some(KeyRole::Party("ARM".into())) };
    let req = f.signed(&stranger, &sign_text("ARM", "yerevan_declaration")).await;
    let (s, v) = f.post(serde_json::to_vec(&req).unwrap()).await;
    assert_error(s, &v, StatusCode::FORBIDDEN, "unknown_key");
    // Junk text with a key nobody registered is refused on the signature,
    // before the text is parsed (it used to get the parser's diagnostics).
    let mut req = f.signed(&stranger, &sign_text("ARM", "yerevan_declaration")).await;
    req.text = "junk line\n  junk clause\n".into();
    let (s, v) = f.post(serde_json::to_vec(&req).unwrap()).await;
    assert_error(s, &v, StatusCode::FORBIDDEN, "unknown_key");
    // An act the treaty does not allow: Uzbekistan is no longer a member.
    // (Its key is registered, so that the text gets checked at all.)
    let uzb = register_uzb(&f);
    let after = after + 1;
    let text = sign_text("UZB", "yerevan_declaration");
    let mut t = client_treaty();
    let (record, _) = casus_lang::load_record("act.acts", &text, &t.treaty, &mut t.symbols);
    let entries = client::sign_parsed(&record.acts, &t.symbols, &f.head().await, &uzb, casus_server::state::system_now()).unwrap();
    let req = SignedActs { name: "act.acts".into(), text, statements: entries };
    let (s, v) = f.post(serde_json::to_vec(&req).unwrap()).await;
    assert_error(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "treaty");
    assert!(v["error"]["details"][0].as_str().unwrap().contains("not a member"), "{v}");
    // The text says one thing, the signed entry another.
    let mut req = f.signed(&arm, &sign_text("ARM", "yerevan_declaration")).await;
    req.text = sign_text("ARM", "assistance_to_armenia");
    let (s, v) = f.post(serde_json::to_vec(&req).unwrap()).await;
    assert_error(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "act_mismatch");
    // A flipped byte in the signed part.
    let mut req = f.signed(&arm, &sign_text("ARM", "yerevan_declaration")).await;
    let mut bytes = casus_ledger::hex::decode(&req.statements[0]).unwrap();
    let n = bytes.len();
    bytes[n - 1] ^= 1;
    req.statements[0] = casus_ledger::hex::encode(&bytes);
    let (s, v) = f.post(serde_json::to_vec(&req).unwrap()).await;
    assert_error(s, &v, StatusCode::FORBIDDEN, "bad_signature");
    // Not hex, not an entry.
    let (s, v) = f.post(br#"{"text": "", "statements": ["zz"]}"#.to_vec()).await;
    assert_error(s, &v, StatusCode::BAD_REQUEST, "malformed");
    let (s, v) = f.post(br#"{"text": "", "statements": ["00"]}"#.to_vec()).await;
    assert_error(s, &v, StatusCode::BAD_REQUEST, "malformed");
    let (s, v) = f.post(br#"{"text": "", "statements": []}"#.to_vec()).await;
    assert_error(s, &v, StatusCode::BAD_REQUEST, "bad_request");
    // A live act dated an hour ahead of the ledger's clock: the ledger
    // gives the record time, and the act is refused as dishonest.
    let ahead = client::position_act(casus_server::state::system_now() + 3600, "ARM", "sign", "yerevan_declaration", None, None);
    let req = f.signed(&arm, &ahead).await;
    let (s, v) = f.post(serde_json::to_vec(&req).unwrap()).await;
    assert_error(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "dishonest_time");
    // A statement signed for another ledger.
    let mut head = f.head().await;
    head.origin = "casus.ledger/another".into();
    let req = client::sign_acts(&client_treaty(), &head, &arm, "a.acts", &sign_text("ARM", "yerevan_declaration"), casus_server::state::system_now()).unwrap();
    let (s, v) = f.post(serde_json::to_vec(&req).unwrap()).await;
    assert_error(s, &v, StatusCode::CONFLICT, "wrong_ledger");
    // A revoked key.
    let mut ledger = Ledger::open(Box::new(f.store.clone()));
    ledger.change_key(&KeyChange::Revoke { key: arm.key.id(), reason: "lost".into() }, &f.operator, Time(casus_server::state::system_now())).expect("revoke");
    f.state.sync().expect("sync");
    let after_revoke = after + 1;
    let req = f.signed(&arm, &sign_text("ARM", "yerevan_declaration")).await;
    let (s, v) = f.post(serde_json::to_vec(&req).unwrap()).await;
    assert_error(s, &v, StatusCode::FORBIDDEN, "revoked_key");
    // Nothing was written by any refusal.
    assert_eq!(f.head().await.size, after_revoke);
    let (_, v) = f.get("/api/verify").await;
    assert_eq!(v["ok"], true, "{v}");
    let _ = KeyRegistration { key: [0; 32], role: KeyRole::Recorder };
}

#[tokio::test]
async fn bundles_from_memory_equal_the_ledgers_own() {
    let f = fixture(None);
    let size = f.head().await.size;
    let mut ledger = Ledger::open(Box::new(f.store.clone()));
    for seq in [0, 1, 3, size / 2, size - 1] {
        let (s, b) = f.call(Request::get(format!("/api/proofs/bundle?seq={seq}")).body(Body::empty()).unwrap()).await;
        assert_eq!(s, StatusCode::OK, "seq {seq}");
        assert_eq!(b, ledger.proof_bundle(seq).expect("the ledger's bundle"), "seq {seq}: the same bytes");
        assert_eq!(casus_ledger::verify_bundle(&b).expect("verifies").seq, seq);
    }
    // An entry no checkpoint covers yet: 409; once one is signed, its bundle.
    let good = f.signed(&f.key("ARM"), &sign_text("ARM", "yerevan_declaration")).await;
    assert_eq!(f.post(serde_json::to_vec(&good).unwrap()).await.0, StatusCode::CREATED);
    let (s, v) = f.get(&format!("/api/proofs/bundle?seq={size}")).await;
    assert_error(s, &v, StatusCode::CONFLICT, "no_checkpoint");
    f.state.checkpoint_if_grown().expect("checkpoint");
    // The store's checkpoints are read again at most once a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (s, b) = f.call(Request::get(format!("/api/proofs/bundle?seq={size}")).body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b, ledger.proof_bundle(size).expect("the ledger's bundle"));
}

/// Registers a key for Uzbekistan (no longer a member, so its acts are
/// refused by the treaty, not by the key checks).
/// Registers one more key for `party` (parties may hold several).
fn register_party_key(f: &Fixture, party: &str, seed_byte: u8) -> KeyFile {
    let key = KeyFile { key: seed(seed_byte), role: Some(KeyRole::Party(party.into())) };
    let reg = KeyChange::Register(KeyRegistration { key: key.key.public(), role: KeyRole::Party(party.into()) });
    Ledger::open(Box::new(f.store.clone())).change_key(&reg, &f.operator, Time(casus_server::state::system_now())).expect("register");
    f.state.sync().expect("sync");
    key
}

fn register_uzb(f: &Fixture) -> KeyFile {
    let uzb = KeyFile { key: seed(98), role: Some(KeyRole::Party("UZB".into())) };
    let reg = KeyChange::Register(KeyRegistration { key: uzb.key.public(), role: KeyRole::Party("UZB".into()) });
    Ledger::open(Box::new(f.store.clone())).change_key(&reg, &f.operator, Time(casus_server::state::system_now())).expect("register");
    f.state.sync().expect("sync");
    uzb
}

/// Signs `acts` for the head with `key`, and sends `text` with them.
async fn post_with_text(f: &Fixture, key: &KeyFile, acts_text: &str, text: String) -> (StatusCode, Value) {
    let mut t = client_treaty();
    let (record, _) = casus_lang::load_record("act.acts", acts_text, &t.treaty, &mut t.symbols);
    let entries = client::sign_parsed(&record.acts, &t.symbols, &f.head().await, key, casus_server::state::system_now()).unwrap();
    let req = SignedActs { name: "act.acts".into(), text, statements: entries };
    f.post(serde_json::to_vec(&req).unwrap()).await
}

#[tokio::test]
async fn a_refusal_lists_at_most_100_diagnostics() {
    let f = fixture(None);
    let uzb = register_uzb(&f);
    // Three signed acts, and a text of three acts each followed by 60 lines
    // the parser refuses: 180 errors, 100 listed.
    let acts: String = (0..3).map(|_| sign_text("UZB", "yerevan_declaration")).collect();
    let mut text = String::new();
    for _ in 0..3 {
        text.push_str(&sign_text("UZB", "yerevan_declaration"));
        text.push_str(&"  bogus_field 1\n".repeat(60));
    }
    let (s, v) = post_with_text(&f, &uzb, &acts, text).await;
    assert_error(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "treaty");
    let details = v["error"]["details"].as_array().expect("details");
    assert_eq!(details.len(), 101, "100 diagnostics and a last line: {v}");
    let last = details[100].as_str().unwrap_or("");
    assert!(last.contains("more error(s) not listed"), "{last}");
}

#[tokio::test]
async fn a_text_with_more_acts_than_entries_is_refused_before_parsing() {
    let f = fixture(None);
    let uzb = register_uzb(&f);
    let act = sign_text("UZB", "yerevan_declaration");
    // One signed act, a text of 5,000 head lines.
    let (s, v) = post_with_text(&f, &uzb, &act, "junk line\n".repeat(5_000)).await;
    assert_error(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "act_mismatch");
    assert!(v["error"]["details"].is_null(), "no diagnostics: the text was not parsed: {v}");
    // One act, and 5,000 clause lines under it.
    let (s, v) = post_with_text(&f, &uzb, &act, format!("{act}{}", "  x\n".repeat(5_000))).await;
    assert_error(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "act_mismatch");
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let f = fixture(Some("s3cret"));
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let req = Request::get("/api/head").header("authorization", format!("{scheme} s3cret")).body(Body::empty()).unwrap();
        let (s, _) = f.call(req).await;
        assert_eq!(s, StatusCode::OK, "{scheme}");
    }
    let req = Request::get("/api/head").header("authorization", "Basic s3cret").body(Body::empty()).unwrap();
    assert_eq!(f.call(req).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_head_shows_appends_by_another_process_at_once() {
    let f = fixture(None);
    let before = f.head().await.size;
    // Another process (here: another handle) appends a key entry.
    let _ = register_uzb_unsynced(&f);
    assert_eq!(f.head().await.size, before + 1);
}

#[tokio::test]
async fn a_key_registered_by_another_process_is_known_at_once() {
    let f = fixture(None);
    let mut head = f.head().await;
    let seq = register_uzb_unsynced(&f);
    // The head as the other process left it, read from the store (not from
    // the server, whose /api/head would sync).
    let mut store: Box<dyn Store> = Box::new(f.store.clone());
    let (_, last) = store.read_range(seq, seq + 1).expect("read").pop().expect("the key entry");
    let view = casus_ledger::entry::EntryView::parse(&last).expect("view");
    head.size = seq + 1;
    head.prev = casus_ledger::hex::encode(&casus_ledger::entry::link_hash(view.signed));
    head.last_record_time = view.record_time;
    let uzb = KeyFile { key: seed(97), role: Some(KeyRole::Party("UZB".into())) };
    let text = sign_text("UZB", "yerevan_declaration");
    let mut t = client_treaty();
    let (record, _) = casus_lang::load_record("act.acts", &text, &t.treaty, &mut t.symbols);
    let entries = client::sign_parsed(&record.acts, &t.symbols, &head, &uzb, casus_server::state::system_now()).unwrap();
    let (s, v) = f.post(serde_json::to_vec(&SignedActs { name: "act.acts".into(), text, statements: entries }).unwrap()).await;
    // Past the key checks to the treaty's: Uzbekistan is no longer a member.
    assert_error(s, &v, StatusCode::UNPROCESSABLE_ENTITY, "treaty");
}

fn register_uzb_unsynced(f: &Fixture) -> u64 {
    let reg = KeyChange::Register(KeyRegistration { key: seed(97).public(), role: KeyRole::Party("UZB".into()) });
    Ledger::open(Box::new(f.store.clone())).change_key(&reg, &f.operator, Time(casus_server::state::system_now())).expect("register")
}

#[tokio::test]
async fn verify_warns_when_the_log_is_ahead_of_the_clock() {
    let f = fixture(None);
    let (_, v) = f.get("/api/verify").await;
    assert!(v["clock_warning"].is_null(), "{v}");
    // A server whose clock is an hour behind the log.
    let s2 = f.store.clone();
    let opener: StoreOpener = Arc::new(move || Ok(Box::new(s2.clone()) as Box<dyn Store>));
    let slow: casus_server::state::Clock = Arc::new(|| casus_server::state::system_now() - 3600);
    let state = AppState::open(opener, Config { clock: slow, ..Config::default() }).expect("open");
    assert!(state.clock_warning().unwrap().is_some_and(|w| w.contains("ahead of this server's clock")));
    let resp = app(state).oneshot(Request::get("/api/verify").body(Body::empty()).unwrap()).await.unwrap();
    let v: Value = serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert!(v["clock_warning"].as_str().is_some_and(|w| w.contains("s ahead")), "{v}");
}

#[tokio::test]
async fn a_token_guards_reading_when_set() {
    let f = fixture(Some("s3cret"));
    let (s, v) = f.get("/api/state").await;
    assert_error(s, &v, StatusCode::UNAUTHORIZED, "unauthorized");
    let (s, _) = f.call(Request::get("/api/head").header("authorization", "Bearer s3cret").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let resp = app(f.state.clone()).oneshot(Request::get("/?token=s3cret").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("set-cookie").unwrap().to_str().unwrap().starts_with("casus_token=s3cret"));
    let (s, _) = f.call(Request::get("/cases").header("cookie", "casus_token=s3cret").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = f.call(Request::get("/static/casus.css").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK, "assets need no token");
}

#[tokio::test]
async fn pages_render() {
    let f = fixture(None);
    for p in ["/", "/cases?at=2022-12-01", "/documents?at=2022-12-01", "/timeline", "/ledger", "/explain?fact=party/ARM&at=2022-12-01"] {
        let (s, b) = f.call(Request::get(p).body(Body::empty()).unwrap()).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        let html = String::from_utf8(b).unwrap();
        assert!(html.starts_with("<!doctype html>"), "{p}");
        assert!(!html.contains("http://cdn") && !html.contains("https://unpkg"), "{p}");
    }
    let (_, b) = f.call(Request::get("/cases?at=2022-12-01&reading=art4_trigger%3Ddetermination").body(Body::empty()).unwrap()).await;
    let html = String::from_utf8(b).unwrap();
    assert!(html.contains(r#"id="reading-art4_trigger-determination" class="opt selected""#));
}

#[test]
fn the_committed_openapi_document_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let now = casus_server::openapi::document();
    if std::env::var_os("CASUS_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &now).unwrap();
    }
    // Every wire type has its schema, the vote tally that no shipped record exercises among them.
    let doc: Value = serde_json::from_str(&now).unwrap();
    for name in ["Report", "DocumentRow", "SectionRow", "TallyRow", "ObligationRow", "CaseRow", "Explanation", "RuleCite", "ActCite", "ReadingCite"] {
        assert!(doc["components"]["schemas"][name]["properties"].is_object(), "no schema {name}");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == now, "docs/openapi.json is stale: run `CASUS_UPDATE_OPENAPI=1 cargo test -p casus-server --test api` and commit it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_a_real_socket_a_signed_act_reaches_the_event_stream() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let f = fixture(None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, app(f.state.clone())).into_future());
    // Subscribe to the stream first.
    let mut sse = tokio::net::TcpStream::connect(addr).await.unwrap();
    sse.write_all(format!("GET /api/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n").as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = sse.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).contains("text/event-stream"));
    // Append through the command line's client, on a blocking thread.
    let key = f.key("KAZ");
    let url = format!("http://{addr}");
    let started = std::time::Instant::now();
    let appended = tokio::task::spawn_blocking(move || {
        let server = client::Server::parse(&url, None).unwrap();
        client::submit(&server, &key, "kaz.acts", &sign_text("KAZ", "yerevan_declaration"))
    })
    .await
    .unwrap()
    .expect("appended");
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    while !seen.contains("event: entry") {
        let n = tokio::time::timeout_at(deadline, sse.read(&mut buf)).await.expect("an event within a second").unwrap();
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(seen.contains(&format!("\"seq\":{}", appended.first)), "{seen}");
    assert!(seen.contains("KAZ sign"), "{seen}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// An entry written straight into the store, with a bad signature, by
/// another process: the server neither takes it in nor checkpoints over
/// it, and refuses to append after it.
#[tokio::test]
async fn a_forged_entry_in_the_store_is_refused_not_checkpointed() {
    let f = fixture(None);
    let arm = f.key("ARM");
    let before = f.head().await.size;
    // A valid next entry by ARM, one signature bit flipped, stored directly.
    let req = f.signed(&arm, &sign_text("ARM", "yerevan_declaration")).await;
    let signed = casus_ledger::hex::decode(&req.statements[0]).unwrap();
    let (statement, mut signature) = casus_ledger::entry::split_signed_statement(&signed).unwrap();
    signature[63] ^= 1;
    let bytes = casus_ledger::entry::sequenced_entry(before, casus_server::state::system_now(), statement, &signature).unwrap();
    let mut store: Box<dyn Store> = Box::new(f.store.clone());
    store.append(&mut |_, _| Ok(vec![bytes.clone()])).expect("raw append");
    assert!(f.state.sync().is_err(), "sync must refuse a bad signature");
    assert_eq!(f.head().await.size, before, "the forged entry is not taken in");
    f.state.checkpoint_if_grown().expect("checkpoint");
    let (_, cps) = f.get("/api/checkpoints").await;
    assert!(cps.as_array().expect("checkpoints").iter().all(|c| c["size"].as_u64().unwrap_or(0) <= before), "no checkpoint covers the forged entry: {cps}");
    // A write chained after the head the server knows is refused, not appended after the forgery.
    let req = f.signed(&arm, &sign_text("ARM", "assistance_to_armenia")).await;
    let (s, v) = f.post(serde_json::to_vec(&req).unwrap()).await;
    assert!(s.is_client_error() || s == StatusCode::SERVICE_UNAVAILABLE, "{s} {v}");
    assert_eq!(f.head().await.size, before);
}

/// A path that does not decode gets the one JSON error shape on every
/// route, and a request's own words are echoed cut short.
#[tokio::test]
async fn bad_paths_get_the_json_error_cut_short() {
    let f = fixture(None);
    for uri in ["/tile/0/%ff", "/tile/entries/%ff", "/casus/entries/%ff", "/api/entries/%ff"] {
        let (s, v) = f.get(uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(v["error"]["status"], 400, "{uri}: {v}");
    }
    let (s, v) = f.get(&format!("/{}", "a".repeat(60_000))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(message.ends_with('…') && message.len() < 400, "{message}");
}

/// Event streams are capped: each open stream holds a place until it is
/// dropped; one more is answered 503 with a reason, and a place freed is
/// taken again.
#[tokio::test]
async fn event_streams_are_capped() {
    let f = fixture(None);
    let open = |f: &Fixture| app(f.state.clone()).oneshot(Request::get("/api/events").body(Body::empty()).unwrap());
    let mut streams = Vec::new();
    for _ in 0..casus_server::config::MAX_EVENT_STREAMS {
        let r = open(&f).await.expect("response");
        assert_eq!(r.status(), StatusCode::OK);
        streams.push(r);
    }
    let r = open(&f).await.expect("response");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = axum::body::to_bytes(r.into_body(), 4096).await.expect("body");
    let v: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(v["error"]["code"], "busy", "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("event streams are open")), "{v}");
    streams.pop();
    assert_eq!(open(&f).await.expect("response").status(), StatusCode::OK, "a closed stream frees its place");
}

/// Many clients at once, each with its own key and posting its acts one
/// after the other: all appended (nobody loses a race for the head: there
/// is none), and requests share commits. Two statements of one key posted
/// at once may arrive out of order: the later number first, and then the
/// earlier one is refused as out of order, never appended twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_all_commit() {
    let f = fixture(None);
    let keys: Vec<KeyFile> = (0..8).map(|i| register_party_key(&f, "ARM", 60 + i)).collect();
    let before = f.head().await.size;
    let mut clients = Vec::new();
    for key in &keys {
        let mut posts = Vec::new();
        for n in 0..3 {
            let text = format!("{}  id       arm_{}_{n}\n", sign_text("ARM", "yerevan_declaration"), key.key.id().short());
            posts.push(serde_json::to_vec(&f.signed(key, &text).await).unwrap());
        }
        clients.push(posts);
    }
    let mut set = tokio::task::JoinSet::new();
    for posts in clients {
        let state = f.state.clone();
        set.spawn(async move {
            let mut answers = Vec::new();
            for body in posts {
                let req = Request::post("/api/acts").header("content-type", "application/json").body(Body::from(body)).unwrap();
                let r = app(state.clone()).oneshot(req).await.expect("response");
                let status = r.status();
                let b = r.into_body().collect().await.expect("body").to_bytes();
                answers.push((status, String::from_utf8_lossy(&b).to_string()));
            }
            answers
        });
    }
    for answers in set.join_all().await {
        for (s, v) in answers {
            assert_eq!(s, StatusCode::CREATED, "{v}");
        }
    }
    assert_eq!(f.head().await.size, before + 24);
    let (_, v) = f.get("/api/verify").await;
    assert_eq!(v["ok"], true, "{v}");
}

/// The words of a page a reader sees: the HTML without its tags, scripts
/// and styles (attributes and URLs may hold ids; the text may not hold rule
/// syntax).
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let skip_to = if rest.starts_with("<script") {
            "</script>"
        } else if rest.starts_with("<style") {
            "</style>"
        } else {
            ">"
        };
        match rest.find(skip_to) {
            Some(j) => rest = &rest[j + skip_to.len()..],
            None => rest = "",
        }
        out.push(' ');
    }
    out.push_str(rest);
    out.replace("&#39;", "'").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

#[tokio::test]
async fn pages_read_as_words() {
    let f = fixture(None);
    let mut pages: Vec<String> =
        ["/", "/documents?at=2022-12-01", "/documents?at=2025-12-31", "/timeline?at=2022-12-01"].iter().map(|s| s.to_string()).collect();
    for reading in ["request", "determination"] {
        pages.push(format!("/cases?at=2022-12-01&reading=art4_trigger%3D{reading}"));
        let (_, v) = f.get(&format!("/api/state?at=2022-12-01&reading=art4_trigger%3D{reading}")).await;
        for c in v["cases"].as_array().expect("cases") {
            pages.push(format!("/explain?fact={}&at=2022-12-01&reading=art4_trigger%3D{reading}", c["fact"].as_str().unwrap()));
            for o in c["obligations"].as_array().expect("obligations") {
                pages.push(format!("/explain?fact={}&at=2022-12-01&reading=art4_trigger%3D{reading}", o["fact"].as_str().unwrap()));
            }
        }
    }
    let (_, v) = f.get("/api/state?at=2025-12-31").await;
    for d in v["documents"].as_array().expect("documents") {
        pages.push(format!("/explain?fact={}&at=2025-12-31", d["fact"].as_str().unwrap()));
    }
    assert!(pages.len() > 30, "{pages:?}");
    for p in &pages {
        let (s, b) = f.call(Request::get(p.as_str()).body(Body::empty()).unwrap()).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        let text = visible_text(&String::from_utf8(b).unwrap());
        for bad in ["$", "`", "not_triggered", "opted_out", "voted_yes", "voted_no"] {
            assert!(!text.contains(bad), "{p} shows {bad:?}");
        }
    }
    // Titles, not ids, name the cases and duties.
    let (_, b) = f.call(Request::get("/cases?at=2022-12-01").body(Body::empty()).unwrap()).await;
    let text = visible_text(&String::from_utf8(b).unwrap());
    assert!(text.contains("Armenia's request for assistance under Article 4, 14 September 2022"), "{text}");
    assert!(text.contains("Assistance to the victim of an aggression"), "{text}");
    assert!(text.contains("The victim's request under Article 4 triggers the duty"), "the readings are shown as option texts");
}

/// The demo's state: the fixture with the record's featured date and cases.
fn featured_fixture() -> Fixture {
    let f = fixture(None);
    let s2 = f.store.clone();
    let opener: StoreOpener = Arc::new(move || Ok(Box::new(s2.clone()) as Box<dyn Store>));
    let featured = casus_server::demo::featured(TREATY, RECORD);
    assert!(featured.date.is_some() && featured.cases.len() == 2, "{featured:?}");
    let config = Config { operator: Some(f.operator.clone()), featured, ..Config::default() };
    Fixture { state: AppState::open(opener, config).expect("open"), ..f }
}

async fn page_text(f: &Fixture, uri: &str) -> (StatusCode, String) {
    let (s, b) = f.call(Request::get(uri).body(Body::empty()).unwrap()).await;
    (s, String::from_utf8(b).expect("UTF-8"))
}

#[tokio::test]
async fn pages_open_at_the_featured_date_and_lead_with_the_cases() {
    let f = featured_fixture();
    let (s, html) = page_text(&f, "/").await;
    assert_eq!(s, StatusCode::OK);
    // (The place is in bold: the tags' gap before the colon goes.)
    let text = visible_text(&html).replace(" :", ":");
    assert!(text.contains("Collective Security Treaty on 1 December 2022"), "{text}");
    // The lines are computed from the verdicts, featured cases first.
    let kaz = text.find("Kazakhstan, January 2022: assistance to the victim of an aggression given by all five within a day").expect("the Kazakhstan line");
    // Each reading as its toggle names it, the one chosen marked.
    let arm = text.find("Armenia, September 2022: no assistance to the victim of an aggression; breached if “The victim").expect("the Armenia line");
    assert!(text.contains("Article 4 triggers the duty” (chosen), not triggered if “Only a CSC determination of aggression"), "{text}");
    assert!(kaz < arm, "featured cases in the record's order");
    assert!(html.contains(r#"href="/cases?at=2022-12-01#case-arm_2022_09_art4""#), "each line links to its case");
    // Under the other reading, the Armenian line still tells both readings.
    let (_, html) = page_text(&f, "/?reading=art4_trigger%3Ddetermination").await;
    let text = visible_text(&html);
    assert!(text.contains("Article 4 triggers the duty”, not triggered if “Only a CSC determination of aggression"), "{text}");
    assert!(text.contains("about the victim, does” (chosen)"), "{text}");
    // Entries and acts are reconciled on the page.
    let (_, v) = f.get("/api/head").await;
    let size = v["size"].as_u64().expect("size");
    assert!(text.contains(&format!("of the {} acts in the ledger. The ledger's one other entry is its genesis", size - 1)), "{text}");
    // The API keeps its own default (today), unaffected.
    let (_, v) = f.get("/api/state").await;
    assert_ne!(v["at"], "2022-12-01");
}

#[tokio::test]
async fn a_bad_page_address_gets_an_html_page_with_the_message() {
    let f = fixture(None);
    for uri in ["/cases?at=2022-13-01", "/?as_of=yesterday", "/explain?fact=case/none&at=2022-12-01", "/explain", "/ledger?page=x"] {
        let (s, b) = f.call(Request::get(uri).body(Body::empty()).unwrap()).await;
        assert!(s.is_client_error(), "{uri}: {s}");
        let html = String::from_utf8(b).unwrap();
        assert!(html.starts_with("<!doctype html>") && html.contains(r#"id="error-message""#), "{uri}: {html}");
    }
    let (s, html) = page_text(&f, "/cases?at=2022-13-01").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(visible_text(&html).contains("“at”: “2022-13-01” is not a date"), "{html}");
    // The API still answers JSON.
    let (s, v) = f.get("/api/state?at=2022-13-01").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("2022-13-01")), "{v}");
}

#[tokio::test]
async fn as_known_before_the_first_record_says_why_nothing_shows() {
    let f = fixture(None);
    let (_, html) = page_text(&f, "/?at=2022-12-01&as_of=2000-01-01").await;
    let text = visible_text(&html);
    assert!(text.contains("Nothing had been recorded by 1 January 2000: the ledger was created on "), "{text}");
    assert!(text.contains("and its first act was recorded on "), "{text}");
    assert!(text.contains("The ledger had recorded no act by 1 January 2000."), "{text}");
    let (_, html) = page_text(&f, "/?at=1995-01-01").await;
    let text = visible_text(&html);
    assert!(text.contains("No act in the ledger is dated on or before 1 January 1995 ("), "{text}");
    let (_, html) = page_text(&f, "/?at=2022-12-01").await;
    assert!(!html.contains(r#"id="notice""#), "no notice when acts are known");
}

#[tokio::test]
async fn ledger_rows_give_the_act_date_and_link_to_its_explanation() {
    let f = fixture(None);
    let (_, html) = page_text(&f, "/ledger?at=2022-12-01&reading=art4_trigger%3Ddetermination").await;
    // Armenia's request of 14 September 2022 opens its case: its row shows
    // the date and links to the case's explanation on that day, under the
    // chosen reading, at the act.
    let href = "/explain?fact=case%2Farm_2022_09_art4&#38;at=2022-09-14&#38;reading=art4_trigger%3Ddetermination#act-arm_2022_09_art4";
    assert!(html.contains(href), "{html}");
    assert!(
        html.contains("<td data-label=\"Act&#39;s date\">14 September 2022</td>") || html.contains("<td data-label=\"Act's date\">14 September 2022</td>"),
        "{html}"
    );
    assert!(html.contains("recorder</dt>") && html.contains("operator</dt>"), "the signer roles are explained");
    let (s, html) = page_text(&f, "/explain?fact=case%2Farm_2022_09_art4&at=2022-09-14").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(r#"id="act-arm_2022_09_art4""#), "the link's anchor is on the page");
    // Every explanation the ledger links to exists: an attack or a request
    // that opened no case, or a statement, links to none.
    let (_, html) = page_text(&f, "/ledger?at=2022-12-01").await;
    let mut links = 0;
    for part in html.split("href=\"/explain?").skip(1) {
        let query = part.split('"').next().unwrap_or_default().replace("&#38;", "&").replace("&amp;", "&");
        let (s, page) = page_text(&f, &format!("/explain?{}", query.split('#').next().unwrap_or_default())).await;
        assert_eq!(s, StatusCode::OK, "/explain?{query}: {page}");
        if let Some(anchor) = query.split('#').nth(1) {
            assert!(page.contains(&format!("id=\"{anchor}\"")), "/explain?{query} has no #{anchor}");
        }
        links += 1;
    }
    assert!(links >= 10, "{links} links");
    assert!(!html.contains("case%2Faze_2022_09_attack"), "the attack opened no case");
}
