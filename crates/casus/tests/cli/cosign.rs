//! Member states' witnesses cosign a real ledger's checkpoints, through
//! the `casus` binary: three witnesses as separate processes on
//! 127.0.0.1; `ledger checkpoint --witness … --witness-quorum K` stores
//! the cosigned checkpoint only with K cosignatures; a proof bundle
//! carries them and `verify-bundle --witness … --quorum K` counts them;
//! `serve --witness-policy …` has the witnesses of the policy version in
//! force cosign the checkpoints it signs, and `ledger mirror --policy`
//! holds the served log to the same policy.

use std::process::Command;

use crate::child::{Running, listening};
use crate::{Dir, casus, http_get, ok, run, stderr, stdout};

const TREATY: &str = "treaties/cst.md";
const RECORD: &str = "records/csto-2021-2025.md";

/// Runs casus, asserting its exit code; returns stdout and stderr.
/// A witness process, killed when dropped.
fn spawn_witness(key: &str, state: &str, log: &str) -> Running {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casus"));
    cmd.args(["witness", "serve", "--listen", "127.0.0.1:0", "--log", log, "--key", key, "--state", state]);
    listening(cmd)
}

/// The value after `label` on the line that starts with it.
fn field(out: &str, label: &str) -> String {
    out.lines().find_map(|l| l.strip_prefix(label)).map(|v| v.trim().to_string()).unwrap_or_else(|| panic!("no `{label}` in {out}"))
}

