//! The casus engine: a pure function from (treaty, acts, a date,
//! readings) to the normative state on that date. The report and the
//! explanation of every derived fact, the wire types the front ends send,
//! are built from that state in `casus-query`.
//!
//! Architecture invariant: no IO, no clock, no randomness, no hash-order
//! iteration in anything that reaches the output. The same inputs give
//! byte-identical output. Bitemporal queries ("as known at") are answered by
//! the caller passing only the acts recorded by then.

mod derive;
mod documents;
mod fxhash;
/// Matching an act against a rule's pattern; the explanations (in
/// `casus-query`) match again to cite the act that answered a pattern.
pub mod matcher;
mod status;

pub use derive::{CaseState, ChairState, ConditionOutcome, DutyInstance, ObligationState, ObligationStatus, PartyState, Performance, State, derive};
pub use documents::{Basis, DocumentState, DocumentStatus, NoEffect, Position, Section, Tally, position_of, status_of};

use casus_model::{Sym, Time, Treaty};
use std::collections::BTreeMap;

/// What to derive: the state at `at` under the chosen readings. Front ends
/// build it from what a user typed with `casus-query`'s `Question`.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub at: Time,
    /// Question → option. Questions not named take their default.
    pub readings: BTreeMap<Sym, Sym>,
}

/// Every combination of options of the treaty's questions, in declaration
/// order of questions and options (the first combination takes each
/// question's first option). At most `limit` combinations.
pub fn all_readings(treaty: &Treaty, limit: usize) -> Vec<BTreeMap<Sym, Sym>> {
    let mut combos: Vec<BTreeMap<Sym, Sym>> = vec![BTreeMap::new()];
    for q in &treaty.questions {
        let mut next = Vec::new();
        for c in &combos {
            for o in &q.options {
                let mut c = c.clone();
                c.insert(q.id, o.id);
                next.push(c);
                if next.len() >= limit {
                    break;
                }
            }
        }
        combos = next;
    }
    combos.truncate(limit);
    combos
}
