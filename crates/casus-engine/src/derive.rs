//! Deriving the normative state: membership, chairs, documents and their
//! signature sheets, cases and obligations.
//!
//! One pass over the acts in time order collects what each part needs; the
//! parts are then evaluated at the query date. Derived facts keep the
//! indices of the acts they rest on, so that explanations and reports can
//! cite them without a second derivation.

use crate::Query;
use crate::documents::{self, DocumentActs, DocumentState};
use crate::fxhash::FxMap;
use crate::matcher::{Bindings, Index, Shape, matches, matches_each, shape};
use casus_model::membership::{Standing, standing_at, timelines};
use casus_model::*;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyState {
    pub code: Sym,
    /// `None` when the sources leave it unknown whether the state is a
    /// party on the date (a join or leave known only approximately).
    pub status: Option<MemberStatus>,
    pub since: Time,
    /// The membership acts it rests on (accession, suspension…), if any.
    pub acts: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChairState {
    pub organ: Sym,
    pub party: Sym,
    pub since: Time,
    /// Whether the treaty's rotation rule gives this chair.
    pub by_rotation: bool,
    /// The handover act that put it in the chair, if recorded.
    pub handover: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObligationStatus {
    Pending,
    Fulfilled,
    Breached,
    NotTriggered,
    /// Performed by an act whose time of day (or place in its window) the
    /// record does not give, and on which the verdict depends: before the
    /// deadline it is fulfilled, after it breached.
    Undetermined,
}

impl ObligationStatus {
    pub fn word(self) -> &'static str {
        match self {
            ObligationStatus::Pending => "pending",
            ObligationStatus::Fulfilled => "fulfilled",
            ObligationStatus::Breached => "breached",
            ObligationStatus::NotTriggered => "not_triggered",
            ObligationStatus::Undetermined => "undetermined",
        }
    }

    /// The status in words, for people: `not triggered`.
    pub fn text(self) -> &'static str {
        match self {
            ObligationStatus::NotTriggered => "not triggered",
            other => other.word(),
        }
    }
}

/// One duty triggered by one act, and why it arose or not: the parts of an
/// obligation's reason that are the same for every debtor, kept once here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DutyInstance {
    pub duty: usize,
    /// The act that matched the duty's trigger.
    pub trigger: u32,
    /// The readings the duty consulted (questions of its conditions and of
    /// its deadline), each with the option in force.
    pub readings: Vec<(Sym, Sym)>,
    /// Applicable conditions: the need's index and the act that met it.
    pub needs_met: Vec<(usize, u32)>,
    /// Applicable conditions no act met.
    pub needs_unmet: Vec<usize>,
    /// Conditions that do not apply under the chosen readings.
    pub needs_waived: Vec<usize>,
    /// The act whose last possible instant fixed when the duty arose: the
    /// trigger or the last condition met. `None` when it did not arise.
    pub arose_by: Option<u32>,
    /// The time allowed, from the reading or the duty's text; `None` when a
    /// reading gives none (no deadline).
    pub within: Option<Duration>,
    /// How each condition on the facts of the case (`only …`) came out,
    /// in the duty's order.
    pub conditions: Vec<ConditionOutcome>,
    /// The trigger's variables as this instance bound them: an act by
    /// several parties together (or about several) engages the duty once
    /// for each, so the same act may open several instances.
    pub bindings: Vec<(Sym, Sym)>,
}

/// How one `only` condition of a duty came out for one trigger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionOutcome {
    /// Index into the duty's `only`.
    pub condition: usize,
    /// Yes, no, or unknown: the record does not give the place, or the
    /// order of the acts it rests on.
    pub holds: Known,
    /// The act it rests on: the one whose place was read, the attack that
    /// brought the attackers to the number, the war act.
    pub act: Option<u32>,
    /// What was read: the place; the state the variable names; the
    /// attackers counted; the states at war with the party.
    pub found: Vec<Sym>,
    /// For `only unless`: the act that stated the demand, and the last
    /// instant compliance was due (then `act` is the act of compliance, in
    /// time or not, if any).
    pub demand: Option<(u32, Time)>,
}

/// What `judge` found: whether the condition holds, the act it rests on,
/// what was read, and for a demand, which act stated it and by when
/// compliance was due.
type Judged = (Known, Option<u32>, Vec<Sym>, Option<(u32, Time)>);

