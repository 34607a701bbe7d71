//! API tests of live exercises: every exercise endpoint through `oneshot`,
//! over the shipped fictional scenario (`exercises/exercise-lakes.md`).
//!
//! The browser's part (a WebCrypto key, signing prepared bytes) is played
//! here by Ed25519 keys in Rust: each role joins with its public key,
//! prepares an act, signs the bytes, and posts them to the normal
//! `POST /api/acts`. The story: control releases the injects, Borvania asks
//! for assistance, Castelia refuses the declaration with a reason and a
//! condition, Aldoria signs it and gives assistance; the report then shows
//! the declaration blocked by Castelia and the duty fulfilled by Aldoria and
//! breached by the others under the request reading, not triggered under
//! the determination reading. Each refusal is checked with its status and code.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use casus_exercise::scenario;
use casus_ledger::{MemStore, SecretKey, Store, hex};
use casus_model::Symbols;
use casus_server::exercise::{self as ex, Invitation};
use casus_server::{AppState, Config, StoreOpener, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const SCENARIO: (&str, &str) = ("exercises/exercise-lakes.md", include_str!("../../../exercises/exercise-lakes.md"));
const TREATY: (&str, &str) = ("exercises/exercise-lakes-treaty.md", include_str!("../../../exercises/exercise-lakes-treaty.md"));
const RECORD: (&str, &str) = ("exercises/exercise-lakes-record.md", include_str!("../../../exercises/exercise-lakes-record.md"));

struct Fx {
    router: Router,
    tokens: Vec<Invitation>,
    dir: PathBuf,
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("casus-exercise-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn fixture(name: &str) -> Fx {
    let dir = temp_dir(name);
    let mut symbols = Symbols::new();
    let (treaty, d) = casus_lang::load_treaty(TREATY.0, TREATY.1, &mut symbols);
    assert!(!d.iter().any(|d| d.is_error()), "{d:?}");
    let (record, d) = casus_lang::load_record(RECORD.0, RECORD.1, &treaty, &mut symbols);
    assert!(!d.iter().any(|d| d.is_error()), "{d:?}");
    let (mut sc, d) = scenario::parse(SCENARIO.0, SCENARIO.1);
    assert!(!d.iter().any(|d| d.is_error()), "{d:?}");
    let starting = scenario::starting_acts(&sc, &record);
    let (_, d) = scenario::resolve(&mut sc, SCENARIO.0, SCENARIO.1, &treaty, &mut symbols, &starting);
    assert!(d.is_empty(), "{d:?}");
    let store = MemStore::new();
    let operator = SecretKey::from_seed([1; 32]);
    let now = casus_server::state::system_now() - 60;
    let new = ex::NewExercise { scenario: sc, scenario_text: SCENARIO.1, treaty: TREATY, record: Some(RECORD), starting, symbols: &symbols };
    let tokens = ex::create(&dir, Box::new(store.clone()), new, &operator, now).expect("create");
    let s2 = store.clone();
    let opener: StoreOpener = Arc::new(move || Ok(Box::new(s2.clone()) as Box<dyn Store>));
    let state = AppState::open(opener, Config { operator: Some(operator.clone()), ..Config::default() }).expect("open");
    let exercise = Arc::new(ex::Exercise::open(&dir, operator).expect("exercise"));
    let router = ex::api::router(state.clone(), exercise).merge(app(state));
    Fx { router, tokens, dir }
}

impl Fx {
    fn token(&self, role: &str) -> String {
        self.tokens.iter().find(|i| i.role.name == role).expect("role").token.clone()
    }
    async fn call(&self, method: &str, uri: &str, role: Option<&str>, body: Option<Value>) -> (StatusCode, Value, String) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(r) = role {
            req = req.header("x-exercise-token", self.token(r));
        }
        let req = match body {
            Some(b) => req.header("content-type", "application/json").body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let resp = self.router.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), text)
    }
    async fn join(&self, role: &str, key: &SecretKey) -> (StatusCode, Value) {
        let (s, v, _) = self.call("POST", "/exercise/api/join", Some(role), Some(json!({ "public_key": hex::encode(&key.public()) }))).await;
        (s, v)
    }
    /// Prepare, sign as the browser does, post to /api/acts.
    async fn act(&self, role: &str, key: &SecretKey, body: Value) -> (StatusCode, Value) {
        let (s, p, _) = self.call("POST", "/exercise/api/prepare", Some(role), Some(body)).await;
        if s != StatusCode::OK {
            return (s, p);
        }
        let to_sign = hex::decode(p["to_sign"].as_str().unwrap()).unwrap();
        let entry = format!("{}{}", p["to_sign"].as_str().unwrap(), hex::encode(&key.sign(&to_sign)));
        let (s, v, _) = self.call("POST", "/api/acts", None, Some(json!({ "name": p["name"], "text": p["text"], "statements": [entry] }))).await;
        (s, v)
    }
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("(no error shape)")
}

