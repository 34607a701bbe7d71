//! Diagnostics: a stable code, a severity, a span and a message, rendered
//! like rustc's.
//!
//! The type is ours (not a rendering crate's) so that codes and messages are
//! a contract we test with snapshots. `annotate-snippets` (rustc's and
//! cargo's renderer) was weighed for the rendering: it would replace about
//! a hundred lines, but it lays out labels, gutters and notes its own way,
//! which would change every snapshot the diagnostics are held to and the
//! text users and docs/DIAGNOSTICS.md quote, for no gain in what is said;
//! the renderer below stays, and its output is the tested contract. Every code is listed, with an example,
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
    /// Set only on the one diagnostic that stands for those a capped
    /// `Diagnostics` left out: how many of each severity.
    pub omitted: Option<Omitted>,
}

/// How many diagnostics of each severity were left out of a file's list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Omitted {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Omitted {
    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.notes
    }

    fn count(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Note => self.notes += 1,
        }
    }
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { code, severity: Severity::Error, message: message.into(), span, label: String::new(), help: None, omitted: None }
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

    /// Adds "did you mean `X`?" as help when a known name is close to
    /// `name`; leaves the diagnostic as it is otherwise.
    pub fn suggest<'n>(mut self, name: &str, known: impl IntoIterator<Item = &'n str>) -> Diagnostic {
        if let Some(best) = did_you_mean(name, known) {
            self.help = Some(format!("did you mean `{best}`?"));
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The known name closest to a misspelled one, if one is close enough to
/// be what was meant: the same name in another case (`arm` for `ARM`), or
/// within an edit distance of a third of its length (at least 1, at most 3;
/// none for a name of one or two characters).
/// The one helper behind every "did you mean" of every unknown-name
/// diagnostic, so that all of them suggest alike.
pub fn did_you_mean<'n>(name: &str, known: impl IntoIterator<Item = &'n str>) -> Option<&'n str> {
    const LONGEST: usize = 64;
    let wanted: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
    if wanted.is_empty() || wanted.len() > LONGEST {
        return None;
    }
    // A name of one or two characters is too short to guess at but for its case.
    let limit = if wanted.len() <= 2 { 0 } else { (wanted.len() / 3).clamp(1, 3) };
    let mut best: Option<(usize, &str)> = None;
    for candidate in known {
        if candidate == name || candidate.is_empty() || candidate.chars().count() > LONGEST {
            continue;
        }
        let theirs: Vec<char> = candidate.chars().flat_map(char::to_lowercase).collect();
        if theirs.len().abs_diff(wanted.len()) > limit {
            continue;
        }
        let d = edit_distance(&wanted, &theirs);
        if d <= limit && best.is_none_or(|(b, n)| (d, candidate) < (b, n)) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, n)| n)
}

/// Levenshtein distance with adjacent transpositions counted as one edit
/// (`ARN`→`ARM` is 1, `AMR`→`ARM` is 1).
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut before: Vec<usize> = (0..=b.len()).collect();
    let mut previous = before.clone();
    let mut row = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1).min(row[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut row);
    }
    previous[b.len()]
}

/// The diagnostics of one file, capped: at most `MAX_PER_FILE` are kept,
/// the earliest in the file, and the rest are only counted, so that a file
/// of junk costs memory in proportion to the cap and not to its size.
/// `into_vec` gives them in file order, followed by one diagnostic that
/// says how many were left out (an error if any of those was one).
pub struct Diagnostics {
    kept: std::collections::BinaryHeap<Kept>,
    next: u64,
    cap: usize,
    omitted: Omitted,
    muted: bool,
}

/// A kept diagnostic ordered by where it is, then by when it came, so that
/// the heap's top is the one to drop first.
struct Kept(u32, u32, u64, Diagnostic);

