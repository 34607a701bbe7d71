//! Organs seated by exclusion (`seats every party except CODE`), organs
//! with a lifetime (`until DATE`), organs with a rule per kind of proposal
//! and forums, through the command line: the shipped example replays to its
//! verdicts, an act of an organ past its end is reported with its code, and
//! `whatif`, `blockers` and `explain` use the rule a proposal's kind selects.

use crate::{casus, stderr, stdout};

const TREATY: &str = "examples/exercise-organs.md";
const RECORD: &str = "examples/exercise-organs-record.md";

#[test]
fn the_example_checks_clean_and_passes_its_expectations() {
    let o = casus(&["check", TREATY, RECORD]);
    let out = format!("{}{}", stdout(&o), stderr(&o));
    assert!(o.status.success() && out.contains("0 errors, 0 warnings"), "{out}");
    let o = casus(&["fmt", "--check", TREATY, RECORD]);
    assert!(o.status.success(), "not canonical: {}{}", stdout(&o), stderr(&o));
    let o = casus(&["test", TREATY, RECORD]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn the_excepted_party_has_no_seat() {
    let o = casus(&["replay", TREATY, RECORD, "--at", "2030-03-10", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let doc = v["documents"].as_array().expect("documents").iter().find(|d| d["id"] == "fishing_quota").cloned().expect("fishing_quota");
    assert_eq!(doc["status"], "adopted", "{doc}");
    let text = doc.to_string();
    assert!(text.contains("ALD") && text.contains("BRV") && !text.contains("CSL"), "Castelia is not seated: {text}");
}

#[test]
fn an_act_of_an_organ_past_its_end_is_an_error() {
    let record = std::fs::read_to_string(crate::root().join(RECORD)).expect("record");
    let late = record.replace("2030-04-01 ALD propose", "2031-04-01 ALD propose").replace("2030-04-02 BRV refuse", "2031-04-02 BRV refuse");
    let dir = std::env::temp_dir().join(format!("casus-cli-organs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("late.md");
    std::fs::write(&path, late).expect("write");
    let o = casus(&["check", "--short", TREATY, path.to_str().expect("path")]);
    let out = format!("{}{}", stdout(&o), stderr(&o));
    assert!(!o.status.success() && out.contains("error[E0105]") && out.contains("organ `JC` exists until 2031-01-01"), "{out}");
}

/// The River Council decides procedure by a majority of the members and
/// substance by three quarters of those voting: `whatif` replaces one
/// kind's rule (`ORGAN:KIND=RULE`) or all of them (`ORGAN=RULE`), and a
/// kind the organ has no rule for is refused.
#[test]
fn whatif_replaces_one_kinds_rule_or_all_of_them() {
    let o = casus(&["whatif", TREATY, RECORD, "--at", "2030-05-20", "--rule", "RC:substance=majority of members"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.contains("RC decides a proposal of the kind \"substance\" by vote: a majority of the members"), "{out}");
    assert!(out.contains("document/dredging") && !out.contains("document/convene_rc"), "only the text of substance changes: {out}");
    let o = casus(&["whatif", TREATY, RECORD, "--at", "2030-05-20", "--rule", "RC=unanimity"]);
    let out = stdout(&o);
    assert!(out.contains("every proposal, whatever its kind,") && out.contains("document/convene_rc") && out.contains("document/dredging"), "{out}");
    let o = casus(&["whatif", TREATY, RECORD, "--at", "2030-05-20", "--rule", "RC:budget=unanimity"]);
    assert!(!o.status.success() && stderr(&o).contains("no rule for proposals of kind `budget`"), "{}", stderr(&o));
}

/// `blockers` searches under the rule the proposal's kind selects: under
/// three quarters of those voting, Castelia's vote alone decides.
#[test]
fn blockers_search_under_the_kinds_rule() {
    let o = casus(&["blockers", TREATY, RECORD, "document/dredging", "--at", "2030-05-20"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.contains("if Castelia (fictional) had voted yes, the text would be adopted"), "{out}");
}

/// The forum's statement is its participants' support, and the
/// explanation names the forum with them.
#[test]
fn a_forums_statement_is_named_with_its_participants() {
    let o = casus(&["explain", TREATY, RECORD, "case/csl_flood", "--at", "2030-07-15"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.contains("the Valleys Summit (fictional) (a forum of Aldoria (fictional), Borvania (fictional), Castelia (fictional) and Deltania (fictional)) stated support"), "{out}");
    assert!(out.contains("support expressed by 2 of 2"), "{out}");
}

/// `casus test --coverage` lists each of an organ's rules apart, so a
/// rule for one kind of proposal that no expectation reaches shows.
#[test]
fn coverage_lists_each_kinds_rule() {
    let o = casus(&["test", "--coverage", TREATY, RECORD]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    for line in [
        "organ RC (unanimity by signature): 1 expectation; verdicts seen: pending",
        "organ RC for procedure (vote: a majority of the members; abstentions are not counted): 1 expectation; verdicts seen: adopted",
        "organ RC for substance (vote: 3/4 of those voting; abstentions are not counted): 1 expectation; verdicts seen: blocked",
    ] {
        assert!(out.contains(line), "no `{line}` in:\n{out}");
    }
}
