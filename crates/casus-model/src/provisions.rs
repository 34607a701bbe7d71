//! A treaty's own life: a fixed term, automatic renewal unless a party gives
//! notice in time, and withdrawal taking effect a fixed time after its
//! notice (ATOP's duration, renewal and denunciation provisions).
//!
//! The dates these provisions give are computed here, from the treaty's
//! clauses and the notice acts, never typed into a record: the checker
//! (which members may act), the engine (who is a party, whether the treaty
//! is still in force) and the explanations all read them from this one
//! place.

use crate::{Act, ActKind, Duration, Time, Treaty};

/// The most terms walked when looking for the end of a term a notice
/// reaches: with a one-day renewal period, about three years; with the
/// usual periods of years, millennia.
pub const MAX_TERMS: u32 = 1_000;

/// The provisions on the treaty's life, from the `treaty` declaration's
/// `term`, `renews` and `withdrawal` clauses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Provisions {
    /// `term DURATION`: the first term, counted from the entry into force
    /// of the first version.
    pub term: Option<Duration>,
    /// `renews DURATION unless notice DURATION before end`.
    pub renewal: Option<Renewal>,
    /// `withdrawal DURATION after notice`: a party's withdrawal takes
    /// effect this long after its notice.
    pub withdrawal_notice: Option<Duration>,
    /// `… not before DURATION in force`: and never before the treaty has
    /// been in force this long (the North Atlantic Treaty's twenty years).
    pub withdrawal_not_before: Option<Duration>,
}

/// Automatic renewal: each term is followed by another of `period` unless a
/// party gives notice at least `notice` before the term ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Renewal {
    pub period: Duration,
    pub notice: Duration,
}

/// Why a membership or the treaty ended on a date, as the provisions give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The fixed term ran out and the treaty provides no renewal.
    TermExpired { at: Time },
    /// A party's notice against renewal (act index), given in time for the
    /// term ending `at`: the treaty is not renewed and ends then, for every party.
    NotRenewed { notice: u32, at: Time },
    /// A party's notice of withdrawal (act index) taking effect `at`, a
    /// fixed time after the notice (the `withdrawal` clause) or at the end
    /// of the term it was given in time for (the `renews` clause).
    Withdrawal { notice: u32, at: Time, by_renewal: bool },
}

impl Ending {
    pub fn at(self) -> Time {
        match self {
            Ending::TermExpired { at } | Ending::NotRenewed { at, .. } | Ending::Withdrawal { at, .. } => at,
        }
    }
}

/// A notice against renewal: a `withdrawal` whose subject is this word
/// (`2025-01-10 ARM withdrawal termination`). A plain `withdrawal` is the
/// party's own withdrawal.
pub const TERMINATION: &str = "termination";

fn negate(d: Duration) -> Duration {
    Duration { months: -d.months, seconds: -d.seconds }
}

impl Provisions {
    /// Whether the treaty states anything about its own life.
    pub fn any(&self) -> bool {
        self.term.is_some() || self.renewal.is_some() || self.withdrawal_notice.is_some()
    }

    /// When the fixed term ends with no renewal clause: the treaty's end
    /// whatever the parties do.
    pub fn expiry(&self, start: Time) -> Option<Time> {
        match (self.term, self.renewal) {
            (Some(term), None) => Some(start.add(term)),
            _ => None,
        }
    }

    /// The end of the first term (of a treaty that renews) for which a
    /// notice whose last possible instant is `notice` comes in time: at
    /// least the notice period before that term's end. `None` without a
    /// term and a renewal clause, or beyond [`MAX_TERMS`] terms.
    pub fn term_end_for_notice(&self, start: Time, notice: Time) -> Option<Time> {
        let (term, renewal) = (self.term?, self.renewal?);
        let mut end = start.add(term);
        for _ in 0..MAX_TERMS {
            if notice <= end.add(negate(renewal.notice)) {
                return Some(end);
            }
            end = end.add(renewal.period);
        }
        None
    }

    /// The last instant a notice against renewal of the term ending
    /// `term_end` may be given in time.
    pub fn notice_due(&self, term_end: Time) -> Option<Time> {
        Some(term_end.add(negate(self.renewal?.notice)))
    }

