//! What-if and blockers: the focused what-if agrees with a full derivation
//! on random changes to random records, and the smallest coalitions are
//! right and compactly described.

use casus_analysis::{Change, blockers, what_if};
use casus_engine::{Query, derive};
use casus_model::{Act, ActKind, Precision, Symbols, Time};
use casus_query::report;
use proptest::prelude::*;

fn synthetic(parties: usize, acts: usize, seed: u64) -> (casus_model::Treaty, Vec<Act>, Symbols) {
    let spec = casus_synth::Spec { parties, acts, seed };
    let mut symbols = Symbols::new();
    let (treaty, diags) = casus_lang::load_treaty("s.md", &casus_synth::treaty_text(&spec), &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()));
    let acts = casus_synth::acts(&spec, &mut symbols);
    (treaty, acts, symbols)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn focused_what_if_equals_full_derivation(parties in 3usize..10, n in 50usize..1500, seed in any::<u64>(), pick in any::<u64>(), kind in 0u8..4, det in any::<bool>()) {
        let (treaty, acts, mut symbols) = synthetic(parties, n, seed);
        let at = acts.last().map(|a| a.time).unwrap_or(Time(0));
        let mut query = Query { at, readings: Default::default() };
        if det {
            query.readings.insert(symbols.get("trigger").expect("q"), symbols.get("determination").expect("o"));
        }
        let base = report(&treaty, &acts, &symbols, &derive(&treaty, &acts, &query));
        let victim = symbols.intern(&casus_synth::party_code((pick % parties as u64) as usize));
        let helper = symbols.intern(&casus_synth::party_code(((pick / 7) % parties as u64) as usize));
        let time = acts[(pick as usize) % acts.len()].time;
        let change = match kind {
            0 => Change::Add(Act { time, precision: Precision::Second, actor: helper, kind: ActKind::Assistance, to: victim, sources: Box::new([]), ..Act::default() }),
            1 => Change::Add(Act { time, precision: Precision::Second, actor: victim, kind: ActKind::Request, subject: symbols.intern("assistance"), under: symbols.intern("art5"), to: symbols.intern("COUNCIL"), id: symbols.intern("whatif_case"), ..Act::default() }),
            2 => match acts.iter().filter(|a| a.id.is_some()).nth((pick as usize) % 7) {
                Some(a) => Change::Remove(a.id),
                None => Change::Add(Act { time, precision: Precision::Second, actor: helper, kind: ActKind::Statement, ..Act::default() }),
            },
            _ => match acts.iter().filter(|a| a.kind == ActKind::Propose).nth((pick as usize) % 3) {
                Some(p) => Change::Add(Act { time: Time(p.time.0 + 1), precision: Precision::Second, actor: helper, kind: ActKind::Refuse, document: p.document, ..Act::default() }),
                None => Change::Rule { organ: symbols.intern("COUNCIL"), kind: casus_model::Sym::NONE, rule: casus_model::DecisionRule::Unanimity, said: Default::default() },
            },
        };
        let focused = what_if(&treaty, &acts, &symbols, &query, &base, std::slice::from_ref(&change));
        let (t2, a2) = casus_analysis::whatif::apply(&treaty, &acts, std::slice::from_ref(&change));
        let full = report(&t2, &a2, &symbols, &derive(&t2, &a2, &query));
        prop_assert_eq!(focused.facts, casus_analysis::whatif::diff(&base, &full));
    }
}

const VOTE_TREATY_HEAD: &str =
    "treaty Q \"Qualified majority\"\n  in-force 2000-01-01\n\norgan BIG \"Assembly\"\n  seats    every party\n  decides  2/3 of members\n";

