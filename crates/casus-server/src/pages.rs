//! The dashboard: server-rendered pages over the same state as the API.
//!
//! Every page works without JavaScript (the date picker and the reading
//! toggles are plain GET forms and links, so any view can be bookmarked);
//! the one script, `static/casus.js` (written for casus, embedded in the
//! binary), adds live updates: it listens to `/api/events` and swaps in the
//! page's `<main>` when an entry is appended. Templates are askama's,
//! checked and compiled in; nothing is loaded from the network.
//!
//! Pages speak the reader's words: names rather than codes, titles rather
//! than ids, one date format (ISO, `2022-12-01`) throughout. Without a date
//! in the address a page opens at the configured featured date (a record's
//! `featured` line), and a bad address gets an HTML page saying what is
//! wrong, never the API's JSON.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use casus_model::Time;
use casus_query::FactId;
use casus_query::report::{CaseRow, DocumentRow};

use crate::api::{StateParams, report_for};
use crate::data::{EntryMeta, VerifyBadge};
use crate::error::{ApiError, blocking};
use crate::state::AppState;
use crate::svg;
use crate::svg::long;
use casus_query::{Question, format_time};

/// One option of a reading, for the toggles.
pub struct Choice {
    pub id: String,
    pub text: String,
    pub selected: bool,
    /// The current page with this option chosen.
    pub href: String,
}

pub struct QuestionView {
    pub id: String,
    pub text: String,
    pub choices: Vec<Choice>,
}

/// What every page shows around its content: navigation, the date picker,
/// the readings and the ledger's head.
pub struct Nav {
    pub page: &'static str,
    pub at: String,
    pub as_of: String,
    /// The query string that keeps the chosen state (for links).
    pub q: String,
    pub questions: Vec<QuestionView>,
    pub head: u64,
    pub treaty: String,
    /// Why the page is empty when `as_of` falls before the first record.
    pub notice: Option<String>,
}

impl Nav {
    pub fn link(&self, path: &str) -> String {
        if self.q.is_empty() { path.to_string() } else { format!("{path}?{}", self.q) }
    }
    pub fn explain(&self, fact: &str) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.append_pair("fact", fact);
        let q = s.finish();
        if self.q.is_empty() { format!("/explain?{q}") } else { format!("/explain?{q}&{}", self.q) }
    }
    /// A date as every page writes it, the way explanations and titles do
    /// ("1 December 2022", with "10:35 UTC" when it is not a whole day).
    /// Text that is not a date is kept as it is.
    pub fn d(&self, when: &str) -> String {
        long(when)
    }
    /// A key id as key listings print it (its first 16 hex digits; the
    /// whole id is in the element's title).
    pub fn short_id<'a>(&self, id: &'a str) -> &'a str {
        id.get(..16).unwrap_or(id)
    }
    pub fn active(&self, page: &str) -> &'static str {
        if self.page == page { "active" } else { "" }
    }
}

fn nav(s: &AppState, page: &'static str, p: &StateParams, at: &str, path: &str) -> Result<Nav, ApiError> {
    let d = s.data()?;
    let questions = crate::api::questions(&d)
        .into_iter()
        .map(|q| {
            let current = p.question.chosen(&q.id).unwrap_or(&q.default).to_string();
            let choices = q
                .options
                .iter()
                .map(|o| {
                    let qs = crate::api::query_string(&p.question.choosing(&q.id, &o.id));
                    Choice { id: o.id.clone(), text: o.name.clone(), selected: o.id == current, href: format!("{path}?{qs}") }
                })
                .collect();
            QuestionView { id: q.id.clone(), text: q.text.clone(), choices }
        })
        .collect();
    // Before the first act was recorded, nothing is known: say so, and when
    // the first entry was recorded, rather than show an empty treaty.
    let notice = match p.question.as_of {
        Some(t) if d.acts.first().and_then(|a| a.recorded).is_some_and(|r| r > t) => {
            let first = d.entry(0).map(|e| long(&e.record_time)).unwrap_or_default();
            let first_act = d.acts.first().and_then(|a| a.recorded).map(casus_query::report::long_date).unwrap_or_default();
            Some(format!(
                "Nothing had been recorded by {}: the ledger was created on {first} and its first act was recorded on {first_act}. Clear “as known at”, or choose a later date, to see the acts.",
                casus_query::report::long_date(t)
            ))
        }
        _ => None,
    };
    Ok(Nav {
        page,
        at: at.to_string(),
        as_of: p.question.as_of.map(format_time).unwrap_or_default(),
        q: p.to_query(),
        questions,
        head: d.size(),
        treaty: d.treaty.title.clone(),
        notice,
    })
}

