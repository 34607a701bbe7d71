//! Every claim a document's explanation makes agrees with the verdict's
//! data, over synthetic records: each party named as having signed,
//! refused or opted out has that position and act on the sheet, each count
//! stated equals the count on the sheet, and the conclusion's status word
//! is the document's status.

use casus_engine::{DocumentStatus, Position, Query, derive};
use casus_model::{Symbols, Time};
use casus_query::explain;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn document_explanations_agree_with_their_verdicts(parties in 2usize..10, acts in 0usize..2500, seed in any::<u64>(), at_hours in 0i64..6000) {
        let spec = casus_synth::Spec { parties, acts, seed };
        let mut symbols = Symbols::new();
        let (treaty, diags) = casus_lang::load_treaty("s.md", &casus_synth::treaty_text(&spec), &mut symbols);
        prop_assert!(!diags.iter().any(|d| d.is_error()));
        let acts = casus_synth::acts(&spec, &mut symbols);
        let at = Time(Time::from_date(2001, 1, 1).0 + at_hours * 3600);
        let state = derive(&treaty, &acts, &Query { at, readings: Default::default() });
        // Parties are named by their names, acts dated as prose dates them.
        let name = |s| treaty.name_of(s, &symbols).to_string();
        let when = |i: u32| casus_query::report::act_when(&acts[i as usize]);
        for d in &state.documents {
            let id = symbols.name(d.id);
            let e = explain(&treaty, &acts, &symbols, &state, &format!("document/{id}")).expect("every document is explained");
            let conclusion = e.reasons.last().expect("a conclusion");
            let word = match d.status {
                DocumentStatus::Blocked if conclusion.starts_with("So the document is rejected") => "rejected",
                s => s.word(),
            };
            prop_assert!(conclusion.starts_with(&format!("So the document is {word}")), "{conclusion} for {:?}", d.status);
            let stated = format!(" is {} since", d.status.word());
            prop_assert!(e.statement.contains(&stated), "{}", e.statement);
            // Each "P signed on T." line has that position and act.
            for (pos, verb) in [(Position::Signed, "signed"), (Position::Refused, "refused"), (Position::OptedOut, "opted out")] {
                for line in e.reasons.iter().filter(|l| (l.contains(&format!(" {verb} on ")) || l.contains(&format!(" {verb} at "))) && !l.contains("had no effect")) {
                    let row = d.sheet.iter().find(|r| line.starts_with(&format!("{} {verb} ", name(r.0))));
                    prop_assert!(row.is_some_and(|r| r.1 == pos && r.2.is_some_and(|i| line.contains(&when(i)))), "{line} against {:?}", row);
                }
            }
            // Each act said to have had no effect is listed as such.
            for line in e.reasons.iter().filter(|l| l.contains("had no effect")) {
                prop_assert!(d.no_effect.iter().any(|&(i, _)| line.starts_with(&format!("{} ", name(acts[i as usize].actor))) && line.contains(&when(i))), "{}", line);
            }
            prop_assert_eq!(e.reasons.iter().filter(|l| l.contains("had no effect")).count(), d.no_effect.len());
            // "K of N seated members signed" states the sheet's counts.
            if let Some(k) = conclusion.find(" of ").map(|i| &conclusion[..i]).and_then(|head| head.rsplit(['(', ' ']).next()).and_then(|k| k.parse::<usize>().ok())
                && conclusion.contains("seated member")
            {
                let signed = d.sheet.iter().filter(|r| r.1 == Position::Signed).count();
                prop_assert_eq!(k, signed, "{}", conclusion);
                prop_assert!(conclusion.contains(&format!(" of {} seated member", d.sheet.len())), "{}", conclusion);
            }
            // Every blocker is named in the conclusion.
            for &p in &d.blocked_by {
                prop_assert!(conclusion.contains(&name(p)), "{} does not name {}", conclusion, name(p));
            }
            // An adopted document leaves no seat "no position yet", and the
            // old drifted sentence is gone.
            if d.status == DocumentStatus::Adopted {
                prop_assert!(d.sheet.iter().all(|r| r.1 != Position::Pending), "{:?}", d.sheet);
            }
            prop_assert!(!conclusion.contains("every seated member signed"));
        }
    }
}
