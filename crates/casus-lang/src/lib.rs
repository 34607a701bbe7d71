//! The casus treaty language and record format.
//!
//! A treaty file and a record file are literate Markdown; their fenced
//! `casus` and `acts` blocks hold the formal content (see
//! `docs/LANGUAGE.md`). This crate turns text into `casus-model` data plus
//! every diagnostic at once, and rewrites blocks in canonical form. It never
//! panics on input, whatever the bytes.
#![forbid(unsafe_code)]

pub mod diagnostic;
pub mod expect;
pub mod format;
mod lower;
pub mod markdown;
pub mod record;
pub mod sources;
pub mod syntax;
pub mod treaty;

pub use diagnostic::{Diagnostic, Diagnostics, LineIndex, Omitted, Severity, codes, count, did_you_mean, render, render_short, render_to, tally};
pub use expect::load_expectations;
pub use format::format_file;
pub use record::{Featured, load_record, load_record_after, load_record_featured};
pub use treaty::{load_treaty, parse_decision_rule};

/// The largest treaty or record file we read, in bytes: a record of about
/// 650,000 synthetic acts; checking a file costs up to about ten times its
/// size in memory.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// The largest number of acts in one record.
pub const MAX_ACTS: usize = 20_000_000;

/// The diagnostic for a file over `MAX_FILE_BYTES`, if it is.
pub(crate) fn size_limit(len: usize) -> Option<Diagnostic> {
    (len > MAX_FILE_BYTES)
        .then(|| Diagnostic::error(codes::TOO_LARGE, casus_model::Span::new(0, 0), format!("the file is {len} bytes; the limit is {MAX_FILE_BYTES}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn files_over_the_limit_are_refused() {
        assert!(super::size_limit(super::MAX_FILE_BYTES).is_none());
        let d = super::size_limit(super::MAX_FILE_BYTES + 1).expect("over the limit");
        assert_eq!(d.code, "E0025");
    }
}
