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
        let mut times = WitnessedTimes::default();
        for (size, bytes) in notes {
            times.add(size, bytes);
        }
        times
    }

    /// Takes in one more checkpoint note, `(size, note bytes)`, in any order
    /// (a note replaced by one with more cosignatures may be added again):
    /// the cost is one search and the bounds it makes useless, not a
    /// rebuild. A note that does not parse or carries no timestamped
    /// cosignature proves nothing.
    pub fn add(&mut self, size: u64, note: &[u8]) {
        let Ok(note) = casus_ledger::Note::parse(note) else { return };
        let earliest = note.signatures.iter().filter_map(|s| Some((i64::try_from(s.cosignature_time()?).ok()?, s.name.clone()))).min();
        let Some((time, witness)) = earliest else { return };
        // An entry is covered by every checkpoint larger than its position:
        // its bound is the earliest of theirs. The bounds keep, by size,
        // only checkpoints that lower it, so their times rise with size.
        let at = self.bounds.partition_point(|(s, _, _)| *s < size);
        if self.bounds.get(at).is_some_and(|(_, t, _)| *t <= time) {
            // A checkpoint as large or larger, cosigned no later, proves more.
            return;
        }
        // This one proves more than the smaller (or same-sized) ones
        // cosigned no earlier: they go.
        let end = if self.bounds.get(at).is_some_and(|(s, _, _)| *s == size) { at + 1 } else { at };
        let start = self.bounds[..at].iter().rposition(|(_, t, _)| *t < time).map_or(0, |i| i + 1);
        self.bounds.splice(start..end, [(size, time, witness)]);
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
/// `position_of(i)` is the ledger entry of act `i` (a lookup the caller
/// keeps, so that only the cited acts are looked at).
pub fn attach(explanation: &mut crate::Explanation, position_of: impl Fn(usize) -> Option<u64>, times: &WitnessedTimes) {
    if times.is_empty() {
        return;
    }
    for cite in &mut explanation.acts {
        cite.logged_by = position_of(cite.index as usize).and_then(|p| times.of(p));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use casus_ledger::note::{Note, NoteSigner, SignatureType};

    fn bounds(t: &WitnessedTimes) -> Vec<(u64, i64)> {
        t.bounds.iter().map(|(s, t, _)| (*s, *t)).collect()
    }

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

    #[test]
    fn notes_added_one_by_one_in_any_order_give_the_same_bounds() {
        let notes =
            [note(3, &[("a.example", 150)]), note(5, &[("c.example", 90)]), note(8, &[("d.example", 200)]), note(9, &[]), note(12, &[("e.example", 300)])];
        let mut orders = vec![vec![0, 1, 2, 3, 4], vec![4, 3, 2, 1, 0], vec![2, 0, 4, 1, 3], vec![1, 4, 0, 3, 2]];
        orders.push(vec![0, 0, 2, 1, 1, 4]);
        for order in orders {
            let mut t = WitnessedTimes::default();
            for &i in &order {
                let (size, bytes) = &notes[i];
                t.add(*size, bytes);
            }
            assert_eq!(bounds(&t), [(5, 90), (8, 200), (12, 300)], "order {order:?}");
        }
        // A note replaced by one with an earlier cosignature lowers its bound.
        let mut t = WitnessedTimes::default();
        let (size, bytes) = note(8, &[("d.example", 200)]);
        t.add(size, &bytes);
        let (size, bytes) = note(8, &[("d.example", 200), ("f.example", 60)]);
        t.add(size, &bytes);
        assert_eq!(bounds(&t), [(8, 60)]);
        let (size, bytes) = note(3, &[("a.example", 70)]);
        t.add(size, &bytes);
        assert_eq!(bounds(&t), [(8, 60)], "a smaller checkpoint cosigned later proves nothing more");
    }
}
