//! Hand-written SVG for the dashboard: membership over time and the
//! timeline of acts and cases.
//!
//! Written by hand rather than with a chart library so that the output is
//! deterministic, needs no script to draw, and prints and scales on a phone
//! (`viewBox` with a relative width). Every mark has a `<title>` with its
//! text, and colours are never the only carrier of meaning: lanes and
//! segments are labelled.
//!
//! Each chart is drawn twice, for a wide and a narrow screen ([`Layout`]):
//! a chart scaled down from 960 units to a phone's 390 pixels would shrink
//! its labels to 4 pixels, so the narrow drawing puts lane labels above
//! their lanes and has fewer ticks, and the stylesheet shows one of the two.
//!
//! The date format ([`long`]) the charts write is the pages' too, which
//! take it from here; the escaping is the layer's (`casus_query::html::esc`).

use casus_model::membership::{Step, timelines};
use casus_model::{Act, ActKind, MembershipChange, Symbols, Time, Treaty};
use casus_query::Report;
use casus_query::html::esc;
use std::fmt::Write;

/// A date or time (ISO, as the report gives it) in the pages' one format.
pub fn long(when: &str) -> String {
    match Time::parse(when) {
        Some((t, casus_model::Precision::Day)) => casus_query::report::long_date(t.start_of_day()),
        Some((t, _)) => casus_query::report::long_date(t),
        None => when.to_string(),
    }
}

const YEAR: f64 = 365.2425 * 86_400.0;
const DAY: i64 = 86_400;

/// The geometry of one drawing: a wide one for laptops, a narrow one for phones.
#[derive(Clone, Copy)]
pub struct Layout {
    /// The `viewBox` width, in user units (about pixels at the intended size).
    pub width: f64,
    /// Where the time axis starts: room for lane labels on the left.
    pub x0: f64,
    /// Lane labels on a line of their own above the lane (narrow screens).
    pub labels_above: bool,
    pub max_ticks: i64,
    /// Distinguishes the two drawings' element ids.
    pub name: &'static str,
}

pub const WIDE: Layout = Layout { width: 960.0, x0: 150.0, labels_above: false, max_ticks: 12, name: "wide" };
pub const NARROW: Layout = Layout { width: 380.0, x0: 6.0, labels_above: true, max_ticks: 5, name: "narrow" };

/// Both drawings of a chart, the stylesheet showing the one that fits.
pub fn both(draw: impl Fn(Layout) -> String) -> String {
    format!(r#"<div class="chart-wide">{}</div><div class="chart-narrow">{}</div>"#, draw(WIDE), draw(NARROW))
}

struct Scale {
    from: i64,
    to: i64,
    x0: f64,
    width: f64,
    max_ticks: i64,
}

impl Scale {
    fn x(&self, t: i64) -> f64 {
        let t = t.clamp(self.from, self.to);
        self.x0 + (t - self.from) as f64 / (self.to - self.from).max(1) as f64 * self.width
    }
    /// Year ticks, at most `max_ticks`.
    fn ticks(&self) -> Vec<(i64, f64)> {
        let (y0, y1) = (Time(self.from).year(), Time(self.to).year());
        let step = (((y1 - y0) as f64) / self.max_ticks as f64).ceil().max(1.0) as i64;
        (y0..=y1 + 1)
            .filter(|y| (y - y0) % step == 0)
            .map(|y| Time::from_date(y, 1, 1).0)
            .filter(|t| *t >= self.from && *t <= self.to)
            .map(|t| (Time(t).year(), self.x(t)))
            .collect()
    }
}

fn axis(svg: &mut String, s: &Scale, top: f64, bottom: f64, link: &dyn Fn(i64) -> String) {
    for (y, x) in s.ticks() {
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{bottom}" class="grid"/><a href="{}"><text x="{x:.1}" y="{:.1}" class="tick">{y}</text></a>"##,
            esc(&link(y)),
            bottom + 14.0
        );
    }
}

