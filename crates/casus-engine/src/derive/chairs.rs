//! Who holds each organ's chair on the query date: the treaty's rotation,
//! unless a recorded handover since the rotation's last turn put another
//! party there. Kept apart because it depends on nothing but the rotation
//! and the handovers the scan found.

use super::ChairState;
use crate::fxhash::FxMap;
use casus_model::*;

/// Chairs.
pub(super) fn chairs(treaty: &Treaty, acts: &[Act], handovers: &FxMap<Sym, (Time, u32)>, at: Time) -> Vec<ChairState> {
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
    chairs
}
