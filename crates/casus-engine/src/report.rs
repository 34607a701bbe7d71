//! The state as a document for people and machines: every name resolved to
//! text, every date formatted, every fact with its id for `explain`.
//!
//! This is the wire type of `casus replay --json` and of the HTTP API: keep
//! field names stable.

use crate::derive::State;
use casus_model::{Symbols, Time, Treaty};
use serde::Serialize;

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

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct TreatyRef {
    pub id: String,
    pub title: String,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct VersionRef {
    pub id: String,
    pub title: String,
    pub in_force: String,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ReadingRow {
    pub question: String,
    pub option: String,
    pub default: bool,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct PartyRow {
    pub code: String,
    pub name: String,
    pub status: String,
    pub since: String,
    pub fact: String,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ChairRow {
    pub organ: String,
    pub party: String,
    pub since: String,
    pub fact: String,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub party: String,
    pub position: String,
    pub date: Option<String>,
    pub reason: Option<String>,
    pub condition: Option<String>,
    pub act: Option<String>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: String,
    pub title: String,
    pub organ: String,
    pub status: String,
    pub since: String,
    pub blocked_by: Vec<String>,
    pub limited_format: bool,
    /// How it is decided, in words.
    pub procedure: String,
    /// Parties to the dispute, who do not vote.
    pub excluded: Vec<String>,
    pub tally: Option<TallyRow>,
    /// When the vote closes or silence expires.
    pub closes: Option<String>,
    /// Interpretative statements and reservations attached to the adopted text.
    pub attachments: Vec<String>,
    pub sheet: Vec<SheetRow>,
    pub fact: String,
}

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
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ObligationRow {
    pub duty: String,
    pub debtor: String,
    pub creditor: String,
    pub status: String,
    pub since: String,
    pub deadline: Option<String>,
    /// The act that fulfilled the duty by the deadline; never a late one.
    pub fulfilled_by: Option<String>,
    /// The act that performed the duty after the deadline (status breached).
    pub performed_late: Option<PerformedRow>,
    /// The act that performed the duty on the day (or in the window) of the
    /// deadline, at a time the record does not give (status undetermined).
    pub performed_at_unknown_time: Option<PerformedRow>,
    pub fact: String,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct PerformedRow {
    pub act: String,
    /// As the record dates it (`2022-01-06`, `between … and …`).
    pub date: String,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: String,
    pub article: String,
    pub requester: String,
    pub opened: String,
    pub obligations: Vec<ObligationRow>,
    /// Acts recorded as answering the case (a mission, a visit, an offer).
    pub responses: Vec<ResponseRow>,
    pub fact: String,
}

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
    let a = &acts[i as usize];
    if a.id.is_some() { symbols.name(a.id).to_string() } else { format!("act-{}", i + 1) }
}

pub(crate) fn case_id(state_case: &crate::CaseState, acts: &[casus_model::Act], symbols: &Symbols) -> String {
    act_id(acts, symbols, state_case.trigger)
}

pub fn report(treaty: &Treaty, acts: &[casus_model::Act], symbols: &Symbols, state: &State) -> Report {
    let n = |s| symbols.name(s).to_string();
    let performed = |i: u32| PerformedRow { act: act_id(acts, symbols, i), date: acts[i as usize].time.format(acts[i as usize].precision) };
    let opt = |s: casus_model::Sym| if s.is_some() { Some(n(s)) } else { None };
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
                ReadingRow { question: n(q), option: n(o), default }
            })
            .collect(),
        parties: state
            .parties
            .iter()
            .map(|p| PartyRow {
                code: n(p.code),
                name: treaty.party(p.code).map(|pp| pp.name.clone()).unwrap_or_default(),
                status: p.status.word().to_string(),
                since: date(p.since),
                fact: format!("party/{}", n(p.code)),
            })
            .collect(),
        chairs: state.chairs.iter().map(|c| ChairRow { organ: n(c.organ), party: n(c.party), since: date(c.since), fact: format!("chair/{}", n(c.organ)) }).collect(),
        documents: state
            .documents
            .iter()
            .map(|d| DocumentRow {
                id: n(d.id),
                title: n(d.title),
                organ: n(d.organ),
                status: d.status.word().to_string(),
                since: date(d.since),
                blocked_by: d.blocked_by.iter().map(|&p| n(p)).collect(),
                limited_format: d.limited_format,
                procedure: d.procedure.describe(),
                excluded: d.excluded.iter().map(|&p| n(p)).collect(),
                tally: d.tally.map(|t| TallyRow { yes: t.yes, no: t.no, abstain: t.abstain, eligible: t.eligible, base: t.base, needed: t.needed, quorum: t.quorum, quorum_met: t.quorum_met, closed: t.closed }),
                closes: d.closes.map(|c| c.format(casus_model::Precision::Second)),
                attachments: d.attachments.iter().map(|&i| act_id(acts, symbols, i)).collect(),
                sheet: d
                    .sheet
                    .iter()
                    .map(|&(party, pos, act)| {
                        let a = act.map(|i| &acts[i as usize]);
                        SheetRow {
                            party: n(party),
                            position: pos.word().to_string(),
                            date: a.map(|a| date(a.time)),
                            reason: a.and_then(|a| opt(a.reason)),
                            condition: a.and_then(|a| opt(a.condition)),
                            act: act.map(|i| act_id(acts, symbols, i)),
                        }
                    })
                    .collect(),
                fact: format!("document/{}", n(d.id)),
            })
            .collect(),
        cases: state
            .cases
            .iter()
            .map(|c| {
                let id = case_id(c, acts, symbols);
                CaseRow {
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
                                fact: format!("obligation/{id}/{duty}/{}", n(o.debtor)),
                                duty,
                                debtor: n(o.debtor),
                                creditor: n(o.creditor),
                                status: o.status.word().to_string(),
                                since: date(o.since),
                                deadline: o.deadline.filter(|d| *d != Time::MAX).map(date),
                                fulfilled_by: o.fulfilled_by().map(|i| act_id(acts, symbols, i)),
                                performed_late: o.performed_late_by().map(performed),
                                performed_at_unknown_time: match o.performance {
                                    crate::Performance::Unknown(i) => Some(performed(i)),
                                    _ => None,
                                },
                            }
                        })
                        .collect(),
                    responses: c
                        .responses
                        .iter()
                        .map(|&i| {
                            let a = &acts[i as usize];
                            ResponseRow { act: act_id(acts, symbols, i), date: a.time.format(a.precision), actor: n(a.actor), kind: a.kind.keyword().to_string() }
                        })
                        .collect(),
                    fact: format!("case/{id}"),
                }
            })
            .collect(),
        acts_considered: state.acts_considered,
    }
}
