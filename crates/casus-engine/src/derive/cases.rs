//! Cases and duty instances: for each act that triggers a duty, whether the
//! duty arose (its `needs` met, its conditions on the facts holding), who
//! owes it to whom, by when, and how each debtor performed it; then the acts
//! that respond to a case. Kept apart because it is the heart of the
//! engine, and rests on every earlier pass.

use super::conditions::{Facts, judge};
use super::membership::Membership;
use super::performance::{better, classify, status_from};
use super::scan::Scan;
use super::{CaseState, ConditionOutcome, DutyInstance, ObligationState, ObligationStatus, Performance};
use crate::fxhash::FxMap;
use crate::matcher::{Bindings, Index, Shape, matches, shape};
use casus_model::*;

/// Cases and obligations, one case per triggering act, in trigger order.
pub(super) fn cases(treaty: &Treaty, acts: &[Act], order: &[u32], at: Time, readings: &[(Sym, Sym)], membership: &Membership, scan: Scan) -> Vec<CaseState> {
    let Scan { triggers, pair_suspensions, widest, any_before, .. } = scan;
    let treaty_end = membership.treaty_end;
    let member_at = |code: Sym, t: Time| membership.member_at(code, t);
    let members_at = |t: Time| membership.members_at(treaty, t);
    let mut shapes: Vec<Shape> = Vec::new();
    for d in &treaty.duties {
        let trigger_vars: Vec<Sym> = d.trigger.constraints.iter().filter_map(|&(_, t)| if let Term::Var(v) = t { Some(v) } else { None }).collect();
        let fixed = |extra: Option<Sym>| {
            let trigger_vars = trigger_vars.clone();
            move |t: Term| match t {
                Term::Name(_) => true,
                Term::Var(v) => trigger_vars.contains(&v) || Some(v) == extra,
                Term::Any => false,
            }
        };
        for p in d.needs.iter().flat_map(|n| n.any_of.iter()) {
            shapes.push(shape(p, fixed(None)));
        }
        for p in d.does.iter().chain(d.refrains.iter().filter(|_| !d.standing)) {
            shapes.push(shape(p, fixed(Some(treaty.words.debtor))));
        }
    }
    let index = if triggers.is_empty() { None } else { Some(Index::build(acts, order, &shapes)) };
    let debtor_var = treaty.words.debtor;
    // The suspension in force at `t` between two parties, if any.
    let suspended_between = |a: Sym, b: Sym, t: Time| -> Option<u32> {
        pair_suspensions.iter().rev().copied().find(|&i| membership::relations_suspended(&acts[i as usize], a, b, t))
    };
    let reading = |q: Sym| readings.iter().find(|(qq, _)| *qq == q).map(|(_, o)| *o);
    // Index lists hold ranks in `order` (so in time order); a rank bound
    // found once per trigger is then compared without touching the acts.
    let candidates = |p: &'_ Pattern, b: &'_ Bindings, from_rank: u32| {
        let list: &[u32] = index.as_ref().map(|ix| ix.candidates(p, b)).unwrap_or(&[]);
        let start = list.partition_point(|&r| r < from_rank);
        list[start..].iter().map(|&r| order[r as usize])
    };
    let earliest = |p: &Pattern, b: &Bindings, from_rank: u32, after: &dyn Fn(&u32) -> bool| -> Option<u32> {
        candidates(p, b, from_rank).filter(after).find(|&i| matches(p, &acts[i as usize], b).is_some())
    };
    let performance_of = |p: &Pattern, b: &Bindings, from_rank: u32, after: &dyn Fn(&u32) -> bool, deadline: Time| -> Performance {
        classify(candidates(p, b, from_rank).filter(after).filter(|&i| matches(p, &acts[i as usize], b).is_some()), acts, deadline, any_before)
    };
    // An act counts towards a duty unless it is known to precede the
    // trigger (acts of the trigger's day count when either is dated only to
    // the day). Index lists are in time order of first possible instants,
    // so the search starts `widest` seconds before the trigger's and skips
    // what is known to be earlier.
    let counts_from = |trig: When| -> u32 {
        let from = Time(trig.earliest.0.saturating_sub(widest));
        order.partition_point(|&i| acts[i as usize].time < from) as u32
    };
    let mut cases: Vec<CaseState> = Vec::new();
    for (ti, d, b) in triggers {
        let duty = &treaty.duties[d];
        let trig = &acts[ti as usize];
        let trig_when = trig.when();
        let case_id = if trig.id.is_some() { trig.id } else { Sym::NONE };
        // Each debtor, with whether it is known to be a party when the duty
        // is triggered (a listed debtor that is no party of the treaty, an
        // organ say, is taken as named).
        let debtors: Vec<(Sym, Known)> = match &duty.owed_by {
            Debtors::EveryPartyExcept(except) => {
                let except: Vec<Sym> = except.iter().filter_map(|&t| b.resolve(t)).collect();
                members_at(trig.time).into_iter().filter(|(p, _)| !except.contains(p)).collect()
            }
            Debtors::Listed(list) => list
                .iter()
                .filter_map(|&t| b.resolve(t))
                .map(|d| (d, if treaty.party(d).is_some() && member_at(d, trig.time) == Known::Unknown { Known::Unknown } else { Known::Yes }))
                .collect(),
        };
        let creditor = b.resolve(duty.owed_to).unwrap_or(Sym::NONE);
        let creditor_member = if treaty.party(creditor).is_some() { member_at(creditor, trig.time) } else { Known::Yes };
        // A standing duty (non-aggression) binds only between parties: the
        // act that opened the case breaches it if its author owes the duty
        // and the one it is owed to was a party on that date.
        let debtors = if duty.standing {
            let author = b.get(debtor_var);
            let owes: Vec<(Sym, Known)> = debtors.into_iter().filter(|&(d, _)| Some(d) == author).collect();
            if owes.is_empty() || member_at(creditor, trig.time) == Known::No {
                continue;
            }
            owes
        } else if creditor_member == Known::No {
            // A duty is owed to a party (or an organ), never to a state
            // that is not a member when it is triggered: the case is
            // opened, and no obligation arises in it.
            Vec::new()
        } else {
            debtors
        };
        let from_rank = counts_from(trig_when);
        let after_trigger = |i: &u32| acts[*i as usize].when().latest >= trig_when.earliest;
        // Conditions do not depend on the debtor.
        let (mut met, mut unmet, mut waived, mut consulted) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut arose, mut arose_by) = (trig_when.latest, ti);
        for (ni, need) in duty.needs.iter().enumerate() {
            if let Some((q, o)) = need.when {
                let chosen = reading(q);
                if let Some(c) = chosen
                    && !consulted.contains(&(q, c))
                {
                    consulted.push((q, c));
                }
                if chosen != Some(o) {
                    waived.push(ni);
                    continue;
                }
            }
            let found = need.any_of.iter().filter_map(|p| earliest(p, &b, from_rank, &after_trigger)).min_by_key(|&i| (acts[i as usize].time, i));
            match found {
                Some(i) => {
                    met.push((ni, i));
                    let latest = acts[i as usize].when().latest;
                    if latest > arose {
                        (arose, arose_by) = (latest, i);
                    }
                }
                None => unmet.push(ni),
            }
        }
        // Conditions on the facts of the case (`only …`): any that fails
        // leaves the duty untriggered; one the record cannot settle makes
        // every obligation of this trigger undetermined.
        let mut conditions = Vec::with_capacity(duty.only.len());
        if !duty.only.is_empty() {
            let counted: Vec<u32> = order[from_rank as usize..].iter().copied().filter(|i| after_trigger(i)).collect();
            let facts = Facts { treaty, acts, order, counted: &counted, at, any_before };
            // The demand of an `only unless`: the last act the duty waited for.
            let demand = arose_by;
            for (ci, only) in duty.only.iter().enumerate() {
                if let Condition::Reading(q, _) = only.condition
                    && let Some(c) = reading(q)
                    && !consulted.contains(&(q, c))
                {
                    consulted.push((q, c));
                }
                let (holds, act, found, demand) = judge(&facts, ti, &met, demand, &b, &reading, &only.condition);
                if holds == Known::Yes
                    && let Some((_, due)) = demand
                {
                    // Not complied with: the duty arises when the time for
                    // compliance ends.
                    arose = arose.max(due);
                } else if holds == Known::Yes
                    && let Some(i) = act
                {
                    let latest = acts[i as usize].when().latest;
                    if latest > arose {
                        (arose, arose_by) = (latest, i);
                    }
                }
                conditions.push(ConditionOutcome { condition: ci, holds, act, found, demand });
            }
        }
        let condition_fails = conditions.iter().any(|c| c.holds == Known::No);
        let condition_unknown = !condition_fails && conditions.iter().any(|c| c.holds == Known::Unknown);
        let within = match duty.within {
            Within::Fixed(dur) => Some(dur),
            Within::None => None,
            Within::Question(q) => treaty.question(q).and_then(|qq| {
                let chosen = reading(q)?;
                consulted.push((q, chosen));
                qq.options.iter().find(|o| o.id == chosen).and_then(|o| o.duration)
            }),
        };
        let case_pos = match cases.iter().rposition(|c| c.trigger == ti) {
            Some(p) => p,
            None => {
                cases.push(CaseState {
                    id: case_id,
                    trigger: ti,
                    article: duty.article,
                    requester: trig.actor,
                    opened: trig.time,
                    instances: Vec::new(),
                    obligations: Vec::new(),
                    responses: Vec::new(),
                    support: Vec::new(),
                    opposition: Vec::new(),
                });
                cases.len() - 1
            }
        };
        let case = &mut cases[case_pos];
        let instance = case.instances.len() as u32;
        let undetermined = unmet.is_empty() && condition_unknown;
        let all_met = unmet.is_empty() && conditions.iter().all(|c| c.holds == Known::Yes);
        case.instances.push(DutyInstance {
            duty: d,
            trigger: ti,
            readings: consulted,
            needs_met: met,
            needs_unmet: unmet,
            needs_waived: waived,
            arose_by: all_met.then_some(arose_by),
            within,
            conditions,
            bindings: b.0.clone(),
        });
        case.obligations.reserve(debtors.len());
        // The deadline runs from the last instant the duty may have arisen.
        // A duty to refrain with no time of its own lasts while the text
        // is in force: to the treaty's end, if it has one.
        let lasts_while_in_force = if duty.is_refrain() { treaty_end.map(|end| Time(end.0.saturating_sub(1))) } else { None };
        let deadline = within.map(|w| arose.add(w)).or(lasts_while_in_force).unwrap_or(Time::MAX);
        for (debtor, debtor_member) in debtors {
            let mut ob = ObligationState {
                duty: d,
                instance,
                debtor,
                creditor,
                status: ObligationStatus::NotTriggered,
                since: trig.time,
                arose: None,
                deadline: None,
                performance: Performance::None,
                lapsed_by: None,
                debtor_membership_unknown: debtor_member == Known::Unknown,
                creditor_membership_unknown: creditor_member == Known::Unknown,
            };
            ob.lapsed_by = suspended_between(debtor, creditor, trig.time);
            // Whether the debtor, or the party it owes, is a party on the
            // trigger's date may be unknown (a join or leave known only
            // approximately): then so is whether the duty binds them.
            if (undetermined || ob.depends_on_unknown_membership()) && ob.lapsed_by.is_none() {
                // Whether the duty arose depends on what the record does
                // not give (where the attack took place, say, or whether a
                // state was a party then).
                ob.status = ObligationStatus::Undetermined;
            }
            if all_met && ob.lapsed_by.is_none() && !ob.depends_on_unknown_membership() {
                let bd = b.with(debtor_var, debtor);
                ob.arose = Some(arose);
                ob.deadline = Some(deadline);
                if duty.standing {
                    // The act that opened the case is the one forbidden.
                    (ob.performance, ob.status, ob.since) = (Performance::Forbidden(ti), ObligationStatus::Breached, trig.time);
                } else if duty.is_refrain() {
                    // The deadline is the duty's end: a forbidden act known
                    // to be by then breaches it; its absence until then
                    // fulfils it.
                    let found = duty
                        .refrains
                        .iter()
                        .map(|p| performance_of(p, &bd, from_rank, &after_trigger, deadline))
                        .fold(Performance::None, |x, y| better(x, y, acts));
                    (ob.performance, ob.status, ob.since) = match found {
                        Performance::InTime(i) => (Performance::Forbidden(i), ObligationStatus::Breached, acts[i as usize].time),
                        Performance::Unknown(i) => (Performance::Unknown(i), ObligationStatus::Undetermined, acts[i as usize].time),
                        _ if at > deadline => (Performance::None, ObligationStatus::Fulfilled, Time(deadline.0.saturating_add(1))),
                        _ => (Performance::None, ObligationStatus::Pending, arose),
                    };
                } else {
                    let performance = duty
                        .does
                        .iter()
                        .map(|p| performance_of(p, &bd, from_rank, &after_trigger, deadline))
                        .fold(Performance::None, |x, y| better(x, y, acts));
                    ob.performance = performance;
                    (ob.status, ob.since) = status_from(performance, deadline, arose, at, acts);
                }
            }
            case.obligations.push(ob);
        }
    }
    cases
}

/// Responses: the acts that name a case, and among them the statements of
/// support and opposition.
pub(super) fn responses(treaty: &Treaty, acts: &[Act], order: &[u32], cases: &mut [CaseState]) {
    // Responses: acts that name a case. Case ids are act ids, unique in a
    // well-formed record.
    if !cases.is_empty() {
        let by_id: FxMap<Sym, usize> = cases.iter().enumerate().filter(|(_, c)| c.id.is_some()).map(|(i, c)| (c.id, i)).collect();
        for &i in order {
            let a = &acts[i as usize];
            if a.case.is_some()
                && let Some(&c) = by_id.get(&a.case)
            {
                cases[c].responses.push(i);
                let case = &mut cases[c];
                let words = &treaty.words;
                let list = match a.kind {
                    ActKind::Statement if a.subject == words.support => Some(&mut case.support),
                    ActKind::Statement if a.subject == words.opposition => Some(&mut case.opposition),
                    _ => None,
                };
                if let Some(list) = list {
                    list.push(i);
                }
            }
        }
    }
}
