//! Expected verdicts written into a record file: fenced `expect` blocks that
//! say what the record should show on a date, under chosen readings (see
//! `docs/LANGUAGE.md`, "Expected verdicts").
//!
//! A record's tests live beside its acts, as data, so that a reader sees
//! the verdicts its sources support next to the acts that give them, and
//! `casus test` can check them against the engine. This module only reads
//! and checks the blocks (names against the treaty and the record); the
//! command derives the state and compares, so the engine never sees an
//! expectation.
//!
//! The block is read line by line with its own small tokenizer, because a
//! fact names its obligation as `CASE/DUTY/DEBTOR`, which the rule and act
//! syntax does not lex.

use crate::diagnostic::{Diagnostic, codes};
use crate::markdown::{self, Part};
use casus_model::{Record, Span, Sym, Symbols, Time, Treaty};
use std::collections::BTreeSet;

/// The largest number of expectations in one record file.
pub const MAX_EXPECTATIONS: usize = 100_000;

/// Obligation statuses, as `replay --json` spells them.
pub const OBLIGATION_STATUSES: &[&str] = &["pending", "fulfilled", "breached", "not_triggered", "undetermined"];
/// Document statuses.
pub const DOCUMENT_STATUSES: &[&str] = &["adopted", "blocked", "pending"];
/// Party statuses.
pub const PARTY_STATUSES: &[&str] = &["member", "suspended", "former", "unknown"];

/// The expectations of one `on DATE` line: a date, the readings, and what
/// the state should show then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The instant the state is derived at: a date means the end of that day.
    pub at: Time,
    /// The date as written.
    pub at_text: String,
    /// Question → option; questions not named take their default.
    pub readings: Vec<(Sym, Sym)>,
    pub expectations: Vec<Expectation>,
    /// The `on` line.
    pub span: Span,
}

/// One expected fact and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    pub what: Expected,
    /// The line, without its indentation and comment.
    pub span: Span,
    /// The line as written, without its indentation and comment.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// `obligation CASE/DUTY/DEBTOR is STATUS`, or `CASE/DUTY/DEBTOR/CREDITOR`
    /// where a joint act makes the debtor owe the duty to several parties.
    Obligation { case: String, duty: String, debtor: String, creditor: Option<String>, status: String },
    /// `document ID is STATUS [by CODE…] [with N for [N against]
    /// [N abstaining]]`: with `by`, exactly these parties blocked it (in any
    /// order); with `with`, the tally counted these votes.
    Document { id: String, status: String, blocked_by: Option<Vec<String>>, tally: Option<ExpectedTally> },
    /// `party CODE is STATUS`.
    Party { code: String, status: String },
    /// `case ID exists` or `case ID does not exist`.
    Case { id: String, exists: bool },
}

impl Expected {
    /// The id of the fact it is about, as `replay` lists it and `explain`
    /// takes it.
    pub fn fact(&self) -> String {
        match self {
            Expected::Obligation { case, duty, debtor, creditor: None, .. } => format!("obligation/{case}/{duty}/{debtor}"),
            Expected::Obligation { case, duty, debtor, creditor: Some(c), .. } => format!("obligation/{case}/{duty}/{debtor}/{c}"),
            Expected::Document { id, .. } => format!("document/{id}"),
            Expected::Party { code, .. } => format!("party/{code}"),
            Expected::Case { id, .. } => format!("case/{id}"),
        }
    }
}

/// The votes an expectation says a document's tally counted; a count it
/// does not give is not checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExpectedTally {
    pub yes: Option<u32>,
    pub no: Option<u32>,
    pub abstain: Option<u32>,
}

impl std::fmt::Display for ExpectedTally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = [(self.yes, "for"), (self.no, "against"), (self.abstain, "abstaining")]
            .into_iter()
            .filter_map(|(n, word)| n.map(|n| format!("{n} {word}")))
            .collect();
        write!(f, "{}", parts.join(" "))
    }
}

