//! Obligations against the time of day: an act dated to the day happened at
//! a time of that day the record does not give, so a deadline within that
//! day leaves the verdict undetermined; late performance is a breach, never
//! a fulfilment; and an act dated within a window is judged by the window.

use casus_engine::{Query, derive};
use casus_model::{Precision, Symbols, Time};
use casus_query::{Report, explain, report};

const TREATY: &str = r#"```casus
treaty TST "Test"
  in-force 2000-01-01

party AAA "Aland"
  joins    2000-01-01  source "f"
party BBB "Borduria"
  joins    2000-01-01  source "f"
organ CNL "Council"
  seats    every party
  decides  unanimity
```

## Article 4

> Every other party assists the requesting party within a day.

```casus
duty assist
  on       request assistance under art4 by $x
  owed by  every party except $x
  owed to  $x
  does     assistance to $x
  within   1 day
```

## Article 5

> After the Council finds an attack, every other party deploys within two days.

```casus
duty deploy
  on       request deployment under art5 by $x
  needs    determination attack against $x by CNL
  owed by  every party except $x
  owed to  $x
  does     deployment to $x from $debtor
  within   2 days
```
"#;

/// The report and the explanation of `fact` on `at`, for a record whose
/// acts are `acts` (an `acts` block body).
fn run(acts: &str, at: &str, fact: &str) -> (Report, Vec<String>) {
    let mut symbols = Symbols::new();
    let (t, diags) = casus_lang::load_treaty("t.md", TREATY, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, "t.md", TREATY));
    let record = format!("record \"r\"\n  treaty TST\n\n{acts}");
    let (r, diags) = casus_lang::load_record("r.acts", &record, &t, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, "r.acts", &record));
    let at = match Time::parse(at).expect("a date") {
        (t, Precision::Day) => t.end_of_day(),
        (t, _) => t,
    };
    let state = derive(&t, &r.acts, &Query { at, readings: Default::default() });
    let rep = report(&t, &r.acts, &symbols, &state);
    let why = explain(&t, &r.acts, &symbols, &state, fact).map(|e| e.reasons).unwrap_or_default();
    (rep, why)
}

/// A request at noon (deadline noon the next day) and BBB's assistance on `when`.
fn assisted(when: &str) -> String {
    format!("2001-01-01T12:00:00 AAA request assistance\n  id c1\n  under art4\n  source \"s\"\n\n{when} BBB assistance\n  id help\n  to AAA\n  source \"s\"\n")
}

/// (status, fulfilled_by, performed late, performed at an unknown time) of BBB's duty.
fn verdict(rep: &Report) -> (String, Option<String>, Option<String>, Option<String>) {
    let o = rep.cases[0].obligations.iter().find(|o| o.debtor == "BBB").expect("BBB owes");
    (
        o.status.to_string(),
        o.fulfilled_by.clone(),
        o.performed_late.as_ref().map(|p| format!("{} {}", p.act, p.date)),
        o.performed_at_unknown_time.as_ref().map(|p| format!("{} {}", p.act, p.date)),
    )
}

#[test]
fn assistance_dated_to_the_deadline_day_is_undetermined() {
    let (rep, why) = run(&assisted("2001-01-02"), "2001-02-01", "obligation/c1/assist/BBB");
    assert_eq!(verdict(&rep), ("undetermined".to_string(), None, None, Some("help 2001-01-02".to_string())));
    assert_eq!(rep.cases[0].obligations[0].deadline.as_deref(), Some("2001-01-02T12:00:00Z"));
    let line = why.iter().find(|l| l.contains("time of day")).unwrap_or_else(|| panic!("no line on the time of day in {why:#?}"));
    assert!(line.contains("depends on the time of day of Borduria's act, which the record does not give"), "{line}");
}

#[test]
fn timed_assistance_on_the_deadline_day_is_decided() {
    // On the deadline's second: in time.
    assert_eq!(verdict(&run(&assisted("2001-01-02T12:00:00"), "2001-02-01", "").0).0, "fulfilled");
    // A minute before: in time, whatever the second.
    assert_eq!(verdict(&run(&assisted("2001-01-02T11:59"), "2001-02-01", "").0).0, "fulfilled");
    // The deadline's own minute: some second of 12:00 the record does not give.
    assert_eq!(verdict(&run(&assisted("2001-01-02T12:00"), "2001-02-01", "").0).0, "undetermined");
    // A second after.
    let (rep, _) = run(&assisted("2001-01-02T12:00:01"), "2001-02-01", "");
    assert_eq!(verdict(&rep), ("breached".to_string(), None, Some("help 2001-01-02T12:00:01Z".to_string()), None));
}

#[test]
fn late_performance_is_a_breach_not_a_fulfilment() {
    let (rep, why) = run(&assisted("2001-01-03"), "2001-02-01", "obligation/c1/assist/BBB");
    assert_eq!(verdict(&rep), ("breached".to_string(), None, Some("help 2001-01-03".to_string()), None));
    assert_eq!(rep.cases[0].obligations[0].since, "2001-01-02T12:00:01Z");
    assert!(why.iter().any(|l| l.contains("Borduria performed it late: on 3 January 2001, Borduria gave assistance to Aland (act help")), "{why:#?}");
    assert!(!why.iter().any(|l| l.contains("Fulfilled")), "{why:#?}");
    // The JSON says the same.
    let json = serde_json::to_value(&rep).expect("json");
    let o = &json["cases"][0]["obligations"][0];
    assert_eq!(o["fulfilled_by"], serde_json::Value::Null);
    assert_eq!(o["performed_late"]["act"], "help");
    assert_eq!(o["performed_late"]["date"], "2001-01-03");
}

#[test]
fn a_known_timely_act_decides_over_an_earlier_one_of_unknown_time() {
    let acts = format!("{}\n2001-01-02T08:00:00 BBB assistance\n  id help2\n  to AAA\n  source \"s\"\n", assisted("2001-01-02"));
    let (rep, _) = run(&acts, "2001-02-01", "");
    assert_eq!(verdict(&rep), ("fulfilled".to_string(), Some("help2".to_string()), None, None));
}

#[test]
fn before_the_deadline_day_the_verdict_is_known() {
    // Dated to the trigger's own day: not known to precede the noon request,
    // so it counts, and it is surely before noon the next day.
    assert_eq!(verdict(&run(&assisted("2001-01-01"), "2001-02-01", "").0).0, "fulfilled");
    // Dated to the day before the request: known to precede it, so it does not count.
    let (rep, _) = run(&assisted("2000-12-31"), "2001-02-01", "");
    assert_eq!(verdict(&rep), ("breached".to_string(), None, None, None));
}

#[test]
fn windows_are_judged_by_their_bounds() {
    // Inside the time allowed.
    assert_eq!(verdict(&run(&assisted("between 2001-01-01T13:00 and 2001-01-02T11:00"), "2001-02-01", "").0).0, "fulfilled");
    // Straddling the deadline.
    let (rep, why) = run(&assisted("between 2001-01-02 and 2001-01-04"), "2001-02-01", "obligation/c1/assist/BBB");
    assert_eq!(verdict(&rep), ("undetermined".to_string(), None, None, Some("help between 2001-01-02 and 2001-01-04".to_string())));
    assert!(why.iter().any(|l| l.contains("performed it: between 2 January 2001 and 4 January 2001, Borduria gave assistance")), "{why:#?}");
    // Wholly after it.
    assert_eq!(verdict(&run(&assisted("between 2001-01-03 and 2001-01-04"), "2001-02-01", "").0).0, "breached");
    // `before T`: by noon of the deadline day, though its start is unknown.
    assert_eq!(verdict(&run(&assisted("before 2001-01-02T12:00:00"), "2001-02-01", "").0).0, "fulfilled");
    // A known-late act first, then one dated only `before` a later day: the
    // second is ordered by its last instant but may have been in time.
    let acts = format!("{}\nbefore 2001-01-05 BBB assistance\n  id help_before\n  to AAA\n  source \"s\"\n", assisted("2001-01-03"));
    assert_eq!(verdict(&run(&acts, "2001-02-01", "").0), ("undetermined".to_string(), None, None, Some("help_before before 2001-01-05".to_string())));
    // `before` the request: known to precede the trigger, so it does not count.
    assert_eq!(verdict(&run(&assisted("before 2001-01-01"), "2001-02-01", "").0).0, "breached");
}

/// A day-dated trigger and condition: the deadline is the end of the last
/// day, so an act dated to that day is in time (the day is wholly inside).
#[test]
fn a_deadline_at_the_end_of_a_day_takes_the_whole_day() {
    let acts = "2001-01-01 AAA request deployment\n  id d1\n  under art5\n  source \"s\"\n\n2001-01-02 CNL determination attack\n  against AAA\n  under art5\n  source \"s\"\n\n2001-01-04 BBB deployment\n  to AAA\n  from BBB\n  source \"s\"\n";
    let (rep, _) = run(acts, "2001-02-01", "");
    let o = &rep.cases[0].obligations[0];
    assert_eq!((o.status.word(), o.deadline.as_deref(), o.fulfilled_by.is_some()), ("fulfilled", Some("2001-01-04"), true));
    // Fulfilled since the day of the deployment.
    assert_eq!(o.since, "2001-01-04");
    let late = acts.replace("2001-01-04 BBB", "2001-01-05 BBB");
    let (rep, _) = run(&late, "2001-02-01", "");
    assert_eq!(rep.cases[0].obligations[0].status, "breached");
}

/// Before the deadline passes, a performance of unknown time is still
/// undetermined, and no performance is pending.
#[test]
fn pending_until_the_deadline() {
    let (rep, _) = run("2001-01-01T12:00:00 AAA request assistance\n  id c1\n  under art4\n  source \"s\"\n", "2001-01-02T11:00:00", "");
    assert_eq!(verdict(&rep).0, "pending");
    let (rep, _) = run("2001-01-01T12:00:00 AAA request assistance\n  id c1\n  under art4\n  source \"s\"\n", "2001-01-02T12:00:01", "");
    assert_eq!(verdict(&rep).0, "breached");
}

/// Over synthetic records with a share of acts coarsened to the day: every
/// obligation's status agrees with its performance and with what the acts'
/// dates tell about the deadline, and the report and the explanation say the
/// same (never "fulfilled by" a late act, a named act for every late or
/// undetermined performance).
#[test]
fn status_performance_report_and_explanation_agree() {
    use casus_engine::{ObligationStatus, Performance};
    use casus_model::Known;
    let mut seen = std::collections::BTreeSet::new();
    for seed in 1..=6 {
        let spec = casus_synth::Spec { parties: 6, acts: 3_000, seed };
        let mut symbols = Symbols::new();
        let (t, _) = casus_lang::load_treaty("synthetic.md", &casus_synth::treaty_text(&spec), &mut symbols);
        let mut acts = casus_synth::acts(&spec, &mut symbols);
        let mut rng = casus_synth::Rng::new(seed);
        for a in acts.iter_mut() {
            if rng.below(3) == 0 {
                a.time = a.time.start_of_day();
                a.precision = Precision::Day;
            }
        }
        let at = acts.last().expect("acts").time.end_of_day();
        // Under the default reading and under "the determination triggers".
        let determination: std::collections::BTreeMap<_, _> =
            [(symbols.get("trigger").expect("question"), symbols.get("determination").expect("option"))].into();
        for readings in [Default::default(), determination] {
            let state = derive(&t, &acts, &Query { at, readings });
            let rep = report(&t, &acts, &symbols, &state);
            for (c, rc) in state.cases.iter().zip(&rep.cases) {
                for (o, ro) in c.obligations.iter().zip(&rc.obligations) {
                    seen.insert(o.status.word());
                    assert_eq!(ro.status, o.status.word());
                    let deadline = o.deadline.unwrap_or(Time::MAX);
                    let by = |i: u32| acts[i as usize].when().by(deadline);
                    match (o.status, o.performance) {
                        (ObligationStatus::Fulfilled, Performance::InTime(i)) => {
                            assert_eq!(by(i), Known::Yes)
                        }
                        (ObligationStatus::Undetermined, Performance::Unknown(i)) => {
                            assert_eq!(by(i), Known::Unknown)
                        }
                        (ObligationStatus::Breached, Performance::Late(i)) => {
                            assert!(by(i) == Known::No && at > deadline)
                        }
                        (ObligationStatus::Breached, Performance::None) => assert!(at > deadline),
                        (ObligationStatus::Pending, Performance::None) => assert!(at <= deadline),
                        (ObligationStatus::NotTriggered, Performance::None) => {
                            assert!(o.deadline.is_none())
                        }
                        other => panic!("status and performance disagree: {other:?}"),
                    }
                    assert_eq!(ro.fulfilled_by.is_some(), o.status == ObligationStatus::Fulfilled);
                    assert_eq!(ro.performed_late.is_some(), matches!(o.performance, Performance::Late(_)));
                    assert_eq!(ro.performed_at_unknown_time.is_some(), o.status == ObligationStatus::Undetermined);
                    if matches!(o.performance, Performance::Late(_) | Performance::Unknown(_)) {
                        let e = explain(&t, &acts, &symbols, &state, &ro.fact).expect("explained");
                        assert!(e.statement.contains(o.status.word()), "{}", e.statement);
                        let act = ro.performed_late.as_ref().or(ro.performed_at_unknown_time.as_ref()).expect("named").act.clone();
                        assert!(e.reasons.iter().any(|r| r.contains(&act)), "{:#?}", e.reasons);
                        assert!(!e.reasons.iter().any(|r| r.ends_with("Fulfilled.")), "{:#?}", e.reasons);
                    }
                }
            }
        }
    }
    // The records exercise every status, or the test proves little.
    for word in ["fulfilled", "breached", "pending", "not_triggered", "undetermined"] {
        assert!(seen.contains(word), "no {word} obligation in the synthetic records: {seen:?}");
    }
}