#[test]
fn cosign_three_witnesses_quorum_in_checkpoints_and_bundles() {
    let d = Dir::new("cosign", "quorum");
    ok(&["keys", "new", "--out", &d.path("op.key"), "--operator"]);
    ok(&["keys", "new", "--out", &d.path("arm.key"), "--party", "ARM"]);
    let l = d.path("ledger.sqlite");
    ok(&["ledger", "init", "--treaty", TREATY, "--ledger", &l, "--operator-key", &d.path("op.key"), "--register", &d.path("arm.key.pub")]);
    ok(&["ledger", "import", "--ledger", &l, "--record", RECORD, "--key", &d.path("op.key")]);

    // The origin and the operator's verifier key, as witnesses configure them.
    let out = ok(&["ledger", "origin", "--ledger", &l]);
    let origin = field(&out, "origin");
    let vkey = field(&out, "verifier");
    assert!(origin.starts_with("casus.ledger/") && origin.len() == 13 + 64, "{out}");
    assert!(vkey.starts_with(&format!("{origin}+")), "{out}");
    assert_eq!(field(&out, "witness"), format!("--log '{origin}={vkey}'"));
    assert_eq!(ok(&["keys", "note-verifier", "--key", &d.path("op.key"), "--ledger", &l]).trim(), vkey);
    assert_eq!(ok(&["keys", "note-verifier", "--key", &d.path("op.key.pub"), "--origin", &origin]).trim(), vkey);

    // Three members' witnesses, and a fourth key that never signs.
    let log = format!("{origin}={vkey}");
    let mut witnesses = Vec::new();
    let mut keys = Vec::new();
    for member in ["ARM", "KAZ", "RUS", "TJK"] {
        let key = d.path(&format!("{member}.wkey"));
        let name = format!("witness.{}.example/csto", member.to_lowercase());
        let wkey = ok(&["witness", "keys", "new", "--out", &key, "--name", &name]).lines().next().expect("key line").to_string();
        if member != "TJK" {
            witnesses.push(spawn_witness(&key, &d.path(&format!("{member}-state")), &log));
        }
        keys.push((member, wkey));
    }
    let endpoint = |i: usize| format!("{}={}={}", keys[i].0, witnesses[i].url, keys[i].1);
    let (w0, w1, w2) = (endpoint(0), endpoint(1), endpoint(2));
    let signed = |i: usize| format!("{}={}", keys[i].0, keys[i].1);
    let (k0, k1, k2, k3) = (signed(0), signed(1), signed(2), signed(3));

    let out = ok(&[
        "ledger",
        "checkpoint",
        "--ledger",
        &l,
        "--operator-key",
        &d.path("op.key"),
        "--witness",
        &w0,
        "--witness",
        &w1,
        "--witness",
        &w2,
        "--witness-quorum",
        "3",
    ]);
    assert!(out.contains("cosigned by 3 of 3 witnesses (ARM, KAZ, RUS); the quorum is 3"), "{out}");
    let size: u64 = field(&out, "checkpoint:").split_whitespace().next().and_then(|n| n.parse().ok()).expect("size");
    // The witnesses' cosignatures prove when each imported act was logged,
    // whatever date it claims: explanations say so beside the act.
    let explained = ok(&["explain", "--ledger", &l, "case/arm_2022_09_art4", "--at", "2022-12-01"]);
    assert!(
        explained.contains("in the ledger no later than ") && explained.contains(&format!("cosigned a checkpoint of {size} entries that covers it")),
        "{explained}"
    );
    let json = ok(&["explain", "--ledger", &l, "case/arm_2022_09_art4", "--at", "2022-12-01", "--json"]);
    assert!(json.contains("\"logged_by\"") && json.contains(&format!("\"checkpoint_size\": {size}")), "{json}");

    let bundle = d.path("entry.bundle");
    ok(&["ledger", "proof", "--ledger", &l, "--entry", &(size - 1).to_string(), "--out", &bundle]);
    let out = ok(&["ledger", "verify-bundle", &bundle, "--witness", &k0, "--witness", &k1, "--witness", &k2, "--quorum", "3"]);
    assert_eq!(out.matches("cosigned by ").count(), 3, "{out}");
    assert!(out.contains("cosigned by KAZ (witness.kaz.example/csto) at ") && out.contains("witnesses: 3 of 3 cosigned; the quorum is 3"), "{out}");
    assert!(out.contains(&format!("origin {origin}")), "{out}");
    // Four witnesses configured, three signed: a quorum of 4 is refused.
    let (_, err) = run(&["ledger", "verify-bundle", &bundle, "--witness", &k0, "--witness", &k1, "--witness", &k2, "--witness", &k3, "--quorum", "4"], 1);
    assert!(err.contains("3 valid witness cosignature(s); the quorum is 4"), "{err}");
    // A quorum above the witnesses given is a usage error.
    run(&["ledger", "verify-bundle", &bundle, "--witness", &k0, "--quorum", "4"], 2);
    // The witness that did not sign is not counted.
    let (_, err) = run(&["ledger", "verify-bundle", &bundle, "--witness", &k3, "--quorum", "1"], 1);
    assert!(err.contains("0 valid witness cosignature(s); the quorum is 1"), "{err}");
    // Without a policy the bundle verifies as before.
    ok(&["ledger", "verify-bundle", &bundle]);

    // A witness policy with dated versions: the bundle is judged by the
    // version in force at its checkpoint's time, whatever came later.
    let key_of = |i: usize| &keys[i].1;
    let witnesses_of = |ids: &[usize]| ids.iter().map(|&i| format!("  witness {} {}\n", keys[i].0, key_of(i))).collect::<String>();
    let tomorrow = utc(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() + 86_400);
    let policy = d.path("witnesses.policy");
    std::fs::write(
        &policy,
        format!(
            "# the members' witnesses\nversion 2020-01-01\n  quorum 3\n{}version {tomorrow}\n  quorum 4\n{}",
            witnesses_of(&[0, 1, 2]),
            witnesses_of(&[0, 1, 2, 3])
        ),
    )
    .expect("policy");
    let out = ok(&["ledger", "verify-bundle", &bundle, "--policy", &policy]);
    assert!(out.contains("policy of 2020-01-01: 3 of its 3 witnesses cosigned; its quorum is 3"), "{out}");
    assert!(out.contains("cosigned by RUS (witness.rus.example/csto) at "), "{out}");
    // Had the stricter version been in force already, the bundle would fail.
    std::fs::write(&policy, format!("version 2020-01-01\n  quorum 4\n{}", witnesses_of(&[0, 1, 2, 3]))).expect("policy");
    let (_, err) = run(&["ledger", "verify-bundle", &bundle, "--policy", &policy], 1);
    assert!(
        err.contains("3 of the 4 witnesses of the policy of 2020-01-01 cosigned the checkpoint within a day of its time") && err.contains("quorum is 4"),
        "{err}"
    );
    // A policy that starts after the checkpoint has nothing to say about it.
    std::fs::write(&policy, format!("version {tomorrow}\n  quorum 1\n{}", witnesses_of(&[0]))).expect("policy");
    let (_, err) = run(&["ledger", "verify-bundle", &bundle, "--policy", &policy], 1);
    assert!(err.contains("no version of the witness policy was in force at the checkpoint's time"), "{err}");
    // A broken policy is bad input (exit 2) and names its line; --policy
    // and --witness do not mix.
    std::fs::write(&policy, "version 2020-01-01\n  quorum three\n").expect("policy");
    let (_, err) = run(&["ledger", "verify-bundle", &bundle, "--policy", &policy], 2);
    assert!(err.contains("line 2: `three` is not a number"), "{err}");
    run(&["ledger", "verify-bundle", &bundle, "--policy", &policy, "--witness", &k0], 2);

    // One witness down: the log grows (a key registered, checkpointed by
    // the operator alone), then 3 of 3 fails and stores nothing, 2 of 3 succeeds.
    drop(witnesses.remove(2));
    ok(&["keys", "new", "--out", &d.path("kaz.key"), "--party", "KAZ"]);
    let out = ok(&["ledger", "register", "--ledger", &l, "--operator-key", &d.path("op.key"), "--key", &d.path("kaz.key.pub")]);
    assert!(!out.is_empty());
    let grown = size + 1;
    let later = d.path("later.bundle");
    ok(&["ledger", "proof", "--ledger", &l, "--entry", &size.to_string(), "--out", &later]);
    let (_, err) = run(&["ledger", "verify-bundle", &later, "--witness", &k0, "--quorum", "1"], 1);
    assert!(err.contains("0 valid witness cosignature(s)"), "the register's checkpoint is the operator's alone: {err}");

    let (_, err) = run(
        &[
            "ledger",
            "checkpoint",
            "--ledger",
            &l,
            "--operator-key",
            &d.path("op.key"),
            "--witness",
            &w0,
            "--witness",
            &w1,
            "--witness",
            &w2,
            "--witness-quorum",
            "3",
        ],
        1,
    );
    assert!(err.contains("2 of 3 witnesses cosigned the checkpoint of") && err.contains("RUS:") && err.contains("nothing was stored"), "{err}");
    ok(&["ledger", "proof", "--ledger", &l, "--entry", &size.to_string(), "--out", &later]);
    run(&["ledger", "verify-bundle", &later, "--witness", &k0, "--witness", &k1, "--quorum", "1"], 1);

    let out = ok(&[
        "ledger",
        "checkpoint",
        "--ledger",
        &l,
        "--operator-key",
        &d.path("op.key"),
        "--witness",
        &w0,
        "--witness",
        &w1,
        "--witness",
        &w2,
        "--witness-quorum",
        "2",
    ]);
    assert!(out.contains(&format!("checkpoint: {grown} entries")) && out.contains("cosigned by 2 of 3 witnesses (ARM, KAZ); the quorum is 2"), "{out}");
    ok(&["ledger", "proof", "--ledger", &l, "--entry", &size.to_string(), "--out", &later]);
    let out = ok(&["ledger", "verify-bundle", &later, "--witness", &k0, "--witness", &k1, "--witness", &k2, "--quorum", "2"]);
    assert!(out.contains("witnesses: 2 of 3 cosigned; the quorum is 2"), "{out}");
    run(&["ledger", "verify-bundle", &later, "--witness", &k0, "--witness", &k1, "--witness", &k2, "--quorum", "3"], 1);
    // The earlier entry's bundle still uses its 3-of-3 checkpoint.
    ok(&["ledger", "proof", "--ledger", &l, "--entry", &(size - 1).to_string(), "--out", &bundle]);
    ok(&["ledger", "verify-bundle", &bundle, "--witness", &k0, "--witness", &k1, "--witness", &k2, "--quorum", "3"]);

    // The whole ledger, notes included, verifies.
    let out = ok(&["ledger", "verify", "--ledger", &l]);
    assert!(out.starts_with(&format!("ok: {grown} ")) && out.contains(" checkpoints (3 with a C2SP note), root "), "{out}");
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SS` (UTC).
fn utc(secs: u64) -> String {
    // The model's calendar, so the tests do not restate it.
    let t = casus_model::Time(i64::try_from(secs).expect("a time after 1970"));
    t.format(casus_model::Precision::Second).trim_end_matches('Z').to_string()
}

/// A server with witnesses: the checkpoint it signs after an act is
/// cosigned by the quorum before it is stored, and the act's bundle
/// carries the cosignatures.
#[test]
fn cosign_server_checkpoints_are_cosigned() {
    let d = Dir::new("cosign", "serve");
    ok(&["keys", "new", "--out", &d.path("op.key"), "--operator"]);
    ok(&["keys", "new", "--out", &d.path("arm.key"), "--party", "ARM"]);
    let l = d.path("ledger.sqlite");
    ok(&["ledger", "init", "--treaty", TREATY, "--ledger", &l, "--operator-key", &d.path("op.key"), "--register", &d.path("arm.key.pub")]);
    ok(&["ledger", "import", "--ledger", &l, "--record", RECORD, "--key", &d.path("op.key")]);
    let out = ok(&["ledger", "origin", "--ledger", &l]);
    let log = format!("{}={}", field(&out, "origin"), field(&out, "verifier"));
    let mut witnesses = Vec::new();
    let mut endpoints = Vec::new();
    let mut keys = Vec::new();
    for member in ["ARM", "KAZ"] {
        let key = d.path(&format!("{member}.wkey"));
        let wkey = ok(&["witness", "keys", "new", "--out", &key, "--name", &format!("witness.{member}.example")]).lines().next().expect("key").to_string();
        let w = spawn_witness(&key, &d.path(&format!("{member}-state")), &log);
        endpoints.push(format!("  witness {member} {wkey} {}\n", w.url));
        keys.push(format!("{member}={wkey}"));
        witnesses.push(w);
    }
    // The members' dated witness policy, each witness with its address: the
    // server asks the witnesses of the version in force when it checkpoints.
    let policy = d.path("witnesses.policy");
    std::fs::write(&policy, format!("version 2020-01-01\n  quorum 2\n{}", endpoints.concat())).expect("policy");
    // Without their addresses a policy cannot serve an operator.
    let without_urls = d.path("readers.policy");
    std::fs::write(
        &without_urls,
        format!("version 2020-01-01\n  quorum 2\n{}", keys.iter().map(|k| format!("  witness {}\n", k.replacen('=', " ", 1))).collect::<String>()),
    )
    .expect("policy");
    let (_, err) = run(&["ledger", "checkpoint", "--ledger", &l, "--operator-key", &d.path("op.key"), "--witness-policy", &without_urls], 2);
    assert!(err.contains("witness ARM of the version of 2020-01-01 has no URL"), "{err}");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casus"));
    cmd.args(["serve", "--ledger", &l, "--listen", "127.0.0.1:0", "--operator-key", &d.path("op.key")])
        .args(["--witness-policy", &policy])
        .current_dir(crate::root());
    let mut server = listening(cmd);
    let url = server.url.clone();
    let act = d.path("live.acts");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    std::fs::write(
        &act,
        format!(
            "record \"A live act\"\n  treaty   CST\n\n{}Z ARM request assistance\n  id       arm_live_cosigned\n  under    art4\n  to       CSC\n",
            utc(now)
        ),
    )
    .expect("act file");
    let posted = casus(&["act", "--server", &url, "--key", &d.path("arm.key"), &act]);
    let entries: u64 = field(&ok(&["ledger", "verify", "--ledger", &l]), "ok:").split_whitespace().next().and_then(|n| n.parse().ok()).expect("entries");
    // The server checkpoints within a tick or two (every half second).
    let bundle = d.path("live.bundle");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let verified = loop {
        let proved = casus(&["ledger", "proof", "--ledger", &l, "--entry", &(entries - 1).to_string(), "--out", &bundle]);
        if proved.status.success() {
            break casus(&["ledger", "verify-bundle", &bundle, "--witness", &keys[0], "--witness", &keys[1], "--quorum", "2"]);
        }
        assert!(std::time::Instant::now() < deadline, "no checkpoint covers the act: {}", stderr(&proved));
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    // The API and the ledger page name the witnesses that cosigned.
    let explained = http_get(&url, "/api/explain?fact=case/arm_live_cosigned");
    let entries_page = http_get(&url, "/ledger");
    let checkpoints = http_get(&url, "/api/checkpoints");
    let ledger_page = http_get(&url, "/ledger");
    // A member's mirror holds the log to the readers' copy of the policy.
    let mirrored = casus(&["ledger", "mirror", &url, "--ledger", &d.path("mirror.sqlite"), "--policy", &without_urls]);
    server.kill();
    assert!(posted.status.success(), "{}", stderr(&posted));
    assert!(verified.status.success(), "{}\n{}", stdout(&verified), stderr(&verified));
    assert!(stdout(&verified).contains("witnesses: 2 of 2 cosigned; the quorum is 2"), "{}", stdout(&verified));
    assert!(mirrored.status.success(), "{}", stderr(&mirrored));
    assert!(explained.contains("\"logged_by\"") && explained.contains("cosigned a checkpoint of"), "{explained}");
    assert!(entries_page.contains("Logged by (witnessed)"), "{entries_page}");
    let out = stdout(&mirrored);
    assert!(out.contains("witness policy of 2020-01-01: 2 of its 2 witnesses must have cosigned"), "{out}");
    assert!(out.contains("witnesses: 2 of 2 cosigned; the quorum is 2"), "{out}");
    assert!(checkpoints.contains("\"witness\":\"witness.ARM.example\"") && checkpoints.contains("\"witness\":\"witness.KAZ.example\""), "{checkpoints}");
    assert!(
        ledger_page.contains("cosigned by <code>witness.ARM.example</code>") || ledger_page.contains("cosigned by <code>witness.KAZ.example</code>"),
        "{ledger_page}"
    );
}
