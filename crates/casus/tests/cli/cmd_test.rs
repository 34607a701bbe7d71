//! `casus test`: every shipped record's expectations hold, and a wrong one
//! fails with the explanation of what was derived instead.

use crate::{casus, stderr, stdout};

fn temp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("casus-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// The count in the summary line "N passed, M failed".
fn summary(out: &str) -> (usize, usize) {
    let line = out.lines().last().unwrap_or_default();
    let (p, f) = line.split_once(" passed, ").unwrap_or_else(|| panic!("no summary line in {out}"));
    (p.parse().expect("passed"), f.trim_end_matches(" failed").parse().expect("failed"))
}

#[test]
fn every_shipped_record_meets_its_expectations() {
    let out = casus(&["test", "treaties", "records"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let (passed, failed) = summary(&text);
    assert_eq!(failed, 0, "{text}");
    assert!(passed >= 150, "{text}");
    // Every record carries expectations: no W0041.
    assert!(!stderr(&out).contains("W0041"), "{}", stderr(&out));
    let records = std::fs::read_dir(crate::root().join("records"))
        .expect("records/")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "md")))
        .count();
    assert_eq!(text.lines().filter(|l| l.starts_with("records/") && l.ends_with(" 0 failed")).count(), records, "{text}");
}

#[test]
fn a_wrong_expectation_fails_with_what_was_derived() {
    let record = std::fs::read_to_string(crate::root().join("records/csto-2021-2025.md")).expect("record");
    let wrong =
        record.replacen("  obligation arm_2022_09_art4/assist_victim/RUS is not_triggered", "  obligation arm_2022_09_art4/assist_victim/RUS is fulfilled", 1);
    assert_ne!(wrong, record, "the record states RUS's duty under the determination reading");
    let path = temp("wrong.md", &wrong);
    let out = casus(&["test", "treaties/cst.md", path.to_str().expect("path")]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(summary(&text).1, 1, "{text}");
    assert!(text.contains("FAILED") && text.contains("obligation arm_2022_09_art4/assist_victim/RUS is fulfilled"), "{text}");
    assert!(text.contains("reading art4_trigger = determination"), "{text}");
    assert!(text.contains("derived instead: not triggered"), "{text}");
    // The engine's explanation of the derived verdict follows.
    assert!(text.contains("No such act was recorded by 1 December 2022, so the duty is not triggered"), "{text}");
}

#[test]
fn a_wrong_blocker_fails() {
    let record = std::fs::read_to_string(crate::root().join("records/exercise-silence.md")).expect("record");
    let wrong = record.replace("document harbour_fees is blocked by BRV", "document harbour_fees is blocked by CSL");
    let path = temp("silence.md", &wrong);
    let out = casus(&["test", "treaties/exercise-silence.md", path.to_str().expect("path")]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("derived instead: blocked by BRV"), "{text}");
    assert_eq!(summary(&text), (2, 2), "{text}");
}

/// `casus test` of a shipped record with one expectation line changed.
fn test_changed(name: &str, expectation: &str, changed: &str) -> std::process::Output {
    let record = std::fs::read_to_string(crate::root().join(format!("records/{name}.md"))).expect("record");
    let text = record.replace(expectation, changed);
    assert_ne!(text, record, "records/{name}.md states `{expectation}`");
    let path = temp(&format!("{name}-{}.md", changed.len()), &text);
    casus(&["test", &format!("treaties/{name}.md"), path.to_str().expect("path")])
}

#[test]
fn a_wrong_tally_fails_with_the_tally_derived() {
    const TALLY: &str = "document upper_river is adopted with 3 for 0 against";
    let out = test_changed("exercise-majority", TALLY, "document upper_river is adopted with 4 for 0 against");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("derived instead: adopted with 3 for 0 against 0 abstaining"), "{text}");
    // A count left out is not checked: `with 3 for` alone holds.
    let out = test_changed("exercise-majority", TALLY, "document upper_river is adopted with 3 for");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // A document decided without a vote has no tally to match.
    const BLOCKED: &str = "document harbour_fees is blocked by BRV";
    let out = test_changed("exercise-silence", BLOCKED, "document harbour_fees is blocked by BRV with 1 against");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("derived instead: blocked by BRV, without a tally ("), "{text}");
    // Counts out of order, or words that are not counts, are errors with their place.
    let out = test_changed("exercise-silence", BLOCKED, "document harbour_fees is blocked by BRV with 1 against 2 for");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("error[E0075]") && stderr(&out).contains("in the order for, against, abstaining"), "{}", stderr(&out));
    let out = test_changed("exercise-silence", BLOCKED, "document harbour_fees is blocked by BRV with many for");
    assert!(stderr(&out).contains("expected a number of votes, found `many`"), "{}", stderr(&out));
}

