//! Membership on the query date and at any instant: the treaty's declared
//! changes with the membership acts of the record, and when the treaty ends
//! for everyone. Kept apart because every other pass asks who was a party
//! when, and the answer may be unknown (a date known only approximately).

use super::PartyState;
use casus_model::membership::{Standing, Timeline, standing_at, timelines};
use casus_model::*;
use std::collections::BTreeMap;

/// What the membership pass gives the others.
pub(super) struct Membership {
    lines: BTreeMap<Sym, Timeline>,
    /// When the treaty ends for everyone (its term runs out unrenewed, or a
    /// notice against renewal takes effect), as far as the acts by `at` tell.
    pub treaty_end: Option<Time>,
    /// Each party's standing on the query date.
    pub parties: Vec<PartyState>,
}

impl Membership {
    /// Membership: the treaty's declared changes plus membership acts.
    pub fn derive(treaty: &Treaty, acts: &[Act], order: &[u32], at: Time) -> Membership {
        let mut membership_acts: Vec<Act> = Vec::new();
        let mut membership_by_party: BTreeMap<Sym, Vec<u32>> = BTreeMap::new();
        for &i in order {
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
        Membership { lines, treaty_end, parties }
    }

    /// Whether a state is a party at an instant: yes, no, or not known.
    #[inline]
    pub fn member_at(&self, code: Sym, t: Time) -> Known {
        self.lines.get(&code).map(|l| membership::member(l, t)).unwrap_or(Known::No)
    }

    /// The parties that may be members at `t`: those known to be, and those
    /// not known either way (whose duties are then undetermined).
    pub fn members_at(&self, treaty: &Treaty, t: Time) -> Vec<(Sym, Known)> {
        treaty.parties.iter().map(|p| (p.code, self.member_at(p.code, t))).filter(|&(_, k)| k != Known::No).collect()
    }
}
