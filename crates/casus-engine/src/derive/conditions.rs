//! Judging a duty's conditions on the facts of a case (`only …`) for one
//! trigger: each holds, fails, or cannot be settled from the record. Kept
//! apart because each condition is a small rule of its own, and the cases
//! pass only asks for a verdict.

use super::performance::{Performance, classify};
use crate::matcher::{Bindings, matches};
use casus_model::*;

/// What `judge` found: whether the condition holds, the act it rests on,
/// what was read, and for a demand, which act stated it and by when
/// compliance was due.
pub(super) type Judged = (Known, Option<u32>, Vec<Sym>, Option<(u32, Time)>);

/// What a condition is judged against besides the trigger: the acts
/// (`acts`, with `order` every act by the query date in time order, and
/// `counted` those not known to precede the trigger), the query date, and
/// whether any act is dated `before T`.
pub(super) struct Facts<'a> {
    pub treaty: &'a Treaty,
    pub acts: &'a [Act],
    pub order: &'a [u32],
    pub counted: &'a [u32],
    pub at: Time,
    pub any_before: bool,
}

/// Yes if both, no if either is no, unknown otherwise.
fn and3(a: Known, b: Known) -> Known {
    match (a, b) {
        (Known::No, _) | (_, Known::No) => Known::No,
        (Known::Yes, Known::Yes) => Known::Yes,
        _ => Known::Unknown,
    }
}

fn not3(a: Known) -> Known {
    match a {
        Known::Yes => Known::No,
        Known::No => Known::Yes,
        Known::Unknown => Known::Unknown,
    }
}

/// Whether a recorded state of war (a `war` act, until its `end`) holds
/// at the moment `at` (an act's time, as far as the record tells).
fn war_holds(war: &Act, at: When) -> Known {
    let w = war.when();
    let started = if w.latest <= at.earliest {
        Known::Yes
    } else if w.earliest > at.latest {
        Known::No
    } else {
        Known::Unknown
    };
    let ended = match war.end() {
        None => Known::No,
        Some(end) if end < at.earliest => Known::Yes,
        Some(end) if end >= at.latest => Known::No,
        Some(_) => Known::Unknown,
    };
    and3(started, not3(ended))
}

/// The states on each side of a `war` or `attack` act: the actor with
/// those in `from`, and the one it is `against`.
fn sides(act: &Act) -> (impl Iterator<Item = Sym> + '_, Sym) {
    (std::iter::once(act.actor).chain(act.from.iter().copied()), act.against)
}

/// Judges one `only` condition for a trigger. `met` are the acts that met
/// its `needs`; `demand` the last act the duty waited for (the trigger or
/// the last of `met`), which states the demand of an `only unless`.
pub(super) fn judge(
    facts: &Facts,
    trigger: u32,
    met: &[(usize, u32)],
    demand: u32,
    b: &Bindings,
    chosen: &dyn Fn(Sym) -> Option<Sym>,
    condition: &Condition,
) -> Judged {
    match condition {
        Condition::Unless { compliance, within } => {
            let acts = facts.acts;
            let due = acts[demand as usize].when().latest.add(*within);
            let from = acts[demand as usize].when().earliest;
            let candidates = facts
                .counted
                .iter()
                .copied()
                .filter(|&i| acts[i as usize].when().latest >= from && i != demand && matches(compliance, &acts[i as usize], b).is_some());
            let (holds, act) = match classify(candidates, acts, due, facts.any_before) {
                // Complied with in time: the duty does not hold.
                Performance::InTime(i) => (Known::No, Some(i)),
                // Dated to a day that contains the deadline.
                Performance::Unknown(i) => (Known::Unknown, Some(i)),
                // No compliance in time, and the time has run out.
                Performance::Late(i) if facts.at > due => (Known::Yes, Some(i)),
                _ if facts.at > due => (Known::Yes, None),
                // The time for compliance still runs on the query date.
                _ => (Known::Unknown, None),
            };
            (holds, act, Vec::new(), Some((demand, due)))
        }
        _ => {
            let (holds, act, found) = judge_fact(facts, trigger, met, b, chosen, condition);
            (holds, act, found, None)
        }
    }
}