/// The words of a tally, `with N for [N against] [N abstaining]` (each
/// count optional, in this order, at least one), `with` included.
fn tally_words(with: &[Word], help: &str, diags: &mut Vec<Diagnostic>) -> Option<ExpectedTally> {
    let mut malformed = |span: Span, msg: String| diags.push(Diagnostic::error(codes::EXPECT_MALFORMED, span, msg).help(help.to_string()));
    const WORDS: [&str; 3] = ["for", "against", "abstaining"];
    let ws = with.get(1..).unwrap_or_default();
    if ws.is_empty() || ws.len() % 2 != 0 {
        malformed(span_of(with), "expected counts after `with`: `N for`, `N against`, `N abstaining`".into());
        return None;
    }
    let mut tally = ExpectedTally::default();
    let mut next = 0;
    for pair in ws.chunks(2) {
        let Ok(n) = pair[0].text.parse::<u32>() else {
            malformed(pair[0].span, format!("expected a number of votes, found `{}`", pair[0].text));
            return None;
        };
        let Some(k) = WORDS.iter().position(|w| *w == pair[1].text) else {
            malformed(pair[1].span, format!("expected `for`, `against` or `abstaining`, found `{}`", pair[1].text));
            return None;
        };
        if k < next {
            malformed(span_of(pair), "give each count once, in the order for, against, abstaining".into());
            return None;
        }
        next = k + 1;
        *[&mut tally.yes, &mut tally.no, &mut tally.abstain][k] = Some(n);
    }
    Some(tally)
}

/// A word of a line and its span in the file.
struct Word<'a> {
    text: &'a str,
    span: Span,
}

/// The words of a line (starting at byte `base` of the file), up to a `#`
/// comment; `=` is a word of its own.
fn words(line: &str, base: usize) -> Vec<Word<'_>> {
    let code = line.split('#').next().unwrap_or("");
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in code.char_indices().chain(std::iter::once((code.len(), ' '))) {
        let sep = c.is_whitespace() || c == '=';
        match (start, sep) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                out.push(Word { text: &code[s..i], span: Span::new(base + s, base + i) });
                start = None;
            }
            _ => {}
        }
        if c == '=' {
            out.push(Word { text: &code[i..i + 1], span: Span::new(base + i, base + i + 1) });
        }
    }
    out
}

/// The span from the first to the last of `ws`.
fn span_of(ws: &[Word]) -> Span {
    match (ws.first(), ws.last()) {
        (Some(a), Some(b)) => Span::new(a.span.start as usize, b.span.end as usize),
        _ => Span::new(0, 0),
    }
}

/// What the expectations may name: the treaty's parties, duties and
/// questions, the record's documents and cases.
struct Names<'a> {
    treaty: &'a Treaty,
    symbols: &'a Symbols,
    documents: BTreeSet<&'a str>,
    cases: BTreeSet<String>,
}

