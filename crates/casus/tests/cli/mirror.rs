//! `casus ledger mirror` against a real `casus serve` on 127.0.0.1: a
//! member copies the ledger by its tiles, the copy verifies and replays
//! like the original; the log grows (a live act, a checkpoint by the
//! server) and a second run fetches only the new entries; a server that
//! serves a tampered bundle or tile, or a checkpoint without the
//! witnesses' quorum, is refused and the copy is left as it was.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use casus_server::client::Server;

use crate::child::{Running, listening};
use crate::{Dir, ok, run};

const TREATY: &str = "treaties/cst.md";
const RECORD: &str = "records/csto-2021-2025.md";

/// A `casus serve`, killed when dropped.
fn serve(ledger: &str, operator_key: &str) -> Running {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casus"));
    cmd.args(["serve", "--ledger", ledger, "--listen", "127.0.0.1:0", "--operator-key", operator_key]).current_dir(crate::root());
    listening(cmd)
}

/// The size of the server's latest checkpoint.
fn checkpoint_size(url: &str) -> u64 {
    let reply = Server::parse(url, None).expect("url").request("GET", "/checkpoint", None).expect("GET /checkpoint");
    String::from_utf8_lossy(&reply.body).lines().nth(1).and_then(|l| l.parse().ok()).unwrap_or(0)
}

