//! Membership over time, from dated changes: join, leave, suspend, return.
//!
//! Shared by the checker (an act only a member may perform) and the engine
//! (who is a party on a date), so that both read the same timeline.

use crate::{MembershipChange, Time};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MemberStatus {
    Member,
    Suspended,
    Former,
}

impl MemberStatus {
    pub fn word(self) -> &'static str {
        match self {
            MemberStatus::Member => "member",
            MemberStatus::Suspended => "suspended",
            MemberStatus::Former => "former",
        }
    }

    /// The status in a sentence: "Russia is a member", "is suspended", "is a
    /// former member".
    pub fn phrase(self) -> &'static str {
        match self {
            MemberStatus::Member => "a member",
            MemberStatus::Suspended => "suspended",
            MemberStatus::Former => "a former member",
        }
    }
}

/// The status after applying `changes` (sorted by time) up to and including
/// `t`, with the time that status began. `None` if not yet a party.
pub fn status_at(changes: &[(Time, MembershipChange)], t: Time) -> Option<(MemberStatus, Time)> {
    let mut status = None;
    for &(when, change) in changes {
        if when > t {
            break;
        }
        let next = match change {
            MembershipChange::Join | MembershipChange::Return => MemberStatus::Member,
            MembershipChange::Leave => MemberStatus::Former,
            MembershipChange::Suspend => MemberStatus::Suspended,
        };
        if status.map(|(s, _)| s) != Some(next) {
            status = Some((next, when));
        }
    }
    status
}

pub fn is_member(changes: &[(Time, MembershipChange)], t: Time) -> bool {
    matches!(status_at(changes, t), Some((MemberStatus::Member, _)))
}

/// The membership change an act makes, if any: `(party, when, change)`.
/// A notice of withdrawal changes membership only once its `effective`
/// date is given, since a treaty's notice period may be unknown.
pub fn change_from_act(act: &crate::Act) -> Option<(crate::Sym, Time, MembershipChange)> {
    use crate::ActKind;
    let when = act.effective().unwrap_or(act.time);
    match act.kind {
        ActKind::Accession => Some((act.actor, when, MembershipChange::Join)),
        ActKind::Readmission => Some((act.actor, when, MembershipChange::Return)),
        ActKind::Withdrawal => act.effective().map(|e| (act.actor, e, MembershipChange::Leave)),
        ActKind::Suspension if act.about.is_some() => Some((act.about, when, MembershipChange::Suspend)),
        _ => None,
    }
}

/// The membership change an act makes under `treaty`: as
/// [`change_from_act`], except that a notice of withdrawal with no
/// `effective` date takes effect when the treaty's provisions say (a fixed
/// time after the notice, or the end of the term it comes in time for),
/// and that a date the provisions fix wins over one typed in the record.
/// A notice against renewal changes no one's membership by itself: it
/// ends the treaty (see [`Treaty::ending`](crate::Treaty::ending)).
pub fn change_in(treaty: &crate::Treaty, act: &crate::Act) -> Option<(crate::Sym, Time, MembershipChange)> {
    if treaty.is_termination_notice(act) {
        return None;
    }
    match treaty.withdrawal_ending(act, 0) {
        Some(ending) => Some((act.actor, ending.at(), MembershipChange::Leave)),
        None => change_from_act(act),
    }
}

/// Every party's changes from the treaty's declarations and the acts, each
/// list sorted by time (stable, so same-day changes keep their order). When
/// the treaty ends for everyone (its term runs out, or a notice against
/// renewal takes effect), every party that was ever a member leaves then.
pub fn timelines(treaty: &crate::Treaty, acts: &[crate::Act]) -> std::collections::BTreeMap<crate::Sym, Vec<(Time, MembershipChange)>> {
    let mut map: std::collections::BTreeMap<crate::Sym, Vec<(Time, MembershipChange)>> = std::collections::BTreeMap::new();
    for p in &treaty.parties {
        map.entry(p.code).or_default().extend(p.events.iter().map(|e| (e.time, e.change)));
    }
    for act in acts {
        if let Some((party, when, change)) = change_in(treaty, act) {
            map.entry(party).or_default().push((when, change));
        }
    }
    for v in map.values_mut() {
        v.sort_by_key(|(t, _)| *t);
    }
    if let Some(end) = treaty.ending(acts) {
        for v in map.values_mut().filter(|v| !v.is_empty()) {
            // Changes after the treaty's end have no effect.
            v.retain(|(t, _)| *t < end.at());
            v.push((end.at(), MembershipChange::Leave));
        }
    }
    map
}

/// Whether an act suspends the treaty between two parties only: a
/// `suspension` by a party `against` another, with no `about` (which would
/// suspend a party's membership).
pub fn suspends_relations(act: &crate::Act) -> bool {
    act.kind == crate::ActKind::Suspension && act.against.is_some() && act.about.is_none()
}

/// Whether the suspension `act` holds between `a` and `b` (in either
/// direction) at `t`: from its `effective` date (or its own date) until its
/// `end`, if it gives one.
pub fn relations_suspended(act: &crate::Act, a: crate::Sym, b: crate::Sym, t: Time) -> bool {
    let pair = (act.actor == a && act.against == b) || (act.actor == b && act.against == a);
    let from = act.effective().unwrap_or(act.time);
    suspends_relations(act) && pair && from <= t && act.end().is_none_or(|end| t < end)
}
