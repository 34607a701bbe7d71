//! `casus readings`: every obligation's status under every combination of
//! the treaty's readings, side by side, and that table in plain text.

use crate::text_table::table;
use casus_engine::Query;
use casus_model::{Act, Symbols, Time, Treaty};
use serde::Serialize;
use std::fmt::Write;

/// The most combinations of readings derived (a treaty with many
/// questions would otherwise be derived once per combination of all).
pub const MAX_COMBINATIONS: usize = 64;

/// Verdicts under every combination of readings.
#[derive(Serialize)]
pub struct Readings {
    pub at: String,
    /// One entry per combination: `question=option` pairs.
    pub columns: Vec<Vec<String>>,
    /// The same combinations as the treaty words them: option texts.
    pub labels: Vec<Vec<String>>,
    /// The questions, in the treaty's words, in the order of each
    /// combination's options.
    pub questions: Vec<String>,
    pub rows: Vec<ReadingRow>,
}

/// One obligation (by fact id) and its status under each combination, in
/// the order of [`Readings::columns`] (empty where it does not arise).
#[derive(Serialize)]
pub struct ReadingRow {
    pub fact: String,
    pub case: String,
    pub duty: String,
    pub debtor: String,
    pub statuses: Vec<String>,
}

impl Readings {
    /// Every obligation's status on `at` under each combination of
    /// readings (at most [`MAX_COMBINATIONS`]).
    pub fn derive(treaty: &Treaty, acts: &[Act], symbols: &Symbols, at: Time) -> Readings {
        let combos = casus_engine::all_readings(treaty, MAX_COMBINATIONS);
        let mut rows: Vec<ReadingRow> = Vec::new();
        let mut row_of: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut columns = Vec::new();
        let mut labels = Vec::new();
        let mut questions = Vec::new();
        for (ci, combo) in combos.iter().enumerate() {
            let state = casus_engine::derive(treaty, acts, &Query { at, readings: combo.clone() });
            let report = casus_query::report(treaty, acts, symbols, &state);
            columns.push(report.readings.iter().map(|r| format!("{}={}", r.question, r.option)).collect());
            labels.push(report.readings.iter().map(|r| r.option_text.clone()).collect());
            if ci == 0 {
                questions = report.readings.iter().map(|r| r.question_text.clone()).collect();
            }
            for c in &report.cases {
                for o in &c.obligations {
                    let k = *row_of.entry(o.fact.clone()).or_insert_with(|| {
                        rows.push(ReadingRow {
                            fact: o.fact.clone(),
                            case: c.id.clone(),
                            duty: o.duty.clone(),
                            debtor: o.debtor.clone(),
                            statuses: vec![String::new(); ci],
                        });
                        rows.len() - 1
                    });
                    rows[k].statuses.push(o.status.to_string());
                }
            }
            for r in rows.iter_mut() {
                r.statuses.resize(ci + 1, String::new());
            }
        }
        Readings { at: casus_query::report_date(at), columns, labels, questions, rows }
    }

    /// The questions, lettered; the combinations of their options,
    /// numbered; then one line per obligation with its status under each,
    /// in words.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let letter = |i: usize| char::from(b'a' + (i % 26) as u8);
        let _ = writeln!(out, "Verdicts on {} under each combination of the readings of:", self.at);
        for (i, q) in self.questions.iter().enumerate() {
            let _ = writeln!(out, "  ({}) {q}", letter(i));
        }
        out.push('\n');
        for (i, c) in self.labels.iter().enumerate() {
            let options: Vec<String> = c.iter().enumerate().map(|(k, o)| format!("({}) {o}", letter(k))).collect();
            let _ = writeln!(out, "  ({}) {}", i + 1, options.join("; "));
        }
        let mut header = vec!["case", "duty", "debtor"];
        let labels: Vec<String> = (1..=self.columns.len()).map(|i| format!("({i})")).collect();
        header.extend(labels.iter().map(|s| s.as_str()));
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                let mut v = vec![r.case.clone(), r.duty.clone(), r.debtor.clone()];
                v.extend(r.statuses.iter().map(|s| s.replace('_', " ")));
                v
            })
            .collect();
        out.push('\n');
        out.push_str(&table(&header, &rows));
        out
    }
}