/// The page's state query: without `at`, the featured date (if any).
fn featured_at(s: &AppState, mut p: StateParams) -> StateParams {
    if p.question.at.is_none() {
        p.question.at = s.config().featured.date;
    }
    p
}

/// Names for codes: parties (from the report) and organs (from the treaty).
fn names(s: &AppState, report: &casus_query::Report) -> Result<HashMap<String, String>, ApiError> {
    let d = s.data()?;
    let mut m: HashMap<String, String> = report.parties.iter().map(|p| (p.code.clone(), p.name.clone())).collect();
    for o in &d.treaty.organs {
        m.insert(d.symbols.name(o.id).to_string(), o.name.clone());
    }
    for p in &d.treaty.parties {
        m.entry(d.symbols.name(p.code).to_string()).or_insert_with(|| p.name.clone());
    }
    Ok(m)
}

fn name_of(names: &HashMap<String, String>, code: &str) -> String {
    names.get(code).cloned().unwrap_or_else(|| code.to_string())
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub message: String,
    pub details: Vec<String>,
}

/// The API's `code` quotes as a reader's “quotes”.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut open = false;
    for c in s.chars() {
        if c == '`' {
            out.push(if open { '”' } else { '“' });
            open = !open;
        } else {
            out.push(c);
        }
    }
    out
}

/// A failed page as a page: the message in HTML with the error's status.
fn error_page(e: ApiError) -> Response {
    let page = ErrorPage { status: e.status.as_u16(), message: quoted(&e.message), details: e.details.iter().map(|d| quoted(d)).collect() };
    match page.render() {
        Ok(html) => (e.status, Html(html)).into_response(),
        Err(_) => e.into_response(),
    }
}

fn or_error_page(r: Result<Response, ApiError>) -> Response {
    r.unwrap_or_else(error_page)
}

fn render(t: &impl Template) -> Result<Response, ApiError> {
    let html = t.render().map_err(ApiError::internal)?;
    Ok(Html(html).into_response())
}

pub struct PartyView {
    pub code: String,
    pub name: String,
    pub status: String,
    pub since: String,
    pub fact: String,
}

pub struct OrganView {
    pub id: String,
    pub name: String,
    pub decides: String,
    pub chair: String,
    pub chair_since: String,
    pub chair_fact: String,
}

/// A forum on the overview: who takes part (it decides nothing).
pub struct ForumView {
    pub id: String,
    pub name: String,
    pub participants: String,
}

