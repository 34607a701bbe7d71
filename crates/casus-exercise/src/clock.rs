//! The exercise clock: exercise (wall) time to scenario time.
//!
//! An exercise runs in real time, accelerated N times, or paused, and
//! control changes that while it runs. The clock is kept as one anchor (a
//! wall time and the scenario time it showed) and the rate since then, so
//! that every change is "re-anchor now, then change the rate": scenario time
//! never jumps and never runs backwards. The caller reads the wall clock
//! and passes it in; nothing here reads a clock.

use serde::{Deserialize, Serialize};

use crate::scenario::MAX_RATE;

/// The exercise clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// Wall time (Unix seconds) of the anchor.
    pub wall: i64,
    /// Scenario time (Unix seconds) the clock showed at the anchor.
    pub scenario: i64,
    /// Scenario seconds per wall second.
    pub rate: u32,
    pub paused: bool,
}

impl Clock {
    /// A clock that shows `scenario` at wall time `wall` and runs at `rate`.
    pub fn new(wall: i64, scenario: i64, rate: u32) -> Clock {
        Clock { wall, scenario, rate: rate.clamp(1, MAX_RATE), paused: false }
    }

    /// The scenario time at wall time `now` (the anchor's, for a wall time before it).
    pub fn at(&self, now: i64) -> i64 {
        if self.paused || now <= self.wall {
            return self.scenario;
        }
        let elapsed = (now - self.wall) as i128 * self.rate as i128;
        (self.scenario as i128 + elapsed).clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }

    /// Stops scenario time at what it shows at `now`.
    pub fn pause(&mut self, now: i64) {
        self.reanchor(now);
        self.paused = true;
    }

    /// Lets scenario time run again from what it showed when paused.
    pub fn resume(&mut self, now: i64) {
        self.reanchor(now);
        self.paused = false;
    }

    /// Runs at `rate` scenario seconds per wall second from `now`.
    pub fn set_rate(&mut self, now: i64, rate: u32) -> Result<(), String> {
        if !(1..=MAX_RATE).contains(&rate) {
            return Err(format!("a rate of {rate}: it must be between 1 and {MAX_RATE}"));
        }
        self.reanchor(now);
        self.rate = rate;
        Ok(())
    }

    /// Moves scenario time forward to `to` at `now` (control skipping a
    /// quiet stretch); never backwards.
    pub fn advance_to(&mut self, now: i64, to: i64) -> Result<(), String> {
        self.reanchor(now);
        if to < self.scenario {
            return Err("scenario time never runs backwards".into());
        }
        self.scenario = to;
        Ok(())
    }

    /// Wall seconds until the clock shows `scenario` (None when paused or past).
    pub fn wall_until(&self, now: i64, scenario: i64) -> Option<i64> {
        let shown = self.at(now);
        if self.paused || scenario < shown {
            return None;
        }
        let rate = self.rate as i64;
        Some((scenario - shown + rate - 1) / rate)
    }

    fn reanchor(&mut self, now: i64) {
        let shown = self.at(now);
        self.wall = now.max(self.wall);
        self.scenario = shown;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_accelerated_clock_pauses_and_resumes_without_a_jump() {
        let mut c = Clock::new(1000, 5000, 60);
        assert_eq!(c.at(1010), 5600);
        c.pause(1010);
        assert_eq!(c.at(2000), 5600);
        c.resume(2000);
        assert_eq!(c.at(2001), 5660);
        c.set_rate(2001, 1).unwrap();
        assert_eq!(c.at(2011), 5670);
        assert!(c.set_rate(2011, 0).is_err());
        assert_eq!(c.wall_until(2011, 5680), Some(10));
        assert!(c.advance_to(2011, 100).is_err());
        c.advance_to(2011, 9000).unwrap();
        assert_eq!(c.at(2011), 9000);
    }

    proptest! {
        /// Whatever control does, scenario time never runs backwards.
        #[test]
        fn scenario_time_is_monotonic(ops in proptest::collection::vec((0i64..10_000, 0u8..4, 1u32..10_000), 1..40)) {
            let mut c = Clock::new(0, 1_000_000, 60);
            let mut now = 0;
            let mut last = c.at(now);
            for (step, op, rate) in ops {
                now += step;
                match op {
                    0 => c.pause(now),
                    1 => c.resume(now),
                    2 => { c.set_rate(now, rate).unwrap(); }
                    _ => { let _ = c.advance_to(now, last + rate as i64); }
                }
                let shown = c.at(now);
                prop_assert!(shown >= last, "{shown} < {last}");
                last = shown;
            }
        }
    }
}