/// What a condition is judged against besides the trigger: the acts
/// (`acts`, with `order` every act by the query date in time order, and
/// `counted` those not known to precede the trigger), the query date, and
/// whether any act is dated `before T`.
struct Facts<'a> {
    treaty: &'a Treaty,
    acts: &'a [Act],
    order: &'a [u32],
    counted: &'a [u32],
    at: Time,
    any_before: bool,
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
fn judge(facts: &Facts, trigger: u32, met: &[(usize, u32)], demand: u32, b: &Bindings, chosen: &dyn Fn(Sym) -> Option<Sym>, condition: &Condition) -> Judged {
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

/// How a duty was performed, as far as the record tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Performance {
    /// No act performing it is recorded (by the query date).
    None,
    /// Performed by this act, known to be on or before the deadline.
    InTime(u32),
    /// Performed by this act, known to be after the deadline.
    Late(u32),
    /// Performed by this act, which the record dates only to a day (or a
    /// window) that contains the deadline: whether it was in time is unknown.
    /// For a duty to refrain: the forbidden act is dated to a day (or a
    /// window) that contains the duty's end, so whether it fell within the
    /// duty is unknown.
    Unknown(u32),
    /// A duty to refrain: the debtor did what it forbids, by this act,
    /// while the duty was in force.
    Forbidden(u32),
}

impl Performance {
    /// The performing act, whatever its timing; never an act a duty to
    /// refrain forbids (that is no performance: see `ObligationState::breached_by`).
    pub fn act(self) -> Option<u32> {
        match self {
            Performance::None | Performance::Forbidden(_) => None,
            Performance::InTime(i) | Performance::Late(i) | Performance::Unknown(i) => Some(i),
        }
    }
}

/// One debtor's obligation, with its reason: the shared part is its
/// `instance` (trigger, readings, conditions, when it arose), the rest is
/// here (deadline, performance).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObligationState {
    pub duty: usize,
    /// Index into the case's `instances`.
    pub instance: u32,
    pub debtor: Sym,
    pub creditor: Sym,
    pub status: ObligationStatus,
    pub since: Time,
    /// When the duty arose (trigger and every applicable condition met):
    /// the last instant the act that completed it may have happened.
    pub arose: Option<Time>,
    /// The last instant for performance (`Time::MAX` when none).
    pub deadline: Option<Time>,
    pub performance: Performance,
    /// The act by which a party suspended the treaty between the debtor and
    /// the creditor (a `suspension` `against` the other), in force when the
    /// duty was triggered: the duty lapsed between them (`not_triggered`),
    /// while the same duty between other parties stands.
    pub lapsed_by: Option<u32>,
    /// The debtor or creditor (or both) whose membership on the trigger's
    /// date the sources leave unknown: the obligation is then
    /// `undetermined`, since whether the duty binds them is.
    pub membership_unknown: Vec<Sym>,
}

impl ObligationState {
    /// The act that fulfilled the duty in time; never a late one.
    pub fn fulfilled_by(&self) -> Option<u32> {
        match self.performance {
            Performance::InTime(i) => Some(i),
            _ => None,
        }
    }

    /// The act that performed the duty after the deadline.
    pub fn performed_late_by(&self) -> Option<u32> {
        match self.performance {
            Performance::Late(i) => Some(i),
            _ => None,
        }
    }

    /// The act by which the debtor did what a duty to refrain forbids.
    pub fn breached_by(&self) -> Option<u32> {
        match self.performance {
            Performance::Forbidden(i) => Some(i),
            _ => None,
        }
    }

