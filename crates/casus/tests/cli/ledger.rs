//! The ledger through the real `casus` binary: keys, init, import with the
//! operator key, live appends and refusals (a backdated live act among
//! them), verify (and tampering caught on the SQLite file itself), proof
//! bundles, consistency proofs, `replay --ledger` with `--at` and `--as-of`
//! (bitemporal), checkpoints after key changes and imports, clocks that
//! disagree, files that must not be created, and concurrent writers
//! through a server.
//!
//! Each test works in its own directory under the system temporary one,
//! on a SQLite ledger file, and removes it at the end.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::{Dir, casus, ok, run, stderr, stdout};

const TREATY: &str = "treaties/cst.md";
const RECORD: &str = "records/csto-2021-2025.md";
/// An act of 2022 by Armenia (a request under art4), entered late: a live
/// act so far in the past is refused; it enters in record mode, from its
/// source.
const LATE_ID: &str = "arm_2022_10_late";
const LATE_ACT: &str = "record \"A late act\"\n  treaty   CST\n\n2022-10-01 ARM request assistance\n  id       arm_2022_10_late\n  under    art4\n  to       CSC\n  source   \"https://example.org/late\" \"A late source\"\n";
/// The id of a live act by Armenia, dated now.
const LIVE_ID: &str = "arm_live_now";

/// Keys (operator, ARM, KAZ), a ledger of the CST with ARM's and KAZ's
/// keys registered, and the CSTO record imported with the operator key.
fn ledger_with_record(d: &Dir) -> String {
    for (name, role) in [("op.key", &["--operator"][..]), ("arm.key", &["--party", "ARM"]), ("kaz.key", &["--party", "KAZ"])] {
        let out = d.path(name);
        let mut args = vec!["keys", "new", "--out", &out];
        args.extend_from_slice(role);
        ok(&args);
    }
    let l = d.path("ledger.sqlite");
    let out = ok(&[
        "ledger",
        "init",
        "--treaty",
        TREATY,
        "--ledger",
        &l,
        "--operator-key",
        &d.path("op.key"),
        "--register",
        &d.path("arm.key.pub"),
        "--register",
        &d.path("kaz.key.pub"),
    ]);
    assert!(out.contains("created ledger"), "{out}");
    let out = ok(&["ledger", "import", "--ledger", &l, "--record", RECORD, "--key", &d.path("op.key")]);
    assert!(out.contains("as entries 1.."), "{out}");
    l
}

fn late_act_file(d: &Dir) -> String {
    let p = d.path("late.acts");
    std::fs::write(&p, LATE_ACT).expect("write act file");
    p
}

/// A request by Armenia dated now, with id `id`, as an act file.
fn live_act_file(d: &Dir, id: &str) -> String {
    let p = d.path(&format!("{id}.acts"));
    let text =
        format!("record \"A live act\"\n  treaty   CST\n\n{}Z ARM request assistance\n  id       {id}\n  under    art4\n  to       CSC\n", utc(now_secs()));
    std::fs::write(&p, text).expect("write act file");
    p
}

fn entries_verified(l: &str) -> u64 {
    let out = ok(&["ledger", "verify", "--ledger", l]);
    let n = out.strip_prefix("ok: ").and_then(|s| s.split_whitespace().next()).and_then(|n| n.parse().ok());
    let n = n.unwrap_or_else(|| panic!("verify printed {out}"));
    // Strict and batched verification agree on an honest ledger.
    let strict = ok(&["ledger", "verify", "--ledger", l, "--strict"]);
    assert!(strict.starts_with(&format!("ok: {n} ")), "strict verify printed {strict}");
    n
}

#[cfg(unix)]
fn mode(p: &str) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("key file").permissions().mode() & 0o777
}

