//! Duties not to act (ATOP's neutrality and non-aggression), triggers other
//! than the victim's request (an organ's determination or decision, a
//! party's own invocation, `or` between triggers), and duties with no fixed
//! deadline (`within none`): the shipped examples replay to the verdicts
//! their sources give, and the rules hold on records built to test them.

use casus_engine::{Query, derive};
use casus_model::{Precision, Symbols, Time};
use casus_query::report::{ObligationRow, Report};
use casus_query::{Explanation, explain, report};
use std::path::Path;

fn example(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name)).expect("example file")
}

/// The report on `at` (a date: the end of that day), and the explanation of
/// each fact in `facts`.
fn replay(treaty: &str, record: &str, at: &str, facts: &[&str]) -> (Report, Vec<Explanation>) {
    let mut symbols = Symbols::new();
    // Literate treaties (with ```casus fences) are read as Markdown.
    let name = if treaty.contains("```casus") { "t.md" } else { "t.casus" };
    let (t, diags) = casus_lang::load_treaty(name, treaty, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, name, treaty));
    let (r, diags) = casus_lang::load_record("r.md", record, &t, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, "r.md", record));
    let at = match Time::parse(at).expect("a date") {
        (t, Precision::Day) => t.end_of_day(),
        (t, _) => t,
    };
    let state = derive(&t, &r.acts, &Query { at, readings: Default::default() });
    let rep = report(&t, &r.acts, &symbols, &state);
    let explanations = facts.iter().map(|f| explain(&t, &r.acts, &symbols, &state, f).unwrap_or_else(|| panic!("no explanation of {f}"))).collect();
    (rep, explanations)
}

fn obligation<'a>(rep: &'a Report, case: &str, duty: &str, debtor: &str) -> &'a ObligationRow {
    rep.cases
        .iter()
        .filter(|c| c.id == case)
        .flat_map(|c| c.obligations.iter())
        .find(|o| o.duty == duty && o.debtor == debtor)
        .unwrap_or_else(|| panic!("no obligation {case}/{duty}/{debtor}"))
}

fn text(e: &Explanation) -> String {
    format!("{}\n{}", e.statement, e.reasons.join("\n"))
}

/// Explanations are prose: no rule syntax leaks into them.
fn assert_prose(e: &Explanation) {
    let t = text(e);
    for syntax in ["$", "refrains from", "within none", "owed to ", "on attack", "does "] {
        assert!(!t.contains(syntax), "rule syntax `{syntax}` in: {t}");
    }
}

#[test]
fn non_aggression_is_breached_by_the_attack_and_only_then() {
    let (treaty, record) = (example("non-aggression.md"), example("non-aggression-record.md"));
    // The day before Germany's attack: no case under Article 1.
    let (before, _) = replay(&treaty, &record, "1941-06-21", &[]);
    assert!(!before.cases.iter().any(|c| c.id == "barbarossa_1941_06_22"));
    let (after, ex) = replay(&treaty, &record, "1941-06-22", &["obligation/barbarossa_1941_06_22/non_aggression/DEU", "case/barbarossa_1941_06_22"]);
    let o = obligation(&after, "barbarossa_1941_06_22", "non_aggression", "DEU");
    assert_eq!((o.status.word(), o.creditor.as_str(), o.since.as_str()), ("breached", "SUN", "1941-06-22"));
    assert_eq!(o.breached_by.as_ref().map(|b| b.act.as_str()), Some("barbarossa_1941_06_22"));
    assert_eq!((o.deadline.as_deref(), o.fulfilled_by.as_deref(), o.days_open), (None, None, None));
    // Only Germany, the attacker, is in breach: the Soviet Union attacked no one.
    let case = after.cases.iter().find(|c| c.id == "barbarossa_1941_06_22").expect("case");
    assert_eq!(case.obligations.len(), 1, "{:?}", case.obligations);
    let e = &ex[0];
    assert!(e.statement.contains("is breached since 22 June 1941"), "{}", e.statement);
    assert!(text(e).contains("Germany did what the duty forbids"), "{}", text(e));
    assert!(text(e).contains("at all times"), "{}", text(e));
    assert_prose(e);
    assert!(ex[1].statement.contains("1 breached"), "{}", ex[1].statement);
}

