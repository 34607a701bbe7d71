//! Peak resident memory of a `casus serve` under each resource attack, one
//! fresh server per attack, on a synthetic ledger (built once, cached in
//! the temporary directory). Prints figures; asserts nothing.
//!
//! `cargo bench -p casus-server --bench attacks -- CASUS_BIN [ACTS]`
//!
//! CASUS_BIN is the `casus` binary to measure (a release build, of this
//! code or an older one), ACTS the ledger's size (default 100,000);
//! `CASUS_BENCH_NOFILE=1024` starts it under that soft open-file limit. A
//! watchdog kills a server whose RSS passes [`RSS_CEILING_BYTES`], so that
//! an unbounded server does not take the machine down: its figure then
//! reads "> ceiling".

#[path = "../tests/support/attacks.rs"]
mod attacks;

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use attacks::{Probe, proc_status_bytes};
use casus_ledger::SecretKey;
use casus_model::Time;

/// A server above this RSS is killed.
const RSS_CEILING_BYTES: u64 = 4 * 1024 * 1024 * 1024;

fn ledger(acts: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("casus-attacks-{acts}"));
    let path = dir.join("synth.sqlite");
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(&dir).expect("dir");
    let spec = casus_synth::Spec { parties: 16, acts, seed: 7 };
    let treaty = casus_synth::treaty_text(&spec);
    let mut record = Vec::new();
    casus_synth::write_record(&spec, &mut record).expect("record");
    let record = String::from_utf8(record).expect("utf-8");
    let tmp = dir.join("synth.sqlite.part");
    let _ = std::fs::remove_file(&tmp);
    let store = casus_store_sqlite::SqliteStore::open(&tmp).expect("sqlite");
    let operator = SecretKey::from_seed([1; 32]);
    let t = Instant::now();
    casus_server::demo::create(Box::new(store), ("treaty.md", &treaty), ("record.acts", &record), &operator, &[], Time(casus_server::state::system_now() - 60))
        .expect("ledger");
    std::fs::rename(&tmp, &path).expect("rename");
    eprintln!("built a ledger of {acts} acts in {:.1?}", t.elapsed());
    path
}

struct Server {
    child: Child,
    addr: SocketAddr,
    killed: Arc<AtomicBool>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(bin: &Path, ledger: &Path) -> Server {
    // CASUS_BENCH_NOFILE=1024 starts the server with that soft limit on
    // open files (the usual default), as the idle-socket attack was found.
    let nofile = std::env::var("CASUS_BENCH_NOFILE").ok().filter(|n| n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty());
    let mut cmd = match &nofile {
        Some(n) => {
            let mut c = Command::new("sh");
            c.args(["-c", &format!("ulimit -Sn {n} && exec \"$0\" \"$@\"")]).arg(bin);
            c
        }
        None => Command::new(bin),
    };
    let mut child =
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--ledger"]).arg(ledger).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("spawn casus serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let line = lines.next().and_then(Result::ok).expect("casus serve printed nothing");
    let url = line.split("http://").nth(1).expect("an address");
    let addr = url.split('/').next().expect("host:port").parse().expect("address");
    std::thread::spawn(move || for _ in lines {});
    let killed = Arc::new(AtomicBool::new(false));
    let (pid, k2) = (child.id(), killed.clone());
    std::thread::spawn(move || {
        while proc_status_bytes(pid, "VmRSS") > 0 {
            if proc_status_bytes(pid, "VmRSS") > RSS_CEILING_BYTES {
                k2.store(true, Ordering::Relaxed);
                // SIGKILL by pid: the child we started.
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    Server { child, addr, killed }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let Some(bin) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench -p casus-server --bench attacks -- CASUS_BIN [ACTS]");
        return;
    };
    let acts: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let ledger = ledger(acts);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    println!("{} on {acts} acts", bin.display());
    println!("{:<44} {:>10} {:>10} {:>12} {:>9}  answers (2xx, 4xx, 503, other)", "attack", "start MiB", "peak MiB", "state max", "failures");
    type Attack = Box<dyn Fn(SocketAddr) -> std::pin::Pin<Box<dyn std::future::Future<Output = String>>>>;
    let date = if acts > 50_000 { "2020-01-01" } else { "2010-01-01" };
    let attacks: Vec<(&str, Attack)> = vec![
        (
            "cache filling: 40 distinct seconds, 4 at once",
            Box::new(move |a| Box::pin(async move { format!("{:?}", attacks::fill_cache(a, date, 40, 4).await) })),
        ),
        (
            "junk posts: 2 MiB of `x` lines, 16, 8 at once",
            Box::new(|a| {
                Box::pin(async move {
                    let hex = attacks::some_entry_hex(a).await;
                    format!("{:?}", attacks::junk_posts(a, &hex, 16, 8).await)
                })
            }),
        ),
        ("proof bundles: 64 at once", Box::new(move |a| Box::pin(async move { format!("{:?}", attacks::bundles(a, acts as u64, 64, 64).await) }))),
        (
            "idle sockets: 1,100 held 15 s",
            Box::new(|a| Box::pin(async move { format!("{} connected", attacks::idle_sockets(a, 1_100, Duration::from_secs(15)).await) })),
        ),
        (
            "slow headers: 50 clients, 20 s",
            Box::new(|a| {
                Box::pin(async move {
                    let (closed, longest) = attacks::slow_headers(a, 50, Duration::from_secs(20)).await;
                    format!("{closed} dropped by the server, last after {longest:.1?}")
                })
            }),
        ),
    ];
    for (name, attack) in &attacks {
        let server = start(&bin, &ledger);
        let pid = server.child.id();
        let (addr, killed) = (server.addr, server.killed.clone());
        let line = rt.block_on(async {
            // The probe's query, derived once before the attack.
            let _ = attacks::request(addr, "GET", "/api/state", b"", Duration::from_secs(120)).await;
            let start_rss = proc_status_bytes(pid, "VmRSS");
            let probe = Probe::start(addr, Duration::from_millis(100), Duration::from_secs(1));
            let outcome = tokio::time::timeout(Duration::from_secs(300), attack(addr)).await.unwrap_or_else(|_| "timed out after 300 s".into());
            let peak = proc_status_bytes(pid, "VmHWM");
            let p = probe.finish().await;
            let peak = if killed.load(Ordering::Relaxed) { format!("> {}", RSS_CEILING_BYTES >> 20) } else { (peak >> 20).to_string() };
            format!("{name:<44} {:>10} {peak:>10} {:>12} {:>9}  {outcome}", start_rss >> 20, format!("{:.0?}", p.slowest), p.failures)
        });
        println!("{line}");
        drop(server);
    }
}