impl PartialEq for Kept {
    fn eq(&self, other: &Kept) -> bool {
        (self.0, self.1, self.2) == (other.0, other.1, other.2)
    }
}
impl Eq for Kept {}
impl PartialOrd for Kept {
    fn partial_cmp(&self, other: &Kept) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Kept {
    fn cmp(&self, other: &Kept) -> std::cmp::Ordering {
        (self.0, self.1, self.2).cmp(&(other.0, other.1, other.2))
    }
}

/// The most diagnostics kept for one file.
pub const MAX_PER_FILE: usize = 1000;

impl Default for Diagnostics {
    fn default() -> Diagnostics {
        Diagnostics::new()
    }
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::with_cap(MAX_PER_FILE)
    }

    pub fn with_cap(cap: usize) -> Diagnostics {
        Diagnostics { kept: std::collections::BinaryHeap::new(), next: 0, cap, omitted: Omitted::default(), muted: false }
    }

    /// A sink that drops everything: for a second pass over text whose
    /// diagnostics the first pass already gave.
    pub fn muted() -> Diagnostics {
        Diagnostics { muted: true, ..Diagnostics::with_cap(0) }
    }

    /// Whether a diagnostic at `span` would be kept now: work spent on one
    /// that would not (a suggestion, say) can be skipped.
    pub fn wants(&self, span: Span) -> bool {
        !self.muted && (self.kept.len() < self.cap || self.kept.peek().is_some_and(|top| (span.start, span.end, self.next) < (top.0, top.1, top.2)))
    }

    /// Pushes `d` with "did you mean" help, looked for only if it is kept.
    pub fn push_suggesting<'n>(&mut self, d: Diagnostic, name: &str, known: impl IntoIterator<Item = &'n str>) {
        let d = if self.wants(d.span) { d.suggest(name, known) } else { d };
        self.push(d);
    }

    pub fn push(&mut self, d: Diagnostic) {
        if self.muted {
            return;
        }
        let kept = Kept(d.span.start, d.span.end, self.next, d);
        self.next += 1;
        if self.kept.len() < self.cap {
            self.kept.push(kept);
            return;
        }
        match self.kept.peek() {
            Some(top) if kept < *top => {
                if let Some(dropped) = self.kept.pop() {
                    self.omitted.count(dropped.3.severity);
                }
                self.kept.push(kept);
            }
            _ => self.omitted.count(kept.3.severity),
        }
    }

    /// Takes in the diagnostics of another sink for the same file.
    pub fn absorb(&mut self, other: Diagnostics) {
        for k in other.kept.into_sorted_vec() {
            self.push(k.3);
        }
        self.omitted.errors += other.omitted.errors;
        self.omitted.warnings += other.omitted.warnings;
        self.omitted.notes += other.omitted.notes;
    }

    /// Whether any diagnostic so far, kept or not, is an error.
    pub fn has_errors(&self) -> bool {
        self.omitted.errors > 0 || self.kept.iter().any(|k| k.3.is_error())
    }

    /// The kept diagnostics in file order, then the count of the others.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self.kept.into_sorted_vec().into_iter().map(|k| k.3).collect();
        let o = self.omitted;
        if o.total() > 0 {
            let mut parts = Vec::new();
            for (n, one, many) in [(o.errors, "error", "errors"), (o.warnings, "warning", "warnings"), (o.notes, "note", "notes")] {
                if n > 0 {
                    parts.push(count(n, one, many));
                }
            }
            let message =
                format!("{} not shown ({}): the first {} are above", count(o.total(), "more diagnostic", "more diagnostics"), parts.join(", "), self.cap);
            let (code, severity) = if o.errors > 0 { (codes::TOO_MANY_ERRORS, Severity::Error) } else { (codes::TOO_MANY_WARNINGS, Severity::Warning) };
            let end = out.last().map(|d| d.span.end).unwrap_or(0);
            out.push(Diagnostic {
                code,
                severity,
                message,
                span: Span { start: end, end },
                label: String::new(),
                help: Some("fix these and check again to see the rest".into()),
                omitted: Some(o),
            });
        }
        out
    }
}

/// `1 duty`, `2 duties`: the one rule in `casus_model::words`.
pub use casus_model::words::count;

