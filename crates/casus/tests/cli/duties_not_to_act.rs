//! Duties not to act, triggers other than a request, and duties with no
//! deadline, through the command line: the shipped examples check clean and
//! replay to their verdicts; misuse is reported with its code.

use crate::{casus, stderr, stdout};

fn obligations(json: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON");
    v["cases"].as_array().expect("cases").iter().flat_map(|c| c["obligations"].as_array().cloned().unwrap_or_default()).collect()
}

fn find<'a>(obs: &'a [serde_json::Value], fact: &str) -> &'a serde_json::Value {
    obs.iter().find(|o| o["fact"] == fact).unwrap_or_else(|| panic!("no {fact} in {obs:?}"))
}

#[test]
fn the_examples_check_clean() {
    for (treaty, record) in
        [("examples/non-aggression.md", "examples/non-aggression-record.md"), ("examples/exercise-triggers.md", "examples/exercise-triggers-record.md")]
    {
        let o = casus(&["check", treaty, record]);
        assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
        let out = format!("{}{}", stdout(&o), stderr(&o));
        assert!(out.contains("0 errors, 0 warnings"), "{out}");
        let o = casus(&["fmt", "--check", treaty, record]);
        assert!(o.status.success(), "not canonical: {}{}", stdout(&o), stderr(&o));
    }
}

#[test]
fn non_aggression_replays_to_germanys_breach() {
    let o = casus(&["replay", "examples/non-aggression.md", "examples/non-aggression-record.md", "--at", "1941-06-22", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let obs = obligations(&stdout(&o));
    let breach = find(&obs, "obligation/barbarossa_1941_06_22/non_aggression/DEU");
    assert_eq!(breach["status"], "breached");
    assert_eq!(breach["breached_by"]["act"], "barbarossa_1941_06_22");
    let neutral = find(&obs, "obligation/raf_raid_1939_09_04/neutrality/SUN");
    assert_eq!(neutral["status"], "pending");
    assert_eq!(neutral["days_open"], 657);
    let o = casus(&[
        "explain",
        "examples/non-aggression.md",
        "examples/non-aggression-record.md",
        "obligation/barbarossa_1941_06_22/non_aggression/DEU",
        "--at",
        "1941-06-22",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Germany did what the duty forbids"), "{}", stdout(&o));
    // An attack's actor is the attacker: it attacked, it did not "report" one.
    assert!(stdout(&o).contains("on 22 June 1941, Germany attacked the Soviet Union (act barbarossa_1941_06_22"), "{}", stdout(&o));
}

#[test]
fn the_triggers_exercise_replays() {
    let o = casus(&["replay", "examples/exercise-triggers.md", "examples/exercise-triggers-record.md", "--at", "2030-07-01", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let obs = obligations(&stdout(&o));
    assert_eq!(find(&obs, "obligation/threat_brv/consult/CSL")["status"], "breached");
    assert_eq!(find(&obs, "obligation/csl_asks/consult/BRV")["status"], "fulfilled");
    assert_eq!(find(&obs, "obligation/ald_invokes/report_measures/ALD")["creditor"], "VC");
    let open = find(&obs, "obligation/assist_brv/assist/CSL");
    assert_eq!((open["status"].as_str(), open["deadline"].is_null(), open["days_open"].as_i64()), (Some("pending"), true, Some(30)));
    // A duty that has a deadline carries no count of open days.
    assert!(find(&obs, "obligation/threat_brv/consult/ALD").get("days_open").is_none());
}

#[test]
fn misuse_is_reported_with_its_code() {
    let o = casus(&["check", "--short", "crates/casus-lang/tests/corpus/treaty/duties-not-to-act.md"]);
    assert!(!o.status.success());
    let out = format!("{}{}", stdout(&o), stderr(&o));
    for code in ["E0080", "E0081", "E0082", "E0083", "E0084"] {
        assert!(out.contains(&format!("error[{code}]")), "{code} missing from: {out}");
    }
}
