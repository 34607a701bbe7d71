//! Membership over time, from dated changes: join, leave, suspend, return,
//! and stretches where the sources leave it unknown (a party known only to
//! have joined by a date, to be a member on a date, or to have left at some
//! time after one).
//!
//! Shared by the checker (an act only a member may perform) and the engine
//! (who is a party on a date), so that both read the same timeline.

use crate::{Dating, Known, MembershipChange, MembershipEvent, Time};

/// One point of a party's timeline: a change from then on, or the start of
/// a stretch in which whether it is a member is not known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    Change(MembershipChange),
    Unknown,
}

/// A party's steps, sorted by time.
pub type Timeline = Vec<(Time, Step)>;

/// What is known of a party at an instant, with since when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Standing {
    Known(MemberStatus, Time),
    /// The sources do not say whether it is a member (an approximate join
    /// or leave falls around this instant).
    Unknown(Time),
}

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

/// What is known after applying `changes` (sorted by time) up to and
/// including `t`, with since when. `None` if not yet a party (and not
/// possibly one).
pub fn standing_at(changes: &[(Time, Step)], t: Time) -> Option<Standing> {
    let mut standing = None;
    for &(when, step) in changes {
        if when > t {
            break;
        }
        let next = match step {
            Step::Change(MembershipChange::Join | MembershipChange::Return) => Some(MemberStatus::Member),
            Step::Change(MembershipChange::Leave) => Some(MemberStatus::Former),
            Step::Change(MembershipChange::Suspend) => Some(MemberStatus::Suspended),
            Step::Unknown => None,
        };
        standing = match (standing, next) {
            (Some(Standing::Known(s, since)), Some(n)) if s == n => Some(Standing::Known(s, since)),
            (Some(Standing::Unknown(since)), None) => Some(Standing::Unknown(since)),
            (_, Some(n)) => Some(Standing::Known(n, when)),
            (_, None) => Some(Standing::Unknown(when)),
        };
    }
    standing
}

/// The known status at `t`, with since when: `None` if not a party, or if
/// whether it is one is not known (see [`standing_at`]).
pub fn status_at(changes: &[(Time, Step)], t: Time) -> Option<(MemberStatus, Time)> {
    match standing_at(changes, t)? {
        Standing::Known(s, since) => Some((s, since)),
        Standing::Unknown(_) => None,
    }
}

/// Whether the party is a member at `t`: yes, no, or not known.
pub fn member(changes: &[(Time, Step)], t: Time) -> Known {
    match standing_at(changes, t) {
        Some(Standing::Known(MemberStatus::Member, _)) => Known::Yes,
        Some(Standing::Unknown(_)) => Known::Unknown,
        _ => Known::No,
    }
}

/// Whether the party is known to be a member at `t`.
pub fn is_member(changes: &[(Time, Step)], t: Time) -> bool {
    member(changes, t) == Known::Yes
}

/// The first instant of the day after `t`'s.
fn next_day(t: Time) -> Time {
    Time(t.start_of_day().0.saturating_add(86_400))
}