/// Judges a condition on the facts that needs no demand.
fn judge_fact(
    facts: &Facts,
    trigger: u32,
    met: &[(usize, u32)],
    b: &Bindings,
    chosen: &dyn Fn(Sym) -> Option<Sym>,
    condition: &Condition,
) -> (Known, Option<u32>, Vec<Sym>) {
    let (treaty, acts, order, counted) = (facts.treaty, facts.acts, facts.order, facts.counted);
    let trig_when = acts[trigger as usize].when();
    match condition {
        // Judged with its demand by `judge`.
        Condition::Unless { .. } => (Known::Unknown, None, Vec::new()),
        Condition::In(region) => {
            // The place of the act that engaged the duty, or else of the
            // first act that met one of its conditions.
            let placed = std::iter::once(trigger).chain(met.iter().map(|&(_, i)| i)).find_map(|i| acts[i as usize].place().map(|p| (i, p)));
            match placed {
                None => (Known::Unknown, None, Vec::new()),
                Some((i, place)) => (if treaty.region_contains(*region, place) { Known::Yes } else { Known::No }, Some(i), vec![place]),
            }
        }
        Condition::Is(term, names) => match b.resolve(*term) {
            Some(v) => (if names.contains(&v) { Known::Yes } else { Known::No }, None, vec![v]),
            None => (Known::No, None, Vec::new()),
        },
        Condition::Reading(q, o) => (if chosen(*q) == Some(*o) { Known::Yes } else { Known::No }, None, Vec::new()),
        Condition::Attackers { at_least, victim } => {
            let Some(victim) = b.resolve(*victim) else { return (Known::No, None, Vec::new()) };
            // States already at war with the party when the duty is
            // triggered, then those attacking it from the trigger on.
            let mut attackers: Vec<Sym> = Vec::new();
            let add = |state: Sym, attackers: &mut Vec<Sym>| {
                if state.is_some() && state != victim && !attackers.contains(&state) {
                    attackers.push(state);
                }
            };
            for &i in order {
                let a = &acts[i as usize];
                if a.kind == ActKind::War && war_holds(a, trig_when) == Known::Yes {
                    let (mut side, other) = sides(a);
                    if other == victim {
                        side.for_each(|s| add(s, &mut attackers));
                    } else if side.any(|s| s == victim) {
                        add(other, &mut attackers);
                    }
                }
            }
            let mut reached = (attackers.len() as u32 >= *at_least).then_some(None);
            for &i in counted {
                let a = &acts[i as usize];
                if matches!(a.kind, ActKind::Attack | ActKind::War) && a.against == victim {
                    sides(a).0.for_each(|s| add(s, &mut attackers));
                    if reached.is_none() && attackers.len() as u32 >= *at_least {
                        reached = Some(Some(i));
                    }
                }
            }
            match reached {
                Some(act) => (Known::Yes, act, attackers),
                None => (Known::No, None, attackers),
            }
        }
        Condition::AtWar(term, enemies) => {
            let Some(x) = b.resolve(*term) else { return (Known::No, None, Vec::new()) };
            let mut best = (Known::No, None, Vec::new());
            for &i in order {
                let a = &acts[i as usize];
                if a.kind != ActKind::War {
                    continue;
                }
                let (side, other) = sides(a);
                let side: Vec<Sym> = side.collect();
                let enemy = if side.contains(&x) && enemies.contains(&other) {
                    other
                } else if other == x {
                    match side.iter().find(|s| enemies.contains(s)) {
                        Some(&s) => s,
                        None => continue,
                    }
                } else {
                    continue;
                };
                let holds = war_holds(a, trig_when);
                let rank = |k: Known| match k {
                    Known::Yes => 0,
                    Known::Unknown => 1,
                    Known::No => 2,
                };
                if rank(holds) < rank(best.0) || best.1.is_none() {
                    best = (holds, Some(i), vec![enemy]);
                }
                if holds == Known::Yes {
                    break;
                }
            }
            best
        }
    }
}
