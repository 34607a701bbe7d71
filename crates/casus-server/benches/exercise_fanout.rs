//! The exercise fan-out bench: 32 delegations and 200 observers connected
//! to the server-sent events of one exercise; each act a delegation signs
//! must reach every client. Measures, per act, the time from the write's
//! acknowledgement (`201` from `POST /api/acts`) to the moment the last of
//! the 232 clients has read its event, and prints the median, p99 and
//! maximum (aim: p99 under one second).
//!
//! `cargo bench -p casus-server --bench exercise_fanout -- [ACTS]` (default 200)
//!
//! One process: the server (the exercise's router beside the normal app, on
//! 127.0.0.1), the 232 event clients (raw sockets), and the writer (each
//! act prepared by `/exercise/api/prepare`, signed with the delegation's
//! Ed25519 key as its browser would, and posted), so the figures include
//! the clients' own reading on the same cores. The treaty is a fictional
//! one with 32 parties, written here.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use casus_exercise::scenario;
use casus_ledger::{MemStore, SecretKey, Store, hex};
use casus_model::Symbols;
use casus_server::exercise as ex;
use casus_server::{AppState, Config, StoreOpener, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

const DELEGATIONS: usize = 32;
const OBSERVERS: usize = 200;
const SOURCE: &str = "Fictional treaty written for the casus exercise fan-out bench";

fn treaty_text() -> String {
    let mut t = format!(
        "# EXERCISE (FICTION): a 32-party pact for the fan-out bench\n\n```casus\ntreaty BENCH \"Bench pact (FICTION)\"\n  signed 2019-01-01 at \"Nowhere (fictional)\"\n  source \"{SOURCE}\"\n\nversion b2020 \"Text (fiction)\"\n  in-force 2020-01-01\n  source \"{SOURCE}\"\n"
    );
    for i in 1..=DELEGATIONS {
        t.push_str(&format!("\nparty P{i:02} \"Party {i} (fictional)\"\n  joins 2020-01-01 source \"{SOURCE}\"\n"));
    }
    t.push_str(&format!("\norgan BC \"Bench Council (fictional)\"\n  seats every party\n  decides consensus with opt-out\n  source \"{SOURCE}\"\n```\n"));
    t
}

fn scenario_text() -> String {
    let mut s = String::from(
        "# EXERCISE (FICTION): fan-out bench\n\n```exercise\nexercise \"Fan-out bench (FICTION)\"\n  fiction\n  treaty \"exercise-bench-treaty.md\"\n  start 2031-01-01T00:00:00Z\n  rate 60\n\ncontrol cell\nevaluator eval\n",
    );
    for i in 1..=DELEGATIONS {
        s.push_str(&format!("delegation P{i:02}\n"));
    }
    s.push_str("```\n");
    s
}

async fn call(router: &axum::Router, method: &str, uri: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri).header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("x-exercise-token", t);
    }
    let resp = router.clone().oneshot(req.body(Body::from(body.to_string())).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let acts: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(200);
    let _ = casus_server::serve::raise_descriptor_limit();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(run(acts));
}

