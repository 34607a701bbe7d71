//! Conditions on the facts of a case (`only …`): location, a specific
//! adversary, a reading (non-provocation), the number of attackers and a
//! state of war. The shipped examples replay to their verdicts, the
//! explanations say what each condition rests on, and an attack whose place
//! is not recorded leaves the duty undetermined, never silently triggered.

use casus_engine::{ObligationStatus, Query, State, derive};
use casus_model::{Precision, Symbols, Time, Treaty};
use casus_query::{Explanation, explain};
use std::collections::BTreeMap;
use std::path::Path;

fn example(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name)).expect("example file")
}

struct Loaded {
    treaty: Treaty,
    acts: Vec<casus_model::Act>,
    symbols: Symbols,
}

fn load(treaty: &str, record: &str) -> Loaded {
    let mut symbols = Symbols::new();
    let name = if treaty.contains("```casus") { "t.md" } else { "t.casus" };
    let (t, diags) = casus_lang::load_treaty(name, treaty, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, name, treaty));
    let rname = if record.contains("```acts") { "r.md" } else { "r.acts" };
    let (r, diags) = casus_lang::load_record(rname, record, &t, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, rname, record));
    assert!(!r.acts.is_empty(), "no acts read");
    Loaded { treaty: t, acts: r.acts, symbols }
}

fn state(l: &Loaded, at: &str, readings: &[(&str, &str)]) -> State {
    let at = match Time::parse(at).expect("a date") {
        (t, Precision::Day) => t.end_of_day(),
        (t, _) => t,
    };
    let readings: BTreeMap<_, _> = readings.iter().map(|(q, o)| (l.symbols.get(q).expect("question"), l.symbols.get(o).expect("option"))).collect();
    derive(&l.treaty, &l.acts, &Query { at, readings })
}

fn status(l: &Loaded, s: &State, case: &str, duty: &str, debtor: &str) -> ObligationStatus {
    let (case, duty, debtor) = (l.symbols.get(case).expect("case"), l.symbols.get(duty).expect("duty"), l.symbols.get(debtor).expect("debtor"));
    s.cases
        .iter()
        .filter(|c| c.id == case)
        .flat_map(|c| c.obligations.iter())
        .find(|o| o.debtor == debtor && l.treaty.duties[o.duty].id == duty)
        .map(|o| o.status)
        .expect("no such obligation")
}

fn explained(l: &Loaded, s: &State, fact: &str) -> String {
    let e: Explanation = explain(&l.treaty, &l.acts, &l.symbols, s, fact).unwrap_or_else(|| panic!("no explanation of {fact}"));
    format!("{}\n{}", e.statement, e.reasons.join("\n"))
}

const TREATY: &str = r#"treaty T "T"
  in-force 2000-01-01

party A "Aland"
  joins 2000-01-01 source "s"
party B "Borduria"
  joins 2000-01-01 source "s"
state Z "Zembla"
state Y "Yland"

region north "the North"
region south "the South"
region area "the Area"
  includes north

duty defend "Defence in the Area"
  on       attack against $victim by $attacker
  only     in area
  owed by  every party except $victim
  owed to  $victim
  does     assistance to $victim
  within   7 days
"#;

#[test]
fn an_attack_is_in_the_area_outside_it_or_nowhere_recorded() {
    let record = "2001-01-01 Z attack\n  id in_area\n  against A\n  in north\n  source \"s\"\n\n2001-02-01 Z attack\n  id outside\n  against A\n  in south\n  source \"s\"\n\n2001-03-01 Z attack\n  id nowhere\n  against A\n  source \"s\"\n";
    let l = load(TREATY, record);
    let s = state(&l, "2001-03-31", &[]);
    // In a region the area includes: triggered (and, unassisted, breached).
    assert_eq!(status(&l, &s, "in_area", "defend", "B"), ObligationStatus::Breached);
    // Outside it: not triggered.
    assert_eq!(status(&l, &s, "outside", "defend", "B"), ObligationStatus::NotTriggered);
    // No place recorded: undetermined, never silently triggered or not.
    assert_eq!(status(&l, &s, "nowhere", "defend", "B"), ObligationStatus::Undetermined);
    let why = explained(&l, &s, "obligation/nowhere/defend/B");
    assert!(why.contains("the record does not say where this one took place"), "{why}");
    assert!(why.contains("depends on where"), "{why}");
    let why = explained(&l, &s, "obligation/outside/defend/B");
    assert!(why.contains("the record places act outside (1 February 2001) in the South, which lies outside it"), "{why}");
    let why = explained(&l, &s, "obligation/in_area/defend/B");
    assert!(why.contains("in the North, which lies in it"), "{why}");
}

