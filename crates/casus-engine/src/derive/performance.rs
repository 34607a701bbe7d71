//! How a duty was performed, as far as the record tells: the best candidate
//! act against a deadline, and the obligation's status from it. Kept apart
//! because the cases pass and the condition on a demand (compliance in
//! time) both rest on the same reading of an act's time against a deadline.

use super::ObligationStatus;
use casus_model::*;

pub use super::Performance;

/// The status of one debtor's obligation once the duty has arose, and
/// since when, from its performance. Rests only on what the record tells:
/// an act dated to a day that contains the deadline is neither in time nor
/// late.
#[inline]
pub(super) fn status_from(performance: Performance, deadline: Time, arose: Time, at: Time, acts: &[Act]) -> (ObligationStatus, Time) {
    match performance {
        Performance::InTime(i) => (ObligationStatus::Fulfilled, acts[i as usize].time),
        Performance::Unknown(i) => (ObligationStatus::Undetermined, acts[i as usize].time),
        // Breached from the first second after the deadline.
        _ if at > deadline => (ObligationStatus::Breached, Time(deadline.0.saturating_add(1))),
        _ => (ObligationStatus::Pending, arose),
    }
}

/// The best performance among candidates in time order: the first known to
/// be in time; else the first whose timing is unknown; else the first late.
/// Stops at the first candidate known in time, or once candidates begin
/// after the deadline (unless the record has acts dated `before T`, which
/// are ordered by their last instant, so an earlier start may follow).
#[inline]
pub(super) fn classify(candidates: impl Iterator<Item = u32>, acts: &[Act], deadline: Time, any_before: bool) -> Performance {
    let (mut unknown, mut late) = (None, None);
    for i in candidates {
        match acts[i as usize].when().by(deadline) {
            Known::Yes => return Performance::InTime(i),
            Known::Unknown => {
                unknown.get_or_insert(i);
            }
            Known::No => {
                late.get_or_insert(i);
                if !any_before && acts[i as usize].time > deadline {
                    break;
                }
            }
        }
    }
    match (unknown, late) {
        (Some(i), _) => Performance::Unknown(i),
        (None, Some(i)) => Performance::Late(i),
        (None, None) => Performance::None,
    }
}

/// Of two performances (of two `does` alternatives), the one that decides.
#[inline]
pub(super) fn better(a: Performance, b: Performance, acts: &[Act]) -> Performance {
    let rank = |p: Performance| match p {
        Performance::InTime(_) => 0,
        Performance::Unknown(_) => 1,
        Performance::Late(_) => 2,
        Performance::None => 3,
        Performance::Forbidden(_) => 0,
    };
    let at = |p: Performance| match p {
        Performance::Forbidden(i) => Some(i),
        other => other.act(),
    };
    let key = |p: Performance| (rank(p), at(p).map(|i| (acts[i as usize].time, i)));
    if key(b) < key(a) { b } else { a }
}