/// How many errors and warnings a list of diagnostics stands for, counting
/// those a capped list left out.
pub fn tally(diags: &[Diagnostic]) -> (usize, usize) {
    let mut errors = 0;
    let mut warnings = 0;
    for d in diags {
        match &d.omitted {
            Some(o) => {
                errors += o.errors;
                warnings += o.warnings;
            }
            None if d.severity == Severity::Error => errors += 1,
            None if d.severity == Severity::Warning => warnings += 1,
            None => {}
        }
    }
    (errors, warnings)
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
    pub const OPENS_NO_CASE: &str = "E0028";
    pub const TOO_MANY_ERRORS: &str = "E0029";
    pub const TALLY_CONTRADICTS_RULE: &str = "E0040";
    pub const DECISION_COUNT_MISPLACED: &str = "E0041";
    pub const EXPECT_MALFORMED: &str = "E0075";
    pub const EXPECT_INVALID_DATE: &str = "E0076";
    pub const EXPECT_UNKNOWN_NAME: &str = "E0077";
    pub const EXPECT_UNKNOWN_READING: &str = "E0078";
    pub const EXPECT_NO_DATE: &str = "E0079";
    pub const TOO_MANY_WARNINGS: &str = "W0004";
    pub const TRIGGER_BINDINGS_DIFFER: &str = "E0080";
    pub const DOES_AND_REFRAINS: &str = "E0081";
    pub const DUTY_TO_ACT_WITHOUT_TRIGGER: &str = "E0082";
    pub const STANDING_DUTY_WITHIN: &str = "E0083";
    pub const REFRAIN_NOT_OWN_ACT: &str = "E0084";
    pub const UNKNOWN_REGION: &str = "E0085";
    pub const MALFORMED_CONDITION: &str = "E0086";
    pub const REGION_CYCLE: &str = "E0087";
    pub const WAR_WITHOUT_ADVERSARY: &str = "E0088";
    pub const UNLESS_WITHOUT_TIME: &str = "E0089";
    pub const UNLESS_ON_STANDING: &str = "E0090";
    pub const PLACE_NOT_RECORDED: &str = "W0050";
    pub const PROVISION_MALFORMED: &str = "E0100";
    pub const PROVISION_TWICE: &str = "E0101";
    pub const RENEWAL_WITHOUT_TERM: &str = "E0102";
    pub const NOTICE_TOO_LONG: &str = "E0103";
    pub const TERMINATION_WITHOUT_RENEWAL: &str = "E0104";
    pub const ORGAN_ENDED: &str = "E0105";
    pub const SUSPENSION_MALFORMED: &str = "E0106";
    pub const EFFECTIVE_DIFFERS: &str = "W0055";
    pub const MEMBERSHIP_CONTRADICTION: &str = "E0107";
    pub const MEMBERSHIP_APPROX_MALFORMED: &str = "E0108";
    pub const MEMBERSHIP_REDUNDANT: &str = "W0056";
    pub const MEMBERSHIP_UNKNOWN_ACT: &str = "W0057";
    pub const TWO_DEFAULT_RULES: &str = "E0113";
    pub const KIND_DECLARED_TWICE: &str = "E0114";
    pub const UNKNOWN_DECISION_KIND: &str = "E0115";
    pub const KIND_REQUIRED: &str = "E0116";
    pub const FORUM_DECIDES: &str = "E0117";
    pub const KIND_MISPLACED: &str = "E0118";
    pub const KIND_UNDER_SILENCE: &str = "W0058";
    pub const NO_SOURCE: &str = "W0001";
    pub const FEATURED_MALFORMED: &str = "E0070";
    pub const FEATURED_TWICE: &str = "E0071";
    pub const FEATURED_CASE_UNKNOWN: &str = "E0072";
    pub const NO_RULES: &str = "W0002";
    pub const MIRROR_SOURCE: &str = "W0003";
    pub const EXPECT_EMPTY_GROUP: &str = "W0040";
    pub const NO_EXPECTATIONS: &str = "W0041";
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
        (OPENS_NO_CASE, "a `case` that names an act which opened no case"),
        (TOO_MANY_ERRORS, "more diagnostics than a file's limit; those left out include errors"),
        (TALLY_CONTRADICTS_RULE, "a decision's recorded tally that its organ's rule could not have adopted"),
        (DECISION_COUNT_MISPLACED, "`votes` or `by acclamation` on an act that is not a decision, or both on one decision"),
        (FEATURED_MALFORMED, "a record's `featured` line that is neither a date nor `case ID`"),
        (FEATURED_TWICE, "a record's featured date, or one featured case, given twice"),
        (FEATURED_CASE_UNKNOWN, "a featured case that no act in the record opens"),
        (EXPECT_MALFORMED, "a line of an `expect` block whose words have the wrong shape"),
        (EXPECT_INVALID_DATE, "an `on` line of an `expect` block without a valid date"),
        (EXPECT_UNKNOWN_NAME, "an expectation naming a case, duty, party or document the treaty and record do not have"),
        (EXPECT_UNKNOWN_READING, "an expectation's reading that names no question or option of the treaty, or reads a question twice"),
        (EXPECT_NO_DATE, "an expectation with no `on DATE` line above it"),
        (TRIGGER_BINDINGS_DIFFER, "a duty's alternative trigger (`or` under `on`) that binds other variables than the first"),
        (DOES_AND_REFRAINS, "a duty with both `does` and `refrains from`"),
        (DUTY_TO_ACT_WITHOUT_TRIGGER, "a duty to act (`does`) without a trigger (`on`)"),
        (STANDING_DUTY_WITHIN, "`within` on a duty to refrain written without `on`, which is in force while its text is"),
        (REFRAIN_NOT_OWN_ACT, "a `refrains from` pattern whose `by` is not the debtor"),
        (UNKNOWN_REGION, "a name that no `region` declares, in `includes`, `only in` or a record's `in`"),
        (MALFORMED_CONDITION, "an `only` line of no known shape"),
        (REGION_CYCLE, "a region that includes itself, or nests too deep"),
        (WAR_WITHOUT_ADVERSARY, "a `war` act without `against`"),
        (UNLESS_WITHOUT_TIME, "an `only unless` condition without a fixed time for compliance"),
        (UNLESS_ON_STANDING, "`only unless` on a duty without `on`: there is no demand"),
        (PROVISION_MALFORMED, "a `term`, `renews` or `withdrawal` clause of the treaty that is malformed"),
        (PROVISION_TWICE, "a `term`, `renews` or `withdrawal` clause given twice"),
        (RENEWAL_WITHOUT_TERM, "`renews` on a treaty with no `term`"),
        (NOTICE_TOO_LONG, "a notice period not shorter than the term or renewal period it is given before"),
        (TERMINATION_WITHOUT_RENEWAL, "a notice against renewal under a treaty that does not renew"),
        (ORGAN_ENDED, "an act by, to or in an organ after the date it exists until"),
        (SUSPENSION_MALFORMED, "a suspension between two parties that is not by one party against another"),
        (TWO_DEFAULT_RULES, "an organ with two `decides` rules without `for`"),
        (KIND_DECLARED_TWICE, "an organ with two `decides` rules for the same kind of proposal"),
        (UNKNOWN_DECISION_KIND, "a proposal or transfer naming a kind the organ has no rule for"),
        (KIND_REQUIRED, "a proposal or transfer naming no kind, to an organ that decides only by kind"),
        (FORUM_DECIDES, "a forum given a rule, put a text, or acting other than by a statement"),
        (KIND_MISPLACED, "a `kind` on an act that is neither a proposal nor a transfer"),
        (NO_SOURCE, "an act or membership event without a source"),
        (NO_RULES, "a file with no rule or act blocks"),
        (MIRROR_SOURCE, "a source on a known mirror or aggregator host"),
        (TOO_MANY_WARNINGS, "more diagnostics than a file's limit; those left out are warnings or notes"),
        (EXPECT_EMPTY_GROUP, "an `on` line of an `expect` block with no expectation below it"),
        (NO_EXPECTATIONS, "a record given to `casus test` with no `expect` block"),
        (PLACE_NOT_RECORDED, "an act that engages a duty holding only in a region, without saying where it took place"),
        (EFFECTIVE_DIFFERS, "a withdrawal's typed `effective` date that differs from the one the treaty's provisions give"),
        (MEMBERSHIP_CONTRADICTION, "a membership clause that contradicts the party's lines above where a date is known only approximately"),
        (MEMBERSHIP_APPROX_MALFORMED, "an approximate membership clause of no known shape: only `joins by`, `leaves after` and `member on`"),
        (MEMBERSHIP_REDUNDANT, "a `member on` that adds nothing to the lines above, or a membership line repeated"),
        (MEMBERSHIP_UNKNOWN_ACT, "an act only a member may perform, by a state whose membership on its date is not known"),
        (KIND_UNDER_SILENCE, "a proposal put under silence that names a kind: the silence procedure applies, not the kind's rule"),
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

/// Finds lines by walking forward from the last offset asked for, so that
/// rendering diagnostics in file order reads the text once and allocates
/// nothing per line (a `LineIndex` of a file of short lines costs eight
/// bytes a line).
pub(crate) struct Cursor<'a> {
    text: &'a str,
    at: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str) -> Cursor<'a> {
        Cursor { text, at: 0, line: 1, line_start: 0 }
    }

    /// The 1-based line of `offset` and the byte offset where it starts.
    pub fn seek(&mut self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        if offset < self.at {
            *self = Cursor::new(self.text);
        }
        for (i, b) in self.text.as_bytes()[self.at..offset].iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = self.at + i + 1;
            }
        }
        self.at = offset;
        (self.line, self.line_start)
    }

    /// The line (without its end) that starts at `start`.
    pub fn line_at(&self, start: usize) -> &'a str {
        let rest = self.text.get(start..).unwrap_or("");
        rest.split('\n').next().unwrap_or("").trim_end_matches('\r')
    }
}

