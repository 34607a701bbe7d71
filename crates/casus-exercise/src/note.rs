//! The exercise stamp every exercise act carries, and acts read in
//! scenario time.
//!
//! The ledger dates a delegation's act when it is signed (a live act stands
//! within minutes of its record time: `casus_ledger::entry::check_live_time`),
//! so an exercise that replays 2022, or runs sixty times faster than real
//! time, cannot date its acts in scenario time there. Each act instead
//! carries, in its `note` and so under its actor's signature, the exercise
//! turn and the scenario time it was taken at: `[exercise turn 2, scenario
//! time 2022-09-15T10:00:00Z]`. The exercise's views, its report and its
//! what-ifs read the ledger through [`in_scenario_time`], which dates each
//! live act at its stamp; acts entered in record mode (the starting record
//! and control's injects) are dated in scenario time already.

use casus_model::{Act, Attestation, Precision, Symbols, Time};

/// The stamp's opening, searched for in a note.
const OPEN: &str = "[exercise turn ";

/// The exercise turn and scenario time an act was taken at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub turn: u32,
    pub scenario: i64,
}

impl Stamp {
    /// `[exercise turn N, scenario time T]`.
    pub fn text(&self) -> String {
        format!("{OPEN}{}, scenario time {}]", self.turn, Time(self.scenario).format(Precision::Second))
    }

    /// The stamp in a note, if it holds one.
    pub fn read(note: &str) -> Option<Stamp> {
        let at = note.find(OPEN)?;
        let rest = &note[at + OPEN.len()..];
        let end = rest.find(']')?;
        let (turn, time) = rest[..end].split_once(", scenario time ")?;
        Some(Stamp { turn: turn.parse().ok()?, scenario: Time::parse(time)?.0.0 })
    }

    /// An act's stamp, if its note holds one.
    pub fn of(act: &Act, symbols: &Symbols) -> Option<Stamp> {
        act.note.is_some().then(|| Stamp::read(symbols.name(act.note))).flatten()
    }
}

/// The text of one act in the record syntax with the stamp added to its
/// note: in front of the note it has, or as a new `note` line.
pub fn stamp_act_text(text: &str, stamp: Stamp) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut done = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if !done
            && line.starts_with([' ', '\t'])
            && trimmed.starts_with("note")
            && trimmed[4..].starts_with([' ', '\t'])
            && let Some(q) = line.find('"')
        {
            out.push_str(&line[..=q]);
            out.push_str(&stamp.text());
            out.push(' ');
            out.push_str(&line[q + 1..]);
            done = true;
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    if !done {
        out.push_str(&format!("  note     \"{}\"\n", stamp.text()));
    }
    out
}

/// The acts with each live act dated at its stamp's scenario time (to the
/// second). Record-mode acts keep their dates; a live act without a stamp
/// (signed outside the exercise's pages) keeps its signing time.
pub fn in_scenario_time(acts: &[Act], symbols: &Symbols) -> Vec<Act> {
    acts.iter()
        .map(|a| {
            let mut a = a.clone();
            if a.attestation == Attestation::Actor
                && let Some(s) = Stamp::of(&a, symbols)
            {
                a.time = Time(s.scenario);
                a.precision = Precision::Second;
            }
            a
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_read_back() {
        let s = Stamp { turn: 3, scenario: Time::parse("2022-09-15T10:00:00Z").unwrap().0.0 };
        assert_eq!(s.text(), "[exercise turn 3, scenario time 2022-09-15T10:00:00Z]");
        assert_eq!(Stamp::read(&format!("before {} after", s.text())), Some(s));
        assert_eq!(Stamp::read("[exercise turn x, scenario time 2022-09-15]"), None);
        assert_eq!(Stamp::read("no stamp"), None);
    }

    #[test]
    fn stamps_go_into_the_note() {
        let s = Stamp { turn: 1, scenario: 0 };
        assert_eq!(
            stamp_act_text("2022-09-14 ARM request assistance\n  to CSC\n", s),
            "2022-09-14 ARM request assistance\n  to CSC\n  note     \"[exercise turn 1, scenario time 1970-01-01T00:00:00Z]\"\n"
        );
        assert_eq!(
            stamp_act_text("2022-09-14 X statement\n  note \"said\"\n", s),
            "2022-09-14 X statement\n  note \"[exercise turn 1, scenario time 1970-01-01T00:00:00Z] said\"\n"
        );
    }
}
