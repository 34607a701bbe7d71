//! The engine's output depends on nothing but its inputs: not on the run,
//! the thread, the numbering of interned symbols, or hash-map order.

use casus_engine::{Query, derive};
use casus_model::{Symbols, Time};
use casus_query::report;
use proptest::prelude::*;

fn json(spec: &casus_synth::Spec, at_hours: i64, junk: usize, trigger: Option<&str>) -> String {
    let mut symbols = Symbols::new();
    // Shift every symbol's number, so that nothing may depend on them.
    for i in 0..junk {
        symbols.intern(&format!("junk{i}"));
    }
    let (treaty, diags) = casus_lang::load_treaty("s.md", &casus_synth::treaty_text(spec), &mut symbols);
    assert!(!diags.iter().any(|d| d.is_error()));
    let acts = casus_synth::acts(spec, &mut symbols);
    let mut query = Query { at: Time(Time::from_date(2001, 1, 1).0 + at_hours * 3600), readings: Default::default() };
    if let Some(t) = trigger {
        query.readings.insert(symbols.get("trigger").expect("q"), symbols.get(t).expect("o"));
    }
    let state = derive(&treaty, &acts, &query);
    serde_json::to_string(&report(&treaty, &acts, &symbols, &state)).expect("json")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn same_inputs_same_bytes(parties in 2usize..12, acts in 0usize..3000, seed in any::<u64>(), at_hours in 0i64..4000, junk in 1usize..500, det in any::<bool>()) {
        let spec = casus_synth::Spec { parties, acts, seed };
        let trigger = if det { Some("determination") } else { None };
        let a = json(&spec, at_hours, 0, trigger);
        let b = json(&spec, at_hours, junk, trigger);
        prop_assert_eq!(&a, &b);
        let c = std::thread::spawn(move || json(&spec, at_hours, junk / 2, trigger)).join().expect("thread");
        prop_assert_eq!(&a, &c);
    }
}

#[test]
fn later_acts_do_not_change_earlier_states() {
    // The state on a date depends only on the acts up to that date.
    let spec = casus_synth::Spec { parties: 6, acts: 4000, seed: 7 };
    let mut symbols = Symbols::new();
    let (treaty, _) = casus_lang::load_treaty("s.md", &casus_synth::treaty_text(&spec), &mut symbols);
    let acts = casus_synth::acts(&spec, &mut symbols);
    let at = acts[1999].time;
    let q = Query { at, readings: Default::default() };
    let full = derive(&treaty, &acts, &q);
    let cut = derive(&treaty, &acts[..2000], &q);
    assert_eq!(full, cut);
}