/// The widest source line a rendering shows whole, in characters; a longer
/// one is cut around the span.
const SHOWN_LINE_CHARS: usize = 160;

/// Renders diagnostics like rustc, in the order given.
pub fn render(diags: &[Diagnostic], file_name: &str, text: &str) -> String {
    let mut out = Vec::new();
    let _ = render_to(&mut out, diags, file_name, text);
    String::from_utf8(out).unwrap_or_default()
}

/// `render`, written out one diagnostic at a time.
pub fn render_to(out: &mut impl std::io::Write, diags: &[Diagnostic], file_name: &str, text: &str) -> std::io::Result<()> {
    let mut cursor = Cursor::new(text);
    for d in diags {
        out.write_all(render_one(&mut cursor, d, file_name).as_bytes())?;
    }
    Ok(())
}

fn render_one(cursor: &mut Cursor, d: &Diagnostic, file_name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}[{}]: {}", d.severity.word(), d.code, d.message);
    if d.omitted.is_some() {
        // It stands for diagnostics all over the file: no one place.
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out.push('\n');
        return out;
    }
    let start = d.span.start as usize;
    let (line, line_start) = cursor.seek(start);
    let source_line = cursor.line_at(line_start);
    let col = source_line.get(..start.saturating_sub(line_start)).map(|s| s.chars().count()).unwrap_or(0) + 1;
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad}--> {file_name}:{line}:{col}");
    if d.severity == Severity::Note {
        // A note is the file's own words: point at it, don't repeat it.
        out.push('\n');
        return out;
    }
    let _ = writeln!(out, "{pad} |");
    let line_len = source_line.chars().count();
    let end = (d.span.end as usize).max(start);
    let same_line = !cursor.text.get(start..end.min(cursor.text.len())).unwrap_or("").contains('\n');
    let end_col = if same_line { cursor.text.get(line_start..end.min(cursor.text.len())).map(|s| s.chars().count() + 1).unwrap_or(col) } else { line_len + 1 };
    let width = end_col.saturating_sub(col).min(line_len.saturating_sub(col - 1)).max(1);
    // A long line is shown as a window around the span.
    let (shown, skip) = if line_len <= SHOWN_LINE_CHARS {
        (source_line.to_string(), 0)
    } else {
        let skip = (col - 1).saturating_sub(SHOWN_LINE_CHARS / 4).min(line_len.saturating_sub(SHOWN_LINE_CHARS));
        let mut s: String = if skip > 0 { "…".to_string() } else { String::new() };
        s.extend(source_line.chars().skip(skip).take(SHOWN_LINE_CHARS));
        if skip + SHOWN_LINE_CHARS < line_len {
            s.push('…');
        }
        (s, skip.saturating_sub(usize::from(skip > 0)))
    };
    let width = width.min(SHOWN_LINE_CHARS);
    let _ = writeln!(out, "{line} | {shown}");
    let carets = "^".repeat(width);
    let label = if d.label.is_empty() { String::new() } else { format!(" {}", d.label) };
    let _ = writeln!(out, "{pad} | {}{carets}{label}", " ".repeat(col - 1 - skip));
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} = help: {help}");
    }
    out.push('\n');
    out
}

