//! Analysis over the engine: what would have happened under other acts or
//! other rules (`whatif`), who could have changed an outcome (`blockers`),
//! one row per invocation across treaties (`cases`), and outputs for
//! alliance researchers: a treaty's ATOP coding (`atop`), directed
//! dyad-years (`dyads`), reliability under each reading (`reliability`) and
//! the generated coverage page (`coverage`); every obligation under every
//! reading (`readings`).
//!
//! And the renderings of these for `casus report` and `casus readings`:
//! the invocations (`invocation_report`) and reliability
//! (`reliability_report`) as Markdown or HTML pages in one shell (`page`),
//! and the plain-text table (`text_table`).
//!
//! Pure like the engine: no IO, no clock; the same inputs give the same
//! output. The command line reads the files and prints.

pub mod atop;
pub mod blockers;
pub mod cases;
pub mod coverage;
pub mod dyads;
pub mod invocation_report;
pub mod page;
pub mod readings;
pub mod reliability;
pub mod reliability_report;
pub mod text_table;
pub mod whatif;

pub use blockers::{Blockers, Coalition, Group, blockers};
pub use cases::{CaseRow, Verdict, case_rows, is_assistance_duty, why_no_duty};
pub use readings::{ReadingRow, Readings};
pub use whatif::{Change, FactChange, WhatIf, what_if};