fn key(n: u8) -> SecretKey {
    SecretKey::from_seed([n; 32])
}

#[tokio::test]
async fn an_exercise_is_played_through_the_api() {
    let f = fixture("play");
    let (control, brv, csl, ald) = (key(2), key(3), key(4), key(5));

    // Joining: once per link, with a usable key, with a known token.
    assert_eq!(f.join("white_cell", &control).await.0, StatusCode::CREATED);
    let (s, v) = f.join("BRV", &brv).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["key_id"].as_str().unwrap().len(), 64);
    assert!(v["seq"].as_u64().is_some(), "a delegation's key is registered in the ledger: {v}");
    let (s, v) = f.join("BRV", &key(9)).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "link_used"));
    let (s, v, _) = f.call("POST", "/exercise/api/join", Some("CSL"), Some(json!({ "public_key": "00" }))).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "bad_request"));
    let (s, v, _) = f.call("GET", "/exercise/api/view", None, None).await;
    assert_eq!((s, code(&v)), (StatusCode::UNAUTHORIZED, "unauthorized"));
    assert_eq!(f.join("CSL", &csl).await.0, StatusCode::CREATED);
    assert_eq!(f.join("ALD", &ald).await.0, StatusCode::CREATED);
    let (s, v) = f.join("eval_1", &key(6)).await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(v["seq"].is_null(), "an evaluator signs nothing: no key in the ledger");

    // The page and its assets.
    let (s, _, html) = f.call("GET", &format!("/exercise/join/{}", f.token("BRV")), None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("/exercise/assets/exercise.js"));
    let (s, _, js) = f.call("GET", "/exercise/assets/exercise.js", None, None).await;
    assert!(s == StatusCode::OK && js.contains("generateKey({ name: \"Ed25519\" }, false"));
    assert_eq!(f.call("GET", "/exercise/join/nope", None, None).await.0, StatusCode::UNAUTHORIZED);

    // Acting before the key is registered, and roles that sign nothing.
    let (s, v, _) = f.call("POST", "/exercise/api/prepare", Some("DRN"), Some(json!({ "act": { "kind": "statement", "fields": [["text", "x"]] } }))).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "not_joined"));
    let (s, v, _) = f.call("POST", "/exercise/api/prepare", Some("eval_1"), Some(json!({ "act": { "kind": "statement" } }))).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "forbidden"));
    let (s, v, _) = f.call("POST", "/exercise/api/prepare", Some("BRV"), Some(json!({ "inject": "I1" }))).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "bad_request"));

    // Turn 1: control releases the attack; twice is refused.
    let (s, v) = f.act("white_cell", &control, json!({ "inject": "I1" })).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v, _) = f.call("POST", "/exercise/api/prepare", Some("white_cell"), Some(json!({ "inject": "I1" }))).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "released"));
    let (s, v, _) = f.call("POST", "/exercise/api/prepare", Some("white_cell"), Some(json!({ "inject": "I9" }))).await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "not_found"));

    // Borvania asks for assistance under Article 3.
    let (s, v) = f.act("BRV", &brv, json!({ "act": { "kind": "request", "subject": "assistance", "fields": [["under", "art3"], ["to", "LC"]] } })).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // A delegation acts as its own party only; the treaty refuses with its reason.
    let (s, v, _) = f.call("POST", "/exercise/api/prepare", Some("CSL"), Some(json!({ "act": { "kind": "statement", "actor": "ALD" } }))).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "forbidden"));
    let (s, v) = f.act("CSL", &csl, json!({ "act": { "kind": "sign", "fields": [["document", "no_such_document"]] } })).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "treaty"), "{v}");
    let (s, v) = f.act("CSL", &csl, json!({ "act": { "kind": "request", "subject": "assistance", "fields": [["under", "art9"], ["to", "LC"]] } })).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "treaty"), "{v}");
    let (s, v, _) = f.call("POST", "/exercise/api/prepare", Some("CSL"), Some(json!({ "act": { "kind": "sign", "fields": [["id", "x"]] } }))).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "bad_request"));
    let (s, v, _) = f
        .call("POST", "/exercise/api/prepare", Some("CSL"), Some(json!({ "act": { "kind": "sign", "fields": [["document", "a\n2031-01-01 ALD sign"]] } })))
        .await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "bad_request"), "no second act slips in through a field");
    // Bytes signed with another party's key are refused by the normal write path.
    let (_, p, _) = f.call("POST", "/exercise/api/prepare", Some("CSL"), Some(json!({ "act": { "kind": "statement", "fields": [["text", "x"]] } }))).await;
    let to_sign = hex::decode(p["to_sign"].as_str().unwrap()).unwrap();
    let forged = format!("{}{}", p["to_sign"].as_str().unwrap(), hex::encode(&ald.sign(&to_sign)));
    let (s, v, _) = f.call("POST", "/api/acts", None, Some(json!({ "name": p["name"], "text": p["text"], "statements": [forged] }))).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "bad_signature"), "{v}");

    // Turn 2: the drafts; releasing them moves the clock to their time.
    for i in ["I2", "I3"] {
        let (s, v) = f.act("white_cell", &control, json!({ "inject": i })).await;
        assert_eq!(s, StatusCode::CREATED, "{i}: {v}");
    }
    let (_, v, _) = f.call("GET", "/exercise/api/view", Some("CSL"), None).await;
    assert_eq!(v["clock"]["scenario_text"], "2031-03-02T12:00:00Z");
    assert_eq!(v["turn"], 2);
    let decl = v["documents"].as_array().unwrap().iter().find(|d| d["id"] == "lakes_declaration").expect("the declaration is asked of CSL").clone();
    assert_eq!((decl["status"].as_str(), decl["position"].as_str()), (Some("pending"), Some("pending")));
    assert!(v["duties"].as_array().unwrap().iter().any(|d| d["duty"] == "assist_victim" && d["debtor"] == "CSL"), "{v}");

    // Castelia refuses with a reason and a condition; Aldoria signs and assists.
    let refuse = json!({ "act": { "kind": "refuse", "fields": [["document", "lakes_declaration"], ["reason", "The draft names no aggressor"], ["condition", "Name Xenara as the aggressor"]] } });
    let (s, v) = f.act("CSL", &csl, refuse).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = f.act("ALD", &ald, json!({ "act": { "kind": "sign", "fields": [["document", "lakes_declaration"]] } })).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, v, _) = f.call("GET", "/exercise/api/view", Some("BRV"), None).await;
    let case = v["duties"].as_array().unwrap().iter().find(|d| d["duty"] == "assist_victim" && d["debtor"] == "ALD").expect("ALD owes BRV")["case"].clone();
    let (s, v) = f.act("ALD", &ald, json!({ "act": { "kind": "assistance", "fields": [["to", "BRV"], ["means", "military"], ["case", case]] } })).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // The views: each delegation's own acts carry the exercise's stamp.
    let (_, v, _) = f.call("GET", "/exercise/api/view", Some("CSL"), None).await;
    let decl = v["documents"].as_array().unwrap().iter().find(|d| d["id"] == "lakes_declaration").unwrap().clone();
    assert_eq!((decl["status"].as_str(), decl["position"].as_str()), (Some("blocked"), Some("refused")));
    assert_eq!(decl["blocked_by"], json!(["CSL"]));
    assert!(v["acts"].as_array().unwrap().iter().all(|a| a["actor"] == "CSL" && a["turn"] == 2), "{}", v["acts"]);
    let (_, v, _) = f.call("GET", "/exercise/api/view", Some("white_cell"), None).await;
    let released: Vec<bool> = v["injects"].as_array().unwrap().iter().map(|i| i["released"].as_bool().unwrap()).collect();
    assert_eq!(released, [true, true, true, false]);
    assert_eq!(v["delegations"].as_array().unwrap().len(), 6);
    assert!(
        v["delegations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "DRN" && d["pending"].as_array().unwrap().iter().any(|x| x == "Decision on joint assistance to Borvania (fiction)"))
    );

    // A what-if branch for control: had Fernlund given assistance an hour
    // earlier, its duty would be met; the ledger is not touched.
    let (_, head_before, _) = f.call("GET", "/api/head", None, None).await;
    let what_if = "2031-03-02T11:00:00Z FRL assistance\n  to BRV\n";
    let (s, w, _) = f.call("POST", "/exercise/api/whatif", Some("white_cell"), Some(json!({ "acts": what_if }))).await;
    assert_eq!(s, StatusCode::OK, "{w}");
    assert!(
        w["changes"].as_array().unwrap().iter().any(|c| c["what"].as_str().unwrap().contains("owed by Fernlund (fictional) in the case \u{201c}")
            && c["now"] == "pending"
            && c["with_acts"] == "fulfilled"),
        "{w}"
    );
    // An act dated after the scenario's time is read at its own time, not
    // at a time it cannot change yet.
    let later = "2031-03-03T11:00:00Z FRL assistance\n  to BRV\n";
    let (s, w, _) = f.call("POST", "/exercise/api/whatif", Some("white_cell"), Some(json!({ "acts": later }))).await;
    assert_eq!(s, StatusCode::OK, "{w}");
    assert_eq!(w["at"], "2031-03-03T11:00:00Z", "{w}");
    assert!(!w["changes"].as_array().unwrap().is_empty(), "a later assistance changes a verdict read at its time: {w}");
    let (_, head_after, _) = f.call("GET", "/api/head", None, None).await;
    assert_eq!(head_before["size"], head_after["size"], "a what-if writes nothing");
    let (s, v, _) = f.call("POST", "/exercise/api/whatif", Some("CSL"), Some(json!({ "acts": what_if }))).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "forbidden"));
    let (s, v, _) =
        f.call("POST", "/exercise/api/whatif", Some("white_cell"), Some(json!({ "acts": "2031-03-02 QQQ sign\n  document lakes_declaration\n" }))).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "treaty"), "{v}");

    // The clock: control only; no running backwards.
    let (s, v, _) = f.call("POST", "/exercise/api/clock", Some("BRV"), Some(json!({ "action": "pause" }))).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "forbidden"));
    let (s, v, _) = f.call("POST", "/exercise/api/clock", Some("white_cell"), Some(json!({ "action": "advance", "to": "2031-03-01" }))).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "bad_request"));
    let (s, v, _) = f.call("POST", "/exercise/api/clock", Some("white_cell"), Some(json!({ "action": "rate", "rate": 0 }))).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "bad_request"));
    let (s, v, _) = f.call("POST", "/exercise/api/clock", Some("white_cell"), Some(json!({ "action": "resume" }))).await;
    assert_eq!((s, v["paused"].as_bool()), (StatusCode::OK, Some(false)));
    let (s, v, _) = f.call("POST", "/exercise/api/clock", Some("white_cell"), Some(json!({ "action": "rate", "rate": 120 }))).await;
    assert_eq!((s, v["rate"].as_u64()), (StatusCode::OK, Some(120)));
    let (s, _, _) = f.call("POST", "/exercise/api/clock", Some("white_cell"), Some(json!({ "action": "pause" }))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v, _) = f.call("POST", "/exercise/api/clock", Some("white_cell"), Some(json!({ "action": "advance", "to": "2031-03-08" }))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "past the exercise's end: {v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("the exercise ends at 2031-03-06")), "{v}");
    let (s, v, _) = f.call("POST", "/exercise/api/clock", Some("white_cell"), Some(json!({ "action": "advance", "to": "2031-03-06" }))).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Observations: evaluators only, anchored to an inject or an act.
    let (s, v, _) = f
        .call("POST", "/exercise/api/observations", Some("eval_1"), Some(json!({ "anchor": "inject:I2", "text": "Castelia's refusal came within minutes." })))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v, _) = f.call("POST", "/exercise/api/observations", Some("eval_1"), Some(json!({ "anchor": "inject:I42", "text": "x" }))).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "anchor"));
    let (s, v, _) = f.call("POST", "/exercise/api/observations", Some("CSL"), Some(json!({ "anchor": "inject:I2", "text": "x" }))).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "forbidden"));
    assert!(f.dir.join(ex::OBSERVATIONS_FILE).is_file(), "observations are kept beside the ledger");

    // The after-action report.
    let (s, r, _) = f.call("GET", "/exercise/api/report", Some("white_cell"), None).await;
    assert_eq!(s, StatusCode::OK);
    let decl = r["decisions"].as_array().unwrap().iter().find(|d| d["document"] == "lakes_declaration").expect("declaration").clone();
    assert_eq!((decl["status"].as_str(), &decl["blocked_by"]), (Some("blocked"), &json!(["CSL"])));
    let csl_pos = decl["positions"].as_array().unwrap().iter().find(|p| p["party"] == "CSL").unwrap().clone();
    assert_eq!((csl_pos["reason"].as_str(), csl_pos["condition"].as_str()), (Some("The draft names no aggressor"), Some("Name Xenara as the aggressor")));
    let verdict = |reading: &str, debtor: &str| -> String {
        r["duties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["reading"] == reading && d["debtor"] == debtor && d["duty"].as_str().unwrap().starts_with("Assistance"))
            .map_or("absent".into(), |d| d["status"].as_str().unwrap().to_string())
    };
    assert_eq!(verdict("default", "ALD"), "fulfilled");
    for p in ["CSL", "DRN", "ESK", "FRL"] {
        assert_eq!(verdict("default", p), "breached", "{p}");
        assert_eq!(verdict("art3_trigger=determination", p), "not_triggered", "{p}");
    }
    let ald = r["duties"].as_array().unwrap().iter().find(|d| d["reading"] == "default" && d["debtor"] == "ALD" && d["status"] == "fulfilled").unwrap().clone();
    assert_eq!(ald["performed_secs"].as_i64(), Some(4 * 3600), "assistance came four scenario hours after the request: {ald}");
    assert_eq!(ald["deadline_secs"].as_i64(), Some(2 * 86_400), "two days from the request under the default reading: {ald}");
    assert!(r["divergences_from_treaty"].as_array().unwrap().len() >= 4);
    assert_eq!(r["observations"].as_array().unwrap().len(), 1);
    assert!(r["timeline"].as_array().unwrap().iter().any(|t| t["by"] == "delegation" && t["turn"] == 2));

    let (s, _, html) = f.call("GET", &format!("/exercise/report/{}", f.token("press")), None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("blocked by Castelia (fictional)") && html.contains("Name Xenara as the aggressor") && html.contains("@media print"), "{html}");
    // People read names and the treaty's words, not codes and ids.
    assert!(html.contains("attacked Borvania (fictional)") && !html.contains(">default<") && !html.contains("art3_trigger="), "{html}");
    // Dates as people write them, the treaty's readings as sentences, no
    // ids of documents, acts or injects.
    assert!(html.contains("4 March 2031, 08:00 UTC (2 days after the case opened)") && html.contains("Read at scenario time 6 March 2031."), "{html}");
    assert!(!html.contains("2031-03-0") && !html.contains("T08:00"), "no ISO timestamps: {html}");
    assert!(html.contains("Within two days. The victim&#39;s request"), "{html}");
    assert!(!html.contains("; The ") && !html.contains("lakes_declaration") && !html.contains("inject:I2") && html.contains("on inject I2"), "{html}");
    assert!(
        html.contains("Verdict: <strong class=\"v-blocked\">blocked by Castelia (fictional)</strong>")
            && html.contains(">The Lakes Council (fictional) proposed"),
        "{html}"
    );
    let _ = std::fs::remove_dir_all(&f.dir);
}
