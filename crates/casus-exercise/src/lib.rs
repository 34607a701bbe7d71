//! Live crisis exercises over a casus treaty.
//!
//! Exercise organisers put delegations in a room, each playing one member
//! state, and let the alliance's rules bind them in real time. This crate
//! holds everything about an exercise that needs no IO, clock or network,
//! so that the command line, the server and the tests share one statement
//! of each rule:
//!
//! - [`scenario`]: scenario files (literate Markdown, ```exercise blocks
//!   beside ```acts blocks): the treaty, the starting record, the roles
//!   (delegations, control, observers, evaluators) and the MSEL of injects;
//!   `casus check` reports their diagnostics (E0120–E0139, W0060–W0064).
//! - [`clock`]: the exercise clock, mapping exercise (wall) time to
//!   scenario time: real time, accelerated N times, or paused.
//! - [`note`]: the exercise turn and scenario time every exercise act
//!   carries in its `note`, and the acts read in scenario time.
//! - [`msel`]: the master scenario events list as CSV, the form exercise
//!   staff keep it in.
//! - [`report`]: the after-action report (timeline, decisions and their
//!   blockers, duties against their deadlines under each reading).
#![forbid(unsafe_code)]

pub mod clock;
pub mod msel;
pub mod note;
pub mod report;
pub mod scenario;

pub use clock::Clock;
pub use scenario::{Inject, Role, RoleKind, Scenario};

/// The stable diagnostic codes of scenario files (documented in
/// `docs/DIAGNOSTICS.md`). Never reuse or renumber one.
pub mod codes {
    /// No `exercise` declaration, two of them, or one without a required clause.
    pub const HEADER: &str = "E0120";
    /// A declaration or clause an exercise block does not take.
    pub const UNKNOWN: &str = "E0121";
    /// A clause whose value is not what it takes (a string, date, number, name).
    pub const BAD_VALUE: &str = "E0122";
    /// The treaty or starting record named by the scenario cannot be read or does not load.
    pub const FILE: &str = "E0123";
    /// A delegation for a code that is not a party of the treaty.
    pub const NOT_A_PARTY: &str = "E0124";
    /// A role name or inject id given twice.
    pub const DUPLICATE: &str = "E0125";
    /// An inject names no act of the scenario's acts blocks.
    pub const UNKNOWN_ACT: &str = "E0126";
    /// An inject's `after` names no act of the starting record or the scenario, nor an inject.
    pub const UNKNOWN_CONDITION: &str = "E0127";
    /// No control role: nobody could release the injects.
    pub const NO_CONTROL: &str = "E0128";
    /// Two injects release the same act.
    pub const ACT_TWICE: &str = "E0129";
    /// A clock rate of 0 or over the limit.
    pub const BAD_RATE: &str = "E0130";
    /// An inject's act without a source: injects enter the ledger in record mode, which needs one.
    pub const INJECT_NO_SOURCE: &str = "E0131";
    /// More roles or injects than the limits allow.
    pub const TOO_MANY: &str = "E0132";
    /// A party of the treaty with no delegation (control plays it).
    pub const PARTY_WITHOUT_DELEGATION: &str = "W0060";
    /// An act in the scenario's acts blocks that no inject releases.
    pub const ACT_WITHOUT_INJECT: &str = "W0061";
    /// An inject dated before the exercise starts.
    pub const INJECT_BEFORE_START: &str = "W0062";
    /// A file named `exercise-*` not marked as fiction, or a fiction marked in a file not so named.
    pub const FICTION_MARK: &str = "W0063";
    /// No evaluator role: the after-action report will hold no observations.
    pub const NO_EVALUATOR: &str = "W0064";

    /// Every code, for the documentation test.
    pub const ALL: [&str; 18] = [
        HEADER,
        UNKNOWN,
        BAD_VALUE,
        FILE,
        NOT_A_PARTY,
        DUPLICATE,
        UNKNOWN_ACT,
        UNKNOWN_CONDITION,
        NO_CONTROL,
        ACT_TWICE,
        BAD_RATE,
        INJECT_NO_SOURCE,
        TOO_MANY,
        PARTY_WITHOUT_DELEGATION,
        ACT_WITHOUT_INJECT,
        INJECT_BEFORE_START,
        FICTION_MARK,
        NO_EVALUATOR,
    ];
}
