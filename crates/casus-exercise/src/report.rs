//! The after-action report: what the exercise did, read against the treaty.
//!
//! It is a pure function of the treaty, the ledger's acts (read in scenario
//! time, [`crate::note::in_scenario_time`]), the scenario, the evaluators'
//! observations, and for a scenario that replays history, the historical
//! record's acts over the same span. It holds: the timeline by turn; each
//! document with its verdict, who blocked it and their stated reasons and
//! conditions; each duty under each reading, with its time to performance
//! against its deadline; the divergences from the treaty (breached duties);
//! and where the players' path left the historical record's (the verdicts
//! the historical acts give instead of the players' acts: a what-if over
//! the same starting state). The server renders it as HTML with print
//! styles and serves it as JSON.

use std::collections::{BTreeMap, BTreeSet};

use casus_engine::Query;
use casus_model::{Act, Precision, Symbols, Time, Treaty};
use serde::{Deserialize, Serialize};

use crate::note::Stamp;
use crate::scenario::Scenario;

/// An evaluator's observation, anchored to an inject or an act.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// The evaluator's role name (its id in the scenario).
    pub evaluator: String,
    /// The evaluator's role title, for people (empty in observations kept
    /// before titles were).
    #[serde(default)]
    pub evaluator_title: String,
    /// `inject:ID` or `act:ID`.
    pub anchor: String,
    pub text: String,
    /// Wall time it was written (Unix seconds).
    pub written: i64,
    /// Scenario time it was written at.
    pub scenario: i64,
}

/// Longest observation, in characters.
pub const MAX_OBSERVATION_CHARS: usize = 4000;

