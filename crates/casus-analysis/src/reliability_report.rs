//! The reliability report of `casus report --reliability`: the counts
//! `reliability.rs` gives, per record and reading, as a Markdown table or
//! as an HTML page with a bar chart of the share fulfilled.

use crate::page::html_page;
use crate::reliability::{ReadingShare, Reliability};
use casus_query::html::esc;
use std::fmt::Write;

const RELIABILITY_COLUMNS: [&str; 11] = [
    "treaty",
    "record",
    "reading",
    "invocations engaging a duty",
    "duties engaged",
    "fulfilled",
    "breached",
    "pending",
    "undetermined",
    "not triggered",
    "share fulfilled",
];

/// A share as a percentage with its n: "3 of 12 (25%)".
pub fn share_text(s: &ReadingShare) -> String {
    match s.share_fulfilled {
        Some(p) => format!("{} of {} ({:.0}%)", s.fulfilled, s.engaged, p * 100.0),
        None => "no duty engaged".to_string(),
    }
}

fn rows(rel: &Reliability) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for t in &rel.treaties {
        for (label, r) in t.distinct() {
            rows.push(vec![
                t.treaty.clone(),
                t.record.clone(),
                label,
                format!("{} of {}", r.invocations_engaging, t.invocations),
                r.engaged.to_string(),
                r.fulfilled.to_string(),
                r.breached.to_string(),
                r.pending.to_string(),
                r.undetermined.to_string(),
                r.not_triggered.to_string(),
                share_text(r),
            ]);
        }
    }
    rows
}

/// The lines under the table: the range, and how much it rests on.
fn summary(rel: &Reliability) -> Vec<String> {
    let invocations: usize = rel.treaties.iter().map(|t| t.invocations).sum();
    let no_duty: usize = rel.treaties.iter().map(|t| t.no_duty).sum();
    vec![
        format!(
            "Each treaty read the way that gives its lowest share: {} duties fulfilled. Read the way that gives its highest: {}.",
            share_text(&rel.lowest),
            share_text(&rel.highest)
        ),
        format!(
            "These rest on {invocations} invocations in {} records ({no_duty} engaging no duty under any reading) and {} to {} duties: small numbers, to be read as counts of cases, not as rates of a population.",
            rel.treaties.len(),
            rel.lowest.engaged.min(rel.highest.engaged),
            rel.lowest.engaged.max(rel.highest.engaged)
        ),
        "A duty counts once per debtor. \"Engaged\" duties arose under the reading (every status but not triggered); pending and undetermined ones count in the denominator, as not (yet) shown fulfilled. A reading under which no duty arises has no share: the text, so read, asked nothing.".to_string(),
    ]
}

pub fn markdown(rel: &Reliability) -> String {
    let mut out = format!("# Duties fulfilled under each reading, as of {}\n\n", rel.at);
    out.push_str(&format!("| {} |\n|{}\n", RELIABILITY_COLUMNS.join(" | "), "---|".repeat(RELIABILITY_COLUMNS.len())));
    for r in rows(rel) {
        let _ = writeln!(out, "| {} |", r.join(" | "));
    }
    out.push('\n');
    for line in summary(rel) {
        let _ = writeln!(out, "{line}\n");
    }
    out
}

/// Bars of the share fulfilled, one per record and distinct reading, then
/// the two totals: the swing between readings, seen at a glance.
fn svg(rel: &Reliability) -> String {
    // Each bar's label: the treaty and record, then the reading in the
    // treaty's words, wrapped, so that a long option text never runs under the bar.
    let mut bars: Vec<(Vec<String>, &ReadingShare)> = Vec::new();
    for t in &rel.treaties {
        for (label, r) in t.distinct() {
            let mut lines = vec![format!("{} {}", t.treaty, t.record)];
            lines.extend(wrap(&label, LABEL_CHARS));
            bars.push((lines, r));
        }
    }
    bars.push((vec!["every record, read for its lowest share".to_string()], &rel.lowest));
    bars.push((vec!["every record, read for its highest share".to_string()], &rel.highest));
    let (width, label_w, line_h) = (900.0, 430.0, 14.0);
    let bar_w = width - label_w - 130.0;
    let height: f64 = bars.iter().map(|(l, _)| line_h * l.len() as f64 + 10.0).sum::<f64>() + 10.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Share of duties fulfilled under each reading\">"
    );
    let mut y = 5.0;
    for (lines, r) in &bars {
        for (k, line) in lines.iter().enumerate() {
            let (size, fill) = if k == 0 { (11, "#000") } else { (10, "#555") };
            let _ = write!(svg, "<text x=\"0\" y=\"{:.1}\" font-size=\"{size}\" fill=\"{fill}\">{}</text>", y + 12.0 + line_h * k as f64, esc(line));
        }
        let _ = write!(svg, "<rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{bar_w}\" height=\"16\" fill=\"#eee\"/>");
        if let Some(p) = r.share_fulfilled {
            let _ = write!(svg, "<rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"16\" fill=\"#1a7f37\"/>", p * bar_w);
        }
        let _ = write!(svg, "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>", label_w + bar_w + 6.0, y + 13.0, esc(&share_text(r)));
        y += line_h * lines.len() as f64 + 10.0;
    }
    svg.push_str("</svg>");
    svg
}

