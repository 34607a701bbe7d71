//! The invocations report of `casus report`: one row per invocation
//! (`cases.rs`'s `CaseRow`s) as a Markdown table, or as an HTML page with
//! an SVG timeline; and the verdict column, which `coverage.rs` shares.

use crate::page::html_page;
use crate::{CaseRow, Verdict};
use casus_model::Time;
use casus_query::html::esc;
use std::fmt::Write;

/// The verdicts under each reading, naming only the questions that change
/// the verdict: "every reading: 5 fulfilled", or
/// "art4_trigger=request: 5 breached; art4_trigger=determination: 5 not_triggered".
pub fn verdict_lines(row: &CaseRow) -> Vec<String> {
    let summary = |v: &Verdict| if v.summary.is_empty() { "no duties".to_string() } else { v.summary.replace('_', " ") };
    let questions = row.verdicts.first().map_or(0, |v| v.reading.len());
    // A question matters if two readings that differ only in it differ in verdict.
    let matters = |qi: usize| {
        row.verdicts
            .iter()
            .any(|a| row.verdicts.iter().any(|b| summary(a) != summary(b) && a.reading.iter().zip(&b.reading).enumerate().all(|(i, (x, y))| i == qi || x == y)))
    };
    let relevant: Vec<usize> = (0..questions).filter(|&i| matters(i)).collect();
    let mut lines: Vec<String> = Vec::new();
    // For people, a reading is its options' texts, not `question=option`.
    for v in &row.verdicts {
        let label = if relevant.is_empty() {
            "every reading".to_string()
        } else {
            relevant.iter().filter_map(|&i| v.reading_text.get(i)).map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" ")
        };
        let line = format!("{label}: {}", summary(v));
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    lines
}

fn verdict_cell(row: &CaseRow) -> String {
    verdict_lines(row).join("<br>")
}

/// The verdict column: the verdicts under each reading, or why the request
/// engages no duty.
pub fn verdict_or_none(row: &CaseRow) -> Vec<String> {
    match &row.no_duty {
        Some(why) => vec![format!("no duty engaged: {why}")],
        None => verdict_lines(row),
    }
}

/// The days column: the count and the act it counts to.
pub fn days_cell(row: &CaseRow) -> String {
    match (row.days_to_first_assistance, &row.first_assistance) {
        (Some(d), Some(act)) => format!("{d} ({act})"),
        (Some(d), None) => d.to_string(),
        _ => "none".to_string(),
    }
}

/// The columns of the invocation table, in Markdown and in HTML alike.
const COLUMNS: [&str; 9] = [
    "treaty",
    "article",
    "requester",
    "for",
    "date",
    "addressed to",
    "response",
    "verdict under each reading",
    "days from the invocation to the first assistance",
];

pub fn markdown(rows: &[CaseRow], at: Time) -> String {
    let mut out = format!("# Invocations, as of {}\n\n", casus_query::report_date(at));
    let _ = writeln!(out, "| {} |\n|{}", COLUMNS.join(" | "), "---|".repeat(COLUMNS.len()));
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.treaty,
            if r.article.is_empty() { "—" } else { &r.article },
            r.requester,
            r.beneficiary,
            r.date,
            if r.organ.is_empty() { "—" } else { &r.organ },
            if r.response.is_empty() { "none recorded".to_string() } else { r.response.join("<br>") },
            if r.no_duty.is_some() { verdict_or_none(r).join("<br>") } else { verdict_cell(r) },
            days_cell(r)
        );
    }
    out
}

/// A self-contained page: the table, and an SVG timeline of the invocations
/// (one mark per case, green where some duty was fulfilled, red otherwise).
pub fn html(rows: &[CaseRow], at: Time) -> String {
    let dates: Vec<i64> = rows.iter().filter_map(|r| Time::parse(&r.date).map(|t| t.0.0)).collect();
    let (lo, hi) = (dates.iter().min().copied().unwrap_or(0), dates.iter().max().copied().unwrap_or(1).max(dates.iter().min().copied().unwrap_or(0) + 86_400));
    let (width, left, right) = (900.0, 40.0, 40.0);
    let x = |t: i64| left + (t - lo) as f64 / (hi - lo) as f64 * (width - left - right);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {}\" role=\"img\" aria-label=\"Timeline of invocations\">",
        60 + 28 * rows.len()
    );
    let _ = write!(svg, "<line x1=\"{left}\" y1=\"30\" x2=\"{}\" y2=\"30\" stroke=\"#444\"/>", width - right);
    for y in [lo, hi] {
        let d = casus_query::report_date(Time(y));
        let _ = write!(svg, "<text x=\"{:.1}\" y=\"20\" font-size=\"11\" text-anchor=\"middle\">{}</text>", x(y), esc(&d));
    }
    for (i, r) in rows.iter().enumerate() {
        let t = Time::parse(&r.date).map(|t| t.0.0).unwrap_or(lo);
        let helped = r.days_to_first_assistance.is_some();
        let colour = if helped { "#1a7f37" } else { "#c62828" };
        let y = 50 + 28 * i;
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"30\" r=\"5\" fill=\"{colour}\"/><line x1=\"{:.1}\" y1=\"35\" x2=\"{:.1}\" y2=\"{}\" stroke=\"{colour}\" stroke-dasharray=\"2 2\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{} {} {} ({}){}</text>",
            x(t),
            x(t),
            x(t),
            y - 4,
            (x(t) + 4.0).min(width - 300.0),
            y,
            esc(&r.date),
            esc(&r.requester),
            esc(&r.article),
            esc(&r.treaty),
            if helped {
                format!(": assistance after {}", casus_model::words::count(r.days_to_first_assistance.unwrap_or(0) as usize, "day", "days"))
            } else if r.no_duty.is_some() {
                ": no duty engaged".to_string()
            } else {
                ": no assistance recorded".to_string()
            }
        );
    }
    svg.push_str("</svg>");
    let mut table = format!("<table><thead><tr>{}</tr></thead><tbody>", COLUMNS.iter().map(|c| format!("<th>{c}</th>")).collect::<String>());
    for r in rows {
        let _ = write!(
            table,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.treaty),
            esc(&r.article),
            esc(&r.requester),
            esc(&r.beneficiary),
            esc(&r.date),
            esc(&r.organ),
            if r.response.is_empty() { "none recorded".to_string() } else { r.response.iter().map(|x| esc(x)).collect::<Vec<_>>().join("<br>") },
            verdict_or_none(r).iter().map(|l| esc(l)).collect::<Vec<_>>().join("<br>"),
            esc(&days_cell(r))
        );
    }
    table.push_str("</tbody></table>");
    let at = casus_query::report_date(at);
    html_page(&format!("invocations as of {at}"), &format!("Invocations, as of {at}"), &format!("{svg}{table}"))
}

