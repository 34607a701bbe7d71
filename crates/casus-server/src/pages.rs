//! The dashboard: server-rendered pages over the same state as the API.
//!
//! Every page works without JavaScript (the date picker and the reading
//! toggles are plain GET forms and links, so any view can be bookmarked);
//! the one script, `static/casus.js` (written for casus, embedded in the
//! binary), adds live updates: it listens to `/api/events` and swaps in the
//! page's `<main>` when an entry is appended. Templates are askama's,
//! checked and compiled in; nothing is loaded from the network.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use casus_engine::report::{CaseRow, DocumentRow};

use crate::api::{StateParams, report_for};
use crate::error::{ApiError, blocking};
use crate::state::{AppState, EntryMeta, VerifyBadge};
use crate::svg;

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
    pub fn active(&self, page: &str) -> &'static str {
        if self.page == page { "active" } else { "" }
    }
}

fn nav(s: &AppState, page: &'static str, p: &StateParams, at: &str, path: &str) -> Result<Nav, ApiError> {
    let d = s.data()?;
    let chosen: Vec<(String, String)> = p.interpretation.iter().filter_map(|i| i.split_once('=')).map(|(a, b)| (a.trim().to_string(), b.trim().to_string())).collect();
    let questions = crate::api::questions(&d)
        .into_iter()
        .map(|q| {
            let current = chosen.iter().find(|(qq, _)| *qq == q.id).map_or(q.default.clone(), |(_, o)| o.clone());
            let choices = q
                .options
                .iter()
                .map(|o| {
                    let mut p2 = p.clone();
                    p2.interpretation.retain(|i| i.split_once('=').is_none_or(|(qq, _)| qq.trim() != q.id));
                    p2.interpretation.push(format!("{}={}", q.id, o.id));
                    let qs = p2.to_query();
                    Choice { id: o.id.clone(), text: o.name.clone(), selected: o.id == current, href: format!("{path}?{qs}") }
                })
                .collect();
            QuestionView { id: q.id.clone(), text: q.text.clone(), choices }
        })
        .collect();
    Ok(Nav {
        page,
        at: at.to_string(),
        as_of: p.as_of.clone().unwrap_or_default(),
        q: p.to_query(),
        questions,
        head: d.size(),
        treaty: d.treaty.title.clone(),
    })
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

#[derive(Template)]
#[template(path = "overview.html")]
pub struct Overview {
    pub nav: Nav,
    pub version: String,
    pub parties: Vec<PartyView>,
    pub organs: Vec<OrganView>,
    pub membership_svg: String,
    pub acts: usize,
}

pub async fn overview(State(s): State<AppState>, p: StateParams) -> Result<Response, ApiError> {
    let (r, d) = report_for(&s, p.clone()).await?;
    let nav = nav(&s, "overview", &p, &d.report.at, "/")?;
    let data = s.data()?;
    let link = |y: i64| {
        let mut p2 = p.clone();
        p2.at = Some(format!("{y}-01-01"));
        format!("/?{}", p2.to_query())
    };
    let membership_svg = svg::membership(&data.treaty, &data.acts[..r.known], &data.symbols, r.at, &link);
    let organs = data
        .treaty
        .organs
        .iter()
        .map(|o| {
            let id = data.symbols.name(o.id).to_string();
            let chair = d.report.chairs.iter().find(|c| c.organ == id);
            OrganView {
                name: o.name.clone(),
                decides: o.decides.describe(),
                chair: chair.map(|c| c.party.clone()).unwrap_or_else(|| "—".into()),
                chair_since: chair.map(|c| c.since.clone()).unwrap_or_default(),
                chair_fact: chair.map(|c| c.fact.clone()).unwrap_or_default(),
                id,
            }
        })
        .collect();
    let page = Overview {
        version: d.report.version.as_ref().map(|v| format!("{} (in force from {})", v.title, v.in_force)).unwrap_or_else(|| "no text in force".into()),
        parties: d.report.parties.iter().map(|p| PartyView { code: p.code.clone(), name: p.name.clone(), status: p.status.clone(), since: p.since.clone(), fact: p.fact.clone() }).collect(),
        organs,
        membership_svg,
        acts: d.report.acts_considered,
        nav,
    };
    render(&page)
}

/// The verdicts, in the matrix's column order ("undetermined": performed at
/// a time of day the record does not give, on the deadline's day).
pub const STATUSES: [(&str, &str); 5] = [("pending", "pending"), ("fulfilled", "fulfilled"), ("breached", "breached"), ("undetermined", "undetermined"), ("not_triggered", "not triggered")];

pub struct MatrixRow {
    pub debtor: String,
    pub duty: String,
    /// The duty's title, shown; the id goes in the cell's tooltip.
    pub duty_title: String,
    pub status: String,
    pub status_text: String,
    pub deadline: String,
    pub fulfilled_by: String,
    pub fact: String,
    /// One cell per status: (status, marked).
    pub cells: Vec<(String, bool)>,
}

pub struct CaseView {
    pub case: CaseRow,
    pub rows: Vec<MatrixRow>,
    /// Count per status, in `STATUSES` order.
    pub counts: Vec<(String, String, usize)>,
}

#[derive(Template)]
#[template(path = "cases.html")]
pub struct Cases {
    pub nav: Nav,
    pub cases: Vec<CaseView>,
    pub statuses: Vec<(String, String)>,
}

pub async fn cases(State(s): State<AppState>, p: StateParams) -> Result<Response, ApiError> {
    let (_, d) = report_for(&s, p.clone()).await?;
    let nav = nav(&s, "cases", &p, &d.report.at, "/cases")?;
    let cases = d
        .report
        .cases
        .iter()
        .map(|c| CaseView {
            rows: c
                .obligations
                .iter()
                .map(|o| MatrixRow {
                    debtor: o.debtor.clone(),
                    duty: o.duty.clone(),
                    duty_title: o.duty_title.clone(),
                    status: o.status.clone(),
                    status_text: o.status_text.clone(),
                    deadline: o.deadline.clone().unwrap_or_default(),
                    fulfilled_by: o.fulfilled_by.clone().unwrap_or_default(),
                    fact: o.fact.clone(),
                    cells: STATUSES.iter().map(|(w, _)| (w.to_string(), o.status == *w)).collect(),
                })
                .collect(),
            counts: STATUSES.iter().map(|(w, t)| (w.to_string(), t.to_string(), c.obligations.iter().filter(|o| o.status == *w).count())).collect(),
            case: c.clone(),
        })
        .collect();
    render(&Cases { nav, cases, statuses: STATUSES.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect() })
}

#[derive(Template)]
#[template(path = "documents.html")]
pub struct Documents {
    pub nav: Nav,
    pub documents: Vec<DocumentRow>,
}

pub async fn documents(State(s): State<AppState>, p: StateParams) -> Result<Response, ApiError> {
    let (_, d) = report_for(&s, p.clone()).await?;
    let nav = nav(&s, "documents", &p, &d.report.at, "/documents")?;
    render(&Documents { nav, documents: d.report.documents.clone() })
}

#[derive(Template)]
#[template(path = "timeline.html")]
pub struct Timeline {
    pub nav: Nav,
    pub svg: String,
}

pub async fn timeline(State(s): State<AppState>, p: StateParams) -> Result<Response, ApiError> {
    let (r, d) = report_for(&s, p.clone()).await?;
    let nav = nav(&s, "timeline", &p, &d.report.at, "/timeline")?;
    let data = s.data()?;
    let link = |y: i64| {
        let mut p2 = p.clone();
        p2.at = Some(format!("{y}-01-01"));
        format!("/timeline?{}", p2.to_query())
    };
    let svg = svg::timeline(&d.report, &data.acts[..r.known], &data.symbols, r.at, &link);
    render(&Timeline { nav, svg })
}

#[derive(Template)]
#[template(path = "explain.html")]
pub struct Explain {
    pub nav: Nav,
    pub e: casus_engine::Explanation,
}

pub async fn explain(State(s): State<AppState>, p: StateParams) -> Result<Response, ApiError> {
    let Some(fact) = p.fact.clone() else { return Err(ApiError::bad_request("name a fact: /explain?fact=case/ID")) };
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
    pub entries: Vec<EntryMeta>,
    pub page: u64,
    pub pages: u64,
}

/// Entries per ledger page.
const LEDGER_PAGE: u64 = 100;

pub async fn ledger(State(s): State<AppState>, p: StateParams, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let page: u64 = raw
        .as_deref()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "page").map(|(_, v)| v.to_string()))
        .map(|v| v.parse().map_err(|_| ApiError::bad_request("`page` is not a number")))
        .transpose()?
        .unwrap_or(0);
    let s2 = s.clone();
    let (badge, checkpoints) = blocking(move || Ok((s2.verify()?, crate::api::read_checkpoints(&s2)?))).await?;
    let at = p.at.clone().unwrap_or_default();
    let nav = nav(&s, "ledger", &p, &at, "/ledger")?;
    let d = s.data()?;
    let size = d.size();
    let pages = size.div_ceil(LEDGER_PAGE).max(1);
    let page = page.min(pages - 1);
    // Newest first.
    let end = size.saturating_sub(page * LEDGER_PAGE);
    let start = end.saturating_sub(LEDGER_PAGE);
    let entries: Vec<EntryMeta> = d.entries[start as usize..end as usize].iter().rev().cloned().collect();
    let l = Ledger {
        badge,
        size,
        root: casus_ledger::hex::encode(&d.root()),
        ledger_id: d.ledger_id.clone(),
        treaty_name: d.treaty_name.clone(),
        treaty_sha256: d.treaty_sha256.clone(),
        checkpoints: checkpoints.into_iter().rev().take(10).collect(),
        entries,
        page,
        pages,
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