/// The steps a treaty's declared events make, in their order. A join known
/// only approximately (`joins by`, `member on`) opens an unknown stretch
/// from the day after the previous event (or from the beginning) to its
/// date, unless the party is already known to be a member then (a
/// confirmation adds nothing); a leave known only to be after a date opens
/// one from the next day on.
pub fn declared_steps(events: &[MembershipEvent]) -> Timeline {
    let mut steps: Timeline = Vec::with_capacity(events.len() + 1);
    for (k, e) in events.iter().enumerate() {
        match e.dating {
            Dating::On => steps.push((e.time, Step::Change(e.change))),
            Dating::By | Dating::MemberOn => {
                if standing_at(&steps, e.time).is_some_and(|s| matches!(s, Standing::Known(MemberStatus::Member, _))) {
                    continue;
                }
                let from = if k == 0 { Time::MIN } else { next_day(events[k - 1].time) };
                if from < e.time {
                    steps.push((from, Step::Unknown));
                }
                steps.push((e.time, Step::Change(MembershipChange::Join)));
            }
            Dating::After => steps.push((next_day(e.time), Step::Unknown)),
        }
    }
    steps
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

/// Whether an act is of a kind that may change who is a member or end the
/// treaty: the only acts [`change_in`] and
/// [`Treaty::ending`](crate::Treaty::ending) read, so a list of earlier
/// acts kept for membership needs only these.
pub fn may_change_membership(act: &crate::Act) -> bool {
    use crate::ActKind;
    matches!(act.kind, ActKind::Accession | ActKind::Readmission | ActKind::Withdrawal | ActKind::Suspension)
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
pub fn timelines(treaty: &crate::Treaty, acts: &[crate::Act]) -> std::collections::BTreeMap<crate::Sym, Timeline> {
    let mut map: std::collections::BTreeMap<crate::Sym, Timeline> = std::collections::BTreeMap::new();
    // No one is a party before the treaty's first text is in force: an
    // unknown stretch "from the beginning" starts then.
    let in_force = treaty.versions.first().map(|v| v.in_force);
    for p in &treaty.parties {
        let mut steps = declared_steps(&p.events);
        if let (Some(start), Some(&(Time::MIN, Step::Unknown))) = (in_force, steps.first()) {
            if steps.get(1).is_some_and(|&(next, _)| start < next) {
                steps[0].0 = start;
            } else {
                steps.remove(0);
            }
        }
        map.entry(p.code).or_default().extend(steps);
    }
    for act in acts {
        if let Some((party, when, change)) = change_in(treaty, act) {
            map.entry(party).or_default().push((when, Step::Change(change)));
        }
    }
    for v in map.values_mut() {
        v.sort_by_key(|(t, _)| *t);
    }
    if let Some(end) = treaty.ending(acts) {
        for v in map.values_mut().filter(|v| !v.is_empty()) {
            // Changes after the treaty's end have no effect.
            v.retain(|(t, _)| *t < end.at());
            v.push((end.at(), Step::Change(MembershipChange::Leave)));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    fn day(s: &str) -> Time {
        Time::parse(s).expect("date").0
    }

    fn event(change: MembershipChange, dating: Dating, date: &str) -> MembershipEvent {
        MembershipEvent { time: day(date), change, dating, sources: Vec::new(), note: String::new(), span: Span::default() }
    }

    /// Membership on each date, as yes, no or unknown.
    fn member_on(events: &[MembershipEvent], dates: &[&str]) -> Vec<Known> {
        let steps = declared_steps(events);
        dates.iter().map(|d| member(&steps, day(d))).collect()
    }

    #[test]
    fn member_on_leaves_the_time_before_unknown() {
        let events = [event(MembershipChange::Join, Dating::MemberOn, "2010-06-12")];
        assert_eq!(member_on(&events, &["1990-01-01", "2010-06-11", "2010-06-12", "2030-01-01"]), [Known::Unknown, Known::Unknown, Known::Yes, Known::Yes]);
    }

    #[test]
    fn leaves_after_keeps_the_day_and_leaves_what_follows_unknown_until_a_join() {
        let events = [
            event(MembershipChange::Join, Dating::On, "2000-01-01"),
            event(MembershipChange::Leave, Dating::After, "2008-01-01"),
            event(MembershipChange::Join, Dating::By, "2012-01-01"),
        ];
        assert_eq!(
            member_on(&events, &["1999-12-31", "2008-01-01", "2008-01-02", "2011-12-31", "2012-01-01"]),
            [Known::No, Known::Yes, Known::Unknown, Known::Unknown, Known::Yes]
        );
    }

    #[test]
    fn a_join_by_after_an_exact_leave_is_unknown_from_the_next_day() {
        let events = [
            event(MembershipChange::Join, Dating::On, "2000-01-01"),
            event(MembershipChange::Leave, Dating::On, "2003-01-01"),
            event(MembershipChange::Join, Dating::By, "2005-01-01"),
        ];
        let steps = declared_steps(&events);
        assert_eq!(standing_at(&steps, day("2003-01-01")), Some(Standing::Known(MemberStatus::Former, day("2003-01-01"))));
        assert_eq!(standing_at(&steps, day("2004-06-01")), Some(Standing::Unknown(day("2003-01-02"))));
        assert_eq!(standing_at(&steps, day("2005-06-01")), Some(Standing::Known(MemberStatus::Member, day("2005-01-01"))));
        // The known status alone, for callers that ask only that.
        assert_eq!(status_at(&steps, day("2004-06-01")), None);
        assert!(!is_member(&steps, day("2004-06-01")));
    }

    #[test]
    fn a_confirmation_of_a_known_member_adds_no_unknown_stretch() {
        let events = [event(MembershipChange::Join, Dating::On, "2000-01-01"), event(MembershipChange::Join, Dating::MemberOn, "2010-06-12")];
        assert_eq!(member_on(&events, &["2005-01-01", "2010-06-12"]), [Known::Yes, Known::Yes]);
    }
}
