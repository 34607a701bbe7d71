//! Several `casus serve` processes over one PostgreSQL ledger, as a
//! secretariat runs them behind a proxy: each replica takes writes (which
//! serialize in PostgreSQL), and learns of the others' appends by
//! LISTEN/NOTIFY, so every replica's event stream shows every act within a
//! second of its acknowledgement, wherever it was written. A replica killed
//! with SIGKILL under load loses no acknowledged act, and the others go on.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use casus_ledger::KeyFile;
use casus_server::client::{Server, submit};

use crate::child::{Running, listening};
use crate::{Dir, http_get, ok};

/// Clients writing at once, each as one party.
const PARTIES: [&str; 3] = ["ARM", "KAZ", "BLR"];
/// Acts each client posts in the first round (round-robin over the replicas).
const ACTS_PER_CLIENT: usize = 12;
/// The longest an act may take to reach every replica's event stream.
const FAN_OUT_LIMIT: Duration = Duration::from_secs(1);

fn postgres_url() -> String {
    match std::env::var("CASUS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => panic!("CASUS_TEST_POSTGRES_URL is not set: CI must run the PostgreSQL tests"),
        _ => "postgres://postgres:postgres@127.0.0.1:5432/test".to_string(),
    }
}

/// A `casus serve` process, killed when dropped.
fn spawn_replica(ledger: &str, operator_key: Option<&str>) -> Running {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casus"));
    cmd.args(["serve", "--ledger", ledger, "--listen", "127.0.0.1:0"]);
    if let Some(k) = operator_key {
        cmd.args(["--operator-key", k]);
    }
    cmd.current_dir(crate::root());
    listening(cmd)
}

/// When each entry's event reached one replica's stream.
type Seen = Arc<Mutex<BTreeMap<u64, Instant>>>;

/// Follows a replica's `/api/events` in a thread, noting when each entry's
/// event arrives. Returns once the stream is open (its headers read).
fn follow_events(url: &str) -> Seen {
    let seen: Seen = Arc::default();
    let host = url.trim_start_matches("http://").to_string();
    let mut tcp = std::net::TcpStream::connect(&host).expect("connect to the event stream");
    write!(tcp, "GET /api/events HTTP/1.1\r\nHost: {host}\r\n\r\n").expect("request the event stream");
    let mut reader = BufReader::new(tcp);
    let mut line = String::new();
    while reader.read_line(&mut line).expect("event stream headers") > 0 && line != "\r\n" {
        line.clear();
    }
    let s2 = seen.clone();
    std::thread::spawn(move || {
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            if let Some(id) = line.trim().strip_prefix("id:").and_then(|v| v.trim().parse::<u64>().ok()) {
                s2.lock().expect("seen").entry(id).or_insert_with(Instant::now);
            }
            line.clear();
        }
    });
    seen
}

/// A plain HTTP/1.1 GET on loopback: the body.
fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() as i64;
    let (y, m, d) = casus_model::Time(secs).date();
    format!("{y:04}-{m:02}-{d:02}")
}

/// One live statement by `party`, with an id no other act has.
fn statement(party: &str, id: &str) -> String {
    format!("record \"A replica test\"\n  treaty   CST\n\n{} {party} statement\n  id       {id}\n  about    {party}\n  text     \"replicated\"\n", today())
}

/// An acknowledged append: its position and when the acknowledgement came.
type Acked = Arc<Mutex<Vec<(u64, Instant)>>>;

/// Each party posts `n` statements, spreading them over the replicas
/// whose urls `targets` holds at the time (a replica gone from it is not
/// written to); every acknowledgement is noted.
/// Posts `n` acts per party, round-robin over `targets`; each acknowledged
/// one goes into `acked`. Returns how many were written but never
/// acknowledged (their replica was killed between commit and answer).
fn post_round(keys: &[(String, KeyFile)], targets: &Arc<Mutex<Vec<String>>>, round: &str, n: usize, acked: &Acked) -> usize {
    let unacknowledged = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for (i, (party, key)) in keys.iter().enumerate() {
            let (targets, acked, unacknowledged) = (targets.clone(), acked.clone(), &unacknowledged);
            scope.spawn(move || {
                for k in 0..n {
                    let id = format!("{}_{round}_{k}", party.to_lowercase());
                    let text = statement(party, &id);
                    // Another replica takes the write if one was killed.
                    let mut last = String::new();
                    let mut done = false;
                    for attempt in 0..6 {
                        let urls = targets.lock().expect("targets").clone();
                        let url = &urls[(i + k + attempt) % urls.len()];
                        let server = Server::parse(url, None).expect("url");
                        match submit(&server, key, "replica.acts", &text) {
                            Ok(a) => {
                                acked.lock().expect("acked").push((a.last, Instant::now()));
                                done = true;
                                break;
                            }
                            // An earlier attempt's replica was killed after its
                            // commit and before its answer: the act is in the
                            // ledger, unacknowledged (so not counted as acked).
                            Err(e) if attempt > 0 && e.contains("duplicate_id") => {
                                unacknowledged.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                done = true;
                                break;
                            }
                            Err(e) => last = e,
                        }
                    }
                    assert!(done, "{id} was never written: {last}");
                }
            });
        }
    });
    unacknowledged.into_inner()
}

