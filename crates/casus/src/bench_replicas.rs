//! `casus bench replicas`: several `casus serve` processes over one
//! PostgreSQL ledger. Measures read throughput with one, two and three
//! replicas (the same clients spread over them, in one run, so the figures
//! compare as ratios), and how long an act written through one replica
//! takes to reach another replica's event stream (LISTEN/NOTIFY).
//!
//! The replicas are this binary run as children (`casus serve`), on a fresh
//! schema that is dropped at the end; the ledger holds the CSTO treaty and
//! record, as the demo does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::bench::{median, percentile};

/// The most replicas measured.
pub const MAX_REPLICAS: usize = 8;
/// Acts written to measure the time to another replica's stream.
const FAN_OUT_ACTS: usize = 60;
/// Longest a replica may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// The read every client repeats: a derived report, served from the cache
/// after its first derivation, as most dashboard reads are.
const READ_PATH: &str = "/api/cases?at=2022-12-01";

/// A serving child (`casus serve`, `casus witness serve`) and its
/// `http://…` address, killed when dropped.
pub(crate) struct Serving {
    child: Child,
    pub url: String,
}

impl Serving {
    /// The address without its scheme: `127.0.0.1:PORT`.
    fn host(&self) -> &str {
        self.url.trim_start_matches("http://").trim_end_matches('/')
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// This program, to run its children (replicas, witnesses).
pub(crate) fn exe() -> Result<std::path::PathBuf> {
    std::env::current_exe().context("finding this program to run its children")
}

/// Starts a child that serves HTTP and prints its address on its first
/// line (`casus serve`, `casus witness serve`), and waits for that line.
/// A child that prints no address within [`START_TIMEOUT`] is killed.
pub(crate) fn start_serving(mut command: Command, what: &str) -> Result<Serving> {
    let child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().with_context(|| format!("starting a {what}"))?;
    // Killed when dropped, on every early return below too.
    let mut serving = Serving { child, url: String::new() };
    let out = serving.child.stdout.take().with_context(|| format!("the {what}'s stdout"))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(out).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(START_TIMEOUT).unwrap_or_default();
    let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) else {
        bail!("the {what} did not start: it printed {line:?}");
    };
    serving.url = url.to_string();
    Ok(serving)
}

fn casus(args: &[&str]) -> Result<String> {
    let out = Command::new(exe()?).args(args).output().context("running casus")?;
    if !out.status.success() {
        bail!("casus {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn spawn_replica(ledger: &str) -> Result<Serving> {
    let mut command = Command::new(exe()?);
    command.args(["serve", "--ledger", ledger, "--listen", "127.0.0.1:0"]);
    start_serving(command, "replica")
}

/// Reads one HTTP/1.1 response with a Content-Length body from a
/// keep-alive connection; returns its status.
fn read_response(r: &mut BufReader<TcpStream>) -> Result<u16> {
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("no status line")?;
    let mut length = 0usize;
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            bail!("the connection closed");
        }
        if line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse()?;
        }
    }
    let mut body = vec![0u8; length];
    r.read_exact(&mut body)?;
    Ok(status)
}

