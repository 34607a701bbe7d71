//! When an act was logged, as the witnesses prove it: the date an act
//! claims is its author's word, but an entry covered by a checkpoint that a
//! member's witness cosigned was in the log no later than the time of that
//! cosignature, whatever date it claims. Explanations and the dashboard show
//! this proven "logged by" time beside the act's claimed date.
//!
//! Built from the checkpoint notes a ledger keeps (C2SP notes with
//! `cosignature/v1` lines, each timestamped by its witness). The notes were
//! checked against the witnesses' keys when the operator stored them; a
//! reader who trusts no one checks a bundle with `casus ledger
//! verify-bundle --witness …`, which prints the same time.

use casus_model::{Precision, Time};
use serde::Serialize;

/// The proven bound on when an act was logged.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct LoggedBy {
    /// The earliest cosignature's time (UTC, to the second).
    pub time: String,
    /// The witness whose cosignature gives it (its key name).
    pub witness: String,
    /// The size of the cosigned checkpoint that covers the act's entry.
    pub checkpoint_size: u64,
    /// The same, as a sentence for a reader.
    pub statement: String,
}

/// For each entry position, the earliest time a witness cosigned a
/// checkpoint covering it.
#[derive(Clone, Debug, Default)]
pub struct WitnessedTimes {
    /// (checkpoint size, earliest cosignature time, its witness), by size,
    /// each time earlier than every later one's (a later checkpoint cosigned
    /// earlier proves more about every entry it covers).
    bounds: Vec<(u64, i64, String)>,
}

impl WitnessedTimes {
    /// From a ledger's checkpoint notes, `(size, note bytes)`; notes that do
    /// not parse or carry no timestamped cosignature prove nothing.
    pub fn from_notes<'a>(notes: impl IntoIterator<Item = (u64, &'a [u8])>) -> WitnessedTimes {
        let mut cosigned: Vec<(u64, i64, String)> = notes
            .into_iter()
            .filter_map(|(size, bytes)| {
                let note = casus_ledger::note::Note::parse(bytes).ok()?;
                note.signatures.iter().filter_map(|s| Some((i64::try_from(s.cosignature_time()?).ok()?, s.name.clone()))).min().map(|(t, w)| (size, t, w))
            })
            .collect();
        cosigned.sort_by_key(|(size, t, _)| (*size, *t));
        // An entry is covered by every checkpoint larger than its position:
        // its bound is the earliest of theirs. Keep, walking from the
        // largest, only checkpoints that lower it.
        let mut bounds: Vec<(u64, i64, String)> = Vec::new();
        for c in cosigned.into_iter().rev() {
            if bounds.last().is_none_or(|b| c.1 < b.1) {
                bounds.push(c);
            }
        }
        bounds.reverse();
        WitnessedTimes { bounds }
    }

    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// The bound for the entry at `position`: the earliest cosignature of a
    /// checkpoint that covers it (size greater than the position).
    pub fn of(&self, position: u64) -> Option<LoggedBy> {
        let i = self.bounds.partition_point(|(size, _, _)| *size <= position);
        self.bounds.get(i).map(|(size, t, w)| LoggedBy {
            time: Time(*t).format(Precision::Second),
            witness: w.clone(),
            checkpoint_size: *size,
            statement: format!(
                "in the ledger no later than {}, when the witness {w} cosigned a checkpoint of {} entries that covers it",
                crate::report::long_date(Time(*t)),
                casus_model::words::grouped(*size)
            ),
        })
    }
}

/// Writes each cited act's proven "logged by" time into an explanation:
/// `positions[i]` is the ledger entry of act `i`.
pub fn attach(explanation: &mut crate::Explanation, positions: &[u64], times: &WitnessedTimes) {
    if times.is_empty() {
        return;
    }
    for cite in &mut explanation.acts {
        cite.logged_by = positions.get(cite.index as usize).and_then(|&p| times.of(p));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use casus_ledger::note::{Note, NoteSigner, SignatureType};

    /// A checkpoint note of `size` entries cosigned by each witness at its time.
    fn note(size: u64, cosigned: &[(&str, u64)]) -> (u64, Vec<u8>) {
        let text = format!("casus.ledger/test\n{size}\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
        let signatures = cosigned
            .iter()
            .map(|(name, t)| NoteSigner::from_seed(name, SignatureType::CosignatureV1, [size as u8; 32]).and_then(|w| w.cosign(&text, *t)).expect("cosign"))
            .collect();
        (size, Note { text, signatures }.to_text().into_bytes())
    }

    #[test]
    fn an_entry_takes_the_earliest_cosignature_of_a_checkpoint_covering_it() {
        // Checkpoints of 3 entries cosigned at 100 and 150, of 5 at 90 (a
        // larger checkpoint cosigned earlier proves more about every entry
        // it covers), of 8 at 200, and of 9 with no cosignature.
        let notes = [note(3, &[("a.example", 150), ("b.example", 100)]), note(5, &[("c.example", 90)]), note(8, &[("d.example", 200)]), note(9, &[])];
        let t = WitnessedTimes::from_notes(notes.iter().map(|(size, bytes)| (*size, &bytes[..])));
        let at = |p| t.of(p).map(|l| (l.checkpoint_size, l.witness, l.time));
        let c = (5, "c.example".to_string(), "1970-01-01T00:01:30Z".to_string());
        assert_eq!(at(0), Some(c.clone()));
        assert_eq!(at(4), Some(c));
        assert_eq!(at(5), Some((8, "d.example".to_string(), "1970-01-01T00:03:20Z".to_string())));
        assert_eq!(at(7).map(|l| l.0), Some(8));
        assert_eq!(at(8), None, "the checkpoint of 9 carries no cosignature: entry 8 has no proven time yet");
        assert!(WitnessedTimes::default().of(0).is_none());
    }
}