/// A proxy in front of `upstream` that changes the body of the answers
/// whose path `tamper` picks (one connection per request, as the client makes).
fn tampering_proxy(upstream: &str, tamper: fn(&str, &mut Vec<u8>)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let upstream = Server::parse(upstream, None).expect("upstream");
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let text = String::from_utf8_lossy(&head).into_owned();
            let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
            let Ok(mut reply) = upstream.request("GET", &path, None) else { continue };
            tamper(&path, &mut reply.body);
            let _ = write!(conn, "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", reply.status, reply.body.len());
            let _ = conn.write_all(&reply.body);
        }
    });
    format!("http://{addr}")
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SS` (UTC).
fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn entries_of(verify_output: &str) -> u64 {
    verify_output.split_whitespace().skip_while(|w| *w != "ok:").nth(1).and_then(|n| n.parse().ok()).expect("entries")
}

#[test]
fn mirror_copies_verifies_catches_up_and_refuses_tampering() {
    let d = Dir::new("mirror", "story");
    ok(&["keys", "new", "--out", &d.path("op.key"), "--operator"]);
    ok(&["keys", "new", "--out", &d.path("arm.key"), "--party", "ARM"]);
    let l = d.path("ledger.sqlite");
    ok(&["ledger", "init", "--treaty", TREATY, "--ledger", &l, "--operator-key", &d.path("op.key"), "--register", &d.path("arm.key.pub")]);
    ok(&["ledger", "import", "--ledger", &l, "--record", RECORD, "--key", &d.path("op.key")]);
    let size = entries_of(&ok(&["ledger", "verify", "--ledger", &l]));
    let origin = ok(&["ledger", "origin", "--ledger", &l]).lines().next().and_then(|l| l.split_whitespace().nth(1)).expect("origin").to_string();
    let server = serve(&l, &d.path("op.key"));

    // A tampered bundle, a tampered tile: refused, nothing written.
    let flip_bundle: fn(&str, &mut Vec<u8>) = |path, body| {
        if path.starts_with("/tile/entries/") && body.len() > 100 {
            body[100] ^= 1;
        }
    };
    let flip_tile: fn(&str, &mut Vec<u8>) = |path, body| {
        if path.starts_with("/tile/0/") && body.len() > 40 {
            body[40] ^= 1;
        }
    };
    for (tamper, why) in [(flip_bundle, "a tampered bundle"), (flip_tile, "do not hash to the checkpoint's root")] {
        let proxy = tampering_proxy(&server.url, tamper);
        let m = d.path("tampered.sqlite");
        let (_, err) = run(&["ledger", "mirror", &proxy, "--ledger", &m], 1);
        assert!(err.contains(why), "{err}");
        let (_, err) = run(&["ledger", "verify", "--ledger", &m], 1);
        assert!(err.contains("empty"), "nothing was written: {err}");
        let _ = std::fs::remove_file(&m);
    }
    // A witness quorum the checkpoint does not meet: refused before anything is fetched.
    let wkey = ok(&["witness", "keys", "new", "--out", &d.path("w.key"), "--name", "witness.arm.example"]).lines().next().expect("key").to_string();
    let m = d.path("mirror.sqlite");
    let (_, err) = run(&["ledger", "mirror", &server.url, "--ledger", &m, "--witness", &format!("ARM={wkey}")], 1);
    assert!(err.contains("0 valid cosignature(s) of the 1 witness(es) given; the quorum is 1"), "{err}");
    // The same under a dated policy: the version in force now judges; a
    // policy whose first version is yet to come has nothing in force.
    let policy = d.path("witnesses.policy");
    std::fs::write(&policy, format!("version 2020-01-01\n  quorum 1\n  witness ARM {wkey}\n")).expect("policy");
    let (out, err) = run(&["ledger", "mirror", &server.url, "--ledger", &m, "--policy", &policy], 1);
    assert!(out.contains("witness policy of 2020-01-01: 1 of its 1 witnesses must have cosigned"), "{out}");
    assert!(err.contains("0 valid cosignature(s) of the 1 witness(es) given; the quorum is 1"), "{err}");
    std::fs::write(&policy, format!("version 9000-01-01\n  quorum 1\n  witness ARM {wkey}\n")).expect("policy");
    let (_, err) = run(&["ledger", "mirror", &server.url, "--ledger", &m, "--policy", &policy], 2);
    assert!(err.contains("no version of the witness policy is in force now"), "{err}");
    run(&["ledger", "mirror", &server.url, "--ledger", &m, "--policy", &policy, "--quorum", "1"], 2);
    let (_, err) = run(&["ledger", "mirror", &server.url, "--ledger", &m, "--origin", "casus.ledger/another"], 1);
    assert!(err.contains("not --origin"), "{err}");

    // The mirror: every entry, verified; it replays as the original does.
    let out = ok(&["ledger", "mirror", &server.url, "--ledger", &m, "--origin", &origin]);
    assert!(out.contains(&format!("mirrored {size} new entries (0..{size})")), "{out}");
    let verified = ok(&["ledger", "verify", "--ledger", &m]);
    assert_eq!(entries_of(&verified), size, "{verified}");
    let replay = |ledger: &str| ok(&["replay", "--ledger", ledger, "--at", "2025-06-30", "--json"]);
    assert_eq!(replay(&m), replay(&l));
    let out = ok(&["ledger", "mirror", &server.url, "--ledger", &m]);
    assert!(out.contains(&format!("mirrored 0 new entries ({size}..{size})")), "{out}");

    // The log grows by a live act; the server checkpoints it; the mirror catches up.
    let act = d.path("live.acts");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let text = format!(
        "record \"A live act\"\n  treaty   CST\n\n{}Z ARM request assistance\n  id       arm_live_mirrored\n  under    art4\n  to       CSC\n",
        utc(now)
    );
    std::fs::write(&act, text).expect("act file");
    ok(&["act", "--server", &server.url, "--key", &d.path("arm.key"), &act]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while checkpoint_size(&server.url) <= size {
        assert!(Instant::now() < deadline, "the server did not checkpoint the new act");
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = ok(&["ledger", "mirror", &server.url, "--ledger", &m]);
    assert!(out.contains(&format!("mirrored 1 new entries ({size}..{})", size + 1)), "{out}");
    assert_eq!(entries_of(&ok(&["ledger", "verify", "--ledger", &m])), size + 1);
    assert_eq!(replay(&m), replay(&l));

    // A second server over another ledger is not this mirror's log.
    let other = d.path("other.sqlite");
    ok(&["ledger", "init", "--treaty", TREATY, "--ledger", &other, "--operator-key", &d.path("op.key")]);
    let other_server = serve(&other, &d.path("op.key"));
    let (_, err) = run(&["ledger", "mirror", &other_server.url, "--ledger", &m], 1);
    assert!(err.contains("not the local copy's origin"), "{err}");
    drop(server);
}