impl<'a> Names<'a> {
    fn new(treaty: &'a Treaty, record: &'a Record, symbols: &'a Symbols) -> Names<'a> {
        let documents = record.acts.iter().filter(|a| a.document.is_some()).map(|a| symbols.name(a.document)).collect();
        // A case is named by the id of the act that opened it, or `act-N`.
        let cases =
            record.acts.iter().enumerate().map(|(i, a)| if a.id.is_some() { symbols.name(a.id).to_string() } else { format!("act-{}", i + 1) }).collect();
        Names { treaty, symbols, documents, cases }
    }

    fn party(&self, code: &str) -> bool {
        self.symbols.get(code).is_some_and(|s| self.treaty.party(s).is_some())
    }

    fn duty(&self, id: &str) -> bool {
        self.symbols.get(id).is_some_and(|s| self.treaty.duties.iter().any(|d| d.id == s))
    }
}

/// Reads every `expect` block of a record file and checks its names
/// against the treaty and the record. Only Markdown files (`.md`) hold
/// expect blocks. `symbols` must be the table the treaty and record were
/// read with.
pub fn load_expectations(name: &str, text: &str, treaty: &Treaty, record: &Record, symbols: &Symbols) -> (Vec<Group>, Vec<Diagnostic>) {
    let mut groups: Vec<Group> = Vec::new();
    let mut diags = Vec::new();
    if !name.ends_with(".md") || crate::size_limit(text.len()).is_some() {
        return (groups, diags);
    }
    let names = Names::new(treaty, record, symbols);
    let mut count = 0usize;
    // Groups with at least one line below them (even a malformed one, which
    // has its own error): an empty group is warned about.
    let mut written: BTreeSet<u32> = BTreeSet::new();
    for part in markdown::parts(text, "expect") {
        let Part::Block(range) = part else { continue };
        // The group lines belong to: none yet in this block, the last
        // group, or a head line that was malformed (already reported).
        let mut open: Option<bool> = None;
        let mut offset = range.start;
        for raw in text[range.clone()].split_inclusive('\n') {
            let base = offset;
            offset += raw.len();
            let line = raw.trim_end_matches('\n').trim_end_matches('\r');
            let ws = words(line, base);
            let Some(first) = ws.first() else { continue };
            let indented = line.starts_with([' ', '\t']);
            if !indented {
                let g = head(&ws, &mut diags);
                open = Some(g.is_some());
                groups.extend(g);
                continue;
            }
            match open {
                Some(true) => {}
                Some(false) => continue,
                None => {
                    diags.push(
                        Diagnostic::error(codes::EXPECT_NO_DATE, first.span, "an expectation with no `on DATE` line above it")
                            .label("on what date?")
                            .help("start the group at column 0 with `on 2022-12-01`; its expectations are indented below it"),
                    );
                    continue;
                }
            }
            let Some(group) = groups.last_mut() else {
                continue;
            };
            written.insert(group.span.start);
            if first.text == "reading" {
                reading(&ws, treaty, symbols, group, &mut diags);
                continue;
            }
            if count >= MAX_EXPECTATIONS {
                diags.push(Diagnostic::error(codes::TOO_LARGE, first.span, format!("more than {MAX_EXPECTATIONS} expectations in one record")));
                return (groups, diags);
            }
            if let Some(what) = expectation(&ws, &names, &mut diags) {
                count += 1;
                let span = span_of(&ws);
                let text = text[span.start as usize..span.end as usize].to_string();
                group.expectations.push(Expectation { what, span, text });
            }
        }
    }
    for g in &groups {
        if !written.contains(&g.span.start) {
            diags.push(
                Diagnostic::warning(codes::EXPECT_EMPTY_GROUP, g.span, format!("nothing is expected on {}", g.at_text))
                    .help("indent expectations below the `on` line: `  obligation CASE/DUTY/DEBTOR is breached`"),
            );
        }
    }
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    (groups, diags)
}

/// `on DATE`.
fn head(ws: &[Word], diags: &mut Vec<Diagnostic>) -> Option<Group> {
    let first = &ws[0];
    if first.text != "on" {
        diags.push(
            Diagnostic::error(codes::EXPECT_MALFORMED, first.span, format!("expected `on DATE`, found `{}`", first.text))
                .help("a group of expectations starts with `on 2022-12-01` at column 0"),
        );
        return None;
    }
    let Some(date) = ws.get(1) else {
        diags.push(Diagnostic::error(codes::EXPECT_INVALID_DATE, first.span, "`on` without a date").help("write `on 2022-12-01` or `on 2022-12-01T12:00`"));
        return None;
    };
    let Some((t, precision)) = Time::parse(date.text) else {
        diags.push(
            Diagnostic::error(codes::EXPECT_INVALID_DATE, date.span, format!("`{}` is not a date", date.text))
                .label("not a date")
                .help("write YYYY-MM-DD (the end of that day, UTC) or YYYY-MM-DDTHH:MM[:SS]"),
        );
        return None;
    };
    if ws.len() > 2 {
        diags.push(
            Diagnostic::error(codes::EXPECT_MALFORMED, span_of(&ws[2..]), "unexpected words after the date")
                .help("give readings on indented lines: `  reading art4_trigger = determination`"),
        );
        return None;
    }
    let at = if precision == casus_model::Precision::Day { t.end_of_day() } else { t };
    Some(Group { at, at_text: date.text.to_string(), readings: Vec::new(), expectations: Vec::new(), span: span_of(ws) })
}

/// `reading QUESTION = OPTION`.
fn reading(ws: &[Word], treaty: &Treaty, symbols: &Symbols, group: &mut Group, diags: &mut Vec<Diagnostic>) {
    let (Some(q), Some(eq), Some(o), None) = (ws.get(1), ws.get(2), ws.get(3), ws.get(4)) else {
        diags.push(
            Diagnostic::error(codes::EXPECT_MALFORMED, span_of(ws), "a reading is `reading QUESTION = OPTION`").help("`reading art4_trigger = determination`"),
        );
        return;
    };
    if eq.text != "=" {
        diags.push(
            Diagnostic::error(codes::EXPECT_MALFORMED, eq.span, format!("expected `=`, found `{}`", eq.text)).help("`reading art4_trigger = determination`"),
        );
        return;
    }
    let Some(question) = symbols.get(q.text).and_then(|s| treaty.question(s)) else {
        let known: Vec<&str> = treaty.questions.iter().map(|q| symbols.name(q.id)).collect();
        let help = if known.is_empty() { "the treaty asks no questions".to_string() } else { format!("the treaty asks: {}", known.join(", ")) };
        diags.push(
            Diagnostic::error(codes::EXPECT_UNKNOWN_READING, q.span, format!("unknown question `{}`", q.text))
                .label("not a `question` of the treaty")
                .help(help),
        );
        return;
    };
    let Some(option) = symbols.get(o.text).filter(|s| question.options.iter().any(|opt| opt.id == *s)) else {
        let known: Vec<&str> = question.options.iter().map(|opt| symbols.name(opt.id)).collect();
        diags.push(
            Diagnostic::error(codes::EXPECT_UNKNOWN_READING, o.span, format!("`{}` is not an option of `{}`", o.text, q.text))
                .help(format!("options: {}", known.join(", "))),
        );
        return;
    };
    if group.readings.iter().any(|(k, _)| *k == question.id) {
        diags.push(
            Diagnostic::error(codes::EXPECT_UNKNOWN_READING, q.span, format!("`{}` is read twice on this date", q.text))
                .help("one option per question in a group; start another `on` group for another reading"),
        );
        return;
    }
    group.readings.push((question.id, option));
}

/// One expectation line.
fn expectation<'a>(ws: &[Word<'a>], names: &Names, diags: &mut Vec<Diagnostic>) -> Option<Expected> {
    let kind = &ws[0];
    let malformed = |diags: &mut Vec<Diagnostic>, span: Span, msg: String, help: &str| {
        diags.push(Diagnostic::error(codes::EXPECT_MALFORMED, span, msg).help(help.to_string()));
    };
    let unknown = |diags: &mut Vec<Diagnostic>, w: &Word, what: &str| {
        diags.push(Diagnostic::error(codes::EXPECT_UNKNOWN_NAME, w.span, format!("unknown {what} `{}`", w.text)).label(format!("no such {what}")));
    };
    match kind.text {
        "obligation" => {
            const HELP: &str = "`obligation CASE/DUTY/DEBTOR is STATUS` (or `CASE/DUTY/DEBTOR/CREDITOR` where the debtor owes the duty to several), STATUS one of pending, fulfilled, breached, not_triggered, undetermined";
            let Some(fact) = ws.get(1) else {
                malformed(diags, kind.span, "which obligation?".into(), HELP);
                return None;
            };
            let parts: Vec<&str> = fact.text.split('/').collect();
            let (case, duty, debtor, creditor) = match parts.as_slice() {
                [case, duty, debtor] => (case, duty, debtor, None),
                [case, duty, debtor, creditor] => (case, duty, debtor, Some(*creditor)),
                _ => {
                    malformed(diags, fact.span, format!("`{}` is not CASE/DUTY/DEBTOR or CASE/DUTY/DEBTOR/CREDITOR", fact.text), HELP);
                    return None;
                }
            };
            let status = status_words(ws, 2, OBLIGATION_STATUSES, "an obligation", HELP, diags)?;
            let mut ok = true;
            // Point at the part of the fact that is wrong.
            let piece =
                |from: usize, text: &'a str| Word { text, span: Span::new(fact.span.start as usize + from, fact.span.start as usize + from + text.len()) };
            if !names.cases.contains(*case) {
                unknown(diags, &piece(0, case), "case");
                ok = false;
            }
            if !names.duty(duty) {
                unknown(diags, &piece(case.len() + 1, duty), "duty");
                ok = false;
            }
            if !names.party(debtor) {
                unknown(diags, &piece(case.len() + duty.len() + 2, debtor), "party");
                ok = false;
            }
            if let Some(creditor) = creditor
                && !names.party(creditor)
            {
                unknown(diags, &piece(case.len() + duty.len() + debtor.len() + 3, creditor), "party");
                ok = false;
            }
            ok.then(|| Expected::Obligation {
                case: case.to_string(),
                duty: duty.to_string(),
                debtor: debtor.to_string(),
                creditor: creditor.map(str::to_string),
                status,
            })
        }
        "document" => {
            const HELP: &str = "`document ID is adopted`, `document ID is pending`, `document ID is blocked` or `document ID is blocked by CODE…`, each optionally followed by the tally's counts, `with 8 for 1 against 2 abstaining`";
            let Some(id) = ws.get(1) else {
                malformed(diags, kind.span, "which document?".into(), HELP);
                return None;
            };
            let (Some(is), Some(status)) = (ws.get(2), ws.get(3)) else {
                malformed(diags, span_of(ws), "expected `is STATUS` after the document".into(), HELP);
                return None;
            };
            if is.text != "is" {
                malformed(diags, is.span, format!("expected `is`, found `{}`", is.text), HELP);
                return None;
            }
            if !DOCUMENT_STATUSES.contains(&status.text) {
                malformed(diags, status.span, format!("`{}` is not a status of a document", status.text), HELP);
                return None;
            }
            // The tally's counts, after `with`.
            let with = ws.iter().enumerate().skip(4).find(|(_, w)| w.text == "with").map_or(ws.len(), |(i, _)| i);
            let tally = if with < ws.len() { Some(tally_words(&ws[with..], HELP, diags)?) } else { None };
            let ws = &ws[..with];
            let blocked_by = match ws.get(4) {
                None => None,
                Some(by) if by.text == "by" && status.text == "blocked" && ws.len() > 5 => {
                    let mut codes_seen = Vec::new();
                    let mut ok = true;
                    for w in &ws[5..] {
                        if !names.party(w.text) {
                            unknown(diags, w, "party");
                            ok = false;
                        }
                        codes_seen.push(w.text.to_string());
                    }
                    if !ok {
                        return None;
                    }
                    Some(codes_seen)
                }
                Some(_) => {
                    malformed(diags, span_of(&ws[4..]), "unexpected words after the status".into(), HELP);
                    return None;
                }
            };
            if !names.documents.contains(id.text) {
                unknown(diags, id, "document");
                return None;
            }
            Some(Expected::Document { id: id.text.to_string(), status: status.text.to_string(), blocked_by, tally })
        }
        "party" => {
            const HELP: &str = "`party CODE is STATUS`, STATUS one of member, suspended, former";
            let Some(code) = ws.get(1) else {
                malformed(diags, kind.span, "which party?".into(), HELP);
                return None;
            };
            let status = status_words(ws, 2, PARTY_STATUSES, "a party", HELP, diags)?;
            if !names.party(code.text) {
                unknown(diags, code, "party");
                return None;
            }
            Some(Expected::Party { code: code.text.to_string(), status })
        }
        "case" => {
            const HELP: &str = "`case ID exists` or `case ID does not exist`";
            let Some(id) = ws.get(1) else {
                malformed(diags, kind.span, "which case?".into(), HELP);
                return None;
            };
            let rest: Vec<&str> = ws[2..].iter().map(|w| w.text).collect();
            let exists = match rest.as_slice() {
                ["exists"] => true,
                ["does", "not", "exist"] => false,
                _ => {
                    malformed(diags, if ws.len() > 2 { span_of(&ws[2..]) } else { id.span }, "expected `exists` or `does not exist`".into(), HELP);
                    return None;
                }
            };
            if !names.cases.contains(id.text) {
                diags.push(
                    Diagnostic::error(codes::EXPECT_UNKNOWN_NAME, id.span, format!("unknown case `{}`", id.text))
                        .label("no act of the record has this id")
                        .help("a case is named by the id of the act that opened it (`act-N` for the Nth act without an id)"),
                );
                return None;
            }
            Some(Expected::Case { id: id.text.to_string(), exists })
        }
        other => {
            diags.push(
                Diagnostic::error(
                    codes::EXPECT_MALFORMED,
                    kind.span,
                    format!("expected `obligation`, `document`, `party`, `case` or `reading`, found `{other}`"),
                )
                .help("`  obligation arm_2022_09_art4/assist_victim/RUS is breached`"),
            );
            None
        }
    }
}