/// The most characters of a bar's label on one line (about the label
/// column's width at the label's size).
const LABEL_CHARS: usize = 70;

/// `text` in lines of at most `width` characters, broken at spaces (a
/// longer word stands alone on its line).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

pub fn html(rel: &Reliability) -> String {
    let head: String = RELIABILITY_COLUMNS.iter().map(|c| format!("<th>{}</th>", esc(c))).collect();
    let body: String = rows(rel).iter().map(|r| format!("<tr>{}</tr>", r.iter().map(|c| format!("<td>{}</td>", esc(c))).collect::<String>())).collect();
    let notes: String = summary(rel).iter().map(|l| format!("<p>{}</p>", esc(l))).collect();
    html_page(
        &format!("duties fulfilled under each reading, as of {}", rel.at),
        &format!("Duties fulfilled under each reading, as of {}", rel.at),
        &format!("{svg}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}", svg = svg(rel)),
    )
}

#[cfg(test)]
mod tests {
    use super::{html, markdown, share_text, wrap};
    use crate::reliability::{ReadingShare, Reliability, TreatyReliability};

    fn share(text: &str, engaged: usize, fulfilled: usize) -> ReadingShare {
        ReadingShare {
            reading: vec![format!("q={text}")],
            reading_text: vec![text.to_string()],
            invocations_engaging: usize::from(engaged > 0),
            engaged,
            fulfilled,
            breached: engaged - fulfilled,
            share_fulfilled: (engaged > 0).then(|| fulfilled as f64 / engaged as f64),
            ..ReadingShare::default()
        }
    }

    fn reliability() -> Reliability {
        let t = TreatyReliability {
            treaty: "T & U".to_string(),
            record: "records/t.md".to_string(),
            invocations: 2,
            no_duty: 1,
            readings: vec![share("on request <art. 4>", 4, 1), share("on the organ's decision", 0, 0)],
        };
        Reliability { at: "2026-01-01".to_string(), lowest: share("low", 4, 1), highest: share("high", 4, 3), treaties: vec![t] }
    }

    #[test]
    fn a_share_is_a_count_of_a_count_with_its_percentage() {
        assert_eq!(share_text(&share("x", 12, 3)), "3 of 12 (25%)");
        assert_eq!(share_text(&share("x", 0, 0)), "no duty engaged");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_a_long_word_stands_alone() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("a verylongword b", 4), vec!["a", "verylongword", "b"]);
        assert!(wrap("   ", 10).is_empty());
    }

    #[test]
    fn markdown_has_a_row_per_distinct_reading_and_the_range() {
        let md = markdown(&reliability());
        assert!(md.starts_with("# Duties fulfilled under each reading, as of 2026-01-01\n\n"), "{md}");
        assert!(md.contains("| T & U | records/t.md | on request <art. 4> | 1 of 2 | 4 | 1 | 3 | 0 | 0 | 0 | 1 of 4 (25%) |\n"), "{md}");
        assert!(md.contains("| on the organ's decision | 0 of 2 | 0 | 0 | 0 | 0 | 0 | 0 | no duty engaged |\n"), "{md}");
        assert!(md.contains("lowest share: 1 of 4 (25%) duties fulfilled. Read the way that gives its highest: 3 of 4 (75%)."), "{md}");
    }

    #[test]
    fn the_page_escapes_every_value_and_has_one_heading() {
        let page = html(&reliability());
        assert_eq!(page.matches("<h1>").count(), 1, "{page}");
        assert!(page.contains("<title>casus: duties fulfilled under each reading, as of 2026-01-01</title>"), "{page}");
        assert!(page.contains("<td>T &amp; U</td>") && page.contains("on request &lt;art. 4&gt;"), "{page}");
        assert!(!page.contains("<art. 4>") && !page.contains("T & U"), "{page}");
        // One bar per distinct reading and the two totals, the first a quarter full.
        assert_eq!(page.matches("fill=\"#eee\"").count(), 4, "{page}");
        assert!(page.contains("width=\"85.0\" height=\"16\" fill=\"#1a7f37\""), "{page}");
    }
}
