//! One row per invocation across treaties and records: who invoked which
//! article when, before which organ, what answered it, the verdict under
//! every reading, and how many days until the first assistance. Every
//! request is a row, including a request that engages no duty, with why.

use casus_engine::{Query, all_readings, derive};
use casus_model::*;
use casus_query::report;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// `question=option` pairs.
    pub reading: Vec<String>,
    /// The same reading in the treaty's words: each chosen option's text.
    pub reading_text: Vec<String>,
    /// Counts by status, such as "5 breached".
    pub summary: String,
}

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct CaseRow {
    pub treaty: String,
    pub case: String,
    pub article: String,
    pub requester: String,
    /// To whom the duties are owed (the victim), which may differ from the
    /// requester (NATO's Council invoked Article 5 for the United States).
    pub beneficiary: String,
    pub date: String,
    /// The organ or party the invocation was addressed to.
    pub organ: String,
    /// The acts recorded as answering the case, then the acts that performed
    /// a duty of the case (under any reading), each once.
    pub response: Vec<String>,
    pub verdicts: Vec<Verdict>,
    /// Days from the invocation's day to the first act that performed an
    /// assistance duty (in time or late), under any reading.
    pub days_to_first_assistance: Option<i64>,
    /// The act those days count to.
    pub first_assistance: Option<String>,
    /// For a request that opens no case: why no duty is engaged.
    pub no_duty: Option<String>,
}

/// Whether a duty is one of assistance: performed by giving assistance or
/// deploying to the one it is owed to. A duty to consult (performed by a
/// session) is not, nor is any other.
pub fn is_assistance_duty(duty: &Duty) -> bool {
    duty.does.iter().any(|p| matches!(p.kind, ActKind::Assistance | ActKind::Deployment))
}

fn act_id(acts: &[Act], symbols: &Symbols, i: u32) -> String {
    casus_query::act_name(&acts[i as usize], symbols, i as usize)
}

/// How an act is listed in the response column.
fn act_line(acts: &[Act], symbols: &Symbols, i: u32) -> String {
    let a = &acts[i as usize];
    format!("{} {} {} ({})", a.time.format(a.precision), symbols.name(a.actor), a.kind.keyword(), act_id(acts, symbols, i))
}

/// Why a request engages no duty of the treaty: for each duty triggered by
/// requests, the first thing the request lacks. A duty worded in several
/// versions is judged by the wording in force on the request's date, and
/// said to be out of force only when no wording of it is in force.
pub fn why_no_duty(treaty: &Treaty, act: &Act, symbols: &Symbols) -> String {
    let n = |s: Sym| symbols.name(s).to_string();
    let kind = act.kind.keyword();
    let mut why: Vec<String> = Vec::new();
    let mut ids: Vec<Sym> = treaty.duties.iter().filter(|d| d.triggers().any(|t| t.kind == act.kind)).map(|d| d.id).collect();
    ids.dedup();
    for id in ids {
        let wordings: Vec<&Duty> = treaty.duties.iter().filter(|d| d.id == id && d.triggers().any(|t| t.kind == act.kind)).collect();
        let in_force: Vec<&&Duty> = wordings.iter().filter(|d| treaty.rule_in_force(&d.versions, act.time)).collect();
        if in_force.is_empty() {
            why.push(format!("\"{}\" is in no text in force on {}", treaty.duty_title(wordings[0], symbols), casus_query::report::act_date(act)));
            continue;
        }
        for duty in in_force {
            let title = format!("\"{}\"", treaty.duty_title(duty, symbols));
            let article = |s: Sym| casus_query::report::article_name(treaty, symbols, s);
            // The trigger of the request's kind (a duty may have several).
            let trigger = duty.triggers().find(|t| t.kind == act.kind).unwrap_or(&duty.trigger);
            let lack = trigger.constraints.iter().find_map(|&(field, term)| match term {
                Term::Name(want) if !act.has(field, want) => {
                    let have = act.field(field);
                    Some(match field {
                        Field::Subject => format!(
                            "{title} is owed on a {kind} for {}; this is a {kind} for {}",
                            n(want),
                            if have.is_some() { n(have) } else { "nothing named".to_string() }
                        ),
                        Field::Under => format!(
                            "{title} is owed on a {kind} under {}; this one {}",
                            article(want),
                            if have.is_some() { format!("is under {}", article(have)) } else { "names no article".to_string() }
                        ),
                        _ => format!(
                            "{title} is owed on a {kind} with {} {}; this one has {}",
                            field.keyword(),
                            treaty.name_of(want, symbols),
                            if have.is_some() { treaty.name_of(have, symbols).to_string() } else { "none".to_string() }
                        ),
                    })
                }
                _ => None,
            });
            if let Some(l) = lack
                && !why.contains(&l)
            {
                why.push(l);
            }
        }
    }
    if why.is_empty() { format!("the treaty has no duty that a {kind} triggers") } else { why.join("; ") }
}

