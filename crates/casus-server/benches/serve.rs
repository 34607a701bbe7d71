//! The server's load test on loopback: a bounded load generator of our own
//! that prints figures (it asserts nothing; the machine is shared and noisy).
//!
//! `cargo bench -p casus-server --bench serve [-- SECONDS CONNECTIONS]`
//!
//! 1. State queries: CONNECTIONS keep-alive connections each send
//!    `GET /api/state` in a loop for SECONDS, over 8 distinct (date,
//!    reading) queries, so after the first of each the report is served
//!    from the cache. Prints queries/s and p50/p99/max latency.
//! 2. Signed-act ingest into a durable SQLite ledger (WAL, synchronous=FULL):
//!    one signer posting one act per request, then batches of 100; every
//!    act is signed by the party's key, checked against the registry and
//!    the treaty, and committed before the answer. Prints acts/s.
//!
//! Server and load generator share the process (two runtimes) and the two
//! cores: the figures are a lower bound for a server alone on the machine.

use std::sync::Arc;
use std::time::{Duration, Instant};

use casus_ledger::{KeyFile, KeyRole, SecretKey, Store};
use casus_model::{Symbols, Time};
use casus_server::api::HeadBody;
use casus_server::client::{self, ClientTreaty, Server};
use casus_server::ingest::SignedActs;
use casus_server::{AppState, Config, StoreOpener, app};
use tokio::io::AsyncWriteExt;

