//! Text renderings for people: the state as tables, explanations as
//! numbered reasons with their sources. (Readings side by side are the
//! analysis crate's, `casus_analysis::readings`.)

use crate::input::Loaded;
use casus_analysis::text_table::table;
use casus_engine::Query;
use casus_query::{Explanation, Report};
use std::fmt::Write;

/// A table, or "none" where it has no rows.
fn table_or_none(header: &[&str], rows: &[Vec<String>]) -> String {
    if rows.is_empty() { "  none\n".to_string() } else { table(header, rows) }
}

pub fn report(r: &Report) -> String {
    let mut out = String::new();
    let version = r.version.as_ref().map_or_else(
        || ": no text of the treaty in force on that date".to_string(),
        |v| format!(", text \"{}\" ({}) in force since {}", v.title, v.id, v.in_force),
    );
    let _ = writeln!(out, "{} ({}) on {}{}", r.treaty.title, r.treaty.id, r.at, version);
    if r.readings.is_empty() {
        let _ = writeln!(out, "Readings: none");
    } else {
        let _ = writeln!(out, "Readings:");
    }
    for x in &r.readings {
        let _ = writeln!(out, "  {} {}{} ({} = {})", x.question_text, x.option_text, if x.default { ", the default" } else { "" }, x.question, x.option);
    }
    out.push('\n');
    let _ = writeln!(out, "Parties");
    out.push_str(&table_or_none(
        &["code", "name", "status", "since"],
        &r.parties.iter().map(|p| vec![p.code.clone(), p.name.clone(), p.status.clone(), p.since.clone()]).collect::<Vec<_>>(),
    ));
    let _ = writeln!(out, "\nChairs");
    out.push_str(&table_or_none(
        &["organ", "chair", "since"],
        &r.chairs.iter().map(|c| vec![c.organ.clone(), c.party.clone(), c.since.clone()]).collect::<Vec<_>>(),
    ));
    let _ = writeln!(out, "\nDocuments");
    let rows: Vec<Vec<String>> = r
        .documents
        .iter()
        .map(|d| {
            let status = if d.limited_format { format!("{} (limited format)", d.status) } else { d.status.to_string() };
            vec![d.id.clone(), d.organ.clone(), status, d.since.clone(), d.blocked_by.join(" "), d.title.clone()]
        })
        .collect();
    out.push_str(&table_or_none(&["document", "organ", "status", "since", "blocked by", "title"], &rows));
    for d in r.documents.iter().filter(|d| d.sheet.iter().any(|s| s.reason.is_some() || s.condition.is_some() || s.position == "opted_out")) {
        // The positions taken by an act, with its date (what the procedure
        // makes of a silent seat is in the sheet, not here).
        for s in &d.sheet {
            let Some(date) = s.date.as_deref().filter(|_| s.position != "pending" && s.position != "signed") else {
                continue;
            };
            let _ = writeln!(out, "  {}: {} {} on {date}", d.id, s.party, s.position.replace('_', " "));
            if let Some(reason) = &s.reason {
                let _ = writeln!(out, "    reason:    {reason}");
            }
            if let Some(condition) = &s.condition {
                let _ = writeln!(out, "    condition: {condition}");
            }
        }
    }
    let _ = writeln!(out, "\nCases");
    if r.cases.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for c in &r.cases {
        let _ = writeln!(out, "\n  {} (case {}, opened {})", c.title, c.id, c.opened);
        // A column for performance that is not fulfilment, only where some
        // obligation of the case has it.
        let not_in_time = |o: &casus_query::report::ObligationRow| match (&o.performed_late, &o.performed_at_unknown_time) {
            (Some(p), _) => format!("performed late on {} by {}", p.date, p.act),
            (_, Some(p)) => format!("performed on {} by {}, time of day unknown", p.date, p.act),
            _ => String::new(),
        };
        let extra = c.obligations.iter().any(|o| o.performed_late.is_some() || o.performed_at_unknown_time.is_some());
        let rows: Vec<Vec<String>> = c
            .obligations
            .iter()
            .map(|o| {
                let mut row = vec![
                    o.debtor.clone(),
                    o.creditor.clone(),
                    o.duty_title.clone(),
                    o.status_text.clone(),
                    o.since.clone(),
                    o.deadline.clone().unwrap_or_default(),
                    o.fulfilled_by.clone().unwrap_or_default(),
                ];
                if extra {
                    row.push(not_in_time(o));
                }
                row
            })
            .collect();
        let mut header = vec!["debtor", "creditor", "duty", "status", "since", "deadline", "fulfilled by"];
        if extra {
            header.push("performed, not in time");
        }
        for l in table(&header, &rows).lines() {
            let _ = writeln!(out, "  {l}");
        }
        for r in &c.responses {
            let _ = writeln!(out, "    answered on {}: {} {} ({})", r.date, r.actor, r.kind, r.act);
        }
    }
    let examples = example_facts(r);
    let examples = if examples.is_empty() { format!("one of {}", casus_query::FACT_FORMS) } else { format!("for example {examples}") };
    let _ = writeln!(
        out,
        "\n{} dated on or before {}. Ask why with: casus explain TREATY RECORD FACT, where FACT is {examples}.",
        casus_model::words::count(r.acts_considered, "act", "acts"),
        r.at
    );
    out
}

