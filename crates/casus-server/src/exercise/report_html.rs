//! The after-action report as an HTML page, with print styles.
//!
//! The report's content is `casus_exercise::report`; this only lays it out
//! for the hotwash: read on screen, or printed and handed round. Every
//! value is escaped.

use std::fmt::Write;

use casus_exercise::report::{AfterAction, DutyRow};

/// HTML escaping is the layer's, written once.
use casus_query::html::esc;

/// A length of scenario time in words: days, hours or minutes, to a
/// tenth ("2 days", "1.5 days", "4 hours").
fn span(secs: i64) -> String {
    let a = secs.abs();
    let tenths = |unit: i64| {
        let n = format!("{:.1}", a as f64 / unit as f64);
        n.strip_suffix(".0").map(str::to_string).unwrap_or(n)
    };
    let t = if a >= 86_400 {
        let n = tenths(86_400);
        format!("{n} {}", if n == "1" { "day" } else { "days" })
    } else if a >= 3_600 {
        let n = tenths(3_600);
        format!("{n} {}", if n == "1" { "hour" } else { "hours" })
    } else {
        casus_model::words::count((a / 60) as usize, "minute", "minutes")
    };
    if secs < 0 { format!("-{t}") } else { t }
}

/// Who entered an act, in words: a delegation, the exercise control, or
/// the starting record.
fn entered_by(by: &str) -> &'static str {
    match by {
        "delegation" => "a delegation",
        "record" => "the starting record",
        _ => "the exercise control",
    }
}

/// What an observation is anchored to, in words: an inject by its number
/// in the scenario, an act by what it did.
fn anchor_text(r: &AfterAction, anchor: &str) -> String {
    match anchor.split_once(':') {
        Some(("inject", id)) => format!("inject {id}"),
        Some(("act", id)) => r.timeline.iter().find(|t| t.act == id).map_or_else(|| format!("act {id}"), |t| t.summary.clone()),
        _ => anchor.to_string(),
    }
}

fn duty_rows(out: &mut String, rows: &[DutyRow]) {
    out.push_str("<table><thead><tr><th>Reading</th><th>Case</th><th>Duty</th><th>Owed by</th><th>Verdict</th><th>Deadline</th><th>Performed after</th></tr></thead><tbody>");
    for d in rows {
        let _ = write!(
            out,
            "<tr><td data-label=\"Reading\">{}</td><td data-label=\"Case\">{}</td><td data-label=\"Duty\">{}</td><td data-label=\"Owed by\">{}</td><td data-label=\"Verdict\" class=\"v-{}\">{}</td><td data-label=\"Deadline\">{}</td><td data-label=\"Performed after\">{}</td></tr>",
            esc(&d.reading_text),
            esc(&d.case_title),
            esc(&d.duty),
            esc(&d.owed_to_name.as_ref().map_or_else(|| d.debtor_name.clone(), |c| format!("{}, to {c}", d.debtor_name))),
            esc(&d.status),
            esc(&d.status.replace('_', " ")),
            d.deadline_text
                .as_deref()
                .map(|x| format!("{}{}", esc(x), d.deadline_secs.map(|s| format!(" ({} after the case opened)", span(s))).unwrap_or_default()))
                .unwrap_or_else(|| "none".into()),
            match (d.performed_what.as_ref().or(d.performed_by.as_ref()), d.performed_secs) {
                (Some(a), Some(s)) => format!("{}: {}", span(s), esc(a)),
                (Some(a), None) => esc(a),
                _ => "not performed".into(),
            }
        );
    }
    out.push_str("</tbody></table>");
}

