//! Tiles served per second on loopback: the C2SP `tlog-tiles` endpoints
//! (`/tile/<L>/<N>`, `/tile/entries/<N>`) under keep-alive load, with
//! `/api/head` (the smallest JSON answer) measured in the same run as the
//! reference of what the HTTP stack itself costs here. Prints figures (the
//! median of five rounds each); asserts nothing (the machine is shared).
//!
//! `cargo bench -p casus-server --bench tiles [-- SECONDS CONNECTIONS]`
//!
//! The ledger: the CSTO demo ledger with its record imported again until it
//! holds about 20,000 entries, in a durable SQLite file; server and load
//! generator share the process (two runtimes) and the machine's cores, so
//! the figures are a lower bound for a server alone.

use std::sync::Arc;
use std::time::{Duration, Instant};

use casus_ledger::tiles::{self, TileKind};
use casus_ledger::{Ledger, SecretKey, Store};
use casus_model::{Symbols, Time};
use casus_server::{AppState, Config, StoreOpener, app};
use tokio::io::AsyncWriteExt;

#[path = "common/mod.rs"]
mod common;
use common::{RECORD, TREATY, read_response};

/// Entries the bench ledger grows to (at least).
const ENTRIES: u64 = 20_000;
/// Rounds per phase; the median is reported.
const ROUNDS: usize = 5;

/// One round: `connections` keep-alive connections GET `paths` in turn for
/// `seconds`; returns answers per second (and the count of non-200s).
fn round(rt: &tokio::runtime::Runtime, addr: std::net::SocketAddr, paths: &Arc<Vec<String>>, seconds: f64, connections: usize) -> (f64, u64) {
    rt.block_on(async {
        let stop = Instant::now() + Duration::from_secs_f64(seconds);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..connections {
            let paths = Arc::clone(paths);
            tasks.push(tokio::spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
                s.set_nodelay(true).expect("nodelay");
                let mut buf = Vec::new();
                let (mut ok, mut errors) = (0u64, 0u64);
                let mut i = c * 7919;
                while Instant::now() < stop {
                    let p = &paths[i % paths.len()];
                    i += 1;
                    s.write_all(format!("GET {p} HTTP/1.1\r\nHost: bench\r\n\r\n").as_bytes()).await.expect("write");
                    match read_response(&mut s, &mut buf).await {
                        Some(200) => ok += 1,
                        Some(_) => errors += 1,
                        None => break,
                    }
                }
                (ok, errors)
            }));
        }
        let (mut ok, mut errors) = (0, 0);
        for t in tasks {
            let (o, e) = t.await.expect("task");
            ok += o;
            errors += e;
        }
        (ok as f64 / started.elapsed().as_secs_f64(), errors)
    })
}

fn phase(rt: &tokio::runtime::Runtime, addr: std::net::SocketAddr, label: &str, paths: Vec<String>, seconds: f64, connections: usize) -> f64 {
    let paths = Arc::new(paths);
    // A first pass fills the caches (tiles above level 0, full bundles).
    round(rt, addr, &paths, 0.5, connections);
    let mut rates = Vec::new();
    let mut errors = 0;
    for _ in 0..ROUNDS {
        let (rate, e) = round(rt, addr, &paths, seconds, connections);
        rates.push(rate);
        errors += e;
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[ROUNDS / 2];
    let each: Vec<String> = rates.iter().map(|r| format!("{r:.0}")).collect();
    println!("{label}: median {median:.0}/s over {ROUNDS} rounds of {seconds} s (rounds: {}); {errors} non-200 answers", each.join(", "));
    median
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let seconds: f64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let connections: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(32);

    let dir = std::env::temp_dir().join(format!("casus-bench-tiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bench.sqlite");
    let operator = SecretKey::from_seed([1; 32]);
    let now = Time(casus_server::state::system_now() - 10);
    let store = casus_store_sqlite::SqliteStore::open(&path).expect("store");
    casus_server::demo::create(Box::new(store), TREATY, RECORD, &operator, &[], now).expect("demo ledger");
    let mut symbols = Symbols::new();
    let (t, _) = casus_lang::load_treaty(TREATY.0, TREATY.1, &mut symbols);
    let (record, _) = casus_lang::load_record(RECORD.0, RECORD.1, &t, &mut symbols);
    let mut l = Ledger::open(Box::new(casus_store_sqlite::SqliteStore::open(&path).expect("store")));
    while l.len().expect("len") < ENTRIES {
        l.import(&record, &symbols, &operator, now).expect("import");
    }
    l.checkpoint(&operator, now).expect("checkpoint");
    let size = l.len().expect("len");
    drop(l);
    let p2 = path.clone();
    let opener: StoreOpener = Arc::new(move || Ok(Box::new(casus_store_sqlite::SqliteStore::open(&p2)?) as Box<dyn Store>));
    let state = AppState::open(opener, Config::default()).expect("open");

    let server_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let listener = server_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().expect("addr");
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    server_rt.spawn(axum::serve(listener, app(state)).into_future());
    let load_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");

    let all = tiles::tiles_for_size(size);
    let hash_tiles: Vec<String> = all.iter().map(|t| format!("/{}", t.path())).collect();
    let full_level0 = all.iter().filter(|t| t.kind == TileKind::Hashes(0) && t.is_full()).count();
    let bundles: Vec<String> = tiles::bundles_for_range(0, size).iter().filter(|b| b.is_full()).map(|b| format!("/{}", b.path())).collect();
    println!(
        "casus tiles load test on {addr}: a ledger of {size} entries ({} hash tiles, {full_level0} of them full level-0 tiles, {} full entry bundles); {connections} keep-alive connections",
        hash_tiles.len(),
        bundles.len()
    );
    let reference = phase(&load_rt, addr, "GET /api/head (reference: the HTTP stack, smallest JSON)", vec!["/api/head".to_string()], seconds, connections);
    let hashes = phase(&load_rt, addr, "GET /tile/<L>/<N> (hash tiles, 8 KiB each when full)", hash_tiles, seconds, connections);
    let entries = phase(&load_rt, addr, "GET /tile/entries/<N> (full entry bundles, cached)", bundles, seconds, connections);
    println!(
        "hash tiles: {hashes:.0}/s ({:.0}% of /api/head in the same run); entry bundles: {entries:.0}/s ({:.0}%); aim: at least 20,000 tiles/s",
        100.0 * hashes / reference,
        100.0 * entries / reference
    );
    let _ = std::fs::remove_dir_all(&dir);
}
