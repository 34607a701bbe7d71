//! Hand-written SVG for the dashboard: membership over time and the
//! timeline of acts and cases.
//!
//! Written by hand rather than with a chart library so that the output is
//! deterministic, needs no script to draw, and prints and scales on a phone
//! (`viewBox` with a relative width). Every mark has a `<title>` with its
//! text, and colours are never the only carrier of meaning: lanes and
//! segments are labelled.

use casus_engine::Report;
use casus_model::membership::timelines;
use casus_model::{Act, ActKind, MembershipChange, Symbols, Time, Treaty};
use std::fmt::Write;

/// Escapes text for SVG and HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const YEAR: f64 = 365.2425 * 86_400.0;

struct Scale {
    from: i64,
    to: i64,
    x0: f64,
    width: f64,
}

impl Scale {
    fn x(&self, t: i64) -> f64 {
        let t = t.clamp(self.from, self.to);
        self.x0 + (t - self.from) as f64 / (self.to - self.from).max(1) as f64 * self.width
    }
    /// Year ticks, at most about a dozen.
    fn ticks(&self) -> Vec<(i64, f64)> {
        let (y0, y1) = (Time(self.from).year(), Time(self.to).year());
        let step = (((y1 - y0) as f64) / 12.0).ceil().max(1.0) as i64;
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

fn at_line(svg: &mut String, s: &Scale, at: Time, top: f64, bottom: f64) {
    let x = s.x(at.0);
    let _ = write!(
        svg,
        r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{bottom}" class="at"/><text x="{x:.1}" y="{:.1}" class="at-label">{}</text>"##,
        top - 4.0,
        top - 6.0,
        esc(&casus_engine::report_date(at))
    );
}

/// Membership of every party over time: a lane per party, a segment per
/// period as member, suspended or former, and a line on the chosen date.
/// `link(year)` is the address of the page on 1 January of that year.
pub fn membership(treaty: &Treaty, acts: &[Act], symbols: &Symbols, at: Time, link: &dyn Fn(i64) -> String) -> String {
    let lines = timelines(treaty, acts);
    let parties: Vec<_> = treaty.parties.iter().filter(|p| lines.get(&p.code).is_some_and(|l| !l.is_empty())).collect();
    let first = lines.values().flat_map(|l| l.iter().map(|(t, _)| t.0)).min().unwrap_or(at.0);
    let last = lines.values().flat_map(|l| l.iter().map(|(t, _)| t.0)).max().unwrap_or(at.0).max(at.0);
    let s = Scale { from: Time(first).start_of_day().0, to: last + (YEAR as i64), x0: 70.0, width: 880.0 };
    let lane = 22.0;
    let top = 24.0;
    let height = top + lane * parties.len() as f64 + 24.0;
    let mut svg = format!(r##"<svg class="chart" viewBox="0 0 960 {height:.0}" role="img" aria-labelledby="membership-title"><title id="membership-title">Membership of the treaty over time</title>"##);
    axis(&mut svg, &s, top, height - 20.0, link);
    for (i, p) in parties.iter().enumerate() {
        let y = top + lane * i as f64;
        let code = symbols.name(p.code);
        let _ = write!(svg, r##"<text x="4" y="{:.1}" class="lane">{}</text>"##, y + 15.0, esc(code));
        let changes = &lines[&p.code];
        for (j, (t, change)) in changes.iter().enumerate() {
            let end = changes.get(j + 1).map_or(s.to, |(t2, _)| t2.0);
            let (class, word) = match change {
                MembershipChange::Join | MembershipChange::Return => ("member", "member"),
                MembershipChange::Suspend => ("suspended", "suspended"),
                MembershipChange::Leave => ("former", "former"),
            };
            let (x1, x2) = (s.x(t.0), s.x(end));
            let _ = write!(
                svg,
                r##"<rect x="{x1:.1}" y="{:.1}" width="{:.1}" height="14" class="seg {class}"><title>{}: {word} from {}</title></rect>"##,
                y + 4.0,
                (x2 - x1).max(1.0),
                esc(&p.name),
                esc(&t.display())
            );
            if x2 - x1 > 60.0 {
                let _ = write!(svg, r##"<text x="{:.1}" y="{:.1}" class="seg-label">{word}</text>"##, x1 + 4.0, y + 15.0);
            }
        }
    }
    at_line(&mut svg, &s, at, top, height - 20.0);
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

/// The timeline: acts as marks in five lanes, cases as bars from their
/// opening to the chosen date coloured by their obligations, and a line on
/// the chosen date. Acts outside the window `[from, to]` are left out.
pub fn timeline(report: &Report, acts: &[Act], symbols: &Symbols, at: Time, link: &dyn Fn(i64) -> String) -> String {
    let first = acts.iter().map(|a| a.time.0).min().unwrap_or(at.0);
    let last = acts.iter().map(|a| a.time.0).max().unwrap_or(at.0).max(at.0);
    let s = Scale { from: Time(first).start_of_day().0 - 30 * 86_400, to: last + 60 * 86_400, x0: 150.0, width: 800.0 };
    let lane = 26.0;
    let top = 24.0;
    let cases_top = top + lane * LANES.len() as f64 + 10.0;
    let height = cases_top + 20.0 * report.cases.len() as f64 + 30.0;
    let mut svg = format!(r##"<svg class="chart" viewBox="0 0 960 {height:.0}" role="img" aria-labelledby="timeline-title"><title id="timeline-title">Acts and cases over time</title>"##);
    axis(&mut svg, &s, top, height - 20.0, link);
    for (i, name) in LANES.iter().enumerate() {
        let y = top + lane * i as f64;
        let _ = write!(svg, r##"<text x="4" y="{:.1}" class="lane">{}</text>"##, y + 16.0, esc(name));
    }
    for (i, a) in acts.iter().enumerate() {
        let l = lane_of(a.kind);
        let x = s.x(a.time.0);
        let y = top + lane * l as f64 + 12.0;
        let id = if a.id.is_some() { symbols.name(a.id).to_string() } else { format!("act-{}", i + 1) };
        let mut what = format!("{} {} {}", a.time.format(a.precision), symbols.name(a.actor), a.kind.keyword());
        for sym in [a.subject, a.document, a.to, a.against, a.about] {
            if sym.is_some() {
                what.push(' ');
                what.push_str(symbols.name(sym));
            }
        }
        let future = if a.time > at { " future" } else { "" };
        let _ = write!(svg, r##"<circle cx="{x:.1}" cy="{y:.1}" r="5" class="act k{l}{future}" data-act="{}"><title>{} ({})</title></circle>"##, esc(&id), esc(&what), esc(&id));
    }
    for (i, c) in report.cases.iter().enumerate() {
        let y = cases_top + 20.0 * i as f64;
        let opened = Time::parse(&c.opened).map_or(s.from, |(t, _)| t.0);
        let (x1, x2) = (s.x(opened), s.x(at.0));
        let worst = ["breached", "undetermined", "pending", "fulfilled", "not_triggered"]
            .into_iter()
            .find(|w| c.obligations.iter().any(|o| o.status == *w))
            .unwrap_or("none");
        let _ = write!(
            svg,
            r##"<a href="{}"><rect x="{x1:.1}" y="{y:.1}" width="{:.1}" height="14" class="case st-{worst}"><title>case {} (Article {}, {}): {}</title></rect><text x="4" y="{:.1}" class="lane">{}</text></a>"##,
            esc(&format!("/explain?fact={}", c.fact)),
            (x2 - x1).max(3.0),
            esc(&c.id),
            esc(c.article.trim_start_matches("art")),
            esc(&c.requester),
            worst.replace('_', " "),
            y + 11.0,
            esc(&c.id)
        );
    }
    at_line(&mut svg, &s, at, top, height - 20.0);
    svg.push_str("</svg>");
    svg
}