/// One line per diagnostic: `file:line:col: severity[code]: message`.
pub fn render_short(diags: &[Diagnostic], file_name: &str, text: &str) -> String {
    let mut out = String::new();
    let mut cursor = Cursor::new(text);
    for d in diags {
        if d.omitted.is_some() {
            let _ = writeln!(out, "{file_name}: {}[{}]: {}", d.severity.word(), d.code, d.message);
            continue;
        }
        let start = d.span.start as usize;
        let (line, line_start) = cursor.seek(start);
        let col = cursor.line_at(line_start).get(..start.saturating_sub(line_start)).map(|s| s.chars().count()).unwrap_or(0) + 1;
        let _ = writeln!(out, "{file_name}:{line}:{col}: {}[{}]: {}", d.severity.word(), d.code, d.message);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let parties = ["ARM", "AZE", "BLR", "KAZ", "RUS"];
        assert_eq!(did_you_mean("ARN", parties), Some("ARM"));
        assert_eq!(did_you_mean("arm", parties), Some("ARM"));
        assert_eq!(did_you_mean("AMR", parties), Some("ARM"));
        assert_eq!(did_you_mean("XYZ", parties), None);
        assert_eq!(did_you_mean("assist_victm", ["assist_victim", "consult"]), Some("assist_victim"));
        assert_eq!(did_you_mean("", parties), None);
    }

    #[test]
    fn the_cap_keeps_the_earliest_and_counts_the_rest() {
        let mut d = Diagnostics::with_cap(3);
        for i in (0..10u32).rev() {
            d.push(Diagnostic::warning(codes::NO_SOURCE, Span::new(i as usize, i as usize + 1), format!("w{i}")));
        }
        d.push(Diagnostic::error(codes::UNKNOWN_PARTY, Span::new(50, 51), "late error"));
        assert!(d.has_errors());
        let v = d.into_vec();
        let messages: Vec<&str> = v.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(&messages[..3], ["w0", "w1", "w2"]);
        assert_eq!(v.len(), 4);
        assert_eq!(v[3].code, codes::TOO_MANY_ERRORS);
        assert!(v[3].is_error());
        assert_eq!(v[3].message, "8 more diagnostics not shown (1 error, 7 warnings): the first 3 are above");
        assert_eq!(tally(&v), (1, 10));
    }

    #[test]
    fn counts_read_right() {
        assert_eq!(count(1, "duty", "duties"), "1 duty");
        assert_eq!(count(2, "duty", "duties"), "2 duties");
        assert_eq!(count(0, "act", "acts"), "0 acts");
        assert_eq!(count(1234567, "act", "acts"), "1,234,567 acts");
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let text = format!("{}@{}\n", "a ".repeat(500), " b".repeat(500));
        let d = Diagnostic::error(codes::UNEXPECTED_CHARACTER, Span::new(1000, 1001), "unexpected `@`");
        let out = render(&[d], "f", &text);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[3].chars().count() < 200, "{out}");
        let caret = lines[4].chars().position(|c| c == '^');
        let at = lines[3].chars().position(|c| c == '@');
        assert!(caret.is_some() && caret == at, "{out}");
    }
}
