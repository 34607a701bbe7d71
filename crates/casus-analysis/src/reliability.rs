//! Reliability under each reading: across every invocation of a treaty's
//! records, the share of duties that were fulfilled, under each reading of
//! the treaty, side by side.
//!
//! Research on alliance reliability finds that the share of allies who
//! honoured their commitments swings widely (from about a quarter to about
//! three quarters) with how the obligations are read. casus makes the
//! readings explicit (a treaty's `question`s), so the same record can be
//! counted under each: this module does the counting with the engine, one
//! derivation per reading, and says how many invocations and duties each
//! share rests on. Small numbers stay small: every share comes with its n.

use crate::cases::case_rows;
use casus_engine::{ObligationStatus, Query, all_readings, derive};
use casus_model::*;
use serde::Serialize;

/// The most readings of one treaty counted (combinations of options).
pub const MAX_READINGS: usize = 64;

/// The counts of one treaty under one reading.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct ReadingShare {
    /// `question=option` for every question of the treaty.
    pub reading: Vec<String>,
    /// The same options in the treaty's words, for people.
    pub reading_text: Vec<String>,
    /// Invocations in which at least one duty arose under this reading.
    pub invocations_engaging: usize,
    /// Duties that arose (every status but not_triggered): the denominator.
    pub engaged: usize,
    pub fulfilled: usize,
    pub breached: usize,
    pub pending: usize,
    pub undetermined: usize,
    /// Duties whose conditions this reading leaves unmet: not counted in
    /// `engaged`.
    pub not_triggered: usize,
    /// `fulfilled / engaged`, `None` when nothing was engaged.
    pub share_fulfilled: Option<f64>,
}

impl ReadingShare {
    fn count(&mut self, status: ObligationStatus) {
        match status {
            ObligationStatus::Fulfilled => self.fulfilled += 1,
            ObligationStatus::Breached => self.breached += 1,
            ObligationStatus::Pending => self.pending += 1,
            ObligationStatus::Undetermined => self.undetermined += 1,
            ObligationStatus::NotTriggered => self.not_triggered += 1,
        }
        if status != ObligationStatus::NotTriggered {
            self.engaged += 1;
        }
    }

    fn finish(&mut self) {
        self.share_fulfilled = (self.engaged > 0).then(|| self.fulfilled as f64 / self.engaged as f64);
    }
}

/// One treaty and its record, under every reading.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct TreatyReliability {
    pub treaty: String,
    /// The record's file, as the caller names it.
    pub record: String,
    /// Every invocation `casus report` lists for this record (requests that
    /// engage no duty included).
    pub invocations: usize,
    /// Of which, requests that engage no duty under any reading.
    pub no_duty: usize,
    pub readings: Vec<ReadingShare>,
}

/// All treaties, and the range the readings span.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Reliability {
    pub at: String,
    pub treaties: Vec<TreatyReliability>,
    /// Every treaty read the way that gives its lowest share, summed.
    pub lowest: ReadingShare,
    /// Every treaty read the way that gives its highest share, summed.
    pub highest: ReadingShare,
}

/// One treaty and record under every reading, on `at`.
pub fn treaty_reliability(treaty: &Treaty, record: &str, acts: &[Act], symbols: &Symbols, at: Time) -> TreatyReliability {
    let rows = case_rows(treaty, acts, symbols, at);
    let mut readings = Vec::new();
    for combo in all_readings(treaty, MAX_READINGS) {
        let state = derive(treaty, acts, &Query { at, readings: combo.clone() });
        let mut share = ReadingShare {
            reading: treaty.questions.iter().filter_map(|q| combo.get(&q.id).map(|o| format!("{}={}", symbols.name(q.id), symbols.name(*o)))).collect(),
            reading_text: treaty.questions.iter().filter_map(|q| combo.get(&q.id).and_then(|&o| q.option(o)).map(|o| o.text.clone())).collect(),
            ..ReadingShare::default()
        };
        for case in &state.cases {
            for o in &case.obligations {
                share.count(o.status);
            }
            if case.obligations.iter().any(|o| o.status != ObligationStatus::NotTriggered) {
                share.invocations_engaging += 1;
            }
        }
        share.finish();
        readings.push(share);
    }
    TreatyReliability {
        treaty: symbols.name(treaty.id).to_string(),
        record: record.to_string(),
        invocations: rows.len(),
        no_duty: rows.iter().filter(|r| r.no_duty.is_some()).count(),
        readings,
    }
}