pub fn example_facts(r: &Report) -> String {
    let mut ex: Vec<String> = Vec::new();
    ex.extend(r.cases.iter().flat_map(|c| c.obligations.first()).map(|o| o.fact.clone()).take(1));
    ex.extend(r.cases.first().map(|c| c.fact.clone()));
    ex.extend(r.documents.first().map(|d| d.fact.clone()));
    ex.extend(r.chairs.first().map(|c| c.fact.clone()));
    ex.extend(r.parties.first().map(|p| p.fact.clone()));
    ex.join(", ")
}

/// An explanation in the order a reader checks it: the verdict, the text
/// of the rule and the version in force, the reasons (which cite the acts
/// with their dates and sources), the readings, then each act in full.
/// Every fact id of a report, for suggestions.
pub fn all_facts(r: &Report) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    out.extend(r.parties.iter().map(|p| p.fact.as_str()));
    out.extend(r.chairs.iter().map(|c| c.fact.as_str()));
    out.extend(r.documents.iter().map(|d| d.fact.as_str()));
    for c in &r.cases {
        out.push(&c.fact);
        out.extend(c.obligations.iter().map(|o| o.fact.as_str()));
    }
    out
}

/// The fact a reader most likely meant by `asked`: the one whose id is
/// `asked` without its kind (`arm_2022_09_art4` → `case/arm_2022_09_art4`),
/// or the nearest by edit distance (a misspelled party code, case or duty),
/// if it is near enough to be a slip rather than another fact.
pub fn suggest_fact<'a>(r: &'a Report, asked: &str) -> Option<&'a str> {
    let facts = all_facts(r);
    if let Some(f) = facts.iter().find(|f| !asked.contains('/') && f.split_once('/').is_some_and(|(_, id)| id == asked)) {
        return Some(f);
    }
    let lower = asked.to_lowercase();
    let (best, distance) = facts.iter().map(|f| (*f, edit_distance(&f.to_lowercase(), &lower))).min_by_key(|(_, d)| *d)?;
    (distance <= (asked.chars().count() / 5).max(2)).then_some(best)
}

/// Levenshtein distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

