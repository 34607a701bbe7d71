//! Deriving the normative state: membership, chairs, documents and their
//! signature sheets, cases and obligations.
//!
//! One pass over the acts in time order collects what each part needs; the
//! parts are then evaluated at the query date. Derived facts keep the
//! indices of the acts they rest on, so that explanations and reports can
//! cite them without a second derivation. This module holds the derived
//! types and `derive`, the sequence of passes; each pass lives in its own
//! file below.

mod cases;
mod chairs;
mod conditions;
mod membership;
mod performance;
mod scan;

use crate::Query;
use crate::documents::{self, DocumentState};
use casus_model::*;

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
    /// Whether the debtor's, and the creditor's, membership on the
    /// trigger's date the sources leave unknown: the obligation is then
    /// `undetermined`, since whether the duty binds them is. Two flags in
    /// the struct's padding rather than a list, since an obligation is one
    /// of hundreds of thousands (read them with
    /// [`ObligationState::membership_unknown`]).
    pub debtor_membership_unknown: bool,
    pub creditor_membership_unknown: bool,
}

impl ObligationState {
    /// The debtor or creditor (or both) whose membership on the trigger's
    /// date is unknown.
    pub fn membership_unknown(&self) -> impl Iterator<Item = Sym> + '_ {
        [(self.debtor_membership_unknown, self.debtor), (self.creditor_membership_unknown, self.creditor)].into_iter().filter(|(u, _)| *u).map(|(_, s)| s)
    }

    /// Whether the debtor's or the creditor's membership is unknown.
    pub fn depends_on_unknown_membership(&self) -> bool {
        self.debtor_membership_unknown || self.creditor_membership_unknown
    }

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

pub fn derive(treaty: &Treaty, acts: &[Act], query: &Query) -> State {
    let at = query.at;
    let order = ordered(acts, at);
    let readings: Vec<(Sym, Sym)> = treaty.questions.iter().map(|q| (q.id, query.readings.get(&q.id).copied().unwrap_or(q.options[q.default].id))).collect();
    let version = treaty.versions.iter().rposition(|v| v.in_force <= at);
    let membership = membership::Membership::derive(treaty, acts, &order, at);
    let scan = scan::Scan::of(treaty, acts, &order, at, membership.treaty_end);
    let chairs = chairs::chairs(treaty, acts, &scan.handovers, at);
    let member_at = |code: Sym, t: Time| membership.member_at(code, t);
    let documents: Vec<DocumentState> =
        scan.doc_order.iter().filter_map(|&doc| documents::decide(treaty, acts, doc, &scan.docs[&doc], at, &member_at)).collect();
    let mut cases = cases::cases(treaty, acts, &order, at, &readings, &membership, scan);
    cases::responses(treaty, acts, &order, &mut cases);
    State { at, readings, version, parties: membership.parties, chairs, documents, cases, acts_considered: order.len() }
}
