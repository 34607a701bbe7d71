//! Exit codes and input robustness of the command line.

use crate::{casus, root, stderr, stdout};

fn temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("casus-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

#[test]
fn check_exit_codes() {
    let ok = casus(&["check", "treaties/cst.md", "records/csto-2021-2025.md"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(stderr(&ok).contains("0 errors"));
    let broken = root().join("crates/casus-lang/tests/corpus/treaty/unknown-names.md");
    let bad = casus(&["check", broken.to_str().expect("path")]);
    assert_eq!(bad.status.code(), Some(1));
    let err = stderr(&bad);
    assert!(err.contains("error[E0008]") && err.contains("error[E0014]") && err.contains("error[E0015]"), "every error at once: {err}");
    let missing = casus(&["check", "no/such/file.md"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn random_bytes_give_diagnostics_not_a_panic() {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for round in 0..40 {
        let len = 1 + (round * 97) % 3000;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        for name in ["garbage.md", "garbage.casus"] {
            let p = temp(name, &bytes);
            let out = casus(&["check", p.to_str().expect("path")]);
            assert_eq!(out.status.code(), Some(1), "round {round}: {}", stderr(&out));
            assert!(stderr(&out).contains("error["), "round {round}");
            assert!(!stderr(&out).contains("panicked"));
        }
    }
}

#[test]
fn invalid_utf8_is_reported_with_its_position() {
    let p = temp("latin1.md", b"```casus\ntreaty T \"Caf\xe9\"\n```\n");
    let out = casus(&["check", p.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("error[E0024]"), "{}", stderr(&out));
    assert!(stderr(&out).contains(":2:14"), "{}", stderr(&out));
}

#[test]
fn fmt_check_and_idempotence() {
    let ugly = "```casus\ntreaty   T \"T\"\n      in-force   2000-01-01\n```\n";
    let p = temp("ugly.md", ugly.as_bytes());
    let path = p.to_str().expect("path");
    assert_eq!(casus(&["fmt", "--check", path]).status.code(), Some(1));
    assert_eq!(casus(&["fmt", path]).status.code(), Some(0));
    let once = std::fs::read_to_string(&p).expect("read");
    assert_eq!(once, "```casus\ntreaty T \"T\"\n  in-force 2000-01-01\n```\n");
    assert_eq!(casus(&["fmt", "--check", path]).status.code(), Some(0));
    for shipped in ["treaties/cst.md", "records/csto-2021-2025.md"] {
        assert_eq!(casus(&["fmt", "--check", shipped]).status.code(), Some(0), "{shipped} is not canonical");
    }
}

#[test]
fn bad_arguments_exit_2_with_a_reason() {
    let out = casus(&["replay", "treaties/cst.md", "records/csto-2021-2025.md", "--at", "2022-02-30"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a date"));
    let out = casus(&["replay", "treaties/cst.md", "records/csto-2021-2025.md", "-i", "art4_trigger=maybe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("options: request, determination"), "{}", stderr(&out));
    let out = casus(&["explain", "treaties/cst.md", "records/csto-2021-2025.md", "case/nothing", "--at", "2022-12-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no fact"));
    assert!(stdout(&out).is_empty());
}

/// A source on a known mirror host is a warning (W0003), pointed at the
/// address, and a warning alone leaves the exit status at 0.
#[test]
fn a_mirror_source_warns_and_still_exits_0() {
    let record = "```acts\nrecord \"Mirror test\"\n  treaty   CST\n```\n\n```acts\n2021-05-12 AZE attack\n  against  ARM\n  source   \"https://www.pledgetimes.com/some-report/\" \"Pledge Times\"\n  source   \"https://azatutyun.am/amp/31275217.html\" \"Azatutyun\"\n```\n";
    let p = temp("mirror.md", record.as_bytes());
    let out = casus(&["check", "--short", "treaties/cst.md", p.to_str().expect("path")]);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("mirror.md:9:12: warning[W0003]: `pledgetimes.com` is a known mirror or aggregator"), "{all}");
    assert_eq!(all.matches("W0003").count(), 1, "only the mirror address is warned: {all}");
}
