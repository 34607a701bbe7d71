//! Acts by several parties together, and membership known only
//! approximately. A request made `from` other parties engages a duty for
//! every requester (one instance per binding, all in the case named by the
//! act); a pattern `about $x` binds each party an `about` list names. A
//! party whose membership on the trigger date is not known leaves the
//! obligations that depend on it undetermined, with a reason that says what
//! is known. Each test compares the whole list of obligations.

use casus_engine::{Query, derive};
use casus_model::{Precision, Symbols, Time};
use casus_query::{explain, report};

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

const APPROXIMATE: &str = r#"treaty T "T"
  in-force 2000-01-01

party A "Aland"
  joins 2000-01-01 source "s"
party K "Kyrgyzstan"
  member on 2010-06-12 source "s"
party L "Lusitania"
  joins by 2005-01-01 source "s"
  leaves after 2008-01-01 source "s"

organ CNL "Council"
  seats    every party
  decides  unanimity
"#;

fn act(date: &str, actor: &str, kind: &str, fields: &[(&str, &str)]) -> String {
    let mut s = format!("{date} {actor} {kind}\n");
    for (f, v) in fields {
        s.push_str(&format!("  {f:<8} {v}\n"));
    }
    s.push_str("  source   \"s\"\n");
    s
}

#[test]
fn a_duty_owed_by_a_party_of_unknown_membership_is_undetermined() {
    let treaty = format!("{APPROXIMATE}{ASSIST}");
    let record = [
        act("2004-06-01", "A", "request assistance", &[("id", "in_2004")]),
        act("2006-03-01", "A", "request assistance", &[("id", "in_2006")]),
        act("2010-06-11", "A", "request assistance", &[("id", "eve")]),
        act("2010-06-13", "A", "request assistance", &[("id", "after")]),
        act("2010-06-14", "K", "assistance", &[("to", "A")]),
    ]
    .concat();
    let (lines, text) = replay(&treaty, &record, "2010-12-31", Some("obligation/eve/assist/K"));
    assert_eq!(
        lines,
        [
            // Before 2005 Lusitania may or may not have joined; Kyrgyzstan's
            // join is not dated at all.
            "obligation/in_2004/assist/K to A: undetermined",
            "obligation/in_2004/assist/L to A: undetermined",
            "obligation/in_2006/assist/K to A: undetermined",
            "obligation/in_2006/assist/L to A: breached",
            "obligation/eve/assist/K to A: undetermined",
            "obligation/eve/assist/L to A: undetermined",
            "obligation/after/assist/K to A: fulfilled",
            "obligation/after/assist/L to A: undetermined",
        ]
    );
    assert!(text.contains("Whether Kyrgyzstan was a party on 11 June 2010 is not known"), "{text}");
    assert!(text.contains("Kyrgyzstan is known to be a party on 12 June 2010; when it joined is not given"), "{text}");
    assert!(text.contains("is undetermined since 11 June 2010"), "{text}");
    assert!(text.contains("every party except Aland that was, or may have been, a member on that date, so by Kyrgyzstan"), "{text}");
}

#[test]
fn a_duty_owed_to_a_party_of_unknown_membership_is_undetermined() {
    let treaty = format!("{APPROXIMATE}{ASSIST}");
    let record = act("2009-01-01", "L", "request assistance", &[("id", "lreq")]);
    let (lines, text) = replay(&treaty, &record, "2009-12-31", Some("obligation/lreq/assist/A"));
    assert_eq!(lines, ["obligation/lreq/assist/A to L: undetermined", "obligation/lreq/assist/K to L: undetermined"]);
    assert!(text.contains("Lusitania left at some time after 1 January 2008; when is not given"), "{text}");
}

#[test]
fn what_is_known_of_a_party_is_its_fact() {
    let treaty = format!("{APPROXIMATE}{ASSIST}");
    let record = act("2001-01-01", "A", "statement", &[]);
    let facts = |at: &str| {
        let mut symbols = Symbols::new();
        let (t, _) = casus_lang::load_treaty("t.casus", &treaty, &mut symbols);
        let (r, _) = casus_lang::load_record("r.acts", &record, &t, &mut symbols);
        let at = Time::parse(at).expect("date").0.end_of_day();
        let state = derive(&t, &r.acts, &Query { at, readings: Default::default() });
        let rep = report(&t, &r.acts, &symbols, &state);
        let parties: Vec<String> = rep.parties.iter().map(|p| format!("{} {} since {}", p.code, p.status, p.since)).collect();
        let k = explain(&t, &r.acts, &symbols, &state, "party/K").map(|e| e.statement).unwrap_or_default();
        (parties, k)
    };
    let (parties, k) = facts("2003-01-01");
    assert_eq!(parties, ["A member since 2000-01-01", "K unknown since 2000-01-01", "L unknown since 2000-01-01"]);
    assert_eq!(k, "Whether Kyrgyzstan (K) is a party on 1 January 2003 is not known, since 1 January 2000.");
    let (parties, k) = facts("2010-06-12");
    assert_eq!(parties, ["A member since 2000-01-01", "K member since 2010-06-12", "L unknown since 2008-01-02"]);
    assert_eq!(k, "Kyrgyzstan (K) is a member on 12 June 2010, since 12 June 2010.");
}

#[test]
fn a_seat_of_unknown_membership_is_not_counted_and_the_reason_says_so() {
    let treaty = format!("{APPROXIMATE}{ASSIST}");
    let record =
        [act("2009-05-01", "CNL", "propose", &[("id", "draft"), ("document", "decl"), ("to", "CNL")]), act("2009-05-02", "A", "sign", &[("document", "decl")])]
            .concat();
    let mut symbols = Symbols::new();
    let (t, _) = casus_lang::load_treaty("t.casus", &treaty, &mut symbols);
    let (r, diags) = casus_lang::load_record("r.acts", &record, &t, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, "r.acts", &record));
    let at = Time::parse("2009-12-31").expect("date").0.end_of_day();
    let state = derive(&t, &r.acts, &Query { at, readings: Default::default() });
    let d = &state.documents[0];
    let code = |s| symbols.get(s).expect("code");
    assert_eq!(d.seat_unknown, [code("K"), code("L")]);
    assert_eq!(d.sheet.iter().map(|(p, _, _)| *p).collect::<Vec<_>>(), [code("A")]);
    let e = explain(&t, &r.acts, &symbols, &state, "document/decl").expect("explained");
    assert!(e.reasons.iter().any(|r| r.contains("do not say whether they were members") && r.contains("Kyrgyzstan and Lusitania")), "{:?}", e.reasons);
}