async fn run(acts: usize) {
    let dir = std::env::temp_dir().join(format!("casus-fanout-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (ttext, stext) = (treaty_text(), scenario_text());
    let mut symbols = Symbols::new();
    let (treaty, d) = casus_lang::load_treaty("exercise-bench-treaty.md", &ttext, &mut symbols);
    assert!(!d.iter().any(|d| d.is_error()), "{}", casus_lang::render(&d, "treaty", &ttext));
    let (mut sc, d) = scenario::parse("exercise-bench.md", &stext);
    assert!(!d.iter().any(|d| d.is_error()), "{d:?}");
    let (_, d) = scenario::resolve(&mut sc, "exercise-bench.md", &stext, &treaty, &mut symbols, &[]);
    assert!(!d.iter().any(|d| d.is_error()), "{d:?}");
    let store = MemStore::new();
    let operator = SecretKey::from_seed([1; 32]);
    let new = ex::NewExercise {
        scenario: sc,
        scenario_text: &stext,
        treaty: ("exercise-bench-treaty.md", &ttext),
        record: None,
        starting: Vec::new(),
        symbols: &symbols,
    };
    let invitations = ex::create(&dir, Box::new(store.clone()), new, &operator, casus_server::state::system_now() - 60).unwrap();
    let s2 = store.clone();
    let opener: StoreOpener = Arc::new(move || Ok(Box::new(s2.clone()) as Box<dyn Store>));
    let state = AppState::open(opener, Config { operator: Some(operator.clone()), ..Config::default() }).unwrap();
    let exercise = Arc::new(ex::Exercise::open(&dir, operator).unwrap());
    let router = ex::api::router(state.clone(), exercise).merge(app(state));

    // The delegations join with their keys.
    let mut delegations = Vec::new();
    for (i, inv) in invitations.iter().filter(|i| i.role.kind == casus_exercise::RoleKind::Delegation).enumerate() {
        let key = SecretKey::from_seed([(i + 10) as u8; 32]);
        let (s, v) = call(&router, "POST", "/exercise/api/join", Some(&inv.token), json!({ "public_key": hex::encode(&key.public()) })).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        delegations.push((inv.token.clone(), key));
    }
    assert_eq!(delegations.len(), DELEGATIONS);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = router.clone();
    tokio::spawn(async move { casus_server::serve::serve(listener, served, casus_server::serve::process_limits(), std::future::pending()).await });

    // 232 event clients, each reporting (client, seq, when read).
    let clients = DELEGATIONS + OBSERVERS;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, u64, Instant)>();
    for c in 0..clients {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
            s.write_all(format!("GET /api/events HTTP/1.1\r\nhost: {addr}\r\naccept: text/event-stream\r\n\r\n").as_bytes()).await.unwrap();
            let mut buf = vec![0u8; 64 * 1024];
            let mut pending = String::new();
            loop {
                let n = match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let now = Instant::now();
                pending.push_str(&String::from_utf8_lossy(&buf[..n]));
                while let Some(nl) = pending.find('\n') {
                    let line: String = pending.drain(..=nl).collect();
                    if let Some(id) = line.trim_end().strip_prefix("id: ").or_else(|| line.trim_end().strip_prefix("id:"))
                        && let Ok(seq) = id.trim().parse::<u64>()
                    {
                        let _ = tx.send((c, seq, now));
                    }
                }
            }
        });
    }
    drop(tx);

    // Waits until every client has read `seq`; returns the last arrival.
    let mut seen: HashMap<u64, (usize, Instant)> = HashMap::new();
    let mut wait_for = async |seq: u64, deadline: Duration| -> Option<Instant> {
        let t0 = Instant::now();
        loop {
            if let Some(&(n, last)) = seen.get(&seq)
                && n == clients
            {
                return Some(last);
            }
            let left = deadline.checked_sub(t0.elapsed())?;
            let (_, s, at) = tokio::time::timeout(left, rx.recv()).await.ok()??;
            let e = seen.entry(s).or_insert((0, at));
            e.0 += 1;
            e.1 = e.1.max(at);
        }
    };

    let write = async |i: usize| -> (u64, Instant) {
        let (token, key) = &delegations[i % DELEGATIONS];
        let (s, p) = call(
            &router,
            "POST",
            "/exercise/api/prepare",
            Some(token),
            json!({ "act": { "kind": "statement", "fields": [["text", format!("bench statement {i}")]] } }),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        let to_sign = hex::decode(p["to_sign"].as_str().unwrap()).unwrap();
        let entry = format!("{}{}", p["to_sign"].as_str().unwrap(), hex::encode(&key.sign(&to_sign)));
        let (s, v) = call(&router, "POST", "/api/acts", None, json!({ "name": p["name"], "text": p["text"], "entries": [entry] })).await;
        let ack = Instant::now();
        assert_eq!(s, StatusCode::CREATED, "{v}");
        (v["last"].as_u64().unwrap(), ack)
    };

    // Warm-up: every client connected and reading.
    let connected = Instant::now();
    loop {
        let (seq, _) = write(0).await;
        if wait_for(seq, Duration::from_secs(2)).await.is_some() {
            break;
        }
        assert!(connected.elapsed() < Duration::from_secs(60), "the {clients} clients did not all connect");
    }
    eprintln!("{clients} clients connected ({DELEGATIONS} delegations, {OBSERVERS} observers); {acts} acts, one at a time");

    let mut latencies = Vec::with_capacity(acts);
    let t0 = Instant::now();
    for i in 0..acts {
        let (seq, ack) = write(i).await;
        let last = wait_for(seq, Duration::from_secs(30)).await.unwrap_or_else(|| panic!("act {i} (entry {seq}) did not reach every client within 30 s"));
        latencies.push(last.saturating_duration_since(ack));
    }
    let elapsed = t0.elapsed();
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "exercise fan-out: {acts} acts to {clients} clients; acknowledgement to the last client's event: median {:.1} ms, p99 {:.1} ms, max {:.1} ms (aim: p99 < 1000 ms); {:.0} acts/s end to end",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap()),
        acts as f64 / elapsed.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