#[test]
fn keys_append_refusal_verify_tamper_proofs() {
    let d = Dir::new("ledger", "story");
    let l = ledger_with_record(&d);
    #[cfg(unix)]
    {
        assert_eq!(mode(&d.path("op.key")), 0o600, "secret key file mode");
        assert_eq!(mode(&d.path("arm.key")), 0o600, "secret key file mode");
    }
    assert!(std::fs::read_to_string(d.path("arm.key.pub")).expect("public key").contains("ARM"));
    // An existing key is never overwritten.
    run(&["keys", "new", "--out", &d.path("arm.key"), "--party", "ARM"], 2);

    let imported = entries_verified(&l);
    assert!(imported > 40, "{imported} entries after the import");

    // Armenia's act, signed with Kazakhstan's key: refused, nothing written.
    let act = live_act_file(&d, LIVE_ID);
    let refused = casus(&["ledger", "append", "--ledger", &l, "--key", &d.path("kaz.key"), &act]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("wrong signer"), "{}", stderr(&refused));
    assert_eq!(entries_verified(&l), imported);

    // Armenia's own key cannot rewrite 2022: a live act dated then is refused.
    let refused = casus(&["ledger", "append", "--ledger", &l, "--key", &d.path("arm.key"), &late_act_file(&d)]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let err = stderr(&refused);
    assert!(err.contains("dishonest time") && err.contains("before its record time") && err.contains("record mode"), "{err}");
    assert_eq!(entries_verified(&l), imported);

    // Dated now and signed with Armenia's own key: appended in live mode.
    let out = ok(&["ledger", "append", "--ledger", &l, "--key", &d.path("arm.key"), &act]);
    let late = imported;
    assert!(out.contains(&format!("appended entries {late}..{late}")), "{out}");
    assert_eq!(entries_verified(&l), imported + 1);

    // A checkpoint, a proof bundle for the live act, checked offline.
    ok(&["ledger", "checkpoint", "--ledger", &l, "--operator-key", &d.path("op.key")]);
    let bundle = d.path("late.bundle");
    ok(&["ledger", "proof", "--ledger", &l, "--entry", &late.to_string(), "--out", &bundle]);
    let out = ok(&["ledger", "verify-bundle", &bundle]);
    assert!(out.contains(&format!("entry {late} (Act, Live mode)")) && out.contains("registered for party ARM"), "{out}");
    let mut bytes = std::fs::read(&bundle).expect("bundle");
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    let bad = d.path("bad.bundle");
    std::fs::write(&bad, &bytes).expect("write bundle");
    run(&["ledger", "verify-bundle", &bad], 1);

    // The log now extends the log of the import.
    let out = ok(&["ledger", "consistency", "--ledger", &l, "--from", "3"]);
    assert!(out.contains(&format!("ok: the log at size {} extends the log at size 3", late + 1)), "{out}");
    assert!(out.contains("matches the signed checkpoint"), "{out}");
    run(&["ledger", "consistency", "--ledger", &l, "--from", "0"], 1);
    run(&["ledger", "consistency", "--ledger", &l, "--from", "2", "--to", &(late + 2).to_string()], 1);

    // A flipped byte in the stored act, edited in the SQLite file itself
    // (casus closed it, so SQLite folded its write-ahead log into it).
    assert!(!Path::new(&format!("{l}-wal")).exists(), "the write-ahead log was not folded back");
    let mut file = std::fs::read(&l).expect("ledger file");
    let hits: Vec<usize> = file.windows(LIVE_ID.len()).enumerate().filter(|(_, w)| *w == LIVE_ID.as_bytes()).map(|(i, _)| i).collect();
    assert_eq!(hits.len(), 1, "the live act's id is stored once");
    file[hits[0] + LIVE_ID.len() - 1] ^= 0x20; // "arm_live_noW"
    std::fs::write(&l, &file).expect("write ledger file");
    let out = casus(&["ledger", "verify", "--ledger", &l]);
    assert_eq!(out.status.code(), Some(1), "verify passed a tampered ledger: {}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("entry {late}:")) && err.contains("bad signature"), "{err}");
    // The strict verification (one by one) names the same entry.
    let out = casus(&["ledger", "verify", "--ledger", &l, "--strict"]);
    assert_eq!(out.status.code(), Some(1), "strict verify passed a tampered ledger: {}", stdout(&out));
    assert!(stderr(&out).contains(&format!("entry {late}:")), "{}", stderr(&out));
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SS` (UTC), for `--as-of`.
fn utc(secs: u64) -> String {
    // The model's calendar, so the tests do not restate it.
    let t = casus_model::Time(i64::try_from(secs).expect("a time after 1970"));
    t.format(casus_model::Precision::Second).trim_end_matches('Z').to_string()
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs()
}

fn replay_json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("replay --json prints JSON")
}

/// (case, duty, debtor, status) of every obligation, sorted.
fn verdicts(state: &Value) -> Vec<(String, String, String, String)> {
    let mut v = Vec::new();
    for c in state["cases"].as_array().expect("cases[]") {
        for o in c["obligations"].as_array().expect("obligations[]") {
            let s = |x: &Value| x.as_str().unwrap_or("").to_string();
            v.push((s(&c["id"]), s(&o["duty"]), s(&o["debtor"]), s(&o["status"])));
        }
    }
    v.sort();
    v
}

fn has_case(state: &Value, id: &str) -> bool {
    state["cases"].as_array().expect("cases[]").iter().any(|c| c["id"] == id)
}

#[test]
fn replay_from_the_ledger_matches_the_files_and_is_bitemporal() {
    let d = Dir::new("ledger", "replay");
    let l = ledger_with_record(&d);
    let imported_by = now_secs();

    for reading in ["art4_trigger=request", "art4_trigger=determination"] {
        let files = replay_json(&["replay", TREATY, RECORD, "--at", "2022-12-01", "-i", reading, "--json"]);
        let ledger = replay_json(&["replay", "--ledger", &l, "--at", "2022-12-01", "-i", reading, "--json"]);
        let (f, g) = (verdicts(&files), verdicts(&ledger));
        assert!(f.iter().any(|(case, ..)| case == "arm_2022_09_art4"), "the Yerevan request makes a case: {f:?}");
        assert_eq!(f, g, "{reading}: the ledger's verdicts differ from the files'");
    }

    // Armenia's act of 2022, recorded from its source at least a second
    // after the import (in record mode: a live act so old is refused).
    while now_secs() <= imported_by {
        std::thread::sleep(Duration::from_millis(50));
    }
    ok(&["ledger", "append", "--ledger", &l, "--key", &d.path("op.key"), &late_act_file(&d)]);

    let before = utc(imported_by);
    let known_then = replay_json(&["replay", "--ledger", &l, "--at", "2022-12-01", "--as-of", &before, "--json"]);
    assert!(!has_case(&known_then, LATE_ID), "as of {before}, the late act was not yet recorded");
    assert!(has_case(&known_then, "arm_2022_09_art4"));
    let after = utc(now_secs() + 1);
    let known_now = replay_json(&["replay", "--ledger", &l, "--at", "2022-12-01", "--as-of", &after, "--json"]);
    assert!(has_case(&known_now, LATE_ID), "as of {after}, the late act is recorded");
    let everything = replay_json(&["replay", "--ledger", &l, "--at", "2022-12-01", "--json"]);
    assert!(has_case(&everything, LATE_ID));
    // Valid time still counts: on 2022-09-30 the act had not happened.
    let earlier = replay_json(&["replay", "--ledger", &l, "--at", "2022-09-30", "--as-of", &after, "--json"]);
    assert!(!has_case(&earlier, LATE_ID), "the act is dated 2022-10-01");
}

/// An import ends with a checkpoint: a proof of its last entry works at
/// once, and `verify` names no uncovered entry. A live act after it is
/// named as covered by no checkpoint until the next one.
#[test]
fn ledger_import_is_checkpointed_and_verify_names_uncovered_entries() {
    let d = Dir::new("ledger", "covered");
    let l = ledger_with_record(&d);
    let entries = entries_verified(&l);
    let bundle = d.path("last.bundle");
    ok(&["ledger", "proof", "--ledger", &l, "--entry", &(entries - 1).to_string(), "--out", &bundle]);
    ok(&["ledger", "verify-bundle", &bundle]);
    let out = casus(&["ledger", "verify", "--ledger", &l]);
    assert!(!stderr(&out).contains("covered by no checkpoint"), "{}", stderr(&out));

    ok(&["ledger", "append", "--ledger", &l, "--key", &d.path("arm.key"), &live_act_file(&d, LIVE_ID)]);
    let out = casus(&["ledger", "verify", "--ledger", &l]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains(&format!("warning: entry {entries} covered by no checkpoint")), "{}", stderr(&out));

    // A recorder's import needs the operator to checkpoint it.
    ok(&["keys", "new", "--out", &d.path("rec.key"), "--recorder"]);
    ok(&["ledger", "register", "--ledger", &l, "--operator-key", &d.path("op.key"), "--key", &d.path("rec.key.pub")]);
    let record = d.path("more.acts");
    std::fs::write(&record, LATE_ACT).expect("record");
    let out = casus(&["ledger", "import", "--ledger", &l, "--record", &record, "--key", &d.path("rec.key")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--operator-key"), "{}", stderr(&out));
    let out = ok(&["ledger", "import", "--ledger", &l, "--record", &record, "--key", &d.path("rec.key"), "--operator-key", &d.path("op.key")]);
    assert!(out.contains("checkpoint:"), "{out}");
    let out = casus(&["ledger", "verify", "--ledger", &l]);
    assert!(!stderr(&out).contains("covered by no checkpoint"), "{}", stderr(&out));
}

/// Register, revoke and rotate each sign a checkpoint in their commit; the
/// operator key rotates only with the new secret key, which signs it.
#[test]
fn ledger_key_changes_are_checkpointed() {
    let d = Dir::new("ledger", "keychanges");
    let l = ledger_with_record(&d);
    let keys = ok(&["ledger", "keys", "--ledger", &l]);
    let id_of = |role: &str| keys.lines().find(|line| line.contains(role)).and_then(|line| line.split_whitespace().next()).expect("key id").to_string();
    let (kaz, operator) = (id_of("party KAZ"), id_of("operator"));
    let out = ok(&["ledger", "revoke", "--ledger", &l, "--operator-key", &d.path("op.key"), "--key-id", &kaz, "--reason", "stolen"]);
    let seq: u64 = out.strip_prefix("entry ").and_then(|s| s.split(':').next()).and_then(|n| n.parse().ok()).expect("entry number");
    assert!(out.contains(&format!("checkpoint: {} entries", seq + 1)), "{out}");
    // Provable at once.
    ok(&["ledger", "proof", "--ledger", &l, "--entry", &seq.to_string(), "--out", &d.path("revoke.bundle")]);

    ok(&["keys", "new", "--out", &d.path("op2.key"), "--operator"]);
    let out = casus(&["ledger", "rotate", "--ledger", &l, "--operator-key", &d.path("op.key"), "--old", &operator, "--new", &d.path("op2.key.pub")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("new operator's secret key"), "{}", stderr(&out));
    let out = ok(&["ledger", "rotate", "--ledger", &l, "--operator-key", &d.path("op.key"), "--old", &operator, "--new", &d.path("op2.key")]);
    assert!(out.contains("checkpoint:"), "{out}");
    let out = casus(&["ledger", "verify", "--ledger", &l, "--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("covered by no checkpoint"), "{}", stderr(&out));
}

/// Reading or appending never creates a ledger: a mistyped path is a clear
/// error and leaves no file behind.
#[test]
fn ledger_commands_never_create_a_missing_ledger() {
    let d = Dir::new("ledger", "typo");
    let typo = d.path("typo.sqlite");
    for args in [vec!["ledger", "verify", "--ledger", &typo], vec!["ledger", "keys", "--ledger", &typo], vec!["replay", "--ledger", &typo]] {
        let out = casus(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("no ledger file at"), "{args:?}: {}", stderr(&out));
        let left: Vec<_> = std::fs::read_dir(&d.0).expect("dir").map(|e| e.expect("entry").file_name()).collect();
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }
}

/// A ledger file is created private whatever the umask.
#[cfg(unix)]
#[test]
fn ledger_file_is_private_whatever_the_umask() {
    let d = Dir::new("ledger", "umask");
    ok(&["keys", "new", "--out", &d.path("op.key"), "--operator"]);
    let l = d.path("ledger.sqlite");
    let script = format!("umask 000; exec \"$0\" ledger init --treaty {TREATY} --ledger '{l}' --operator-key '{}'", d.path("op.key"));
    let out = std::process::Command::new("sh").arg("-c").arg(&script).arg(env!("CARGO_BIN_EXE_casus")).current_dir(crate::root()).output().expect("sh");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(mode(&l), 0o600, "ledger file mode");
}

/// `keys new` creates the missing directories on the way to a key 0700,
/// and the key 0600, whatever the umask.
#[cfg(unix)]
#[test]
fn ledger_keys_dir_is_private_whatever_the_umask() {
    let d = Dir::new("ledger", "keysdir");
    let key = d.path("keys/nested/arm.key");
    let script = format!("umask 000; exec \"$0\" keys new --out '{key}' --party ARM");
    let out = std::process::Command::new("sh").arg("-c").arg(&script).arg(env!("CARGO_BIN_EXE_casus")).output().expect("sh");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(mode(&d.path("keys")), 0o700, "keys/ directory mode");
    assert_eq!(mode(&d.path("keys/nested")), 0o700, "nested directory mode");
    assert_eq!(mode(&key), 0o600, "secret key file mode");
}

/// `keys new` writes whole files or nothing: a write that fails (here the
/// file size limit, as a full disk would) leaves no 0-byte key to block
/// the retry.
#[cfg(unix)]
#[test]
fn ledger_keys_new_leaves_nothing_when_a_write_fails() {
    let d = Dir::new("ledger", "fullkey");
    let key = d.path("arm.key");
    // SIGXFSZ ignored, so that the write fails with EFBIG instead of killing casus.
    let script = format!("ulimit -f 0; trap '' XFSZ; exec \"$0\" keys new --out '{key}' --party ARM");
    let out = std::process::Command::new("sh").arg("-c").arg(&script).arg(env!("CARGO_BIN_EXE_casus")).output().expect("sh");
    assert_ne!(out.status.code(), Some(0), "the write should fail: {}", stderr(&out));
    let left: Vec<_> = std::fs::read_dir(&d.0).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    assert!(left.is_empty(), "a failed write left {left:?}");
    let out = ok(&["keys", "new", "--out", &key, "--party", "ARM"]);
    assert!(out.contains("wrote"), "{out}");
    assert!(std::fs::read_to_string(&key).expect("key").contains("seed "));
}

/// A ledger whose last record time is an hour ahead of this clock: appends
/// are refused with the reason, unless `--accept-clock-skew`; `verify`
/// warns.
#[test]
fn ledger_refuses_to_append_when_clocks_disagree() {
    use casus_ledger::{KeyFile, Ledger, entry::KeyChange, keys::KeyRegistration};
    let d = Dir::new("ledger", "clock");
    let l = ledger_with_record(&d);
    // A writer with a fast clock: a key registered an hour from now.
    let op = KeyFile::parse(&std::fs::read_to_string(d.path("op.key")).expect("op key")).expect("key file");
    let store = casus_store_sqlite::SqliteStore::open_existing(Path::new(&l)).expect("open");
    let extra = casus_ledger::SecretKey::from_seed([5; 32]);
    let ahead = casus_model::Time(now_secs() as i64 + 3600);
    Ledger::open(Box::new(store))
        .change_key(&KeyChange::Register(KeyRegistration { key: extra.public(), role: casus_ledger::KeyRole::Recorder }), &op.key, ahead)
        .expect("register");
    let out = casus(&["ledger", "verify", "--ledger", &l]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("ahead of this machine's clock"), "{}", stderr(&out));

    let act = late_act_file(&d);
    let out = casus(&["ledger", "append", "--ledger", &l, "--key", &d.path("op.key"), &act]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("ahead of this machine's clock") && stderr(&out).contains("--accept-clock-skew"), "{}", stderr(&out));
    let out = ok(&["ledger", "append", "--ledger", &l, "--key", &d.path("op.key"), &act, "--accept-clock-skew"]);
    assert!(out.contains("appended entries"), "{out}");
}

/// Eight writers at once through a server, each with `casus act`: every
/// one is appended (they retry with backoff and jitter on a moved head
/// instead of giving up after a few tries).
#[test]
fn ledger_concurrent_writers_through_a_server_all_succeed() {
    let d = Dir::new("ledger", "writers");
    let l = ledger_with_record(&d);
    let before = entries_verified(&l);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_casus"));
    cmd.args(["serve", "--ledger", &l, "--listen", "127.0.0.1:0"]).current_dir(crate::root());
    let mut server = crate::child::listening(cmd);
    let url = server.url.clone();
    const WRITERS: usize = 8;
    let files: Vec<String> = (0..WRITERS).map(|i| live_act_file(&d, &format!("writer_{i}"))).collect();
    let outcomes: Vec<std::process::Output> = std::thread::scope(|s| {
        let handles: Vec<_> = files.iter().map(|f| s.spawn(|| casus(&["act", "--server", &url, "--key", &d.path("arm.key"), f]))).collect();
        handles.into_iter().map(|h| h.join().expect("writer thread")).collect()
    });
    server.kill();
    let failed: Vec<String> = outcomes.iter().filter(|o| o.status.code() != Some(0)).map(stderr).collect();
    assert!(failed.is_empty(), "{} of {WRITERS} writers failed: {failed:?}", failed.len());
    assert_eq!(entries_verified(&l), before + WRITERS as u64);
}

/// `serve --ledger` with a mistyped path is an error and leaves no empty
/// ledger behind.
#[test]
fn ledger_serve_on_a_missing_ledger_creates_nothing() {
    let d = Dir::new("ledger", "servemissing");
    let l = d.path("typo.sqlite");
    let out = casus(&["serve", "--ledger", &l, "--listen", "127.0.0.1:0"]);
    assert_ne!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(!Path::new(&l).exists(), "serve created {l}");
    let left: Vec<_> = std::fs::read_dir(&d.0).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    assert!(left.is_empty(), "serve left {left:?}");
}

/// The demo's data directory, which holds every party's secret key, is
/// created 0700 whatever the umask.
#[cfg(unix)]
#[test]
fn ledger_demo_data_dir_is_private_whatever_the_umask() {
    let d = Dir::new("ledger", "demodir");
    let data = d.path("data");
    // --listen on a port already taken: the demo is created, then serve stops.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let script = format!("umask 000; exec \"$0\" serve --demo --data-dir '{data}' --listen {addr}");
    let out = std::process::Command::new("sh").arg("-c").arg(&script).arg(env!("CARGO_BIN_EXE_casus")).output().expect("sh");
    assert_ne!(out.status.code(), Some(0), "serve should fail on a taken port: {}", stderr(&out));
    assert_eq!(mode(&data), 0o700, "data directory mode");
    assert_eq!(mode(&d.path("data/keys")), 0o700, "keys directory mode");
}

/// `whatif` and `blockers` read a ledger as `replay` and `explain` do, and
/// answer as they do from the files the ledger was filled from.
#[test]
fn ledger_whatif_and_blockers_read_the_ledger() {
    let d = Dir::new("ledger", "analysis");
    let l = ledger_with_record(&d);
    let from_files = ok(&["blockers", TREATY, RECORD, "document/yerevan_declaration", "--at", "2022-12-01", "--json"]);
    let from_ledger = ok(&["blockers", "--ledger", &l, "document/yerevan_declaration", "--at", "2022-12-01", "--json"]);
    assert_eq!(from_ledger, from_files);
    assert!(from_ledger.contains("blocked by Armenia"), "{from_ledger}");
    let from_files = ok(&["whatif", TREATY, RECORD, "--at", "2022-12-01", "--remove", "arm_2022_09_art4", "--json"]);
    let from_ledger = ok(&["whatif", "--ledger", &l, "--at", "2022-12-01", "--remove", "arm_2022_09_art4", "--json"]);
    assert_eq!(from_ledger, from_files);
    // A fact alone without a ledger is a usage error, with the way to write it.
    let out = casus(&["blockers", "document/yerevan_declaration"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("casus blockers --ledger LEDGER FACT"), "{}", stderr(&out));
}

/// `report --ledger` reads the same rows as `report TREATY RECORD`, and
/// `--as-of` before anything was recorded leaves none.
#[test]
fn report_reads_a_ledger_as_it_reads_files() {
    let d = Dir::new("ledger", "report");
    let created = utc(now_secs().saturating_sub(3600));
    let l = ledger_with_record(&d);
    let rows = |args: &[&str]| -> Value {
        let mut all = vec!["report", "--at", "2025-12-31", "--json"];
        all.extend_from_slice(args);
        let v: Value = serde_json::from_str(&ok(&all)).expect("report json");
        v["rows"].clone()
    };
    let from_files = rows(&[TREATY, RECORD]);
    assert!(from_files.as_array().is_some_and(|r| !r.is_empty()), "{from_files}");
    assert_eq!(rows(&["--ledger", &l]), from_files);
    assert_eq!(rows(&["--ledger", &l, "--as-of", &created]), Value::Array(Vec::new()), "nothing was recorded an hour before the import");
    // `--as-of` is about a ledger's record times: alone it is refused.
    run(&["report", TREATY, RECORD, "--as-of", "2025-01-01"], 2);
}

/// Records whose acts carry what the act encoding v1 had no place for (a
/// decision's tally, acclamation, a place, several parties an act is about)
/// enter a ledger as `casus/act/v2` and replay from it to the same
/// obligations and the same documents, tallies included.
#[test]
fn records_with_tallies_places_and_about_lists_replay_the_same_from_a_ledger() {
    let d = Dir::new("ledger", "act-v2");
    ok(&["keys", "new", "--out", &d.path("op.key"), "--operator"]);
    for (treaty, record) in [
        ("treaties/north-atlantic.md", "records/nato-2001.md"),
        ("treaties/rio.md", "records/rio-1962.md"),
        ("treaties/exercise-majority.md", "records/exercise-majority.md"),
    ] {
        let l = d.path(&format!("{}.sqlite", record.replace('/', "-")));
        ok(&["ledger", "init", "--treaty", treaty, "--ledger", &l, "--operator-key", &d.path("op.key")]);
        ok(&["ledger", "import", "--ledger", &l, "--record", record, "--key", &d.path("op.key")]);
        ok(&["ledger", "verify", "--ledger", &l]);
        let files = replay_json(&["replay", treaty, record, "--at", "2040-01-01", "--json"]);
        let ledger = replay_json(&["replay", "--ledger", &l, "--at", "2040-01-01", "--json"]);
        assert_eq!(verdicts(&files), verdicts(&ledger), "{record}: obligations");
        let documents = |state: &Value| -> Vec<String> {
            let docs = state["documents"].as_array().expect("documents[]");
            docs.iter().map(|doc| format!("{} {} {} {}", doc["id"], doc["status"], doc["basis"], doc["tally"])).collect()
        };
        assert!(!documents(&files).is_empty(), "{record} has documents");
        assert_eq!(documents(&files), documents(&ledger), "{record}: documents, bases and tallies");
        let places = |state: &Value| state.to_string().matches("\"place\"").count();
        assert_eq!(places(&files), places(&ledger), "{record}: places");
    }
}