    /// Whole days from when the duty arose to `at`, for a duty still open
    /// with no deadline (`within none`); `None` otherwise.
    pub fn days_open(&self, at: Time) -> Option<i64> {
        match (self.status, self.arose, self.deadline) {
            (ObligationStatus::Pending, Some(arose), Some(Time::MAX)) => Some((at.0.saturating_sub(arose.0)).max(0) / 86_400),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseState {
    pub id: Sym,
    /// The act that opened the case.
    pub trigger: u32,
    pub article: Sym,
    pub requester: Sym,
    pub opened: Time,
    pub instances: Vec<DutyInstance>,
    pub obligations: Vec<ObligationState>,
    /// Acts recorded as answering the case (`case ID`), in time order.
    pub responses: Vec<u32>,
    /// Of the responses, the statements of support for the party that
    /// opened the case (`statement support`) and of opposition: positions,
    /// counted apart from performance.
    pub support: Vec<u32>,
    pub opposition: Vec<u32>,
}

impl CaseState {
    /// Whether the debtor of `o` owes the same duty in this case to more
    /// than one party (an act by several parties together engages it for
    /// each): then the obligation is named with its creditor too.
    pub fn owed_to_several(&self, o: &ObligationState) -> bool {
        self.obligations.iter().any(|x| x.duty == o.duty && x.debtor == o.debtor && x.creditor != o.creditor)
    }
}

/// The normative state on a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub at: Time,
    /// The readings in force: every question with its chosen option.
    pub readings: Vec<(Sym, Sym)>,
    pub version: Option<usize>,
    pub parties: Vec<PartyState>,
    pub chairs: Vec<ChairState>,
    pub documents: Vec<DocumentState>,
    pub cases: Vec<CaseState>,
    /// Number of acts on or before `at` that the state rests on.
    pub acts_considered: usize,
}

/// Indices of the acts dated on or before `at`, in time order (stable: acts
/// on the same time keep their record order). An act with no actor is a
/// placeholder (a what-if's removed act, kept so that positions stay) and
/// is skipped.
fn ordered(acts: &[Act], at: Time) -> Vec<u32> {
    let mut order: Vec<u32> = (0..acts.len() as u32).filter(|&i| acts[i as usize].time <= at && acts[i as usize].actor.is_some()).collect();
    if !order.windows(2).all(|w| acts[w[0] as usize].time <= acts[w[1] as usize].time) {
        order.sort_by_key(|&i| acts[i as usize].time);
    }
    order
}

/// The status of one debtor's obligation once the duty has arose, and
/// since when, from its performance. Rests only on what the record tells:
/// an act dated to a day that contains the deadline is neither in time nor
/// late.
pub(crate) fn status_from(performance: Performance, deadline: Time, arose: Time, at: Time, acts: &[Act]) -> (ObligationStatus, Time) {
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
fn classify(candidates: impl Iterator<Item = u32>, acts: &[Act], deadline: Time, any_before: bool) -> Performance {
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
fn better(a: Performance, b: Performance, acts: &[Act]) -> Performance {
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

pub fn derive(treaty: &Treaty, acts: &[Act], query: &Query) -> State {
    let at = query.at;
    let order = ordered(acts, at);
    let readings: Vec<(Sym, Sym)> = treaty.questions.iter().map(|q| (q.id, query.readings.get(&q.id).copied().unwrap_or(q.options[q.default].id))).collect();
    let version = treaty.versions.iter().rposition(|v| v.in_force <= at);

    // Membership: the treaty's declared changes plus membership acts.
    let mut membership_acts: Vec<Act> = Vec::new();
    let mut membership_by_party: BTreeMap<Sym, Vec<u32>> = BTreeMap::new();
    for &i in &order {
        let act = &acts[i as usize];
        if let Some((party, _, _)) = membership::change_in(treaty, act) {
            membership_acts.push(act.clone());
            membership_by_party.entry(party).or_default().push(i);
        } else if treaty.is_termination_notice(act) {
            // A notice against renewal ends the treaty for every party.
            membership_acts.push(act.clone());
            for p in &treaty.parties {
                membership_by_party.entry(p.code).or_default().push(i);
            }
        }
    }
    let lines = timelines(treaty, &membership_acts);
    // When the treaty ends for everyone (its term runs out unrenewed, or a
    // notice against renewal takes effect), as far as the acts by `at` tell.
    let treaty_end = treaty.ending(&membership_acts).map(|e| e.at());
    // Whether a state is a party at an instant: yes, no, or not known.
    let member_at = |code: Sym, t: Time| lines.get(&code).map(|l| membership::member(l, t)).unwrap_or(Known::No);
    let parties = treaty
        .parties
        .iter()
        .filter_map(|p| {
            let (status, since) = match standing_at(lines.get(&p.code)?, at)? {
                Standing::Known(status, since) => (Some(status), since),
                Standing::Unknown(since) => (None, since),
            };
            Some(PartyState { code: p.code, status, since, acts: membership_by_party.get(&p.code).cloned().unwrap_or_default() })
        })
        .collect();
    // The parties that may be members at `t`: those known to be, and those
    // not known either way (whose duties are then undetermined).
    let members_at =
        |t: Time| -> Vec<(Sym, Known)> { treaty.parties.iter().map(|p| (p.code, member_at(p.code, t))).filter(|&(_, k)| k != Known::No).collect() };

    // One pass: documents, handovers, triggers.
    let mut docs: FxMap<Sym, DocumentActs> = FxMap::default();
    let mut doc_order: Vec<Sym> = Vec::new();
    let mut handovers: FxMap<Sym, (Time, u32)> = FxMap::default();
    let mut duties_by_kind: [Vec<usize>; ActKind::ALL.len()] = std::array::from_fn(|_| Vec::new());
    for (i, d) in treaty.duties.iter().enumerate() {
        for p in d.triggers() {
            let list = &mut duties_by_kind[p.kind as usize];
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    let mut triggers: Vec<(u32, usize, Bindings)> = Vec::new();
    // Suspensions of the treaty between two parties only (`suspension`
    // `against` the other party), in time order.
    let mut pair_suspensions: Vec<u32> = Vec::new();
    // The longest interval an act's date leaves open after its time, in
    // seconds (a day for day-dated acts, more for windows; an act dated
    // `before T` is ordered at its last instant, so it adds nothing).
    let mut widest: i64 = 0;
    let mut any_before = false;
    for &i in &order {
        let act = &acts[i as usize];
        any_before |= act.precision == Precision::Before;
        if !matches!(act.precision, Precision::Second | Precision::Before) {
            let w = act.when();
            widest = widest.max(w.latest.0.saturating_sub(w.earliest.0));
        }
        if membership::suspends_relations(act) {
            pair_suspensions.push(i);
        }
        match act.kind {
            kind if act.document.is_some() && DocumentActs::is_document_kind(kind) => {
                docs.entry(act.document)
                    .or_insert_with(|| {
                        doc_order.push(act.document);
                        DocumentActs::default()
                    })
                    .add(i, kind);
            }
            ActKind::Handover if act.organ.is_some() && act.to.is_some() => {
                let when = act.effective().unwrap_or(act.time);
                if when <= at && handovers.get(&act.organ).is_none_or(|&(t, _)| t <= when) {
                    handovers.insert(act.organ, (when, i));
                }
            }
            _ => {}
        }
        {
            for &d in &duties_by_kind[act.kind as usize] {
                let duty = &treaty.duties[d];
                if !treaty.rule_in_force(&duty.versions, act.time) || treaty_end.is_some_and(|end| act.time >= end) {
                    continue;
                }
                // The first trigger that matches, then any alternatives
                // (`or` under `on`); one instance per binding (each author
                // of a joint act, each party it is about).
                let found = duty.triggers().map(|p| matches_each(p, act)).find(|each| !each.is_empty()).unwrap_or_default();
                triggers.extend(found.into_iter().map(|b| (i, d, b)));
            }
        }
    }

    // Chairs.
    let mut chairs = Vec::new();
    for organ in &treaty.organs {
        let rotation = organ.rotation.as_ref().filter(|r| r.from <= at && !r.order.is_empty()).map(|r| {
            let years = at.year() - r.from.year();
            let mut start = r.from.add(Duration { months: years as i32 * 12, seconds: 0 });
            let mut years = years;
            if start > at {
                years -= 1;
                start = r.from.add(Duration { months: years as i32 * 12, seconds: 0 });
            }
            (start, r.order[(years as usize) % r.order.len()])
        });
        let handover = handovers.get(&organ.id).map(|&(t, i)| (t, acts[i as usize].to, i));
        let chair = match (rotation, handover) {
            (Some((rs, rp)), Some((ht, hp, hi))) if ht >= rs => {
                Some(ChairState { organ: organ.id, party: hp, since: ht, by_rotation: ht == rs && hp == rp, handover: Some(hi) })
            }
            (Some((rs, rp)), _) => Some(ChairState { organ: organ.id, party: rp, since: rs, by_rotation: true, handover: None }),
            (None, Some((ht, hp, hi))) => Some(ChairState { organ: organ.id, party: hp, since: ht, by_rotation: false, handover: Some(hi) }),
            (None, None) => None,
        };
        chairs.extend(chair);
    }

    // Documents.
    let documents: Vec<DocumentState> = doc_order.iter().filter_map(|&doc| documents::decide(treaty, acts, doc, &docs[&doc], at, &member_at)).collect();

    // Cases and obligations.
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
    let index = if triggers.is_empty() { None } else { Some(Index::build(acts, &order, &shapes)) };
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
            let facts = Facts { treaty, acts, order: &order, counted: &counted, at, any_before };
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
                membership_unknown: Vec::new(),
            };
            ob.lapsed_by = suspended_between(debtor, creditor, trig.time);
            // Whether the debtor, or the party it owes, is a party on the
            // trigger's date may be unknown (a join or leave known only
            // approximately): then so is whether the duty binds them.
            if debtor_member == Known::Unknown {
                ob.membership_unknown.push(debtor);
            }
            if creditor_member == Known::Unknown {
                ob.membership_unknown.push(creditor);
            }
            if (undetermined || !ob.membership_unknown.is_empty()) && ob.lapsed_by.is_none() {
                // Whether the duty arose depends on what the record does
                // not give (where the attack took place, say, or whether a
                // state was a party then).
                ob.status = ObligationStatus::Undetermined;
            }
            if all_met && ob.lapsed_by.is_none() && ob.membership_unknown.is_empty() {
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
    // Responses: acts that name a case. Case ids are act ids, unique in a
    // well-formed record.
    if !cases.is_empty() {
        let by_id: FxMap<Sym, usize> = cases.iter().enumerate().filter(|(_, c)| c.id.is_some()).map(|(i, c)| (c.id, i)).collect();
        for &i in &order {
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

    State { at, readings, version, parties, chairs, documents, cases, acts_considered: order.len() }
}
