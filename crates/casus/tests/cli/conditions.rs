//! Conditions on the facts of a case (`only …`) through the command line:
//! the examples check clean and in canonical form, `casus test examples`
//! passes every expectation they state, explanations say what a condition
//! rests on, and misuse is reported with its code.

use crate::{casus, stderr, stdout};

const EXAMPLES: [(&str, &str); 2] =
    [("examples/anglo-polish-1939.md", "examples/anglo-polish-1939-record.md"), ("examples/exercise-conditions.md", "examples/exercise-conditions-record.md")];

#[test]
fn the_condition_examples_check_clean_and_canonical() {
    for (treaty, record) in EXAMPLES {
        let o = casus(&["check", treaty, record]);
        let out = format!("{}{}", stdout(&o), stderr(&o));
        assert!(o.status.success(), "{out}");
        // The one warning: the attack whose place is deliberately unrecorded.
        let expected = if treaty.contains("exercise") { "0 errors, 1 warning" } else { "0 errors, 0 warnings" };
        assert!(out.contains(expected), "{out}");
        let o = casus(&["fmt", "--check", treaty, record]);
        assert!(o.status.success(), "not canonical: {}{}", stdout(&o), stderr(&o));
    }
}

#[test]
fn casus_test_passes_every_example_expectation() {
    let o = casus(&["test", "examples"]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}{}", stderr(&o));
    assert!(text.contains("examples/anglo-polish-1939-record.md: 5 passed, 0 failed"), "{text}");
    assert!(text.contains("examples/exercise-conditions-record.md: 19 passed, 0 failed"), "{text}");
}

#[test]
fn an_unrecorded_place_is_a_question_not_a_verdict() {
    let (treaty, record) = EXAMPLES[1];
    let o = casus(&["explain", treaty, record, "obligation/esk_attacks_ald/defend/BRV", "--at", "2031-03-31"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.contains("is undetermined since"), "{out}");
    assert!(out.contains("the record does not say where this one took place"), "{out}");
    let o = casus(&["check", treaty, record]);
    assert!(stderr(&o).contains("W0050") || stdout(&o).contains("W0050"), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn the_north_atlantic_treatys_article_6_area_is_checked() {
    let o =
        casus(&["explain", "treaties/north-atlantic.md", "records/nato-2001.md", "obligation/nac_2001_09_12_art5/assist_attacked/GBR", "--at", "2001-10-05"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        out.contains("the record places act nac_2001_09_12_art5 (12 September 2001) in the territory of the Parties in North America, which lies in it"),
        "{out}"
    );
}

#[test]
fn misused_conditions_are_reported_with_their_codes() {
    let dir = std::env::temp_dir().join(format!("casus-conditions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("t.casus");
    std::fs::write(
        &path,
        "treaty T \"T\"\n  in-force 2000-01-01\n\nparty A \"A\"\n  joins 2000-01-01 source \"s\"\n\nduty d \"D\"\n  on attack against $v\n  only in nowhere\n  only $v whatever\n  owed by every party except $v\n  owed to $v\n  does assistance to $v\n  within 7 days\n",
    )
    .expect("write");
    let o = casus(&["check", path.to_str().expect("path")]);
    let out = format!("{}{}", stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("E0085") && out.contains("E0086"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}
