//! The resource attacks, shared by the resource test (`tests/resources.rs`,
//! a debug build under `cargo test`) and the measuring bench
//! (`benches/attacks.rs`, a release `casus serve`): each runs against a
//! server on 127.0.0.1 given by its address and process id, bounded in count
//! and time, while a probe asks `/api/state` and times the answers.
//!
//! Plain HTTP/1.1 over tokio sockets, one connection per request, so that
//! nothing here depends on the server's own client code.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A field of /proc/PID/status in bytes (`VmHWM`, `VmRSS`), or 0.
pub fn proc_status_bytes(pid: u32, field: &str) -> u64 {
    let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) else { return 0 };
    s.lines()
        .find_map(|l| l.strip_prefix(field).and_then(|r| r.strip_prefix(':')))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Sends one request on a new connection and reads the whole answer
/// (status, body), within `timeout`.
pub async fn request(addr: SocketAddr, method: &str, path: &str, body: &[u8], timeout: Duration) -> Option<(u16, Vec<u8>)> {
    let go = async {
        let mut s = TcpStream::connect(addr).await.ok()?;
        let head = format!(
            "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        // A server may answer (a refusal) and close before it has read a
        // large body: a failed write is not the end, the answer may be there.
        let wrote = s.write_all(head.as_bytes()).await.is_ok() && s.write_all(body).await.is_ok();
        let mut out = Vec::new();
        let mut buf = vec![0u8; 65536];
        loop {
            match s.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(_) if !out.is_empty() || !wrote => break,
                Err(_) => return None,
            }
        }
        let end = out.windows(4).position(|w| w == b"\r\n\r\n")?;
        let status = std::str::from_utf8(&out[..end]).ok()?.split(' ').nth(1)?.parse().ok()?;
        Some((status, out[end + 4..].to_vec()))
    };
    tokio::time::timeout(timeout, go).await.ok().flatten()
}

/// What the probe saw.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProbeReport {
    pub answers: u64,
    pub failures: u64,
    pub slowest: Duration,
}

/// Asks `GET /api/state` every `every` until stopped; counts answers,
/// failures (no 200 within `limit`) and the slowest answer.
pub struct Probe {
    stop: Arc<AtomicBool>,
    slowest_us: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<ProbeReport>,
}

impl Probe {
    pub fn start(addr: SocketAddr, every: Duration, limit: Duration) -> Probe {
        let stop = Arc::new(AtomicBool::new(false));
        let slowest_us = Arc::new(AtomicU64::new(0));
        let (s2, w2) = (stop.clone(), slowest_us.clone());
        let task = tokio::spawn(async move {
            let mut r = ProbeReport::default();
            while !s2.load(Ordering::Relaxed) {
                let t = Instant::now();
                match request(addr, "GET", "/api/state", b"", limit * 5).await {
                    Some((200, _)) => r.answers += 1,
                    _ => r.failures += 1,
                }
                r.slowest = r.slowest.max(t.elapsed());
                w2.fetch_max(t.elapsed().as_micros() as u64, Ordering::Relaxed);
                tokio::time::sleep(every).await;
            }
            r
        });
        Probe { stop, slowest_us, task }
    }

    /// The slowest answer so far.
    pub fn slowest(&self) -> Duration {
        Duration::from_micros(self.slowest_us.load(Ordering::Relaxed))
    }

    pub async fn finish(self) -> ProbeReport {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap_or_default()
    }
}

