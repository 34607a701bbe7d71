//! The casus treaty language and record format.
//!
//! A treaty file and a record file are literate Markdown; their fenced
//! `casus` and `acts` blocks hold the formal content (see
//! `docs/LANGUAGE.md`). This crate turns text into `casus-model` data plus
//! every diagnostic at once, and rewrites blocks in canonical form. It never
//! panics on input, whatever the bytes.

pub mod diagnostic;
pub mod format;
pub mod markdown;
mod lower;
pub mod record;
pub mod syntax;
pub mod treaty;

pub use diagnostic::{codes, render, render_short, Diagnostic, LineIndex, Severity};
pub use format::format_file;
pub use record::load_record;
pub use treaty::load_treaty;

/// The largest treaty or record file we read, in bytes.
pub const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;
/// The largest number of acts in one record.
pub const MAX_ACTS: usize = 20_000_000;
