//! Diagnostics: a stable code, a severity, a span and a message, rendered
//! like rustc's.
//!
//! The type is ours (not a rendering crate's) so that codes and messages are
//! a contract we test with snapshots. Every code is listed, with an example,
//! in `docs/DIAGNOSTICS.md`; `codes::ALL` and that document are kept in step
//! by a test.

use casus_model::Span;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// Text under the carets.
    pub label: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { code, severity: Severity::Error, message: message.into(), span, label: String::new(), help: None }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, span, message) }
    }

    pub fn note(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Note, ..Diagnostic::error(code, span, message) }
    }

    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Stable diagnostic codes. Never reuse or renumber one.
pub mod codes {
    pub const UNTERMINATED_STRING: &str = "E0001";
    pub const UNEXPECTED_CHARACTER: &str = "E0002";
    pub const UNKNOWN_DECLARATION: &str = "E0003";
    pub const UNKNOWN_CLAUSE: &str = "E0004";
    pub const INVALID_DATE: &str = "E0005";
    pub const INVALID_DURATION: &str = "E0006";
    pub const DUPLICATE_ID: &str = "E0007";
    pub const UNKNOWN_PARTY: &str = "E0008";
    pub const UNKNOWN_ORGAN: &str = "E0009";
    pub const UNKNOWN_QUESTION: &str = "E0010";
    pub const UNKNOWN_ACT_KIND: &str = "E0011";
    pub const MALFORMED_CLAUSE: &str = "E0012";
    pub const MISSING_CLAUSE: &str = "E0013";
    pub const UNKNOWN_VERSION: &str = "E0014";
    pub const UNKNOWN_ARTICLE: &str = "E0015";
    pub const UNBOUND_VARIABLE: &str = "E0016";
    pub const NOT_A_MEMBER: &str = "E0017";
    pub const UNKNOWN_DOCUMENT: &str = "E0018";
    pub const UNKNOWN_CASE: &str = "E0019";
    pub const OUT_OF_ORDER: &str = "E0020";
    pub const MISSING_TREATY: &str = "E0021";
    pub const REPEATED_CLAUSE: &str = "E0022";
    pub const STRAY_CONTINUATION: &str = "E0023";
    pub const INVALID_UTF8: &str = "E0024";
    pub const TOO_LARGE: &str = "E0025";
    pub const NO_POWER: &str = "E0026";
    pub const WRONG_TREATY: &str = "E0027";
    pub const TALLY_CONTRADICTS_RULE: &str = "E0040";
    pub const DECISION_COUNT_MISPLACED: &str = "E0041";
    pub const TRIGGER_BINDINGS_DIFFER: &str = "E0080";
    pub const DOES_AND_REFRAINS: &str = "E0081";
    pub const DUTY_TO_ACT_WITHOUT_TRIGGER: &str = "E0082";
    pub const STANDING_DUTY_WITHIN: &str = "E0083";
    pub const REFRAIN_NOT_OWN_ACT: &str = "E0084";
    pub const NO_SOURCE: &str = "W0001";
    pub const NO_RULES: &str = "W0002";
    pub const MIRROR_SOURCE: &str = "W0003";
    pub const OPEN_POINT: &str = "N0001";

