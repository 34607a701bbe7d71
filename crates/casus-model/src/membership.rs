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

/// Every party's changes from the treaty's declarations and the acts, each
/// list sorted by time (stable, so same-day changes keep their order).
pub fn timelines(treaty: &crate::Treaty, acts: &[crate::Act]) -> std::collections::BTreeMap<crate::Sym, Vec<(Time, MembershipChange)>> {
    let mut map: std::collections::BTreeMap<crate::Sym, Vec<(Time, MembershipChange)>> = std::collections::BTreeMap::new();
    for p in &treaty.parties {
        map.entry(p.code).or_default().extend(p.events.iter().map(|e| (e.time, e.change)));
    }
    for act in acts {
        if let Some((party, when, change)) = change_from_act(act) {
            map.entry(party).or_default().push((when, change));
        }
    }
    for v in map.values_mut() {
        v.sort_by_key(|(t, _)| *t);
    }
    map
}
