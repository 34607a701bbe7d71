//! `casus check` for people: counts in the right number, notes without an
//! empty frame, "did you mean" help, a hint for swapped arguments, a `case`
//! that names an act which opened no case, one diagnostic per unknown
//! organ, and output bounded on a huge file of junk.

use crate::{casus, root, stderr};

fn temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("casus-cli-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

fn base_treaty() -> String {
    root().join("crates/casus-lang/tests/corpus/base-treaty.md").display().to_string()
}

/// A record for the CSTO treaty with the given acts after its header.
fn cst_record(name: &str, acts: &str) -> std::path::PathBuf {
    temp(name, format!("record \"t\"\n  treaty CST\n\n{acts}").as_bytes())
}

#[test]
fn counts_are_in_the_right_number() {
    let out = casus(&["check", "treaties/anzus.md"]);
    let err = stderr(&out);
    assert!(err.contains("(1 duty, 3 parties): 0 errors, 0 warnings"), "{err}");
    let one = cst_record("one.acts", "2022-09-14 ARM statement\n  source \"s\"\n\n2022-09-15 ARM sign\n  document no_such_text\n  source \"s\"\n");
    let out = casus(&["check", "treaties/cst.md", one.to_str().expect("path")]);
    let err = stderr(&out);
    assert!(err.contains("and 2 acts: 1 error, 0 warnings"), "{err}");
    for wrong in ["1 duties", "1 parties", "1 acts", "1 errors", "1 warnings"] {
        assert!(!err.contains(wrong), "{wrong}: {err}");
    }
}

#[test]
fn notes_print_no_empty_frame() {
    let out = casus(&["check", "treaties/cst.md"]);
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    let notes: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l.starts_with("note[N0001]")).map(|(i, _)| i).collect();
    assert!(!notes.is_empty(), "{err}");
    for i in notes {
        assert!(lines[i + 1].trim_start().starts_with("--> treaties/cst.md:"), "{err}");
        assert_eq!(lines[i + 2], "", "a note ends after its location: {err}");
    }
}

#[test]
fn swapped_arguments_get_a_hint() {
    let out = casus(&["check", "records/nato-2001.md", "treaties/north-atlantic.md"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("look swapped") && err.contains("casus check treaties/north-atlantic.md records/nato-2001.md"), "{err}");
    // The same for the commands that read the two files.
    let out = casus(&["replay", "records/nato-2001.md", "treaties/north-atlantic.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("look swapped"), "{}", stderr(&out));
    // A record alone, where a treaty is wanted.
    let out = casus(&["check", "records/nato-2001.md"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("looks like a record, not a treaty; check it against its treaty: casus check TREATY records/nato-2001.md"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn misspelled_names_get_did_you_mean() {
    let r = cst_record(
        "typos.acts",
        "2022-09-14 ARN request assistance\n  under art4\n  to CSC\n  source \"s\"\n\n2022-09-15 arm request assistance\n  under art44\n  source \"s\"\n",
    );
    let out = casus(&["check", "treaties/cst.md", r.to_str().expect("path")]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("unknown actor `ARN`") && err.contains("unknown actor `arm`"), "{err}");
    assert_eq!(err.matches("help: did you mean `ARM`?").count(), 2, "{err}");
    assert!(err.contains("help: did you mean `art4`?"), "{err}");
}

#[test]
fn a_case_that_names_an_act_which_opened_no_case() {
    let r = root().join("crates/casus-lang/tests/corpus/record/opens-no-case.acts");
    let out = casus(&["check", &base_treaty(), r.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("error[E0028]: act `aaa_statement` opened no case: it is a `statement`, and no duty is triggered by a `statement`"), "{err}");
    assert!(
        err.contains("error[E0028]: act `bbb_consult` opened no case: this `request` lacks the object `assistance` that duty `assist` is triggered by"),
        "{err}"
    );
    assert!(err.contains("error[E0019]: unknown case `ccc_requst`"), "{err}");
}

#[test]
fn one_unknown_organ_gives_one_diagnostic() {
    let r =
        temp("organ.acts", b"2001-01-01 CNL propose text\n  document d1\n  source \"s\"\n\n2001-01-02 AAA transfer\n  document d1\n  to CNX\n  source \"s\"\n");
    let out = casus(&["check", &base_treaty(), r.to_str().expect("path")]);
    let err = stderr(&out);
    assert_eq!(err.matches("CNX").count(), 2, "one diagnostic: its message and its source line: {err}");
    assert!(err.contains("error[E0009]: unknown organ `CNX`") && err.contains("did you mean `CNL`?"), "{err}");
    assert!(err.contains(": 1 error,"), "{err}");
}

#[test]
fn a_huge_junk_file_gives_bounded_output() {
    let line = "@ !! ~ ^^ & %% %% %%\n";
    let lines = (4 << 20) / line.len();
    let junk = temp("junk.acts", line.repeat(lines).as_bytes());
    let out = casus(&["check", &base_treaty(), junk.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.len() < 400_000, "{} bytes of diagnostics", err.len());
    assert_eq!(err.matches("error[E0002]").count(), 1000);
    let more = lines - 1000;
    let more = format!("error[E0029]: {} more diagnostics not shown", casus_lang::count(more, "", "").trim());
    assert!(err.contains(&more), "{more}: {}", &err[err.len() - 400..]);
    // The summary counts every one: one syntax error per line.
    assert!(err.contains(&format!("and 0 acts: {},", casus_lang::count(lines, "error", "errors"))), "{}", &err[err.len() - 400..]);
}

#[test]
fn a_file_over_the_limit_is_refused_unread() {
    let p = temp("huge.acts", b"");
    std::fs::OpenOptions::new().write(true).open(&p).expect("open").set_len(casus_lang::MAX_FILE_BYTES as u64 + 1).expect("sparse file");
    let out = casus(&["check", &base_treaty(), p.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    let said = format!("error[E0025]: the file is {} bytes; the limit is {}", casus_lang::MAX_FILE_BYTES + 1, casus_lang::MAX_FILE_BYTES);
    assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    let out = casus(&["replay", &base_treaty(), p.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_file(&p);
}

/// A record's `expect` blocks are checked with it: a misspelled party in an
/// expectation is an error with its line and column.
#[test]
fn expectations_are_checked_with_their_record() {
    let text = "# R\n```acts\nrecord \"x\"\n  treaty CST\n\n2022-01-01 ARM request assistance\n  id a1\n  under art4\n  to CSC\n  source \"s\"\n```\n\n```expect\non 2022-02-01\n  obligation a1/assist_victim/RUZ is breached\n```\n";
    let record = temp("expect.md", text.as_bytes());
    let out = casus(&["check", "treaties/cst.md", record.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("error[E0077]: unknown party `RUZ`") && err.contains("expect.md:15:31"), "{err}");
}