    /// Every code with a one-line meaning, in order.
    pub const ALL: &[(&str, &str)] = &[
        (UNTERMINATED_STRING, "a string is not closed before the end of the line"),
        (UNEXPECTED_CHARACTER, "a character that starts no token"),
        (UNKNOWN_DECLARATION, "a head line that starts with no known declaration or act"),
        (UNKNOWN_CLAUSE, "a clause that this declaration does not take"),
        (INVALID_DATE, "a date that is malformed or impossible"),
        (INVALID_DURATION, "a duration or number that is malformed"),
        (DUPLICATE_ID, "an id declared twice"),
        (UNKNOWN_PARTY, "a party or state code the treaty does not declare"),
        (UNKNOWN_ORGAN, "an organ the treaty does not declare"),
        (UNKNOWN_QUESTION, "an interpretation question or option the treaty does not declare"),
        (UNKNOWN_ACT_KIND, "an act kind that does not exist"),
        (MALFORMED_CLAUSE, "a clause whose values have the wrong shape"),
        (MISSING_CLAUSE, "a required clause is missing"),
        (UNKNOWN_VERSION, "a treaty version that is not declared"),
        (UNKNOWN_ARTICLE, "an article that the treaty file has no heading for"),
        (UNBOUND_VARIABLE, "a variable that the trigger does not bind"),
        (NOT_A_MEMBER, "an act that only a member may perform, by a state that is not a member on its date"),
        (UNKNOWN_DOCUMENT, "a document that no earlier act proposed or decided"),
        (UNKNOWN_CASE, "a case that no earlier act opened"),
        (OUT_OF_ORDER, "dated events that are not in date order"),
        (MISSING_TREATY, "a treaty file without a treaty declaration"),
        (REPEATED_CLAUSE, "a clause given twice where only one is allowed"),
        (STRAY_CONTINUATION, "an `or` or `when` line with no clause above it"),
        (INVALID_UTF8, "the file is not valid UTF-8"),
        (TOO_LARGE, "the input exceeds a limit"),
        (NO_POWER, "an act the treaty gives its actor no power to perform"),
        (WRONG_TREATY, "a record written for another treaty"),
        (TALLY_CONTRADICTS_RULE, "a decision's recorded tally that its organ's rule could not have adopted"),
        (DECISION_COUNT_MISPLACED, "`votes` or `by acclamation` on an act that is not a decision, or both on one decision"),
        (TRIGGER_BINDINGS_DIFFER, "a duty's alternative trigger (`or` under `on`) that binds other variables than the first"),
        (DOES_AND_REFRAINS, "a duty with both `does` and `refrains from`"),
        (DUTY_TO_ACT_WITHOUT_TRIGGER, "a duty to act (`does`) without a trigger (`on`)"),
        (STANDING_DUTY_WITHIN, "`within` on a duty to refrain written without `on`, which is in force while its text is"),
        (REFRAIN_NOT_OWN_ACT, "a `refrains from` pattern whose `by` is not the debtor"),
        (NO_SOURCE, "an act or membership event without a source"),
        (NO_RULES, "a file with no rule or act blocks"),
        (MIRROR_SOURCE, "a source on a known mirror or aggregator host"),
        (OPEN_POINT, "an open point stated by the treaty file"),
    ];
}

/// Maps byte offsets to 1-based line and column (columns count characters).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = (offset as usize).min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = self.text.get(start..offset).map(|s| s.chars().count()).unwrap_or(offset - start);
        (line + 1, col + 1)
    }

    pub fn line_text(&self, line: usize) -> &'a str {
        let start = self.starts[line - 1];
        let end = self.starts.get(line).map(|e| e - 1).unwrap_or(self.text.len());
        self.text.get(start..end).unwrap_or("").trim_end_matches('\r')
    }
}

/// Renders diagnostics like rustc, in the order given.
pub fn render(diags: &[Diagnostic], file_name: &str, text: &str) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for d in diags {
        let (line, col) = index.line_col(d.span.start);
        let _ = writeln!(out, "{}[{}]: {}", d.severity.word(), d.code, d.message);
        let gutter = line.to_string().len();
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{pad}--> {file_name}:{line}:{col}");
        let _ = writeln!(out, "{pad} |");
        if d.severity == Severity::Note {
            // A note is the file's own words: point at it, don't repeat it.
            out.push('\n');
            continue;
        }
        let source_line = index.line_text(line);
        let _ = writeln!(out, "{line} | {source_line}");
        let (end_line, end_col) = index.line_col(d.span.end);
        let line_len = source_line.chars().count();
        let width = if end_line == line { end_col.saturating_sub(col) } else { line_len.saturating_sub(col - 1) };
        let width = width.min(line_len.saturating_sub(col - 1)).max(1);
        let carets = "^".repeat(width);
        let label = if d.label.is_empty() { String::new() } else { format!(" {}", d.label) };
        let _ = writeln!(out, "{pad} | {}{carets}{label}", " ".repeat(col - 1));
        if let Some(help) = &d.help {
            let _ = writeln!(out, "{pad} = help: {help}");
        }
        out.push('\n');
    }
    out
}

/// One line per diagnostic: `file:line:col: severity[code]: message`.
pub fn render_short(diags: &[Diagnostic], file_name: &str, text: &str) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for d in diags {
        let (line, col) = index.line_col(d.span.start);
        let _ = writeln!(out, "{file_name}:{line}:{col}: {}[{}]: {}", d.severity.word(), d.code, d.message);
    }
    out
}