#[test]
fn the_place_may_come_from_an_act_that_met_a_condition() {
    let treaty = format!(
        "{}\norgan C \"Council\"\n  seats every party\n  decides as recorded\n\nduty consult \"Consultation\"\n  on       request consultation by $party\n  needs    determination attack about $party by C\n  only     in area\n  owed by  every party except $party\n  owed to  $party\n  does     session about $party\n  within   7 days\n",
        TREATY
    );
    let record = "2001-01-01 A request consultation\n  id ask\n  source \"s\"\n\n2001-01-03 C determination attack\n  about A\n  in north\n  source \"s\"\n";
    let l = load(&treaty, record);
    let s = state(&l, "2001-01-05", &[]);
    assert_eq!(status(&l, &s, "ask", "consult", "B"), ObligationStatus::Pending);
}

#[test]
fn the_anglo_polish_agreement_binds_against_germany_only() {
    let l = load(&example("anglo-polish-1939.md"), &example("anglo-polish-1939-record.md"));
    let s = state(&l, "1939-09-30", &[]);
    assert_eq!(status(&l, &s, "de_invades_pl_1939_09_01", "assist_against_germany", "GBR"), ObligationStatus::Fulfilled);
    assert_eq!(status(&l, &s, "su_invades_pl_1939_09_17", "assist_against_germany", "GBR"), ObligationStatus::NotTriggered);
    let why = explained(&l, &s, "obligation/su_invades_pl_1939_09_17/assist_against_germany/GBR");
    assert!(why.contains("The duty holds only if the attacker is Germany: it is the Soviet Union. So the duty is not triggered."), "{why}");
    // Non-provocation is a reading; the explanation shows the other one.
    let why = explained(&l, &s, "obligation/de_invades_pl_1939_09_01/assist_against_germany/GBR");
    assert!(why.contains("The duty arises only under the reading \"Yes: the attacker's aggression (the parties' view)\""), "{why}");
    assert!(why.contains("not triggered if \"No: the party attacked provoked them (the attacker's claim)\""), "{why}");
    let provoked = state(&l, "1939-09-30", &[("aggression", "provoked")]);
    assert_eq!(status(&l, &provoked, "de_invades_pl_1939_09_01", "assist_against_germany", "GBR"), ObligationStatus::NotTriggered);
    let a_day = state(&l, "1939-09-30", &[("at_once", "one_day")]);
    assert_eq!(status(&l, &a_day, "de_invades_pl_1939_09_01", "assist_against_germany", "GBR"), ObligationStatus::Breached);
}

#[test]
fn attackers_are_counted_and_wars_hold_until_they_end() {
    let l = load(&example("exercise-conditions.md"), &example("exercise-conditions-record.md"));
    // One attacker on 2 March; the second, Eskaria, on 4 March.
    let early = state(&l, "2031-03-02", &[]);
    assert_eq!(status(&l, &early, "drn_attacks_ald", "join_war", "BRV"), ObligationStatus::NotTriggered);
    let why = explained(&l, &early, "obligation/drn_attacks_ald/join_war/BRV");
    assert!(why.contains("is attacked by 2 or more states: by 2 March 2031 the record shows 1 (Dornland (fictional))"), "{why}");
    let s = state(&l, "2031-03-31", &[]);
    assert_eq!(status(&l, &s, "drn_attacks_ald", "join_war", "BRV"), ObligationStatus::Fulfilled);
    assert_eq!(status(&l, &s, "drn_attacks_ald", "join_war", "CSL"), ObligationStatus::Breached);
    // Eskaria's attack: Dornland was already at war with Aldoria.
    assert_eq!(status(&l, &s, "esk_attacks_ald", "join_war", "CSL"), ObligationStatus::Breached);
    let s = state(&l, "2031-07-31", &[]);
    assert_eq!(status(&l, &s, "ald_request_april", "supply", "BRV"), ObligationStatus::Fulfilled);
    assert_eq!(status(&l, &s, "ald_request_june", "supply", "BRV"), ObligationStatus::NotTriggered);
    let why = explained(&l, &s, "obligation/ald_request_june/supply/BRV");
    assert!(why.contains("but that war did not hold when the duty was engaged"), "{why}");
    assert_eq!(status(&l, &s, "brv_offensive", "join_offensive", "ALD"), ObligationStatus::Fulfilled);
    assert_eq!(status(&l, &s, "brv_offensive", "join_offensive", "CSL"), ObligationStatus::Breached);
}