fn vote(yes: usize, no: usize) -> (casus_model::Treaty, Vec<Act>, Symbols) {
    let mut text = VOTE_TREATY_HEAD.to_string();
    for i in 0..32 {
        text.push_str(&format!("\nparty P{i:02} \"P{i:02}\"\n  joins    2000-01-01  source \"f\"\n"));
    }
    let mut record = String::from("2001-01-01 BIG propose\n  document motion\n  to BIG\n  source \"f\"\n\n");
    for i in 0..32 {
        let how = if i < yes {
            "yes"
        } else if i < yes + no {
            "no"
        } else {
            continue;
        };
        record.push_str(&format!("2001-01-02 P{i:02} vote {how}\n  document motion\n  source \"f\"\n\n"));
    }
    let mut symbols = Symbols::new();
    let (treaty, d) = casus_lang::load_treaty("q.casus", &text, &mut symbols);
    assert!(!d.iter().any(|d| d.is_error()), "{d:?}");
    let (rec, d) = casus_lang::load_record("q.acts", &record, &treaty, &mut symbols);
    assert!(!d.iter().any(|d| d.is_error()), "{d:?}");
    (treaty, rec.acts, symbols)
}

#[test]
fn qualified_majority_of_32_coalitions() {
    // 22 of 32 yes: exactly two thirds (22 needed). Any one yes voter
    // switching to no, or abstaining, or not voting, defeats it.
    let (treaty, acts, symbols) = vote(22, 10);
    let state = derive(&treaty, &acts, &Query { at: Time::from_date(2001, 2, 1), readings: Default::default() });
    let b = blockers(&treaty, &acts, &symbols, &state, "document/motion").expect("document");
    assert_eq!(b.verdict, "adopted");
    assert!(b.coalitions.iter().all(|c| c.size == 1));
    assert!(b.coalitions.iter().any(|c| c.description.contains("one of these 22 (P00, P01") && c.outcome == "blocked"), "{:?}", b.coalitions);
    // 11 yes, 21 no: 11 of the no voters (or of no voters and the silent)
    // must switch to yes.
    let (treaty, acts, symbols) = vote(11, 21);
    let state = derive(&treaty, &acts, &Query { at: Time::from_date(2001, 2, 1), readings: Default::default() });
    let b = blockers(&treaty, &acts, &symbols, &state, "document/motion").expect("document");
    assert_eq!(b.verdict, format!("blocked by {} and P31", (11..=30).map(|i| format!("P{i}")).collect::<Vec<_>>().join(", ")));
    assert_eq!(b.coalitions.len(), 1, "{:?}", b.coalitions);
    assert_eq!(b.coalitions[0].size, 11);
    assert!(b.coalitions[0].description.contains("any 11 of these 21"), "{}", b.coalitions[0].description);
}

const AGGRESSOR_TREATY: &str = r#"```casus
treaty TST "Test"
  in-force 2000-01-01

party AAA "Aland"
  joins    2000-01-01  source "f"
party BBB "Borduria"
  joins    2000-01-01  source "f"
party CCC "Carpania"
  joins    2000-01-01  source "f"
state XXX "Xland"

organ CNL "Council"
  seats    every party
  decides  as recorded
```

## Article 4

> Assist against a determined aggressor.

```casus
duty assist
  on       request assistance under art4 by $victim against $aggressor
  needs    determination aggression against $aggressor by CNL
  owed by  every party except $victim
  owed to  $victim
  does     assistance to $victim
  within   7 days
```
"#;

fn loaded(treaty: &str, record: &str) -> (casus_model::Treaty, Vec<Act>, Symbols) {
    let mut symbols = Symbols::new();
    let (t, d) = casus_lang::load_treaty("t.md", treaty, &mut symbols);
    assert!(!d.iter().any(|d| d.is_error()), "{d:?}");
    let (r, d) = casus_lang::load_record("r.md", record, &t, &mut symbols);
    assert!(!d.iter().any(|d| d.is_error()), "{d:?}");
    (t, r.acts, symbols)
}

/// A condition that reaches the case through a party other than the
/// requester (the aggressor) must not be missed by a focused what-if.
#[test]
fn what_if_sees_conditions_on_other_parties() {
    let (treaty, acts, mut symbols) = loaded(
        AGGRESSOR_TREATY,
        r#"```acts
record "r"
  treaty TST

2001-01-01 AAA request assistance
  id c1
  under art4
  against XXX
  source "s"