/// The line on the chosen date, its label kept inside the drawing: near an
/// edge the label runs inward from the line instead of centred on it.
fn at_line(svg: &mut String, s: &Scale, width: f64, at: Time, top: f64, bottom: f64) {
    let x = s.x(at.0);
    let label = casus_query::report::long_date(at);
    let half = label.chars().count() as f64 * 3.6;
    let anchor = if x + half > width - 2.0 {
        "end"
    } else if x - half < 2.0 {
        "start"
    } else {
        "middle"
    };
    let _ = write!(
        svg,
        r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{bottom}" class="at"/><text x="{x:.1}" y="{:.1}" class="at-label" text-anchor="{anchor}">{}</text>"##,
        top - 4.0,
        top - 6.0,
        esc(&label)
    );
}

/// Membership of every party over time: a lane per party, a segment per
/// period as member, suspended or former, and a line on the chosen date.
/// `link(year)` is the address of the page on 1 January of that year.
pub fn membership(treaty: &Treaty, acts: &[Act], symbols: &Symbols, at: Time, link: &dyn Fn(i64) -> String, l: Layout) -> String {
    let lines = timelines(treaty, acts);
    let parties: Vec<_> = treaty.parties.iter().filter(|p| lines.get(&p.code).is_some_and(|l| !l.is_empty())).collect();
    // An unknown stretch from the beginning (a join known only by a date)
    // starts the chart at the first dated step instead.
    let first = lines.values().flat_map(|l| l.iter().map(|(t, _)| t.0)).filter(|&t| t != Time::MIN.0).min().unwrap_or(at.0);
    let last = lines.values().flat_map(|l| l.iter().map(|(t, _)| t.0)).max().unwrap_or(at.0).max(at.0);
    // Party codes are short: a narrow lane-label column is enough.
    let x0 = if l.labels_above { 36.0 } else { 70.0 };
    let s = Scale { from: Time(first).start_of_day().0, to: last + (YEAR as i64), x0, width: l.width - x0 - 10.0, max_ticks: l.max_ticks };
    let lane = 22.0;
    let top = 24.0;
    let height = top + lane * parties.len() as f64 + 24.0;
    let id = format!("membership-title-{}", l.name);
    let mut svg = format!(
        r##"<svg class="chart" viewBox="0 0 {:.0} {height:.0}" role="img" aria-labelledby="{id}"><title id="{id}">Membership of the treaty over time</title>"##,
        l.width
    );
    axis(&mut svg, &s, top, height - 20.0, link);
    for (i, p) in parties.iter().enumerate() {
        let y = top + lane * i as f64;
        let code = symbols.name(p.code);
        let _ = write!(svg, r##"<text x="4" y="{:.1}" class="lane"><title>{}</title>{}</text>"##, y + 15.0, esc(&p.name), esc(code));
        let changes = &lines[&p.code];
        for (j, (t, change)) in changes.iter().enumerate() {
            let end = changes.get(j + 1).map_or(s.to, |(t2, _)| t2.0);
            let (class, word) = match change {
                Step::Change(MembershipChange::Join | MembershipChange::Return) => ("member", "member"),
                Step::Change(MembershipChange::Suspend) => ("suspended", "suspended"),
                Step::Change(MembershipChange::Leave) => ("former", "former"),
                Step::Unknown => ("unknown", "not known"),
            };
            let (x1, x2) = (s.x(t.0.max(s.from)), s.x(end));
            let _ = write!(
                svg,
                r##"<rect x="{x1:.1}" y="{:.1}" width="{:.1}" height="14" class="seg {class}"><title>{}: {word} {}</title></rect>"##,
                y + 4.0,
                (x2 - x1).max(1.0),
                esc(&p.name),
                esc(&if *t == Time::MIN {
                    format!("until {}", casus_query::report::long_date(Time(end)))
                } else {
                    format!("from {}", casus_query::report::long_date(*t))
                })
            );
            if x2 - x1 > 60.0 {
                let _ = write!(svg, r##"<text x="{:.1}" y="{:.1}" class="seg-label">{word}</text>"##, x1 + 4.0, y + 15.0);
            }
        }
    }
    at_line(&mut svg, &s, l.width, at, top, height - 20.0);
    svg.push_str("</svg>");
    svg
}

fn lane_of(kind: ActKind) -> usize {
    use ActKind::*;
    match kind {
        Attack | Request => 0,
        Session | Propose | Decision | Determination | Vote | Amendment | Objection => 1,
        Sign | Refuse | OptOut | Reservation => 2,
        Assistance | Deployment | Mission | Visit | Offer => 3,
        _ => 4,
    }
}

const LANES: [&str; 5] = ["attacks, requests", "sessions, decisions", "signatures, refusals", "assistance, missions", "statements, other"];

/// Width of a label in user units at the charts' 10-unit font (an
/// estimate: system fonts average under 0.6 em per character).
fn label_width(text: &str) -> f64 {
    text.chars().count() as f64 * 5.6
}

/// When a case stopped changing: the latest date an obligation took its
/// verdict, or `at` while one is still open. A case with no obligation
/// ends where it opened.
fn case_end(c: &casus_query::report::CaseRow, opened: i64, at: Time) -> i64 {
    let open = c.obligations.iter().any(|o| o.status == "pending" || o.status == "undetermined");
    if open {
        return at.0;
    }
    let settled = c.obligations.iter().filter_map(|o| Time::parse(&o.since).map(|(t, _)| t.end_of_day().0)).max().unwrap_or(opened);
    settled.max(opened).min(at.0)
}

/// "Armenia, Sep 2022": a case as the timeline labels it.
pub fn case_label(c: &casus_query::report::CaseRow, names: &dyn Fn(&str) -> String) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    match Time::parse(&c.opened) {
        Some((t, _)) => {
            let (y, m, _) = t.date();
            format!("{}, {} {y}", names(&c.requester), MONTHS[(m as usize).clamp(1, 12) - 1])
        }
        None => names(&c.requester),
    }
}

/// How the timeline links and names things: the page on 1 January of a
/// year, the explanation of a fact, a party's or organ's name for its code.
pub struct TimelineLinks<'a> {
    pub year: &'a dyn Fn(i64) -> String,
    pub explain: &'a dyn Fn(&str) -> String,
    pub name: &'a dyn Fn(&str) -> String,
}