#[test]
fn misused_expectations_and_missing_ones_are_reported() {
    let record = "# R\n\n```acts\nrecord \"R\"\n  treaty   HARBOURS\n```\n\n```expect\non 2030-04-01\n  document harbour_fees is closed\n```\n";
    let path = temp("misused.md", record);
    let out = casus(&["test", "treaties/exercise-silence.md", path.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("error[E0075]") && stderr(&out).contains(":10:28"), "{}", stderr(&out));
    let bare = temp("bare.md", "# R\n\n```acts\nrecord \"R\"\n  treaty   HARBOURS\n```\n");
    let out = casus(&["test", "treaties/exercise-silence.md", bare.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning[W0041]"), "{}", stderr(&out));
    assert_eq!(summary(&stdout(&out)), (0, 0));
    // A record whose treaty is not given cannot be tested.
    let out = casus(&["test", "records/nato-2001.md"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("record of treaty NAT"), "{}", stderr(&out));
}

#[test]
fn coverage_lists_what_the_expectations_exercised() {
    let out = casus(&["test", "--coverage", "treaties", "records"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // Armenia's case under both readings reaches every outcome of the
    // determination condition; the 1992 wording is never in force there.
    assert!(text.contains("condition 1 (when art4_trigger = determination): seen met, unmet, waived"), "{text}");
    assert!(text.contains("reading art4_trigger: tested request, determination\n"), "{text}");
    assert!(text.contains("duty assist_victim (text cst1992): not exercised"), "{text}");
    assert!(text.contains("organ HC (the silence procedure"), "{text}");
    assert!(text.contains("verdicts seen: adopted, blocked, pending"), "{text}");
    // A reading no checked verdict consulted is listed as not tested.
    assert!(text.contains("reading immediately: tested one_day, one_week; not tested: one_month"), "{text}");
    let (passed, failed) = summary(&text);
    assert!(passed > 0 && failed == 0);
}

/// Two treaty files with one id: a record naming it could be either, so
/// `casus test` refuses to guess (exit 2), naming both files.
#[test]
fn cmd_test_refuses_two_treaties_with_one_id() {
    let dir = std::env::temp_dir().join(format!("casus-cmd-test-dup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let text = std::fs::read_to_string(crate::root().join("treaties/cst.md")).expect("treaty");
    for name in ["a.md", "b.md"] {
        std::fs::write(dir.join(name), &text).expect("copy");
    }
    let out = casus(&["test", dir.to_str().expect("path"), "records/csto-2021-2025.md"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("a.md and") && stderr(&out).contains("b.md both declare treaty CST"), "{}", stderr(&out));
}

/// A joint request makes one debtor owe the duty to each requester; an
/// expectation about one of those obligations is credited to that one, not
/// to the debtor's first: Quivera assisted Orlavia in time but never
/// Ravonia, and only the obligation to Ravonia is expected.
#[test]
fn coverage_credits_the_obligation_to_the_creditor_expected() {
    let record = "# R\n\n```acts\nrecord \"R\"\n  treaty   PASSES\n\n\
                  2032-05-01 ORL request assistance\n  id       joint_request\n  from     RAV\n\n\
                  2032-05-04 QUI assistance\n  to       ORL\n```\n\n\
                  ```expect\non 2032-05-31\n  obligation joint_request/assist/QUI/RAV is breached\n```\n";
    let path = temp("joint.md", record);
    let out = casus(&["test", "--coverage", "examples/exercise-membership.md", path.to_str().expect("path")]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert_eq!(summary(&text), (1, 0), "{text}");
    assert!(text.contains("duty assist: 1 expectation, cases joint_request"), "{text}");
    assert!(text.contains("deadline: seen passed unmet; not seen: not yet due, met in time,"), "{text}");
}
