//! Organs with a rule for each kind of proposal (`decides RULE for KIND`,
//! `kind KIND` on a proposal or transfer), and forums whose statements are
//! their participants' positions. Each test compares the engine's whole
//! result for the documents or the case (JSON, or the explanation's lines)
//! with a snapshot.

use casus_engine::{Query, derive};
use casus_model::{Symbols, Time};
use casus_query::{explain, report};

const TREATY: &str = r#"
```casus
treaty KND "Kinds Treaty"
  in-force 2000-01-01

party AAA "Aland"
  joins    2000-01-01  source "fixture"
party BBB "Borduria"
  joins    2000-01-01  source "fixture"
party CCC "Carpania"
  joins    2000-01-01  source "fixture"

state ZZZ "Zembla"

organ CNL "Council"
  seats    every party
  decides  unanimity
  decides  majority of members for procedure
  decides  3/4 of voting for substance
  quorum   3

organ ASM "Assembly"
  seats    every party
  decides  majority of members for procedure
  decides  by silence for routine

forum SUM "Summit"
  participants AAA BBB ZZZ
```

## Article 2

> Each Party shall consult a Party that asks.

```casus
duty consult
  on       request consultation under art2 by $party
  owed by  every party except $party
  owed to  $party
  does     session about $party
  within   30 days
```
"#;

/// The state on `at`, with the report's documents as JSON and the
/// explanation of `fact`, if asked.
fn run(record: &str, at: &str, fact: Option<&str>) -> (String, Vec<String>) {
    let mut symbols = Symbols::new();
    let (t, diags) = casus_lang::load_treaty("t.md", TREATY, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, "t.md", TREATY));
    let (r, diags) = casus_lang::load_record("r.acts", record, &t, &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()), "{}", casus_lang::render(&diags, "r.acts", record));
    let (at, _) = Time::parse(at).expect("a date");
    let state = derive(&t, &r.acts, &Query { at: at.end_of_day(), readings: Default::default() });
    let rep = report(&t, &r.acts, &symbols, &state);
    let docs = serde_json::to_string_pretty(&rep.documents).expect("json");
    let lines = fact.map(|f| {
        let e = explain(&t, &r.acts, &symbols, &state, f).expect("the fact");
        std::iter::once(e.statement).chain(e.reasons).collect()
    });
    (docs, lines.unwrap_or_default())
}

/// Three proposals to the Council with the same ballots (two yes, one no).
fn three_votes(doc: &str, kind: &str) -> String {
    let kind = if kind.is_empty() { String::new() } else { format!("  kind {kind}\n") };
    let mut r = format!("2001-01-01 AAA propose\n  document {doc}\n  to CNL\n{kind}  end 2001-01-10\n  source \"f\"\n\n");
    for (p, v) in [("AAA", "vote yes"), ("BBB", "vote yes"), ("CCC", "vote no")] {
        r += &format!("2001-01-02 {p} {v}\n  document {doc}\n  source \"f\"\n\n");
    }
    r
}

#[test]
fn the_kind_of_a_proposal_selects_the_organs_rule() {
    // The same ballots: a procedural text is adopted by a majority of the
    // members, a text of substance is blocked (three quarters of three
    // voting is three), and a text of no kind falls under unanimity, where
    // votes are not the positions counted.
    let record = three_votes("convene", "procedure") + &three_votes("treaty_text", "substance") + &three_votes("plain", "");
    let (docs, _) = run(&record, "2001-01-20", None);
    insta::assert_snapshot!(docs);
}

#[test]
fn the_explanation_names_the_rule_and_why_it_applied() {
    let record = three_votes("treaty_text", "substance") + &three_votes("plain", "");
    let (_, lines) = run(&record, "2001-01-20", Some("document/treaty_text"));
    insta::assert_snapshot!("substance", lines.join("\n"));
    let (_, lines) = run(&record, "2001-01-20", Some("document/plain"));
    insta::assert_snapshot!("no_kind", lines.join("\n"));
}

#[test]
fn a_transfer_names_the_kind_the_next_organ_decides() {
    // Put to the Assembly for procedure (a majority of the members), then
    // moved to the Council as substance: each section under its own rule.
    let record = "2001-01-01 AAA propose\n  document moved\n  to ASM\n  kind procedure\n  source \"f\"\n\n\
                  2001-01-02 AAA vote yes\n  document moved\n  source \"f\"\n\n\
                  2001-01-03 ASM transfer\n  document moved\n  to CNL\n  kind substance\n  end 2001-01-10\n  source \"f\"\n\n\
                  2001-01-04 AAA vote yes\n  document moved\n  source \"f\"\n\n\
                  2001-01-04 BBB vote yes\n  document moved\n  source \"f\"\n\n\
                  2001-01-04 CCC vote yes\n  document moved\n  source \"f\"\n\n";
    let (docs, _) = run(record, "2001-01-20", None);
    insta::assert_snapshot!(docs);
}

#[test]
fn a_kind_whose_rule_is_silence_and_silence_named_by_the_proposal() {
    // `routine` is decided by silence in the Assembly: the proposal's end
    // is the expiry, and CCC breaks silence. A `propose silence` is
    // decided by silence whatever its kind.
    let record = "2001-01-01 AAA propose\n  document routine_text\n  to ASM\n  kind routine\n  end 2001-01-10T12:00\n  source \"f\"\n\n\
                  2001-01-05 CCC objection\n  document routine_text\n  source \"f\"\n\n\
                  2001-01-01 AAA propose silence\n  document quiet\n  to CNL\n  kind substance\n  end 2001-01-10T12:00\n  source \"f\"\n\n";
    let (docs, _) = run(record, "2001-01-20", None);
    insta::assert_snapshot!(docs);
}

#[test]
fn a_forum_statement_is_its_participants_position_on_a_case() {
    // CCC asks; AAA and BBB owe it consultation. The Summit's statement of
    // support is made by AAA, BBB and Zembla: counted out of those who owe
    // a duty, it is support by 2 of 2, and Zembla (who owes nothing) is
    // named outside that count.
    let record = "2001-02-01 CCC request consultation\n  id ccc_asks\n  under art2\n  source \"f\"\n\n\
                  2001-02-03 SUM statement support\n  case ccc_asks\n  about CCC\n  source \"f\"\n\n";
    let (_, lines) = run(record, "2001-02-10", Some("case/ccc_asks"));
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn a_decision_known_without_a_proposal_names_its_own_kind() {
    // Only the Council's decision is recorded, with its tally: the rule for
    // procedure is the one the report and the explanation cite.
    let record = "2001-03-01 CNL decision\n  document agenda\n  kind procedure\n  votes 2 1 0\n  source \"f\"\n\n";
    let (docs, lines) = run(record, "2001-03-02", Some("document/agenda"));
    let v: serde_json::Value = serde_json::from_str(&docs).expect("json");
    assert_eq!((v[0]["status"].as_str(), v[0]["kind"].as_str()), (Some("adopted"), Some("procedure")), "{docs}");
    assert!(lines.iter().any(|l| l.starts_with("Council (CNL) decides a proposal of the kind \"procedure\" by vote: a majority of the members")), "{lines:?}");
}