    /// The end of the term running at `t` (the first term end after `t`).
    pub fn term_end_at(&self, start: Time, t: Time) -> Option<Time> {
        let mut end = start.add(self.term?);
        if end > t {
            return Some(end);
        }
        let period = self.renewal?.period;
        for _ in 0..MAX_TERMS {
            end = end.add(period);
            if end > t {
                return Some(end);
            }
        }
        None
    }
}

impl Treaty {
    /// When the treaty first entered into force: its terms count from then.
    pub fn start(&self) -> Option<Time> {
        self.versions.first().map(|v| v.in_force)
    }

    /// The first instant a withdrawal may take effect under `withdrawal …
    /// not before DURATION in force`, if the treaty says.
    pub fn withdrawal_earliest(&self) -> Option<Time> {
        Some(self.start()?.add(self.provisions.withdrawal_not_before?))
    }

    /// Whether `act` is a notice against renewal (`withdrawal termination`).
    pub fn is_termination_notice(&self, act: &Act) -> bool {
        act.kind == ActKind::Withdrawal && act.subject.is_some() && act.subject == self.words.termination
    }

    /// The date a party's notice of withdrawal (act `index`) takes effect
    /// under the treaty's provisions, if they fix one: a fixed time after
    /// the notice, or else the end of the term it comes in time for.
    /// `None` for a notice against renewal, or when the treaty fixes
    /// neither (the record must then give `effective`).
    pub fn withdrawal_ending(&self, act: &Act, index: u32) -> Option<Ending> {
        if act.kind != ActKind::Withdrawal || self.is_termination_notice(act) {
            return None;
        }
        let p = &self.provisions;
        if let Some(after) = p.withdrawal_notice {
            let mut at = act.time.add(after);
            if let Some(earliest) = self.withdrawal_earliest() {
                at = at.max(earliest);
            }
            return Some(Ending::Withdrawal { notice: index, at, by_renewal: false });
        }
        let at = p.term_end_for_notice(self.start()?, act.when().latest)?;
        Some(Ending::Withdrawal { notice: index, at, by_renewal: true })
    }

    /// When and why the treaty ends for every party, given the acts: its
    /// term runs out with no renewal, or the first notice against renewal
    /// takes effect. The earliest such end.
    pub fn ending(&self, acts: &[Act]) -> Option<Ending> {
        let start = self.start()?;
        let mut best = self.provisions.expiry(start).map(|at| Ending::TermExpired { at });
        if self.provisions.renewal.is_some() {
            for (i, act) in acts.iter().enumerate().filter(|(_, a)| a.actor.is_some() && self.is_termination_notice(a)) {
                if let Some(at) = self.provisions.term_end_for_notice(start, act.when().latest)
                    && best.is_none_or(|b| at < b.at())
                {
                    best = Some(Ending::NotRenewed { notice: i as u32, at });
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Time {
        Time::parse(s).map(|p| p.0).unwrap_or_default()
    }

    fn years(n: i32) -> Duration {
        Duration { months: n * 12, seconds: 0 }
    }

    fn months(n: i32) -> Duration {
        Duration { months: n, seconds: 0 }
    }

    #[test]
    fn a_notice_in_time_reaches_the_running_term_and_a_late_one_the_next() {
        let p = Provisions {
            term: Some(years(5)),
            renewal: Some(Renewal { period: years(5), notice: months(6) }),
            withdrawal_notice: None,
            withdrawal_not_before: None,
        };
        let start = t("2020-11-10");
        // The first term ends 2025-11-10; notice is due by 2025-05-10.
        assert_eq!(p.term_end_for_notice(start, t("2025-05-10")), Some(t("2025-11-10")));
        assert_eq!(p.term_end_for_notice(start, t("2025-05-11")), Some(t("2030-11-10")));
        assert_eq!(p.term_end_at(start, t("2026-01-01")), Some(t("2030-11-10")));
        assert_eq!(p.expiry(start), None);
    }

    #[test]
    fn a_term_without_renewal_expires() {
        let p = Provisions { term: Some(years(10)), renewal: None, withdrawal_notice: None, withdrawal_not_before: None };
        assert_eq!(p.expiry(t("1939-08-23")), Some(t("1949-08-23")));
        assert_eq!(p.term_end_for_notice(t("1939-08-23"), t("1940-01-01")), None);
    }
}