/// The rows of one treaty and record on `at`.
pub fn case_rows(treaty: &Treaty, acts: &[Act], symbols: &Symbols, at: Time) -> Vec<CaseRow> {
    let mut rows: Vec<CaseRow> = Vec::new();
    let mut row_of: BTreeMap<String, usize> = BTreeMap::new();
    let mut triggers: Vec<u32> = Vec::new();
    // Per row: the acts that answered the case or performed one of its
    // duties (under any reading), with the duties each performed.
    let mut answers: Vec<BTreeMap<u32, Vec<String>>> = Vec::new();
    for readings in all_readings(treaty, 64) {
        let state = derive(treaty, acts, &Query { at, readings });
        let r = report(treaty, acts, symbols, &state);
        let reading: Vec<String> = r.readings.iter().map(|x| format!("{}={}", x.question, x.option)).collect();
        let reading_text: Vec<String> = r.readings.iter().map(|x| x.option_text.clone()).collect();
        for (c, cs) in r.cases.iter().zip(&state.cases) {
            if !triggers.contains(&cs.trigger) {
                triggers.push(cs.trigger);
            }
            let mut counts = BTreeMap::new();
            for o in &c.obligations {
                *counts.entry(o.status.word()).or_insert(0) += 1;
            }
            let summary = counts.iter().map(|(k, v)| format!("{v} {k}")).collect::<Vec<_>>().join(", ");
            let opened = acts[cs.trigger as usize].time;
            // Performances of assistance duties only, in time or not.
            let first = cs
                .obligations
                .iter()
                .filter(|o| is_assistance_duty(&treaty.duties[o.duty]))
                .filter_map(|o| o.performance.act())
                .min_by_key(|&i| (acts[i as usize].time, i));
            let row = match row_of.get(&c.id) {
                Some(&k) => &mut rows[k],
                None => {
                    row_of.insert(c.id.clone(), rows.len());
                    answers.push(BTreeMap::new());
                    let trigger = &acts[cs.trigger as usize];
                    rows.push(CaseRow {
                        treaty: r.treaty.id.clone(),
                        case: c.id.clone(),
                        article: c.article.clone(),
                        requester: c.requester.clone(),
                        beneficiary: c.obligations.first().map(|o| o.creditor.clone()).unwrap_or_default(),
                        date: c.opened.clone(),
                        organ: symbols.name(trigger.to).to_string(),
                        response: Vec::new(),
                        verdicts: Vec::new(),
                        days_to_first_assistance: None,
                        first_assistance: None,
                        no_duty: None,
                    });
                    rows.last_mut().expect("just pushed")
                }
            };
            let k = row_of[&c.id];
            let answered = &mut answers[k];
            for &i in &cs.responses {
                answered.entry(i).or_default();
            }
            for o in &cs.obligations {
                if let Some(i) = o.performance.act() {
                    let duty = symbols.name(treaty.duties[o.duty].id).to_string();
                    let duties = answered.entry(i).or_default();
                    if !duties.contains(&duty) {
                        duties.push(duty);
                    }
                }
            }
            row.verdicts.push(Verdict { reading: reading.clone(), reading_text: reading_text.clone(), summary });
            if let Some(i) = first {
                let days = (acts[i as usize].time.0 - opened.start_of_day().0).div_euclid(86_400);
                if row.days_to_first_assistance.is_none_or(|d| days < d) {
                    row.days_to_first_assistance = Some(days);
                    row.first_assistance = Some(act_id(acts, symbols, i));
                }
            }
        }
    }
    for (row, answered) in rows.iter_mut().zip(&answers) {
        let mut list: Vec<(&u32, &Vec<String>)> = answered.iter().collect();
        list.sort_by_key(|(i, _)| (acts[**i as usize].time, **i));
        row.response = list
            .into_iter()
            .map(
                |(&i, duties)| {
                    if duties.is_empty() { act_line(acts, symbols, i) } else { format!("{}, performing {}", act_line(acts, symbols, i), duties.join(", ")) }
                },
            )
            .collect();
    }
    // Requests that open no case.
    let treaty_id = symbols.name(treaty.id).to_string();
    for (i, a) in acts.iter().enumerate() {
        if a.kind != ActKind::Request || a.actor.is_none() || a.time > at || triggers.contains(&(i as u32)) {
            continue;
        }
        rows.push(CaseRow {
            treaty: treaty_id.clone(),
            case: act_id(acts, symbols, i as u32),
            article: if a.under.is_some() { symbols.name(a.under).to_string() } else { String::new() },
            requester: symbols.name(a.actor).to_string(),
            beneficiary: symbols.name(a.actor).to_string(),
            date: a.time.format(a.precision),
            organ: symbols.name(a.to).to_string(),
            response: Vec::new(),
            verdicts: Vec::new(),
            days_to_first_assistance: None,
            first_assistance: None,
            no_duty: Some(why_no_duty(treaty, a, symbols)),
        });
    }
    rows
}