#[path = "common/mod.rs"]
mod common;
use common::{RECORD, TREATY, read_response};

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// Runs `connections` keep-alive connections over `queries` for `seconds` and prints the figures.
fn query_phase(rt: &tokio::runtime::Runtime, addr: std::net::SocketAddr, label: &str, queries: &[String], seconds: u64, connections: usize) {
    let (lat, errors, elapsed) = rt.block_on(async {
        let stop = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..connections {
            let queries = queries.to_vec();
            tasks.push(tokio::spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                s.set_nodelay(true).unwrap();
                let mut buf = Vec::new();
                let mut lat = Vec::new();
                let mut errors = 0u64;
                let mut i = c * (queries.len() / connections).max(1);
                while Instant::now() < stop {
                    let q = &queries[i % queries.len()];
                    i += 1;
                    let t = Instant::now();
                    s.write_all(format!("GET {q} HTTP/1.1\r\nHost: bench\r\n\r\n").as_bytes()).await.unwrap();
                    match read_response(&mut s, &mut buf).await {
                        Some(200) => lat.push(t.elapsed().as_micros() as u32),
                        _ => errors += 1,
                    }
                }
                (lat, errors)
            }));
        }
        let mut all = Vec::new();
        let mut errors = 0;
        for t in tasks {
            let (l, e) = t.await.unwrap();
            all.extend(l);
            errors += e;
        }
        (all, errors, started.elapsed())
    });
    let mut lat = lat;
    lat.sort_unstable();
    println!(
        "{label}: {} in {:.2} s = {:.0} queries/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {errors} errors",
        lat.len(),
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let seconds: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(5);
    let connections: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(32);

    let dir = std::env::temp_dir().join(format!("casus-bench-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bench.sqlite");
    let operator = SecretKey::from_seed([1; 32]);
    let kaz = SecretKey::from_seed([2; 32]);
    let store = casus_store_sqlite::SqliteStore::open(&path).unwrap();
    let now = Time(casus_server::state::system_now() - 10);
    casus_server::demo::create(Box::new(store), TREATY, RECORD, &operator, &[("KAZ".into(), kaz.clone())], now).unwrap();
    let p2 = path.clone();
    let opener: StoreOpener = Arc::new(move || Ok(Box::new(casus_store_sqlite::SqliteStore::open(&p2)?) as Box<dyn Store>));
    let state = AppState::open(opener, Config { max_skew_secs: 3600, ..Config::default() }).unwrap();

    let server_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = server_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    server_rt.spawn(axum::serve(listener, app(state.clone())).into_future());

    println!("casus server load test on {addr}: {seconds} s, {connections} connections (server and load generator share this machine's cores)");
    let queries: Vec<String> = ["2021-06-01", "2022-01-20", "2022-09-30", "2022-12-01"]
        .iter()
        .flat_map(|d| ["", "&reading=art4_trigger%3Ddetermination"].map(|r| format!("/api/state?at={d}{r}")))
        .collect();
    let load_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    query_phase(&load_rt, addr, "state queries (8 distinct, cached)", &queries, seconds, connections);
    // Every request a new time (2021–2025, one every ~13 minutes): each one
    // derives the state over the whole record (the cache misses).
    let cold: Vec<String> =
        (0..200_000).map(|i| format!("/api/state?at={}", Time(Time::from_date(2021, 1, 1).0 + i * 797).format(casus_model::Precision::Second))).collect();
    query_phase(&load_rt, addr, "state queries (each a new date, derived)", &cold, 2, connections);

    // Ingest: sign locally; the ledger gives positions, so the signer needs no round trip for the head.
    let url = format!("http://{addr}");
    let server = Server::parse(&url, None).unwrap();
    let mut symbols = Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("cst.md", TREATY.1, &mut symbols);
    let t = ClientTreaty { treaty, symbols };
    let key = KeyFile { key: kaz, role: Some(KeyRole::Party("KAZ".into())) };
    // The append path alone, in process (no HTTP): checks, durable commit, indexing.
    {
        let head: HeadBody = server.get_json("/api/head").unwrap();
        let started = Instant::now();
        let total = 500;
        for n in 0..total {
            let now = casus_server::state::system_now();
            let text = format!("{} KAZ statement\n  text     \"bench in-process {n}\"\n", Time(now).format(casus_model::Precision::Second));
            let signed = client::sign_acts(&t, &head, &key, "bench.acts", &text, now).unwrap();
            casus_server::ingest::append(&state, &signed).unwrap();
        }
        let secs = started.elapsed().as_secs_f64();
        println!("signed-act append path in process (no HTTP), one act per commit: {total} acts in {secs:.2} s = {:.0} acts/s", total as f64 / secs);
    }
    // One keep-alive connection, as a client posting many acts would hold.
    let mut conn = load_rt.block_on(tokio::net::TcpStream::connect(addr)).unwrap();
    conn.set_nodelay(true).unwrap();
    let mut cbuf = Vec::new();
    for (label, batch, total) in [("one act per request", 1usize, 1000usize), ("batches of 10 acts", 10, 3000), ("batches of 100 acts", 100, 10000)] {
        let head: HeadBody = server.get_json("/api/head").unwrap();
        let started = Instant::now();
        let mut sent = 0;
        let mut n = 0;
        while sent < total {
            let now = casus_server::state::system_now();
            let mut text = String::new();
            for _ in 0..batch {
                n += 1;
                text.push_str(&format!("{} KAZ statement\n  text     \"bench {label} {n}\"\n\n", Time(now).format(casus_model::Precision::Second)));
            }
            let signed = client::sign_acts(&t, &head, &key, "bench.acts", &text, now).unwrap();
            let body = serde_json::to_vec(&SignedActs { ..signed }).unwrap();
            let status = load_rt.block_on(async {
                let mut req =
                    format!("POST /api/acts HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
                req.extend_from_slice(&body);
                conn.write_all(&req).await.unwrap();
                read_response(&mut conn, &mut cbuf).await
            });
            assert_eq!(status, Some(201));
            sent += batch;
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "signed-act ingest, {label}: {sent} acts in {secs:.2} s = {:.0} acts/s (durable SQLite commits, signature and treaty checks)",
            sent as f64 / secs
        );
    }
    let v: serde_json::Value = server.get_json("/api/verify").unwrap();
    println!("ledger after the run: verified {}", v["message"].as_str().unwrap_or(""));
    drop(conn);
    drop(load_rt);
    drop(server_rt);
    let _ = std::fs::remove_dir_all(&dir);
}