/// One line of the story: a case, what happened and its verdict under
/// each reading that changes it.
pub struct StoryLine {
    pub place: String,
    pub text: String,
    pub href: String,
    pub worst: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
pub struct Overview {
    pub nav: Nav,
    pub version: String,
    pub featured: Vec<StoryLine>,
    pub others: Vec<StoryLine>,
    pub parties: Vec<PartyView>,
    pub organs: Vec<OrganView>,
    pub forums: Vec<ForumView>,
    pub membership_svg: String,
    pub acts: usize,
    /// Acts in the ledger (as known at `as_of`), dated or not by `at`.
    pub acts_known: usize,
    /// Entries that are not acts: the genesis and key changes.
    pub other_entries: u64,
}

const NUMBERS: [&str; 13] = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

fn number(n: usize) -> String {
    NUMBERS.get(n).map_or_else(|| n.to_string(), |w| w.to_string())
}

const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// The case's verdict in one word, from its worst obligation's own text.
fn verdict(c: &CaseRow) -> String {
    ["breached", "undetermined", "pending", "fulfilled", "not_triggered"]
        .iter()
        .find_map(|w| c.obligations.iter().find(|o| o.status == *w).map(|o| o.status_text.clone()))
        .unwrap_or_else(|| "no duty arises".into())
}

/// "assistance to the victim of an aggression given by all five within 1
/// day" or "no assistance …": what the obligations' debtors did.
fn happened(c: &CaseRow, act_date: &dyn Fn(&str) -> Option<i64>) -> String {
    let Some(first) = c.obligations.first() else { return "no duty arises".into() };
    let mut duty = first.duty_title.clone();
    if let Some(ch) = duty.chars().next() {
        duty = ch.to_lowercase().collect::<String>() + &duty[ch.len_utf8()..];
    }
    let mut debtors: Vec<&str> = c.obligations.iter().map(|o| o.debtor.as_str()).collect();
    debtors.sort_unstable();
    debtors.dedup();
    let mut done: Vec<&str> = c.obligations.iter().filter(|o| o.status == "fulfilled").map(|o| o.debtor.as_str()).collect();
    done.sort_unstable();
    done.dedup();
    if done.is_empty() {
        let open = c.obligations.iter().any(|o| o.status == "pending");
        return format!("no {duty}{}", if open { " yet" } else { "" });
    }
    let who = if done.len() == debtors.len() { format!("all {}", number(done.len())) } else { format!("{} of {}", number(done.len()), number(debtors.len())) };
    let opened = Time::parse(&c.opened).map(|(t, _)| t.start_of_day().0);
    let days = c
        .obligations
        .iter()
        .filter(|o| o.status == "fulfilled")
        .filter_map(|o| o.fulfilled_by.as_deref().and_then(act_date))
        .max()
        .zip(opened)
        .map(|(done, opened)| (Time(done).start_of_day().0 - opened) / 86_400);
    match days {
        Some(0) => format!("{duty} given by {who} on the day"),
        Some(1) => format!("{duty} given by {who} within a day"),
        Some(n) => format!("{duty} given by {who} within {n} days"),
        None => format!("{duty} given by {who}"),
    }
}

/// The overview's line for one case: computed from its verdicts under the
/// chosen readings and under every other option of each question.
async fn story_line(
    s: &AppState,
    p: &StateParams,
    c: &CaseRow,
    names: &HashMap<String, String>,
    questions: &[crate::api::QuestionBody],
) -> Result<StoryLine, ApiError> {
    let act_date = |id: &str| -> Option<i64> { c.responses.iter().find(|r| r.act == id).and_then(|r| Time::parse(&r.date)).map(|(t, _)| t.0) };
    let mut text = happened(c, &act_date);
    let here = verdict(c);
    let mut varies = false;
    for q in questions {
        let chosen = p.question.chosen(&q.id).unwrap_or(&q.default);
        let mut by_option = Vec::new();
        for o in &q.options {
            let p2 = StateParams { question: p.question.choosing(&q.id, &o.id), fact: None };
            let (_, d2) = report_for(s, p2).await?;
            let v = d2.report.cases.iter().find(|c2| c2.id == c.id).map_or_else(|| "not yet opened".to_string(), verdict);
            // The option as the toggles above name it, and whether it is the one chosen.
            let label = if o.id == chosen { format!("“{}” (chosen)", o.name) } else { format!("“{}”", o.name) };
            by_option.push((label, v));
        }
        if by_option.iter().any(|(_, v)| *v != by_option[0].1) {
            varies = true;
            let parts: Vec<String> = by_option.iter().map(|(o, v)| format!("{v} if {o}")).collect();
            text.push_str("; ");
            text.push_str(&parts.join(", "));
        }
    }
    if !varies && here != "fulfilled" {
        text.push_str("; ");
        text.push_str(&here);
    }
    let place = match Time::parse(&c.opened) {
        Some((t, _)) => {
            let (y, m, _) = t.date();
            format!("{}, {} {y}", name_of(names, &c.requester), MONTHS[(m as usize).clamp(1, 12) - 1])
        }
        None => name_of(names, &c.requester),
    };
    let worst = ["breached", "undetermined", "pending", "fulfilled", "not_triggered"]
        .into_iter()
        .find(|w| c.obligations.iter().any(|o| o.status == *w))
        .unwrap_or("not_triggered");
    let q = p.to_query();
    Ok(StoryLine { place, text, href: format!("/cases?{q}#case-{}", c.id), worst: worst.to_string() })
}

pub async fn overview(State(s): State<AppState>, p: Result<StateParams, ApiError>) -> Response {
    match p {
        Ok(p) => or_error_page(overview_page(s, p).await),
        Err(e) => error_page(e),
    }
}

async fn overview_page(s: AppState, p: StateParams) -> Result<Response, ApiError> {
    let p = featured_at(&s, p);
    let (r, d) = report_for(&s, p.clone()).await?;
    let nav = nav(&s, "overview", &p, &d.report.at, "/")?;
    let names = names(&s, &d.report)?;
    let questions = crate::api::questions(&*s.data()?);
    let featured_ids = s.config().featured.cases.clone();
    let mut featured = Vec::new();
    for id in &featured_ids {
        if let Some(c) = d.report.cases.iter().find(|c| c.id == *id) {
            featured.push(story_line(&s, &p, c, &names, &questions).await?);
        }
    }
    let mut others = Vec::new();
    for c in d.report.cases.iter().filter(|c| !featured_ids.contains(&c.id)) {
        others.push(story_line(&s, &p, c, &names, &questions).await?);
    }
    let data = s.data()?;
    let link = |y: i64| {
        let mut p2 = p.clone();
        p2.question.at = Some(Time::from_date(y, 1, 1).end_of_day());
        format!("/?{}", p2.to_query())
    };
    let membership_svg = svg::both(|l| svg::membership(&data.treaty, &data.acts[..r.known()], &data.symbols, r.question.at, &link, l));
    let organs = data
        .treaty
        .organs
        .iter()
        .map(|o| {
            let id = data.symbols.name(o.id).to_string();
            let chair = d.report.chairs.iter().find(|c| c.organ == id);
            OrganView {
                name: o.name.clone(),
                decides: o.rules_described(&data.symbols),
                chair: chair.map(|c| name_of(&names, &c.party)).unwrap_or_else(|| "—".into()),
                chair_since: chair.map(|c| c.since.clone()).unwrap_or_default(),
                chair_fact: chair.map(|c| c.fact.clone()).unwrap_or_default(),
                id,
            }
        })
        .collect();
    let forums = data
        .treaty
        .forums
        .iter()
        .map(|f| {
            let who: Vec<String> = f.participants.iter().map(|&p| name_of(&names, data.symbols.name(p))).collect();
            ForumView { id: data.symbols.name(f.id).to_string(), name: f.name.clone(), participants: casus_model::words::and_list(&who) }
        })
        .collect();
    let page = Overview {
        version: d.report.version.as_ref().map(|v| format!("{} (in force from {})", v.title, long(&v.in_force))).unwrap_or_else(|| "no text in force".into()),
        parties: d
            .report
            .parties
            .iter()
            .map(|p| PartyView { code: p.code.clone(), name: p.name.clone(), status: p.status.clone(), since: p.since.clone(), fact: p.fact.clone() })
            .collect(),
        organs,
        forums,
        membership_svg,
        acts: d.report.acts_considered,
        acts_known: r.known(),
        other_entries: data.size().saturating_sub(data.acts.len() as u64),
        featured,
        others,
        nav,
    };
    drop(data);
    render(&page)
}

/// The verdicts, in the matrix's column order ("undetermined": performed at
/// a time of day the record does not give, on the deadline's day).
pub const STATUSES: [(&str, &str); 5] =
    [("pending", "pending"), ("fulfilled", "fulfilled"), ("breached", "breached"), ("undetermined", "undetermined"), ("not_triggered", "not triggered")];

pub struct MatrixRow {
    pub debtor: String,
    pub debtor_name: String,
    pub duty: String,
    /// The duty's title, shown; the id goes in the cell's tooltip.
    pub duty_title: String,
    pub status: String,
    pub status_text: String,
    pub deadline: String,
    /// The act that met the duty, in words: "deployment by the Collective Security Council, 2022-01-06".
    pub fulfilled_by: String,
    pub fact: String,
}

/// An answer recorded in a case, in words.
pub struct ResponseView {
    pub date: String,
    pub actor: String,
    pub kind: String,
    pub act: String,
}

pub struct CaseView {
    pub case: CaseRow,
    pub requester: String,
    pub rows: Vec<MatrixRow>,
    pub responses: Vec<ResponseView>,
    /// Count per status, in `STATUSES` order.
    pub counts: Vec<(String, String, usize)>,
}

#[derive(Template)]
#[template(path = "cases.html")]
pub struct Cases {
    pub nav: Nav,
    pub cases: Vec<CaseView>,
}

pub async fn cases(State(s): State<AppState>, p: Result<StateParams, ApiError>) -> Response {
    match p {
        Ok(p) => or_error_page(cases_page(s, p).await),
        Err(e) => error_page(e),
    }
}

async fn cases_page(s: AppState, p: StateParams) -> Result<Response, ApiError> {
    let p = featured_at(&s, p);
    let (_, d) = report_for(&s, p.clone()).await?;
    let nav = nav(&s, "cases", &p, &d.report.at, "/cases")?;
    let names = names(&s, &d.report)?;
    let cases = d
        .report
        .cases
        .iter()
        .map(|c| CaseView {
            requester: name_of(&names, &c.requester),
            responses: c
                .responses
                .iter()
                .map(|a| ResponseView { date: a.date.clone(), actor: name_of(&names, &a.actor), kind: a.kind.replace(['_', '-'], " "), act: a.act.clone() })
                .collect(),
            rows: c
                .obligations
                .iter()
                .map(|o| MatrixRow {
                    debtor_name: name_of(&names, &o.debtor),
                    debtor: o.debtor.clone(),
                    duty: o.duty.clone(),
                    duty_title: o.duty_title.clone(),
                    status: o.status.to_string(),
                    status_text: o.status_text.clone(),
                    deadline: o.deadline.clone().unwrap_or_default(),
                    fulfilled_by: o
                        .fulfilled_by
                        .as_deref()
                        .map(|id| match c.responses.iter().find(|r| r.act == id) {
                            Some(r) => format!("{} by {}, {}", r.kind.replace(['_', '-'], " "), name_of(&names, &r.actor), long(&r.date)),
                            None => id.to_string(),
                        })
                        .unwrap_or_default(),
                    fact: o.fact.clone(),
                })
                .collect(),
            counts: STATUSES.iter().map(|(w, t)| (w.to_string(), t.to_string(), c.obligations.iter().filter(|o| o.status == *w).count())).collect(),
            case: c.clone(),
        })
        .collect();
    render(&Cases { nav, cases })
}

#[derive(Template)]
#[template(path = "documents.html")]
pub struct Documents {
    pub nav: Nav,
    pub documents: Vec<DocumentRow>,
    pub names: HashMap<String, String>,
}

impl Documents {
    pub fn name(&self, code: &str) -> String {
        name_of(&self.names, code)
    }
    /// A close at the end of a day is that day (the pages' one date format).
    pub fn day(&self, when: &str) -> String {
        long(when.strip_suffix("T23:59:59Z").unwrap_or(when))
    }
    pub fn names_of(&self, codes: &[String]) -> String {
        codes.iter().map(|c| name_of(&self.names, c)).collect::<Vec<_>>().join(", ")
    }
}

pub async fn documents(State(s): State<AppState>, p: Result<StateParams, ApiError>) -> Response {
    match p {
        Ok(p) => or_error_page(documents_page(s, p).await),
        Err(e) => error_page(e),
    }
}

async fn documents_page(s: AppState, p: StateParams) -> Result<Response, ApiError> {
    let p = featured_at(&s, p);
    let (_, d) = report_for(&s, p.clone()).await?;
    let nav = nav(&s, "documents", &p, &d.report.at, "/documents")?;
    let names = names(&s, &d.report)?;
    render(&Documents { nav, documents: d.report.documents.clone(), names })
}

#[derive(Template)]
#[template(path = "timeline.html")]
pub struct Timeline {
    pub nav: Nav,
    pub svg: String,
}

pub async fn timeline(State(s): State<AppState>, p: Result<StateParams, ApiError>) -> Response {
    match p {
        Ok(p) => or_error_page(timeline_page(s, p).await),
        Err(e) => error_page(e),
    }
}

async fn timeline_page(s: AppState, p: StateParams) -> Result<Response, ApiError> {
    let p = featured_at(&s, p);
    let (r, d) = report_for(&s, p.clone()).await?;
    let nav = nav(&s, "timeline", &p, &d.report.at, "/timeline")?;
    let names = names(&s, &d.report)?;
    let data = s.data()?;
    let link = |y: i64| {
        let mut p2 = p.clone();
        p2.question.at = Some(Time::from_date(y, 1, 1).end_of_day());
        format!("/timeline?{}", p2.to_query())
    };
    let explain = |fact: &str| nav.explain(fact);
    let name = |code: &str| name_of(&names, code);
    let links = svg::TimelineLinks { year: &link, explain: &explain, name: &name };
    let svg = svg::both(|l| svg::timeline(&d.report, &data.treaty, &data.acts[..r.known()], &data.symbols, r.question.at, &links, l));
    drop(data);
    render(&Timeline { nav, svg })
}

#[derive(Template)]
#[template(path = "explain.html")]
pub struct Explain {
    pub nav: Nav,
    pub e: casus_query::Explanation,
}

pub async fn explain(State(s): State<AppState>, p: Result<StateParams, ApiError>) -> Response {
    match p {
        Ok(p) => or_error_page(explain_page(s, p).await),
        Err(e) => error_page(e),
    }
}

async fn explain_page(s: AppState, p: StateParams) -> Result<Response, ApiError> {
    let p = featured_at(&s, p);
    let fact = crate::api::fact_id(p.fact.as_deref(), "/explain")?;
    let (r, d) = report_for(&s, p.clone()).await?;
    let mut p_nav = p.clone();
    p_nav.fact = None;
    let nav = nav(&s, "explain", &p_nav, &d.report.at, "/explain")?;
    let s2 = s.clone();
    let e = blocking(move || s2.explain(&r, &fact)).await?;
    render(&Explain { nav, e })
}

#[derive(Template)]
#[template(path = "ledger.html")]
pub struct Ledger {
    pub nav: Nav,
    pub badge: VerifyBadge,
    pub size: u64,
    pub root: String,
    pub ledger_id: String,
    pub treaty_name: String,
    pub treaty_sha256: String,
    pub checkpoints: Vec<crate::api::CheckpointBody>,
    pub entries: Vec<LedgerRow>,
    pub page: u64,
    pub pages: u64,
    /// Acts among the entries, and the other entries.
    pub acts: usize,
}

/// A ledger entry with, for an act, its date and where it is explained.
pub struct LedgerRow {
    pub e: EntryMeta,
    /// What the entry holds, in words (an act: who, what, about what).
    pub what: String,
    /// The act's date as the record gives it (empty for other entries).
    pub date: String,
    /// The explanation of the fact the act bears on, on the act's date.
    pub explain: Option<String>,
    /// When the witnesses prove the entry was logged by (empty when no
    /// cosigned checkpoint covers it yet).
    pub logged_by: String,
}

impl Ledger {
    pub fn pager(&self, page: u64) -> String {
        let base = format!("/ledger?page={page}");
        if self.nav.q.is_empty() { base } else { format!("{base}&{}", self.nav.q) }
    }
}

/// Entries per ledger page.
const LEDGER_PAGE: u64 = 100;
/// Checkpoints the ledger page lists (the newest).
const LEDGER_CHECKPOINTS: usize = 10;

pub async fn ledger(State(s): State<AppState>, p: Result<StateParams, ApiError>, raw: RawQuery) -> Response {
    match p {
        Ok(p) => or_error_page(ledger_page(s, p, raw).await),
        Err(e) => error_page(e),
    }
}

/// The fact an act bears on: the case it belongs to or opened (of
/// `cases`, the cases opened), the document it proposes, decides or takes
/// a position on, or, for an act that may change membership, its actor's;
/// `None` for an act no explanation lists.
fn act_fact(a: &casus_model::Act, symbols: &casus_model::Symbols, treaty: &casus_model::Treaty, cases: &HashSet<&str>) -> Option<FactId> {
    use casus_model::ActKind::*;
    let name = |s: casus_model::Sym| symbols.name(s).to_string();
    if a.case.is_some() && cases.contains(symbols.name(a.case)) {
        return Some(FactId::Case(name(a.case)));
    }
    if matches!(a.kind, Request | Attack) && a.id.is_some() && cases.contains(symbols.name(a.id)) {
        return Some(FactId::Case(name(a.id)));
    }
    if a.document.is_some() && a.kind.concerns_document() {
        return Some(FactId::Document(name(a.document)));
    }
    if casus_model::membership::may_change_membership(a) && treaty.party(a.actor).is_some() {
        return Some(FactId::Party(name(a.actor)));
    }
    None
}

async fn ledger_page(s: AppState, p: StateParams, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p = featured_at(&s, p);
    let page: u64 = raw
        .as_deref()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "page").map(|(_, v)| v.to_string()))
        .map(|v| v.parse().map_err(|_| ApiError::bad_request("`page` is not a number")))
        .transpose()?
        .unwrap_or(0);
    let s2 = s.clone();
    let (badge, checkpoints) = blocking(move || Ok((s2.verify()?, crate::api::read_checkpoints(&s2, u64::MAX, LEDGER_CHECKPOINTS)?))).await?;
    let at = p.question.at.map(format_time).unwrap_or_default();
    let nav = nav(&s, "ledger", &p, &at, "/ledger")?;
    // The cases the log's acts opened (under the chosen readings): a
    // request or an attack that opened none links to no case.
    let latest = Question { at: None, as_of: p.question.as_of, readings: p.question.readings.clone() };
    let (_, derived) = crate::api::report_for(&s, StateParams { question: latest, fact: None }).await?;
    let cases: HashSet<&str> = derived.report.cases.iter().map(|c| c.id.as_str()).collect();
    let d = s.data()?;
    let size = d.size();
    let pages = size.div_ceil(LEDGER_PAGE).max(1);
    let page = page.min(pages - 1);
    // Newest first.
    let end = size.saturating_sub(page * LEDGER_PAGE);
    let start = end.saturating_sub(LEDGER_PAGE);
    let titles = casus_query::report::document_titles(&d.acts, &d.symbols);
    let witnessed = s.witnessed_times()?;
    let entries: Vec<LedgerRow> = (start as usize..end as usize)
        .rev()
        .filter_map(|i| {
            let e = d.entry(i as u64)?;
            let act = d.act_at(i as u64);
            let date = act.map(casus_query::report::act_date).unwrap_or_default();
            let explain = act.and_then(|a| {
                let fact = act_fact(a, &d.symbols, &d.treaty, &cases)?;
                // On the act's day, under the chosen readings.
                let on_the_day = Question { at: Some(a.time.end_of_day()), as_of: None, readings: p.question.readings.clone() };
                let mut q = form_urlencoded::Serializer::new(String::new());
                q.append_pair("fact", &fact.to_string());
                let mut href = format!("/explain?{}&{}", q.finish(), crate::api::query_string(&on_the_day));
                if let Some(id) = &e.act {
                    href.push_str(&format!("#act-{id}"));
                }
                Some(href)
            });
            let what = act.map_or_else(|| e.summary.clone(), |a| casus_query::report::act_words(a, &d.treaty, &d.symbols, &titles));
            let logged_by = witnessed.of(e.seq).map(|l| l.time).unwrap_or_default();
            Some(LedgerRow { e, what, date, explain, logged_by })
        })
        .collect();
    let l = Ledger {
        badge,
        size,
        root: casus_ledger::hex_encode(&d.root()),
        ledger_id: d.ledger_id.clone(),
        treaty_name: d.treaty_name.clone(),
        treaty_sha256: d.treaty_sha256.clone(),
        checkpoints: checkpoints.into_iter().rev().collect(),
        entries,
        page,
        pages,
        acts: d.acts.len(),
        nav,
    };
    drop(d);
    render(&l)
}

/// The embedded assets: the stylesheet and the live-update script.
pub async fn asset(file: Result<Path<String>, axum::extract::rejection::PathRejection>) -> Result<Response, ApiError> {
    let Path(file) = file.map_err(crate::api::path_error)?;
    let (body, ty): (&'static str, &'static str) = match file.as_str() {
        "casus.css" => (include_str!("../static/casus.css"), "text/css; charset=utf-8"),
        "casus.js" => (include_str!("../static/casus.js"), "text/javascript; charset=utf-8"),
        _ => return Err(ApiError::not_found(format!("no asset `{file}`"))),
    };
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ty));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    Ok(r)
}
