//! What each role of an exercise sees, derived in scenario time.
//!
//! A delegation sees what is asked of its party now (documents before an
//! organ it sits in, with the time left before they close; duties it owes,
//! with their deadlines under each reading), the alliance's state and its
//! own acts. Control sees the MSEL (which injects are due, which released),
//! every delegation's pending decisions, and the clock. The acts are the
//! ledger's, read in scenario time (`casus_exercise::note`); the engine
//! derives the rest, as for the dashboard.

use std::collections::BTreeMap;

use casus_engine::Query;
use casus_exercise::RoleKind;
use casus_exercise::note::{Stamp, in_scenario_time};
use casus_model::{Act, Precision, Symbols, Time, Treaty};
use serde::Serialize;

use super::{ExerciseFile, RoleEntry};

#[derive(Serialize, Debug)]
pub struct ClockView {
    /// Wall time (Unix seconds) the view was made at.
    pub wall: i64,
    /// Scenario time then (Unix seconds) and as text.
    pub scenario: i64,
    pub scenario_text: String,
    pub rate: u32,
    pub paused: bool,
    pub start: String,
    pub end: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct DocumentView {
    pub id: String,
    pub title: String,
    pub organ: String,
    pub status: String,
    pub procedure: String,
    pub blocked_by: Vec<String>,
    /// When the document closes (a silence's expiry, a vote's or consensus's close), in scenario time.
    pub closes: Option<String>,
    /// Wall seconds until it closes at the clock's present rate (None when paused or past).
    pub closes_in_wall_secs: Option<i64>,
    /// This party's position (`pending` when it has none yet), for a delegation's view.
    pub position: Option<String>,
    pub sheet: Vec<casus_query::report::SheetRow>,
}

#[derive(Serialize, Debug)]
pub struct ReadingDeadline {
    /// `default`, or `question=option`.
    pub reading: String,
    /// The same reading in the treaty's words (its options' texts).
    pub reading_text: String,
    pub status: String,
    pub deadline: Option<String>,
    pub deadline_in_wall_secs: Option<i64>,
}

#[derive(Serialize, Debug)]
pub struct DutyView {
    pub case: String,
    pub case_title: String,
    pub duty: String,
    pub duty_title: String,
    pub debtor: String,
    pub creditor: String,
    /// The debtor's and the creditor's names, for people.
    pub debtor_name: String,
    pub creditor_name: String,
    pub readings: Vec<ReadingDeadline>,
}

#[derive(Serialize, Debug)]
pub struct ActView {
    pub act: String,
    pub time: String,
    pub turn: Option<u32>,
    pub actor: String,
    pub kind: String,
    /// The act in words, with names and titles ("Castelia · refuse ·
    /// Declaration on the lakes"), then its quoted reason, condition or text.
    pub words: String,
}

#[derive(Serialize, Debug)]
pub struct InjectView {
    pub id: String,
    pub turn: u32,
    pub title: String,
    pub time: String,
    pub actor: String,
    pub kind: String,
    pub after: Option<String>,
    pub released: bool,
    /// Its time has come and its condition, if any, is met.
    pub due: bool,
}

#[derive(Serialize, Debug)]
pub struct DelegationView {
    pub name: String,
    pub title: String,
    pub joined: bool,
    /// Documents awaiting this party's position, by title.
    pub pending: Vec<String>,
    /// Duties this party owes, still pending under the default reading.
    pub owes: Vec<String>,
}

#[derive(Serialize, Debug)]
pub struct PartyView {
    pub code: String,
    pub name: String,
    pub status: String,
}

#[derive(Serialize, Debug)]
pub struct View {
    pub exercise: String,
    pub fiction: bool,
    pub role: String,
    pub kind: RoleKind,
    pub title: String,
    pub joined: bool,
    pub clock: ClockView,
    pub turn: u32,
    pub parties: Vec<PartyView>,
    /// Documents: for a delegation, those before an organ its party sits in; for others, all the exercise's.
    pub documents: Vec<DocumentView>,
    /// Duties: for a delegation, those its party owes or is owed; for others, all.
    pub duties: Vec<DutyView>,
    /// For a delegation, its party's acts in the exercise; for others, all the exercise's acts.
    pub acts: Vec<ActView>,
    /// For control: the MSEL.
    pub injects: Vec<InjectView>,
    /// For control: each delegation's pending decisions.
    pub delegations: Vec<DelegationView>,
    /// The acts a delegation may take through its view (kinds), for its forms.
    pub kinds: Vec<&'static str>,
}

/// The current turn: the highest turn of the injects released.
pub fn turn(file: &ExerciseFile, released: &dyn Fn(&str) -> bool) -> u32 {
    file.scenario.injects.iter().filter(|i| released(&i.act)).map(|i| i.turn).max().unwrap_or(1)
}

fn scenario_secs(s: &str) -> Option<i64> {
    let (t, p) = Time::parse(s)?;
    Some(if p == Precision::Day { t.end_of_day().0 } else { t.0 })
}

fn act_id(acts: &[Act], symbols: &Symbols, i: usize) -> String {
    if acts[i].id.is_some() { symbols.name(acts[i].id).to_string() } else { format!("act-{}", i + 1) }
}

/// One act for listings (`titles`: [`casus_query::report::document_titles`]).
pub fn act_view(treaty: &Treaty, acts: &[Act], symbols: &Symbols, titles: &std::collections::HashMap<casus_model::Sym, String>, i: usize) -> ActView {
    let a = &acts[i];
    let mut words = casus_query::report::act_words(a, treaty, symbols, titles);
    for s in [a.reason, a.condition, a.text] {
        if s.is_some() {
            words.push_str(&format!(" \u{201c}{}\u{201d}", symbols.name(s)));
        }
    }
    ActView {
        act: act_id(acts, symbols, i),
        time: a.time.format(a.precision),
        turn: Stamp::of(a, symbols).map(|s| s.turn),
        actor: symbols.name(a.actor).to_string(),
        kind: a.kind.keyword().to_string(),
        words,
    }
}

/// The kinds of act a delegation's forms offer.
pub const DELEGATION_KINDS: [&str; 9] = ["request", "assistance", "deployment", "statement", "offer", "propose", "sign", "refuse", "opt-out"];

/// Builds a role's view from the ledger's acts (as the server holds them)
/// and the exercise's state, at wall time `now`.
pub fn build(treaty: &Treaty, raw_acts: &[Act], symbols: &Symbols, file: &ExerciseFile, role: &RoleEntry, now: i64) -> View {
    let acts = in_scenario_time(raw_acts, symbols);
    let clock = &file.clock;
    let scenario_now = clock.at(now);
    let at = Time(scenario_now);
    let ids: std::collections::HashSet<String> = (0..acts.len()).filter(|&i| acts[i].id.is_some()).map(|i| symbols.name(acts[i].id).to_string()).collect();
    let released = |act: &str| ids.contains(act);
    let turn = turn(file, &released);
    let party = (role.kind == RoleKind::Delegation).then(|| role.name.clone());
    let from = file.starting_acts.min(acts.len());

    let state = casus_engine::derive(treaty, &acts, &Query { at, readings: BTreeMap::new() });
    let report = casus_query::report(treaty, &acts, symbols, &state);
    let exercise_docs: std::collections::BTreeSet<String> =
        acts[from..].iter().filter(|a| a.document.is_some()).map(|a| symbols.name(a.document).to_string()).collect();
    let wall_until = |s: Option<&str>| s.and_then(scenario_secs).and_then(|t| clock.wall_until(now, t));
    let documents: Vec<DocumentView> = report
        .documents
        .iter()
        .filter(|d| exercise_docs.contains(&d.id))
        .filter(|d| party.as_ref().is_none_or(|p| d.sheet.iter().any(|s| &s.party == p)))
        .map(|d| DocumentView {
            id: d.id.clone(),
            title: d.title.clone(),
            organ: d.organ.clone(),
            status: d.status.word().to_string(),
            procedure: d.procedure.clone(),
            blocked_by: d.blocked_by.clone(),
            closes: d.closes.clone(),
            closes_in_wall_secs: if d.status == "pending" { wall_until(d.closes.as_deref()) } else { None },
            position: party.as_ref().and_then(|p| d.sheet.iter().find(|s| &s.party == p).map(|s| s.position.clone())),
            sheet: d.sheet.clone(),
        })
        .collect();

    // Duties under each reading, keyed by case, duty and debtor.
    let mut duties: BTreeMap<(String, String, String), DutyView> = BTreeMap::new();
    let before = ids_before(&acts, symbols, from);
    let name_of = |code: &str| report.party_name(code);
    for reading in casus_exercise::report::readings(treaty, symbols) {
        let r = if reading.id == "default" {
            report.clone()
        } else {
            casus_query::report(treaty, &acts, symbols, &casus_engine::derive(treaty, &acts, &Query { at, readings: reading.choices.clone() }))
        };
        for c in &r.cases {
            for o in &c.obligations {
                if party.as_ref().is_some_and(|p| &o.debtor != p && &o.creditor != p) {
                    continue;
                }
                // Cases the exercise may still act on, or acted on.
                let opened_before = acts.iter().position(|a| a.id.is_some() && symbols.name(a.id) == c.id).is_some_and(|i| i < from);
                if opened_before && o.status != "pending" && o.fulfilled_by.as_ref().is_none_or(|f| before.contains(f)) {
                    continue;
                }
                let e = duties.entry((c.id.clone(), o.duty.clone(), o.debtor.clone())).or_insert_with(|| DutyView {
                    case: c.id.clone(),
                    case_title: c.title.clone(),
                    duty: o.duty.clone(),
                    duty_title: o.duty_title.clone(),
                    debtor: o.debtor.clone(),
                    creditor: o.creditor.clone(),
                    debtor_name: name_of(&o.debtor),
                    creditor_name: name_of(&o.creditor),
                    readings: Vec::new(),
                });
                e.readings.push(ReadingDeadline {
                    reading: reading.id.clone(),
                    reading_text: reading.text.clone(),
                    status: o.status.word().to_string(),
                    deadline: o.deadline.clone(),
                    deadline_in_wall_secs: if o.status == "pending" { wall_until(o.deadline.as_deref()) } else { None },
                });
            }
        }
    }

    let titles = casus_query::report::document_titles(&acts, symbols);
    let acts_view: Vec<ActView> = (from..acts.len())
        .filter(|&i| party.as_ref().is_none_or(|p| symbols.name(acts[i].actor) == p))
        .map(|i| act_view(treaty, &acts, symbols, &titles, i))
        .collect();
    let injects: Vec<InjectView> = if role.kind == RoleKind::Control {
        let inject_released = |id: &str| file.scenario.inject(id).is_some_and(|i| released(&i.act));
        file.scenario
            .injects
            .iter()
            .map(|i| {
                let is_released = released(&i.act);
                let condition = i.after.as_ref().is_none_or(|a| ids.contains(a) || inject_released(a));
                InjectView {
                    id: i.id.clone(),
                    turn: i.turn,
                    title: i.title.clone(),
                    time: Time(i.time).display(),
                    actor: i.actor.clone(),
                    kind: i.kind.clone(),
                    after: i.after.clone(),
                    released: is_released,
                    due: !is_released && condition && i.time <= scenario_now,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let delegations: Vec<DelegationView> = if role.kind == RoleKind::Control {
        file.roles
            .iter()
            .filter(|r| r.kind == RoleKind::Delegation)
            .map(|r| DelegationView {
                name: r.name.clone(),
                title: r.title.clone(),
                joined: r.key.is_some(),
                pending: report
                    .documents
                    .iter()
                    .filter(|d| exercise_docs.contains(&d.id) && d.status == "pending" && d.sheet.iter().any(|s| s.party == r.name && s.position == "pending"))
                    .map(|d| d.title.clone())
                    .collect(),
                owes: report
                    .cases
                    .iter()
                    .flat_map(|c| {
                        let report = &report;
                        c.obligations
                            .iter()
                            .filter(|o| o.debtor == r.name && o.status == "pending")
                            .map(move |o| format!("{} to {}, in {}", o.duty_title, report.party_name(&o.creditor), c.title))
                    })
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    View {
        exercise: file.scenario.title.clone(),
        fiction: file.scenario.fiction,
        role: role.name.clone(),
        kind: role.kind,
        title: role.title.clone(),
        joined: role.key.is_some(),
        clock: ClockView {
            wall: now,
            scenario: scenario_now,
            scenario_text: Time(scenario_now).format(Precision::Second),
            rate: clock.rate,
            paused: clock.paused,
            start: Time(file.scenario.start).format(Precision::Second),
            end: file.scenario.end.map(|e| Time(e).display()),
        },
        turn,
        parties: report.parties.iter().map(|p| PartyView { code: p.code.clone(), name: p.name.clone(), status: p.status.clone() }).collect(),
        documents,
        duties: duties.into_values().collect(),
        acts: acts_view,
        injects,
        delegations,
        kinds: if role.kind == RoleKind::Delegation { DELEGATION_KINDS.to_vec() } else { Vec::new() },
    }
}

fn ids_before(acts: &[Act], symbols: &Symbols, from: usize) -> std::collections::HashSet<String> {
    (0..from).map(|i| act_id(acts, symbols, i)).collect()
}