#[test]
fn a_war_of_the_triggers_day_is_unknown() {
    let treaty = format!(
        "{}\nduty supply \"Supplies\"\n  on       request assistance by $party\n  only     $party at war with Z\n  owed by  every party except $party\n  owed to  $party\n  does     assistance to $party\n  within   7 days\n",
        TREATY
    );
    // The war and the request on the same day, neither timed: which came
    // first is not known.
    let record = "2001-01-01 Z war\n  against A\n  source \"s\"\n\n2001-01-01 A request assistance\n  id ask\n  source \"s\"\n\n2001-01-01T10:00 A request assistance\n  id timed\n  source \"s\"\n";
    let l = load(&treaty, record);
    let s = state(&l, "2001-01-03", &[]);
    assert_eq!(status(&l, &s, "ask", "supply", "B"), ObligationStatus::Undetermined);
    let why = explained(&l, &s, "obligation/ask/supply/B");
    assert!(why.contains("depends on a time the record does not give"), "{why}");
}

const JOINT: &str = r#"treaty T "T"
  in-force 2000-01-01

party A "Aland"
  joins 2000-01-01 source "s"
party B "Borduria"
  joins 2000-01-01 source "s"
party C "Carpania"
  joins 2000-01-01 source "s"
party D "Dorsetia"
  joins 2000-01-01 source "s"
state Z "Zembla"

duty consult "Consultation"
  on       request consultation by $party
  owed by  every party except $party
  owed to  $party
  does     session about $party by $debtor
  within   7 days
"#;

#[test]
fn about_takes_a_list_and_each_value_counts() {
    // One session about A and C performs the duty owed to C as well as A.
    let record = "2001-01-01 C request consultation\n  id ask\n  source \"s\"\n\n2001-01-02 B session\n  about A C\n  source \"s\"\n";
    let l = load(JOINT, record);
    let s = state(&l, "2001-01-03", &[]);
    assert_eq!(status(&l, &s, "ask", "consult", "B"), ObligationStatus::Fulfilled);
    assert_eq!(status(&l, &s, "ask", "consult", "A"), ObligationStatus::Pending);
    let why = explained(&l, &s, "obligation/ask/consult/B");
    assert!(why.contains("about Aland and Carpania"), "{why}");
}

#[test]
fn support_and_opposition_are_counted_apart_from_performance() {
    // B and D support (D twice: counted once; D with B jointly); Z, a third
    // state, opposes. Nobody performs.
    let record = "2001-01-01 C request consultation\n  id ask\n  source \"s\"\n\n2001-01-02 B statement support\n  case ask\n  from D\n  source \"s\"\n\n2001-01-03 D statement support\n  case ask\n  source \"s\"\n\n2001-01-03 Z statement opposition\n  case ask\n  source \"s\"\n";
    let l = load(JOINT, record);
    let s = state(&l, "2001-01-31", &[]);
    assert_eq!(status(&l, &s, "ask", "consult", "B"), ObligationStatus::Breached);
    let why = explained(&l, &s, "case/ask");
    // Zembla owes nothing: its opposition is named, not counted.
    assert!(why.contains("support expressed by 2 of 3, opposition by none (and by Zembla, outside that count)"), "{why}");
    // No position recorded: nothing said.
    let l = load(JOINT, "2001-01-01 C request consultation\n  id ask\n  source \"s\"\n");
    let s = state(&l, "2001-01-31", &[]);
    assert!(!explained(&l, &s, "case/ask").contains("support expressed"));
}

const DEMAND_TREATY: &str = r#"treaty T "T"
  in-force 2000-01-01