#[test]
fn replicas_on_one_postgres_ledger_show_every_act_and_survive_a_kill() {
    let url = postgres_url();
    let schema = format!("casus_t_replicas_{}", std::process::id());
    let _ = casus_store_postgres::PgStore::drop_schema(&url, &schema);
    let ledger = format!("{url}#{schema}");
    let d = Dir::new("replicas", "story");
    ok(&["keys", "new", "--out", &d.path("op.key"), "--operator"]);
    let mut init = vec!["ledger", "init", "--treaty", "treaties/cst.md", "--ledger", &ledger, "--operator-key", &d.path("op.key")]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    let mut keys = Vec::new();
    for party in PARTIES {
        let path = d.path(&format!("{party}.key"));
        ok(&["keys", "new", "--out", &path, "--party", party]);
        init.extend(["--register".to_string(), format!("{path}.pub")]);
        let file = KeyFile::parse(&std::fs::read_to_string(&path).expect("key file")).expect("key");
        keys.push((party.to_string(), file));
    }
    ok(&init.iter().map(String::as_str).collect::<Vec<_>>());

    let op_key = d.path("op.key");
    let mut replicas = vec![spawn_replica(&ledger, Some(&op_key)), spawn_replica(&ledger, None), spawn_replica(&ledger, None)];
    let streams: Vec<Seen> = replicas.iter().map(|r| follow_events(&r.url)).collect();
    let targets = Arc::new(Mutex::new(replicas.iter().map(|r| r.url.clone()).collect::<Vec<_>>()));

    // Round one: every replica takes writes; every stream shows every act.
    let acked: Acked = Arc::default();
    let unacknowledged = post_round(&keys, &targets, "one", ACTS_PER_CLIENT, &acked);
    let first: Vec<(u64, Instant)> = acked.lock().expect("acked").clone();
    assert_eq!((first.len(), unacknowledged), (PARTIES.len() * ACTS_PER_CLIENT, 0), "with no replica killed, every act is acknowledged");
    std::thread::sleep(FAN_OUT_LIMIT);
    for (r, seen) in streams.iter().enumerate() {
        let seen = seen.lock().expect("seen");
        for (seq, at) in &first {
            let Some(shown) = seen.get(seq) else { panic!("replica {r} never showed entry {seq}; it showed {:?}", seen.keys().collect::<Vec<_>>()) };
            let lag = shown.saturating_duration_since(*at);
            assert!(lag <= FAN_OUT_LIMIT, "replica {r} showed entry {seq} {lag:?} after its acknowledgement");
        }
    }

    // Round two: one replica is killed (SIGKILL) while the clients write.
    let acked2: Acked = Arc::default();
    let killer = {
        let (acked2, targets) = (acked2.clone(), targets.clone());
        let mut victim = replicas.pop().expect("three replicas");
        std::thread::spawn(move || {
            let start = Instant::now();
            while acked2.lock().expect("acked").len() < PARTIES.len() * 2 && start.elapsed() < Duration::from_secs(30) {
                std::thread::sleep(Duration::from_millis(5));
            }
            targets.lock().expect("targets").retain(|u| *u != victim.url);
            victim.kill();
        })
    };
    let unacknowledged = post_round(&keys, &targets, "two", ACTS_PER_CLIENT, &acked2);
    killer.join().expect("killer");
    let second: Vec<(u64, Instant)> = acked2.lock().expect("acked").clone();
    // A request the killed replica had committed but not yet answered is
    // written and unacknowledged (its client's retry finds it a duplicate):
    // at most one per client.
    assert_eq!(second.len() + unacknowledged, PARTIES.len() * ACTS_PER_CLIENT, "every act was written");
    assert!(unacknowledged <= PARTIES.len(), "{unacknowledged} acts written but unacknowledged by one kill");
    std::thread::sleep(FAN_OUT_LIMIT);

    // No acknowledged act was lost: each is in the ledger, which verifies,
    // and both surviving replicas showed it.
    let acknowledged: BTreeSet<u64> = first.iter().chain(&second).map(|(s, _)| *s).collect();
    assert_eq!(acknowledged.len(), first.len() + second.len(), "two acknowledgements named one entry");
    let verified = ok(&["ledger", "verify", "--ledger", &ledger]);
    let entries: u64 = verified.lines().find_map(|l| l.strip_prefix("ok:")).and_then(|v| v.split_whitespace().next()?.parse().ok()).expect("entry count");
    assert!(acknowledged.iter().all(|s| *s < entries), "an acknowledged entry is missing from the ledger of {entries} entries");
    for (r, seen) in streams.iter().take(2).enumerate() {
        let seen = seen.lock().expect("seen");
        let missing: Vec<_> = acknowledged.iter().filter(|s| !seen.contains_key(s)).collect();
        assert!(missing.is_empty(), "replica {r} never showed entries {missing:?}");
    }
    for r in &replicas {
        let head = http_get(&r.url, "/api/head");
        assert!(head.contains(&format!("\"size\":{entries}")), "replica {} is behind the ledger's {entries} entries: {head}", r.url);
    }
    drop(replicas);
    casus_store_postgres::PgStore::drop_schema(&url, &schema).expect("drop the test schema");
}
