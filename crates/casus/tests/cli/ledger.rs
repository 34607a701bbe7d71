//! The ledger through the real `casus` binary: keys, init, import with the
//! operator key, live appends and refusals, verify (and tampering caught
//! on the SQLite file itself), proof bundles, consistency proofs, and
//! `replay --ledger` with `--at` and `--as-of` (bitemporal).
//!
//! Each test works in its own directory under the system temporary one,
//! on a SQLite ledger file, and removes it at the end.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::{casus, stderr, stdout};

const TREATY: &str = "treaties/cst.md";
const RECORD: &str = "records/csto-2021-2025.md";
/// The act appended late, in live mode by Armenia (a request under art4).
const LATE_ID: &str = "arm_2022_10_late";
const LATE_ACT: &str = "record \"A late act\"\n  treaty   CST\n\n2022-10-01 ARM request assistance\n  id       arm_2022_10_late\n  under    art4\n  to       CSC\n";

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("casus-cli-ledger-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        Dir(d)
    }
    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().expect("utf-8 path").to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs casus, asserting its exit code; returns stdout.
fn ok(args: &[&str]) -> String {
    run(args, 0)
}

fn run(args: &[&str], code: i32) -> String {
    let out = casus(args);
    assert_eq!(out.status.code(), Some(code), "casus {args:?}\nstdout: {}\nstderr: {}", stdout(&out), stderr(&out));
    stdout(&out)
}

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
        "ledger", "init", "--treaty", TREATY, "--ledger", &l, "--operator-key", &d.path("op.key"),
        "--register", &d.path("arm.key.pub"), "--register", &d.path("kaz.key.pub"),
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
    let d = Dir::new("story");
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
    let act = late_act_file(&d);
    let refused = casus(&["ledger", "append", "--ledger", &l, "--key", &d.path("kaz.key"), &act]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("wrong signer"), "{}", stderr(&refused));
    assert_eq!(entries_verified(&l), imported);

    // Signed with Armenia's own key: appended in live mode.
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
    let hits: Vec<usize> = file.windows(LATE_ID.len()).enumerate().filter(|(_, w)| *w == LATE_ID.as_bytes()).map(|(i, _)| i).collect();
    assert_eq!(hits.len(), 1, "the late act's id is stored once");
    file[hits[0] + LATE_ID.len() - 1] ^= 0x20; // "arm_2022_10_latE"
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
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil-from-days.
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
    let d = Dir::new("replay");
    let l = ledger_with_record(&d);
    let imported_by = now_secs();

    for reading in ["art4_trigger=request", "art4_trigger=determination"] {
        let files = replay_json(&["replay", TREATY, RECORD, "--at", "2022-12-01", "-i", reading, "--json"]);
        let ledger = replay_json(&["replay", "--ledger", &l, "--at", "2022-12-01", "-i", reading, "--json"]);
        let (f, g) = (verdicts(&files), verdicts(&ledger));
        assert!(f.iter().any(|(case, ..)| case == "arm_2022_09_art4"), "the Yerevan request makes a case: {f:?}");
        assert_eq!(f, g, "{reading}: the ledger's verdicts differ from the files'");
    }

    // Armenia's act, recorded at least a second after the import.
    while now_secs() <= imported_by {
        std::thread::sleep(Duration::from_millis(50));
    }
    ok(&["ledger", "append", "--ledger", &l, "--key", &d.path("arm.key"), &late_act_file(&d)]);

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
