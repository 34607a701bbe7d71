//! Organs seated by exclusion (`seats every party except CODE`) and organs
//! with a lifetime (`until DATE`), through the command line: the shipped
//! example replays to its verdicts, and an act of an organ past its end is
//! reported with its code.

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
