//! The data model that the treaty language, the engine and the ledger share.
//!
//! This crate exists so that the engine depends on plain data only, never on
//! the parser: `casus-lang` lowers text into these types, `casus-engine`
//! derives the normative state from them, and `casus-ledger` encodes acts
//! canonically. Nothing here does IO or reads a clock.

pub mod act;
pub mod membership;
pub mod provisions;
pub mod symbol;
pub mod time;
pub mod treaty;
pub mod words;

pub use act::{Act, ActExtra, ActKind, Attestation, DecisionCount, Record, Source, attachment_noun};
pub use membership::MemberStatus;
pub use provisions::{Ending, Provisions, Renewal};
pub use symbol::{Sym, Symbols};
pub use time::{Duration, Known, Precision, Time, When};
pub use treaty::*;

/// A byte range in one source file. `start..end`, UTF-8 offsets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start: start as u32, end: end as u32 }
    }
}
