//! One row per invocation across treaties and records: who invoked which
//! article when, before which organ, what answered it, the verdict under
//! every reading, and how many days until the first assistance.

use casus_engine::{all_readings, derive, report, Query};
use casus_model::*;
use serde::Serialize;

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// `question=option` pairs.
    pub reading: Vec<String>,
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
    /// The acts recorded as answering the case.
    pub response: Vec<String>,
    pub verdicts: Vec<Verdict>,
    /// Days from the invocation to the first act that fulfilled a duty, under any reading.
    pub days_to_first_assistance: Option<i64>,
}

/// The rows of one treaty and record on `at`.
pub fn case_rows(treaty: &Treaty, acts: &[Act], symbols: &Symbols, at: Time) -> Vec<CaseRow> {
    let mut rows: Vec<CaseRow> = Vec::new();
    let mut row_of: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for readings in all_readings(treaty, 64) {
        let state = derive(treaty, acts, &Query { at, readings });
        let r = report(treaty, acts, symbols, &state);
        let reading: Vec<String> = r.readings.iter().map(|x| format!("{}={}", x.question, x.option)).collect();
        for (c, cs) in r.cases.iter().zip(&state.cases) {
            let mut counts = std::collections::BTreeMap::new();
            for o in &c.obligations {
                *counts.entry(o.status.as_str()).or_insert(0) += 1;
            }
            let summary = counts.iter().map(|(k, v)| format!("{v} {k}")).collect::<Vec<_>>().join(", ");
            let opened = acts[cs.trigger as usize].time;
            let first = cs.obligations.iter().filter_map(|o| o.fulfilment).map(|i| acts[i as usize].time).min();
            let days = first.map(|t| (t.0 - opened.start_of_day().0).div_euclid(86_400));
            let row = match row_of.get(&c.id) {
                Some(&k) => &mut rows[k],
                None => {
                    row_of.insert(c.id.clone(), rows.len());
                    let trigger = &acts[cs.trigger as usize];
                    rows.push(CaseRow {
                        treaty: r.treaty.id.clone(),
                        case: c.id.clone(),
                        article: c.article.clone(),
                        requester: c.requester.clone(),
                        beneficiary: c.obligations.first().map(|o| o.creditor.clone()).unwrap_or_default(),
                        date: c.opened.clone(),
                        organ: symbols.name(trigger.to).to_string(),
                        response: c.responses.iter().map(|x| format!("{} {} {} ({})", x.date, x.actor, x.kind, x.act)).collect(),
                        verdicts: Vec::new(),
                        days_to_first_assistance: None,
                    });
                    rows.last_mut().expect("just pushed")
                }
            };
            row.verdicts.push(Verdict { reading: reading.clone(), summary });
            row.days_to_first_assistance = match (row.days_to_first_assistance, days) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
    rows
}
