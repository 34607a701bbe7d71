//! The one pass over the acts in time order: each document's acts, the
//! last handover of each organ's chair, the acts that trigger a duty,
//! suspensions between two parties, and how widely the acts' dates leave
//! their time open. Kept apart so that the record is walked once, whatever
//! the later passes ask of it.

use crate::documents::DocumentActs;
use crate::fxhash::FxMap;
use crate::matcher::{Bindings, matches_each};
use casus_model::*;

/// What the pass collects.
pub(super) struct Scan {
    pub docs: FxMap<Sym, DocumentActs>,
    /// Documents in the order their first act appears.
    pub doc_order: Vec<Sym>,
    /// Each organ's last handover in effect by the query date: when, and the act.
    pub handovers: FxMap<Sym, (Time, u32)>,
    /// Each act that triggers a duty, with the duty and the bindings.
    pub triggers: Vec<(u32, usize, Bindings)>,
    /// Suspensions of the treaty between two parties only (`suspension`
    /// `against` the other party), in time order.
    pub pair_suspensions: Vec<u32>,
    /// The longest interval an act's date leaves open after its time, in
    /// seconds (a day for day-dated acts, more for windows; an act dated
    /// `before T` is ordered at its last instant, so it adds nothing).
    pub widest: i64,
    /// Whether any act is dated `before T`.
    pub any_before: bool,
}

impl Scan {
    /// One pass: documents, handovers, triggers. A duty is triggered only
    /// while its text is in force and the treaty has not ended (`treaty_end`).
    pub fn of(treaty: &Treaty, acts: &[Act], order: &[u32], at: Time, treaty_end: Option<Time>) -> Scan {
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
        for &i in order {
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
        Scan { docs, doc_order, handovers, triggers, pair_suspensions, widest, any_before }
    }
}