/// Runs `jobs` futures made by `make(i)` with at most `width` at once;
/// returns how many answered 2xx, 4xx, 503 (busy), and otherwise or not at all.
pub async fn run_bounded<F, Fut>(jobs: usize, width: usize, make: F) -> [u64; 4]
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Option<u16>> + Send + 'static,
{
    let counts = Arc::new([AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)]);
    let sem = Arc::new(tokio::sync::Semaphore::new(width));
    let mut tasks = Vec::new();
    for i in 0..jobs {
        let permit = sem.clone().acquire_owned().await.ok();
        let fut = make(i);
        let c = counts.clone();
        tasks.push(tokio::spawn(async move {
            let slot = match fut.await {
                Some(s) if s < 300 => 0,
                Some(s) if (400..500).contains(&s) => 1,
                Some(503) => 2,
                _ => 3,
            };
            c[slot].fetch_add(1, Ordering::Relaxed);
            drop(permit);
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    [0, 1, 2, 3].map(|i| counts[i].load(Ordering::Relaxed))
}

/// Cache filling: `n` state queries for distinct seconds on a date after
/// every act (`date`, `YYYY-MM-DD`), `width` at once.
pub async fn fill_cache(addr: SocketAddr, date: &str, n: usize, width: usize) -> [u64; 4] {
    let date = date.to_string();
    run_bounded(n, width, move |i| {
        let path = format!("/api/cases?at={date}T{:02}:{:02}:{:02}", i / 3600 % 24, i / 60 % 60, i % 60);
        async move { request(addr, "GET", &path, b"", Duration::from_secs(300)).await.map(|r| r.0) }
    })
    .await
}

/// The hex of an act entry of the ledger (entry 1), for junk posts whose
/// entry decodes and is signed.
pub async fn some_entry_hex(addr: SocketAddr) -> String {
    let (_, body) = request(addr, "GET", "/api/entries/1", b"", Duration::from_secs(30)).await.expect("GET /api/entries/1");
    let v: serde_json::Value = serde_json::from_slice(&body).expect("entry JSON");
    v["hex"].as_str().expect("hex").to_string()
}

/// Amplified posts: `n` bodies of about 2 MiB of junk act text with one
/// real signed entry, `width` at once.
pub async fn junk_posts(addr: SocketAddr, entry_hex: &str, n: usize, width: usize) -> [u64; 4] {
    // One diagnostic per line, the most a text can draw: 700,000 of them.
    // A newline takes two bytes in JSON, so the body stays under 2 MiB.
    let text = "x\n".repeat((2 * 1024 * 1024 - 8192) / 3);
    let body = Arc::new(serde_json::to_vec(&serde_json::json!({"name": "junk.acts", "text": text, "statements": [entry_hex]})).expect("json"));
    run_bounded(n, width, move |_| {
        let body = body.clone();
        async move { request(addr, "POST", "/api/acts", &body, Duration::from_secs(300)).await.map(|r| r.0) }
    })
    .await
}

/// Proof bundles: `n` requests for entries spread over the first
/// `entries`, `width` at once.
pub async fn bundles(addr: SocketAddr, entries: u64, n: usize, width: usize) -> [u64; 4] {
    run_bounded(n, width, move |i| {
        let path = format!("/api/proofs/bundle?seq={}", (i as u64 * 7919) % entries.max(1));
        async move { request(addr, "GET", &path, b"", Duration::from_secs(300)).await.map(|r| r.0) }
    })
    .await
}

/// Idle sockets: opens `n` connections that send nothing and holds them
/// for `hold`; returns how many connected.
pub async fn idle_sockets(addr: SocketAddr, n: usize, hold: Duration) -> usize {
    let mut held = Vec::with_capacity(n);
    for _ in 0..n {
        if let Ok(Ok(s)) = tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr)).await {
            held.push(s);
        }
    }
    tokio::time::sleep(hold).await;
    held.len()
}

/// Slow-header clients: `n` connections that send a request line and then
/// one header byte every 200 ms; returns how many the server closed within
/// `within`, and the longest any stayed open.
pub async fn slow_headers(addr: SocketAddr, n: usize, within: Duration) -> (usize, Duration) {
    let mut tasks = Vec::new();
    for _ in 0..n {
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let Ok(mut s) = TcpStream::connect(addr).await else { return (false, Duration::ZERO) };
            if s.write_all(b"GET /api/state HTTP/1.1\r\nhost: x\r\nx-slow: ").await.is_err() {
                return (true, t.elapsed());
            }
            while t.elapsed() < within {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if s.write_all(b"a").await.is_err() {
                    return (true, t.elapsed());
                }
                let mut buf = [0u8; 4096];
                match tokio::time::timeout(Duration::from_millis(1), s.read(&mut buf)).await {
                    Ok(Ok(0)) | Ok(Err(_)) => return (true, t.elapsed()),
                    // An answer (a timeout error, 408): the server let go.
                    Ok(Ok(_)) => return (true, t.elapsed()),
                    Err(_) => {}
                }
            }
            (false, t.elapsed())
        }));
    }
    let mut closed = 0;
    let mut longest = Duration::ZERO;
    for t in tasks {
        if let Ok((c, d)) = t.await {
            closed += usize::from(c);
            longest = longest.max(d);
        }
    }
    (closed, longest)
}