/// The timeline: acts as marks in five lanes, labelled where a label does
/// not overlap another; cases as bars from their opening to the day their
/// last verdict fell (or the chosen date, while one is open), coloured by
/// their worst verdict; and a line on the chosen date.
pub fn timeline(report: &Report, treaty: &Treaty, acts: &[Act], symbols: &Symbols, at: Time, links: &TimelineLinks, l: Layout) -> String {
    let (link, explain, names) = (links.year, links.explain, links.name);
    let first = acts.iter().map(|a| a.time.0).min().unwrap_or(at.0);
    let last = acts.iter().map(|a| a.time.0).max().unwrap_or(at.0).max(at.0);
    let s = Scale { from: Time(first).start_of_day().0 - 30 * DAY, to: last + 60 * DAY, x0: l.x0, width: l.width - l.x0 - 10.0, max_ticks: l.max_ticks };
    // A lane: its label line (narrow only), a row of labels above the
    // marks, the marks, a row of labels below.
    let head = if l.labels_above { 14.0 } else { 0.0 };
    let lane = head + 40.0;
    let top = 24.0;
    let case_row = if l.labels_above { 32.0 } else { 20.0 };
    let cases_top = top + lane * LANES.len() as f64 + 10.0;
    let height = cases_top + case_row * report.cases.len() as f64 + 30.0;
    let id = format!("timeline-title-{}", l.name);
    let mut svg = format!(
        r##"<svg class="chart" viewBox="0 0 {:.0} {height:.0}" role="img" aria-labelledby="{id}"><title id="{id}">Acts and cases over time</title>"##,
        l.width
    );
    axis(&mut svg, &s, top, height - 20.0, link);
    for (i, name) in LANES.iter().enumerate() {
        let y = top + lane * i as f64;
        let ly = if l.labels_above { y + 11.0 } else { y + head + 24.0 };
        let _ = write!(svg, r##"<text x="4" y="{ly:.1}" class="lane">{}</text>"##, esc(name));
    }
    // Per lane and label row, where the last label placed ends.
    let mut ends = [[f64::MIN; 2]; LANES.len()];
    let mut marks = String::new();
    let mut labels = String::new();
    let titles = casus_query::report::document_titles(acts, symbols);
    for (i, a) in acts.iter().enumerate() {
        let ln = lane_of(a.kind);
        let x = s.x(a.time.0);
        let y = top + lane * ln as f64 + head + 20.0;
        let id = casus_query::act_name(a, symbols, i);
        let what = format!("{}: {}", casus_query::report::act_date(a), casus_query::report::act_words(a, treaty, symbols, &titles));
        let future = if a.time > at { " future" } else { "" };
        let _ = write!(
            marks,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="5" class="act k{ln}{future}" data-act="{}"><title>{}</title></circle>"##,
            esc(&id),
            esc(&what)
        );
        // The label: the actor and the kind, in the first row it fits
        // without touching the previous label there or the drawing's edge.
        let text = format!("{} {}", symbols.name(a.actor), a.kind.keyword());
        let w = label_width(&text);
        let x1 = (x - w / 2.0).max(s.x0);
        if x1 + w > l.width - 2.0 {
            continue;
        }
        if let Some(row) = (0..2).find(|r| ends[ln][*r] + 10.0 <= x1) {
            ends[ln][row] = x1 + w;
            let ty = if row == 0 { y - 8.0 } else { y + 16.0 };
            let _ = write!(labels, r##"<text x="{x1:.1}" y="{ty:.1}" class="act-label{future}">{}</text>"##, esc(&text));
        }
    }
    svg.push_str(&marks);
    svg.push_str(&labels);
    for (i, c) in report.cases.iter().enumerate() {
        let y = cases_top + case_row * i as f64;
        let bar_y = if l.labels_above { y + 14.0 } else { y };
        let opened = Time::parse(&c.opened).map_or(s.from, |(t, _)| t.0);
        let end = case_end(c, opened, at);
        let (x1, x2) = (s.x(opened), s.x(end));
        let worst = ["breached", "undetermined", "pending", "fulfilled", "not_triggered"]
            .into_iter()
            .find(|w| c.obligations.iter().any(|o| o.status == *w))
            .unwrap_or("none");
        let label = case_label(c, names);
        let (lx, ly) = if l.labels_above { (s.x0.max(4.0), y + 10.0) } else { (4.0, y + 11.0) };
        let _ = write!(
            svg,
            r##"<a href="{}"><rect x="{x1:.1}" y="{bar_y:.1}" width="{:.1}" height="14" class="case st-{worst}"><title>{}: {}, {} to {}</title></rect><text x="{lx:.1}" y="{ly:.1}" class="lane">{}</text></a>"##,
            esc(&explain(&c.fact)),
            (x2 - x1).max(4.0),
            esc(&c.title),
            worst.replace('_', " "),
            esc(&long(&c.opened)),
            esc(&casus_query::report::long_date(Time(end))),
            esc(&label)
        );
        // The verdict in words beside the bar: colour is never alone.
        let word = worst.replace('_', " ");
        let vx = x2.max(x1 + 4.0) + 4.0;
        let (vx, anchor) = if vx + label_width(&word) > l.width - 2.0 { (x1 - 4.0, "end") } else { (vx, "start") };
        let _ = write!(svg, r##"<text x="{vx:.1}" y="{:.1}" class="case-verdict" text-anchor="{anchor}">{}</text>"##, bar_y + 11.0, esc(&word));
    }
    at_line(&mut svg, &s, l.width, at, top, height - 20.0);
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A party known only to be a member on a date is drawn as an unknown
    /// stretch from the treaty's entry into force to that date, and the
    /// chart still starts at the first dated step, not at the beginning of
    /// time.
    #[test]
    fn an_unknown_stretch_is_drawn_and_does_not_stretch_the_axis() {
        let text = "```casus\ntreaty T \"T\"\n  in-force 2000-01-01\n\nparty A \"Aland\"\n  joins 2000-01-01 source \"s\"\n\nparty K \"Kyrgyzstan\"\n  member on 2010-06-12 source \"s\"\n```\n";
        let mut symbols = Symbols::new();
        let (treaty, diags) = casus_lang::load_treaty("t.md", text, &mut symbols);
        assert!(diags.is_empty(), "{diags:?}");
        let at = Time::parse("2012-01-01").expect("date").0;
        let svg = membership(&treaty, &[], &symbols, at, &|y| format!("/{y}"), WIDE);
        assert!(svg.contains(r#"class="seg unknown"><title>Kyrgyzstan: not known from 1 January 2000</title>"#), "{svg}");
        assert!(svg.contains(r#"class="seg member"><title>Kyrgyzstan: member from 12 June 2010</title>"#), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        assert!(svg.contains(">2000<"), "the axis starts in 2000: {svg}");
    }
}
