//! The soak test (not in CI): a `casus serve` under a mixed load for a
//! given time, its resident memory sampled every 10 s and printed as a
//! curve. A server that leaks shows a rising curve; a bounded one levels.
//!
//! `cargo bench -p casus-server --bench soak -- CASUS_BIN [SECONDS]`
//!
//! The ledger is the CSTO demo (treaty and record) with a key per party,
//! in SQLite, served with the operator key so that checkpoints follow the
//! writes. The load, all at once:
//! - 4 readers: state queries over 200 distinct dates (cache hits and
//!   misses), cases, entry pages, the head;
//! - 1 writer: a signed act every 200 ms (`POST /api/acts`);
//! - 8 server-sent-event clients reading `/api/events`;
//! - 1 bundle client: a proof bundle every 250 ms.

#[path = "../tests/support/attacks.rs"]
mod attacks;

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use attacks::{proc_status_bytes, request};
use casus_ledger::{KeyFile, KeyRole, SecretKey};
use casus_model::{Symbols, Time};
use casus_server::api::HeadBody;
use casus_server::client::{self, ClientTreaty};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "common/mod.rs"]
mod common;
use common::{RECORD, TREATY};

const PARTIES: [&str; 4] = ["ARM", "KAZ", "RUS", "BLR"];
const T: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Counts {
    reads: AtomicU64,
    writes: AtomicU64,
    bundles: AtomicU64,
    events: AtomicU64,
    failures: AtomicU64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let Some(bin) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench -p casus-server --bench soak -- CASUS_BIN [SECONDS]");
        return;
    };
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(300);
    let dir = std::env::temp_dir().join(format!("casus-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let ledger = dir.join("soak.sqlite");
    let operator = SecretKey::from_seed([1; 32]);
    let keys: Vec<(String, SecretKey)> = PARTIES.iter().enumerate().map(|(i, c)| (c.to_string(), SecretKey::from_seed([10 + i as u8; 32]))).collect();
    let store = casus_store_sqlite::SqliteStore::open(&ledger).expect("sqlite");
    casus_server::demo::create(Box::new(store), TREATY, RECORD, &operator, &keys, Time(casus_server::state::system_now() - 60)).expect("demo ledger");
    let op_path = dir.join("operator.key");
    std::fs::write(&op_path, KeyFile { key: operator, role: Some(KeyRole::Operator) }.to_text()).expect("operator key");

    let mut child = Command::new(&bin)
        .args(["serve", "--listen", "127.0.0.1:0", "--ledger"])
        .arg(&ledger)
        .arg("--operator-key")
        .arg(&op_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn casus serve");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let line = lines.next().and_then(Result::ok).expect("casus serve printed nothing");
    let addr: SocketAddr = line.split("http://").nth(1).and_then(|u| u.split('/').next()).and_then(|a| a.parse().ok()).expect("address");
    std::thread::spawn(move || for _ in lines {});
    let pid = child.id();

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let counts = Arc::new(Counts::default());
    let end = Instant::now() + Duration::from_secs(seconds);
    rt.block_on(async {
        let mut tasks = Vec::new();
        for r in 0..4u64 {
            let c = counts.clone();
            tasks.push(tokio::spawn(async move {
                let mut i = r * 7;
                while Instant::now() < end {
                    i += 1;
                    let path = match i % 4 {
                        0 => format!("/api/state?at=2022-{:02}-{:02}", 1 + i % 12, 1 + (i / 12) % 17),
                        1 => format!("/api/cases?at=2023-{:02}-{:02}", 1 + i % 12, 1 + (i / 12) % 17),
                        2 => format!("/api/entries?from={}&limit=100", i % 50),
                        _ => "/api/head".to_string(),
                    };
                    match request(addr, "GET", &path, b"", T).await {
                        Some((200, _)) => c.reads.fetch_add(1, Ordering::Relaxed),
                        _ => c.failures.fetch_add(1, Ordering::Relaxed),
                    };
                }
            }));
        }
        {
            let c = counts.clone();
            let keys = keys.clone();
            tasks.push(tokio::spawn(async move {
                let mut symbols = Symbols::new();
                let (treaty, _) = casus_lang::load_treaty("cst.md", TREATY.1, &mut symbols);
                let t = ClientTreaty { treaty, symbols };
                let mut i = 0usize;
                while Instant::now() < end {
                    i += 1;
                    let (code, key) = &keys[i % keys.len()];
                    let kf = KeyFile { key: key.clone(), role: Some(KeyRole::Party(code.clone())) };
                    let ok = async {
                        let (_, body) = request(addr, "GET", "/api/head", b"", T).await?;
                        let head: HeadBody = serde_json::from_slice(&body).ok()?;
                        let now = casus_server::state::system_now();
                        let text = client::position_act(now, code, "sign", "yerevan_declaration", None, None);
                        let req = client::sign_acts(&t, &head, &kf, "act.acts", &text, now).ok()?;
                        let (s, _) = request(addr, "POST", "/api/acts", &serde_json::to_vec(&req).ok()?, T).await?;
                        (s == 201).then_some(())
                    }
                    .await;
                    match ok {
                        Some(()) => c.writes.fetch_add(1, Ordering::Relaxed),
                        None => c.failures.fetch_add(1, Ordering::Relaxed),
                    };
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }));
        }
        for _ in 0..8 {
            let c = counts.clone();
            tasks.push(tokio::spawn(async move {
                while Instant::now() < end {
                    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else { continue };
                    if s.write_all(format!("GET /api/events HTTP/1.1\r\nhost: {addr}\r\n\r\n").as_bytes()).await.is_err() {
                        continue;
                    }
                    let mut buf = vec![0u8; 16384];
                    loop {
                        let left = end.saturating_duration_since(Instant::now());
                        match tokio::time::timeout(left, s.read(&mut buf)).await {
                            Ok(Ok(n)) if n > 0 => {
                                let events = buf[..n].windows(12).filter(|w| w == b"event: entry").count() as u64;
                                c.events.fetch_add(events, Ordering::Relaxed);
                            }
                            _ => break,
                        }
                    }
                }
            }));
        }
        {
            let c = counts.clone();
            tasks.push(tokio::spawn(async move {
                let mut i = 0u64;
                while Instant::now() < end {
                    i += 1;
                    let path = format!("/api/proofs/bundle?seq={}", (i * 13) % 50);
                    match request(addr, "GET", &path, b"", T).await {
                        Some((200, _)) => c.bundles.fetch_add(1, Ordering::Relaxed),
                        _ => c.failures.fetch_add(1, Ordering::Relaxed),
                    };
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }));
        }
        let start = Instant::now();
        println!("{:>6} {:>8} {:>8} {:>8} {:>7} {:>8} {:>8} {:>8}", "s", "RSS MiB", "peak MiB", "reads", "writes", "bundles", "events", "failures");
        let c = counts.clone();
        let sample = move || {
            println!(
                "{:>6} {:>8} {:>8} {:>8} {:>7} {:>8} {:>8} {:>8}",
                start.elapsed().as_secs(),
                proc_status_bytes(pid, "VmRSS") >> 20,
                proc_status_bytes(pid, "VmHWM") >> 20,
                c.reads.load(Ordering::Relaxed),
                c.writes.load(Ordering::Relaxed),
                c.bundles.load(Ordering::Relaxed),
                c.events.load(Ordering::Relaxed),
                c.failures.load(Ordering::Relaxed),
            );
        };
        sample();
        while Instant::now() < end {
            tokio::time::sleep(Duration::from_secs(10).min(end.saturating_duration_since(Instant::now()))).await;
            sample();
        }
        for t in tasks {
            let _ = t.await;
        }
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