pub fn explanation(e: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n  (fact {})", e.statement, e.fact);
    for rule in &e.rules {
        let what = match (&rule.heading, rule.kind.as_str()) {
            (Some(h), "duty, original text") => format!("{h}, original text"),
            (Some(h), _) => h.clone(),
            (None, kind) => format!("{} ({})", casus_query::capitalise(kind), rule.id),
        };
        let _ = writeln!(out, "\n{what}:");
        if let Some(v) = &rule.version {
            let _ = writeln!(out, "  Text: \"{}\" ({}), in force since {}", v.title, v.id, v.in_force);
        }
        if let Some(q) = &rule.quote {
            for line in wrap(q, 76) {
                let _ = writeln!(out, "  > {line}");
            }
            if let Some(l) = rule.quote_line {
                let _ = writeln!(out, "  (treaty file, line {l})");
            }
        }
        for s in &rule.sources {
            let _ = writeln!(out, "  Source: {}", source(s));
        }
        if !rule.notes.is_empty() {
            let _ = writeln!(out, "  Open points the treaty file states:");
        }
        for n in &rule.notes {
            for (i, line) in wrap(n, 74).iter().enumerate() {
                let _ = writeln!(out, "  {} {line}", if i == 0 { "-" } else { " " });
            }
        }
    }
    let _ = writeln!(out, "\nWhy:");
    for (i, r) in e.reasons.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", i + 1, r);
    }
    if !e.readings.is_empty() {
        let _ = writeln!(out, "\nReadings used:");
        for r in &e.readings {
            let _ = writeln!(out, "  {} {}{} ({} = {})", r.question_text, r.option_text, if r.default { ", the default" } else { "" }, r.question, r.option);
        }
    }
    if !e.acts.is_empty() {
        let _ = writeln!(out, "\nThe acts:");
        for a in &e.acts {
            let _ = writeln!(out, "  {}: {} (act {}, {})", a.date, a.summary, a.id, a.role.replace('_', " "));
            for (k, v) in [("title", &a.title), ("reason", &a.reason), ("condition", &a.condition), ("text", &a.text), ("note", &a.note)] {
                if let Some(v) = v {
                    let _ = writeln!(out, "      {k}: {v}");
                }
            }
            let _ = writeln!(out, "      attested by {}", a.attested_by);
            if let Some(l) = &a.logged_by {
                let _ = writeln!(out, "      {}", l.statement);
            }
            for s in &a.sources {
                let _ = writeln!(out, "      source: {}", source(s));
            }
        }
    }
    out
}

/// Words of `text` in lines of at most `width` characters (a longer word
/// gets a line of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn source(s: &casus_query::SourceCite) -> String {
    match (&s.url, &s.title) {
        (Some(u), Some(t)) => format!("{t} <{u}>"),
        (Some(u), None) => u.clone(),
        (None, Some(t)) => t.clone(),
        (None, None) => String::new(),
    }
}

pub fn membership_over_time(loaded: &Loaded, dates: &[&str]) -> String {
    let mut rows = Vec::new();
    for &d in dates {
        let Some(at) = casus_query::parse_time(d) else { continue };
        let state = casus_engine::derive(&loaded.treaty, &loaded.record.acts, &Query { at, readings: Default::default() });
        let r = casus_query::report(&loaded.treaty, &loaded.record.acts, &loaded.symbols, &state);
        let of = |s: &str| r.parties.iter().filter(|p| p.status == s).map(|p| p.code.clone()).collect::<Vec<_>>().join(" ");
        rows.push(vec![d.to_string(), of("member"), of("suspended"), of("former")]);
    }
    table(&["date", "members", "suspended", "former"], &rows)
}

pub fn chairs_over_time(loaded: &Loaded, dates: &[&str]) -> String {
    let mut rows = Vec::new();
    for &d in dates {
        let Some(at) = casus_query::parse_time(d) else { continue };
        let state = casus_engine::derive(&loaded.treaty, &loaded.record.acts, &Query { at, readings: Default::default() });
        let r = casus_query::report(&loaded.treaty, &loaded.record.acts, &loaded.symbols, &state);
        for c in r.chairs.iter().filter(|c| c.organ == "CSC") {
            rows.push(vec![d.to_string(), c.party.clone(), c.since.clone()]);
        }
    }
    table(&["date", "chair", "since"], &rows)
}
