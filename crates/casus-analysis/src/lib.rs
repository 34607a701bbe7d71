//! Analysis over the engine: what would have happened under other acts or
//! other rules (`whatif`), who could have changed an outcome (`blockers`),
//! and one row per invocation across treaties (`cases`).
//!
//! Pure like the engine: no IO, no clock; the same inputs give the same
//! output. The command line reads the files and prints.

pub mod blockers;
pub mod cases;
pub mod whatif;

pub use blockers::{Blockers, Coalition, Group, blockers};
pub use cases::{CaseRow, Verdict, case_rows, is_assistance_duty, why_no_duty};
pub use whatif::{Change, FactChange, WhatIf, what_if};
