//! Acts by several parties together, and membership known only
//! approximately. A request made `from` other parties engages a duty for
//! every requester (one instance per binding, all in the case named by the
//! act); a pattern `about $x` binds each party an `about` list names. A
//! party whose membership on the trigger date is not known leaves the
//! obligations that depend on it undetermined, with a reason that says what
//! is known. Each test compares the whole list of obligations.

use casus_engine::{Query, derive, explain, report};
use casus_model::{Precision, Symbols, Time};

/// Every obligation of every case on `at`, one line each: fact, creditor,
/// status; and the explanation of `fact`, if given.
fn replay(treaty: &str, record: &str, at: &str, fact: Option<&str>) -> (Vec<String>, String) {
    let mut symbols = Symbols::new();
    let (t, diags) = casus_lang::load_treaty("t.casus", treaty, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, "t.casus", treaty));
    let (r, diags) = casus_lang::load_record("r.acts", record, &t, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, "r.acts", record));
    let at = match Time::parse(at).expect("a date") {
        (t, Precision::Day) => t.end_of_day(),
        (t, _) => t,
    };
    let state = derive(&t, &r.acts, &Query { at, readings: Default::default() });
    let rep = report(&t, &r.acts, &symbols, &state);
    let lines = rep.cases.iter().flat_map(|c| c.obligations.iter().map(|o| format!("{} to {}: {}", o.fact, o.creditor, o.status_text))).collect();
    let text = fact
        .map(|f| {
            let e = explain(&t, &r.acts, &symbols, &state, f).unwrap_or_else(|| panic!("no explanation of {f}"));
            format!("{}\n{}", e.statement, e.reasons.join("\n"))
        })
        .unwrap_or_default();
    (lines, text)
}

const PARTIES: &str = r#"treaty T "T"
  in-force 2000-01-01

party A "Aland"
  joins 2000-01-01 source "s"
party B "Borduria"
  joins 2000-01-01 source "s"
party C "Carpania"
  joins 2000-01-01 source "s"
"#;

const ASSIST: &str = r#"
duty assist "Assistance on request"
  on       request assistance by $party
  owed by  every party except $party
  owed to  $party
  does     assistance to $party
  within   7 days
"#;

#[test]
fn a_joint_request_engages_the_duty_for_every_requester() {
    let treaty = format!("{PARTIES}{ASSIST}");
    let record = "2010-03-01 A request assistance\n  from     B\n  id       joint\n  source   \"s\"\n2010-03-03 C assistance\n  to       A\n  source   \"s\"\n2010-03-20 C assistance\n  to       B\n  source   \"s\"\n";
    let (lines, text) = replay(&treaty, record, "2010-04-01", Some("obligation/joint/assist/C/B"));
    assert_eq!(
        lines,
        [
            "obligation/joint/assist/B to A: breached",
            "obligation/joint/assist/C/A to A: fulfilled",
            "obligation/joint/assist/A to B: breached",
            "obligation/joint/assist/C/B to B: breached",
        ]
    );
    assert!(text.contains("this obligation is the one owed to Borduria"), "{text}");
    assert!(text.contains("Carpania's duty \"Assistance on request\" (assist) to Borduria"), "{text}");
}

#[test]
fn a_request_by_one_party_opens_one_instance_as_before() {
    let treaty = format!("{PARTIES}{ASSIST}");
    let record = "2010-03-01 A request assistance\n  id       alone\n  source   \"s\"\n2010-03-03 C assistance\n  to       A\n  source   \"s\"\n";
    let (lines, _) = replay(&treaty, record, "2010-04-01", None);
    assert_eq!(lines, ["obligation/alone/assist/B to A: breached", "obligation/alone/assist/C to A: fulfilled"]);
}

#[test]
fn about_a_list_binds_each_party_it_names() {
    let treaty = format!(
        "{PARTIES}
duty consult \"Consultation about a threatened party\"
  on       statement threat about $threatened
  owed by  every party except $threatened
  owed to  $threatened
  does     visit to $threatened
  within   7 days
"
    );
    let record = "2010-03-01 C statement threat\n  about    A B\n  id       threat\n  source   \"s\"\n2010-03-02 C visit\n  to       B\n  source   \"s\"\n";
    let (lines, _) = replay(&treaty, record, "2010-04-01", None);
    assert_eq!(
        lines,
        [
            "obligation/threat/consult/B to A: breached",
            "obligation/threat/consult/C/A to A: breached",
            "obligation/threat/consult/A to B: breached",
            "obligation/threat/consult/C/B to B: fulfilled",
        ]
    );
}