/// The page.
pub fn render(r: &AfterAction) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>After-action report: {t}</title><style>{css}</style></head><body class=\"report\"><main><h1>After-action report</h1><p class=\"lead\">{t}{f}. Treaty: {tr}. Read at scenario time {at}.</p>",
        t = esc(&r.title),
        // Said once: a fiction's title usually says so itself ("(FICTION)").
        f = if r.fiction && !r.title.to_lowercase().contains("fiction") { " (fiction, for training)" } else { "" },
        tr = esc(&r.treaty),
        at = esc(&r.at_text),
        // Inline, so that a saved copy keeps its print styles.
        css = include_str!("../../static/exercise.css")
    );
    o.push_str("<h2>Decisions</h2>");
    if r.decisions.is_empty() {
        o.push_str("<p>No document was put to an organ during the exercise.</p>");
    }
    for d in &r.decisions {
        let _ = write!(
            o,
            "<section class=\"decision\"><h3>{}</h3><p>Verdict: <strong class=\"v-{}\">{}</strong>",
            esc(if d.title.is_empty() { &d.document } else { &d.title }),
            esc(&d.status),
            esc(&d.verdict)
        );
        o.push_str(".</p><ul>");
        for p in &d.positions {
            let _ = write!(o, "<li><b>{}</b>: {}", esc(&p.name), esc(&p.position.replace('_', " ")));
            if let Some(x) = &p.reason {
                let _ = write!(o, "; reason: \u{201c}{}\u{201d}", esc(x));
            }
            if let Some(x) = &p.condition {
                let _ = write!(o, "; condition: \u{201c}{}\u{201d}", esc(x));
            }
            o.push_str("</li>");
        }
        o.push_str("</ul></section>");
    }
    o.push_str("<h2>Duties, under each reading</h2>");
    if r.duties.is_empty() {
        o.push_str("<p>No duty arose during the exercise.</p>");
    } else {
        duty_rows(&mut o, &r.duties);
    }
    o.push_str("<h2>Divergences from the treaty</h2>");
    if r.divergences_from_treaty.is_empty() {
        o.push_str("<p>No duty was breached under any reading.</p>");
    } else {
        duty_rows(&mut o, &r.divergences_from_treaty);
    }
    if !r.divergences_from_history.is_empty() {
        o.push_str("<h2>Where the players left the historical record</h2><table><thead><tr><th>What</th><th>In the exercise</th><th>In history</th></tr></thead><tbody>");
        for d in &r.divergences_from_history {
            let _ = write!(
                o,
                "<tr><td data-label=\"What\">{}</td><td data-label=\"In the exercise\">{}</td><td data-label=\"In history\">{}</td></tr>",
                esc(&casus_query::capitalise(&d.what)),
                esc(&d.exercise),
                esc(&d.history)
            );
        }
        o.push_str("</tbody></table>");
    }
    o.push_str("<h2>Observations</h2>");
    if r.observations.is_empty() {
        o.push_str("<p>No evaluator wrote an observation.</p>");
    }
    for ob in &r.observations {
        let by = if ob.evaluator_title.is_empty() { &ob.evaluator } else { &ob.evaluator_title };
        let when = casus_query::report::long_date(casus_model::Time(ob.scenario));
        let _ = write!(
            o,
            "<blockquote><p>{}</p><footer>{}, {} (scenario time), on {}</footer></blockquote>",
            esc(&ob.text),
            esc(by),
            esc(&when),
            esc(&anchor_text(r, &ob.anchor))
        );
    }
    o.push_str("<h2>Timeline</h2><table><thead><tr><th>Turn</th><th>Scenario time</th><th>Entered by</th><th>What</th></tr></thead><tbody>");
    for t in &r.timeline {
        let _ = write!(
            o,
            "<tr><td data-label=\"Turn\">{}</td><td data-label=\"Scenario time\">{}</td><td data-label=\"Entered by\">{}</td><td data-label=\"What\">{}</td></tr>",
            t.turn.map_or("–".to_string(), |n| n.to_string()),
            esc(&t.time_text),
            entered_by(&t.by),
            esc(&t.summary)
        );
    }
    o.push_str("</tbody></table></main></body></html>");
    o
}
