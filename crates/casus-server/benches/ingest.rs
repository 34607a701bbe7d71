//! Signed acts from many clients at once over HTTP: what group commit of
//! `casus/entry/v3` statements gives, against the signature bound of the
//! same run. A load generator of our own that prints figures (it asserts
//! nothing; the machine is shared and noisy).
//!
//! `cargo bench -p casus-server --bench ingest [-- ROUNDS CLIENTS ACTS]`
//!
//! A durable SQLite ledger (WAL, synchronous=FULL) of the CSTO record; one
//! party key per client (each registered for KAZ). Each round: every client
//! signs ACTS statements ahead (signing is the clients' work, on their own
//! machines), then CLIENTS keep-alive connections on loopback each post
//! their acts one per request, one after the other; the round's figure is
//! acts appended per second, every one durable before its answer. Before
//! each round, the two-core bound: Ed25519 strict verifications per second
//! on two threads (each act's signature is verified once, strictly). Each
//! round also prints the process's CPU time per act (from `/proc/self/stat`:
//! whether the cores were busy, and with what beside the verification), the
//! server's threads' and the load generator's apart (each runtime names its
//! threads; `/proc/self/task`), and the acts per durable commit. The figures printed are the medians over
//! the rounds, and their ratio.
//!
//! Server and load generator share the process (two runtimes) and the two
//! cores.

use std::sync::Arc;
use std::time::{Duration, Instant};

use casus_ledger::{KeyFile, KeyRole, SecretKey, Store, keys};
use casus_model::{Symbols, Time};
use casus_server::api::HeadBody;
use casus_server::client::{self, ClientTreaty, Server};
use casus_server::{AppState, Config, StoreOpener, app};
use tokio::io::AsyncWriteExt;

#[path = "common/mod.rs"]
mod common;
use common::{RECORD, TREATY, read_response};