#[test]
fn neutrality_is_kept_while_nothing_it_forbids_is_recorded() {
    let (treaty, record) = (example("non-aggression.md"), example("non-aggression-record.md"));
    let (rep, ex) = replay(&treaty, &record, "1941-06-21", &["obligation/raf_raid_1939_09_04/neutrality/SUN"]);
    let o = obligation(&rep, "raf_raid_1939_09_04", "neutrality", "SUN");
    assert_eq!((o.status.word(), o.creditor.as_str(), o.deadline.as_deref()), ("pending", "DEU", None));
    // From the end of 4 September 1939 to the end of 21 June 1941.
    assert_eq!(o.days_open, Some(656));
    let t = text(&ex[0]);
    assert!(t.contains("kept for 656 days"), "{t}");
    assert!(t.contains("no end is fixed"), "{t}");
    assert_prose(&ex[0]);
    // The attacker owes nothing to its victim under Article 2: the United
    // Kingdom is no party, and Germany's own attack engages no neutrality.
    let (after, _) = replay(&treaty, &record, "1941-06-22", &[]);
    assert!(after.cases.iter().flat_map(|c| &c.obligations).all(|o| o.debtor != "GBR"));
    assert!(!after.cases.iter().filter(|c| c.id == "barbarossa_1941_06_22").flat_map(|c| &c.obligations).any(|o| o.duty == "neutrality"));
}

/// The example treaty with acts appended to its record.
fn with_acts(record: &str, acts: &str) -> String {
    format!("{record}\n```acts\n{acts}```\n")
}

#[test]
fn neutrality_is_breached_by_support_for_the_attacker() {
    let (treaty, record) = (example("non-aggression.md"), example("non-aggression-record.md"));
    let extra = "1939-10-01 SUN assistance\n  id       sun_helps_gbr\n  to       GBR\n  source   \"test\"\n";
    let (rep, ex) = replay(&treaty, &with_acts(&record, extra), "1939-12-31", &["obligation/raf_raid_1939_09_04/neutrality/SUN"]);
    let o = obligation(&rep, "raf_raid_1939_09_04", "neutrality", "SUN");
    assert_eq!((o.status.word(), o.since.as_str()), ("breached", "1939-10-01"));
    assert_eq!(o.breached_by.as_ref().map(|b| b.act.as_str()), Some("sun_helps_gbr"));
    assert!(text(&ex[0]).contains("did what the duty forbids while it was in force"), "{}", text(&ex[0]));
    assert_prose(&ex[0]);
    // Support given before the attack breaches nothing.
    let early = "1939-09-01 SUN assistance\n  to       GBR\n  source   \"test\"\n";
    let record_early = record.replacen("## 4 September 1939", &format!("```acts\n{early}```\n\n## 4 September 1939"), 1);
    let (rep, _) = replay(&treaty, &record_early, "1939-12-31", &[]);
    assert_eq!(obligation(&rep, "raf_raid_1939_09_04", "neutrality", "SUN").status, "pending");
}

#[test]
fn an_attack_on_a_state_that_is_no_party_breaches_no_non_aggression() {
    let (treaty, record) = (example("non-aggression.md"), example("non-aggression-record.md"));
    let extra = "1940-05-10 DEU attack\n  id       deu_attacks_gbr\n  against  GBR\n  source   \"test\"\n";
    let (rep, _) = replay(&treaty, &with_acts(&record, extra), "1940-12-31", &[]);
    assert!(rep.cases.iter().filter(|c| c.id == "deu_attacks_gbr").all(|c| c.obligations.is_empty()), "{:?}", rep.cases);
}

const LIMITED: &str = "treaty T \"T\"\n  in-force 2000-01-01\n\nparty AAA \"Aland\"\n  joins 2000-01-01 source \"s\"\n\nparty BBB \"Borduria\"\n  joins 2000-01-01 source \"s\"\n\nparty CCC \"Carpania\"\n  joins 2000-01-01 source \"s\"\n\nstate XXX \"Xandia\"\n\nduty neutral \"Neutrality for thirty days\"\n  on       attack against $victim by $attacker\n  owed by  every party except $victim\n  owed to  $victim\n  refrains from assistance to $attacker\n  within   30 days\n";

fn limited_record(acts: &str) -> String {
    format!("```acts\nrecord \"r\"\n  treaty T\n\n2001-03-01 XXX attack\n  id       x_attacks\n  against  AAA\n  source   \"s\"\n\n{acts}```\n")
}