/// `is STATUS` from word `at`, where STATUS is one of `allowed`;
/// `not triggered` is read as `not_triggered`.
fn status_words(ws: &[Word], at: usize, allowed: &[&str], what: &str, help: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let rest = &ws[at.min(ws.len())..];
    let Some(is) = rest.first() else {
        diags.push(Diagnostic::error(codes::EXPECT_MALFORMED, span_of(ws), "expected `is STATUS`").help(help.to_string()));
        return None;
    };
    if is.text != "is" {
        diags.push(Diagnostic::error(codes::EXPECT_MALFORMED, is.span, format!("expected `is`, found `{}`", is.text)).help(help.to_string()));
        return None;
    }
    let status: Vec<&str> = rest[1..].iter().map(|w| w.text).collect();
    let status = status.join("_");
    if status.is_empty() || !allowed.contains(&status.as_str()) {
        let span = if rest.len() > 1 { span_of(&rest[1..]) } else { is.span };
        let shown = if status.is_empty() { "nothing".to_string() } else { format!("`{}`", status.replace('_', " ")) };
        diags.push(Diagnostic::error(codes::EXPECT_MALFORMED, span, format!("{shown} is not a status of {what}")).help(help.to_string()));
        return None;
    }
    Some(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_of(s: &str) -> Vec<String> {
        words(s, 0).into_iter().map(|w| w.text.to_string()).collect()
    }

    #[test]
    fn words_split_on_space_and_equals_and_stop_at_comments() {
        assert_eq!(words_of("  reading q=o # why"), ["reading", "q", "=", "o"]);
        assert_eq!(words_of("obligation a/b/C is not triggered"), ["obligation", "a/b/C", "is", "not", "triggered"]);
        assert!(words_of("   # only a comment").is_empty());
    }

    #[test]
    fn facts_are_the_ids_replay_lists() {
        let o = Expected::Obligation { case: "c".into(), duty: "d".into(), debtor: "X".into(), creditor: None, status: "breached".into() };
        assert_eq!(o.fact(), "obligation/c/d/X");
        assert_eq!(Expected::Case { id: "c".into(), exists: true }.fact(), "case/c");
    }
}