```
"#,
    );
    let query = Query { at: Time::from_date(2001, 1, 5).end_of_day(), readings: Default::default() };
    let base = report(&treaty, &acts, &symbols, &derive(&treaty, &acts, &query));
    let det = Act {
        time: Time::from_date(2001, 1, 2),
        actor: symbols.intern("CNL"),
        kind: ActKind::Determination,
        subject: symbols.intern("aggression"),
        against: symbols.intern("XXX"),
        ..Act::default()
    };
    let w = what_if(&treaty, &acts, &symbols, &query, &base, &[Change::Add(det)]);
    let changed: Vec<(&str, &str, &str)> = w.facts.iter().map(|f| (f.fact.as_str(), f.before.as_str(), f.after.as_str())).collect();
    assert_eq!(changed, [("obligation/c1/assist/BBB", "not triggered", "pending"), ("obligation/c1/assist/CCC", "not triggered", "pending")]);
}

/// Adding an act must not rename the facts of acts without an id.
#[test]
fn what_if_keeps_the_names_of_unnamed_acts() {
    let (treaty, acts, mut symbols) = loaded(
        AGGRESSOR_TREATY.replace("against $aggressor", "").replace("\n  needs    determination aggression  by CNL", "").as_str(),
        r#"```acts
record "r"
  treaty TST

2001-01-05 AAA request assistance
  under art4
  source "s"
```
"#,
    );
    let query = Query { at: Time::from_date(2001, 1, 10).end_of_day(), readings: Default::default() };
    let base = report(&treaty, &acts, &symbols, &derive(&treaty, &acts, &query));
    let early = Act { time: Time::from_date(2001, 1, 1), actor: symbols.intern("CCC"), kind: ActKind::Statement, ..Act::default() };
    let w = what_if(&treaty, &acts, &symbols, &query, &base, &[Change::Add(early)]);
    assert!(w.facts.is_empty(), "{:?}", w.facts);
}

/// Silence broken by three members before expiry: the verdict names all
/// three, in the order of their acts, and undoing it needs all three.
#[test]
fn blockers_of_silence_broken_by_several_members() {
    let treaty = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../treaties/exercise-silence.md")).expect("treaty");
    let record = r#"```acts
record "r"
  treaty HARBOURS

2030-03-01T09:00:00Z HC propose silence
  document fees
  to HC
  end 2030-03-03T18:00:00Z
  source "s"

2030-03-03T17:00:00Z DRN objection
  document fees
  source "s"

2030-03-03T17:30:00Z ALD amendment
  document fees
  source "s"

2030-03-03T17:59:00Z BRV objection
  document fees
  source "s"
```
"#;
    let (treaty, acts, symbols) = loaded(&treaty, record);
    let at = Time::parse("2030-03-04").expect("date").0;
    let state = derive(&treaty, &acts, &Query { at, readings: Default::default() });
    let b = blockers(&treaty, &acts, &symbols, &state, "document/fees").expect("blockers");
    assert_eq!(b.verdict, "blocked by Durnia (fictional), Aldoria (fictional) and Borvania (fictional)");
    assert_eq!(b.coalitions.len(), 1, "{b:?}");
    assert_eq!(b.coalitions[0].size, 3, "{b:?}");
    assert_eq!(b.coalitions[0].outcome, "adopted");
}

/// A duty fulfilled by an organ's act the debtor took part in: the blocker
/// is its taking part, not "the act" as if it were the debtor's own.
#[test]
fn a_duty_met_by_an_organs_act_is_blocked_by_not_taking_part() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../");
    let treaty = std::fs::read_to_string(format!("{root}treaties/north-atlantic.md")).expect("treaty");
    let record = std::fs::read_to_string(format!("{root}records/nato-2001.md")).expect("record");
    let (t, acts, symbols) = loaded(&treaty, &record);
    let state = casus_engine::derive(&t, &acts, &casus_engine::Query { at: Time::from_date(2002, 1, 1), readings: Default::default() });
    let b = casus_analysis::blockers(&t, &acts, &symbols, &state, "obligation/nac_2001_09_12_art5/assist_attacked/FRA").expect("blockers");
    assert_eq!(b.verdict, "fulfilled", "{b:?}");
    let d = &b.coalitions[0].description;
    assert!(d.contains("if France had not taken part in the act that fulfilled it (the North Atlantic Council's decision on 4 October 2001)"), "{d}");
}