/// Strict Ed25519 verifications per second on `threads` threads, for `window`.
fn strict_verify_rate(threads: usize, window: Duration) -> f64 {
    let key = SecretKey::from_seed([7; 32]);
    let message = [0x5a_u8; 300];
    let signature = key.sign(&message);
    let public = key.verifying_key();
    let started = Instant::now();
    let total: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut n = 0u64;
                    while started.elapsed() < window {
                        for _ in 0..64 {
                            assert!(keys::verify_strict(&public, &message, &signature));
                        }
                        n += 64;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    total as f64 / started.elapsed().as_secs_f64()
}

/// CPU time (user and system) in seconds from a `/proc/.../stat` line
/// (clock ticks of 1/100 s), with the thread's name.
fn stat_cpu(stat: &str) -> Option<(String, f64)> {
    // The name is in parentheses and may hold spaces.
    let name = stat.get(stat.find('(')? + 1..stat.rfind(')')?)?.to_string();
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split(' ').collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some((name, ticks as f64 / 100.0))
}

/// CPU time this process has used, every thread, in seconds (`None` where
/// there is no `/proc`), and that of its live threads whose name starts
/// with "casus-server" (the server's runtime and its writer) and
/// "bench-load" (the load generator).
fn cpu_secs() -> Option<(f64, f64, f64)> {
    let (_, total) = stat_cpu(&std::fs::read_to_string("/proc/self/stat").ok()?)?;
    let (mut server, mut load) = (0.0, 0.0);
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let Some((name, secs)) = std::fs::read_to_string(task.path().join("stat")).ok().as_deref().and_then(stat_cpu) else { continue };
        if name.starts_with("casus-server") {
            server += secs;
        } else if name.starts_with("bench-load") {
            load += secs;
        }
    }
    Some((total, server, load))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let rounds: usize = args.first().and_then(|s| s.parse().ok()).unwrap_or(5);
    let clients: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(32);
    let acts: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);

    let dir = std::env::temp_dir().join(format!("casus-bench-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bench.sqlite");
    let operator = SecretKey::from_seed([1; 32]);
    let keys: Vec<SecretKey> = (0..clients).map(|c| SecretKey::from_seed([(c % 200) as u8 + 10; 32])).collect();
    let parties: Vec<(String, SecretKey)> = keys.iter().map(|k| ("KAZ".to_string(), k.clone())).collect();
    let store = casus_store_sqlite::SqliteStore::open(&path).unwrap();
    let now = Time(casus_server::state::system_now() - 10);
    casus_server::demo::create(Box::new(store), TREATY, RECORD, &operator, &parties, now).unwrap();
    let p2 = path.clone();
    let opener: StoreOpener = Arc::new(move || Ok(Box::new(casus_store_sqlite::SqliteStore::open(&p2)?) as Box<dyn Store>));
    let state = AppState::open(opener, Config::default()).unwrap();

    let server_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("casus-server").enable_all().build().unwrap();
    let listener = server_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    server_rt.spawn(axum::serve(listener, app(state.clone())).into_future());
    let load_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("bench-load").enable_all().build().unwrap();

    let server = Server::parse(&format!("http://{addr}"), None).unwrap();
    let mut symbols = Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("cst.md", TREATY.1, &mut symbols);
    let t = ClientTreaty { treaty, symbols };
    let files: Vec<KeyFile> = keys.iter().map(|k| KeyFile { key: k.clone(), role: Some(KeyRole::Party("KAZ".into())) }).collect();
    println!(
        "casus signed-act ingest on {addr}: {rounds} rounds, {clients} clients, {acts} acts each, one act per request (server and load generator share the cores)"
    );

    let (mut rates, mut bounds, mut ratios, mut cpu_per_act) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let head: HeadBody = server.get_json("/api/head").unwrap();
        let signed: Vec<Vec<Vec<u8>>> = files
            .iter()
            .enumerate()
            .map(|(c, key)| {
                (0..acts)
                    .map(|n| {
                        let now = casus_server::state::system_now();
                        let text =
                            format!("{} KAZ statement\n  text     \"round {round} client {c} act {n}\"\n", Time(now).format(casus_model::Precision::Second));
                        serde_json::to_vec(&client::sign_acts(&t, &head, key, "bench.acts", &text, now).unwrap()).unwrap()
                    })
                    .collect()
            })
            .collect();
        let bound = strict_verify_rate(2, Duration::from_millis(700));
        let size_before = state.data().unwrap().size();
        let cpu_before = cpu_secs();
        let groups_before = casus_server::ingest::commit_counts(&state).0;
        let started = Instant::now();
        let failures: usize = load_rt.block_on(async {
            let mut tasks = Vec::new();
            for bodies in signed {
                tasks.push(tokio::spawn(async move {
                    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                    s.set_nodelay(true).unwrap();
                    let mut buf = Vec::new();
                    let mut failures = 0;
                    for body in bodies {
                        let mut req =
                            format!("POST /api/acts HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len())
                                .into_bytes();
                        req.extend_from_slice(&body);
                        s.write_all(&req).await.unwrap();
                        if read_response(&mut s, &mut buf).await != Some(201) {
                            failures += 1;
                        }
                    }
                    failures
                }));
            }
            let mut failures = 0;
            for t in tasks {
                failures += t.await.unwrap_or(usize::MAX / 2);
            }
            failures
        });
        let secs = started.elapsed().as_secs_f64();
        let cpu = cpu_secs().zip(cpu_before).map(|(after, before)| (after.0 - before.0, after.1 - before.1, after.2 - before.2));
        let appended = state.data().unwrap().size() - size_before;
        let groups = casus_server::ingest::commit_counts(&state).0 - groups_before;
        let rate = appended as f64 / secs;
        let cpu_note = match cpu {
            Some((c, server, load)) if appended > 0 => {
                let per_act = |secs: f64| 1e6 * secs / appended as f64;
                cpu_per_act.push((per_act(c), per_act(server), per_act(load)));
                format!(
                    "; CPU {c:.2} of {:.2} core-seconds, {:.0} µs per act (server {:.0}, load generator {:.0}; one verification: {:.0} µs)",
                    2.0 * secs,
                    per_act(c),
                    per_act(server),
                    per_act(load),
                    2e6 / bound
                )
            }
            _ => String::new(),
        };
        println!(
            "round {}: {appended} acts in {secs:.2} s = {rate:.0} acts/s ({failures} refused); two-core strict verification {bound:.0}/s; {:.0}% of it{cpu_note}; {:.1} acts per durable commit",
            round + 1,
            100.0 * rate / bound,
            appended as f64 / groups.max(1) as f64
        );
        rates.push(rate);
        bounds.push(bound);
        ratios.push(rate / bound);
    }
    println!(
        "median: {:.0} acts/s, two-core strict-verification bound {:.0}/s, ratio {:.0}% (aim: at least 10,000 acts/s and 50%)",
        median(&mut rates),
        median(&mut bounds),
        100.0 * median(&mut ratios)
    );
    if !cpu_per_act.is_empty() {
        let column = |f: fn(&(f64, f64, f64)) -> f64| median(&mut cpu_per_act.iter().map(f).collect::<Vec<_>>());
        println!(
            "median CPU per act: {:.0} µs, of which the server {:.0} µs and the load generator {:.0} µs",
            column(|c| c.0),
            column(|c| c.1),
            column(|c| c.2)
        );
    }
    let v: serde_json::Value = server.get_json("/api/verify").unwrap();
    println!("ledger after the run: {}", v["message"].as_str().unwrap_or(""));
    drop(load_rt);
    drop(server_rt);
    let _ = std::fs::remove_dir_all(&dir);
}
