//! The casus engine: a pure function from (treaty, acts, a date,
//! interpretation choices) to the normative state on that date, with an
//! explanation for every derived fact.
//!
//! Architecture invariant: no IO, no clock, no randomness, no hash-order
//! iteration in anything that reaches the output. The same inputs give
//! byte-identical output. Bitemporal queries ("as known at") are answered by
//! the caller passing only the acts recorded by then.

mod derive;
mod documents;
mod explain;
mod fxhash;
mod matcher;
pub mod report;

pub use derive::{CaseState, ChairState, ConditionOutcome, DutyInstance, ObligationState, ObligationStatus, PartyState, Performance, State, derive};
pub use documents::{Basis, DocumentState, DocumentStatus, NoEffect, Position, Section, Tally, position_of, status_of};
pub use explain::{ActCite, Explanation, ReadingCite, RuleCite, explain};
pub use report::{Report, report};

/// The explanation's parts, for renderers.
pub mod explain_types {
    pub use crate::explain::SourceCite;
}

/// A time as reports print it.
pub fn report_date(t: casus_model::Time) -> String {
    report::date(t)
}

use casus_model::{Sym, Symbols, Time, Treaty};
use std::collections::BTreeMap;

/// What to derive: the state at `at` under the chosen readings.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub at: Time,
    /// Question → option. Questions not named take their default.
    pub readings: BTreeMap<Sym, Sym>,
}

/// An interpretation choice that names no question or option of the treaty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadingError(pub String);

impl std::fmt::Display for ReadingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadingError {}

impl Query {
    /// Builds readings from `QUESTION=OPTION` strings, checked against the treaty.
    pub fn readings_from(treaty: &Treaty, symbols: &Symbols, pairs: &[String]) -> Result<BTreeMap<Sym, Sym>, ReadingError> {
        let mut out = BTreeMap::new();
        for pair in pairs {
            let Some((q, o)) = pair.split_once('=') else {
                return Err(ReadingError(format!("`{pair}` is not QUESTION=OPTION")));
            };
            let question = symbols.get(q.trim()).and_then(|s| treaty.question(s)).ok_or_else(|| {
                let known: Vec<&str> = treaty.questions.iter().map(|q| symbols.name(q.id)).collect();
                ReadingError(format!("unknown question `{}`; the treaty asks: {}", q.trim(), known.join(", ")))
            })?;
            let option = symbols.get(o.trim()).filter(|s| question.options.iter().any(|opt| opt.id == *s)).ok_or_else(|| {
                let known: Vec<&str> = question.options.iter().map(|opt| symbols.name(opt.id)).collect();
                ReadingError(format!("`{}` is not an option of `{}`; options: {}", o.trim(), q.trim(), known.join(", ")))
            })?;
            out.insert(question.id, option);
        }
        Ok(out)
    }
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