/// Reads per second by `clients` keep-alive clients spread over `hosts`, for `seconds`.
fn reads_per_second(hosts: &[String], clients: usize, seconds: f64) -> Result<f64> {
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(Mutex::new(None::<String>));
    let mut threads = Vec::new();
    for c in 0..clients {
        let (stop, count, failed, host) = (stop.clone(), count.clone(), failed.clone(), hosts[c % hosts.len()].clone());
        threads.push(std::thread::spawn(move || {
            let run = || -> Result<()> {
                let tcp = TcpStream::connect(&host)?;
                tcp.set_nodelay(true)?;
                let mut w = tcp.try_clone()?;
                let mut r = BufReader::new(tcp);
                let request = format!("GET {READ_PATH} HTTP/1.1\r\nHost: {host}\r\n\r\n");
                while !stop.load(Ordering::Relaxed) {
                    w.write_all(request.as_bytes())?;
                    let status = read_response(&mut r)?;
                    if status != 200 {
                        bail!("{READ_PATH} answered {status}");
                    }
                    count.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            };
            if let Err(e) = run()
                && let Ok(mut f) = failed.lock()
            {
                f.get_or_insert(e.to_string());
            }
        }));
    }
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    let n = count.load(Ordering::Relaxed);
    let elapsed = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    if let Some(e) = failed.lock().ok().and_then(|f| f.clone()) {
        bail!("a client failed: {e}");
    }
    Ok(n as f64 / elapsed)
}

/// Follows a replica's event stream; returns when each entry's event arrived.
fn follow(host: &str) -> Result<Arc<Mutex<std::collections::HashMap<u64, Instant>>>> {
    let seen: Arc<Mutex<std::collections::HashMap<u64, Instant>>> = Arc::default();
    let mut tcp = TcpStream::connect(host)?;
    write!(tcp, "GET /api/events HTTP/1.1\r\nHost: {host}\r\n\r\n")?;
    let mut r = BufReader::new(tcp);
    let mut line = String::new();
    while r.read_line(&mut line)? > 0 && line != "\r\n" {
        line.clear();
    }
    let s2 = seen.clone();
    std::thread::spawn(move || {
        let mut line = String::new();
        while r.read_line(&mut line).is_ok_and(|n| n > 0) {
            if let Some(id) = line.trim().strip_prefix("id:").and_then(|v| v.trim().parse::<u64>().ok())
                && let Ok(mut s) = s2.lock()
            {
                s.entry(id).or_insert_with(Instant::now);
            }
            line.clear();
        }
    });
    Ok(seen)
}

pub fn run(postgres: &str, replicas: usize, clients: usize, seconds: f64, runs: usize) -> Result<ExitCode> {
    let replicas = replicas.clamp(1, MAX_REPLICAS);
    let dir = std::env::temp_dir().join(format!("casus-bench-replicas-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let schema = format!("casus_bench_replicas_{}", std::process::id());
    let ledger = format!("{postgres}#{schema}");
    let result = measure(&dir, &ledger, replicas, clients.max(1), seconds, runs.max(1));
    let _ = casus_store_postgres::PgStore::drop_schema(postgres, &schema);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

use std::process::ExitCode;

fn measure(dir: &std::path::Path, ledger: &str, replicas: usize, clients: usize, seconds: f64, runs: usize) -> Result<ExitCode> {
    let path = |n: &str| dir.join(n).to_string_lossy().into_owned();
    casus(&["keys", "new", "--out", &path("op.key"), "--operator"])?;
    casus(&["keys", "new", "--out", &path("arm.key"), "--party", "ARM"])?;
    let (treaty, record) = (crate::CST_TREATY, crate::CSTO_RECORD);
    std::fs::write(path("cst.md"), treaty.1)?;
    std::fs::write(path("record.md"), record.1)?;
    casus(&["ledger", "init", "--treaty", &path("cst.md"), "--ledger", ledger, "--operator-key", &path("op.key"), "--register", &path("arm.key.pub")])?;
    casus(&["ledger", "import", "--ledger", ledger, "--record", &path("record.md"), "--key", &path("op.key")])?;
    let mut up = Vec::new();
    for _ in 0..replicas {
        up.push(spawn_replica(ledger)?);
    }
    let hosts: Vec<String> = up.iter().map(|r| r.host().to_string()).collect();
    // Warm every replica's cache with the read.
    reads_per_second(&hosts, replicas, 0.3)?;
    println!("reads of {READ_PATH} by {clients} keep-alive clients, {seconds} s each, median of {runs} (one run, so the ratios compare):");
    let mut one = 0.0;
    for n in 1..=replicas {
        let rates = (0..runs).map(|_| reads_per_second(&hosts[..n], clients, seconds)).collect::<Result<Vec<_>>>()?;
        let m = median(rates);
        if n == 1 {
            one = m;
        }
        println!("  {n} replica{}: {m:>9.0} reads/s  ({:.2}× one replica)", if n == 1 { "" } else { "s" }, m / one.max(1e-9));
    }

    // An act written through the first replica reaches the last one's stream.
    let last = &hosts[hosts.len() - 1];
    let seen = follow(last)?;
    let server = casus_server::client::Server::parse(&format!("http://{}", hosts[0]), None).map_err(anyhow::Error::msg)?;
    let key = crate::cmd_keys::read_key(std::path::Path::new(&path("arm.key")))?;
    let mut lags = Vec::new();
    for i in 0..FAN_OUT_ACTS {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() as i64;
        let (y, m, d) = casus_model::Time(now).date();
        let text = format!(
            "record \"bench\"\n  treaty   CST\n\n{y:04}-{m:02}-{d:02} ARM statement\n  id       bench_fan_out_{i}\n  about    ARM\n  text     \"fan-out\"\n"
        );
        let acked = casus_server::client::submit(&server, &key, "bench.acts", &text).map_err(anyhow::Error::msg)?;
        let at = Instant::now();
        let deadline = at + Duration::from_secs(5);
        let shown = loop {
            if let Some(t) = seen.lock().ok().and_then(|s| s.get(&acked.last).copied()) {
                break t;
            }
            if Instant::now() > deadline {
                bail!("entry {} never reached the replica at {last}", acked.last);
            }
            std::thread::sleep(Duration::from_micros(200));
        };
        lags.push(shown.saturating_duration_since(at).as_secs_f64() * 1000.0);
    }
    println!(
        "an act written through replica 1, to replica {}'s event stream: median {:.1} ms, p99 {:.1} ms, max {:.1} ms ({FAN_OUT_ACTS} acts)",
        hosts.len(),
        percentile(lags.clone(), 0.5),
        percentile(lags.clone(), 0.99),
        percentile(lags, 1.0)
    );
    Ok(ExitCode::SUCCESS)
}
