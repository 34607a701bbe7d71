//! The layer between the pure core (model, language, engine, ledger) and
//! the two front ends (the command line and the server). It holds what a
//! front end asks and of what, so that the rules of asking are written
//! once:
//!
//! - [`question`]: the question (`at`, `as_of`, the readings), parsed once
//!   with its limits and errors; "a date means the end of that day";
//!   "today"; the one read of the clock; the key a derived state is cached
//!   under.
//! - [`book`]: the treaty with its acts, from files or from a ledger, loaded
//!   strictly; the names a record knows, for acts added to it.
//! - The wire types, built from the engine's state: the [`report`] (the
//!   state as a document, with every fact's id), the [`explain`]ed fact
//!   (why it holds) and [`FactId`], the fact grammar and the `act-N` name.
//!   Their OpenAPI schemas are derived behind the `openapi` feature, which
//!   only the server turns on.
//! - [`logged`]: when the witnesses' cosignatures prove an act was logged,
//!   beside the date it claims.
//! - [`html`]: HTML escaping, the one rule for every page the front ends
//!   and the analysis crate write.
//!
//! Named for the first of these: every front end's work starts with a
//! query. The front ends keep argument and HTTP parsing and rendering; the
//! engine stays pure (it never sees a string the user typed, nor a clock).

pub mod book;
mod explain;
mod fact;
pub mod html;
pub mod logged;
pub mod question;
pub mod report;

pub use book::{Book, BookError, KnownNames, load_treaty};
pub use explain::{ActCite, Explanation, ReadingCite, RuleCite, SourceCite, act_sentence, capitalise, explain, explain_fact};
pub use fact::{FACT_FORMS, FactId, MAX_FACT_BYTES, act_name};
pub use logged::{LoggedBy, WitnessedTimes};
pub use question::{Question, QuestionError, Reading, Resolved, StateKey, format_time, parse_time, system_now, today};
pub use report::{Report, report};

// The engine's state, as the report and the explanation (moved here whole
// from the engine) name it: `crate::CaseState`, `crate::derive(…)`.
use casus_engine::{CaseState, ConditionOutcome, DocumentState, ObligationState, Performance, Position, Query, Section, Tally, derive};

/// A time as reports print it.
pub fn report_date(t: casus_model::Time) -> String {
    report::date(t)
}
