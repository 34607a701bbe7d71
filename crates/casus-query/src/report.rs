//! The state as a document for people and machines: every name resolved to
//! text, every date formatted, every fact with its id for `explain`.
//!
//! This is the wire type of `casus replay --json` and of the HTTP API: keep
//! field names stable.

use crate::fact::FactId;
use casus_engine::{DocumentStatus, ObligationStatus, State};
use casus_model::{Symbols, Time, Treaty};
use serde::Serialize;

/// The engine's statuses on the wire: each serialized as its word (the
/// engine's `word()`, the one place the words are written) and, in the
/// OpenAPI document, a string that takes exactly the engine's `ALL` values.
/// Here and not in the engine, which depends on the model only.
mod status_wire {
    use casus_engine::{DocumentStatus, ObligationStatus};

    pub fn obligation<S: serde::Serializer>(status: &ObligationStatus, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(status.word())
    }
    pub fn document<S: serde::Serializer>(status: &DocumentStatus, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(status.word())
    }
    #[cfg(feature = "openapi")]
    fn words(words: impl IntoIterator<Item = &'static str>) -> utoipa::openapi::schema::Object {
        utoipa::openapi::schema::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String).enum_values(Some(words)).build()
    }
    #[cfg(feature = "openapi")]
    pub fn obligation_schema() -> utoipa::openapi::schema::Object {
        words(ObligationStatus::ALL.iter().map(|s| s.word()))
    }
    #[cfg(feature = "openapi")]
    pub fn document_schema() -> utoipa::openapi::schema::Object {
        words(DocumentStatus::ALL.iter().map(|s| s.word()))
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub treaty: TreatyRef,
    pub at: String,
    pub version: Option<VersionRef>,
    pub readings: Vec<ReadingRow>,
    pub parties: Vec<PartyRow>,
    pub chairs: Vec<ChairRow>,
    pub documents: Vec<DocumentRow>,
    pub cases: Vec<CaseRow>,
    pub acts_considered: usize,
}

impl Report {
    /// A party's name as the report lists it, or its code when the report
    /// lists no such party (a third state, an organ).
    pub fn party_name(&self, code: &str) -> String {
        self.parties.iter().find(|p| p.code == code).map_or_else(|| code.to_string(), |p| p.name.clone())
    }
}

