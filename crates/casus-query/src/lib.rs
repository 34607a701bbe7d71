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
//! - [`FactId`], re-exported: the fact grammar and the `act-N` name. It is
//!   the engine's for now, since the engine's report builds the ids; it
//!   moves here with the report.
//!
//! Named for the first of these: every front end's work starts with a
//! query. The front ends keep argument and HTTP parsing and rendering; the
//! engine stays pure (it never sees a string the user typed, nor a clock).

pub mod book;
pub mod question;

pub use book::{Book, BookError, KnownNames, load_treaty};
pub use casus_engine::{FACT_FORMS, FactId, act_name};
pub use question::{Question, QuestionError, Reading, Resolved, StateKey, format_time, parse_time, system_now, today};