party A "Aland"
  joins 2000-01-01 source "s"
party B "Borduria"
  joins 2000-01-01 source "s"
state Z "Zembla"
state Y "Yland"

duty assist_after_demand "Assistance once a demand is ignored"
  on       attack against $victim by $attacker
  needs    statement demand to $attacker by $victim
  only     unless statement compliance by $attacker within 10 days
  owed by  every party except $victim
  owed to  $victim
  does     assistance to $victim
  within   7 days
"#;

#[test]
fn a_demand_complied_with_in_time_leaves_the_duty_untriggered_and_one_ignored_makes_it_arise_when_the_time_ends() {
    let record = "2001-01-01 Z attack\n  id by_z\n  against A\n  source \"s\"\n\n2001-01-03 A statement demand\n  to Z\n  source \"s\"\n\n2001-01-05 Z statement compliance\n  source \"s\"\n\n\
2001-02-01 Y attack\n  id by_y\n  against A\n  source \"s\"\n\n2001-02-02 A statement demand\n  to Y\n  source \"s\"\n\n2001-02-20 Y statement compliance\n  source \"s\"\n";
    let l = load(DEMAND_TREATY, record);
    let s = state(&l, "2001-03-31", &[]);
    assert_eq!(status(&l, &s, "by_z", "assist_after_demand", "B"), ObligationStatus::NotTriggered);
    assert_eq!(status(&l, &s, "by_y", "assist_after_demand", "B"), ObligationStatus::Breached);
    // The ten days run from the demand (2 February), not the attack; the
    // duty arises when they end, and its seven days run from there.
    let y = l.symbols.get("by_y").expect("case");
    let ob = s.cases.iter().filter(|c| c.id == y).flat_map(|c| c.obligations.iter()).next().expect("obligation");
    let end_of = |d: &str| Time::parse(d).expect("date").0.end_of_day();
    assert_eq!((ob.arose, ob.deadline), (Some(end_of("2001-02-12")), Some(end_of("2001-02-19"))));
    let why = explained(&l, &s, "obligation/by_z/assist_after_demand/B");
    assert!(why.contains("The demand: on 3 January 2001, Aland"), "{why}");
    assert!(why.contains("was due by 13 January 2001, and it came in time: on 5 January 2001, Zembla"), "{why}");
    assert!(why.contains("So the duty is not triggered."), "{why}");
    let why = explained(&l, &s, "obligation/by_y/assist_after_demand/B");
    assert!(why.contains("was due by 12 February 2001, and it came only after that: on 20 February 2001, Yland"), "{why}");
    assert!(why.contains("So the duty arose when the time for compliance ended."), "{why}");
    // Before the ten days end, and with no compliance yet: undetermined.
    let early = state(&l, "2001-02-05", &[]);
    assert_eq!(status(&l, &early, "by_y", "assist_after_demand", "B"), ObligationStatus::Undetermined);
    let why = explained(&l, &early, "obligation/by_y/assist_after_demand/B");
    assert!(why.contains("none is recorded by 5 February 2001, and the time for it had not yet run out"), "{why}");
}

#[test]
fn the_exercise_demands_replay_to_their_verdicts() {
    let l = load(&example("exercise-conditions.md"), &example("exercise-conditions-record.md"));
    let s = state(&l, "2031-10-31", &[]);
    assert_eq!(status(&l, &s, "csl_demand_drn", "enforce_demand", "BRV"), ObligationStatus::NotTriggered);
    assert_eq!(status(&l, &s, "csl_demand_esk", "enforce_demand", "BRV"), ObligationStatus::Fulfilled);
    assert_eq!(status(&l, &s, "csl_demand_esk", "enforce_demand", "ALD"), ObligationStatus::Breached);
    assert_eq!(status(&l, &s, "ald_demand_frm", "enforce_demand", "BRV"), ObligationStatus::Undetermined);
    let why = explained(&l, &s, "obligation/ald_demand_frm/enforce_demand/BRV");
    assert!(why.contains("was due by 11 October 2031, 12:00:59 UTC, and the record dates the compliance only to a day that contains that time"), "{why}");
    assert!(why.contains("So whether it came in time is unknown, and the verdict is undetermined."), "{why}");
}