/// A document's verdict in words, with who blocked it: "adopted", "blocked
/// by Armenia and Belarus". The one phrasing for what-if, blockers and the
/// exercise's report.
pub fn document_verdict(status: DocumentStatus, blocked_by: &[String]) -> String {
    if blocked_by.is_empty() { status.word().to_string() } else { format!("{} by {}", status.word(), casus_model::words::and_list(blocked_by)) }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct TreatyRef {
    pub id: String,
    pub title: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct VersionRef {
    pub id: String,
    pub title: String,
    pub in_force: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ReadingRow {
    pub question: String,
    pub option: String,
    pub default: bool,
    /// The question and the chosen option in the treaty's words.
    pub question_text: String,
    pub option_text: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct PartyRow {
    pub code: String,
    pub name: String,
    pub status: String,
    pub since: String,
    pub fact: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ChairRow {
    pub organ: String,
    pub party: String,
    pub since: String,
    pub fact: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub party: String,
    /// The stable id of the position (`no_objection`).
    pub position: String,
    /// The position in words ("no objection on record"), as explanations say it.
    pub position_text: String,
    pub date: Option<String>,
    pub reason: Option<String>,
    pub condition: Option<String>,
    pub act: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: String,
    pub title: String,
    pub organ: String,
    #[serde(serialize_with = "status_wire::document")]
    #[cfg_attr(feature = "openapi", schema(schema_with = status_wire::document_schema))]
    pub status: DocumentStatus,
    pub since: String,
    pub blocked_by: Vec<String>,
    pub limited_format: bool,
    /// How it is decided, in words (with the kind of proposal, when the
    /// organ's rule for a kind applied).
    pub procedure: String,
    /// The kind of proposal whose rule applied (`decides … for KIND`);
    /// absent when the organ's rule without `for` did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Parties to the dispute, who do not vote.
    pub excluded: Vec<String>,
    pub tally: Option<TallyRow>,
    /// When the vote closes or silence expires.
    pub closes: Option<String>,
    /// Interpretative statements and reservations attached to the adopted text.
    pub attachments: Vec<String>,
    pub sheet: Vec<SheetRow>,
    /// What the verdict rests on: `positions`, `consensus_at_close`,
    /// `decision_recorded`, `recorded_tally`, `acclamation`,
    /// `tally_not_recorded` or `no_decision_recorded`.
    pub basis: String,
    /// Members of the organ on one of the dates that count but not the other.
    pub not_seated: Vec<String>,
    /// Acts about the document that changed nothing, with why.
    pub no_effect: Vec<NoEffectRow>,
    /// Acts dated to the day (or a window) of the close: the verdict counts
    /// them as in time and depends on their time of day, which the record
    /// does not give.
    pub depends_on_time_of_day: Vec<String>,
    /// The organs the text was before earlier, one section each.
    pub earlier: Vec<SectionRow>,
    pub fact: String,
}

/// An act that changed nothing, kept on the record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct NoEffectRow {
    pub act: String,
    pub party: String,
    /// The position the act would have taken (`signed`, `voted_no`, …).
    pub position: String,
    pub date: String,
    /// `after_decision`, `after_close`, `not_entitled`, `not_counted` or
    /// `silence_already_broken`.
    pub why: String,
    /// When the document was decided or the vote closed, for the first two.
    pub decided: Option<String>,
}

/// The text's time before an organ it was later moved from.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct SectionRow {
    pub organ: String,
    pub procedure: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub from: String,
    pub until: Option<String>,
    #[serde(serialize_with = "status_wire::document")]
    #[cfg_attr(feature = "openapi", schema(schema_with = status_wire::document_schema))]
    pub status: DocumentStatus,
    pub since: String,
    pub blocked_by: Vec<String>,
    pub excluded: Vec<String>,
    pub not_seated: Vec<String>,
    pub tally: Option<TallyRow>,
    pub closes: Option<String>,
    pub basis: String,
    pub sheet: Vec<SheetRow>,
    pub no_effect: Vec<NoEffectRow>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct TallyRow {
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
    pub eligible: u32,
    pub base: u32,
    pub needed: u32,
    pub quorum: Option<u32>,
    pub quorum_met: bool,
    pub closed: bool,
    /// `ballots` (counted from members' votes) or `decision` (the counts a
    /// recorded decision gives, without names).
    pub counted: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ObligationRow {
    pub duty: String,
    /// The duty's title (its id in words if the treaty gives none).
    pub duty_title: String,
    pub debtor: String,
    pub creditor: String,
    #[serde(serialize_with = "status_wire::obligation")]
    #[cfg_attr(feature = "openapi", schema(schema_with = status_wire::obligation_schema))]
    pub status: ObligationStatus,
    /// The status in words (`not triggered`).
    pub status_text: String,
    pub since: String,
    pub deadline: Option<String>,
    /// The act that fulfilled the duty by the deadline; never a late one.
    pub fulfilled_by: Option<String>,
    /// The act that performed the duty after the deadline (status breached).
    pub performed_late: Option<PerformedRow>,
    /// The act that performed the duty on the day (or in the window) of the
    /// deadline, at a time the record does not give (status undetermined).
    pub performed_at_unknown_time: Option<PerformedRow>,
    /// A duty to refrain: the act by which the debtor did what it forbids
    /// (status breached). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breached_by: Option<PerformedRow>,
    /// A duty with no deadline (`within none`) still open: whole days since
    /// it arose. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_open: Option<i64>,
    pub fact: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct PerformedRow {
    pub act: String,
    /// As the record dates it (`2022-01-06`, `between … and …`).
    pub date: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: String,
    /// The case named from the act that opened it: "Armenia's request for
    /// assistance under Article 4, 14 September 2022".
    pub title: String,
    pub article: String,
    pub requester: String,
    pub opened: String,
    pub obligations: Vec<ObligationRow>,
    /// Acts recorded as answering the case (a mission, a visit, an offer).
    pub responses: Vec<ResponseRow>,
    pub fact: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ResponseRow {
    pub act: String,
    pub date: String,
    pub actor: String,
    pub kind: String,
}

/// A date at day precision when `t` is the start or the last second of a
/// day (the engine reads "on D" as the end of D), otherwise to the second.
pub(crate) fn date(t: Time) -> String {
    if t.0.rem_euclid(86_400) == 86_399 { t.format(casus_model::Precision::Day) } else { t.display() }
}

/// The id of the act at `i`: its own id, or `act-N` by position.
pub(crate) fn act_id(acts: &[casus_model::Act], symbols: &Symbols, i: u32) -> String {
    crate::fact::act_name(&acts[i as usize], symbols, i as usize)
}

pub(crate) fn case_id(state_case: &crate::CaseState, acts: &[casus_model::Act], symbols: &Symbols) -> String {
    act_id(acts, symbols, state_case.trigger)
}

/// A date as prose writes it: "14 September 2022", with the time of day
/// ("14 September 2022, 17:30 UTC") when it is not a whole day, so that it
/// reads after "on" and "by" alike.
pub fn long_date(t: Time) -> String {
    const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    let (y, m, d) = t.date();
    let day = format!("{d} {} {y}", MONTHS[(m as usize).clamp(1, 12) - 1]);
    let secs = t.0.rem_euclid(86_400);
    match secs {
        0 | 86_399 => day,
        _ if secs % 60 == 0 => format!("{day}, {:02}:{:02} UTC", secs / 3600, secs / 60 % 60),
        _ => format!("{day}, {:02}:{:02}:{:02} UTC", secs / 3600, secs / 60 % 60, secs % 60),
    }
}

/// The titles documents were given, by document: the acts that proposed
/// them name them (see [`act_words`]).
pub fn document_titles(acts: &[casus_model::Act], symbols: &Symbols) -> std::collections::HashMap<casus_model::Sym, String> {
    acts.iter().filter(|a| a.document.is_some() && a.title.is_some()).map(|a| (a.document, symbols.name(a.title).to_string())).collect()
}

/// An act in words for people (the ledger's rows, the timeline's marks):
/// "Kazakhstan · sign · Declaration of the Collective Security Council".
/// Names come from the treaty, document titles from `titles`
/// ([`document_titles`]).
pub fn act_words(a: &casus_model::Act, treaty: &Treaty, symbols: &Symbols, titles: &std::collections::HashMap<casus_model::Sym, String>) -> String {
    // A name the treaty does not give is the code, its underscores as spaces.
    let name = |s: casus_model::Sym| treaty.name_of(s, symbols).replace('_', " ");
    let mut parts = vec![name(a.actor), a.kind.keyword().replace('-', " ")];
    if a.subject.is_some() {
        parts[1] = format!("{} {}", parts[1], symbols.name(a.subject).replace('_', " "));
    }
    if a.document.is_some() {
        parts.push(titles.get(&a.document).cloned().unwrap_or_else(|| symbols.name(a.document).replace('_', " ")));
    }
    for (word, s) in [("to", a.to), ("against", a.against), ("about", a.about)] {
        if s.is_some() {
            parts.push(format!("{word} {}", name(s)));
        }
    }
    parts.join(" · ")
}

/// When an act happened, as prose writes it, to the precision the record
/// gives: "14 September 2022", "14 September 2022, 17:30 UTC", "between
/// 5 and 7 January 2022" (as "between 5 January 2022 and 7 January 2022"),
/// "before 7 January 2022".
pub fn act_date(a: &casus_model::Act) -> String {
    use casus_model::Precision;
    match a.precision {
        Precision::Day => long_date(a.time.start_of_day()),
        Precision::Minute | Precision::Second => long_date(a.time),
        Precision::Window(len) => format!("between {} and {}", long_date(a.time), long_date(Time(a.time.0.saturating_add(len as i64)))),
        Precision::Before => format!("before {}", long_date(Time(a.time.0.saturating_add(1)))),
    }
}

/// When an act happened with the word it needs: "on 14 September 2022",
/// "at 10 March 2030, 18:00 UTC", "between 5 January 2022 and 7 January
/// 2022", "before 7 January 2022".
pub fn act_when(a: &casus_model::Act) -> String {
    use casus_model::Precision;
    match a.precision {
        Precision::Day | Precision::Minute | Precision::Second => on_date(&act_date(a)),
        Precision::Window(_) | Precision::Before => act_date(a),
    }
}

/// A date in words as a sentence says it: "on 10 March 2030", or with its
/// time "on 10 March 2030 at 18:00 UTC" (from "10 March 2030, 18:00 UTC").
pub fn on_date(date: &str) -> String {
    match date.split_once(", ") {
        Some((day, time)) if time.ends_with("UTC") => format!("on {day} at {time}"),
        _ => format!("on {date}"),
    }
}

/// The article as prose names it: the heading up to a colon ("Article 4",
/// "Articles 17 to 19"), or the id when the file has no such heading.
pub fn article_name(treaty: &Treaty, symbols: &Symbols, article: casus_model::Sym) -> String {
    match treaty.article(article) {
        Some(a) => a.heading.split(':').next().unwrap_or(&a.heading).trim().to_string(),
        None if article.is_some() => symbols.name(article).to_string(),
        None => String::new(),
    }
}

/// "Armenia's", "the United States'": a name in the possessive.
pub fn possessive(name: &str) -> String {
    if name.ends_with('s') { format!("{name}'") } else { format!("{name}'s") }
}

/// The noun for an act of a kind, for titles ("request", "decision").
pub fn kind_noun(kind: casus_model::ActKind) -> &'static str {
    use casus_model::ActKind::*;
    match kind {
        Attack => "attack",
        Request => "request",
        Session => "session",
        Propose => "proposal",
        Sign => "signature",
        Refuse => "refusal",
        OptOut => "opt-out",
        Determination => "determination",
        Decision => "decision",
        Assistance => "assistance",
        Deployment => "deployment",
        Mission => "mission",
        Visit => "visit",
        Statement => "statement",
        Offer => "offer",
        Accession => "accession",
        Withdrawal => "notice of withdrawal",
        Suspension => "suspension",
        Readmission => "readmission",
        Handover => "handover",
        Vote => "vote",
        Objection => "objection",
        Amendment => "amendment",
        Reservation => "reservation",
        Transfer => "transfer",
        War => "war",
        Return => "return of territory",
    }
}

/// A case's title, made from the act that opened it: who, what, under which
/// article, about whom, on what date.
pub fn case_title(treaty: &Treaty, acts: &[casus_model::Act], symbols: &Symbols, case: &crate::CaseState) -> String {
    let a = &acts[case.trigger as usize];
    let actor =
        if treaty.organ(a.actor).is_some() { format!("The {}", treaty.name_of(a.actor, symbols)) } else { treaty.name_of(a.actor, symbols).to_string() };
    // A joint act names everyone taking part (`from`); a name ending in a
    // parenthesis takes no possessive ("Borvania (fictional)'s").
    let mut joint: Vec<String> = Vec::new();
    if !a.from.is_empty() {
        if !a.from.contains(&a.actor) {
            joint.push(actor.clone());
        }
        joint.extend(a.from.iter().map(|&p| treaty.name_of(p, symbols).to_string()));
    }
    let mut s = if joint.len() > 1 {
        format!("The {} by {}", kind_noun(a.kind), casus_model::words::and_list(&joint))
    } else if actor.ends_with(')') {
        format!("The {} by {actor}", kind_noun(a.kind))
    } else {
        format!("{} {}", possessive(&actor), kind_noun(a.kind))
    };
    if a.subject.is_some() {
        let prep = match a.kind {
            casus_model::ActKind::Request | casus_model::ActKind::Offer => "for",
            casus_model::ActKind::Decision | casus_model::ActKind::Statement => "on",
            _ => "of",
        };
        s.push_str(&format!(" {prep} {}", symbols.name(a.subject).replace('_', " ")));
    }
    let article = article_name(treaty, symbols, case.article);
    if !article.is_empty() {
        s.push_str(&format!(" under {article}"));
    }
    if a.about.is_some() && a.about != a.actor {
        let about =
            if treaty.organ(a.about).is_some() { format!("the {}", treaty.name_of(a.about, symbols)) } else { treaty.name_of(a.about, symbols).to_string() };
        s.push_str(&format!(" about {about}"));
    }
    format!("{s}, {}", long_date(a.time.start_of_day()))
}

pub fn report(treaty: &Treaty, acts: &[casus_model::Act], symbols: &Symbols, state: &State) -> Report {
    let n = |s| symbols.name(s).to_string();
    let performed = |i: u32| PerformedRow { act: act_id(acts, symbols, i), date: acts[i as usize].time.format(acts[i as usize].precision) };
    Report {
        treaty: TreatyRef { id: n(treaty.id), title: treaty.title.clone() },
        at: date(state.at),
        version: state.version.map(|v| {
            let v = &treaty.versions[v];
            VersionRef { id: n(v.id), title: v.title.clone(), in_force: date(v.in_force) }
        }),
        readings: state
            .readings
            .iter()
            .map(|&(q, o)| {
                let default = treaty.question(q).map(|qq| qq.options[qq.default].id == o).unwrap_or(false);
                let question = treaty.question(q);
                let option_text = treaty.reading(q, o).map(|(_, x)| x.text.clone()).unwrap_or_default();
                ReadingRow { question: n(q), option: n(o), default, question_text: question.map(|qq| qq.text.clone()).unwrap_or_default(), option_text }
            })
            .collect(),
        parties: state
            .parties
            .iter()
            .map(|p| PartyRow {
                code: n(p.code),
                name: treaty.party(p.code).map(|pp| pp.name.clone()).unwrap_or_default(),
                status: p.status.map_or("unknown", casus_model::MemberStatus::word).to_string(),
                since: date(p.since),
                fact: FactId::Party(n(p.code)).to_string(),
            })
            .collect(),
        chairs: state
            .chairs
            .iter()
            .map(|c| ChairRow { organ: n(c.organ), party: n(c.party), since: date(c.since), fact: FactId::Chair(n(c.organ)).to_string() })
            .collect(),
        documents: state.documents.iter().map(|d| document_row(acts, symbols, &treaty.words, d)).collect(),
        cases: state
            .cases
            .iter()
            .map(|c| {
                let id = case_id(c, acts, symbols);
                CaseRow {
                    title: case_title(treaty, acts, symbols, c),
                    id: id.clone(),
                    article: n(c.article),
                    requester: n(c.requester),
                    opened: date(c.opened),
                    obligations: c
                        .obligations
                        .iter()
                        .map(|o| {
                            let duty = n(treaty.duties[o.duty].id);
                            ObligationRow {
                                fact: FactId::Obligation {
                                    case: id.clone(),
                                    duty: duty.clone(),
                                    debtor: n(o.debtor),
                                    creditor: c.owed_to_several(o).then(|| n(o.creditor)),
                                }
                                .to_string(),
                                duty,
                                duty_title: treaty.duty_title(&treaty.duties[o.duty], symbols),
                                status_text: o.status.text().to_string(),
                                debtor: n(o.debtor),
                                creditor: n(o.creditor),
                                status: o.status,
                                since: date(o.since),
                                deadline: o.deadline.filter(|d| *d != Time::MAX).map(date),
                                fulfilled_by: o.fulfilled_by().map(|i| act_id(acts, symbols, i)),
                                performed_late: o.performed_late_by().map(performed),
                                performed_at_unknown_time: match o.performance {
                                    crate::Performance::Unknown(i) => Some(performed(i)),
                                    _ => None,
                                },
                                breached_by: o.breached_by().map(performed),
                                days_open: o.days_open(state.at),
                            }
                        })
                        .collect(),
                    responses: c
                        .responses
                        .iter()
                        .map(|&i| {
                            let a = &acts[i as usize];
                            ResponseRow {
                                act: act_id(acts, symbols, i),
                                date: a.time.format(a.precision),
                                actor: n(a.actor),
                                kind: a.kind.keyword().to_string(),
                            }
                        })
                        .collect(),
                    fact: FactId::Case(id).to_string(),
                }
            })
            .collect(),
        acts_considered: state.acts_considered,
    }
}

fn tally_row(t: &crate::Tally) -> TallyRow {
    TallyRow {
        yes: t.yes,
        no: t.no,
        abstain: t.abstain,
        eligible: t.eligible,
        base: t.base,
        needed: t.needed,
        quorum: t.quorum,
        quorum_met: t.quorum_met,
        closed: t.closed,
        counted: if t.from_decision { "decision" } else { "ballots" }.to_string(),
    }
}

fn sheet_rows(acts: &[casus_model::Act], symbols: &Symbols, sheet: &[(casus_model::Sym, crate::Position, Option<u32>)]) -> Vec<SheetRow> {
    let n = |s| symbols.name(s).to_string();
    let opt = |s: casus_model::Sym| if s.is_some() { Some(n(s)) } else { None };
    sheet
        .iter()
        .map(|&(party, pos, act)| {
            let a = act.map(|i| &acts[i as usize]);
            SheetRow {
                party: n(party),
                position: pos.word().to_string(),
                position_text: pos.plain().to_string(),
                date: a.map(|a| date(a.time)),
                reason: a.and_then(|a| opt(a.reason)),
                condition: a.and_then(|a| opt(a.condition)),
                act: act.map(|i| act_id(acts, symbols, i)),
            }
        })
        .collect()
}

fn no_effect_rows(acts: &[casus_model::Act], symbols: &Symbols, s: &crate::Section, words: &casus_model::Words) -> Vec<NoEffectRow> {
    let list = &s.no_effect;
    use casus_engine::NoEffect;
    list.iter()
        .map(|&(i, why)| {
            let a = &acts[i as usize];
            NoEffectRow {
                act: act_id(acts, symbols, i),
                party: symbols.name(a.actor).to_string(),
                position: casus_engine::position_of(a, words).map(|p| p.word()).unwrap_or("").to_string(),
                date: date(a.time),
                why: why.word().to_string(),
                decided: match why {
                    NoEffect::AfterDecision => s.decided_at.map(date),
                    NoEffect::AfterClose => s.closes.map(date),
                    _ => None,
                },
            }
        })
        .collect()
}

/// A procedure in words, saying which kind of proposal it is the rule for
/// when the organ's rule for a kind applied.
fn procedure_words(symbols: &Symbols, procedure: casus_model::DecisionRule, kind: casus_model::Sym) -> String {
    if kind.is_some() { format!("{} (the rule for {})", procedure.describe(), symbols.name(kind).replace('_', " ")) } else { procedure.describe() }
}

fn document_row(acts: &[casus_model::Act], symbols: &Symbols, words: &casus_model::Words, d: &crate::DocumentState) -> DocumentRow {
    let n = |s| symbols.name(s).to_string();
    let sections = d.sections();
    let ballots = |sheet: &[(casus_model::Sym, crate::Position, Option<u32>)]| {
        sheet.iter().any(|r| matches!(r.1, crate::Position::VotedYes | crate::Position::VotedNo | crate::Position::Abstained))
    };
    DocumentRow {
        id: n(d.id),
        title: n(d.title),
        organ: n(d.organ),
        status: d.status,
        since: date(d.since),
        blocked_by: d.blocked_by.iter().map(|&p| n(p)).collect(),
        limited_format: d.limited_format,
        procedure: procedure_words(symbols, d.procedure, d.kind),
        kind: d.kind.is_some().then(|| n(d.kind)),
        excluded: d.excluded.iter().map(|&p| n(p)).collect(),
        tally: d.tally.as_ref().map(tally_row),
        closes: d.closes.map(|c| c.format(casus_model::Precision::Second)),
        attachments: d.attachments.iter().map(|&i| act_id(acts, symbols, i)).collect(),
        sheet: sheet_rows(acts, symbols, &d.sheet),
        basis: d.basis.word(d.procedure, ballots(&d.sheet)).to_string(),
        not_seated: d.not_seated.iter().map(|&p| n(p)).collect(),
        no_effect: no_effect_rows(acts, symbols, &sections[sections.len() - 1], words),
        depends_on_time_of_day: d.unknown_time.iter().map(|&i| act_id(acts, symbols, i)).collect(),
        earlier: d
            .earlier
            .iter()
            .map(|s| SectionRow {
                organ: n(s.organ),
                procedure: procedure_words(symbols, s.procedure, s.kind),
                kind: s.kind.is_some().then(|| n(s.kind)),
                from: date(s.from),
                until: s.until.map(date),
                status: s.status,
                since: date(s.since),
                blocked_by: s.blocked_by.iter().map(|&p| n(p)).collect(),
                excluded: s.excluded.iter().map(|&p| n(p)).collect(),
                not_seated: s.not_seated.iter().map(|&p| n(p)).collect(),
                tally: s.tally.as_ref().map(tally_row),
                closes: s.closes.map(|c| c.format(casus_model::Precision::Second)),
                basis: s.basis.word(s.procedure, ballots(&s.sheet)).to_string(),
                sheet: sheet_rows(acts, symbols, &s.sheet),
                no_effect: no_effect_rows(acts, symbols, s, words),
            })
            .collect(),
        fact: FactId::Document(n(d.id)).to_string(),
    }
}