#[test]
fn a_duty_to_refrain_for_a_time_is_fulfilled_at_its_end() {
    // No forbidden act: pending until the end of 31 March, fulfilled after.
    let (rep, _) = replay(LIMITED, &limited_record(""), "2001-03-31", &[]);
    assert_eq!(obligation(&rep, "x_attacks", "neutral", "BBB").status, "pending");
    let (rep, ex) = replay(LIMITED, &limited_record(""), "2001-04-01", &["obligation/x_attacks/neutral/BBB"]);
    let o = obligation(&rep, "x_attacks", "neutral", "BBB");
    assert_eq!((o.status.word(), o.since.as_str()), ("fulfilled", "2001-04-01"));
    assert!(text(&ex[0]).contains("until it ended on 31 March 2001"), "{}", text(&ex[0]));
    // Support after the end breaches nothing; support on the last day,
    // dated only to the day, is in time (the end is that day's last second).
    let acts = "2001-04-02 BBB assistance\n  to       XXX\n  source   \"s\"\n\n2001-03-31 CCC assistance\n  id       ccc_late_march\n  to       XXX\n  source   \"s\"\n";
    let (rep, _) = replay(LIMITED, &limited_record(acts), "2001-06-01", &[]);
    assert_eq!(obligation(&rep, "x_attacks", "neutral", "BBB").status, "fulfilled");
    assert_eq!(obligation(&rep, "x_attacks", "neutral", "CCC").status, "breached");
}

#[test]
fn a_forbidden_act_on_the_day_the_duty_ends_is_undetermined_when_the_duty_ends_within_it() {
    // The attack is timed, so the duty ends at 12:00 on 31 March; an act
    // dated only to that day may have come before or after.
    let record = limited_record("2001-03-31 BBB assistance\n  id       bbb_helps\n  to       XXX\n  source   \"s\"\n")
        .replace("2001-03-01 XXX attack", "2001-03-01T12:00 XXX attack");
    let (rep, ex) = replay(LIMITED, &record, "2001-06-01", &["obligation/x_attacks/neutral/BBB"]);
    let o = obligation(&rep, "x_attacks", "neutral", "BBB");
    assert_eq!(o.status, "undetermined");
    assert_eq!(o.performed_at_unknown_time.as_ref().map(|p| p.act.as_str()), Some("bbb_helps"));
    assert!(text(&ex[0]).contains("depends on the time of day"), "{}", text(&ex[0]));
}

#[test]
fn organs_and_parties_trigger_duties_and_or_joins_triggers() {
    let (treaty, record) = (example("exercise-triggers.md"), example("exercise-triggers-record.md"));
    let (rep, ex) = replay(&treaty, &record, "2030-07-01", &["obligation/csl_asks/consult/ALD", "obligation/ald_invokes/report_measures/ALD"]);
    // The Council's determination engages consultation…
    assert_eq!(obligation(&rep, "threat_brv", "consult", "ALD").status, "fulfilled");
    assert_eq!(obligation(&rep, "threat_brv", "consult", "CSL").status, "breached");
    // …and so does a party's own request, the second trigger.
    assert_eq!(obligation(&rep, "csl_asks", "consult", "BRV").status, "fulfilled");
    assert_eq!(obligation(&rep, "csl_asks", "consult", "ALD").status, "breached");
    assert!(text(&ex[0]).contains("or a request for consultation under Article 2 by a party"), "{}", text(&ex[0]));
    // A case opened by the second trigger is answered like any other.
    let answered = rep.cases.iter().find(|c| c.id == "csl_asks").map(|c| c.responses.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>());
    assert_eq!(answered, Some(vec!["mission"]));
    // The party that invokes self-defence owes the report itself, to the Council.
    let o = obligation(&rep, "ald_invokes", "report_measures", "ALD");
    assert_eq!((o.status.word(), o.creditor.as_str()), ("fulfilled", "VC"));
    assert_eq!(rep.cases.iter().find(|c| c.id == "ald_invokes").map(|c| c.obligations.len()), Some(1));
    assert_prose(&ex[0]);
    assert_prose(&ex[1]);
}

#[test]
fn a_duty_with_no_deadline_stays_open_and_counts_its_days() {
    let (treaty, record) = (example("exercise-triggers.md"), example("exercise-triggers-record.md"));
    for (at, days) in [("2030-07-01", 30), ("2035-06-01", 1826)] {
        let (rep, ex) = replay(&treaty, &record, at, &["obligation/assist_brv/assist/CSL"]);
        let o = obligation(&rep, "assist_brv", "assist", "CSL");
        assert_eq!((o.status.word(), o.deadline.as_deref(), o.days_open), ("pending", None, Some(days)));
        let t = text(&ex[0]);
        assert!(t.contains("never breached by time alone"), "{t}");
        assert!(t.contains(&format!("open for {} days", casus_engine_grouped(days))), "{t}");
        assert_prose(&ex[0]);
        // Performed without a deadline: fulfilled, and no longer counted as open.
        let a = obligation(&rep, "assist_brv", "assist", "ALD");
        assert_eq!((a.status.word(), a.days_open), ("fulfilled", None));
    }
}

/// "1,826".
fn casus_engine_grouped(n: i64) -> String {
    let s = n.to_string();
    if s.len() > 3 { format!("{},{}", &s[..s.len() - 3], &s[s.len() - 3..]) } else { s }
}