#[cfg(test)]
mod tests {
    use super::{days_cell, html, markdown, verdict_lines, verdict_or_none};
    use crate::{CaseRow, Verdict};
    use casus_model::Time;

    fn verdict(reading: &[&str], text: &[&str], summary: &str) -> Verdict {
        Verdict {
            reading: reading.iter().map(|s| s.to_string()).collect(),
            reading_text: text.iter().map(|s| s.to_string()).collect(),
            summary: summary.to_string(),
        }
    }

    fn row(verdicts: Vec<Verdict>) -> CaseRow {
        CaseRow {
            treaty: "T <1>".to_string(),
            case: "c1".to_string(),
            article: "Art. 4 & 5".to_string(),
            requester: "A's \"government\"".to_string(),
            beneficiary: "A".to_string(),
            date: "2022-09-13".to_string(),
            organ: String::new(),
            response: Vec::new(),
            verdicts,
            days_to_first_assistance: None,
            first_assistance: None,
            no_duty: None,
        }
    }

    /// Two questions; only the first changes the verdict, so only its
    /// options label the lines, and readings alike in verdict share one line.
    fn two_questions() -> CaseRow {
        row(vec![
            verdict(&["trigger=request", "speed=week"], &["on request", "within a week"], "2 breached"),
            verdict(&["trigger=request", "speed=month"], &["on request", "within a month"], "2 breached"),
            verdict(&["trigger=organ", "speed=week"], &["on the organ's decision", "within a week"], "2 not_triggered"),
            verdict(&["trigger=organ", "speed=month"], &["on the organ's decision", "within a month"], "2 not_triggered"),
        ])
    }

    #[test]
    fn verdict_lines_name_only_the_questions_that_change_the_verdict() {
        assert_eq!(verdict_lines(&two_questions()), vec!["\"on request\": 2 breached", "\"on the organ's decision\": 2 not triggered"]);
    }

    #[test]
    fn one_verdict_under_every_reading_is_said_once() {
        let r = row(vec![verdict(&["q=a"], &["a"], "1 fulfilled"), verdict(&["q=b"], &["b"], "1 fulfilled")]);
        assert_eq!(verdict_lines(&r), vec!["every reading: 1 fulfilled"]);
        let none = row(vec![verdict(&[], &[], "")]);
        assert_eq!(verdict_lines(&none), vec!["every reading: no duties"]);
    }

    #[test]
    fn a_request_engaging_no_duty_says_why_instead_of_verdicts() {
        let mut r = two_questions();
        r.no_duty = Some("the requester is not a member".to_string());
        assert_eq!(verdict_or_none(&r), vec!["no duty engaged: the requester is not a member"]);
    }

    #[test]
    fn days_cell_names_the_act_it_counts_to() {
        let mut r = two_questions();
        assert_eq!(days_cell(&r), "none");
        r.days_to_first_assistance = Some(3);
        assert_eq!(days_cell(&r), "3");
        r.first_assistance = Some("act-7".to_string());
        assert_eq!(days_cell(&r), "3 (act-7)");
    }

    #[test]
    fn the_page_escapes_every_value_and_has_one_heading() {
        let at = Time::parse("2025-12-31").map(|(t, _)| t.end_of_day()).expect("date");
        let page = html(&[two_questions()], at);
        assert_eq!(page.matches("<h1>").count(), 1, "{page}");
        assert!(page.contains("<h1>Invocations, as of 2025-12-31</h1>"), "{page}");
        assert!(page.contains("<td>T &lt;1&gt;</td><td>Art. 4 &amp; 5</td><td>A&#39;s &quot;government&quot;</td>"), "{page}");
        assert!(!page.contains("T <1>") && !page.contains("4 & 5"), "{page}");
        assert!(page.contains("&quot;on request&quot;: 2 breached<br>"), "{page}");
    }

    #[test]
    fn markdown_has_a_row_per_invocation_with_dashes_for_what_is_missing() {
        let at = Time::parse("2025-12-31").map(|(t, _)| t.end_of_day()).expect("date");
        let md = markdown(&[two_questions()], at);
        let line = md.lines().last().expect("a row");
        assert_eq!(
            line,
            "| T <1> | Art. 4 & 5 | A's \"government\" | A | 2022-09-13 | — | none recorded | \"on request\": 2 breached<br>\"on the organ's decision\": 2 not triggered | none |"
        );
    }
}