impl ReadingShare {
    /// Whether two readings gave the same counts.
    fn same_counts(&self, other: &ReadingShare) -> bool {
        (self.invocations_engaging, self.engaged, self.fulfilled, self.breached, self.pending, self.undetermined, self.not_triggered)
            == (other.invocations_engaging, other.engaged, other.fulfilled, other.breached, other.pending, other.undetermined, other.not_triggered)
    }
}

impl TreatyReliability {
    /// The readings that differ in their counts, each once, labelled by
    /// the treaty's words for the options that tell them apart ("The
    /// victim's request under Article 4 triggers the duty"),
    /// or "every reading" when all give the same counts. For people: JSON
    /// keeps every reading.
    pub fn distinct(&self) -> Vec<(String, &ReadingShare)> {
        let mut groups: Vec<&ReadingShare> = Vec::new();
        for r in &self.readings {
            if !groups.iter().any(|g| g.same_counts(r)) {
                groups.push(r);
            }
        }
        // A question matters when two readings that differ only in it differ in counts.
        let n = self.readings.first().map_or(0, |r| r.reading.len());
        let matters = |qi: usize| {
            self.readings
                .iter()
                .any(|a| self.readings.iter().any(|b| !a.same_counts(b) && a.reading.iter().zip(&b.reading).enumerate().all(|(i, (x, y))| i == qi || x == y)))
        };
        let relevant: Vec<usize> = (0..n).filter(|&i| matters(i)).collect();
        groups
            .into_iter()
            .map(|g| {
                let label = if relevant.is_empty() {
                    "every reading".to_string()
                } else {
                    relevant.iter().filter_map(|&i| g.reading_text.get(i).cloned()).collect::<Vec<_>>().join("; ")
                };
                (label, g)
            })
            .collect()
    }
}

/// Sums the chosen reading of each treaty.
fn total<'a>(chosen: impl Iterator<Item = &'a ReadingShare>) -> ReadingShare {
    let mut t = ReadingShare::default();
    for r in chosen {
        t.reading.extend(r.reading.iter().cloned());
        t.invocations_engaging += r.invocations_engaging;
        t.engaged += r.engaged;
        t.fulfilled += r.fulfilled;
        t.breached += r.breached;
        t.pending += r.pending;
        t.undetermined += r.undetermined;
        t.not_triggered += r.not_triggered;
    }
    t.finish();
    t
}

/// The treaties' counts, with the lowest and highest totals: each treaty
/// read the way that gives it its lowest (or highest) share of fulfilled
/// duties. A treaty none of whose readings engages a duty adds nothing.
pub fn reliability(treaties: Vec<TreatyReliability>, at: Time) -> Reliability {
    let key = |r: &&ReadingShare| r.share_fulfilled.unwrap_or(0.0);
    let engaging = || treaties.iter().filter(|t| t.readings.iter().any(|r| r.engaged > 0));
    let lowest = total(engaging().filter_map(|t| t.readings.iter().filter(|r| r.engaged > 0).min_by(|a, b| key(a).total_cmp(&key(b)))));
    let highest = total(engaging().filter_map(|t| t.readings.iter().filter(|r| r.engaged > 0).max_by(|a, b| key(a).total_cmp(&key(b)))));
    Reliability { at: casus_query::report_date(at), treaties, lowest, highest }
}