#[derive(Clone, Debug, Serialize)]
pub struct TimelineRow {
    pub turn: Option<u32>,
    pub time: String,
    /// The same time as prose writes it ("2 March 2031, 08:00 UTC"), to the precision the record gives.
    pub time_text: String,
    pub actor: String,
    pub kind: String,
    pub act: String,
    /// `delegation` (signed live by the actor), `control` (an inject or ad-hoc act), or `record` (the starting record).
    pub by: String,
    pub summary: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DecisionRow {
    pub document: String,
    pub title: String,
    pub status: String,
    pub blocked_by: Vec<String>,
    /// The same parties by name, for people.
    pub blocked_by_names: Vec<String>,
    /// The verdict in words, with who blocked it by name ("blocked by Castelia").
    pub verdict: String,
    pub positions: Vec<PositionRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PositionRow {
    pub party: String,
    /// The party's name.
    pub name: String,
    pub position: String,
    pub reason: Option<String>,
    pub condition: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DutyRow {
    /// `question=option` for each reading that differs from the default, or `default`.
    pub reading: String,
    /// The same reading in the treaty's words.
    pub reading_text: String,
    pub case: String,
    /// The case as people call it ("Borvania's request for assistance, 2 March 2031").
    pub case_title: String,
    pub duty: String,
    pub debtor: String,
    /// The debtor's name.
    pub debtor_name: String,
    /// The creditor's name where the debtor owes the duty in the case to
    /// several parties (a joint act), so that its rows read apart.
    pub owed_to_name: Option<String>,
    pub status: String,
    pub deadline: Option<String>,
    /// The same deadline as prose writes it ("4 March 2031, 08:00 UTC").
    pub deadline_text: Option<String>,
    /// Seconds of scenario time from the case's opening to its deadline.
    pub deadline_secs: Option<i64>,
    /// Seconds of scenario time from the case's opening to the act that performed the duty.
    pub performed_secs: Option<i64>,
    pub performed_by: Option<String>,
    /// The performing act in words, for readers ("Aldoria gave assistance
    /// to Borvania by military means").
    pub performed_what: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DivergenceRow {
    pub what: String,
    pub exercise: String,
    pub history: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct AfterAction {
    pub title: String,
    pub fiction: bool,
    pub treaty: String,
    /// The scenario time the report is read at.
    pub at: String,
    /// The same time as prose writes it.
    pub at_text: String,
    pub timeline: Vec<TimelineRow>,
    pub decisions: Vec<DecisionRow>,
    pub duties: Vec<DutyRow>,
    /// Duties breached under some reading: where the players' path left the treaty.
    pub divergences_from_treaty: Vec<DutyRow>,
    /// Verdicts that differ between the players' path and the historical record (empty when the scenario replays no history).
    pub divergences_from_history: Vec<DivergenceRow>,
    pub observations: Vec<Observation>,
}

/// The readings to report under: the defaults, then each other option of
/// each question with the rest at their defaults.
pub fn readings(treaty: &Treaty, symbols: &Symbols) -> Vec<Reading> {
    let default_text: Vec<&str> = treaty.questions.iter().filter_map(|q| q.default_option()).map(|o| o.text.as_str()).collect();
    let mut out = vec![Reading {
        id: "default".to_string(),
        text: if default_text.is_empty() { "as written".to_string() } else { format!("{} (the default readings)", sentences(&default_text)) },
        choices: BTreeMap::new(),
    }];
    for q in &treaty.questions {
        for (i, o) in q.options.iter().enumerate() {
            if i != q.default {
                out.push(Reading {
                    id: format!("{}={}", symbols.name(q.id), symbols.name(o.id)),
                    text: o.text.clone(),
                    choices: BTreeMap::from([(q.id, o.id)]),
                });
            }
        }
    }
    out
}

/// Option texts, each a sentence as the treaty writes it, one after
/// another: none is put mid-sentence, so none keeps a capital there.
fn sentences(texts: &[&str]) -> String {
    texts.iter().map(|t| t.trim_end_matches('.')).collect::<Vec<_>>().join(". ")
}

/// One reading an exercise is reported under.
pub struct Reading {
    /// `default`, or `question=option`: for programs and links.
    pub id: String,
    /// The treaty's words for it (its options' texts), for people.
    pub text: String,
    /// The options chosen, as the engine takes them.
    pub choices: BTreeMap<casus_model::Sym, casus_model::Sym>,
}

fn act_name(acts: &[Act], symbols: &Symbols, i: usize) -> String {
    casus_query::act_name(&acts[i], symbols, i)
}

/// The deadline of a report row as a time (a bare date is the end of its day).
fn deadline_time(s: &str) -> Option<i64> {
    let (t, p) = Time::parse(s)?;
    Some(if p == Precision::Day { t.end_of_day().0 } else { t.0 })
}

/// What the report is read from, besides the treaty and the scenario.
#[derive(Clone, Copy)]
pub struct Played<'a> {
    /// The ledger's acts in scenario time.
    pub acts: &'a [Act],
    /// The index of the first act the exercise added (the ones before are the starting record).
    pub exercise_from: usize,
    /// The scenario time the report is read at.
    pub at: i64,
    /// The historical acts over the exercise's span, when the scenario replays history.
    pub history: Option<&'a [Act]>,
    pub observations: &'a [Observation],
}

/// Builds the report.
pub fn after_action(scenario: &Scenario, treaty: &Treaty, symbols: &Symbols, played: &Played<'_>) -> AfterAction {
    let Played { acts, exercise_from, at, history, observations } = *played;
    // Acts are told as explanations tell them, in the treaty's names.
    let state_at = casus_engine::derive(treaty, acts, &Query { at: Time(at), readings: BTreeMap::new() });
    let mut timeline: Vec<TimelineRow> = acts
        .iter()
        .enumerate()
        .skip(exercise_from)
        .map(|(i, a)| {
            let stamp = Stamp::of(a, symbols);
            let mut summary = casus_query::capitalise(&casus_query::act_sentence(treaty, acts, symbols, &state_at, i));
            for (label, s) in [("reason", a.reason), ("condition", a.condition)] {
                if s.is_some() {
                    summary.push_str(&format!("; {label}: \u{201c}{}\u{201d}", symbols.name(s)));
                }
            }
            TimelineRow {
                turn: stamp.map(|s| s.turn),
                time: a.time.format(a.precision),
                time_text: casus_query::report::act_date(a),
                actor: symbols.name(a.actor).to_string(),
                kind: a.kind.keyword().to_string(),
                act: act_name(acts, symbols, i),
                by: if a.attestation == casus_model::Attestation::Actor { "delegation" } else { "control" }.to_string(),
                summary,
            }
        })
        .collect();
    timeline.sort_by(|a, b| a.time.cmp(&b.time));

    let time_of: BTreeMap<String, i64> = (0..acts.len()).map(|i| (act_name(acts, symbols, i), acts[i].time.0)).collect();
    let index_of: BTreeMap<String, usize> = (0..acts.len()).map(|i| (act_name(acts, symbols, i), i)).collect();
    let at_t = Time(at);
    let mut decisions = Vec::new();
    let mut duties = Vec::new();
    let default_query = Query { at: at_t, readings: BTreeMap::new() };
    let state = casus_engine::derive(treaty, acts, &default_query);
    let report = casus_query::report(treaty, acts, symbols, &state);
    let exercise_docs: BTreeSet<String> =
        acts[exercise_from.min(acts.len())..].iter().filter(|a| a.document.is_some()).map(|a| symbols.name(a.document).to_string()).collect();
    let name_of = |code: &str| report.party_name(code);
    for d in report.documents.iter().filter(|d| exercise_docs.contains(&d.id)) {
        decisions.push(DecisionRow {
            document: d.id.clone(),
            title: d.title.clone(),
            status: d.status.word().to_string(),
            blocked_by: d.blocked_by.clone(),
            blocked_by_names: d.blocked_by.iter().map(|p| name_of(p)).collect(),
            verdict: casus_query::report::document_verdict(d.status, &d.blocked_by.iter().map(|p| name_of(p)).collect::<Vec<_>>()),
            positions: d
                .sheet
                .iter()
                .map(|s| PositionRow {
                    party: s.party.clone(),
                    name: name_of(&s.party),
                    position: s.position.clone(),
                    reason: s.reason.clone(),
                    condition: s.condition.clone(),
                })
                .collect(),
        });
    }
    let exercise_acts: BTreeSet<String> = (exercise_from..acts.len()).map(|i| act_name(acts, symbols, i)).collect();
    for reading in readings(treaty, symbols) {
        let state = casus_engine::derive(treaty, acts, &Query { at: at_t, readings: reading.choices });
        let r = casus_query::report(treaty, acts, symbols, &state);
        for c in &r.cases {
            // The cases the exercise opened or answered.
            let opened = time_of.get(&c.id).copied();
            let touched = exercise_acts.contains(&c.id) || c.obligations.iter().any(|o| o.fulfilled_by.as_ref().is_some_and(|f| exercise_acts.contains(f)));
            if !touched && opened.is_some_and(|t| t < scenario.start) && c.obligations.iter().all(|o| o.status != "pending") {
                continue;
            }
            for o in &c.obligations {
                let performed = o.fulfilled_by.clone().or_else(|| o.performed_late.as_ref().map(|p| p.act.clone()));
                duties.push(DutyRow {
                    reading: reading.id.clone(),
                    reading_text: reading.text.clone(),
                    case: c.id.clone(),
                    case_title: c.title.clone(),
                    duty: o.duty_title.clone(),
                    debtor: o.debtor.clone(),
                    debtor_name: r.party_name(&o.debtor),
                    owed_to_name: match casus_query::FactId::parse(&o.fact) {
                        Some(casus_query::FactId::Obligation { creditor: Some(c), .. }) => Some(r.party_name(&c)),
                        _ => None,
                    },
                    status: o.status.word().to_string(),
                    deadline: o.deadline.clone(),
                    deadline_text: o.deadline.as_deref().and_then(Time::parse).map(|(t, _)| casus_query::report::long_date(t)),
                    deadline_secs: o.deadline.as_deref().and_then(deadline_time).zip(opened).map(|(d, t)| d - t),
                    performed_secs: performed.as_ref().and_then(|p| time_of.get(p)).zip(opened).map(|(p, t)| p - t),
                    performed_what: performed.as_ref().and_then(|p| index_of.get(p)).map(|&i| casus_query::act_sentence(treaty, acts, symbols, &state, i)),
                    performed_by: performed,
                });
            }
        }
    }
    let divergences_from_treaty = duties.iter().filter(|d| d.status == "breached").cloned().collect();
    let divergences_from_history = match history {
        Some(h) => diverge(treaty, symbols, &acts[..exercise_from.min(acts.len())], acts, h, at_t),
        None => Vec::new(),
    };
    AfterAction {
        title: scenario.title.clone(),
        fiction: scenario.fiction,
        treaty: report.treaty.title.clone(),
        at: at_t.format(Precision::Second),
        at_text: casus_query::report::long_date(at_t),
        timeline,
        decisions,
        duties,
        divergences_from_treaty,
        divergences_from_history,
        observations: observations.to_vec(),
    }
}

/// The verdicts that differ between the players' path (`played`) and the
/// historical one (the starting acts followed by `history`), at `at`: the
/// what-if "had the players done what history did".
fn diverge(treaty: &Treaty, symbols: &Symbols, starting: &[Act], played: &[Act], history: &[Act], at: Time) -> Vec<DivergenceRow> {
    let mut hist: Vec<Act> = starting.to_vec();
    hist.extend(history.iter().filter(|a| a.time <= at).cloned());
    differences(treaty, symbols, played, &hist, at).into_iter().map(|(what, exercise, history)| DivergenceRow { what, exercise, history }).collect()
}

/// The documents and duties whose verdict differs between two sets of acts
/// at `at` (default readings): `(what, verdict with a, verdict with b)`.
/// The what-if of the exercise's control and the report's comparison with
/// history are both this.
pub fn differences(treaty: &Treaty, symbols: &Symbols, a: &[Act], b: &[Act], at: Time) -> Vec<(String, String, String)> {
    let q = Query { at, readings: BTreeMap::new() };
    let mine = casus_query::report(treaty, a, symbols, &casus_engine::derive(treaty, a, &q));
    let theirs = casus_query::report(treaty, b, symbols, &casus_engine::derive(treaty, b, &q));
    let mut out = Vec::new();
    // Keyed by ids, so that the two reports' rows meet; shown by titles
    // and names, so that a reader needs no ids.
    let docs = |r: &casus_query::Report| -> BTreeMap<String, (String, String)> {
        r.documents
            .iter()
            .map(|d| {
                let title = if d.title.is_empty() { d.id.clone() } else { d.title.clone() };
                let verdict = casus_query::report::document_verdict(d.status, &d.blocked_by.iter().map(|p| r.party_name(p)).collect::<Vec<_>>());
                (d.id.clone(), (format!("the document \u{201c}{title}\u{201d}"), verdict))
            })
            .collect()
    };
    let duties = |r: &casus_query::Report| -> BTreeMap<String, (String, String)> {
        r.cases
            .iter()
            .flat_map(|c| {
                c.obligations.iter().map(move |o| {
                    let label = format!("{} owed by {} in the case \u{201c}{}\u{201d}", o.duty_title, r.party_name(&o.debtor), c.title);
                    (format!("{}/{}/{}/{}", c.id, o.duty, o.debtor, o.creditor), (label, o.status_text.clone()))
                })
            })
            .collect()
    };
    for (x, y) in [(docs(&mine), docs(&theirs)), (duties(&mine), duties(&theirs))] {
        let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
        for k in keys {
            let (l, r) = (x.get(k), y.get(k));
            let verdict = |v: Option<&(String, String)>| v.map_or("not in play".to_string(), |(_, s)| s.clone());
            if verdict(l) != verdict(r) {
                let what = l.or(r).map(|(label, _)| label.clone()).unwrap_or_default();
                out.push((what, verdict(l), verdict(r)));
            }
        }
    }
    out
}
